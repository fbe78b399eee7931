"""Which calls people should review (复核分流): every call gets ``mandatory`` (必须复核), ``sample``
(抽检) or ``auto_pass`` (自动通过) with its reasons — vendors' answer to reviewing a few percent of
calls: send people the risky and the uncertain ones, and a fixed random sample of the rest."""

from __future__ import annotations

import hashlib

from hotline.citizen.settings import ReviewSettings
from hotline.model import CitizenBlock, Review, Scorecard, Severity


def triage(card: Scorecard, block: CitizenBlock | None, s: ReviewSettings, pass_mark: float | None = None) -> Review:
    mandatory: list[str] = []
    sample: list[str] = []
    if card.vetoed:
        mandatory.append("一票否决")
    elif any(f.severity is Severity.CRITICAL for f in card.findings):
        mandatory.append("严重问题")
    if s.sample_below_pass_mark and not card.vetoed and pass_mark is not None and card.total is not None and card.total < pass_mark:
        sample.append(f"低于合格线（{card.total:g} 分）")
    if block is not None:
        if block.escalation_risk >= s.mandatory_escalation:
            kinds = "、".join(dict.fromkeys(k for k, _, _ in block.escalation)) or "升级"
            mandatory.append(f"升级风险（{kinds}）{block.escalation_risk:.2f}")
        if block.dissatisfaction is not None:
            if block.dissatisfaction >= s.mandatory_dissatisfaction:
                mandatory.append(f"预测不满意 {block.dissatisfaction:.2f}")
            elif block.dissatisfaction >= s.sample_dissatisfaction:
                sample.append(f"预测不满意 {block.dissatisfaction:.2f}")
    unsure = [f for f in card.findings if f.confidence is not None and f.threshold is not None
              and f.confidence - f.threshold < s.uncertain_margin]
    if unsure:
        rules = "、".join(dict.fromkeys(f.rule_id for f in unsure))
        (mandatory if any(f.severity is Severity.CRITICAL or f.veto for f in unsure) else sample).append(
            f"把握不足的发现：{rules}")
    if mandatory:
        return Review("mandatory", mandatory + sample)
    if sample:
        return Review("sample", sample)
    if _drawn(card.call_id, s.sample_rate):
        return Review("sample", [f"随机抽检（{s.sample_rate:.0%}）"])
    return Review("auto_pass", [])


def _drawn(call_id: str, rate: float) -> bool:
    """A fixed draw per call id: re-inspecting the same call gives the same answer."""
    h = int.from_bytes(hashlib.sha256(call_id.encode()).digest()[:8], "big")
    return h / 2**64 < rate
