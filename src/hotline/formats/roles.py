"""Who is the agent when the labels do not say (说话人1/2, spk0/1, A/B, channel 0/1, a name).

Each party is scored on what it says, with cues from ``data/formats/roles.yaml`` (a greeting with
12345 and a 工号, asking for a name or an address, 为您, 转交 … for the agent; 我想反映, 我家 … for
the citizen); the higher score is the agent. The result carries a confidence, and a warning when it
is low, so a person checks the call; a wrong guess is undone per call with ``swap_roles``."""

# No ``from __future__ import annotations``: pydantic reads these annotations as objects, not text to compile.
import functools
import math
import re
from typing import Any, cast

from pydantic import Field, field_validator

from hotline.content import Strict, compiled_regexes, data_path, load_yaml_model
from hotline.errors import FormatError
from hotline.formats.records import META_KEY, RawTurn
from hotline.formats.speakers import known_labels_hint, label_key, speaker_of
from hotline.model import Call, Speaker, Turn

__all__ = ["META_KEY", "Cue", "RawTurn", "RoleCues", "RoleSettings", "agent_score", "assign_roles", "role_cues", "role_warning",
           "swap_roles"]


class Cue(Strict):
    pattern: str
    weight: float = Field(gt=0)
    note: str = ""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        return compiled_regexes([v])[0]


class RoleSettings(Strict):
    first_speaker: float = Field(1.0, ge=0)
    known_label: float = Field(2.0, ge=0, description="bonus for the side a known label (坐席/市民) fixes")
    max_per_cue: int = Field(2, ge=1)
    scale: float = Field(0.6, gt=0)
    warn_below: float = Field(0.8, gt=0.5, lt=1)
    min_score: float = Field(2.0, gt=0)


class RoleCues(Strict):
    settings: RoleSettings = Field(default_factory=lambda: RoleSettings.model_validate({}))
    agent: list[Cue] = Field(min_length=1)
    citizen: list[Cue] = Field(min_length=1)


@functools.cache
def role_cues() -> RoleCues:
    return load_yaml_model(data_path("formats", "roles.yaml"), RoleCues)


@functools.cache
def _compiled() -> list[tuple[re.Pattern[str], float, str]]:
    cues = role_cues()
    # one search per cue over a party's turns joined by newlines; ^ and $ anchor at each turn
    return [(re.compile(c.pattern, re.M), c.weight, c.note) for c in cues.agent] + \
           [(re.compile(c.pattern, re.M), -c.weight, c.note) for c in cues.citizen]


def agent_score(texts: list[str]) -> tuple[float, list[tuple[str, float]]]:
    """How much ``texts`` (one party's turns) sound like the agent, and the cues that fired (note, weight)."""
    cap = role_cues().settings.max_per_cue
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    score, fired = 0.0, []
    for pattern, weight, note in _compiled():
        n = min(cap, len(pattern.findall(joined)))
        if n:
            score += n * weight
            fired.append((note, weight))
    return score, fired


def assign_roles(raw: list[RawTurn], source: str, call_id: str) -> tuple[list[Speaker], dict[str, Any] | None]:
    """The speaker of every turn, and (when the labels did not say) how it was decided."""
    labelled = [speaker_of(t.label) for t in raw]
    if None not in labelled:
        return cast(list[Speaker], labelled), None
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(raw):
        groups.setdefault(label_key(t.label), []).append(i)
    known = {key: labelled[idx[0]] for key, idx in groups.items() if labelled[idx[0]] is not None}
    unknown = [key for key in groups if key not in known]
    if len(set(known.values())) == 2:
        first = raw[groups[unknown[0]][0]]
        raise FormatError(f"不认识的说话人「{first.label}」（这通电话已有坐席和市民的标签；可用：{known_labels_hint()}…，"
                          "别名表见 data/formats/speakers.yaml）", source=source, location=first.where)
    agents, confidence, evidence = _decide(raw, groups, known, unknown, source)
    speakers = [Speaker.AGENT if label_key(t.label) in agents else Speaker.CITIZEN for t in raw]
    return speakers, _info(raw, groups, agents, confidence, evidence, call_id)


