"""From a recording (and optionally a transcript) to a ``Call`` with timed turns and metrics."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotline.audio import align
from hotline.audio import intervals as iv
from hotline.audio.errors import AudioError
from hotline.audio.intervals import Interval
from hotline.audio.metrics import Activity, level_metrics, swap_suspected, timing_metrics, turn_intervals
from hotline.audio.rate import rate_metrics, turn_cpm
from hotline.audio.recording import Recording, read_recording
from hotline.audio.settings import AudioSettings, load_settings
from hotline.audio.stt import Transcriber, make_transcriber
from hotline.audio.vad import analyse_channel, detect_pair, detect_speech
from hotline.model import Call, Speaker, Turn

if TYPE_CHECKING:
    import numpy as np

MONO_NEEDS_TRANSCRIPT = "单声道录音无法区分坐席与市民：请用 --transcript 提供转写文本（可不带时间），或使用坐席、市民分轨的双声道录音"
SWAP_FIT_MIN = 0.4  # share of transcript speech time that must land on the crossed channels
SWAP_FIT_FACTOR = 1.5


@dataclass(slots=True)
class Analysis:
    """Speech found in a recording: per side for stereo, one list (key None) for mono."""

    recording: Recording
    speech: dict[Speaker | None, list[Interval]]
    agent_channel: int
    _signals: dict[int, Any] = field(default_factory=dict)

    @property
    def stereo(self) -> bool:
        return self.recording.is_stereo

    def signal(self, speaker: Speaker) -> np.ndarray:
        """The samples of one side (the one channel of a mono recording), copied once."""
        index = (
            0
            if not self.stereo
            else self.agent_channel
            if speaker is Speaker.AGENT
            else 1 - self.agent_channel
        )
        if index not in self._signals:
            self._signals[index] = self.recording.channel(index)
        return self._signals[index]


def resolve_settings(settings: AudioSettings | str | Path | None) -> AudioSettings:
    return settings if isinstance(settings, AudioSettings) else load_settings(settings)


def analyze(rec: Recording, cfg: AudioSettings) -> Analysis:
    """Voice activity of each channel; the two channels of a stereo call run on two threads."""
    agent_channel = 0 if cfg.channels.agent == "left" else 1
    if not rec.is_stereo:
        return Analysis(rec, {None: detect_speech(rec.channel(0), rec.sample_rate, cfg.vad)}, 0)
    channels = (rec.channel(agent_channel), rec.channel(1 - agent_channel))
    voices = list(_pool().map(lambda x: analyse_channel(x, rec.sample_rate), channels))
    agent, citizen = detect_pair(voices[0], voices[1], cfg.vad)
    return Analysis(rec, {Speaker.AGENT: agent, Speaker.CITIZEN: citizen}, agent_channel)


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    # the VAD's native code releases the GIL, so the two channels really run side by side
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="hotline-vad")


# a forked worker process (batch inspection) does not inherit the threads: start a fresh pool there
os.register_at_fork(after_in_child=_pool.cache_clear)


def load_call(
    audio_path: str | Path,
    transcript: Call | None = None,
    *,
    settings: AudioSettings | str | Path | None = None,
    transcriber: Transcriber | None = None,
) -> Call:
    """A Call with timed turns and ``meta["metrics"]`` from a recording: the transcript fitted to it,
    else the speech-to-text backend's turns, else one empty-text turn per stretch of speech."""
    cfg = resolve_settings(settings)
    rec = read_recording(audio_path)
    info: dict[str, Any] = {"warnings": []}
    if rec.channels_identical():
        rec = rec.mono()
        info["warnings"].append("两个声道内容相同（单声道录音存成了双声道），已按单声道处理")
    an = analyze(rec, cfg)
    if transcript is not None and transcript.turns:
        turns, timed = _fit(transcript.turns, an, cfg, info)
    else:
        turns, timed = _turns_without_transcript(an, cfg, transcriber, info), None
    act = activity(an, turns, cfg)
    metrics = call_metrics(an, act, turns, cfg)
    reason = info.get("swap") or (
        swap_suspected(act, timed, cfg.channels.agent_speaks_first) if an.stereo else None
    )
    metrics["channel_swap_suspected"] = reason is not None
    if reason and cfg.channels.warn_swap:
        info["warnings"].append(f"坐席/市民声道疑似接反：{reason}（当前设置坐席为{_side(cfg)}声道）")
    call_id = transcript.id if transcript is not None else Path(audio_path).stem
    meta = dict(transcript.meta) if transcript is not None else {}
    info["turn_cpm"] = [None if (c := turn_cpm(t)) is None else round(c, 1) for t in turns]
    meta.update(audio_path=str(audio_path), metrics=metrics, audio=_audio_meta(an, act, cfg, info))
    return Call(call_id, turns, meta)


