"""An agency's settings other features read: its short name and numbering patterns, the
reconsideration body and court its documents name, the acts its officers may record, the
fine from which it reviews a penalty as a major case (its own standard, not a seed's), and the
period and way it keeps each category's 音像记录资料 (003 第二十四条第四款: set in advance).

Kept as journal entries (``registry.agency_settings``): a change is a new entry, the projection
takes the latest, and what an earlier number or document said stays as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum

from sqlalchemy import Connection, select

from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel import numbering as issuing
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.db.batch import Batch, Known
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues
from liuhen.procedure import numbering
from liuhen.procedure.catalog import (
    ACT_TYPES,
    CATEGORY_LABELS,
    DOCUMENT_TYPES,
    RETENTION_PERIODS,
    Category,
    act_type,
)

AGENCY = store.AGENCY
MAX_NAME = 50
CENT = Decimal("0.01")
MAX_BODY = 200
# The early-warning window (liuhen.warnings): a time limit earns its yellow card once it falls
# within this many working days; the rule packs set no window of their own.
DEFAULT_WARNING_DAYS = 3
MAX_WARNING_DAYS = 30
MAX_STORAGE = 100  # 保存方式, as the agency words it (刻录光盘一式两份、专门硬盘……)


@dataclass(frozen=True, slots=True)
class AgencySettings:
    """An agency's settings in force (``recorded`` False: none recorded, the defaults)."""

    agency: str
    agency_name: str
    short_name: str
    case_pattern: str
    document_patterns: dict[str, str]  # document type → 文号 pattern; absent: not numbered
    review_body: str | None  # 行政复议机关
    court: str | None  # 管辖人民法院 (诉讼)
    act_types: tuple[str, ...]  # the acts its officers may record; empty: every act
    numbers_used: dict[str, int]  # "kind/year" → the last number used before the system
    recorded: bool
    # The fine from which a penalty is a 重大案件 needing legal review before the decision: the
    # agency's own standard (no seed text sets an amount); None: no money standard applies.
    major_fine_threshold: Decimal | None = None
    warning_days: int = DEFAULT_WARNING_DAYS  # 预警: working days before a time limit
    # case category → the 保管期限 (a ``RETENTION_PERIODS`` label) and the 保存方式 the agency
    # set for its 音像记录资料; a category not listed: none set, the archivist's choice stands
    av_retention: dict[str, str] = field(default_factory=dict)
    av_storage: dict[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> frozenset[str] | None:
        """The acts the agency listed, or None for the default: every act except those only
        some agencies have the power for (which ones, the cases' menu knows). What the menu
        (``cases.workflow.case_menu``'s ``allowed``) takes."""
        return frozenset(self.act_types) or None

    def allows(self, act: str) -> bool:
        """Whether ``act`` is listed, or no list is set (see ``allowed`` for the default)."""
        return not self.act_types or act in self.act_types

    def example(self, kind: str, year: int) -> str | None:
        """How number 1 of ``year`` of ``kind`` (``case`` or a document type) reads."""
        pattern = self.case_pattern if kind == numbering.CASE_KIND else None
        pattern = pattern or self.document_patterns.get(kind)
        return numbering.format_number(pattern, self.short_name, year, 1) if pattern else None


class Keep(Enum):
    """A setting left as it is in force."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass
class SettingsChange:
    """The settings an administrator submits (the page, the CLI and the API alike)."""

    short_name: str
    case_pattern: str = numbering.DEFAULT_CASE_PATTERN
    document_patterns: dict[str, str] = field(default_factory=dict)
    review_body: str | None = None
    court: str | None = None
    act_types: list[str] = field(default_factory=list)
    numbers_used: dict[str, int] = field(default_factory=dict)
    # None clears it; left out (``KEEP``), the one in force stays: a form that does not show it
    # (or an older client) must not erase it.
    major_fine_threshold: Decimal | Keep | None = KEEP
    warning_days: int | Keep = KEEP
    av_retention: dict[str, str] | Keep = KEEP  # category → period; {} clears every one
    av_storage: dict[str, str] | Keep = KEEP  # category → 保存方式


def _latest_fields(conn: Connection, agency_code: str) -> dict[str, object]:
    """The fields of the agency's latest ``registry.agency_settings`` entry (settings the
    numbering projection does not carry are read from it)."""
    t = store.ENTRY
    rows = conn.execute(
        select(t.c.body)
        .where(t.c.act == "registry.agency_settings", t.c.body.contains(f'"{agency_code}"'))
        .order_by(t.c.seq.desc())
    ).scalars()
    for body in rows:
        fields = json.loads(body).get("fields") or {}
        if fields.get("agency") == agency_code:
            return dict(fields)
    return {}


def _money(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _days(value: object) -> int:
    return value if isinstance(value, int) and value > 0 else DEFAULT_WARNING_DAYS


def _by_category(value: object) -> dict[str, str]:
    """``["penalty=10年", ...]`` as journaled → {category: value}."""
    items = value if isinstance(value, list) else []
    return dict(str(i).partition("=")[::2] for i in items if "=" in str(i))


def _amount_ok(amount: Decimal) -> bool:
    try:
        return amount.is_finite() and amount > 0 and amount == amount.quantize(CENT)
    except InvalidOperation:
        return False


def agency_settings(app: App, agency_code: str) -> AgencySettings:
    """The settings in force for ``agency_code`` (not found when no such agency)."""
    with app.engine.connect() as conn:
        rows = Batch(conn, Known(0))
        agency = rows.get("agency", agency_code)
        if agency is None:
            raise NotFoundError(f"机关“{agency_code}”未登记")
        s = issuing.settings_in(rows, agency_code)
        latest = _latest_fields(conn, agency_code) if s.recorded else {}
    return AgencySettings(
        agency=agency_code, agency_name=str(agency["name"]), short_name=s.short_name,
        case_pattern=s.case_pattern, document_patterns=dict(s.document_patterns),
        review_body=s.review_body, court=s.court, act_types=s.act_types,
        numbers_used=dict(s.numbers_used), recorded=s.recorded,
        major_fine_threshold=_money(latest.get("major_fine_threshold")),
        warning_days=_days(latest.get("warning_days")),
        av_retention=_by_category(latest.get("av_retention")),
        av_storage=_by_category(latest.get("av_storage")),
    )  # fmt: skip


def next_numbers(app: App, agency_code: str, year: int) -> dict[str, str]:
    """``case`` and each numbered document type → the number the next one would get in
    ``year`` as things stand (what the settings page shows; issuing decides under the lock)."""
    with app.engine.connect() as conn:
        rows = Batch(conn, Known(0))
        s = issuing.settings_in(rows, agency_code)
        out: dict[str, str] = {}
        for kind in (numbering.CASE_KIND, *sorted(s.document_patterns)):
            pattern = s.pattern_for(kind) or ""
            n = issuing.next_serial(rows, s, kind, year)
            out[kind] = numbering.format_number(pattern, s.short_name, year, n)
    return out


def case_agency_settings(app: App, case: str) -> AgencySettings | None:
    """The settings of the agency a case belongs to (through its unit); None if unknown."""
    case_t, unit_t = store.CASE, store.UNIT
    with app.engine.connect() as conn:
        agency = conn.execute(
            select(unit_t.c.agency)
            .select_from(case_t.join(unit_t, unit_t.c.code == case_t.c.unit))
            .where(case_t.c.number == case)
        ).scalar()
    return agency_settings(app, str(agency)) if agency else None


def unit_agency_settings(app: App, unit: str | None) -> AgencySettings | None:
    """The settings of the agency a unit belongs to; None for no or an unknown unit."""
    if not unit:
        return None
    with app.engine.connect() as conn:
        agency = conn.execute(select(store.UNIT.c.agency).where(store.UNIT.c.code == unit)).scalar()
    return agency_settings(app, str(agency)) if agency else None


def _window_problems(days: int | Keep) -> list[Problem]:
    if isinstance(days, int) and not 1 <= days <= MAX_WARNING_DAYS:
        return [Problem(f"应为 1 至 {MAX_WARNING_DAYS} 的工作日数", "warning_days")]
    return []


def _av_problems(change: SettingsChange) -> list[Problem]:
    known = [c.value for c in Category]
    problems: list[Problem] = []
    for key, given in (("av_retention", change.av_retention), ("av_storage", change.av_storage)):
        for category, value in (given if isinstance(given, dict) else {}).items():
            if category not in known:
                problems.append(Problem(
                    f"未知的案件类别“{category}”，应为：{'、'.join(known)}", key
                ))  # fmt: skip
            elif key == "av_retention" and value not in RETENTION_PERIODS:
                label = CATEGORY_LABELS[Category(category)]
                problems.append(Problem(
                    f"{label}的保存期限“{value}”应为：{'、'.join(RETENTION_PERIODS)}", key
                ))  # fmt: skip
            elif key == "av_storage" and not 0 < len(value) <= MAX_STORAGE:
                problems.append(Problem(f"保存方式至多 {MAX_STORAGE} 字", key))
    return problems


def _problems(change: SettingsChange) -> list[Problem]:
    problems: list[Problem] = []
    short = change.short_name.strip()
    if not short or len(short) > MAX_NAME or any(c in short for c in "{}/"):
        problems.append(Problem(f"请填写机关简称（至多 {MAX_NAME} 字，不含 {{ }} /）",
                                "short_name"))  # fmt: skip
    if (why := numbering.pattern_problem(change.case_pattern)) is not None:
        problems.append(Problem(f"案件编号规则：{why}", "case_pattern"))
    for code, pattern in change.document_patterns.items():
        if code not in DOCUMENT_TYPES:
            problems.append(Problem(f"未知的文书种类“{code}”", f"doc.{code}"))
        elif (why := numbering.pattern_problem(pattern)) is not None:
            problems.append(Problem(f"《{DOCUMENT_TYPES[code]}》文号规则：{why}", f"doc.{code}"))
    for key, value in (("review_body", change.review_body), ("court", change.court)):
        if value is not None and len(value) > MAX_BODY:
            problems.append(Problem(f"至多 {MAX_BODY} 字", key))
    threshold = change.major_fine_threshold
    if isinstance(threshold, Decimal) and not _amount_ok(threshold):
        problems.append(Problem("应为大于零的金额（元，至多两位小数）", "major_fine_threshold"))
    problems += _window_problems(change.warning_days)
    problems += _av_problems(change)
    unknown = [a for a in change.act_types if act_type(a) is None]
    if unknown:
        problems.append(Problem(f"未知的事项类型：{'、'.join(unknown)}", "act_types"))
    for key, n in change.numbers_used.items():
        kind, _, year = key.partition("/")
        known = kind == numbering.CASE_KIND or kind in DOCUMENT_TYPES
        if not known or not (year.isdigit() and len(year) == 4) or n < 0:
            problems.append(Problem(f"“{key}={n}”应为 种类/年度=号，如 case/2026=35",
                                    "numbers_used"))  # fmt: skip
    return problems


def change_agency_settings(
    app: App, agency_code: str, change: SettingsChange, by: dict[str, str]
) -> Appended:
    """Journal the agency's new settings (every problem at once, nothing recorded if any)."""
    current = agency_settings(app, agency_code)  # not found unless registered
    if change.major_fine_threshold is KEEP:
        change.major_fine_threshold = current.major_fine_threshold
    if change.warning_days is KEEP:
        change.warning_days = current.warning_days
    if change.av_retention is KEEP:
        change.av_retention = current.av_retention
    if change.av_storage is KEEP:
        change.av_storage = current.av_storage
    change.document_patterns = {
        k: v.strip() for k, v in change.document_patterns.items() if v and v.strip()
    }
    problems = _problems(change)
    if problems:
        raise ValidationError(f"机关设置有 {len(problems)} 处问题，未保存", problems)
    fields = {
        "agency": agency_code,
        "short_name": change.short_name.strip(),
        "case_pattern": change.case_pattern.strip(),
        "document_patterns": [f"{k}={v}" for k, v in sorted(change.document_patterns.items())],
        "review_body": (change.review_body or "").strip() or None,
        "court": (change.court or "").strip() or None,
        "act_types": sorted(set(change.act_types)),
        "numbers_used": [f"{k}={n}" for k, n in sorted(change.numbers_used.items())],
        "major_fine_threshold": (
            f"{change.major_fine_threshold:f}"
            if isinstance(change.major_fine_threshold, Decimal)
            else None
        ),
        "warning_days": change.warning_days,
        "av_retention": _journaled(change.av_retention),
        "av_storage": _journaled(change.av_storage),
    }
    return record.record(app, ActInput(
        "registry.agency_settings", app.clock.now().isoformat(), recorded_by=by,
        fields={k: v for k, v in fields.items() if v not in (None, [])},
    ))  # fmt: skip


