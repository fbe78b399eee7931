"""issue 15: exam-mode drills with one attempt (retries granted by a trainer), a closing time and a time
limit; an appeal's decision seen by the appellant

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # columns are only added (recreate='never'), as in 0003
    op.create_table('drill_retries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['drill_assignments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drill_retries', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_retries_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_retries_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('drill_assignments', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('time_limit_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closes_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('appeals', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_column('seen_at')

    with op.batch_alter_table('drill_assignments', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closes_at')
        batch_op.drop_column('time_limit_minutes')

    with op.batch_alter_table('drill_retries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_retries_user_id'))
        batch_op.drop_index(batch_op.f('ix_drill_retries_assignment_id'))

    op.drop_table('drill_retries')
