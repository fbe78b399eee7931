"""``hotline web``: initialise the database, load demo data, manage accounts, serve the web app."""

from __future__ import annotations

import click

DB_OPTION = click.option("--database-url", envvar="HOTLINE_DATABASE_URL", default=None, help="数据库地址（默认：数据目录下的 SQLite 文件）")


def _engine(url: str | None):  # noqa: ANN202 - a SQLAlchemy Engine, imported lazily
    from hotline.store.db import make_engine

    return make_engine(url)


@click.group("web")
def web() -> None:
    """Web 应用：初始化数据库、导入演示数据、管理账号并启动服务。"""


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
    click.echo(f"已导入示例通话 {result.calls} 通，问题记录 {result.errors} 条。")
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
