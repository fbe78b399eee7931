"""``hotline audio`` through click, as a user runs it."""

import json

import numpy as np
import soundfile as sf
from click.testing import CliRunner

from hotline.cli.audio_cmd import audio


def _run(*args):
    return CliRunner().invoke(audio, list(map(str, args)), catch_exceptions=False)


def test_analyze_prints_the_metrics_in_chinese(dialogue_wav):
    res = _run("analyze", dialogue_wav)
    assert res.exit_code == 0, res.output
    assert "【call_0001】" in res.output
    assert "坐席抢话次数：1 次" in res.output
    assert "无声电话：否" in res.output
    assert "冷场：12." in res.output


def test_analyze_writes_jsonl_that_the_transcript_reader_reads(dialogue_wav, tmp_path):
    from hotline.formats import read_calls

    out = tmp_path / "calls.jsonl"
    res = _run("analyze", dialogue_wav, "-o", out)
    assert res.exit_code == 0, res.output
    row = json.loads(out.read_text("utf-8").splitlines()[0])
    assert row["meta"]["metrics"]["agent_interruptions"] == 1
    calls = list(read_calls(out))
    assert len(calls) == 1 and calls[0].has_times and len(calls[0].turns) == 4


def test_folder_with_a_bad_recording_processes_the_good_ones(dialogue_wav, tmp_path):
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / "good.wav").write_bytes(dialogue_wav.read_bytes())
    (folder / "broken.wav").write_bytes(b"RIFF not really")
    sf.write(folder / "mono.flac", np.zeros(8000, dtype=np.float32), 8000)
    res = CliRunner().invoke(audio, ["analyze", str(folder)])
    assert "【good】" in res.output
    assert "broken.wav" in res.output and "无法读取录音" in res.output
    assert "mono.flac" in res.output and "单声道" in res.output
    assert "共 3 个录音：成功 1 个，失败 2 个。" in res.output
    assert res.exit_code != 0 and "2 个录音未能分析" in str(res.exception)


def test_transcript_folder_is_matched_by_name(dialogue_wav, tmp_path):
    transcripts = tmp_path / "transcripts"
    transcripts.mkdir()
    (transcripts / f"{dialogue_wav.stem}.txt").write_text(
        "坐席：您好，12345热线，请问有什么可以帮您？\n市民：我家楼下的路灯坏了好几天了，晚上太黑了。\n"
        "坐席：好的，我马上为您登记，请您稍等。\n市民：谢谢你。\n",
        encoding="utf-8",
    )
    res = _run("analyze", dialogue_wav, "--transcript", transcripts, "--json")
    assert res.exit_code == 0, res.output
    call = json.loads(res.output)
    assert call["turns"][1]["text"].startswith("我家楼下")
    assert call["meta"]["metrics"]["agent_cpm"] > 0


def test_agent_channel_option(dialogue_wav):
    res = _run("analyze", dialogue_wav, "--agent-channel", "right", "--json")
    call = json.loads(res.output)
    assert call["meta"]["audio"]["agent_channel"] == "right"
    assert call["meta"]["metrics"]["channel_swap_suspected"] is True


def test_settings_command(tmp_path):
    res = _run("settings")
    assert res.exit_code == 0 and "agent: left" in res.output
    good = tmp_path / "city.yaml"
    good.write_text("metrics: {dead_air: 8}\n", encoding="utf-8")
    assert "设置有效" in _run("settings", "--check", good).output
    bad = tmp_path / "bad.yaml"
    bad.write_text("metrics: {dead_aire: 8}\n", encoding="utf-8")
    res = CliRunner().invoke(audio, ["settings", "--check", str(bad)])
    assert "dead_aire" in str(res.exception)


def test_stt_options_reach_the_settings(dialogue_wav, tmp_path):
    res = CliRunner().invoke(audio, ["analyze", str(dialogue_wav), "--stt-model-dir", str(tmp_path / "none")])
    assert "模型目录不存在" in str(res.exception) or "未安装 sherpa-onnx" in str(res.exception)


def test_one_transcript_file_for_many_recordings_is_refused(dialogue_wav, tmp_path):
    t = tmp_path / "t.txt"
    t.write_text("坐席：您好\n", encoding="utf-8")
    res = CliRunner().invoke(audio, ["analyze", str(dialogue_wav), str(dialogue_wav), "-t", str(t)])
    assert res.exit_code == 2 and "同名转写文件的文件夹" in res.output


def test_empty_folder_is_reported(tmp_path):
    res = CliRunner().invoke(audio, ["analyze", str(tmp_path)])
    assert "没有录音文件" in res.output and res.exit_code != 0
