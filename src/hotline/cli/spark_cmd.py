"""``hotline spark inspect``: the Spark job of ``hotline.batch.spark`` from the command line (also what
``spark-submit hotline/batch/spark.py`` runs). PySpark is imported only when the command runs."""

from __future__ import annotations

import time

import click

from hotline.cli.inspect_cmd import EPILOG, EXIT_NOTHING, EXIT_OK, EXIT_SOME_BAD
from hotline.cli.unmask import grant, unmask_options


@click.group("spark")
def spark() -> None:
    """Apache Spark：在数据中台（HDFS/Hive、YARN）上批量质检（需安装 hotline-coach[spark] 与 Java 17）。"""


@spark.command("inspect", epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, help="输出位置（本地文件夹或 hdfs://…）：写入 scorecards、findings（按日期分区）"
                                                    "与 rejected 三个 Parquet 数据集")
@click.option("--master", default=None, help="Spark master，如 local[2]、yarn（用 spark-submit 提交时由它指定）")
@click.option("--rulebook", type=click.Path(dir_okay=False), default=None,
              help="城市规则库文件（在默认规则库基础上覆盖；在提交作业的机器上读取并校验，再分发到各执行器）")
@click.option("--overwrite", is_flag=True, help="输出位置已有结果时覆盖（默认报错，不覆盖）")
@click.option("--semantic", is_flag=True, help="同时使用语义向量判断（每个执行器各加载一次模型，适合少量通话）")
@unmask_options
def spark_inspect(inputs: tuple[str, ...], output: str, master: str | None, rulebook: str | None, overwrite: bool,
                  semantic: bool, unmask: bool, operator: str | None) -> None:
    """检查 JSONL 或 Parquet（文件、文件夹、通配符，本地或 hdfs://），或 Hive 表（库名.表名）中的通话。

    市民的电话、身份证号和门牌号在结果中打码；--unmask 输出原文，须有操作人并记入审计日志。"""
    from hotline.batch import spark as job
    from hotline.inspect import load_engine

    rb = load_engine(rulebook, semantic=semantic).rulebook  # validated (and compiled once) here, before Spark starts
    allowed = grant(unmask, operator, "hotline spark inspect", "parquet", inputs, output)
    started = time.perf_counter()
    session, own = job.session(master)
    say = lambda text: click.echo(text, err=True)  # noqa: E731
    say(f"Spark 已启动（{session.sparkContext.master}，{time.perf_counter() - started:.1f} 秒）")
    summary = None
    try:
        summary = job.inspect_job(session, list(inputs), output, rb, overwrite=overwrite, unmask=allowed is not None)
    finally:
        if own:
            session.stop()
        if allowed is not None:
            allowed.record(summary.calls if summary else None)
    if summary.rejected:
        say(f"有 {summary.rejected} 条记录未能读取（其余已正常检查；全部列在 {output}/rejected）：")
        for exc in summary.listed:
            say(f"  - {exc}")
    say(f"结果写入 {output}（scorecards、findings、rejected），发现 {summary.findings} 条")
    say(f"读取 {summary.calls + summary.rejected} 条记录：已检查 {summary.calls} 通，未导入 {summary.rejected} 条")
    if summary.calls == 0:
        say("没有任何可检查的通话。")
        raise click.exceptions.Exit(EXIT_NOTHING)
    raise click.exceptions.Exit(EXIT_SOME_BAD if summary.rejected else EXIT_OK)
