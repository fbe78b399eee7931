"""The dissatisfaction model: a center refits it on its own 回访 results (a satisfaction field in the
calls, or a results sheet joined by call id), bad records are reported and the rest used, the model
card says how well it did on calls it did not see, and a model trained on another act model is refused."""

import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hotline.citizen import load_settings
from hotline.citizen.satisfaction import load
from hotline.cli import cli, main

GREET = "您好，12345政务服务便民热线，工号1002为您服务，请问有什么可以帮您？"
TOPICS = ["小区门口的路灯坏了", "楼下餐馆油烟很大", "公交站牌被撞歪了", "小区垃圾好几天没人清", "人行道上的井盖松了",
          "公园的健身器材坏了", "马路上有个大坑", "楼道里的灯不亮"]
GOOD = [("好的，那我等通知，谢谢你啊。", "不客气，已经帮您登记转区里处理，三个工作日内会有人联系您。"),
        ("行，太好了，麻烦你了。", "应该的，我们会跟进办理结果。"),
        ("明白了，谢谢，服务很好。", "感谢您的认可，祝您生活愉快。")]
BAD = [("你们每次都这么说，根本没人管！", "那我也没办法，您等着吧。"),
       ("我都打了好几次了，一点用都没有，太让人失望了！", "这个不归我们管。"),
       ("什么态度，说了半天等于白说！", "我就是按规定办。")]


def dialogue(i: int, good: bool, rng: random.Random) -> dict:
    citizen, agent = rng.choice(GOOD if good else BAD)
    topic = TOPICS[i % len(TOPICS)]
    return {"id": f"c{i:03d}", "turns": [
        {"speaker": "agent", "text": GREET}, {"speaker": "citizen", "text": f"你好，我想反映一下，{topic}。"},
        {"speaker": "agent", "text": "好的，请问具体在什么位置？"}, {"speaker": "citizen", "text": citizen},
        {"speaker": "agent", "text": agent}]}


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict]]:
    rng = random.Random(7)
    folder = tmp_path_factory.mktemp("sat")
    rows = [dialogue(i, i % 2 == 0, rng) for i in range(64)]
    calls = folder / "calls.jsonl"
    with calls.open("w", encoding="utf-8") as fh:
        for i, r in enumerate(rows):
            fh.write(json.dumps({**r, "labels": {"S": 1.5 if i % 2 == 0 else -1.5}}, ensure_ascii=False) + "\n")
    out = folder / "model"
    result = CliRunner().invoke(cli, ["citizen", "train", str(calls), "--target", "labels.S", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return calls, out, rows


def test_train_writes_a_model_card_with_cross_validated_numbers(training: tuple[Path, Path, list[dict]]) -> None:
    _, out, _ = training
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    cv = card["cross_validated"]
    assert cv["calls"] == 64 and cv["dissatisfied_share"] == 0.5
    assert cv["spearman_dissatisfaction_vs_satisfaction"] < -0.5  # the two kinds of call are easy to tell apart
    from hotline.acts import default_model

    assert card["act_model"] == default_model().card["trained_from_sha256"]


def test_the_refitted_model_ranks_unseen_calls(training: tuple[Path, Path, list[dict]]) -> None:
    from hotline.formats.jsonfmt import call_from_obj
    from hotline.inspect import default_engine
    from hotline.inspect.context import CallContext, prepare_acts

    _, out, _ = training
    model = load(out, load_settings().satisfaction)
    engine = default_engine(semantic=False)
    rng = random.Random(99)
    fresh = [dialogue(100 + i, i % 2 == 0, rng) for i in range(10)]
    contexts = [CallContext(call_from_obj(r, "t", str(i), r["id"]), engine.compiled) for i, r in enumerate(fresh)]
    prepare_acts(contexts)
    p = np.array([model.dissatisfaction(model.predict(c)) for c in contexts])
    assert p[1::2].min() > p[0::2].max()  # every unhappy call above every happy one


def test_results_sheet_joined_by_call_id_with_bad_rows_reported(training: tuple[Path, Path, list[dict]],
                                                                tmp_path: Path) -> None:
    _, _, rows = training
    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    sheet = tmp_path / "回访.csv"
    lines = ["通话编号,回访结果"] + [f"{r['id']},{'满意' if i % 2 == 0 else '不满意'}" for i, r in enumerate(rows)]
    lines[5] = f"{rows[4]['id']},还行吧"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["citizen", "evaluate", str(calls), "--scores", str(sheet), "--folds", "4"])
    assert result.exit_code == 0, result.output
    assert "第 6 行" in result.output and "还行吧" in result.output
    assert "63 通" in result.output


def test_no_target_is_a_clear_error(training: tuple[Path, Path, list[dict]]) -> None:
    calls, _, _ = training
    result = CliRunner().invoke(cli, ["citizen", "train", str(calls)])
    assert result.exit_code != 0 and "--target" in result.output


def test_too_few_calls(tmp_path: Path, training: tuple[Path, Path, list[dict]],
                       capsys: pytest.CaptureFixture[str]) -> None:
    calls, _, _ = training
    few = tmp_path / "few.jsonl"
    few.write_text("".join(calls.read_text(encoding="utf-8").splitlines(keepends=True)[:10]), encoding="utf-8")
    code = main(["citizen", "train", str(few), "--target", "labels.S", "-o", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code != 0 and "至少 50 通" in err and "few.jsonl" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()


def test_a_model_of_another_act_model_is_refused(training: tuple[Path, Path, list[dict]], tmp_path: Path) -> None:
    from hotline.citizen import CitizenError

    _, out, _ = training
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "satisfaction.npz").write_bytes((out / "satisfaction.npz").read_bytes())
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    (stale / "card.json").write_text(json.dumps({**card, "act_model": "0" * 64}), encoding="utf-8")
    with pytest.raises(CitizenError, match="重新运行 hotline citizen train"):
        load(stale, load_settings().satisfaction)


def test_the_bundled_model_matches_the_bundled_act_model() -> None:
    from hotline.citizen.satisfaction import model_dir

    model = load(model_dir(), load_settings().satisfaction)
    assert model.card["cross_validated"]["spearman_dissatisfaction_vs_satisfaction"] <= -0.75
