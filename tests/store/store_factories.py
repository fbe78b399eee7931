"""Object factories for store tests: calls and scorecards built from the core model types."""

from __future__ import annotations

from hotline.model import Call, Finding, RuleOutcome, Scorecard, Severity, Speaker, Turn


def make_call(call_id: str, agent: str = "1001", date: str = "2026-11-01") -> Call:
    turns = [
        Turn(Speaker.AGENT, "您好，12345热线，请问有什么可以帮您？"),
        Turn(Speaker.CITIZEN, "我家楼下噪音很大，电话13812345678。"),
        # a flat refusal (不清楚), not a 推诿: the re-inspection tests need a finding that does not veto the call
        Turn(Speaker.AGENT, "这个我也不清楚。"),
    ]
    return Call(call_id, turns, {"agent_id": agent, "date": date})


def make_card(call: Call, total: float = 80.0, rules: tuple[str, ...] = ("forbidden.phrase.v1",)) -> Scorecard:
    findings = [
        Finding(rid, "服务禁语", Severity.MAJOR, 2, (0, 5), "这个我也不清", f"命中 {rid}", "可以说……", 5.0)
        for rid in rules
    ]
    outcomes = [RuleOutcome(rid, "服务禁语", "failed", 5.0) for rid in rules]
    return Scorecard(call.id, total, {"服务禁语": total}, findings, "test-1", {"服务禁语": 100.0}, outcomes)


def fake_inspector(call: Call) -> Scorecard:
    """Scores a call from its meta (``score``), so import tests do not depend on the rulebook."""
    return make_card(call, float(call.meta.get("score", 80)))
