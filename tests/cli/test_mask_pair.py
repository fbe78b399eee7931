"""``mask_pair`` as outputs use it: what needs masking is a copy, what does not is shared — a turn, a
finding, and the whole scorecard — and the copies keep every other field of what they copy."""

from __future__ import annotations

import dataclasses

from hotline.inspect import default_engine
from hotline.masking import mask_pair, mask_text
from hotline.model import Call, Finding, Severity, Speaker, Turn
from hotline.redact import with_text, with_texts

ENGINE = default_engine()
PHONE = "13812345678"


def _call(citizen: str) -> Call:
    return Call("m-1", [Turn(Speaker.AGENT, "您好，12345热线，请问有什么可以帮您？", 0.0, 2.0),
                        Turn(Speaker.CITIZEN, citizen, 2.5, 6.0),
                        Turn(Speaker.AGENT, "好的，我帮您登记，三个工作日内回复您。", 6.5, 9.0)],
                {"agent_id": "1024", "caller": PHONE})


def test_a_turn_copied_with_masked_text_keeps_every_other_field() -> None:
    # a distinct value in each field, whatever fields there are, of its declared type (compiled, a Turn checks;
    # the annotation is its text, or compiled the type itself)
    def sample(kind: object, i: int) -> object:
        if kind in (Speaker, "Speaker"):
            return Speaker.CITIZEN
        return f"v{i}" if kind in (str, "str") else i + 0.5  # the times: float | None

    values = {f.name: sample(f.type, i) for i, f in enumerate(dataclasses.fields(Turn))}
    turn = Turn(**values)
    assert dataclasses.asdict(with_text(turn, "新")) == dataclasses.asdict(dataclasses.replace(turn, text="新"))


def test_a_finding_copied_with_masked_texts_keeps_every_other_field() -> None:
    finding = Finding("a.b.v1", "甲", Severity.CRITICAL, 3, (1, 4), "证据", "说明", "建议", 2.5, True, "言语行为", 0.9, 0.7)
    names = {f.name for f in dataclasses.fields(Finding)}
    assert {name for name in names if getattr(finding, name) == getattr(Finding("", "", Severity.MAJOR, None, None,
                                                                                "", ""), name)} == set()
    copied = with_texts(finding, "新证据", "新说明", "新建议")
    assert dataclasses.asdict(copied) == dataclasses.asdict(
        dataclasses.replace(finding, evidence="新证据", message="新说明", suggestion="新建议"))


def test_nothing_to_mask_in_the_scorecard_shares_it_and_its_unmasked_turns() -> None:
    call = _call("我家楼下的路灯坏了好几天了。")
    card = ENGINE.inspect(call)
    masked_call, masked_card = mask_pair(call, card)
    assert masked_card is card
    assert all(a is b for a, b in zip(masked_call.turns, call.turns, strict=True))
    assert masked_call.meta == {"agent_id": "1024", "caller": mask_text(PHONE)} and call.meta["caller"] == PHONE


def test_a_masked_turn_is_a_copy_and_quotes_of_it_are_masked() -> None:
    call = _call(f"我的电话是{PHONE}，楼下烧烤太吵了。")
    card = ENGINE.inspect(call)
    assert card.findings
    quoting = dataclasses.replace(card.findings[0], turn_index=1, span=(5, 16), evidence=PHONE)
    card = dataclasses.replace(card, findings=[quoting, *card.findings[1:]])
    masked_call, masked_card = mask_pair(call, card)
    assert masked_call.turns[1] is not call.turns[1] and masked_call.turns[1].text == mask_text(call.turns[1].text)
    assert masked_call.turns[1].start == 2.5 and masked_call.turns[1].speaker is Speaker.CITIZEN
    assert masked_card is not card and masked_card.findings[0].evidence == mask_text(PHONE) != PHONE
    assert card.findings[0].evidence == PHONE and call.turns[1].text.startswith(f"我的电话是{PHONE}")  # originals kept
    # a quote of the same turn that holds nothing to mask is the finding itself, shared
    unmasked = dataclasses.replace(quoting, span=(16, 17), evidence=call.turns[1].text[16:17])
    _, again = mask_pair(call, dataclasses.replace(card, findings=[unmasked]))
    assert again.findings[0] is unmasked

