"""Scenarios and questions written in the browser: validated with the package's own schemas and
stored as overrides of the package data (same id replaces, a new id adds)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.content import validate
from hotline.errors import ContentError
from hotline.store.audit import record
from hotline.store.models import ContentOverride, User, utcnow

KINDS = {"scenario": "场景", "question": "题目"}


def _source(kind: str, key: str) -> str:
    return f"网页编辑的{KINDS[kind]} {key or '（新）'}"


def parse_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else None
        raise ContentError(f"YAML 语法错误：{getattr(exc, 'problem', None) or exc}", source=source, location=where) from None
    if not isinstance(data, dict):
        raise ContentError("内容应为 YAML 映射（键: 值）", source=source)
    return data


def parse_question(text: str) -> Any:
    """A question of the bank, validated like ``data/questions/*.yaml``; its topic must be a lesson."""
    from hotline.curriculum import load_curriculum
    from hotline.curriculum.schema import Question

    data = parse_yaml(text, _source("question", ""))
    q = validate(Question, data, _source("question", str(data.get("id", ""))))
    topics = load_curriculum().topic_ids()
    if q.topic not in topics:
        raise ContentError(f"topic {q.topic!r} 不是任何课程的编号；可选：{'、'.join(topics)}", source=_source("question", q.id))
    _check_rules(q.rules, _source("question", q.id))
    return q


def parse_scenario(text: str, key: str = "") -> Any:
    """A scenario, validated like ``data/scenarios/library/*.yaml``, its rule and detector names checked."""
    from hotline.inspect import default_engine
    from hotline.simulate import default_library
    from hotline.simulate.checks import check_names
    from hotline.simulate.library import fill_slot
    from hotline.simulate.schema import Scenario

    data = parse_yaml(text, _source("scenario", key))
    sc = validate(Scenario, data, _source("scenario", str(data.get("id") or key)))
    sc.id = sc.id or key
    if not sc.id:
        raise ContentError("新场景需要 id（小写字母、数字和连字符）", source=_source("scenario", ""))
    defaults = default_library().defaults
    sc.slots = {k: fill_slot(k, slot, defaults) for k, slot in sc.slots.items()}
    eng = default_engine()
    problems = check_names(sc, set(eng.rule_ids()), set(eng.detector_names()))
    if problems:
        raise ContentError("；".join(problems), source=_source("scenario", sc.id))
    return sc


def _check_rules(rules: list[str], source: str) -> None:
    from hotline.inspect import default_engine

    unknown = sorted(set(rules) - set(default_engine().rule_ids()))
    if unknown:
        raise ContentError(f"规则库中没有这些规则：{'、'.join(unknown)}", source=source)


def save(db: Session, kind: str, key: str, text: str, user: User) -> ContentOverride:
    row = db.scalar(select(ContentOverride).where(ContentOverride.kind == kind, ContentOverride.key == key))
    if row is None:
        row = ContentOverride(kind=kind, key=key, yaml_text=text, updated_by=user.id)
        db.add(row)
    row.yaml_text, row.updated_by, row.updated_at = text, user.id, utcnow()
    record(db, user, "content.save", kind, key)
    db.flush()
    return row


def overrides(db: Session, kind: str) -> dict[str, ContentOverride]:
    return {r.key: r for r in db.scalars(select(ContentOverride).where(ContentOverride.kind == kind))}


def curriculum(db: Session) -> Any:
    """The curriculum with the browser-edited questions in place."""
    from hotline.curriculum import load_curriculum

    base = load_curriculum()
    rows = overrides(db, "question")
    if not rows:
        return base
    edited = {k: parse_question(r.yaml_text) for k, r in rows.items()}
    questions = [edited.pop(q.id, q) for q in base.questions] + list(edited.values())
    return replace(base, questions=questions)


def library(db: Session) -> Any:
    """The scenario library with the browser-edited scenarios in place."""
    from hotline.simulate import default_library
    from hotline.simulate.library import ScenarioLibrary

    base = default_library()
    rows = overrides(db, "scenario")
    if not rows:
        return base
    scenarios = dict(base.scenarios)
    scenarios.update({k: parse_scenario(r.yaml_text, k) for k, r in rows.items()})
    return ScenarioLibrary(base.defaults, scenarios, list(base.errors))
