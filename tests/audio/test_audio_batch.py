"""``load_calls``: folders of recordings, transcripts matched by name, bad files reported."""

import pytest

from hotline.audio import AudioError, load_calls
from hotline.errors import FormatError


@pytest.fixture
def folder(dialogue_wav, tmp_path):
    rec = tmp_path / "rec"
    (rec / "day2").mkdir(parents=True)
    (rec / "a.wav").write_bytes(dialogue_wav.read_bytes())
    (rec / "day2" / "b.wav").write_bytes(dialogue_wav.read_bytes())
    (rec / "c.ogg").write_bytes(b"OggS broken")
    return rec


def test_folder_yields_the_good_and_reports_the_bad(folder):
    errors = []
    calls = list(load_calls(folder, on_error=errors.append))
    assert [c.id for c in calls] == ["a", "b"]
    assert len(errors) == 1 and "c.ogg" in str(errors[0])


def test_without_a_handler_the_first_bad_file_raises(folder):
    with pytest.raises(AudioError, match="c.ogg"):
        list(load_calls(folder))


def test_transcripts_are_matched_by_name(folder, tmp_path):
    tdir = tmp_path / "transcripts"
    tdir.mkdir()
    (tdir / "a.txt").write_text(
        "坐席：您好，12345热线，请问有什么可以帮您？\n市民：我家楼下的路灯坏了。\n", "utf-8"
    )
    (tdir / "b.json").write_text("{not json", "utf-8")
    errors = []
    calls = {c.id: c for c in load_calls(folder, tdir, on_error=errors.append)}
    assert calls["a"].turns[0].text.startswith("您好") and calls["a"].has_times
    assert "b" not in calls
    assert any(isinstance(e, FormatError) and "b.json" in str(e) for e in errors)


def test_empty_folder(tmp_path):
    errors = []
    assert list(load_calls(tmp_path, on_error=errors.append)) == []
    assert "没有录音文件" in str(errors[0])


def _interruptions(path):
    from hotline.audio import load_call

    return load_call(path).meta["metrics"]["agent_interruptions"]


def test_forked_worker_processes_after_use_in_the_parent(dialogue_wav):
    import multiprocessing

    assert _interruptions(dialogue_wav) == 1  # starts the VAD threads in this process
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(_interruptions, [dialogue_wav] * 2, chunksize=1) == [1, 1]
