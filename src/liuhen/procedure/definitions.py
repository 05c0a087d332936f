"""Loading the act catalog and the document forms from their YAML files, checked as they load.

The definitions are data a legal reviewer reads, so they live in YAML in this package
(``acts.yaml`` for liuhen.procedure.catalog, ``documents.yaml`` for liuhen.documents.types),
and each field list is written once: shared fields and groups by name, and a document's fields
taken from the act it records where they are the same field. Anything the
loader does not know is refused with the file and line, so a typo fails at import and never
reaches a form a party signs.

A YAML file holds ``lists`` (named lists of words), ``groups`` (named field lists) and one
mapping of entries. An item of a ``fields`` list is one of:

* ``{name, label, kind, required, choices, max_length}``: a field; ``kind`` defaults to text,
  ``required`` to true, and ``choices`` is a list or the name of a list; ``import_required:
  false`` (a required field only) lets an import of an older record lack it;
* the name of a group, spliced in place; ``{label}`` in a group's labels becomes the label of
  the entry using it (查封理由, 扣押理由 from one 行政强制 group);
* the name of a field of the entries the loader is given to borrow from (for a document: the
  acts it records, the first that has the field), taken as it is.

Groups win over borrowed fields of the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from liuhen.locations import Path, line_of
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.fields import FieldKind, FieldSpec

Check = Callable[[Any, "Context"], Any]
Schema = Mapping[str, tuple[Check, Any]]  # key: (check, default or REQUIRED)
REQUIRED = object()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FIELD_KEYS = {
    "name", "label", "kind", "required", "choices", "max_length", "form", "import_required",
}  # fmt: skip
_TOP_KEYS = {"lists", "groups", "sample_values"}  # sample_values: anchors for samples only


class DefinitionError(ValueError):
    """A definition file that does not say what the code needs; the message names the line."""


@dataclass(frozen=True)
class Entry:
    """One act or document as its file writes it, with the fields resolved and values checked."""

    key: str
    fields: tuple[FieldSpec, ...]
    values: dict[str, Any]


@dataclass(frozen=True)
class Definitions:
    entries: tuple[Entry, ...]
    lists: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[FieldSpec, ...]]


@dataclass(frozen=True)
class Context:
    """Where a value sits, so that an error can name the file and the line."""

    file: str
    lines: dict[Path, int]
    path: Path
    lists: Mapping[str, tuple[str, ...]]

    def at(self, *more: str | int) -> Context:
        return Context(self.file, self.lines, (*self.path, *more), self.lists)

    def error(self, message: str, line: int | None = None) -> DefinitionError:
        line = line or line_of(self.lines, self.path)
        where = ".".join(str(p) for p in self.path)
        return DefinitionError(f"{self.file} 第 {line} 行（{where}）：{message}")


@cache
def read(resource: str) -> tuple[Any, dict[Path, int]]:
    """The parsed file ``resource`` (relative to the liuhen package) and its value lines."""
    return parse(resource, files("liuhen").joinpath(resource).read_text(encoding="utf-8"))


def parse(resource: str, text: str) -> tuple[Any, dict[Path, int]]:
    """The plain data of ``text`` and the line of each value, duplicate keys refused.

    The files are the package's own, so the guards ``liuhen.rules.yamlmarks`` keeps against a
    hostile file are not needed, and its pure-Python parse would cost every process that
    imports the catalog a third of a second; the C loader costs a few milliseconds.
    """
    lines: dict[Path, int] = {}
    ctx = Context(resource, lines, (), {})
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ctx.error(f"YAML 语法错误：{exc.problem or exc}", line) from None
    if node is None:
        return None, lines
    return _plain(node, ctx, SafeConstructor()), lines


def _plain(node: yaml.Node, ctx: Context, constructor: SafeConstructor) -> Any:
    ctx.lines[ctx.path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = (
                _plain(key_node, ctx, constructor)
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if not isinstance(key, str | int) or key in out:
                raise ctx.error(f"键“{key}”重复或不是文字", line)
            out[key] = _plain(value_node, ctx.at(key), constructor)
            ctx.lines[(*ctx.path, key)] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, ctx.at(i), constructor) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:str":
        return node.value  # what the constructor would return, at a fraction of the cost
    try:
        return constructor.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError):
        raise ctx.error(f"无法识别的值“{str(node.value)[:40]}”") from None


def load(
    resource: str,
    entries_key: str,
    schema: Schema,
    *,
    lists: Mapping[str, tuple[str, ...]] = {},
    borrow: Callable[[dict[str, Any]], Mapping[str, FieldSpec]] | None = None,
    check_key: Callable[[str, Context], object] | None = None,
) -> Definitions:
    """The entries of ``resource``; ``lists`` adds named lists the code owns (enum values).

    ``borrow`` gives, from an entry's checked values, the fields its list may name (a
    document's acts); ``check_key`` refuses an entry's key (an act code of an unknown stage).
    """
    data, lines = read(resource)
    top = Context(resource, lines, (), lists)
    if not isinstance(data, dict):
        raise top.error("应为映射")
    unknown = sorted(set(data) - _TOP_KEYS - {entries_key})
    if unknown:
        raise top.error(f"未知的项：{'、'.join(map(str, unknown))}")
    all_lists = dict(lists)
    for name, items in _mapping(data.get("lists", {}), top.at("lists")).items():
        if name in all_lists:
            raise top.at("lists", name).error("与程序内置的列表重名")
        all_lists[name] = strings(items, top.at("lists", name))
    ctx = Context(resource, lines, (), all_lists)
    groups = _mapping(data.get("groups", {}), ctx.at("groups"))
    resolved = {
        name: _fields(items, ctx.at("groups", name), groups, {}, {}, (name,))
        for name, items in groups.items()
    }
    entries: list[Entry] = []
    for key, raw in _mapping(data.get(entries_key), ctx.at(entries_key)).items():
        here = ctx.at(entries_key, key)
        if check_key:
            check_key(key, here)
        spec = _mapping(raw, here)
        values: dict[str, Any] = {}
        for name in spec:
            if name != "fields" and name not in schema:
                raise here.at(name).error("未知的项")
        for name, (check, default) in schema.items():
            if name in spec:
                values[name] = check(spec[name], here.at(name))
            elif default is REQUIRED:
                raise here.error(f"缺少“{name}”")
            else:
                values[name] = default
        outside = borrow(values) if borrow else {}
        fields = _fields(spec.get("fields"), here.at("fields"), groups, outside, values, ())
        entries.append(Entry(str(key), fields, values))
    return Definitions(tuple(entries), all_lists, resolved)


def titles(resource: str, entries_key: str, title_key: str) -> dict[str, str]:
    """Each entry's title alone, for a module that must name the entries before it can load
    them whole (the catalog names the documents; the documents' fields need the catalog)."""
    data, lines = read(resource)
    ctx = Context(resource, lines, (), {})
    entries = _mapping(_mapping(data, ctx).get(entries_key), ctx.at(entries_key))
    return {
        key: text(
            _mapping(entry, ctx.at(entries_key, key)).get(title_key),
            ctx.at(entries_key, key, title_key),
        )
        for key, entry in entries.items()
    }


def _mapping(value: Any, ctx: Context) -> JsonObject:
    """A mapping of the parsed file, before its values are checked."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ctx.error("应为以文字为键的映射")
    return value


def _fields(
    items: Any,
    ctx: Context,
    groups: JsonObject,
    outside: Mapping[str, FieldSpec],
    values: dict[str, Any],
    seen: tuple[str, ...],
) -> tuple[FieldSpec, ...]:
    if not isinstance(items, list) or not items:
        raise ctx.error("字段应为非空列表")
    out: list[FieldSpec] = []
    for i, item in enumerate(items):
        here = ctx.at(i)
        if isinstance(item, dict):
            these: tuple[FieldSpec, ...] = (_field(item, here),)
        elif isinstance(item, str) and item in groups:
            if item in seen:
                raise here.error(f"字段组“{item}”引用了自身")
            where = Context(ctx.file, ctx.lines, ("groups", item), ctx.lists)
            these = _fields(groups[item], where, groups, {}, values, (*seen, item))
            label = values.get("label")
            if isinstance(label, str):
                these = tuple(
                    replace(f, label=f.label.replace("{label}", label))
                    if "{label}" in f.label
                    else f
                    for f in these
                )
        elif isinstance(item, str) and item in outside:
            these = (outside[item],)
        else:
            raise here.error(f"应为字段定义、字段组名或所记录事项的字段名，而不是“{item}”")
        for spec in these:
            if any(f.name == spec.name for f in out):
                raise here.error(f"字段“{spec.name}”重复")
            out.append(spec)
    return tuple(out)


def _field(item: JsonObject, ctx: Context) -> FieldSpec:
    unknown = sorted(set(map(str, item)) - _FIELD_KEYS)
    if unknown:
        raise ctx.error(f"字段含未知的项：{'、'.join(unknown)}")
    name = text(item.get("name"), ctx.at("name"))
    label = text(item.get("label"), ctx.at("label"))
    try:
        kind = FieldKind(item.get("kind", FieldKind.TEXT.value))
    except ValueError:
        raise ctx.at("kind").error(f"未知的字段类型“{item.get('kind')}”") from None
    required = flag(item.get("required", True), ctx.at("required"))
    choices = strings(item["choices"], ctx.at("choices")) if "choices" in item else ()
    if (kind is FieldKind.CHOICE) != bool(choices):
        raise ctx.error("选项（choices）只用于且必须用于 choice 类型的字段")
    max_length = item.get("max_length")
    if max_length is not None and (type(max_length) is not int or max_length <= 0):
        raise ctx.at("max_length").error("应为正整数")
    form = flag(item.get("form", True), ctx.at("form"))
    if form is False and required:
        raise ctx.at("form").error("不在表单中填写的字段（form: false）须为选填（required: false）")
    import_required = flag(item.get("import_required", True), ctx.at("import_required"))
    if not import_required and not required:
        raise ctx.at("import_required").error("import_required: false 只用于必填字段")
    return FieldSpec(name, label, kind, required, choices, max_length, form, import_required)


# Checks for schema values ---------------------------------------------------------------------


def text(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not value:
        raise ctx.error("应为非空文字")
    return value


def flag(value: Any, ctx: Context) -> bool:
    if not isinstance(value, bool):
        raise ctx.error("应为 true 或 false")
    return value


def strings(value: Any, ctx: Context) -> tuple[str, ...]:
    """A list of words, or the name of one of the file's (or the code's) lists."""
    if isinstance(value, str):
        if value not in ctx.lists:
            raise ctx.error(f"未知的列表“{value}”")
        return ctx.lists[value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ctx.error("应为文字列表或列表名")
    if len(set(value)) != len(value):
        raise ctx.error("列表中有重复项")
    return tuple(value)


def labels(value: Any, ctx: Context) -> dict[str, str]:
    mapping = _mapping(value, ctx)
    for key, label in mapping.items():
        text(label, ctx.at(key))
    return mapping


def plain(value: Any, ctx: Context) -> FieldValues:
    """A document's sample field values, JSON-like values only: an unquoted date would load as
    a date and break the sample."""

    def walk(v: Any, here: Context) -> None:
        if isinstance(v, dict):
            for k, item in _mapping(v, here).items():
                walk(item, here.at(k))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                walk(item, here.at(i))
        elif not isinstance(v, str | int | bool):
            raise here.error(f"应为文字、整数或是非，而不是 {type(v).__name__}（日期须加引号）")

    walk(_mapping(value, ctx), ctx)
    return dict(value)
