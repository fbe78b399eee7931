"""Session 36 (second round on the call context): the act floors kept as float32, against the float64 floors."""

from __future__ import annotations

import numpy as np

from hotline.inspect import default_engine
from hotline.inspect.context import CallContext, _above_floors, _floors, float32_floors
from hotline.model import Call, Speaker, Turn


def _edge_floors() -> np.ndarray:
    """Floors exactly float32, just above and just below a float32 (float64 steps), between two float32s, and the
    ends: 0, 1, tiny, negative, past the largest float32, +inf, -inf."""
    base = [0.0, 0.5, 0.3, 0.35, 0.6, 0.999, 1.0, 1e-40, 1e-45, -0.25, 0.1]
    out: list[float] = []
    for f in base:
        f32 = float(np.float32(f))
        up32 = float(np.nextafter(np.float32(f32), np.float32(np.inf)))
        out += [f, f32, up32, np.nextafter(f32, np.inf), np.nextafter(f32, -np.inf), (f32 + up32) / 2]
    out += [3.5e38, 1e300, np.inf, -np.inf, -1e300]
    return np.array(out, dtype=np.float64)


@np.errstate(over="ignore")
def _edge_probs(floors: np.ndarray) -> np.ndarray:
    """float32 values around every floor: the float32 nearest it and a few steps either side."""
    values: list[np.float32] = []
    for f in floors:
        p = np.float32(f)
        for _ in range(3):
            p = np.nextafter(p, np.float32(-np.inf))
        for _ in range(7):
            values.append(p)
            p = np.nextafter(p, np.float32(np.inf))
    values += [np.float32(0.0), np.float32(1.0), np.float32(np.inf), np.float32(-np.inf)]
    return np.array(values, dtype=np.float32)


@np.errstate(over="ignore")
def test_float32_floors_are_the_smallest_float32_at_or_above() -> None:
    floors = _edge_floors()
    narrow = float32_floors(floors)
    assert narrow.dtype == np.float32
    for f, n in zip(floors.tolist(), narrow.tolist(), strict=True):
        assert n >= f
        if n == -np.inf:
            continue
        below = float(np.nextafter(np.float32(n), np.float32(-np.inf)))
        assert below < f  # the next float32 down is under the floor: n is the smallest
    assert float32_floors(np.array([np.nan]))[0] != float32_floors(np.array([np.nan]))[0]  # NaN stays NaN


def test_float32_probabilities_reach_the_float32_floors_as_the_float64_ones() -> None:
    """Every float32 near each edge floor is at or above it (float64) exactly when at or above its float32 floor;
    ``_above_floors`` gives the same rows, columns and probabilities (fails with the floors only rounded)."""
    floors = _edge_floors()
    probs = _edge_probs(floors)
    wide = probs.astype(np.float64)[:, None] >= floors[None, :]
    narrow = probs[:, None] >= float32_floors(floors)[None, :]
    assert (wide == narrow).all()
    rng = np.random.default_rng(36)
    block = rng.choice(probs, size=(50, len(floors))).astype(np.float32)
    assert _above_floors(block, float32_floors(floors)) == _above_floors(block, floors)
    empty = np.zeros((0, 0), dtype=np.float32)
    assert _above_floors(empty, float32_floors(np.zeros(0))) == ([], [], [])


def test_the_plan_floors_are_float32_and_find_what_float64_found() -> None:
    """The floors ``_floors`` keeps (float32) against the rulebook's floors as float64, on a call's clause block."""
    engine = default_engine()
    texts = ["您好，这里是12345热线", "我家楼下😀施工太吵了\n晚上都不停", "这个不归我们管，您自己去找物业",
             "", "123", "这个不归我们管，您自己去找物业"]
    turns = [Turn(speaker=Speaker.AGENT if i % 2 == 0 else Speaker.CITIZEN, text=t) for i, t in enumerate(texts)]
    ctx = CallContext(Call(id="f", turns=turns), engine.compiled)
    for speaker in ("agent", "citizen"):
        floors = _floors(ctx, speaker)
        assert floors.dtype == np.float32
        floor = engine.compiled.act_floor
        acts = ctx.act_model().for_speaker(speaker).acts
        wide = np.array([floor.get(a, np.inf) for a in acts], dtype=np.float64)
        assert (float32_floors(wide) == floors).all()
        probs = ctx.clause_probs(speaker)
        assert probs.dtype == np.float32
        if len(probs):
            assert _above_floors(probs, floors) == _above_floors(probs, wide)