def _decide(raw: list[RawTurn], groups: dict[str, list[int]], known: dict[str, Speaker | None],
            unknown: list[str], source: str) -> tuple[set[str], float, list[str]]:
    cfg = role_cues().settings
    scores: dict[str, float] = {}
    evidence: dict[str, list[tuple[str, float]]] = {}
    for key, idx in groups.items():
        scores[key], evidence[key] = agent_score([raw[i].text for i in idx])
    scores[label_key(raw[0].label)] += cfg.first_speaker
    for key, role in known.items():
        scores[key] += cfg.known_label if role is Speaker.AGENT else -cfg.known_label
    if known and len(unknown) == 1:  # one side is labelled: the other label is the other party
        role = next(iter(known.values()))
        agent_keys = set(known) if role is Speaker.AGENT else set(unknown)
    elif len(groups) == 1:
        key = unknown[0]
        if abs(scores[key]) < cfg.min_score:
            first = raw[groups[key][0]]
            raise FormatError(f"不认识的说话人「{first.label}」，从内容也无法判断是坐席还是市民（可用：{known_labels_hint()}…，"
                              "别名表见 data/formats/speakers.yaml）", source=source, location=first.where)
        agent_keys = {key} if scores[key] > 0 else set()
        fired = [note for note, w in evidence[key] if (w > 0) == bool(agent_keys)]
        return agent_keys, _confidence(abs(scores[key]) - cfg.min_score / 2), fired
    else:
        ranked = sorted(unknown, key=lambda k: -scores[k])
        agent_keys = {k for k, r in known.items() if r is Speaker.AGENT} or {ranked[0]}
    agent_side = max(scores[k] for k in agent_keys)
    citizen_side = max((scores[k] for k in groups if k not in agent_keys), default=-cfg.min_score)
    fired = [f"坐席方{note}" for k in agent_keys for note, w in evidence[k] if w > 0]
    fired += [f"市民方{note}" for k in groups if k not in agent_keys for note, w in evidence[k] if w < 0]
    return agent_keys, _confidence(agent_side - citizen_side), fired


def _confidence(margin: float) -> float:
    return round(1.0 / (1.0 + math.exp(-role_cues().settings.scale * margin)), 2)


def _info(raw: list[RawTurn], groups: dict[str, list[int]], agents: set[str], confidence: float,
          evidence: list[str], call_id: str) -> dict[str, Any]:
    label = {key: raw[idx[0]].label for key, idx in groups.items()}
    info: dict[str, Any] = {
        "method": "content",
        "agent": [label[k] for k in groups if k in agents],
        "citizen": [label[k] for k in groups if k not in agents],
        "confidence": confidence,
        "evidence": evidence[:6],
    }
    if confidence < role_cues().settings.warn_below or len(groups) > 2:
        who = "、".join(f"「{x}」" for x in info["agent"]) or "（无）"
        extra = f"；共有 {len(groups)} 个说话人，除坐席外都按市民处理" if len(groups) > 2 else ""
        info["warning"] = (f"说话人角色按内容推断，坐席为{who}，置信度 {confidence:.2f}{extra}，请人工核对；"
                           f"如果判反了，可对调这通电话的角色（命令行 --swap-roles {call_id}，网页上“对调坐席/市民”）")
    return info


def role_warning(call: Call) -> str:
    """The low-confidence warning on a call whose roles were inferred, or ''."""
    info = call.meta.get(META_KEY)
    return str(info.get("warning", "")) if isinstance(info, dict) else ""


def swap_roles(call: Call) -> Call:
    """The call with 坐席 and 市民 exchanged on every turn (a person decided the roles were reversed)."""
    flip = {Speaker.AGENT: Speaker.CITIZEN, Speaker.CITIZEN: Speaker.AGENT}
    turns = [Turn(flip[t.speaker], t.text, t.start, t.end) for t in call.turns]
    meta = dict(call.meta)
    before = meta.get(META_KEY)
    kept = {k: v for k, v in before.items() if k != "warning"} if isinstance(before, dict) else {}
    meta[META_KEY] = {"method": "swapped", "before": kept}
    return Call(call.id, turns, meta)
