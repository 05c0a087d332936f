"""Importing one case with its whole history, all or nothing.

The file is checked completely before anything is journaled, and every problem is reported with
its line, so a migration team fixes a file in one pass; then all its entries are appended as one
unit, so a failure in the database leaves no part of the case behind either.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from liuhen.errors import ImportFormatError, LiuhenError, Problem
from liuhen.journal.entry import entry_document
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended, Draft
from liuhen.kernel.jsonlines import Path, Refused, line_of, locate
from liuhen.kernel.record import ActInput, build_draft
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import ActType, Role, act_type
from liuhen.procedure.fields import FieldKind, out_of_range, parse_datetime

FORMAT = "liuhen-case/1"
_SHOWN_LEVELS = 8
_ENTRY_KEYS = {
    "act",
    "occurred_at",
    "recorded_at",
    "actors",
    "place",
    "fields",
    "attachments",
    "recorded_by",
    "corrects_entry",
}


def _problem(lines: dict[Path, int], path: Path, message: str) -> Problem:
    return Problem(message, _field(path), line_of(lines, path))


def _field(path: Path) -> str | None:
    """``entries[1].fields.name``; a very deep path keeps its first levels, enough to find it."""
    shown = ".".join(_fmt(path[:_SHOWN_LEVELS])).replace(".[", "[")
    return (shown + ("…" if len(path) > _SHOWN_LEVELS else "")) or None


# The decoder's messages, for the people who fix the file (they read Chinese).
_SYNTAX = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting value": "缺少值（或多了逗号）",
    "Expecting property name enclosed in double quotes": "键应为双引号括起的文字（或多了逗号）",
    "Unterminated string starting at": "字符串缺少结束的双引号",
    "Invalid control character at": "字符串中有控制字符（换行应写作 \\n）",
    "Invalid \\escape": "无效的转义（反斜杠应写作 \\\\）",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Extra data": "JSON 对象结束后还有多余内容",
}


def _syntax(message: str) -> str:
    return _SYNTAX.get(message, message)


def _fmt(path: Path) -> list[str]:
    return [f"[{p}]" if isinstance(p, int) else p for p in path]


def parse(text: str, now: datetime) -> tuple[str, list[Draft]]:
    """Validated drafts for every entry, or ``ImportFormatError`` naming each problem."""
    doc, lines = _located(text)
    if not isinstance(doc, dict):
        raise ImportFormatError("导入文件应为一个 JSON 对象", [Problem("顶层不是对象", None, 1)])
    parser = _Parser(lines, now)
    case, source, entries = parser.header(doc)
    drafts: list[Draft] = []
    for i, raw in enumerate(entries):
        draft = parser.entry(i, raw, case, source)
        if draft is not None:
            drafts.append(draft)
    problems = parser.problems
    if problems:
        raise ImportFormatError(f"导入文件有 {len(problems)} 处问题，未导入任何内容", problems)
    assert isinstance(case, str)
    return case.strip(), drafts


def _located(text: str) -> tuple[Any, dict[Path, int]]:
    """The decoded file and each value's line, or the one problem that stopped the decoding."""
    try:
        return locate(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            "导入文件不是有效的 JSON，未导入任何内容",
            [Problem(f"JSON 语法错误：{_syntax(exc.msg)}（第 {exc.colno} 列）", None, exc.lineno)],
        ) from None
    except Refused as exc:
        raise ImportFormatError(
            "导入文件有 1 处问题，未导入任何内容",
            [Problem(exc.message, _field(exc.path), exc.line)],
        ) from None


