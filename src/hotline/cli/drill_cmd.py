"""``hotline drill`` and ``hotline scenarios``: simulated calls in the terminal and the scenario library.

Thin layer over ``hotline.simulate``: options are parsed here, everything else is library code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from hotline.errors import HotlineError

MOOD_LABELS = {"anger": "愤怒", "anxiety": "焦虑", "patience": "耐心", "trust": "信任"}
COMMANDS_HELP = "（直接回车 = 沉默不语；输入 /结束 挂断电话；/状态 查看市民情绪；/帮助 查看说明）"
END_WORDS = {"/结束", "/end", "/挂断"}


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _library(scenario_dirs: tuple[Path, ...]) -> Any:
    from hotline.simulate.library import default_library, load_library

    return load_library(scenario_dirs) if scenario_dirs else default_library()


def _responder(llm_url: str | None, llm_model: str) -> Any:
    from hotline.simulate.llm import LLMResponder

    if llm_url:
        return LLMResponder(llm_url, llm_model)
    return LLMResponder.from_env()


# ── hotline drill ───────────────────────────────────────────
@click.command("drill")
@click.argument("scenario", required=False)
@click.option("--seed", type=int, default=None, help="随机种子：同一种子的演练可以完整重现（考试用）。")
@click.option("--hints", is_flag=True, help="每说一句，立即提示这句触发的质检问题。")
@click.option("--script", "script", type=click.Path(dir_okay=False, path_type=Path),
              help="非交互：从文件逐行读取坐席的话（一行一句，“（沉默）”表示不说话，# 开头为注释），结束后输出讲评。")
@click.option("--order", "order_file", type=click.Path(dir_okay=False, path_type=Path),
              help="随演练提交的工单（JSON 或 YAML 文件），用于工单核对。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出讲评。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="把讲评写成 JSON 文件。")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), help="把演练记录（可恢复的会话状态）保存为 JSON。")
@click.option("--scenario-dir", "scenario_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="额外的场景目录（同编号的场景覆盖内置场景），可重复。")
@click.option("--llm-url", default=None, help="可选：OpenAI 兼容接口地址，用大模型润色市民台词（失败时自动回退离线台词）。")
@click.option("--llm-model", default="default", show_default=True, help="大模型名称。")
def drill(scenario: str | None, seed: int | None, hints: bool, script: Path | None, order_file: Path | None,
          as_json: bool, output: Path | None, save: Path | None, scenario_dirs: tuple[Path, ...], llm_url: str | None,
          llm_model: str) -> None:
    """情景模拟 / 实操演练：与模拟市民通话，结束后获得评分讲评。"""
    from hotline.simulate.session import DrillSession

    console = _console()
    library = _library(scenario_dirs)
    if script is not None and not scenario:
        raise click.UsageError("使用 --script 时必须指定场景编号")
    scenario_id = scenario or _pick_scenario(console, library)
    session = DrillSession.start(scenario_id, seed=seed, hints=hints, library=library,
                                 responder=_responder(llm_url, llm_model))
    if script is not None:
        _play_script(console, session, read_script(script), quiet=as_json)
    else:
        _play_interactive(console, session)
    order = load_order(order_file) if order_file else (None if script else _ask_order(console, session))
    if order is not None:
        session.submit_order(_valid_order(order, order_file))
    debrief = session.debrief()
    if save:
        save.write_text(json.dumps(session.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(debrief.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(debrief.to_dict(), ensure_ascii=False, indent=2))
    else:
        from hotline.simulate.view import debrief_view

        console.print(*debrief_view(debrief, library.defaults))


def _pick_scenario(console: Any, library: Any) -> str:
    from hotline.simulate.view import scenario_table

    ids = [sc.id for sc in library.filter()]
    console.print(scenario_table(library.filter(), library.defaults, numbered=True))
    choice = click.prompt("请选择场景（序号或编号）", default="1")
    if choice.isdigit() and 1 <= int(choice) <= len(ids):
        return ids[int(choice) - 1]
    return choice.strip()


def read_script(path: Path) -> list[str]:
    """Trainee lines from a script file; a line “（沉默）” is a silence; blank and # lines are skipped."""
    from hotline.simulate.errors import ScriptError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScriptError("脚本文件不存在", source=str(path)) from None
    except UnicodeDecodeError:
        raise ScriptError("脚本文件不是 UTF-8 编码", source=str(path)) from None
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        lines.append("" if line in ("（沉默）", "(沉默)", "...", "……") else line.removeprefix("坐席：").removeprefix("坐席:"))
    if not lines:
        raise ScriptError("脚本里没有任何坐席台词", source=str(path))
    return lines


