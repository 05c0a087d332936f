"""Typed fields of act types and their validation into canonical-JSON-safe values.

Values are normalised to what canonical JSON can hold exactly: no floats (money is a decimal
string with two places), times are ISO 8601 with their offset, so the hashed bytes of an entry
never depend on a float's rendering or a server's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
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
    PERSON = "person"  # {"name", optional "id_no", "phone", "address", "role", "unit", ...}
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
    # drawn on the recording forms; False: someone else's to record (a head's approval on the
    # act an officer records), still accepted from imports of older records
    form: bool = True
    # a required field an older record may lack: the form asks for it, an import takes the
    # record without it and the rules engine finds it missing (a fact is never made up)
    import_required: bool = True


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
    SEAL = "seal"  # the agency's electronic seal: no person's block, applied last


# ``legal_rep`` (optional, added later): an organisation's 法定代表人（负责人）, typed with it
_PERSON_KEYS = {
    "name", "id_no", "gender", "age", "phone", "address", "role", "unit", "title", "legal_rep",
}  # fmt: skip
_ITEM_KEYS = {"name", "spec", "quantity", "unit", "note", "location"}
# ``auth`` (optional, added later): how the signer was authenticated, e.g. 登录、现场密码确认
# ``opinion`` (optional, added later): what a reviewer or approver wrote in his box
# ``agency``, ``certificate`` (the agency's seal, role ``seal``, added later): the sealing
# agency's code and its seal certificate's serial number (``registry.signing_key seal:<code>``)
_SIGNATURE_KEYS = {
    "role", "name", "cert_no", "signed_at", "method", "valid", "serial", "auth", "opinion",
    "agency", "certificate",
}  # fmt: skip
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
    Block.SEAL: "机关印章",
}
_MAX_TEXT = 200
_MAX_LONGTEXT = 20000
_INT_LIMIT = 2**53 - 1  # canonical JSON numbers must survive IEEE doubles


# What a person or an item's parts are called on a form, for messages that name them
PART_LABELS: dict[str, str] = {
    "name": "姓名或名称", "id_no": "证件号码", "gender": "性别", "age": "年龄", "phone": "电话",
    "address": "住址", "role": "身份", "unit": "单位", "title": "职务", "spec": "规格",
    "quantity": "数量", "note": "备注", "location": "存放地点", "cert_no": "执法证号",
    "signed_at": "签名时间", "method": "签名方式", "valid": "验证结果", "serial": "证书序号",
    "auth": "确认方式", "opinion": "意见", "legal_rep": "法定代表人（负责人）",
    "agency": "机关编码", "certificate": "印章证书序列号",
}  # fmt: skip


def problem(message: str, field: str, label: str, kind: str) -> Problem:
    """A problem with ``field`` (labelled ``label`` on the form), of kind ``kind``
    (``liuhen.errors.KINDS``)."""
    return Problem(message, field, label=label, kind=kind)


def _text(
    value: Any, limit: int, spec_name: str, problems: list[Problem], label: str
) -> str | None:
    if not isinstance(value, str):
        problems.append(problem(f"{label}应为文字", spec_name, label, "text"))
        return None
    value = value.strip()
    if not value:
        problems.append(problem(f"请填写{label}", spec_name, label, "required"))
        return None
    if len(value) > limit:
        problems.append(
            problem(f"{label}不能超过 {limit} 字（现有 {len(value)} 字）", spec_name, label,
                    "too_long")
        )  # fmt: skip
        return None
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        problems.append(problem(f"{label}含有无法识别的字符", spec_name, label, "text"))
        return None
    return str(value)


def _record(
    value: Any, allowed: set[str], spec_name: str, problems: list[Problem], label: str
) -> JsonObject | None:
    if not isinstance(value, dict):
        problems.append(problem(f"{label}的填写方式不正确", spec_name, label, "format"))
        return None
    unknown = sorted(set(value) - allowed)
    if unknown:
        problems.append(
            problem(f"{label}含有无法识别的项：{'、'.join(unknown)}", spec_name, label, "unknown")
        )
        return None
    before = len(problems)
    out: JsonObject = {}
    for key in sorted(value):
        item = value[key]
        if item is None or item == "":
            continue
        part = f"{label}的{PART_LABELS.get(key, key)}"
        if key == "age":
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 150:
                problems.append(
                    problem(f"{part}须为 0 到 150 之间的整数", f"{spec_name}.age", label,
                            "number")
                )  # fmt: skip
            else:
                out[key] = item
            continue
        if key == "quantity" and isinstance(item, int | str) and not isinstance(item, bool):
            out[key] = str(item)
            continue
        text = _text(item, _MAX_TEXT, f"{spec_name}.{key}", problems, part)
        if text is not None:
            out[key] = text
    named = any(p.field == f"{spec_name}.name" for p in problems[before:])
    if "name" not in out and not named:
        problems.append(problem(f"请填写{label}的姓名或名称", spec_name, label, "required"))
    return out if len(problems) == before else None


def _list(
    value: Any, allowed: set[str], spec_name: str, problems: list[Problem], label: str
) -> list[Any]:
    if not isinstance(value, list) or not value:
        problems.append(problem(f"请至少填写一项{label}", spec_name, label, "required"))
        return []
    out = []
    for i, v in enumerate(value):
        rec = _record(v, allowed, f"{spec_name}[{i}]", problems, f"{label}第 {i + 1} 项")
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
    return _text(value, spec.max_length or _MAX_TEXT, spec.name, problems, spec.label)


def _paragraphs(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    return _text(value, spec.max_length or _MAX_LONGTEXT, spec.name, problems, spec.label)


def _integer(spec: FieldSpec, value: Any, problems: list[Problem]) -> int | None:
    """A count (from 0) or a journal sequence number (from 1), exact as a JSON number."""
    if isinstance(value, bool) or not isinstance(value, int):
        what = "记录序号（正整数）" if spec.kind is FieldKind.SEQ else "整数"
        _bad(spec, f"{spec.label}须为{what}", problems, "number")
        return None
    if not (0 if spec.kind is FieldKind.INT else 1) <= value <= _INT_LIMIT:
        least = "0" if spec.kind is FieldKind.INT else "1"
        _bad(spec, f"{spec.label}须为不小于 {least} 的整数，且不能过大", problems, "number")
        return None
    return value


def _money(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    raw = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(raw, str) or not _MONEY.match(raw.strip()):
        _bad(spec, f"{spec.label}须为不超过两位小数的金额（元），如 5000 或 1234.50", problems,
             "money")  # fmt: skip
        return None
    try:
        return str(Decimal(raw.strip()).quantize(Decimal("0.01")))
    except InvalidOperation:
        _bad(spec, f"{spec.label}须为不超过两位小数的金额（元）", problems, "money")
        return None


def _date(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        _bad(spec, f"{spec.label}不是有效的日期，应如 2026-03-01", problems, "date")
        return None
    # every date field is a procedural date (decided, posted, a deadline): the same range
    if not EARLIEST.date() <= day < LATEST.date():
        why = out_of_range(datetime.combine(day, time(), EARLIEST.tzinfo))
        _bad(spec, f"{spec.label}{why}", problems, "date")
        return None
    return day.isoformat()


def _datetime(spec: FieldSpec, value: Any, problems: list[Problem]) -> str | None:
    dt = parse_datetime(value)
    if dt is None:
        _bad(spec, f"{spec.label}不是有效的日期和时间，应如 2026-03-01 09:30"
             "（接口须带时区：2026-03-01T09:30:00+08:00）", problems, "datetime")  # fmt: skip
        return None
    if (why := out_of_range(dt)) is not None:
        _bad(spec, f"{spec.label}{why}", problems, "datetime")
        return None
    return dt.isoformat()


def _bool(spec: FieldSpec, value: Any, problems: list[Problem]) -> bool | None:
    if not isinstance(value, bool):
        _bad(spec, f"请选择{spec.label}：是或否", problems, "choice")
        return None
    return value


def _choice(spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    if value not in spec.choices:
        _bad(spec, f"请从所列选项中选择{spec.label}：{'、'.join(spec.choices)}", problems,
             "choice")  # fmt: skip
        return None
    return value


def _person(spec: FieldSpec, value: Any, problems: list[Problem]) -> JsonObject | None:
    return _record(value, _PERSON_KEYS, spec.name, problems, spec.label)


def _persons(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[Any]:
    return _list(value, _PERSON_KEYS, spec.name, problems, spec.label)


def _items(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[Any]:
    return _list(value, _ITEM_KEYS, spec.name, problems, spec.label)


def _texts(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[str] | None:
    if not isinstance(value, list) or not value:
        _bad(spec, f"请至少填写一项{spec.label}", problems, "required")
        return None
    texts = [
        _text(v, _MAX_TEXT, f"{spec.name}[{i}]", problems, f"{spec.label}第 {i + 1} 项")
        for i, v in enumerate(value)
    ]
    return [t for t in texts if t is not None]


def _signatures(spec: FieldSpec, value: Any, problems: list[Problem]) -> list[Any]:
    signatures = _list(value, _SIGNATURE_KEYS, spec.name, problems, spec.label)
    for i, sig in enumerate(signatures):
        _check_signature(sig, f"{spec.name}[{i}]", problems, f"{spec.label}第 {i + 1} 项")
    return signatures


def _check_signature(sig: JsonObject, where: str, problems: list[Problem], label: str) -> None:
    """A signature names a known block, and when it says when it was made, a recordable time."""
    if sig.get("role") not in SIGNER_ROLES:
        problems.append(problem(
            f"{label}的签名栏应为以下之一：{'、'.join(SIGNER_ROLES.values())}"
            f"（{'、'.join(SIGNER_ROLES)}）", f"{where}.role", label, "choice",
        ))  # fmt: skip
    if "signed_at" in sig:
        signed = parse_datetime(sig["signed_at"])
        if signed is None:
            problems.append(problem(
                f"{label}的签名时间不是有效的日期和时间（须带时区）", f"{where}.signed_at",
                label, "datetime",
            ))  # fmt: skip
        elif (why := out_of_range(signed)) is not None:
            problems.append(
                problem(f"{label}的签名时间{why}", f"{where}.signed_at", label, "datetime")
            )


def _changes(spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    if not isinstance(value, dict) or not value:
        _bad(spec, f"请填写{spec.label}：被更正的字段及其新值", problems, "required")
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


def _bad(spec: FieldSpec, message: str, problems: list[Problem], kind: str) -> None:
    problems.append(problem(message, spec.name, spec.label, kind))


def required_message(spec: FieldSpec) -> str:
    """What a form says when a required field is left empty: 请选择 for what is picked from a
    list, 请填写 for what is typed."""
    verb = "请选择" if spec.kind in (FieldKind.CHOICE, FieldKind.BOOL) else "请填写"
    return f"{verb}{spec.label}"


def validate_fields(
    specs: tuple[FieldSpec, ...], values: Any, prefix: str = "fields", imported: bool = False
) -> tuple[FieldValues, list[Problem]]:
    """Normalised values and every problem found, so a form can show all of them at once.

    Each problem's message names the field by its label; its ``field`` is the path under
    ``prefix`` and its ``label`` the field's, so a form can show it beside the input.
    """
    problems: list[Problem] = []
    if not isinstance(values, dict):
        return {}, [Problem("字段的填写方式不正确（应为对象）", prefix, kind="format")]
    known = {s.name for s in specs}
    for extra in sorted(set(values) - known):
        problems.append(Problem(f"本事项没有“{extra}”这一项", f"{prefix}.{extra}", kind="unknown"))
    out: FieldValues = {}
    for spec in specs:
        value = values.get(spec.name)
        if value is None or value == "" or value == []:
            if spec.required and (spec.import_required or not imported):
                problems.append(
                    problem(required_message(spec), f"{prefix}.{spec.name}", spec.label,
                            "required")
                )  # fmt: skip
            continue
        local: list[Problem] = []
        normal = normalise(spec, value, local)
        for p in local:
            problems.append(replace(p, field=f"{prefix}.{p.field}", label=spec.label))
        if not local and normal is not None:
            out[spec.name] = normal
    return out, problems