class _Parser:
    """Checks one file's entries in order, collecting every problem with its line; remembers
    what later entries are judged against (the opening time, the last recorded time)."""

    def __init__(self, lines: dict[Path, int], now: datetime) -> None:
        self.lines = lines
        self.now = now
        self.problems: list[Problem] = []
        self.opened_at: datetime | None = None
        self.last_recorded: datetime | None = None

    def bad(self, path: Path, message: str) -> None:
        self.problems.append(_problem(self.lines, path, message))

    def header(self, doc: JsonObject) -> tuple[Any, Any, list[Any]]:
        """The file's case, source and entries, each checked."""
        if doc.get("format") != FORMAT:
            self.bad(("format",), f"应为 “{FORMAT}”")
        source = doc.get("source")
        if not isinstance(source, str) or not source.strip():
            self.bad(("source",), "必填：来源系统名称")
        case = doc.get("case")
        if not isinstance(case, str) or not case.strip():
            self.bad(("case",), "必填：案件编号")
        entries = doc.get("entries")
        if not isinstance(entries, list) or not entries:
            self.bad(("entries",), "应为非空的记录列表")
            entries = []
        return case, source, entries

    def entry(self, i: int, raw: Any, case: Any, source: Any) -> Draft | None:
        """The draft for entry ``i``, or None when it has a problem that stops its check."""
        path: Path = ("entries", i)
        if not isinstance(raw, dict):
            self.bad(path, "记录应为对象")
            return None
        for key in sorted(set(raw) - _ENTRY_KEYS):
            self.bad((*path, key), "未知的键")
        spec = self._spec(i, path, raw)
        if spec is None:
            return None
        recorded = self._times(i, path, raw)
        target = self._corrects(i, path, raw, spec)
        fields, refs = self._fields(i, path, raw, spec)
        if target is not None:
            refs["corrects"] = target
        by = raw.get("recorded_by") or {"id": "import", "role": Role.SYSTEM.value}
        if not isinstance(by, dict) or not isinstance(by.get("role"), str):
            self.bad((*path, "recorded_by"), '应为 {"id", "role"}')
            return None
        actors = raw.get("actors", [])
        if not isinstance(actors, list) or not all(isinstance(a, str) for a in actors):
            self.bad((*path, "actors"), "应为执法证号列表")
            return None
        act = ActInput(
            act=spec.code,
            occurred_at=raw.get("occurred_at", ""),
            case=case if isinstance(case, str) else "",
            actors=actors,
            place=raw.get("place"),
            fields=fields,
            attachments=raw.get("attachments") or [],
            corrects=0 if target is not None else None,
            recorded_by={k: str(v) for k, v in by.items() if k in ("id", "role")},
            imported={
                "source": source.strip() if isinstance(source, str) else "",
                "recorded_at": recorded.isoformat() if recorded else None,
            },
        )
        try:
            draft = build_draft(act, self.now)
        except LiuhenError as exc:
            for p in exc.problems or [Problem(exc.message)]:
                sub = (
                    tuple(int(s) if s.isdigit() else s for s in _split(p.field)) if p.field else ()
                )
                self.problems.append(_problem(self.lines, (*path, *sub), p.message))
            return None
        draft.refs = refs
        return draft

    def _spec(self, i: int, path: Path, raw: JsonObject) -> ActType | None:
        code = raw.get("act")
        spec = act_type(code) if isinstance(code, str) else None
        if spec is None:
            self.bad((*path, "act"), f"未知的事项类型“{code}”")
            return None
        if i == 0 and not spec.opens_case:
            self.bad(
                (*path, "act"),
                "第一条记录必须是启动案件的事项（立案、受理、投诉举报登记或简易程序）",
            )
        if i > 0 and spec.opens_case:
            self.bad((*path, "act"), "案件已由第一条记录启动，不能再次启动")
        return spec

    def _times(self, i: int, path: Path, raw: JsonObject) -> datetime | None:
        """The source system's recorded time, checked with the occurred time against now, the
        case's opening and the previous entry."""
        occurred = parse_datetime(raw.get("occurred_at"))
        recorded = parse_datetime(raw.get("recorded_at"))
        if recorded is None:
            self.bad((*path, "recorded_at"), "必填：来源系统的记录时间，带时区的 ISO 8601")
        elif recorded > self.now:
            self.bad((*path, "recorded_at"), "记录时间晚于当前时间")
        elif (why := out_of_range(recorded)) is not None:
            self.bad((*path, "recorded_at"), f"记录时间{why}")
        if occurred is not None and recorded is not None and recorded < occurred:
            self.bad((*path, "recorded_at"), "记录时间早于发生时间：不能先记录后发生")
        if occurred is not None:
            if i == 0:
                self.opened_at = occurred
            elif self.opened_at is not None and occurred < self.opened_at:
                self.bad((*path, "occurred_at"), "发生时间早于案件启动时间")
        if recorded is not None:
            if self.last_recorded is not None and recorded < self.last_recorded:
                self.bad((*path, "recorded_at"), "记录须按来源系统的记录时间先后排列")
            self.last_recorded = recorded
        return recorded

    def _corrects(self, i: int, path: Path, raw: JsonObject, spec: ActType) -> int | None:
        """The index of the entry this one corrects, if it names one rightly."""
        corrects_entry = raw.get("corrects_entry")
        target: int | None = None
        if corrects_entry is not None:
            if (
                isinstance(corrects_entry, bool)
                or not isinstance(corrects_entry, int)
                or not 1 <= corrects_entry <= i
            ):
                self.bad((*path, "corrects_entry"), "应为本文件中此前某条记录的序号（从 1 起）")
            else:
                target = corrects_entry - 1
        if spec.code == "general.correction" and corrects_entry is None:
            self.bad((*path, "corrects_entry"), "更正必须指明被更正的记录")
        return target

    def _fields(
        self, i: int, path: Path, raw: JsonObject, spec: ActType
    ) -> tuple[FieldValues, dict[str, int]]:
        """The fields, with each ``{"entry": n}`` reference replaced by a placeholder, and the
        index each reference names."""
        raw_fields = raw.get("fields")
        fields: FieldValues = raw_fields if isinstance(raw_fields, dict) else {}
        refs: dict[str, int] = {}
        for f in spec.fields:
            value = fields.get(f.name)
            if f.kind is FieldKind.SEQ and isinstance(value, dict):
                k = value.get("entry")
                if (
                    set(value) != {"entry"}
                    or isinstance(k, bool)
                    or not isinstance(k, int)
                    or (not 1 <= k <= i)
                ):
                    self.bad(
                        (*path, "fields", f.name), '应为 {"entry": 本文件中此前某条记录的序号}'
                    )
                    continue
                refs[f.name] = k - 1
                fields = {**fields, f.name: 1}  # placeholder, replaced by the real seq
        return fields, refs


