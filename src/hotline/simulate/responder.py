"""Turning a citizen step into words: the offline responder picks authored lines for the state."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from hotline.simulate.citizen import CitizenState, Step, grade_for, merged_triggers
from hotline.simulate.schema import PersonaDefaults, Scenario, usable_lines

MAX_REACTIONS = 2
# How often an upset caller adds a complaint after answering a question (furious: always).
MOOD_ADDS = {"angry": 0.5, "furious": 1.0}


@dataclass(slots=True)
class ReplyContext:
    scenario: Scenario
    defaults: PersonaDefaults
    state: CitizenState
    step: Step
    trainee_text: str
    seed: int


class Responder(Protocol):
    def reply(self, ctx: ReplyContext) -> str: ...


class LinePicker:
    """Seeded choice that avoids lines already said in this call, so runs vary but replay exactly."""

    def __init__(self, ctx: ReplyContext):
        self.ctx = ctx
        self.n = 0

    def pool(self, name: str) -> list[str]:
        own = getattr(self.ctx.scenario.lines, name)
        return own or getattr(self.ctx.defaults.lines, name)

    def pick(self, lines: list[str], spare: list[str] | None = None) -> str:
        """A line not said yet (from ``lines``, then ``spare``); when all were said, the one said longest ago."""
        self.n += 1
        rng = random.Random(f"{self.ctx.seed}:{self.ctx.state.turns}:{self.n}")
        used = self.ctx.state.used_lines
        fresh = [x for x in lines if x not in used] or [x for x in spare or [] if x not in used]
        if not fresh:
            pool = list(dict.fromkeys(lines + (spare or [])))
            last = {x: max(i for i, u in enumerate(used) if u == x) for x in pool}
            oldest = min(last.values())
            fresh = [x for x in pool if last[x] == oldest]
        line = rng.choice(fresh)
        used.append(line)
        return line

    def chance(self, p: float) -> bool:
        self.n += 1
        return random.Random(f"{self.ctx.seed}:{self.ctx.state.turns}:{self.n}").random() < p

    def pick_pool(self, name: str) -> str:
        return self.pick(self.pool(name), getattr(self.ctx.defaults.lines, name))


class OfflineResponder:
    """The default responder: authored lines only, no network, deterministic for a seed."""

    def reply(self, ctx: ReplyContext) -> str:
        if ctx.scenario.kind == "silent":
            return ""
        picker = LinePicker(ctx)
        step = ctx.step
        if step.silence and not step.end:
            return picker.pick_pool("silence")
        parts = reaction_lines(ctx, picker)
        if step.end in ("hangup", "supervisor"):
            if not step.trigger_end:  # patience ran out: the reaction, then the caller hangs up
                parts.append(picker.pick_pool("supervisor" if step.end == "supervisor" else "hangup"))
            return " ".join(parts)
        if step.opening:
            parts.append(picker.pick_pool("opening"))
        parts += fact_lines(ctx, picker)
        if step.end in ("resolved", "unsatisfied"):  # a closing is answered with a closing, nothing else
            parts.append(picker.pick_pool("closing_ok" if step.end == "resolved" else "closing_bad"))
            return " ".join(dict.fromkeys(parts))
        if not parts:
            parts.append(filler(ctx, picker))
        elif not step.reactions and picker.chance(MOOD_ADDS.get(mood_pool(ctx.state, ctx.defaults), 0.0)):
            parts.append(picker.pick_pool(mood_pool(ctx.state, ctx.defaults)))
        if step.supervisor:
            parts.append(picker.pick_pool("supervisor"))
        return " ".join(dict.fromkeys(parts))


def reaction_lines(ctx: ReplyContext, picker: LinePicker) -> list[str]:
    """The citizen's reactions to what the trainee did; a line that repeats the trainee's words is used only
    when the trainee said them."""
    triggers = {t.id: t for t in merged_triggers(ctx.scenario, ctx.defaults)}
    out = []
    for trig_id, _ in ctx.step.reactions[:MAX_REACTIONS]:
        trig = triggers[trig_id]
        lines = usable_lines(grade_for(trig, ctx.state.trigger_counts[trig_id]).lines, ctx.trainee_text)
        if lines:
            out.append(picker.pick(lines))
    return out


def fact_lines(ctx: ReplyContext, picker: LinePicker) -> list[str]:
    step, slots = ctx.step, ctx.scenario.slots
    out = [picker.pick(slots[k].lines) for k in step.revealed]
    for key in step.repeated:
        out.append(picker.pick_pool("repeat").replace("{value}", slots[key].value))
    for key in step.guarded:
        out.append(picker.pick(slots[key].guarded or picker.pool("vague")))
    if step.restated and not out:
        out.append(picker.pick_pool("confirm"))
    if step.anything_else and not any(slots[k].hidden for k in step.revealed) and not step.guarded:
        out.append(picker.pick_pool("nothing_else"))
    return out


def filler(ctx: ReplyContext, picker: LinePicker) -> str:
    """A line for a turn that gave the citizen nothing to answer: by how they feel now."""
    if ctx.step.vague and ctx.state.anger < ctx.defaults.thresholds.angry:
        return picker.pick_pool("vague")
    return picker.pick_pool(mood_pool(ctx.state, ctx.defaults))


def mood_pool(state: CitizenState, defaults: PersonaDefaults) -> str:
    th = defaults.thresholds
    if state.anger >= th.furious:
        return "furious"
    if state.anger >= th.angry:
        return "angry"
    if state.anxiety >= th.anxious:
        return "anxious"
    return "calm"