def _side(cfg: AudioSettings) -> str:
    return "左" if cfg.channels.agent == "left" else "右"


def _fit(turns: list[Turn], an: Analysis, cfg: AudioSettings, info: dict[str, Any]):
    """Shift a timed transcript onto the speech, or place an untimed one on it."""
    if all(t.start is not None and t.end is not None for t in turns):
        return _fit_timed(turns, an, cfg, info)
    if any(t.start is not None for t in turns):
        info["warnings"].append("转写文本只有部分轮次带时间，已全部按录音中的语音重新定位")
    placed, unplaced = align.place_turns(turns, an.speech, _stretches(an, cfg))
    info["alignment"] = align.Alignment("segments", unplaced=unplaced).to_dict()
    if unplaced:
        info["warnings"].append(
            f"录音中对应一方没有语音，{len(unplaced)} 轮无法定位时间：第 {_ordinals(unplaced)} 轮"
        )
    if disorder := align.out_of_order(placed):
        info["warnings"].append(f"转写文本的轮次顺序与录音不一致，请核对第 {_ordinals(disorder)} 轮的时间")
    return placed, None


def _stretches(an: Analysis, cfg: AudioSettings) -> dict[Speaker | None, list[Interval]]:
    gap = cfg.turns.merge_gap
    if not an.stereo:
        return {None: iv.merge_close(an.speech[None], gap)}
    agent, citizen = an.speech[Speaker.AGENT], an.speech[Speaker.CITIZEN]
    return {
        Speaker.AGENT: iv.merge_close(agent, gap, citizen),
        Speaker.CITIZEN: iv.merge_close(citizen, gap, agent),
    }


def _fit_timed(turns: list[Turn], an: Analysis, cfg: AudioSettings, info: dict[str, Any]):
    duration, max_offset = an.recording.duration, cfg.alignment.max_offset
    offset, best, at_zero = align.estimate_offset(_turns_on_speech(turns, an), duration, max_offset)
    if an.stereo:
        # the same search with the sides crossed: a much better fit means the channels are swapped
        _, crossed, _ = align.estimate_offset(_turns_on_speech(turns, an, crossed=True), duration, max_offset)
        if crossed > SWAP_FIT_MIN and crossed > SWAP_FIT_FACTOR * best:
            info["swap"] = "转写文本中坐席说话的时间与市民声道的语音重合"
    if offset and best - at_zero >= cfg.alignment.min_gain:
        info["alignment"] = align.Alignment("offset", round(offset, 3), round(best, 3)).to_dict()
        shifted = align.shift_turns(turns, offset)
        return shifted, shifted
    info["alignment"] = align.Alignment("times", 0.0, round(at_zero, 3)).to_dict()
    kept = [Turn(t.speaker, t.text, t.start, t.end) for t in turns]  # the caller's transcript stays as it was
    return kept, kept


def _turns_on_speech(
    turns: list[Turn], an: Analysis, crossed: bool = False
) -> list[tuple[list[Interval], list[Interval]]]:
    """(turn intervals, speech intervals) per channel, to estimate a transcript's time offset."""
    if an.stereo:
        sides = (Speaker.AGENT, Speaker.CITIZEN)
        channels = sides[::-1] if crossed else sides
        return [(turn_intervals(turns, s), an.speech[c]) for s, c in zip(sides, channels, strict=True)]
    both = iv.union(turn_intervals(turns, Speaker.AGENT), turn_intervals(turns, Speaker.CITIZEN))
    return [(both, an.speech[None])]


