"""``hotline web``: initialise the database, load demo data, manage accounts, serve the web app."""

from __future__ import annotations

import click

DB_OPTION = click.option("--database-url", envvar="HOTLINE_DATABASE_URL", default=None, help="数据库地址（默认：数据目录下的 SQLite 文件）")


def _engine(url: str | None):  # noqa: ANN202 - a SQLAlchemy Engine, imported lazily
    from hotline.store.db import make_engine

    return make_engine(url)


@click.group("web")
def web() -> None:
    """Web 应用：初始化数据库、导入演示数据、管理账号、重新质检已入库的通话并启动服务。"""


@web.command("init-db")
@DB_OPTION
def init_db(database_url: str | None) -> None:
    """创建或升级数据库表结构（可重复运行）。"""
    from hotline.store.db import migrate

    engine = _engine(database_url)
    migrate(engine)
    click.echo(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}")


@web.command("demo")
@DB_OPTION
def demo(database_url: str | None) -> None:
    """导入演示数据：每个角色一个演示用户、示例通话及其质检结果、几条复核和一条申诉。"""
    from hotline.store.db import ensure_migrated, session_factory
    from hotline.store.demo import load_demo

    engine = _engine(database_url)
    ensure_migrated(engine)
    click.echo("正在导入并质检示例通话……")
    result = load_demo(session_factory(engine))
    if not result.created:
        click.echo(f"数据库中已有用户，未重复导入演示数据（现有通话 {result.calls} 通）。")
        click.echo("演示密码只在首次生成时显示；忘记密码可运行：hotline web set-password 用户名")
        return
    click.echo(f"已导入示例通话 {result.calls} 通，未能导入的记录 {result.errors} 条。")
    click.echo("演示账号（密码只显示这一次，请记下）：")
    for username, (role, password) in result.passwords.items():
        click.echo(f"  {role:<4}  用户名 {username:<10}  密码 {password}")


@web.command("create-user")
@DB_OPTION
@click.argument("username")
@click.option("--role", type=click.Choice(["trainee", "inspector", "trainer", "admin"]), required=True, help="角色")
@click.option("--name", "display_name", default="", help="姓名")
@click.option("--agent-code", default=None, help="坐席工号（学员的通话按工号对应）")
@click.password_option("--password", prompt="密码", confirmation_prompt="再次输入密码")
def create_user_cmd(database_url: str | None, username: str, role: str, display_name: str, agent_code: str | None, password: str) -> None:
    """创建用户（第一个管理员通常用这个命令创建）。"""
    from hotline.store.accounts import create_user
    from hotline.store.db import ensure_migrated, session_factory, session_scope

    engine = _engine(database_url)
    ensure_migrated(engine)
    with session_scope(session_factory(engine)) as db:
        create_user(db, username, password, role, display_name=display_name, agent_code=agent_code)
    click.echo(f"已创建用户 {username}")


@web.command("set-password")
@DB_OPTION
@click.argument("username")
@click.password_option("--password", prompt="新密码", confirmation_prompt="再次输入新密码")
def set_password_cmd(database_url: str | None, username: str, password: str) -> None:
    """重设用户密码（并使其已登录的会话失效）。"""
    from sqlalchemy import select

    from hotline.store.accounts import AccountError, set_password
    from hotline.store.db import ensure_migrated, session_factory, session_scope
    from hotline.store.models import User

    engine = _engine(database_url)
    ensure_migrated(engine)
    with session_scope(session_factory(engine)) as db:
        user = db.scalar(select(User).where(User.username == username))
        if user is None:
            raise AccountError(f"没有用户名为“{username}”的用户")
        set_password(db, user, password, actor=None)
    click.echo(f"已重设 {username} 的密码")


@web.command("serve")
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
def serve(database_url: str | None, host: str, port: int) -> None:
    """启动 Web 服务（浏览器打开显示的地址）。"""
    import uvicorn

    from hotline.web.app import create_app
    from hotline.web.config import WebSettings

    settings = WebSettings(database_url=database_url) if database_url else WebSettings()
    app = create_app(settings)
    click.echo(f"Web 服务已启动：http://{host}:{port}/ （按 Ctrl+C 停止）")
    uvicorn.run(app, host=host, port=port, log_level="warning")


