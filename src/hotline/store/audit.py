"""The audit log: who did what to which record (logins, unmasked views, reviews, exports…)."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.store.models import AuditEntry

if TYPE_CHECKING:
    from hotline.store.models import User

ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.failed": "登录失败",
    "auth.blocked": "登录被限制",
    "auth.idle": "会话超时退出",
    "user.create": "创建用户",
    "user.update": "修改用户",
    "user.password": "修改密码",
    "user.reset": "重置密码",
    "user.unlock": "解除锁定",
    "session.revoke": "注销会话",
    "call.upload_recording": "上传录音",
    "audit.export": "导出审计日志",
    "team.create": "创建团队",
    "import.batch": "导入通话",
    "call.view_unmasked": "查看未脱敏通话",
    "call.swap_roles": "对调坐席/市民并重新质检",
    "order.view_unmasked": "查看未脱敏工单",
    "cli.unmask": "命令行输出未脱敏结果",
    "export.xlsx": "导出 Excel",
    "finding.review": "复核",
    "finding.appeal": "申诉",
    "appeal.decide": "申诉裁决",
    "drill.finish": "完成演练",
    "drill.assign": "发布考核演练",
    "order.save": "保存工单",
    "rulebook.save": "保存规则库版本",
    "content.save": "编辑场景或题目",
    "triage.settings": "修改复核分流设置",
    "finding.add": "补充漏判",
    "finding.remove_added": "撤销漏判",
    "calibration.create": "创建校准",
    "calibration.submit": "提交校准结果",
    "calls.reinspect": "重新质检已入库通话",
    "calls.prune_history": "清理历次质检的旧评分表",
}


# The client address of the request being served (set by the web app for each request).
client_ip: ContextVar[str] = ContextVar("client_ip", default="")


def record(db: Session, actor: User | None, action: str, target_type: str = "", target_id: object = "", **detail: Any) -> AuditEntry:
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        action=action,
        ip=client_ip.get()[:45],
        target_type=target_type,
        target_id=str(target_id)[:64],
        detail=detail,
    )
    db.add(entry)
    return entry


TARGET_LABELS = {"user": "用户", "username": "用户名", "team": "团队", "batch": "导入批次", "call": "通话", "calls": "质检结果", "scorecards": "评分表",
                 "finding": "质检发现", "appeal": "申诉", "drill": "演练", "assignment": "考核演练", "rulebook": "规则库",
                 "orders": "工单", "dashboard": "看板", "session": "会话", "audit": "审计日志", "scenario": "场景",
                 "question": "题目", "settings": "设置", "calibration": "校准", "agreement": "一致性"}
DETAIL_LABELS = {"count": "条数", "rows": "行数", "unmasked": "含未脱敏信息", "files": "文件", "username": "用户名",
                 "role": "角色", "name": "名称", "verdict": "结论", "rule_id": "规则", "total": "总分变化", "status": "结果",
                 "appeal_id": "申诉编号", "external_id": "通话编号", "findings": "发现数", "scenario": "场景", "seed": "种子",
                 "team": "团队", "rulebook": "规则库版本", "digest": "摘要", "changes": "修改项", "reason": "原因",
                 "calls_ok": "导入通话", "errors": "问题记录", "fields": "字段", "session_id": "会话编号", "kind": "类型",
                 "key": "编号", "filename": "文件名", "settings": "设置改动", "changed": "分流有变化的通话",
                 "title": "名称", "calls": "通话数", "members": "参加人", "decisions": "判定数", "operator": "操作人",
                 "command": "命令", "format": "格式", "output": "输出", "filters": "范围", "selected": "选中通话",
                 "rejudged": "已重新质检", "verdict_changed": "结论有变化", "unchanged": "结果相同未改动", "citizen_added": "补上市民感受",
                 "carried": "沿用的复核与申诉", "failed": "失败", "failed_calls": "失败的通话",
                 "detached": "对应发现已不存在的复核与申诉", "detached_calls": "涉及的通话与规则", "state": "状态",
                 "keep": "每通保留的历史评分表", "planned": "计划删除", "removed": "已删除"}
ROLE_VALUES = {"trainee": "学员", "inspector": "质检员", "trainer": "培训师", "admin": "管理员"}
DETAIL_VALUES: dict[str, dict[str, str]] = {
    "role": ROLE_VALUES,
    "verdict": {"confirmed": "确认", "overturned": "推翻"},
    "status": {"upheld": "申诉成立", "rejected": "申诉驳回", "pending": "待裁决"},
    "state": {"running": "进行中", "done": "已完成", "interrupted": "中断（服务重启或被停止）", "failed": "出错中止"},
    "changes": {"display_name": "姓名", "role": "角色", "team_id": "团队", "agent_code": "工号", "lead_id": "组长",
                "active": "启用状态"},
}
AUDIT_PAGE = 50


def _shown(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_shown(key, v) for v in value)
    if isinstance(value, str):
        return DETAIL_VALUES.get(key, {}).get(value, value)
    return str(value)


def describe(entry: AuditEntry) -> str:
    """The entry's details in Chinese: ``条数 53；含未脱敏信息 是``."""
    return "；".join(f"{DETAIL_LABELS.get(k, k)} {_shown(k, v)}" for k, v in (entry.detail or {}).items() if v not in ("", None))


def target_label(entry: AuditEntry) -> str:
    kind = TARGET_LABELS.get(entry.target_type, entry.target_type)
    return f"{kind} {entry.target_id}".strip()


def search(
    db: Session, *, user_id: int | None = None, action: str = "", since: datetime | None = None,
    until: datetime | None = None, page: int = 1, page_size: int | None = AUDIT_PAGE,
) -> tuple[list[AuditEntry], int]:
    """Entries matching the filters, newest first, one page of them, and how many match in all."""
    query = select(AuditEntry)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(AuditEntry.id.desc())
    if page_size is not None:
        query = query.limit(page_size).offset((max(page, 1) - 1) * page_size)
    return list(db.scalars(query)), total
