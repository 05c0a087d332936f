"""Typed fields of act types and their validation into canonical-JSON-safe values.

Values are normalised to what canonical JSON can hold exactly: no floats (money is a decimal
string with two places), times are ISO 8601 with their offset, so the hashed bytes of an entry
never depend on a float's rendering or a server's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from liuhen.errors import Problem
from liuhen.payloads import FieldValues, JsonObject


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONGTEXT = "longtext"  # paragraphs: facts, questions and answers, opinions
    INT = "int"
    MONEY = "money"  # yuan, decimal string "1234.50"
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601 with offset
    BOOL = "bool"
    CHOICE = "choice"  # one of ``choices``
    PERSON = "person"  # {"name", optional "id_no", "phone", "address", "role", "unit"}
    PERSONS = "persons"  # list of PERSON
    ITEMS = "items"  # list of {"name", optional "spec", "quantity", "unit", "note"}
    SEQ = "seq"  # a journal sequence number this act refers to
    TEXTS = "texts"  # list of one-line strings (document numbers, legal bases)
    CHANGES = "changes"  # corrected field values; checked against the corrected act's fields
    SIGNATURES = "signatures"  # list of {"role", "name", optional "cert_no", "signed_at"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of an act type; ``label`` is what forms and documents show."""

    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int | None = None


class Block(StrEnum):
    """The signature blocks (签名栏) of a form: who signs where, not what account they hold.

    A block is not a ``catalog.Role``: an officer may sign as 送达人 or 记录人, a party signs
    without any account. Documents name their blocks in ``documents.yaml``; code names them here.
    """

    OFFICER = "officer"
    PARTY = "party"
    WITNESS = "witness"
    RECORDER = "recorder"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    SERVER = "server"
    RECIPIENT = "recipient"
    HOST = "host"
    EXPERT = "expert"


_PERSON_KEYS = {"name", "id_no", "gender", "age", "phone", "address", "role", "unit", "title"}
_ITEM_KEYS = {"name", "spec", "quantity", "unit", "note", "location"}
# ``auth`` (optional, added later): how the signer was authenticated, e.g. 登录、现场密码确认
_SIGNATURE_KEYS = {"role", "name", "cert_no", "signed_at", "method", "valid", "serial", "auth"}
# each block's generic label; ``documents.types.role_label`` says what a particular form calls it
SIGNER_ROLES: dict[str, str] = {
    Block.OFFICER: "执法人员",
    Block.PARTY: "当事人",
    Block.WITNESS: "见证人",
    Block.RECORDER: "记录人",
    Block.REVIEWER: "审核人",
    Block.APPROVER: "批准人",
    Block.SERVER: "送达人",
    Block.RECIPIENT: "受送达人",
    Block.HOST: "听证主持人",
    Block.EXPERT: "专家",
}
_MAX_TEXT = 200
_MAX_LONGTEXT = 20000
_INT_LIMIT = 2**53 - 1  # canonical JSON numbers must survive IEEE doubles


def _text(value: Any, limit: int, spec_name: str, problems: list[Problem]) -> str | None:
    if not isinstance(value, str):
        problems.append(Problem("应为文字", spec_name))
        return None
    value = value.strip()
    if not value:
        problems.append(Problem("不能为空", spec_name))
        return None
    if len(value) > limit:
        problems.append(Problem(f"超过 {limit} 字", spec_name))
        return None
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        problems.append(Problem("含有无效字符", spec_name))
        return None
    return str(value)


def _record(
    value: Any, allowed: set[str], spec_name: str, problems: list[Problem]
) -> JsonObject | None:
    if not isinstance(value, dict):
        problems.append(Problem("应为对象", spec_name))
        return None
    unknown = sorted(set(value) - allowed)
    if unknown:
        problems.append(Problem(f"未知的项：{'、'.join(unknown)}", spec_name))
        return None
    before = len(problems)
    out: JsonObject = {}
    for key in sorted(value):
        item = value[key]
        if item is None or item == "":
            continue
        if key == "age":
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 150:
                problems.append(Problem("年龄应为 0–150 的整数", f"{spec_name}.age"))
            else:
                out[key] = item
            continue
        if key == "quantity" and isinstance(item, int | str) and not isinstance(item, bool):
            out[key] = str(item)
            continue
        text = _text(item, _MAX_TEXT, f"{spec_name}.{key}", problems)
        if text is not None:
            out[key] = text
    if "name" not in out:
        problems.append(Problem("缺少名称（name）", spec_name))
    return out if len(problems) == before else None


