"""The 工单 summary: an objective, third-person account — 来电人 + request type: 时间，地点，事项。
诉求：…。 — built from the caller's own clauses: the opening statement of the matter, then the
informative details (the category's words, danger cues, numbers), and what the caller demands.
Fillers, hesitations, talk addressed to the agent, abuse and feelings are left out; at most
``max_chars`` characters unless the matter itself needs more. Words are data (summary_lexicon.yaml,
extraction.yaml)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hotline.workorder.narrative import Sentence
from hotline.workorder.schema import ExtractionCues, SummaryLexicon, load_extraction, load_summary_lexicon

_SPLIT = re.compile(r"[，,！!？?。；;]")
_PARTICLES = re.compile(r"[啊呀吧呢嘛哦噢哈啦噻撒咯]+(?=[，。！？；,!?;]|$)")
_HESITATION = re.compile(r"……|…|——|—")
_REPEAT = re.compile("([\u4e00-\u9fff]{2,5}?)\\1+")  # 松鹤松鹤 → 松鹤 (a stammer, not 天天 or 2020)
_CONNECTIVES = ("就是", "那么", "然后", "而且", "还有", "另外", "所以", "可是", "但是")
_NUMBERS = re.compile(r"\d|[一二三四五六七八九十两几百千万]+(天|个月|月|年|次|回|元|块|万|小时|周|个人|户|岁)")
_QUESTION = re.compile(r"[吗呢]$|^(那|就)?(还|到底)?(要|能|可以|是不是|有没有|怎么|什么|哪|多)")


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _similar(a: str, b: str) -> bool:
    """Most of ``a`` is already in ``b``."""
    ga = _bigrams(a)
    return bool(ga) and len(ga & _bigrams(b)) / len(ga) >= 0.6


class Summariser:
    """Turns the caller's clauses into report wording and picks those worth keeping."""

    def __init__(self, lexicon: SummaryLexicon | None = None, cues: ExtractionCues | None = None):
        self.lex = lexicon or load_summary_lexicon()
        self.cues = cues or load_extraction()
        self._to_agent = re.compile("|".join(map(re.escape, self.lex.to_agent)) or "$^")
        self._fillers = sorted(self.lex.fillers, key=len, reverse=True)
        self._leads = sorted(self.lex.request_leads, key=len, reverse=True)

    def dropped(self, raw: str) -> bool:
        """Abuse, feelings, talk to the agent, and words a summary must never carry."""
        to_agent = bool(self._to_agent.search(raw)) or re.search("你(?!们)", raw) is not None
        return to_agent or any(w in raw for w in [*self.lex.always, *self.lex.feelings])

    def reword(self, raw: str) -> str:
        """Report wording: no fillers, stammers or particles; 来电人 for 我; the lead (我想咨询一下) cut."""
        out = _HESITATION.sub("", raw)
        for filler in self._fillers:
            out = out.replace(filler, "")
        out = _REPEAT.sub(r"\1", out).strip("，、 ")
        out = self._cut_lead(out)
        for word in _CONNECTIVES:
            if out.startswith(word) and len(out) > len(word) + 2:
                out = out[len(word) :]
                break
        for src, dst in sorted(self.cues.pronouns.items(), key=lambda kv: len(kv[0]), reverse=True):
            out = out.replace(src, dst)
        return _PARTICLES.sub("", out).replace("你们", "有关部门").strip("，、 ")

    def _cut_lead(self, text: str) -> str:
        """想咨询一下公租房的申请条件 → 公租房的申请条件 (the type already opens the summary)."""
        for lead in self._leads:
            pos = text.find(lead)
            if 0 <= pos <= 6:
                return text[pos + len(lead) :].lstrip("，、 ")
        return text

    def clauses(self, sentences: Iterable[Sentence], keep: set[int] | None = None) -> list[tuple[str, int]]:
        """(wording, turn) of each clause worth keeping, in call order."""
        out: list[tuple[str, int]] = []
        for s in sentences:
            for part in _SPLIT.split(s.text):
                if not part.strip() or self.dropped(part):
                    continue
                text = self.reword(part)
                if len(text) >= 3 and not any(_similar(text, o) for o, _ in out):
                    out.append((text, s.turn_index))
        return out

    def demands(self, text: str) -> bool:
        return any(w in text for w in self.lex.demand_words)


def _informative(text: str, words: set[str]) -> bool:
    return any(w in text for w in words) or bool(_NUMBERS.search(text))


def _facts(parts: list[tuple[str, int]], words: set[str], budget: int, questions: bool) -> list[str]:
    """The opening turn's clauses and the informative ones from later turns, in call order, within
    ``budget`` characters (the first one is kept even when longer: the matter needs it)."""
    opening = min((t for _, t in parts), default=-1)
    kept: list[str] = []
    used = 0
    for text, turn in parts:
        if turn != opening and not _informative(text, words):
            continue
        if not questions and turn != opening and _QUESTION.search(text):
            continue
        if kept and used + len(text) + 1 > budget:
            continue
        kept.append(text)
        used += len(text) + 1
    return kept


VERBS = {"咨询": "咨询", "求助": "求助", "投诉": "投诉", "举报": "举报", "建议": "建议", "表扬": "表扬"}
_ASK_FIRST = ("咨询", "建议", "表扬")  # the question, proposal or praise is the matter itself


def compose_summary(name: str, request_type: str, when: str, where: str, event: list[Sentence],
                    request: list[Sentence], keywords: Iterable[str] = ()) -> str:
    """来电人X投诉：时间，地点，事项。诉求：…。 — objective, third person, short."""
    s = Summariser()
    head = f"来电人{name}{VERBS.get(request_type, '反映')}："
    lead = "，".join(p for p in (when, where) if p)
    asks = [t for t, _ in s.clauses(request) if not (where and _similar(t, where))]
    words = set(keywords)
    if request_type in _ASK_FIRST:
        matter, asks = asks[:2], []
    else:
        matter, asks = [], [a for a in asks if s.demands(a)][:2]
    ask_text = f"诉求：{'，'.join(asks)}。" if asks else ""
    parts = [(t, i) for t, i in s.clauses(event) if not (where and _similar(t, where)) and t not in matter]
    budget = s.lex.max_chars - len(head) - len(lead) - len(ask_text) - sum(len(m) + 1 for m in matter) - 2
    chosen = matter + _facts(parts, words, max(budget, 24), request_type == "咨询")
    body = "，".join(p for p in (lead, "，".join(chosen)) if p) or "（未说明事件）"
    return f"{head}{body}。{ask_text}"


def invalid_summary(reason: str) -> str:
    """The summary of a 无效 call (无声 / 骚扰 / 误拨)."""
    return load_summary_lexicon().invalid.get(reason, f"无效来电（{reason}）。")
