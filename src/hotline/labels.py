"""Chinese names of the engine's enum values, shared by the CLI, the reports and the web, so a
severity reads the same everywhere (质检员 see 严重, never ``major``)."""

from __future__ import annotations

SEVERITY_LABELS = {"info": "提示", "minor": "轻微", "major": "严重", "critical": "致命"}
SEVERITY_RANK = {"info": 0, "minor": 1, "major": 2, "critical": 3}
KIND_LABELS = {"forbid": "禁止", "require": "必须做到", "award": "加分", "python": "程序检查"}
ANCHOR_LABELS = {"first_agent": "坐席第一句", "last_agent": "坐席最后一句", "call": "整通电话"}
SPEAKER_LABELS = {"agent": "坐席", "citizen": "市民"}
REVIEW_LABELS = {"mandatory": "必须复核", "sample": "抽检", "auto_pass": "自动通过"}


def severity_label(value: object) -> str:
    key = getattr(value, "value", value)
    return SEVERITY_LABELS.get(str(key), str(key))
