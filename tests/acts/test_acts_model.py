"""The shipped act model and its training: trained from the corpus in the tree (hash in its card),
exact run-time scoring, explanations, corpus validation with file and line, family-held-out folds,
and the act operator in a rulebook (thresholds a city can move, errors that name the act)."""

import json
from pathlib import Path

import numpy as np
import pytest

from hotline.acts import ActsError, default_model, explain
from hotline.acts.corpus import corpus_files, load_corpus
from hotline.acts.features import Featurizer, ngrams
from hotline.acts.model import SpeakerModel, read_model, save_model
from hotline.acts.train import _group_folds, evaluate, samples, train, training_inputs
from hotline.text import normalize


def test_the_shipped_model_was_trained_from_the_corpus_in_the_tree() -> None:
    _, digest = training_inputs()
    card = default_model().card
    assert card["trained_from_sha256"] == digest, "语料、分类表或特征设置改过了：请运行 hotline acts train"
    counts = card["counts"]
    assert counts["agent"]["records"] >= 4000 and counts["citizen"]["records"] >= 2000


def test_the_corpus_is_split_by_family() -> None:
    examples = load_corpus()
    families = {e.family for e in examples}
    assert len(families) >= 600
    folds = _group_folds([e.family for e in examples], 5, 7)
    owner = {}
    for k, idx in enumerate(folds):
        for i in idx:
            assert owner.setdefault(examples[i].family, k) == k  # a family never straddles two folds


def test_run_time_scoring_equals_the_sum_over_training_features() -> None:
    m = default_model()
    sm = m.for_speaker("agent")
    index = {g: i for i, g in enumerate(sm.vocab)}
    texts = [t for _, _, t in m.featurizer.clause_texts(normalize("您好，这个不归我们管，你自己去找物业，三个工作日内回复您。").text)]
    got = sm._score(texts)
    for text, row in zip(texts, got, strict=True):
        ids = [index[g] for g in ngrams(text) if g in index]
        z = sm.weights[ids].sum(0) / np.sqrt(len(ids)) + sm.bias
        assert np.allclose(row, 1 / (1 + np.exp(-(sm.scale * z + sm.shift))), atol=1e-5)


def test_a_batch_with_repeated_texts_gives_each_the_row_it_gets_alone() -> None:
    """A text the cache does not hold is scored once however often a batch holds it: every row is, bit for bit,
    the row of that text scored alone, and rows from the cache mixed in keep their places."""
    m = default_model()
    f = m.featurizer
    texts = [t for _, _, t in f.clause_texts(normalize("您好，请问有什么可以帮您？这事不归我们管，您好，您好。").text)]
    texts = [*texts, texts[0], texts[2], texts[0]]
    assert len(set(texts)) < len(texts)
    for speaker in ("agent", "citizen"):
        sm = m.for_speaker(speaker)
        alone = []
        for t in texts:
            sm._cache.clear()
            alone.append(sm.probabilities([t])[0].tobytes())
        sm._cache.clear()
        got = sm.probabilities(texts)
        assert got.shape == (len(texts), len(sm.acts)) and [r.tobytes() for r in got] == alone
        sm._cache.clear()
        sm.probabilities([texts[1]])  # one row cached, the others scored (with repeats) around it
        assert [r.tobytes() for r in sm.probabilities(texts)] == alone
        assert [r.tobytes() for r in sm.probabilities(texts)] == alone  # all from the cache
    sm._cache.clear()


def test_each_clause_reads_its_row_of_the_batch() -> None:
    """``ClauseActs.probs`` is the clause's row of the block ``clause_batch`` returns (made when read)."""
    m = default_model()
    turns = [normalize(t).text for t in ["好的，请问您贵姓？", "这事不归我们管，你自己找物业去", "", "嗯"]]
    rows, probs = m.clause_batch("agent", turns)
    flat = [c for turn in rows for c in turn]
    assert len(flat) == len(probs) > 3 and [len(r) for r in rows][2] == 0
    for i, c in enumerate(flat):
        assert c.block is probs and c.row == i
        assert c.probs.tobytes() == probs[i].tobytes() and c.probs.shape == (len(m.for_speaker("agent").acts),)
        assert c.feature_text == m.featurizer.feature_text(turns[[0, 0, 1, 1, 3][i]][c.start:c.end], "?" if i == 1 else "")


def test_explain_names_acts_probabilities_and_evidence() -> None:
    clauses = explain("这事不归我们管，你自己找物业去")
    assert [c.text for c in clauses] == ["这事不归我们管", "你自己找物业去"]
    refuse = next(a for a in clauses[0].acts if a.act == "agent.refuse")
    push = next(a for a in clauses[1].acts if a.act == "agent.dismiss")
    assert refuse.fired and push.fired and push.evidence
    assert clauses[0].acts[0].probability >= clauses[0].acts[-1].probability


