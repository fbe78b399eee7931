"""Terminal rendering of lessons, questions, results and cases (rich)."""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hotline.curriculum.cases import KIND_NAMES, Case
from hotline.curriculum.exams import ExamResult
from hotline.curriculum.grading import AnswerResult
from hotline.curriculum.library import Curriculum
from hotline.curriculum.loader import Lesson
from hotline.curriculum.schema import DIFFICULTY_NAMES, LETTERS, TYPE_NAMES, Question
from hotline.model import Scorecard, Speaker

RuleTitle = Callable[[str], str]


def lesson_table(cur: Curriculum) -> Table:
    table = Table(title="课程目录", show_lines=False)
    for col in ("序号", "编号", "课程", "题目数", "简介"):
        table.add_column(col, overflow="fold")
    for lesson in cur.lessons:
        table.add_row(str(lesson.meta.order), lesson.id, lesson.title, str(len(cur.by_topic(lesson.id))),
                      lesson.meta.summary)
    return table


def rewrite_table(cur: Curriculum) -> Table:
    """The rewrite questions: what ``hotline learn rewrite 编号 "改写"`` grades."""
    table = Table(title="改写题（hotline learn rewrite 编号 \"你的改写\"）")
    for col in ("编号", "课程", "难度", "原话"):
        table.add_column(col, overflow="fold")
    for q in cur.questions:
        if q.type == "rewrite":
            table.add_row(q.id, cur.topic_title(q.topic), DIFFICULTY_NAMES[q.difficulty], q.bad or "")
    return table


def lesson_view(lesson: Lesson, cur: Curriculum, rule_title: RuleTitle, cases: list[Case] | None = None) -> Group:
    meta = lesson.meta
    parts: list[RenderableType] = [Text(f"第 {meta.order} 课　{meta.title}", style="bold magenta"), Text(meta.summary)]
    parts.append(Markdown("## 学习目标\n" + "\n".join(f"- {o}" for o in meta.objectives)))
    parts.append(Markdown(unwrap_cjk(lesson.body)))
    pairs = Table(title="话术对照", show_lines=True)
    pairs.add_column("不规范", style="red", overflow="fold")
    pairs.add_column("规范", style="green", overflow="fold")
    pairs.add_column("要点", overflow="fold")
    for p in meta.pairs:
        pairs.add_row(p.bad, p.good, p.why)
    parts.append(pairs)
    if meta.rules:
        rules = "\n".join(f"- `{r}` {rule_title(r)}" for r in meta.rules)
        parts.append(Markdown("## 对应质检规则\n" + rules))
    related = [c for c in cases or [] if lesson.id in c.commentary.topics]
    if related:
        rows = "\n".join(f"- `{c.id}` [{KIND_NAMES[c.commentary.kind]}] {c.title}" for c in related)
        parts.append(Markdown(f"## 相关案例\n{rows}\n\n（查看：`hotline cases show 编号`）"))
    checks = "\n".join(f"{i}. {cur.question(q).stem}" for i, q in enumerate(meta.self_check, 1))
    parts.append(Markdown(f"## 自测\n{checks}\n\n（作答：`hotline learn quiz {lesson.id}`）"))
    return Group(*parts)


_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|>|#|\||\d+\.\s)")


def unwrap_cjk(markdown: str) -> str:
    """Join hard-wrapped Chinese lines: Markdown would turn each line break into a space."""
    out: list[str] = []
    for line in markdown.splitlines():
        prev = out[-1] if out else ""
        joinable = (prev.strip() and line.strip() and not _BLOCK_START.match(line)
                    and not prev.lstrip().startswith(("#", "|")) and not prev.rstrip()[-1].isascii())
        if joinable and (not line.strip()[0].isascii() or line.strip().startswith("**")):
            out[-1] = prev.rstrip() + line.strip()
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def question_view(q: Question, number: int, total: int, topic_title: str) -> Panel:
    head = f"第 {number}/{total} 题　{TYPE_NAMES[q.type]}　{topic_title}·{DIFFICULTY_NAMES[q.difficulty]}"
    body = Text()
    if q.scenario:
        body.append(f"情景：{q.scenario}\n", style="italic")
    body.append(q.stem + "\n")
    if q.type == "rewrite":
        body.append(f"原话：{q.bad}\n", style="red")
        body.append("请输入你的改写（一行）。", style="dim")
    elif q.type == "true_false":
        body.append("请输入 对 / 错。", style="dim")
    else:
        for letter, option in zip(LETTERS, q.options, strict=False):
            body.append(f"  {letter}. {option}\n")
        hint = "可多选，如 AC" if q.type == "multiple" else "输入一个字母"
        body.append(f"（{hint}）", style="dim")
    return Panel(body, title=head, title_align="left")


