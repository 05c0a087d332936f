"""YAML loading that remembers the line of every value, so a pack error can point at it.

Also what a hostile or mistaken file must not do to the loader, refused with the line
(``YamlError``) instead of a traceback: nesting deeper than ``MAX_DEPTH`` (PyYAML's composer is
recursive), aliases that expand to more than ``MAX_VALUES`` values (nine levels of nine aliases
are 387 million), an alias that contains itself, integers beyond ``MAX_DIGITS`` digits (Python's
int-string limit), values PyYAML cannot construct (a 13th month) and keys that are not scalars.
"""

from __future__ import annotations

from typing import Any

import yaml

from liuhen.locations import Path as Path
from liuhen.locations import line_of as line_of

MAX_DEPTH = 64
MAX_VALUES = 100_000  # a pack or a year's calendar holds a few hundred
MAX_DIGITS = 100


class YamlError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load(text: str) -> tuple[Any, dict[Path, int]]:
    """The plain data of a YAML document and the 1-based line where each path's value begins."""
    try:
        _check_depth(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlError(f"YAML 语法错误：{exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        raise YamlError(f"YAML 语法错误：{exc}", None) from None
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    return _convert(node, (), lines, [MAX_VALUES]), lines


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the event stream, which PyYAML produces without recursion."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(f"嵌套超过 {MAX_DEPTH} 层", _line(event.start_mark))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _line(mark: Any) -> int | None:
    return int(mark.line) + 1 if mark is not None else None


def _convert(node: yaml.Node, path: Path, lines: dict[Path, int], budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError(f"展开别名后超过 {MAX_VALUES} 个值", _line(node.start_mark))
    if len(path) > MAX_DEPTH:  # only an alias can get here: one that contains itself
        raise YamlError(f"嵌套超过 {MAX_DEPTH} 层（别名引用了自身）", _line(node.start_mark))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("键应为文字或数字", _line(key_node.start_mark))
            key = _scalar(key_node)
            if key in out:
                raise YamlError(f"键“{key}”重复", key_node.start_mark.line + 1)
            out[key] = _convert(value_node, (*path, key), lines, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines, budget) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if node.tag == "tag:yaml.org,2002:int" and sum(c.isdigit() for c in node.value) > MAX_DIGITS:
        raise YamlError(f"数字位数过多（超过 {MAX_DIGITS} 位）", _line(node.start_mark))
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError):
        shown = str(node.value)[:40]
        raise YamlError(
            f"无法识别的值“{shown}”（如不存在的日期或不支持的类型标签）", _line(node.start_mark)
        ) from None
    finally:
        loader.dispose()
