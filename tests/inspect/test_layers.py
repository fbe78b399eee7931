"""The modules of ``hotline.inspect`` stand one above the other: every import inside the package,
including imports only for type checking and imports inside functions, points one way, and the
timing operators never reach up into the operator tree walk."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hotline.inspect

PACKAGE = "hotline.inspect"
FOLDER = Path(hotline.inspect.__file__).parent
MODULES = {p.stem for p in FOLDER.glob("*.py")}


def inner_imports(tree: ast.AST) -> set[str]:
    """The modules of the package that a module's source imports (anywhere in it)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            base = node.module
            names = [f"{base}.{a.name}" if base == PACKAGE and a.name in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            if name == PACKAGE:
                out.add("__init__")
            elif name.startswith(PACKAGE + "."):
                out.add(name.removeprefix(PACKAGE + ".").split(".")[0])
    return out


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    return {name: inner_imports(ast.parse(text)) - {name} for name, text in sources.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of the graph, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def reaches(graph: dict[str, set[str]], start: str, target: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def package_graph() -> dict[str, set[str]]:
    return import_graph({p.stem: p.read_text(encoding="utf-8") for p in FOLDER.glob("*.py")})


def test_imports_inside_the_engine_go_one_way() -> None:
    assert cycle(package_graph()) is None


@pytest.mark.parametrize(("lower", "upper"), [("timing", "operators"), ("results", "operators"),
                                              ("context", "engine"), ("timing", "engine"), ("operators", "verdicts"),
                                              ("verdicts", "engine")])
def test_a_lower_room_never_imports_an_upper_one(lower: str, upper: str) -> None:
    assert not reaches(package_graph(), lower, upper)


@pytest.mark.parametrize(
    ("sources", "circle"),
    [
        # the circle this test was written against: timing borrowed its types from operators
        ({"operators": "from hotline.inspect import timing",
          "timing": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                    "    from hotline.inspect.operators import Result"}, True),
        ({"a": "def f():\n    from hotline.inspect.b import x", "b": "import hotline.inspect.a"}, True),
        ({"a": "from hotline.inspect import Hit", "__init__": "from hotline.inspect.a import y"}, True),
        ({"operators": "from hotline.inspect import timing\nfrom hotline.inspect.results import Result",
          "timing": "from hotline.inspect.results import Result"}, False),
    ],
)
def test_the_circle_finder_sees_every_kind_of_import(sources: dict[str, str], circle: bool) -> None:
    assert (cycle(import_graph(sources)) is not None) is circle
