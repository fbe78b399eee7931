"""The audit log: who did what to which record (logins, unmasked views, reviews, exports…)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.store.models import AuditEntry

if TYPE_CHECKING:
    from hotline.store.models import User

ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.failed": "登录失败",
    "user.create": "创建用户",
    "user.password": "修改密码",
    "team.create": "创建团队",
    "import.batch": "导入通话",
    "call.view_unmasked": "查看未脱敏通话",
    "call.swap_roles": "对调坐席/市民并重新质检",
    "export.xlsx": "导出 Excel",
    "finding.review": "复核",
    "finding.appeal": "申诉",
    "appeal.decide": "申诉裁决",
    "drill.finish": "完成演练",
    "drill.assign": "发布考核演练",
    "order.save": "保存工单",
    "rulebook.save": "保存规则库版本",
    "content.save": "编辑场景或题目",
}


def record(db: Session, actor: User | None, action: str, target_type: str = "", target_id: object = "", **detail: Any) -> AuditEntry:
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail,
    )
    db.add(entry)
    return entry


def entries(db: Session, action: str | None = None, limit: int = 200) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.scalars(query))
