"""``--unmask`` for the commands that write citizens' details (``hotline inspect``, ``hotline spark inspect``,
the human-facing 工单 outputs): everything they write is masked unless a named operator asks for the
original text. Each such run is audited: one JSON line (time in Beijing time, operator, command, format,
input, output, number of calls) appended to the audit log file (``HOTLINE_AUDIT_LOG``, by default
``$XDG_STATE_HOME/hotline/audit.jsonl``, i.e. ``~/.local/state/hotline/audit.jsonl``) and, when a database
is configured (``HOTLINE_DATABASE_URL``), a ``cli.unmask`` entry in the store's audit log — there the
operator must be an active user whose role may unmask (``roles_may_unmask`` in ``data/masking.yaml``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from hotline.errors import describe_os_error

OPERATOR_ENV = "HOTLINE_OPERATOR"
AUDIT_ENV = "HOTLINE_AUDIT_LOG"
DATABASE_ENV = "HOTLINE_DATABASE_URL"
ACTION = "cli.unmask"
SCREEN = "（屏幕）"
NO_OPERATOR = ("--unmask（输出不打码的原文）须指明操作人：请加 --operator 姓名，或设置环境变量 HOTLINE_OPERATOR；"
               "每次使用都记入审计日志。")

F = TypeVar("F", bound=Callable[..., Any])


def unmask_options(f: F) -> F:
    """The ``--unmask`` and ``--operator`` options of a command."""
    f = click.option("--operator", metavar="姓名",
                     help=f"操作人（--unmask 时必填，写入审计日志；也可用环境变量 {OPERATOR_ENV}）")(f)
    return click.option("--unmask", is_flag=True,
                        help="输出不打码的原文（默认电话、身份证号、门牌号打码；须有操作人，记入审计日志）")(f)


def audit_path() -> Path:
    """Where the CLI's audit lines go: ``HOTLINE_AUDIT_LOG``, else the user's state folder."""
    if named := os.environ.get(AUDIT_ENV):
        return Path(named).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "hotline" / "audit.jsonl"


@dataclass(slots=True)
class Grant:
    """An allowed ``--unmask`` run; ``record`` writes its audit entries once the run is over."""

    operator: str
    command: str
    fmt: str
    inputs: list[str]
    output: str
    log: Path
    user_id: int | None = None
    database: str | None = None
    written: list[str] = field(default_factory=list)

    def record(self, calls: int | None) -> None:
        from hotline.web.timefmt import BEIJING

        entry = {"time": datetime.now(BEIJING).isoformat(timespec="seconds"), "action": ACTION,
                 "operator": self.operator, "command": self.command, "format": self.fmt, "input": self.inputs,
                 "output": self.output, "calls": calls}
        try:
            with self.log.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:
            click.echo(f"警告：审计日志 {self.log} 写入失败（{describe_os_error(exc, with_name=False)}）", err=True)
        else:
            self.written.append(str(self.log))
        if self.database:
            self._record_in_store(calls)
        click.echo(f"已输出未脱敏结果（操作人 {self.operator}，{calls if calls is not None else '未完成'} 通），"
                   f"已记入审计日志：{'、'.join(self.written) or '（写入失败）'}", err=True)

    def _record_in_store(self, calls: int | None) -> None:
        from hotline.store.audit import record
        from hotline.store.db import make_engine, session_factory, session_scope

        try:
            engine = make_engine(self.database)
            with session_scope(session_factory(engine)) as db:
                entry = record(db, None, ACTION, "calls", Path(self.output).name[:64], operator=self.operator,
                               command=self.command, format=self.fmt, files=self.inputs, output=self.output,
                               calls=calls)
                entry.user_id = self.user_id
            engine.dispose()
        except Exception as exc:  # the file line stands; say that the database one is missing
            click.echo(f"警告：数据库审计日志写入失败（{type(exc).__name__}: {str(exc).splitlines()[0][:120]}）", err=True)
        else:
            self.written.append("数据库审计日志")


def grant(unmask: bool, operator: str | None, command: str, fmt: str, inputs: Iterable[object],
          output: object | None) -> Grant | None:
    """None when the output is to be masked (no ``--unmask``); else the audited permission, refused with a
    Chinese message (before anything is written) when no operator is named, the audit log cannot be
    written, or the configured database does not know the operator as a user who may unmask."""
    if not unmask:
        return None
    name = (operator or os.environ.get(OPERATOR_ENV) or "").strip()
    if not name:
        raise click.UsageError(NO_OPERATOR)
    log = audit_path()
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise click.UsageError(f"无法写入审计日志 {log}（{describe_os_error(exc, with_name=False)}），未脱敏的结果不输出："
                               f"请设置环境变量 {AUDIT_ENV} 指向可写的文件。") from None
    database = os.environ.get(DATABASE_ENV) or None
    user_id = _store_user(database, name) if database else None
    return Grant(name, command, fmt, [str(p) for p in inputs], str(output) if output else SCREEN, log, user_id,
                 database)


def _store_user(database: str, name: str) -> int:
    """The id of the active user ``name`` whose role may unmask, in the configured database."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from hotline.masking import may_unmask
    from hotline.store.db import make_engine, session_factory
    from hotline.store.models import User

    engine = make_engine(database)
    try:
        with session_factory(engine)() as db:
            user = db.scalar(select(User).where(User.username == name))
    except SQLAlchemyError as exc:
        raise click.UsageError(f"无法在数据库（{DATABASE_ENV}）中核对操作人 {name}：{str(exc).splitlines()[0][:120]}") from None
    finally:
        engine.dispose()
    if user is None or not user.active:
        raise click.UsageError(f"操作人 {name} 不是数据库（{DATABASE_ENV}）中的在用账号：--operator 请填本人的登录用户名。")
    if not may_unmask(user.role):
        raise click.UsageError(f"操作人 {name} 的角色无权查看未脱敏信息（可查看的角色见 masking.yaml 的 roles_may_unmask）。")
    return user.id
