"""复核: confirm or overturn findings, appeals and their decisions, rule precision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from hotline.store.models import FindingRow, Role
from hotline.store.reviews import (
    ReviewError,
    appeal_finding,
    appeals_of,
    decide_appeal,
    finding_call,
    get_finding,
    mark_decisions_seen,
    may_decide,
    pending_appeals,
    recent_appeals,
    review_finding,
    rule_precision,
)
from hotline.web.deps import Db, Forbidden, Id, Inspector, NotFound, Staff, Trainee, check_csrf
from hotline.web.render import render
from hotline.web.rules import rule_catalog, rule_title

router = APIRouter(tags=["复核"], dependencies=[Depends(check_csrf)])


def _finding(db: Db, finding_id: Id) -> FindingRow:
    try:
        return get_finding(db, finding_id)
    except ReviewError as exc:
        raise NotFound(exc.message) from None


def _back_to(db: Db, finding: FindingRow) -> RedirectResponse:
    return RedirectResponse(f"/calls/{finding_call(db, finding).id}#f-{finding.id}", status_code=303)


@router.post("/findings/{finding_id}/review")
def review(
    db: Db, user: Inspector, finding_id: Id, verdict: Annotated[str, Form()], note: Annotated[str, Form()] = ""
) -> Response:
    finding = _finding(db, finding_id)
    review_finding(db, finding.id, user, verdict, note)
    db.commit()
    return _back_to(db, finding)


@router.post("/findings/{finding_id}/appeal")
def appeal(db: Db, user: Trainee, finding_id: Id, reason: Annotated[str, Form()] = "") -> Response:
    finding = _finding(db, finding_id)
    if finding_call(db, finding).agent_code != user.agent_code or not user.agent_code:
        raise Forbidden("只能对自己的通话提出申诉")
    appeal_finding(db, finding.id, user, reason)
    db.commit()
    return _back_to(db, finding)


@router.get("/appeals/mine")
def my_appeals(request: Request, db: Db, user: Trainee) -> Response:
    """我的申诉: every appeal of this trainee with its status and the decision; new decisions stand out."""
    return render(request, "my_appeals.html", appeals=appeals_of(db, user), rule_title=rule_title,
                  finding_call=lambda f: finding_call(db, f))


@router.post("/appeals/mine/seen")
def my_appeals_seen(db: Db, user: Trainee) -> Response:
    mark_decisions_seen(db, user)
    db.commit()
    return RedirectResponse("/appeals/mine", status_code=303)


@router.get("/appeals")
def appeals_page(request: Request, db: Db, user: Staff) -> Response:
    return render(
        request, "appeals.html", pending=pending_appeals(db), recent=recent_appeals(db),
        may_decide=lambda a: may_decide(db, user, a), rule_title=rule_title, finding_call=lambda f: finding_call(db, f),
    )


@router.post("/appeals/{appeal_id}/decide")
def decide(
    db: Db, user: Inspector, appeal_id: Id, outcome: Annotated[str, Form()], note: Annotated[str, Form()] = ""
) -> Response:
    if outcome not in ("upheld", "rejected"):
        raise ReviewError("裁决结果只能是“申诉成立”或“申诉驳回”")
    decide_appeal(db, appeal_id, user, upheld=outcome == "upheld", note=note)
    db.commit()
    return RedirectResponse("/appeals", status_code=303)


@router.get("/rules")
def rules_page(request: Request, db: Db, user: Staff) -> Response:
    precision = rule_precision(db)
    hits = dict(db.execute(select(FindingRow.rule_id, func.count(FindingRow.id)).group_by(FindingRow.rule_id)).all())
    rows = [(info, hits.get(rid, 0), precision.get(rid)) for rid, info in rule_catalog().items()]
    return render(request, "rules.html", rows=rows, can_review=user.role in (Role.INSPECTOR.value, Role.ADMIN.value))