def _split(field: str) -> list[str]:
    return field.replace("[", ".").replace("]", "").split(".")


def documents(text: str, now: datetime) -> tuple[str, list[JsonObject]]:
    """The entry documents an import file would produce, numbered by position (seq 1, 2, …).

    Lets the rules engine judge a file before it is imported (``liuhen compliance --file``)
    and lets scenario tests state expected findings by entry position.
    """
    case, drafts = parse(text, now)
    docs: list[JsonObject] = []
    for i, d in enumerate(drafts):
        for name, index in d.refs.items():
            target = d.body if name == "corrects" else d.body["fields"]
            target[name] = index + 1
        doc = entry_document(
            seq=i + 1,
            chain=d.chain,
            chain_seq=i + 1,
            act=d.act,
            occurred_at=d.occurred_at,
            recorded_at=(d.body.get("imported") or {}).get("recorded_at") or d.occurred_at,
            actors=d.body["actors"],
            body=d.body,
            prev_hash=None,
        )
        docs.append(doc)
    return case, docs


def import_text(app: App, text: str) -> tuple[str, list[Appended]]:
    case, drafts = parse(text, app.clock.now())
    try:
        return case, app.journal.append_all(drafts)
    except LiuhenError as exc:
        raise ImportFormatError(f"导入被拒绝，未导入任何内容：{exc.message}", exc.problems) from exc
