"""Where things are in a YAML file: the line of a key or list item, and keys written twice (which
PyYAML would otherwise resolve silently by keeping the last one)."""

from __future__ import annotations

from collections.abc import Iterator

import yaml


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML text that ``yaml.safe_load`` already accepted."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest node along ``loc`` that exists (a key's line for a mapping value)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        line, node = child
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def duplicate_keys(node: yaml.Node | None) -> Iterator[tuple[str, int, int]]:
    """(key, first line, repeated line) for every key written twice in the same mapping."""
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        yield key.value, seen[key.value], line
                    seen.setdefault(key.value, line)
                stack.append(value)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