def _list(value: Any, allowed: set[str], spec_name: str, problems: list[Problem]) -> list[Any]:
    if not isinstance(value, list) or not value:
        problems.append(Problem("应为非空列表", spec_name))
        return []
    out = []
    for i, v in enumerate(value):
        rec = _record(v, allowed, f"{spec_name}[{i}]", problems)
        if rec is not None:
            out.append(rec)
    return out


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from ISO text, or None; naive times are refused (offset is required)."""
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else None


# The range of times a record may state. Imported history may be decades old, but nothing an
# administrative-enforcement journal holds predates 1990 (the Administrative Litigation Law took
# effect that year); a time outside the range is a typing slip or hostile input, and year 1 or
# 9999 with an offset cannot even be converted to UTC. Documented in docs/import-format.md.
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone(timedelta(hours=8)))
LATEST = datetime(2100, 1, 1, tzinfo=timezone(timedelta(hours=8)))


def out_of_range(dt: datetime) -> str | None:
    """Why ``dt`` cannot be a recorded time (in Chinese), or None when it can."""
    if dt < EARLIEST:
        return f"不能早于 {EARLIEST.date().isoformat()}"
    if dt >= LATEST:
        return f"不能晚于 {(LATEST - timedelta(days=1)).date().isoformat()}"
    return None


_MONEY = re.compile(r"^\d{1,13}(\.\d{1,2})?$")


def normalise(spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    """The canonical form of one value, appending to ``problems`` when it is invalid."""
    normaliser = _NORMALISERS.get(spec.kind) if isinstance(spec.kind, FieldKind) else None
    if normaliser is None:
        raise AssertionError(f"unhandled field kind {spec.kind}")
    return normaliser(spec, value, problems)


def _one_line(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    return _text(value, spec.max_length or _MAX_TEXT, spec.name, problems)


def _paragraphs(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    return _text(value, spec.max_length or _MAX_LONGTEXT, spec.name, problems)


def _integer(spec: FieldSpec, value: Any, problems: list[Problem]) -> int | None:
    """A count (from 0) or a journal sequence number (from 1), exact as a JSON number."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem("应为整数", spec.name))
        return None
    if not (0 if spec.kind is FieldKind.INT else 1) <= value <= _INT_LIMIT:
        problems.append(Problem("超出允许范围", spec.name))
        return None
    return value