def _journaled(by_category: dict[str, str] | Keep) -> list[str]:
    items = by_category if isinstance(by_category, dict) else {}
    return [f"{k}={v.strip()}" for k, v in sorted(items.items())]


def recordable_acts() -> list[tuple[str, str]]:
    """(code, label) of every act an agency may allow or withhold, for the settings form."""
    return [(a.code, a.label) for a in ACT_TYPES if not a.code.startswith("registry.")]


GUIDE = "registry.conduct_guide"  # 003 第二十条: the agency's 执法行为用语指引


@dataclass(frozen=True, slots=True)
class ConductGuide:
    """A registered 执法行为用语指引: its entry, title, date and file."""

    seq: int
    agency: str
    title: str
    issued_on: str | None
    registered_at: str
    files: list[dict[str, object]]


def register_guide(
    app: App, agency_code: str, title: str, attachments: list[dict[str, object]],
    by: dict[str, str], issued_on: str | None = None, note: str | None = None,
) -> Appended:  # fmt: skip
    """Journal an agency's 执法行为用语指引 (003 第二十条) with its file; a newer one is a new
    entry, the older kept."""
    with app.engine.connect() as conn:
        known = conn.execute(select(AGENCY.c.code).where(AGENCY.c.code == agency_code)).scalar()
    if known is None:
        raise NotFoundError(f"机关“{agency_code}”未登记")
    if not attachments:
        raise ValidationError("请附上指引文件", [Problem("请附上指引文件", "attachments")])
    fields: FieldValues = {"agency": agency_code, "title": title.strip()}
    if issued_on:
        fields["issued_on"] = issued_on
    if note:
        fields["note"] = note
    return record.record(app, ActInput(GUIDE, app.clock.now().isoformat(), fields=fields,
                                       attachments=attachments, recorded_by=by))  # fmt: skip


def conduct_guides(app: App, agency_code: str | None = None) -> list[ConductGuide]:
    """Every registered 执法行为用语指引, oldest first (of one agency, if named)."""
    entry = store.ENTRY
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(entry.c.seq, entry.c.occurred_at, entry.c.body)
            .where(entry.c.act == GUIDE).order_by(entry.c.seq)
        ).all()  # fmt: skip
    out = []
    for seq, occurred, body in rows:
        doc = json.loads(body)
        f = doc.get("fields") or {}
        if agency_code is None or f.get("agency") == agency_code:
            out.append(ConductGuide(int(seq), str(f.get("agency")), str(f.get("title")),
                                    f.get("issued_on"), str(occurred),
                                    list(doc.get("attachments") or [])))  # fmt: skip
    return out