def test_explain_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hotline.cli import cli

    result = CliRunner().invoke(cli, ["acts", "explain", "还让不让人活了！", "--speaker", "citizen"])
    assert result.exit_code == 0 and "citizen.anger" in result.output and "依据" in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "好的", "speaker": "agent", "acts": [], "family": "f"', "不是合法的 JSON"),
        ('{"text": "好的", "speaker": "agent", "acts": ["agent.nope"], "family": "f"}', "未知的言语行为"),
        ('{"text": "好的", "speaker": "citizen", "acts": ["agent.backchannel"], "family": "f"}', "不能标注"),
        ('{"text": "好的", "speaker": "agent", "acts": [], "family": "f", "extra": 1}', "不认识的字段"),
        ('{"text": "", "speaker": "agent", "acts": [], "family": "f"}', "不能为空"),
    ],
)
def test_a_bad_corpus_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "嗯", "speaker": "agent", "acts": ["agent.backchannel"], "family": "f"}\n' + line + "\n",
                    encoding="utf-8")
    with pytest.raises(ActsError) as err:
        load_corpus([path])
    assert "bad.jsonl" in str(err.value) and "第 2 行" in str(err.value) and message in str(err.value)


def test_the_same_text_labelled_two_ways_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "好的", "speaker": "agent", "acts": ["agent.backchannel"], "family": "a"}\n'
                    '{"text": "好的", "speaker": "agent", "acts": [], "family": "b"}\n', encoding="utf-8")
    with pytest.raises(ActsError, match="标注不一致.*c.jsonl:1"):
        load_corpus([path])


def _tiny_corpus(tmp_path: Path) -> Path:
    rows = []
    def add(texts: list[str], acts: list[str], family: str, speaker: str = "agent") -> None:
        rows.extend({"text": t, "speaker": speaker, "acts": acts, "family": family} for t in texts)
    add(["不归我们管", "这不归我管", "不归我们这儿管", "这事不归咱们管", "不归我们管的"], ["agent.refuse"], "r1")
    add(["我们管不着", "这个管不着", "管不着的", "我们可管不着", "管不着啊"], ["agent.refuse"], "r2")
    add(["你自己找物业去", "你去找社区", "自己找街道去", "你找派出所去", "你去找物业吧"], ["agent.dismiss"], "d1")
    add(["你自己查一下", "自己上网查", "你自己搜", "网上自己查去", "你自己去查"], ["agent.dismiss"], "d2")
    add(["好的", "嗯嗯", "我明白", "您接着说", "好的好的"], ["agent.backchannel"], "b1")
    add(["我帮您转给住建局", "我给您登记转办", "马上转到街道", "已经给您派单了", "我转给城管局"], ["agent.next_step"], "n1")
    add(["谢谢啊", "太感谢了", "谢谢你们", "麻烦你了", "多谢"], ["citizen.thanks"], "c1", "citizen")
    add(["气死我了", "太过分了", "什么态度啊", "简直欺负人", "你们到底管不管"], ["citizen.anger"], "c2", "citizen")
    add(["我住在幸福小区", "楼下在施工", "我想问社保", "电话138****1234", "上周三开始的"], [], "c3", "citizen")
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_train_save_and_read_back(tmp_path: Path) -> None:
    examples = load_corpus([_tiny_corpus(tmp_path)])
    models, card = train(examples, "hash-of-the-tiny-corpus")
    save_model(tmp_path / "model", models, card)
    back = read_model(tmp_path / "model")
    assert back.card["trained_from_sha256"] == "hash-of-the-tiny-corpus"
    sm = back.for_speaker("agent")
    assert sm.vocab == models["agent"].vocab
    assert np.allclose(sm.weights, models["agent"].weights, atol=1e-2)  # stored as float16


def test_evaluate_scores_only_held_out_families(tmp_path: Path) -> None:
    examples = load_corpus([_tiny_corpus(tmp_path)])
    scores = evaluate(examples, folds=3, speakers=["agent"])["agent"]
    refuse = scores["agent.refuse"]
    assert refuse.tp + refuse.fn == 10  # every corpus record scored once, none of the variants
    data = samples([e for e in examples if e.speaker == "agent"], Featurizer(), 2, 1)
    assert sum(s.original for s in data) == 30 and len(data) > 30


def test_corpus_files_are_found() -> None:
    assert len(corpus_files()) >= 5


def _explain_by_strings(m: SpeakerModel, index: dict[str, int], feature_text: str, act: str,
                        top: int) -> list[tuple[str, float]]:
    """What ``explain`` must give, the plain way: every n-gram ``ngrams`` yields, looked up one by one."""
    grams = [g for g in ngrams(feature_text) if g in index]
    if not grams:
        return []
    norm = float(np.sqrt(len(grams)))
    contrib: dict[str, float] = {}
    for g in grams:
        contrib[g] = contrib.get(g, 0.0) + float(m.weights[index[g], m.index[act]]) / norm
    pushing = sorted(((g, w) for g, w in contrib.items() if w > 0), key=lambda kv: (len(kv[0].strip("^$")) < 2, -kv[1]))
    return pushing[:top]