def result_view(res: AnswerResult) -> Text:
    out = Text()
    if res.correct:
        out.append("✔ 回答正确\n", style="bold green")
    else:
        out.append("✘ 回答错误" if res.answered else "✘ 未作答", style="bold red")
        out.append(f"　参考答案：{res.expected}\n")
    for line in res.feedback if res.answered else []:
        out.append(f"  · {line}\n")
    out.append(f"解析：{res.explanation}", style="cyan")
    return out


def exam_summary(result: ExamResult, cur: Curriculum) -> Group:
    spec = result.exam.spec
    verdict = Text("合格" if result.passed else "不合格", style="bold green" if result.passed else "bold red")
    head = Text(f"{spec.title}　得分 {result.percent}（合格线 {spec.pass_mark}）　")
    head.append_text(verdict)
    if result.over_time:
        head.append("　（超时，超时后的题目未计分）", style="yellow")
    table = Table(title="分课程正确率")
    for col in ("课程", "答对/题数"):
        table.add_column(col)
    for topic, (right, total) in sorted(result.by_topic.items()):
        table.add_row(cur.topic_title(topic), f"{right}/{total}")
    return Group(head, table)


def case_table(cases: list[Case], cur: Curriculum) -> Table:
    table = Table(title="案例库")
    for col in ("编号", "类型", "标题", "课程"):
        table.add_column(col, overflow="fold")
    for case in cases:
        c = case.commentary
        table.add_row(case.id, KIND_NAMES[c.kind], c.title, "、".join(cur.topic_title(t) for t in c.topics))
    return table


def turn_lines(case: Case, card: Scorecard) -> list[tuple[str, Text]]:
    """(label, text) per turn: findings highlighted at their spans, findings and trainer's notes below."""
    notes: dict[int, list[str]] = {}
    for n in case.commentary.notes:
        notes.setdefault(n.turn - 1, []).append(n.note)
    rows = []
    for i, turn in enumerate(case.call.turns):
        agent = turn.speaker is Speaker.AGENT
        label = Text(f"{i + 1:>2} {'坐席' if agent else '市民'}", style="bold yellow" if agent else "bold blue")
        line = Text(turn.text)
        own = [f for f in card.findings if f.turn_index == i]
        for f in own:
            if f.span:
                line.stylize("bold white on red", *f.span)
        for f in own:
            line.append(f"\n⚠ {f.message}", style="red")
        for note in notes.get(i, []):
            line.append(f"\n✎ 讲评：{note}", style="cyan")
        rows.append((label.plain, Text.assemble(label, " ", line)))
    for f in card.findings:
        if f.turn_index is None:
            rows.append(("", Text(f"整通电话 ⚠ {f.message}", style="red")))
    return rows


def transcript(case: Case, card: Scorecard) -> Table:
    """The transcript as a grid, so long Chinese turns wrap under their own column."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for label, text in turn_lines(case, card):
        body = text[len(label) + 1 :] if label else text
        grid.add_row(text[: len(label)] if label else "", body)
    return grid


def _paragraphs(text: str) -> str:
    """Re-flow hard-wrapped Chinese paragraphs (line breaks inside a paragraph become nothing)."""
    return "\n\n".join("".join(line.strip() for line in p.splitlines()) for p in text.split("\n\n") if p.strip())


def case_view(case: Case, card: Scorecard, cur: Curriculum) -> Group:
    c = case.commentary
    head = Text(f"案例 {case.id}　{c.title}　", style="bold")
    head.append(f"[{KIND_NAMES[c.kind]}]", style={"good": "green", "bad": "red"}.get(c.kind, "yellow"))
    score = f"质检得分 {card.total}" + ("（一票否决）" if card.vetoed else "")
    parts: list[RenderableType] = [head, Text(c.summary), Text(score, style="bold")]
    parts.append(Panel(transcript(case, card), title="通话转写与质检结果", title_align="left"))
    parts.append(Panel(Text(_paragraphs(c.commentary)), title="讲评", title_align="left"))
    if c.discussion:
        parts.append(Markdown("## 讨论\n" + "\n".join(f"{i}. {d}" for i, d in enumerate(c.discussion, 1))))
    return Group(*parts)


def make_console() -> Console:
    return Console(highlight=False)
