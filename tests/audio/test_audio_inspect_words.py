"""``hotline inspect rec.wav`` without a transcript: the scorecard says what was not judged — no
total that reads like a full score, only the timing and audio rules, and a banner."""

import json

from click.testing import CliRunner

from hotline.cli import cli
from hotline.inspect.scoring import TIMING_DIMENSION, TIMING_NOTICE


def test_recording_without_words_reports_the_timing_dimension_alone(dialogue_wav, tmp_path):
    result = CliRunner().invoke(cli, ["inspect", str(dialogue_wav), "--format", "json"])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert record["total"] is None and record["scope"] == "timing" and record["notice"] == TIMING_NOTICE
    assert list(record["dimensions"]) == [TIMING_DIMENSION]
    judged = {o["rule_id"] for o in record["outcomes"] if o["status"] != "na"}
    assert judged and not judged & {"greeting.standard.v1", "forbidden.phrase.v1", "listen.restate.v1"}
    assert {f["rule_id"] for f in record["findings"]} <= judged

    table = CliRunner().invoke(cli, ["inspect", str(dialogue_wav)])
    assert TIMING_NOTICE in table.stdout and "总分 —" in table.stdout and "仅时间指标" in table.stdout
    html = tmp_path / "r.html"
    CliRunner().invoke(cli, ["inspect", str(dialogue_wav), "-o", str(html)])
    assert TIMING_NOTICE in html.read_text(encoding="utf-8")