def test_explain_finds_the_same_ngrams_as_reading_them_one_by_one() -> None:
    """The vectorised lookup gives the n-grams, order and weights of the plain reading, repeated n-grams
    included, for clauses of both speakers."""
    model = default_model()
    texts = ["这事不归我们管，你自己找物业去", "还让不让人活了！！", "好的好的，您说，您说", "123号为您服务，请问有什么可以帮您",
             "我都打了三次了三次了", "a"]
    checked = 0
    for speaker, m in model.speakers.items():
        index = {g: i for i, g in enumerate(m.vocab)}
        for clauses in model.clause_acts(speaker, texts):
            for clause in clauses:
                for act in m.acts[:: max(1, len(m.acts) // 6)]:
                    got = m.explain(clause.feature_text, act, top=4)
                    want = _explain_by_strings(m, index, clause.feature_text, act, 4)
                    assert [g for g, _ in got] == [g for g, _ in want]
                    assert np.allclose([w for _, w in got], [w for _, w in want], rtol=1e-6)
                    checked += bool(got)
    assert checked > 20


def test_explain_of_several_clauses_or_odd_texts_skips_what_ngrams_skips() -> None:
    """A feature text of several clauses (a corpus record's) or with stray marks: the n-grams running across
    a clause mark, and the bare marks, are not evidence; the rest are found as one by one."""
    model = default_model()
    featurizer = model.featurizer
    joined = featurizer.record_text("这事不归我们管，你自己找物业去") + featurizer.record_text("不归我们管！")
    texts = [joined, "^$", "^", "$", "不归我们管", "^不归我们管", "不归我们管$", "^不归$我们管$", "^$^$", ""]
    for m in model.speakers.values():
        index = {g: i for i, g in enumerate(m.vocab)}
        for text in texts:
            for act in m.acts:
                got = m.explain(text, act, top=5)
                want = _explain_by_strings(m, index, text, act, 5)
                assert [g for g, _ in got] == [g for g, _ in want], (text, act)
                assert np.allclose([w for _, w in got], [w for _, w in want], rtol=1e-6)
    # a vocabulary holding what ``ngrams`` never yields (bare marks, n-grams across a mark): still not evidence
    vocab = ["^", "$", "$^", "管$^", "^不归", "不归", "管$", "^你", "归$", "$你", "我"]
    m = model.for_speaker("agent")
    odd = SpeakerModel("agent", m.acts, vocab, np.ones((len(vocab), len(m.acts)), dtype=np.float32), m.bias,
                       m.scale, m.shift)
    index = {g: i for i, g in enumerate(vocab)}
    for text in texts + ["^不归我们管$^你自己$", "^不归$", "^不归$你我"]:
        want = _explain_by_strings(odd, index, text, m.acts[0], 20)
        assert odd.explain(text, m.acts[0], top=20) == want, text
    assert [g for g, _ in odd.explain("^不归我们管$^你自己$", m.acts[0], top=20)] == ["^不归", "不归", "我", "管$", "^你"]


def test_explain_is_kept_per_clause_and_act_handed_out_as_a_copy_and_bounded() -> None:
    m = default_model().for_speaker("agent")
    m._explained.clear()
    first = m.explain("^这个不归我们管$", "agent.dismiss", top=3)
    assert first and m._explained[("^这个不归我们管$", "agent.dismiss", 3)] == first
    first.append(("改过", 9.0))  # a caller changing its list does not change the next answer
    assert m.explain("^这个不归我们管$", "agent.dismiss", top=3) == first[:-1]
    assert m.explain("^这个不归我们管$", "agent.dismiss", top=2) == first[:2]
    for i in range(5_000):
        m.explain(f"^第{i}次不归我们管$", "agent.dismiss", top=3)
    assert 0 < len(m._explained) <= 4_096
    m._explained.clear()



def test_evaluation_folds_keep_each_family_in_place_when_families_come_and_go() -> None:
    """Comparing two corpora on held-out folds means little if one new family reshuffles every other: each
    family's fold depends on its name alone, whole families stay together, and no fold is left empty."""
    from hotline.acts.train import stable_folds

    families = [f"agent_ext{i // 40}:family{i}" for i in range(200) for _ in range(3)]
    before = stable_folds(families, 5)
    grown = families + ["agent_new:一个新家族"] * 4 + ["agent_new:另一个"] * 2
    after = stable_folds(grown, 5)
    fold_before = {families[i]: k for k, held in enumerate(before) for i in held.tolist()}
    fold_after = {grown[i]: k for k, held in enumerate(after) for i in held.tolist()}
    assert all(fold_after[f] == k for f, k in fold_before.items())
    assert all(held.size for held in before)
    assert sum(held.size for held in after) == len(grown) and len(fold_after) == len(set(grown))
