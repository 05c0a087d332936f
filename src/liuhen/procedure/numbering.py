"""Numbers the system issues: case numbers and document numbers (文号) from an agency's patterns.

Pure. A pattern is text with placeholders: ``{简称}`` the agency's short name, ``{年}`` the
year, ``{号}`` the serial (``{号:4}`` zero-padded to four digits). The serial runs gap-free per
agency, kind (``case`` or a document type) and year; an entry that used one says so in its
``issued`` field as ``agency/kind/year/n``, and the counters are a replay of those fields
(plus the numbers an agency had used before adopting the system, from its settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CASE_KIND = "case"
ISSUED_FIELD = "issued"
DEFAULT_CASE_PATTERN = "{简称}立〔{年}〕{号}号"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SERIAL = re.compile(r"号(?::([1-9]))?")
MAX_PATTERN = 100

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Issued:
    """One issued number's place in its series."""

    agency: str
    kind: str
    year: int
    n: int

    def text(self) -> str:
        return f"{self.agency}/{self.kind}/{self.year}/{self.n}"

    @property
    def key(self) -> str:
        return counter_key(self.agency, self.kind, self.year)


def parse_issued(text: object) -> Issued | None:
    """The ``issued`` field as written by ``Issued.text``; None for anything else."""
    if not isinstance(text, str):
        return None
    parts = text.rsplit("/", 3)
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return Issued(parts[0], parts[1], int(parts[2]), int(parts[3]))


def counter_key(agency: str, kind: str, year: int) -> str:
    return f"{agency}/{kind}/{year}"


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot number anything (in Chinese), or None."""
    if not pattern.strip():
        return "规则不能为空"
    if len(pattern) > MAX_PATTERN:
        return f"规则超过 {MAX_PATTERN} 字"
    names = _PLACEHOLDER.findall(pattern)
    unknown = [n for n in names if n not in ("简称", "年") and not _SERIAL.fullmatch(n)]
    if unknown:
        shown = "、".join("{" + n + "}" for n in unknown)
        return f"未知的占位符：{shown}（可用：{{简称}}、{{年}}、{{号}}、{{号:4}}）"
    if sum(1 for n in names if _SERIAL.fullmatch(n)) != 1:
        return "规则须含且只含一个 {号}"
    if "@" in pattern[:1]:
        return "规则不能以 @ 开头"
    return None


def format_number(pattern: str, short_name: str, year: int, n: int) -> str:
    """The number ``n`` of ``year`` as ``pattern`` writes it."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "简称":
            return short_name
        if name == "年":
            return str(year)
        serial = _SERIAL.fullmatch(name)
        if serial is None:
            return m.group(0)
        width = int(serial.group(1) or 1)
        return str(n).zfill(width)

    return _PLACEHOLDER.sub(one, pattern)


def parse_pairs(lines: list[str] | None, sep: str = "=") -> dict[str, str]:
    """``key=value`` lines as a dict (later lines win); lines without ``sep`` are skipped."""
    out: dict[str, str] = {}
    for line in lines or []:
        key, found, value = str(line).partition(sep)
        if found and key.strip() and value.strip():
            out[key.strip()] = value.strip()
    return out


@dataclass(frozen=True, slots=True)
class Settings:
    """An agency's numbering and remedy settings as its latest settings entry states them."""

    agency: str
    short_name: str
    case_pattern: str = DEFAULT_CASE_PATTERN
    document_patterns: dict[str, str] = field(default_factory=dict)
    review_body: str | None = None
    court: str | None = None
    act_types: tuple[str, ...] = ()  # empty: every act
    numbers_used: dict[str, int] = field(default_factory=dict)  # "kind/year" → last used
    recorded: bool = False  # False: defaults, no settings entry yet

    def pattern_for(self, kind: str) -> str | None:
        return self.case_pattern if kind == CASE_KIND else self.document_patterns.get(kind)

    def used_before(self, kind: str, year: int) -> int:
        return self.numbers_used.get(f"{kind}/{year}", 0)


def settings_from_row(row: Row | None, agency: str, agency_name: str | None) -> Settings:
    """The projection row (or the defaults when an agency has none): the short name defaults
    to the agency's name, the case pattern to ``DEFAULT_CASE_PATTERN``."""
    if row is None:
        return Settings(agency=agency, short_name=agency_name or agency)
    return Settings(
        agency=agency,
        short_name=row["short_name"],
        case_pattern=row["case_pattern"],
        document_patterns=dict(row.get("document_patterns") or {}),
        review_body=row.get("review_body"),
        court=row.get("court"),
        act_types=tuple(row.get("act_types") or ()),
        numbers_used={k: int(v) for k, v in (row.get("numbers_used") or {}).items()},
        recorded=True,
    )


def settings_row(fields: dict[str, Any]) -> Row:
    """The ``agency_settings`` projection row of a ``registry.agency_settings`` entry."""
    used = {k: int(v) for k, v in parse_pairs(fields.get("numbers_used")).items() if v.isdigit()}
    return {
        "agency": fields["agency"],
        "short_name": fields["short_name"],
        "case_pattern": fields["case_pattern"],
        "document_patterns": parse_pairs(fields.get("document_patterns")),
        "review_body": fields.get("review_body"),
        "court": fields.get("court"),
        "act_types": sorted(set(fields.get("act_types") or [])),
        "numbers_used": used,
    }


def counter_row(issued: Issued, last: int) -> Row:
    return {
        "key": issued.key,
        "agency": issued.agency,
        "kind": issued.kind,
        "year": issued.year,
        "last": last,
    }
