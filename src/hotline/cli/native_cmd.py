"""``hotline native build|status``: the engine's hot modules compiled to C (``hotline.native``)."""

from __future__ import annotations

import click


@click.group("native")
def native() -> None:
    """编译模块：把质检引擎的热点模块编译为 C（结果与纯 Python 相同，速度更快）。"""


@native.command("build")
def build_cmd() -> None:
    """编译（make install 会自动执行；源代码改动后重新编译）。"""
    from hotline import native as n

    n.build()
    n.state.cache_clear()
    click.echo(f"编译完成：{n.state()[1]}")


@native.command("status")
def status_cmd() -> None:
    """说明当前是否使用编译模块，以及原因。"""
    from hotline import native as n

    click.echo(n.state()[1])
