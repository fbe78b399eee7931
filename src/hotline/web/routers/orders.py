"""工单: the orders written in drills and for imported calls, with their checks; for a call, the
extraction and classification of ``hotline.workorder`` suggest the fields."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hotline.masking import mask_text, may_unmask
from hotline.store.audit import record
from hotline.store.models import Call, Role
from hotline.store.orders import call_orders, drill_orders, latest_for_call, save_call_order
from hotline.store.queries import get_call
from hotline.store.rulebooks import model_call
from hotline.web.deps import CurrentUser, Db, Forbidden, Id, NotFound, allow_unmask, check_csrf
from hotline.web.drilling import order_choices, order_from_form
from hotline.web.render import render
from hotline.web.rules import rule_title

router = APIRouter(prefix="/orders", tags=["工单"], dependencies=[Depends(check_csrf)])


@router.get("")
def orders_page(request: Request, db: Db, user: CurrentUser) -> Response:
    from hotline.store import content

    titles = {k: s.title for k, s in content.library(db).scenarios.items()}
    return render(request, "orders.html", drills=drill_orders(db, user), calls=call_orders(db, user), titles=titles,
                  mask=mask_text)


def _call(db: Db, user: CurrentUser, call_id: Id) -> Call:
    call = get_call(db, call_id)
    if call is None:
        raise NotFound("找不到该通话")
    if user.role == Role.TRAINEE.value and (not user.agent_code or call.agent_code != user.agent_code):
        raise Forbidden("学员只能查看自己的通话")
    return call


def _suggested(call: Call) -> dict[str, str]:
    from hotline.workorder.order import extract_order

    o = extract_order(model_call(call))
    return {"caller_name": o.caller_name, "phone": o.phone, "address": o.address.full(), "event_time": o.event_time,
            "summary": o.summary, "request_type": o.request_type, "category": " > ".join(o.category),
            "urgency": o.urgency, "department": o.department, "invalid_reason": o.invalid_reason}


def _masked(order: dict[str, str]) -> dict[str, str]:
    return {k: mask_text(v) if isinstance(v, str) else v for k, v in order.items()}


def _order_view(request: Request, db: Db, user: CurrentUser, call: Call, unmasked: bool) -> Response:
    saved = latest_for_call(db, call.id)
    suggestion = _suggested(call)
    order = saved.order if saved else suggestion
    show = (lambda s: s) if unmasked else mask_text
    if not unmasked:  # the form's phone and address are the citizen's: masked like the transcript
        order, suggestion = _masked(order), _masked(suggestion)
    return render(
        request, "call_order.html", 200, call=call, saved=saved, order=order, suggestion=suggestion,
        rule_title=rule_title, mask=show, unmasked=unmasked, can_unmask=may_unmask(user.role), **order_choices(),
    )


@router.get("/calls/{call_id}")
def call_order_page(request: Request, db: Db, user: CurrentUser, call_id: Id) -> Response:
    return _order_view(request, db, user, _call(db, user, call_id), unmasked=False)


@router.post("/calls/{call_id}/unmask")
def call_order_unmasked(request: Request, db: Db, user: CurrentUser, call_id: Id) -> Response:
    """The 工单 with the citizen's full details, for roles that may unmask; every view audited."""
    call = _call(db, user, call_id)
    allow_unmask(db, user, "order.view_unmasked", call)
    return _order_view(request, db, user, call, unmasked=True)


@router.post("/calls/{call_id}")
async def save_order(request: Request, db: Db, user: CurrentUser, call_id: Id) -> Response:
    order = order_from_form(await request.form())
    return await run_in_threadpool(_check_and_save, db, user, call_id, order)  # database and engine off the event loop


def _check_and_save(db: Db, user: CurrentUser, call_id: Id, order: dict) -> Response:
    from hotline.simulate.session import work_order_from_dict
    from hotline.workorder.checks import check_order

    call = _call(db, user, call_id)
    findings = [f.to_dict() for f in check_order(work_order_from_dict(order), model_call(call))]
    save_call_order(db, call, user, order, findings)
    db.commit()
    return RedirectResponse(f"/orders/calls/{call.id}#checks", status_code=303)


@router.get("/export.xlsx")
def export(db: Db, user: CurrentUser) -> Response:
    """Both tables of the page (masked: orders carry citizens' names, phones and addresses)."""
    from urllib.parse import quote

    from hotline.store import content
    from hotline.web.export import tables_workbook

    titles = {k: s.title for k, s in content.library(db).scenarios.items()}
    fields = ["request_type", "category", "department", "urgency", "caller_name", "phone", "address", "summary"]
    heads = ["诉求类型", "事项分类", "承办部门", "紧急程度", "市民姓名", "联系电话", "地址", "诉求摘要"]

    def cells(order: dict) -> list[object]:
        return [mask_text(str(order.get(f, ""))) for f in fields]

    drills = [[u.display_name, titles.get(d.scenario_id, d.scenario_id), *cells(d.order or {}),
               sum(1 for c in (d.debrief or {}).get("order_checks") or [] if c["ok"]),
               len((d.debrief or {}).get("order_checks") or [])] for d, u in drill_orders(db, user)]
    calls = [[c.external_id, c.agent_code, *cells(o.order), len(o.findings),
              "；".join(f"{rule_title(f['rule_id'])}：{mask_text(f['message'])}" for f in o.findings)] for o, c in call_orders(db, user)]
    body = tables_workbook([
        ("演练工单", ["学员", "场景", *heads, "核对正确", "核对项"], drills),
        ("通话工单", ["通话编号", "坐席工号", *heads, "检查发现", "发现明细"], calls),
    ])
    record(db, user, "export.xlsx", "orders", "", rows=len(drills) + len(calls))
    db.commit()
    name = quote("工单.xlsx")
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})
