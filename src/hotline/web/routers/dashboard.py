"""看板: per-agent radar of the scorecard dimensions, trend, team ranking, most-hit rules, drill and
exam progress under one set of filters; every table exports to Excel."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.routing import APIRouter
from sqlalchemy import select

from hotline.store.audit import record
from hotline.store.dashboard import Filters, agents, learners, top_rules, trend
from hotline.store.models import Team
from hotline.web.deps import Db, Staff, int_id
from hotline.web.export import tables_workbook
from hotline.web.render import render
from hotline.web.rules import rule_catalog, rule_title

router = APIRouter(prefix="/dashboard", tags=["看板"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(team: str = "", agent: str = "", date_from: str = "", date_to: str = "") -> Filters:
    def day(value: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    return Filters(int_id(team), agent.strip(), day(date_from), day(date_to))


Flt = Annotated[Filters, Depends(_filters)]


def _tables(db: Db, flt: Filters) -> dict:
    ranking, card_agent, rows = agents(db, flt)
    dims = list(dict.fromkeys(d for info in rule_catalog().values() for d in [info.dimension]))
    focus = next((r for r in ranking if r.code == flt.agent), ranking[0] if ranking else None)
    return {
        "ranking": ranking, "trend": trend(rows), "rules": top_rules(db, list(card_agent)), "learners": learners(db, flt),
        "dims": dims, "focus": focus,
    }


def _radar(t: dict) -> dict:
    ranking, dims, focus = t["ranking"], t["dims"], t["focus"]
    dims = [d for d in dims if any(d in r.dims for r in ranking)]
    team = {d: [p for r in ranking for p in r.dims.get(d, [])] for d in dims}
    series = [{"name": "全部所选坐席", "value": [round(100 * sum(v) / len(v), 1) if v else "-" for v in team.values()]}]
    if focus is not None:
        own = focus.dimension_percent()
        # "-" is ECharts' empty value: a dimension that never applied to this agent is not a zero
        series.insert(0, {"name": f"{focus.name or focus.code}", "value": [own.get(d, "-") for d in dims]})
    return {"dimensions": dims, "series": series}


@router.get("")
def dashboard_page(request: Request, db: Db, user: Staff, flt: Flt) -> Response:
    t = _tables(db, flt)
    teams = db.scalars(select(Team).order_by(Team.name)).all()
    trend_chart = {"labels": [w for w, _, _ in t["trend"]], "values": [v for _, v, _ in t["trend"]]}
    return render(request, "dashboard.html", t=t, flt=flt, teams=teams, radar=_radar(t), trend_chart=trend_chart,
                  rule_title=rule_title, query=request.url.query)


@router.get("/export.xlsx")
def export(db: Db, user: Staff, flt: Flt) -> Response:
    t = _tables(db, flt)
    dims = t["dims"]
    tables = [
        ("坐席排名", ["名次", "坐席工号", "姓名", "团队", "通话数", "平均分", "一票否决", "质检发现"] + [f"{d}得分率（%）" for d in dims],
         [[i, r.code, r.name, r.team, r.calls, r.average, r.vetoed, r.findings, *(r.dimension_percent().get(d, "") for d in dims)]
          for i, r in enumerate(t["ranking"], 1)]),
        ("得分趋势", ["周", "平均分", "通话数"], [list(x) for x in t["trend"]]),
        ("高频问题", ["规则编号", "规则名称", "命中次数", "涉及通话"], [[r, rule_title(r), n, c] for r, n, c in t["rules"]]),
        ("学习与演练", ["姓名", "坐席工号", "已读课程", "练习次数", "考试次数", "考试合格", "最好考试成绩", "演练次数", "演练平均分"],
         [[x.user.display_name, x.user.agent_code or "", x.lessons, x.quizzes, x.exams, x.exams_passed,
           x.best_exam if x.best_exam is not None else "", x.drills, x.drill_average if x.drill_average is not None else ""]
          for x in t["learners"]]),
    ]
    record(db, user, "export.xlsx", "dashboard", "", rows=sum(len(rows) for _, _, rows in tables))
    db.commit()
    name = quote("看板.xlsx")
    return Response(tables_workbook(tables), media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


# ── 市民感受: predicted satisfaction, escalation risk, calls that end angrier ──


def _citizen(db: Db, flt: Filters):  # noqa: ANN202
    from hotline.store.citizen_figures import figures
    from hotline.store.triage import effective_settings

    return figures(db, flt, effective_settings(db).mandatory_escalation)


@router.get("/citizen")
def citizen_page(request: Request, db: Db, user: Staff, flt: Flt) -> Response:
    from hotline.store.citizen_figures import by_kind, week_series
    from hotline.store.triage import level_labels

    f = _citizen(db, flt)
    teams = db.scalars(select(Team).order_by(Team.name)).all()
    return render(request, "dashboard_citizen.html", f=f, flt=flt, teams=teams, trend_chart=week_series(f.weeks),
                  kinds=by_kind(f.risky), query=request.url.query, level_labels=level_labels())


def _pct(value: float | None) -> float | str:
    return "" if value is None else round(100 * value, 1)


def _num(value: float | None) -> float | str:
    return "" if value is None else round(value, 3)


@router.get("/citizen/export.xlsx")
def citizen_export(db: Db, user: Staff, flt: Flt) -> Response:
    from hotline.masking import mask_text
    from hotline.store.triage import level_labels

    f = _citizen(db, flt)
    group = ["通话数", "有预测的通话", "预测满意度（%）", "平均预测不满意"]
    tables = [
        ("坐席", ["坐席工号", "姓名", "团队", *group, "情绪升级占比（%）", "安抚平静占比（%）", "平均情绪变化（结束−开始）"],
         [[g.key, g.name, g.team, g.calls, len(g.judged), _pct(g.satisfaction), _num(g.dissatisfaction), _pct(g.escalated_share),
           _pct(g.calmed_share), _num(g.mean_delta)] for g in f.agents]),
        ("团队", ["团队", *group], [[g.name, g.calls, len(g.judged), _pct(g.satisfaction), _num(g.dissatisfaction)] for g in f.teams]),
        ("按周", ["周", *group], [[g.key, g.calls, len(g.judged), _pct(g.satisfaction), _num(g.dissatisfaction)] for g in f.weeks]),
        ("高升级风险通话", ["通话编号", "坐席工号", "通话日期", "升级风险", "种类", "证据（轮次：原话）", "复核分流"],
         [[r.external_id, r.agent, r.day.isoformat() if r.day else "", _num(r.risk),
           "、".join(dict.fromkeys(e.get("kind", "") for e in r.escalation)),
           "；".join(f"第{int(e.get('turn_index', 0)) + 1}句：{mask_text(str(e.get('evidence', '')))}" for e in r.escalation),
           level_labels().get(r.level or "", "未分流")] for r in f.risky]),
        ("结束时更生气的坐席", ["坐席工号", "姓名", "有情绪分析的通话", "情绪升级通话", "情绪升级占比（%）", "平均情绪变化（结束−开始）"],
         [[g.key, g.name, g.with_emotion, g.escalated, _pct(g.escalated_share), _num(g.mean_delta)] for g in f.angrier]),
    ]
    record(db, user, "export.xlsx", "dashboard", "citizen", rows=sum(len(rows) for _, _, rows in tables))
    db.commit()
    name = quote("市民感受看板.xlsx")
    return Response(tables_workbook(tables), media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})