REINSPECT_OPTIONS = {"all": "--all", "batch": "--batch", "date_from": "--date-from", "date_to": "--date-to", "team": "--team",
                     "agent": "--agent", "operator": "--operator", "chunk": "--chunk-size"}


@web.command("reinspect")
@DB_OPTION
@click.option("--all", "everything", is_flag=True, help="全部已入库的通话（可再加下面的条件缩小范围）")
@click.option("--batch", "batches", multiple=True, metavar="编号", help="导入批次编号（可写多次）")
@click.option("--date-from", metavar="年-月-日", help="通话日期从这一天起")
@click.option("--date-to", metavar="年-月-日", help="通话日期到这一天止")
@click.option("--team", "teams", multiple=True, metavar="团队", help="团队名称：该团队坐席工号的通话（可写多次）")
@click.option("--agent", "agents", multiple=True, metavar="工号", help="坐席工号（可写多次）")
@click.option("--no-citizen", is_flag=True, help="只选没有市民感受或复核分流的通话（该功能之前导入的）")
@click.option("--outdated", is_flag=True, help="只选不是按当前规则库版本判定的通话")
@click.option("--semantic", is_flag=True,
              help="也用句向量判断（按规则库的 settings.semantic，与网页上传导入相同；很慢，每通约 1 CPU 秒，适合少量通话）；"
                   "默认与 hotline inspect 一样不用")
@click.option("--dry-run", is_flag=True, help="只说会重新质检多少通、用哪个规则库版本，不做改动")
@click.option("--chunk-size", default=str(200), show_default=True, metavar="条数", help="每批通话数：每批一个事务提交")
@click.option("--operator", envvar="HOTLINE_OPERATOR", metavar="用户名",
              help="操作人：在用的管理员或质检员的登录用户名（也可用环境变量 HOTLINE_OPERATOR），记入审计日志")
def reinspect_cmd(database_url: str | None, everything: bool, batches: tuple[str, ...], date_from: str | None,
                  date_to: str | None, teams: tuple[str, ...], agents: tuple[str, ...], no_citizen: bool, outdated: bool,
                  semantic: bool, dry_run: bool, chunk_size: str, operator: str | None) -> None:
    """重新质检已入库的通话：用当前规则库（网页保存的本市版本，否则内置版本）和不满意模型再判一次。

    每通电话得到新的评分表（原评分表保留为历史）；复核、申诉与补充的漏判随同一规则、同一话轮的发现转到新评分表，
    对应发现已不存在的列在结果中。每批一个事务，整次运行记一条审计日志。
    """
    from hotline.store import reinspect as rx

    try:
        sel = rx.Selection(everything, tuple(_batch_number(b) for b in batches), rx.parse_day(date_from, "date_from"),
                           rx.parse_day(date_to, "date_to"), tuple(t.strip() for t in teams if t.strip()),
                           tuple(a.strip() for a in agents if a.strip()), no_citizen, outdated)
        chunk = _chunk(chunk_size)
        code = _reinspect(database_url, sel, dry_run, chunk, operator, semantic)
    except rx.ReinspectError as exc:
        option = REINSPECT_OPTIONS.get(exc.field, "")
        raise rx.ReinspectError(f"{option}：{exc.message}" if option else exc.message, exc.field) from None
    raise click.exceptions.Exit(code)


def _batch_number(text: str) -> int:
    from hotline.store.reinspect import ReinspectError

    if not text.strip().isdigit() or not 0 < int(text) < 2**31:
        raise ReinspectError(f"导入批次编号应为正整数，收到：{text[:20]}", "batch")
    return int(text)


def _chunk(text: str) -> int:
    from hotline.store.reinspect import MAX_CHUNK, ReinspectError

    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_CHUNK:
        raise ReinspectError(f"每批条数应为 1 到 {MAX_CHUNK} 之间的整数，收到：{text[:20]}", "chunk")
    return int(text)