def _ordinals(indexes: list[int]) -> str:
    return "、".join(str(i + 1) for i in indexes[:10]) + ("……" if len(indexes) > 10 else "")


def _turns_without_transcript(
    an: Analysis, cfg: AudioSettings, transcriber: Transcriber | None, info: dict[str, Any]
) -> list[Turn]:
    if not an.stereo:
        raise AudioError(MONO_NEEDS_TRANSCRIPT, source=an.recording.path)
    turns = align.placeholder_turns(_stretches(an, cfg))
    own = transcriber is None
    backend = make_transcriber(cfg.stt) if own else transcriber
    info["turn_source"] = backend.name if backend else "vad"
    if backend is None:
        return turns
    try:
        rate = an.recording.sample_rate
        for t in turns:
            span = (t.start or 0.0, t.end or 0.0)  # placeholder turns always carry times
            pieces = clips(span, an.speech[t.speaker], cfg.stt.max_clip)
            x = an.signal(t.speaker)
            texts = [backend.transcribe(x[int(s * rate) : int(e * rate)], rate) for s, e in pieces]
            t.text = "".join(texts)
    finally:
        if own:
            backend.close()
    return turns


def clips(span: Interval, speech: list[Interval], max_clip: float) -> list[Interval]:
    """Cut a turn into pieces of at most ``max_clip`` seconds for speech-to-text, at pauses when it can."""
    pieces: list[Interval] = []
    for s, e in iv.intersect([span], speech) or [span]:
        if pieces and e - pieces[-1][0] <= max_clip:
            pieces[-1] = (pieces[-1][0], e)
            continue
        while e - s > max_clip:
            pieces.append((s, s + max_clip))
            s += max_clip
        pieces.append((s, e))
    return pieces


def activity(an: Analysis, turns: list[Turn], cfg: AudioSettings) -> Activity:
    """Speech of each side: the channels of a stereo recording, or mono speech within each side's turns."""
    if an.stereo:
        agent, citizen = an.speech[Speaker.AGENT], an.speech[Speaker.CITIZEN]
    else:
        mono = an.speech[None]
        agent = iv.intersect(mono, turn_intervals(turns, Speaker.AGENT))
        citizen = iv.intersect(mono, turn_intervals(turns, Speaker.CITIZEN))
    return Activity(agent, citizen, an.recording.duration, cfg.turns.merge_gap)


def call_metrics(an: Analysis, act: Activity, turns: list[Turn], cfg: AudioSettings) -> dict[str, Any]:
    rate, clip = an.recording.sample_rate, cfg.metrics.clipping_level
    out: dict[str, Any] = {}
    for speaker, speech in ((Speaker.AGENT, act.agent), (Speaker.CITIZEN, act.citizen)):
        levels = level_metrics(an.signal(speaker), rate, speech, clip)
        out.update({f"{speaker.value}_{k}": v for k, v in levels.items()})
    out.update(timing_metrics(act, cfg))
    out.update(rate_metrics(Call("", turns)))
    return out


def _spans(items: list[Interval]) -> list[list[float]]:
    return [[round(s, 3), round(e, 3)] for s, e in items]


def _audio_meta(an: Analysis, act: Activity, cfg: AudioSettings, info: dict[str, Any]) -> dict[str, Any]:
    from hotline.audio.metrics import dead_air

    rec = an.recording
    long_silences = [g for g in dead_air(act) if g[1] - g[0] > cfg.metrics.dead_air]
    return {
        "sample_rate": rec.sample_rate,
        "channels": rec.samples.shape[1],
        "duration": round(rec.duration, 3),
        "agent_channel": cfg.channels.agent if an.stereo else None,
        "speech": {"agent": _spans(act.agent), "citizen": _spans(act.citizen)},
        "dead_air": _spans(long_silences),
        "turn_source": info.get("turn_source", "transcript"),
        "alignment": info.get("alignment"),
        "turn_cpm": info["turn_cpm"],
        "warnings": info["warnings"],
    }