def _header(console: Any, session: Any) -> None:
    from hotline.simulate.view import scenario_card

    console.print(scenario_card(session.scenario, session.library.defaults, session.seed))


def _play_script(console: Any, session: Any, lines: list[str], quiet: bool) -> None:
    if not quiet:
        _header(console, session)
    for line in lines:
        if session.ended:
            if not quiet:
                console.print("[dim]（通话已结束，脚本余下的台词未使用）[/dim]")
            break
        _turn(console, session, line, shown=not quiet, echo=True)
    if not session.ended:
        session.end()


def _play_interactive(console: Any, session: Any) -> None:
    _header(console, session)
    console.print(f"[dim]{COMMANDS_HELP}[/dim]")
    while not session.ended:
        try:
            line = click.prompt("坐席", default="", show_default=False, prompt_suffix="：")
        except (click.exceptions.Abort, EOFError):
            console.print()
            break
        cmd = line.strip()
        if cmd in END_WORDS:
            break
        if cmd in ("/状态", "/state"):
            console.print(_mood_text(session.state.mood()))
            continue
        if cmd in ("/帮助", "/help"):
            console.print(COMMANDS_HELP)
            continue
        _turn(console, session, cmd, shown=True, echo=False)
    session.end()


def _turn(console: Any, session: Any, said: str, shown: bool, echo: bool) -> None:
    """One trainee turn: the hints about it are printed before the citizen answers."""
    from rich.markup import escape

    hints = session.hear(said)
    if shown and echo:
        console.print(f"[bold cyan]坐席：[/bold cyan]{escape(said) if said else '[dim]（沉默）[/dim]'}")
    if shown:
        for hint in hints:
            better = f"\n      更好的说法：{escape(hint['suggestion'])}" if hint["suggestion"] else ""
            console.print(f"  [red]提示[/red] {escape(hint['message'])}{better}")
    reply = session.answer()
    if shown:
        _show_reply(console, session, reply)


def _show_reply(console: Any, session: Any, reply: Any) -> None:
    from rich.markup import escape

    if reply.text:
        console.print(f"[bold yellow]市民：[/bold yellow]{escape(reply.text)}")
    elif session.scenario.kind == "silent":
        console.print("[bold yellow]市民：[/bold yellow][dim]（电话里没有声音）[/dim]")
    if reply.ended:
        label = session.library.defaults.outcome_labels.get(reply.outcome or "", reply.outcome)
        console.print(f"[bold]—— 通话结束：{label} ——[/bold]")


def _mood_text(mood: dict[str, float]) -> str:
    return "  ".join(f"{MOOD_LABELS[k]} {v:.2f}" for k, v in mood.items())


def _ask_order(console: Any, session: Any) -> dict[str, Any] | None:
    """The full 工单 in the terminal: each field with the system's suggestion as its default (Enter takes it),
    the choices the data offers, and a field asked again (three times at most) until it is valid."""
    from hotline.workorder import form

    console.print("\n[bold]填写工单[/bold]（诉求类型留空则不提交工单；直接回车采用方括号里的系统建议）")
    suggested = form.suggest(session.call())
    types = form.request_types()
    hint = f"，系统建议：{suggested['request_type']}" if suggested["request_type"] else ""
    request_type = _ask_field("request_type", f"诉求类型（{'/'.join(types)}{hint}；留空不提交工单）", "", {})
    if not request_type:
        return None
    order: dict[str, Any] = {"request_type": request_type}
    prompts = [("caller_name", "市民姓名"), ("phone", "联系电话"), ("address", "地址"), ("event_time", "事发时间"),
               ("category", "事项分类（各级用 › 或 / 分隔）"), ("department", "承办部门"),
               ("urgency", f"紧急程度（{'/'.join(form.urgencies())}）"),
               ("deadline", f"办理时限（{'/'.join(form.deadlines())}）"), ("summary", "工单摘要")]
    if request_type == form.INVALID:
        prompts = [("invalid_reason", f"无效原因（{'/'.join(form.invalid_reasons())}）"), ("summary", "工单摘要")]
    for name, label in prompts:
        order[name] = _ask_field(name, label, suggested.get(name, ""), order)
    return order