def _reinspect(database_url: str | None, sel, dry_run: bool, chunk: int, operator: str | None,  # noqa: ANN001
               semantic: bool) -> int:
    from hotline.store import reinspect as rx
    from hotline.store.db import ensure_migrated, session_factory
    from hotline.store.rulebooks import active_engine, active_override, title_of

    engine = _engine(database_url)
    ensure_migrated(engine)
    factory = session_factory(engine)
    with factory() as db:
        rx.check(db, sel)
        actor = None if dry_run else rx.operator_user(db, operator)
        override = active_override(db)
        eng = active_engine(db, semantic=None if semantic else False)
        version = eng.rulebook.version
        source = f"网页保存的规则库版本“{version}”" if override else f"内置规则库（版本“{version}”）"
        click.echo("\n".join(rx.preview(db, sel, version).lines(sel.describe(version), source)))
        click.echo(f"不满意模型：{_citizen_model()}；句向量：{'按规则库设置' if semantic else '不用（--semantic 打开）'}")
        if actor is None:
            click.echo("（--dry-run：未做任何改动）")
            return 0
        rx.refuse_if_running(db)
        entry, summary = rx.start(db, sel, version, actor)
        db.commit()
    summary = rx.run(factory, entry.id, sel, eng, summary, chunk, progress=_progress)
    click.echo("\n".join(summary.lines(lambda rid: title_of(eng, rid))))
    engine.dispose()
    return 1 if summary.failed else 0


@web.command("prune-history")
@DB_OPTION
@click.option("--keep", default="1", show_default=True, metavar="份数",
              help="每通电话除现行评分表外保留最近几份历史评分表（0 到 100）")
@click.option("--dry-run", is_flag=True, help="只说会删除多少份、保留多少份，不做改动")
@click.option("--operator", envvar="HOTLINE_OPERATOR", metavar="用户名",
              help="操作人：在用的管理员或质检员的登录用户名（也可用环境变量 HOTLINE_OPERATOR），记入审计日志")
def prune_history_cmd(database_url: str | None, keep: str, dry_run: bool, operator: str | None) -> None:
    """清理重新质检留下的旧评分表：每通保留现行评分表和最近几份历史评分表。

    带有复核、申诉、改分记录或补充漏判的评分表一律保留。分批删除，每批一个事务，整次运行记一条审计日志。
    """
    from hotline.store import prune
    from hotline.store.db import ensure_migrated, session_factory
    from hotline.store.reinspect import ReinspectError, operator_user

    if not keep.strip().isdigit() or int(keep) > 100:
        raise ReinspectError(f"--keep：保留份数应为 0 到 100 之间的整数，收到：{keep[:20]}", "keep")
    engine = _engine(database_url)
    ensure_migrated(engine)
    factory = session_factory(engine)
    with factory() as db:
        try:
            actor = None if dry_run else operator_user(db, operator, "清理历史评分表")
        except ReinspectError as exc:
            raise ReinspectError(f"--operator：{exc.message}", exc.field) from None
        todo = prune.plan(db, int(keep))
    click.echo("\n".join(todo.lines()))
    if actor is None:
        click.echo("（--dry-run：未做任何改动）")
    elif todo.remove:
        removed = prune.run(factory, todo, actor, lambda done, total: click.echo(f"已处理 {done}/{total} 份", err=True))
        click.echo(f"已删除历史评分表 {removed} 份。")
    else:
        click.echo("没有可以删除的历史评分表。")
    engine.dispose()


def _citizen_model() -> str:
    import os

    own = os.environ.get("HOTLINE_CITIZEN_MODEL")
    return f"HOTLINE_CITIZEN_MODEL={own}" if own else "内置模型"


def _progress(s) -> None:  # noqa: ANN001 - a reinspect.Summary
    click.echo(f"已处理 {s.done}/{s.selected} 通（结论有变化 {s.changed}，失败 {len(s.failed)}）", err=True)
