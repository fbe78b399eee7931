"""``hotline learn`` (理论讲解：课程、练习、考试) and ``hotline cases`` (案例分析)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import click

from hotline.curriculum import console as view
from hotline.curriculum.library import Curriculum, load_curriculum
from hotline.curriculum.loader import CurriculumError
from hotline.curriculum.schema import Question

CONTENT_HELP = "课程内容目录（含 lessons/ questions/ cases/），默认使用内置课程"
QUIT_WORDS = {"q", "quit", "退出"}
SKIP_WORDS = {"跳过", "s", "skip"}
TRIES = 3


def _cur(ctx: click.Context) -> Curriculum:
    return load_curriculum((ctx.obj or {}).get("content"))


def _rule_title(rule_id: str) -> str:
    from hotline.errors import HotlineError
    from hotline.inspect import default_engine

    try:
        return default_engine().rule(rule_id).title
    except HotlineError:  # a missing rule is reported by `learn check`
        return "（规则库中不存在）"


def _rule_ids() -> set[str]:
    from hotline.inspect import default_engine

    return set(default_engine().rule_ids())


def _seed(seed: int | None) -> int:
    return seed if seed is not None else random.SystemRandom().randint(1, 99999)


@click.group("learn")
@click.option("--content", type=click.Path(exists=True, file_okay=False, path_type=Path), help=CONTENT_HELP)
@click.pass_context
def learn(ctx: click.Context, content: Path | None) -> None:
    """理论讲解：课程、练习与考试。"""
    ctx.ensure_object(dict)
    ctx.obj["content"] = content


@learn.command("list")
@click.option("--rewrite", "rewrite", is_flag=True, help="列出全部改写题（编号、课程、原话），供 hotline learn rewrite 使用")
@click.pass_context
def list_cmd(ctx: click.Context, rewrite: bool) -> None:
    """列出全部课程；--rewrite 列出改写题。"""
    cur = _cur(ctx)
    if rewrite:
        view.make_console().print(view.rewrite_table(cur))
        return
    view.make_console().print(view.lesson_table(cur))


@learn.command("show")
@click.argument("lesson_id")
@click.pass_context
def show_cmd(ctx: click.Context, lesson_id: str) -> None:
    """阅读一课：目标、讲解、话术对照、对应规则与自测题。"""
    from hotline.curriculum.cases import load_cases

    cur = _cur(ctx)
    lesson = cur.lesson(lesson_id)
    cases = load_cases(_case_folder(ctx)).items
    view.make_console().print(view.lesson_view(lesson, cur, _rule_title, cases))


@learn.command("quiz")
@click.argument("topic")
@click.option("-n", "--count", default=5, show_default=True, help="题目数量")
@click.option("--difficulty", type=click.IntRange(1, 3), multiple=True, help="难度 1 基础 / 2 进阶 / 3 提高，可重复")
@click.option("--seed", type=int, help="随机种子（相同种子出相同的题）")
@click.pass_context
def quiz_cmd(ctx: click.Context, topic: str, count: int, difficulty: tuple[int, ...], seed: int | None) -> None:
    """按课程练习（输入 q 结束）。"""
    from hotline.curriculum.exams import quiz_questions

    cur = _cur(ctx)
    cur.lesson(topic)
    _run_practice(cur, quiz_questions(cur.questions, topic, count, difficulty, _seed(seed)))


@learn.command("practice")
@click.option("--failed", "failed", multiple=True, metavar="规则=次数",
              help="在演练或质检中未通过的规则及次数，如 forbidden.phrase.v1=3，可重复")
@click.option("--report", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="质检结果 JSON/JSONL（hotline inspect 的输出）或考试成绩 JSON（learn exam --json），"
                   "从中统计未通过的规则和各课程正确率")
@click.option("--topic-score", multiple=True, metavar="课程=答对/题数", help="已知的课程正确率，如 taboo=3/10")
@click.option("-n", "--count", default=10, show_default=True)
@click.option("--seed", type=int)
@click.pass_context
def practice_cmd(ctx: click.Context, failed: tuple[str, ...], report: Path | None, topic_score: tuple[str, ...],
                 count: int, seed: int | None) -> None:
    """自适应练习：偏重薄弱课程和未通过的规则。"""
    from hotline.curriculum.adaptive import (
        History,
        history_from_file,
        parse_rule_counts,
        parse_topic_scores,
        pick,
    )
    from hotline.curriculum.grading import shuffle_options

    cur = _cur(ctx)
    rules = parse_rule_counts(list(failed))
    scores = parse_topic_scores(list(topic_score), set(cur.topic_ids()))
    if report:
        known = history_from_file(report)
        for rule, n in known.failed_rules.items():
            rules[rule] = rules.get(rule, 0) + n
        scores = {**{t: v for t, v in known.topic_scores.items() if t in cur.topic_ids()}, **scores}
    unknown = sorted(set(rules) - _rule_ids())
    if unknown:
        raise CurriculumError(f"规则库中没有这些规则：{'、'.join(unknown)}（规则编号见 hotline rulebook show）")
    history = History(scores, rules)
    topic_rules = {t: cur.rules_of_topic(t) for t in cur.topic_ids()}
    s = _seed(seed)
    picked = pick(cur.questions, history, topic_rules, count, s)
    if rules:
        top = "、".join(f"{r}×{n}" for r, n in sorted(rules.items(), key=lambda kv: -kv[1])[:5])
        click.echo(f"根据未通过的规则出题：{top}")
    weak = sorted((r / t, topic) for topic, (r, t) in scores.items() if t and r / t < 0.8)[:3]
    if weak:
        click.echo("薄弱课程：" + "、".join(f"{cur.topic_title(t)}（正确率 {a:.0%}）" for a, t in weak))
    rng = random.Random(s)
    _run_practice(cur, [shuffle_options(q, rng) for q in picked])


@learn.command("exam")
@click.option("--exam", "exam_id", help="考试编号（默认第一个）")
@click.option("--seed", type=int, help="试卷种子：相同种子得到相同试卷")
@click.option("--name", default="", help="学员姓名（证书用）")
@click.option("--certificate", type=click.Path(dir_okay=False, path_type=Path), help="合格时把证书写到此 HTML 文件")
@click.option("-o", "--output", "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="把成绩明细写成 JSON 文件")
@click.option("--list", "list_only", is_flag=True, help="只列出可用的考试")
@click.pass_context
def exam_cmd(ctx: click.Context, exam_id: str | None, seed: int | None, name: str, certificate: Path | None,
             json_path: Path | None, list_only: bool) -> None:
    """模拟考试：限时、按题型与难度组卷，交卷后逐题讲解。合格退出码 0，不合格 1。"""
    from hotline.curriculum.exams import build_paper, grade_exam

    cur = _cur(ctx)
    if list_only:
        for spec in cur.settings.exams:
            n = sum(s.count for s in spec.sections)
            click.echo(f"{spec.id}\t{spec.title}\t{n} 题\t{spec.time_limit_minutes} 分钟\t合格线 {spec.pass_mark}")
        return
    if certificate and not name.strip():
        raise CurriculumError("生成证书需要 --name 学员姓名")
    spec = cur.exam(exam_id)
    s = _seed(seed)
    exam = build_paper(spec, cur.questions, s)
    click.echo(f"{spec.title}：共 {len(exam.items)} 题，限时 {spec.time_limit_minutes} 分钟，"
               f"合格线 {spec.pass_mark} 分。试卷种子 {s}。输入 q 提前交卷。")
    responses, elapsed = _collect(cur, [item.question for item in exam.items], exam.time_limit_seconds)
    result = grade_exam(exam, responses, _grader(cur), elapsed)
    console = view.make_console()
    for i, (item, res) in enumerate(zip(exam.items, result.results, strict=True), 1):
        console.print(f"[bold]第 {i} 题[/bold]（{item.section}，{item.points:g} 分）{item.question.stem}")
        console.print(view.result_view(res))
    console.print(view.exam_summary(result, cur))
    skipped = [str(i) for i, res in enumerate(result.results, 1) if not res.answered]
    if skipped:
        click.echo(f"未作答：第 {'、'.join(skipped)} 题（不得分）")
    if json_path:
        import json

        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps({"name": name, **result.to_dict()}, ensure_ascii=False, indent=2),
                             encoding="utf-8")
    if result.passed and certificate:
        from hotline.curriculum.html import certificate_html

        html = certificate_html(result, name, cur.settings.issuer, cur.settings.certificate_title)
        certificate.parent.mkdir(parents=True, exist_ok=True)
        certificate.write_text(html, encoding="utf-8")
        click.echo(f"证书已生成：{certificate}（浏览器打开后可直接打印）")
    elif not result.passed:
        rules = ",".join(f"{r}={n}" for r, n in result.failed_rules().items())
        if rules:
            click.echo(f"建议针对性练习：hotline learn practice --failed {rules}")
    if not result.passed:
        raise click.exceptions.Exit(1)


@learn.command("rewrite")
@click.argument("question_id")
@click.argument("text")
@click.pass_context
def rewrite_cmd(ctx: click.Context, question_id: str, text: str) -> None:
    """给一道改写题的答案评分（不进入交互）。题目编号见 hotline learn list --rewrite；合格退出码 0，不合格 1。"""
    from hotline.curriculum.rewrite import grade_rewrite

    cur = _cur(ctx)
    q = cur.question(question_id)
    if q.type != "rewrite":
        raise CurriculumError(f"{question_id} 不是改写题（改写题编号见 hotline learn list --rewrite）")
    result = grade_rewrite(q, text, cur.settings.rewrite)
    view.make_console().print(view.result_view(result))
    if not result.correct:
        raise click.exceptions.Exit(1)


@learn.command("check")
@click.pass_context
def check_cmd(ctx: click.Context) -> None:
    """校验课程、题库、考试设置和案例（含规则链接），逐条列出问题。"""
    from hotline.curriculum.validate import check_all

    cur = _cur(ctx)
    problems, summary = check_all(cur)
    click.echo(summary)
    for p in problems:
        click.echo(f"  ✘ {p}")
    if problems:
        raise CurriculumError(f"课程内容有 {len(problems)} 处问题，见上")
    click.echo("全部通过校验。")


def _grader(cur: Curriculum):  # noqa: ANN202 - a grading callable
    from hotline.curriculum.rewrite import grader_for

    return grader_for(cur.settings.rewrite)


def _ask(q: Question) -> str | None:
    """Prompt until a well-formed answer; None when the trainee quits; "" (未作答, said so) when they skip the
    question or give no valid answer in three tries."""
    from hotline.curriculum.grading import valid_response

    for _ in range(TRIES):
        try:
            text = click.prompt("答案（跳过本题输入“跳过”）", default="", show_default=False, prompt_suffix="：")
        except click.exceptions.Abort:  # end of input: hand in what was answered
            click.echo()
            return None
        if text.strip().lower() in QUIT_WORDS:
            return None
        if text.strip().lower() in SKIP_WORDS:
            click.echo("已跳过：本题记为未作答，不得分。")
            return ""
        if valid_response(q, text):
            return text
        click.echo("输入无效：" + ("请输入 对 或 错" if q.type == "true_false" else
                                  "请输入改写后的句子" if q.type == "rewrite" else "请输入选项字母"))
    click.echo(f"注意：连续 {TRIES} 次输入无效，本题记为未作答，不得分。")
    return ""


def _collect(cur: Curriculum, questions: list[Question], limit_seconds: float) -> tuple[dict[str, str], float]:
    console = view.make_console()
    start = time.monotonic()
    responses: dict[str, str] = {}
    for i, q in enumerate(questions, 1):
        if time.monotonic() - start > limit_seconds:
            click.echo("考试时间到，自动交卷。")
            break
        console.print(view.question_view(q, i, len(questions), cur.topic_title(q.topic)))
        answer = _ask(q)
        if answer is None:
            break
        responses[q.id] = answer
    return responses, time.monotonic() - start


def _run_practice(cur: Curriculum, questions: list[Question]) -> None:
    """Ask, grade and explain one question at a time."""
    from hotline.curriculum.grading import unanswered

    console = view.make_console()
    grade = _grader(cur)
    right = done = 0
    for i, q in enumerate(questions, 1):
        console.print(view.question_view(q, i, len(questions), cur.topic_title(q.topic)))
        answer = _ask(q)
        if answer is None:
            break
        res = grade(q, answer) if answer else unanswered(q)
        console.print(view.result_view(res))
        done += 1
        right += int(res.correct)
    click.echo(f"练习结束：答对 {right}/{done} 题。")


@click.group("cases")
@click.option("--content", type=click.Path(exists=True, file_okay=False, path_type=Path), help=CONTENT_HELP)
@click.pass_context
def cases(ctx: click.Context, content: Path | None) -> None:
    """案例分析：带批注的通话案例库（质检结果由引擎实时计算）。"""
    ctx.ensure_object(dict)
    ctx.obj["content"] = content


def _case_folder(ctx: click.Context) -> Path | None:
    content = (ctx.obj or {}).get("content")
    return content / "cases" if content else None


@cases.command("list")
@click.option("--topic", help="只列出某一课程的案例")
@click.option("--kind", type=click.Choice(["good", "bad", "mixed"]), help="示范 / 反面 / 有得有失")
@click.pass_context
def cases_list(ctx: click.Context, topic: str | None, kind: str | None) -> None:
    """列出案例。"""
    from hotline.curriculum.cases import load_cases

    loaded = load_cases(_case_folder(ctx))
    items = [c for c in loaded.items if (not topic or topic in c.commentary.topics)
             and (not kind or c.commentary.kind == kind)]
    view.make_console().print(view.case_table(items, _cur(ctx)))
    for p in loaded.problems:
        click.echo(f"  ✘ {p}", err=True)


@cases.command("show")
@click.argument("case_id")
@click.option("-o", "--output", "--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="另存为 HTML 页面")
@click.pass_context
def cases_show(ctx: click.Context, case_id: str, html_path: Path | None) -> None:
    """显示案例：转写（问题处高亮）、质检结果和讲评。"""
    from hotline.curriculum.cases import analyse, find_case

    cur = _cur(ctx)
    case = find_case(case_id, _case_folder(ctx))
    card = analyse(case)
    view.make_console().print(view.case_view(case, card, cur))
    if html_path:
        from hotline.curriculum.html import case_html

        titles = {t: cur.topic_title(t) for t in cur.topic_ids()}
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(case_html(case, card, titles), encoding="utf-8")
        click.echo(f"已保存：{html_path}")


@cases.command("report")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), help="报告文件（.html）")
@click.pass_context
def cases_report(ctx: click.Context, path: Path | None, output: Path | None) -> None:
    """把全部案例写成一份质检 HTML 报告（与 hotline inspect 的报告相同）：hotline cases report -o 报告.html"""
    from hotline.curriculum.cases import analyse, load_cases
    from hotline.formats.report import write_html
    from hotline.inspect import default_engine

    if path and output and path != output:
        raise click.UsageError("报告文件只能给一个：用 -o 文件名")
    path = output or path
    if path is None:
        raise click.UsageError("请用 -o 指定报告文件，例如 hotline cases report -o 案例.html")

    loaded = load_cases(_case_folder(ctx))
    engine = default_engine()
    titles = {r: engine.rule(r).title for r in engine.rule_ids()}
    write_html([(c.call, analyse(c, engine)) for c in loaded.items], path, titles)
    click.echo(f"已写出 {len(loaded.items)} 个案例：{path}")