def _ask_field(name: str, label: str, default: str, order: dict[str, Any]) -> str:
    from hotline.workorder.form import validate_form

    for _ in range(3):
        value = click.prompt(label, default=default, show_default=bool(default)).strip()
        _, errors = validate_form({**order, name: value})
        if name not in errors:
            return value
        click.echo(f"输入无效：{errors[name]}")
    click.echo(f"注意：连续 3 次输入无效，{label.split('（')[0]}留空。")
    return ""


def _valid_order(order: dict[str, Any], source: Path | None) -> dict[str, Any]:
    """The 工单 checked field by field; a bad field is an error naming it (and the file it came from)."""
    from hotline.simulate.errors import SimulateError
    from hotline.workorder.form import validate_form

    clean, errors = validate_form(order)
    if errors:
        raise SimulateError("工单有误：" + "；".join(errors.values()), source=str(source) if source else None)
    return {**order, **clean}


def load_order(path: Path) -> dict[str, Any]:
    """A 工单 from a JSON or YAML file (field names of ``hotline.model.WorkOrder``)."""
    from hotline.content import read_yaml
    from hotline.simulate.errors import SimulateError

    data = read_yaml(path, SimulateError)  # JSON is YAML too
    if not isinstance(data, dict):
        raise SimulateError("工单文件应是一个键值对象（字段名见 WorkOrder）", source=str(path))
    return data


# ── hotline scenarios ───────────────────────────────────────
@click.command("scenarios")
@click.option("--domain", default=None, help="只列出某个领域（如 欠薪、噪音、物业）。")
@click.option("--colour", "colour", type=click.Choice(["红", "黄", "蓝", "绿"]), default=None, help="只列出某种性格色彩。")
@click.option("--kind", type=click.Choice(["normal", "silent", "abusive", "wrong_number", "transfer", "elderly"]),
              default=None, help="只列出某类来电。")
@click.option("--weak", "weak", multiple=True, metavar="RULE_ID",
              help="针对性练习：给出薄弱的质检规则编号（可重复），按相关度推荐场景。")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, path_type=Path),
              help="针对性练习：从评分结果（hotline inspect 的 JSON/JSONL 输出或演练讲评 JSON）找出薄弱规则。")
@click.option("--show", "show", default=None, metavar="SCENARIO", help="查看一个场景的详情与参考示范。")
@click.option("--check", is_flag=True, help="校验全部场景：规则与检测器名称、示范问法、参考示范能否走完。")
@click.option("--scenario-dir", "scenario_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="额外的场景目录，可重复。")
def scenarios(domain: str | None, colour: str | None, kind: str | None, weak: tuple[str, ...],
              from_file: Path | None, show: str | None, check: bool, scenario_dirs: tuple[Path, ...]) -> None:
    """列出情景模拟场景；--weak 按薄弱规则推荐，--check 校验场景库。"""
    from hotline.simulate import view

    console = _console()
    library = _library(scenario_dirs)
    for err in library.errors:
        console.print(f"[red]场景文件有误，已跳过：[/red]{err}")
    if check:
        _check(console, library)
    elif show:
        console.print(view.scenario_detail(library.get(show), library.defaults))
    elif weak or from_file:
        from hotline.simulate.practice import pick_scenarios, read_score_records, weak_rules_from_records

        rules = list(weak)
        if from_file:
            rules += weak_rules_from_records(read_score_records(from_file))
            console.print(f"薄弱规则（按出现次数）：{', '.join(rules) or '无'}")
        picks = pick_scenarios(rules, library, limit=10)
        if not picks:
            raise HotlineError(f"没有场景练习这些规则：{', '.join(rules) or '（无）'}（规则编号见 hotline rulebook）")
        console.print(view.practice_table(picks, library.defaults))
    else:
        console.print(view.scenario_table(library.filter(domain, colour, kind), library.defaults))


def _check(console: Any, library: Any) -> None:
    from hotline.simulate.checks import check_library
    from hotline.simulate.engines import reading_engine, scoring_engine

    problems = check_library(library, scoring_engine(), reading_engine())
    for p in problems:
        console.print(f"[red]✗[/red] {p}")
    if problems:
        raise click.exceptions.Exit(2)
    console.print(f"[green]✓[/green] 全部 {len(library.scenarios)} 个场景校验通过")
