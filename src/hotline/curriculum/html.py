"""HTML pages of the curriculum: a printable certificate and a case page (transcript with the
engine's findings highlighted, plus the trainer's commentary). Self-contained, print CSS inline."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from hotline.curriculum.cases import KIND_NAMES, Case
from hotline.curriculum.exams import ExamResult
from hotline.model import Scorecard, Speaker

_CERT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }} - {{ name }}</title>
<style>
@page { size: A4 landscape; margin: 0; }
body { margin: 0; font-family: "Noto Serif CJK SC", "Songti SC", "SimSun", serif; background: #f4f1ea; }
.sheet { width: 297mm; height: 210mm; box-sizing: border-box; padding: 18mm; margin: 0 auto; background: #fff; }
.frame { height: 100%; box-sizing: border-box; border: 3mm double #b22222; padding: 14mm 20mm; text-align: center; }
h1 { font-size: 30pt; letter-spacing: 0.3em; color: #b22222; margin: 4mm 0 10mm; }
.name { font-size: 24pt; font-weight: bold; border-bottom: 1px solid #333; padding: 0 12mm; }
p.body { font-size: 15pt; line-height: 2.1; margin: 8mm 10mm; text-align: left; text-indent: 2em; }
.meta { display: flex; justify-content: space-between; font-size: 11pt; margin-top: 18mm; color: #333; }
.issuer { text-align: right; font-size: 14pt; }
@media print { body { background: #fff; } .sheet { margin: 0; } }
</style></head><body><div class="sheet"><div class="frame">
<h1>{{ title }}</h1>
<p class="body"><span class="name">{{ name }}</span> 同志参加“{{ exam_title }}”，
成绩 {{ '%g' % percent }} 分（满分 100 分，合格线 {{ '%g' % pass_mark }} 分），考试合格，特发此证。</p>
<div class="meta"><div>证书编号：{{ number }}<br>试卷编号：{{ exam_id }}-{{ seed }}</div>
<div class="issuer">{{ issuer }}<br>{{ day }}</div></div>
</div></div></body></html>
"""

_CASE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>案例 {{ case.id }}：{{ c.title }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 880px;
       margin: 2em auto; color: #222; line-height: 1.7; }
.kind { display: inline-block; padding: 0 .6em; border-radius: 3px; color: #fff; background: #777; }
.kind.good { background: #2e7d32; } .kind.bad { background: #c62828; } .kind.mixed { background: #ef6c00; }
.turn { margin: .4em 0; padding: .3em .6em; border-left: 4px solid #90caf9; }
.turn.agent { border-color: #ffb74d; background: #fffaf2; }
.who { font-weight: bold; margin-right: .5em; } .idx { color: #999; font-size: .8em; margin-right: .4em; }
mark { background: #ffcdd2; } .note { color: #1565c0; font-size: .9em; margin-left: 2.2em; }
.finding { color: #b71c1c; font-size: .9em; margin-left: 2.2em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2em .6em; }
@media print { body { margin: 0; } }
</style></head><body>
<h1>案例 {{ case.id }}：{{ c.title }} <span class="kind {{ c.kind }}">{{ kind }}</span></h1>
<p>{{ c.summary }}</p>
<p>课程：{{ topics }}　·　质检得分：{{ card.total }}{% if card.vetoed %}（一票否决）{% endif %}</p>
<h2>通话转写与质检结果</h2>
{% for t in turns %}<div class="turn {{ 'agent' if t.agent else 'citizen' }}"><span class="idx">{{ t.index }}</span>
<span class="who">{{ t.speaker }}</span>{% for s in t.segments %}{% if s.findings %}<mark>{{ s.text }}</mark>{% else %}{{ s.text }}{% endif %}{% endfor %}
{% for f in t.findings %}<div class="finding">⚠ {{ f.message }}{% if f.suggestion %}　建议：{{ f.suggestion }}{% endif %}</div>{% endfor %}
{% for n in t.notes %}<div class="note">✎ 讲评：{{ n }}</div>{% endfor %}</div>
{% endfor %}
{% if call_findings %}<h3>整通电话</h3><ul>{% for f in call_findings %}<li>{{ f.message }}{% if f.suggestion %}（建议：{{ f.suggestion }}）{% endif %}</li>{% endfor %}</ul>{% endif %}
<h2>讲评</h2>{% for para in commentary %}<p>{{ para }}</p>{% endfor %}
{% if c.discussion %}<h2>讨论</h2><ol>{% for d in c.discussion %}<li>{{ d }}</li>{% endfor %}</ol>{% endif %}
<p style="color:#999;font-size:.8em">质检结果由规则库 {{ card.rulebook_version }} 在生成本页时计算。</p>
</body></html>
"""


def _env() -> Any:
    from jinja2 import Environment

    return Environment(autoescape=True)


def certificate_number(result: ExamResult, name: str, day: str) -> str:
    key = f"{result.exam.spec.id}|{result.exam.seed}|{name}|{day}|{result.percent}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12].upper()


def certificate_html(result: ExamResult, name: str, issuer: str, title: str, day: date | None = None) -> str:
    """A printable A4 certificate; refuses a result that did not pass."""
    from hotline.curriculum.loader import CurriculumError

    if not result.passed:
        raise CurriculumError("考试未通过，不能生成合格证书")
    if not name.strip():
        raise CurriculumError("证书需要学员姓名（--name）")
    day_text = (day or date.today()).strftime("%Y年%m月%d日")
    return _env().from_string(_CERT).render(
        title=title, name=name.strip(), exam_title=result.exam.spec.title, percent=result.percent,
        pass_mark=result.exam.spec.pass_mark, number=certificate_number(result, name.strip(), day_text),
        exam_id=result.exam.spec.id, seed=result.exam.seed, issuer=issuer, day=day_text,
    )


def case_html(case: Case, card: Scorecard, topic_titles: dict[str, str]) -> str:
    """The case page: highlighted transcript, the engine's findings and the trainer's notes."""
    from hotline.formats.report import segments

    notes: dict[int, list[str]] = {}
    for n in case.commentary.notes:
        notes.setdefault(n.turn - 1, []).append(n.note)
    turns = []
    for i, turn in enumerate(case.call.turns):
        own = [f for f in card.findings if f.turn_index == i]
        spans = [(k, f.span) for k, f in enumerate(own) if f.span]
        turns.append({
            "index": i + 1, "agent": turn.speaker is Speaker.AGENT,
            "speaker": "坐席" if turn.speaker is Speaker.AGENT else "市民",
            "segments": segments(turn.text, spans), "findings": own, "notes": notes.get(i, []),
        })
    c = case.commentary
    return _env().from_string(_CASE).render(
        case=case, c=c, card=card, turns=turns, kind=KIND_NAMES[c.kind],
        topics="、".join(topic_titles.get(t, t) for t in c.topics),
        call_findings=[f for f in card.findings if f.turn_index is None],
        commentary=["".join(line.strip() for line in p.splitlines()) for p in c.commentary.split("\n\n") if p.strip()],
    )
