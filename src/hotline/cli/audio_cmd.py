"""``hotline audio``: analyse recordings (voice activity, timing and level metrics, speech-to-text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from hotline.errors import HotlineError

METRIC_LABELS: list[tuple[str, str, str]] = [
    ("duration", "通话时长", "秒"),
    ("answer_delay", "坐席首次开口", "秒"),
    ("agent_speech_seconds", "坐席说话时长", "秒"),
    ("citizen_speech_seconds", "市民说话时长", "秒"),
    ("talk_ratio", "坐席说话占比", ""),
    ("max_dead_air", "最长冷场", "秒"),
    ("dead_air_count", "冷场次数", "次"),
    ("max_reply_gap", "最长应答间隔", "秒"),
    ("mean_reply_gap", "平均应答间隔", "秒"),
    ("agent_overlap_seconds", "坐席抢话时长", "秒"),
    ("agent_interruptions", "坐席抢话次数", "次"),
    ("agent_loudness_dbfs", "坐席音量", "dBFS"),
    ("agent_clipping_ratio", "坐席削波比例", ""),
    ("citizen_loudness_dbfs", "市民音量", "dBFS"),
    ("agent_cpm", "坐席语速", "字/分钟"),
    ("citizen_cpm", "市民语速", "字/分钟"),
    ("agent_cpm_ratio", "坐席语速/市民语速", ""),
    ("silent_call", "无声电话", ""),
    ("channel_swap_suspected", "声道疑似接反", ""),
]


def _value(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return f"{value} {unit}".strip()


def summary_lines(call: Any) -> list[str]:
    """Chinese summary of one analysed call."""
    metrics, audio = call.meta["metrics"], call.meta["audio"]
    head = f"【{call.id}】{call.meta['audio_path']}（{audio['channels']} 声道，{audio['sample_rate']} Hz）"
    lines = [head]
    lines += [f"  {label}：{_value(metrics.get(key), unit)}" for key, label, unit in METRIC_LABELS]
    lines += [f"  冷场：{s:.1f}–{e:.1f} 秒" for s, e in audio["dead_air"]]
    lines += [f"  提示：{w}" for w in audio["warnings"]]
    lines.append(f"  轮次：{len(call.turns)}（来源：{_source(audio['turn_source'])}）")
    return lines


def _source(name: str) -> str:
    return {
        "vad": "语音活动检测（无文字）",
        "transcript": "转写文本",
        "http": "语音转写服务",
        "sherpa-onnx": "sherpa-onnx 离线转写",
    }.get(name, name)


@click.group("audio")
def audio() -> None:
    """录音：语音活动检测、时间指标与语音转写。"""


@audio.command("analyze")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--transcript",
    "-t",
    type=click.Path(exists=True, path_type=Path),
    help="转写文本文件；分析文件夹时可给文件夹，按同名文件匹配",
)
@click.option(
    "--settings",
    "-s",
    "settings_path",
    type=click.Path(exists=True, path_type=Path),
    help="录音设置文件（YAML，未写的项沿用默认值）",
)
@click.option("--agent-channel", type=click.Choice(["left", "right"]), help="坐席所在声道（默认左声道）")
@click.option("--stt", type=click.Choice(["none", "http", "sherpa-onnx"]), help="语音转写后端")
@click.option("--stt-url", help="OpenAI 兼容语音转写服务地址")
@click.option("--stt-model-dir", type=click.Path(path_type=Path), help="sherpa-onnx 模型目录")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="把结果（含轮次与指标）写成 JSONL 文件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出到屏幕")
def analyze_cmd(
    paths: tuple[Path, ...],
    transcript: Path | None,
    settings_path: Path | None,
    agent_channel: str | None,
    stt: str | None,
    stt_url: str | None,
    stt_model_dir: Path | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """分析录音（单个文件或文件夹）：说话时段、冷场、应答间隔、抢话、音量、语速、无声电话。"""
    from hotline.audio import load_calls, load_settings
    from hotline.audio.stt import make_transcriber

    if transcript is not None and transcript.is_file() and (len(paths) > 1 or paths[0].is_dir()):
        raise click.UsageError("分析多个录音时，--transcript 应为存放同名转写文件的文件夹")
    cfg = load_settings(settings_path, **_overrides(agent_channel, stt, stt_url, stt_model_dir))
    transcriber = make_transcriber(cfg.stt)  # once: a model loads once for the whole run
    calls: list[Any] = []
    errors: list[HotlineError] = []
    try:
        for path in paths:
            for call in load_calls(
                path, transcript, settings=cfg, transcriber=transcriber, on_error=_report(errors)
            ):
                calls.append(call)
                click.echo(
                    json.dumps(call.to_dict(), ensure_ascii=False)
                    if as_json
                    else "\n".join(summary_lines(call))
                )
    finally:
        if transcriber is not None:
            transcriber.close()
    failed = len(errors)
    files = len(calls) + failed
    if output:
        output.write_text("".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in calls), "utf-8")
        click.echo(f"已写入 {output}（{len(calls)} 通）", err=True)
    if files > 1:
        click.echo(f"共 {files} 个录音：成功 {len(calls)} 个，失败 {failed} 个。", err=True)
    if failed:
        from hotline.audio import AudioError

        raise AudioError(f"{failed} 个录音未能分析，见上方错误信息")


def _report(errors: list[HotlineError]):
    def handle(exc: HotlineError) -> None:
        errors.append(exc)
        click.echo(f"错误：{exc}", err=True)

    return handle


def _overrides(agent_channel: str | None, stt: str | None, url: str | None, model_dir: Path | None) -> dict:
    out: dict[str, Any] = {}
    if agent_channel:
        out["channels"] = {"agent": agent_channel}
    stt_cfg: dict[str, Any] = {}
    if stt:
        stt_cfg["backend"] = stt
    if url:
        stt_cfg["http"] = {"url": url}
        stt_cfg.setdefault("backend", "http")
    if model_dir:
        stt_cfg["sherpa_onnx"] = {"model_dir": str(model_dir)}
        stt_cfg.setdefault("backend", "sherpa-onnx")
    if stt_cfg:
        out["stt"] = stt_cfg
    return out


@audio.command("settings")
@click.option("--check", type=click.Path(exists=True, path_type=Path), help="校验一个录音设置文件")
def settings_cmd(check: Path | None) -> None:
    """显示默认录音设置（可复制后修改），或校验一个设置文件。"""
    from hotline.audio.settings import default_settings_path, load_settings

    if check is None:
        click.echo(default_settings_path().read_text("utf-8"), nl=False)
        return
    load_settings(check)
    click.echo(f"{check}：设置有效。")