def _money(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    raw = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(raw, str) or not _MONEY.match(raw.strip()):
        problems.append(Problem("金额应为元，最多两位小数，如 5000 或 1234.50", spec.name))
        return None
    try:
        return str(Decimal(raw.strip()).quantize(Decimal("0.01")))
    except InvalidOperation:
        problems.append(Problem("金额无效", spec.name))
        return None


def _date(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        _bad(spec.name, "日期应为 YYYY-MM-DD", problems)
        return None
    # every date field is a procedural date (decided, posted, a deadline): the same range
    if not EARLIEST.date() <= day < LATEST.date():
        _bad(
            spec.name,
            f"日期{out_of_range(datetime.combine(day, time(), EARLIEST.tzinfo))}",
            problems,
        )
        return None
    return day.isoformat()


def _datetime(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    dt = parse_datetime(value)
    if dt is None:
        _bad(spec.name, "时间应为带时区的 ISO 8601，如 2026-03-01T09:30:00+08:00", problems)
        return None
    if (why := out_of_range(dt)) is not None:
        _bad(spec.name, f"时间{why}", problems)
        return None
    return dt.isoformat()


def _bool(spec: FieldSpec, value: Any, problems: list[Problem]) -> bool | None:
    if not isinstance(value, bool):
        _bad(spec.name, "应为是或否（true/false）", problems)
        return None
    return value


def _choice(spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    if value not in spec.choices:
        _bad(spec.name, f"应为以下之一：{'、'.join(spec.choices)}", problems)
        return None
    return value


def _person(spec: FieldSpec, value: Any, problems: list[Problem]) -> JsonObject | None:
    return _record(value, _PERSON_KEYS, spec.name, problems)


def _persons(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[Any]:
    return _list(value, _PERSON_KEYS, spec.name, problems)


def _items(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[Any]:
    return _list(value, _ITEM_KEYS, spec.name, problems)


def _texts(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[str] | None:
    if not isinstance(value, list) or not value:
        _bad(spec.name, "应为非空的文字列表", problems)
        return None
    texts = [_text(v, _MAX_TEXT, f"{spec.name}[{i}]", problems) for i, v in enumerate(value)]
    return [t for t in texts if t is not None]


def _signatures(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[Any]:
    signatures = _list(value, _SIGNATURE_KEYS, spec.name, problems)
    for i, sig in enumerate(signatures):
        _check_signature(sig, f"{spec.name}[{i}]", problems)
    return signatures


def _check_signature(sig: JsonObject, where: str, problems: list[Problem]) -> None:
    """A signature names a known block, and when it says when it was made, a recordable time."""
    if sig.get("role") not in SIGNER_ROLES:
        problems.append(
            Problem(f"签名角色应为以下之一：{'、'.join(SIGNER_ROLES)}", f"{where}.role")
        )
    if "signed_at" in sig:
        signed = parse_datetime(sig["signed_at"])
        if signed is None:
            problems.append(Problem("签名时间应为带时区的 ISO 8601", f"{where}.signed_at"))
        elif (why := out_of_range(signed)) is not None:
            problems.append(Problem(f"签名时间{why}", f"{where}.signed_at"))


def _changes(spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    if not isinstance(value, dict) or not value:
        _bad(spec.name, "应为非空对象：被更正的字段及其新值", problems)
        return None
    return value


_NORMALISERS: dict[FieldKind, Callable[[FieldSpec, Any, list[Problem]], Any]] = {
    FieldKind.TEXT: _one_line,
    FieldKind.LONGTEXT: _paragraphs,
    FieldKind.INT: _integer,
    FieldKind.SEQ: _integer,
    FieldKind.MONEY: _money,
    FieldKind.DATE: _date,
    FieldKind.DATETIME: _datetime,
    FieldKind.BOOL: _bool,
    FieldKind.CHOICE: _choice,
    FieldKind.PERSON: _person,
    FieldKind.PERSONS: _persons,
    FieldKind.ITEMS: _items,
    FieldKind.TEXTS: _texts,
    FieldKind.SIGNATURES: _signatures,
    FieldKind.CHANGES: _changes,
}


def _bad(name: str, message: str, problems: list[Problem]) -> None:
    problems.append(Problem(message, name))


def validate_fields(
    specs: tuple[FieldSpec, ...], values: Any, prefix: str = "fields"
) -> tuple[FieldValues, list[Problem]]:
    """Normalised values and every problem found, so a form can show all of them at once."""
    problems: list[Problem] = []
    if not isinstance(values, dict):
        return {}, [Problem("应为对象", prefix)]
    known = {s.name for s in specs}
    for extra in sorted(set(values) - known):
        problems.append(Problem("本事项没有此字段", f"{prefix}.{extra}"))
    out: FieldValues = {}
    for spec in specs:
        value = values.get(spec.name)
        if value is None or value == "" or value == []:
            if spec.required:
                problems.append(Problem(f"必填（{spec.label}）", f"{prefix}.{spec.name}"))
            continue
        local: list[Problem] = []
        normal = normalise(spec, value, local)
        for p in local:
            problems.append(Problem(f"{spec.label}：{p.message}", f"{prefix}.{p.field}", p.line))
        if not local and normal is not None:
            out[spec.name] = normal
    return out, problems
