"""What the detectors read (cases as plain entries, devices' assignments, officers' names) and
what they return (anomalies that name the entries they rest on).

Built from entry documents, the journal's own shape, so the service and the unit tests build
the same thing; the detectors never see a database row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import act_type


class Severity(StrEnum):
    HIGH = "high"  # the record cannot be as it says (one officer in two places)
    MEDIUM = "medium"  # hard to explain honestly (video from another's camera)
    LOW = "low"  # a pattern worth a look (an officer who records days late)


SEVERITY_LABELS = {Severity.HIGH: "高", Severity.MEDIUM: "中", Severity.LOW: "低"}


def parse_time(value: object) -> datetime | None:
    """An aware datetime from an ISO text (None for anything else, or a naive time)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a case as the detectors read it (fields as corrected)."""

    case: str
    seq: int
    act: str
    occurred_at: datetime
    recorded_at: datetime  # the source system's, for an imported entry
    actors: tuple[str, ...] = ()
    fields: FieldValues = field(default_factory=dict)
    place: str = ""
    recorded_by: str = ""  # who entered it (cert_no or user name)
    corrects: int | None = None
    attachments: int = 0  # files the entry itself carries (photos of an inspection, …)

    @property
    def label(self) -> str:
        spec = act_type(self.act)
        return spec.label if spec else self.act

    def time(self, name: str) -> datetime | None:
        return parse_time(self.fields.get(name))

    def span(self) -> tuple[datetime, datetime] | None:
        """The stated start and end (``started_at``/``ended_at``), when the act states both."""
        start, end = self.time("started_at"), self.time("ended_at")
        if start is None or end is None or end < start:
            return None
        return start, end

    @property
    def on_site(self) -> bool:
        spec = act_type(self.act)
        return bool(spec and spec.on_site)


@dataclass(slots=True)
class CaseFile:
    """One case: its number, its unit and agency, its entries in journal order."""

    number: str
    unit: str
    agency: str
    entries: list[Item]
    # the fields as first stated, of the entries a correction changed (by seq): a transcript's
    # first text was compared with others when it was journaled
    stated: dict[int, FieldValues] = field(default_factory=dict)

    def entry(self, seq: int) -> Item | None:
        for e in self.entries:
            if e.seq == seq:
                return e
        return None

    def of(self, *acts: str) -> list[Item]:
        return [e for e in self.entries if e.act in acts]

    def party(self) -> str:
        """The first party's name (for a copy's explanation)."""
        for e in self.entries:
            parties = e.fields.get("parties")
            if isinstance(parties, list) and parties and isinstance(parties[0], dict):
                return str(parties[0].get("name") or "")
        return ""


@dataclass(frozen=True, slots=True)
class Assignment:
    """A device given to an officer (None: to nobody, a spare) from ``since`` on."""

    device_no: str
    officer: str | None
    since: datetime


@dataclass(slots=True)
class Corpus:
    """Everything a scan judges: the cases, the devices' assignments, officers' names and the
    capture position of media files (digest → (lat, lon)) where the file carried one."""

    cases: list[CaseFile]
    assignments: list[Assignment] = field(default_factory=list)
    officers: Mapping[str, str] = field(default_factory=dict)  # cert_no → name
    gps: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def who(self, cert_no: str) -> str:
        name = self.officers.get(cert_no)
        return f"执法人员{name}（{cert_no}）" if name else f"执法人员（{cert_no}）"


@dataclass(frozen=True, slots=True)
class Ref:
    case: str
    seq: int


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One thing a supervisor should look at: a kind code, what was seen in Chinese, the
    entries it rests on, and how serious it is. ``key`` is stable across scans."""

    kind: str
    severity: Severity
    explanation: str
    refs: tuple[Ref, ...]
    unit: str = ""
    agency: str = ""
    officer: str = ""
    detail: JsonObject = field(default_factory=dict)

    @property
    def key(self) -> str:
        ident = (
            self.kind
            + "|"
            + "|".join(f"{r.case}#{r.seq}" for r in sorted(set(self.refs), key=_ref_order))
        )
        if self.officer:
            ident += "|" + self.officer
        return hashlib.sha256(ident.encode()).hexdigest()[:32]


def _ref_order(r: Ref) -> tuple[str, int]:
    return (r.case, r.seq)


def case_file(number: str, unit: str, agency: str, docs: Iterable[JsonObject]) -> CaseFile:
    """A case from its entry documents: a correction's changes replace the corrected entry's
    fields (the correction stays an entry of its own: when it was made matters)."""
    docs = sorted(docs, key=lambda d: int(d["seq"]))
    fields_by_seq: dict[int, dict[str, Any]] = {}
    stated: dict[int, FieldValues] = {}
    for d in docs:
        body = d.get("body") or {}
        fields_by_seq[int(d["seq"])] = dict(body.get("fields") or {})
        target = body.get("corrects")
        if d["act"] == "general.correction" and target in fields_by_seq:
            changes = (body.get("fields") or {}).get("changes") or {}
            if isinstance(changes, dict):
                stated.setdefault(target, dict(fields_by_seq[target]))
                fields_by_seq[target].update(changes)
    items = []
    for d in docs:
        body = d.get("body") or {}
        occurred = parse_time(d.get("occurred_at"))
        imported = body.get("imported") or {}
        recorded = parse_time(imported.get("recorded_at") if imported else None)
        recorded = recorded or parse_time(d.get("recorded_at"))
        if occurred is None or recorded is None:
            continue
        actors = tuple(
            str(a.get("cert_no") if isinstance(a, dict) else a) for a in d.get("actors") or []
        )
        by = body.get("recorded_by") or {}
        items.append(Item(
            case=number, seq=int(d["seq"]), act=str(d["act"]), occurred_at=occurred,
            recorded_at=recorded, actors=actors, fields=fields_by_seq[int(d["seq"])],
            place=str(body.get("place") or ""), recorded_by=str(by.get("id") or ""),
            corrects=body.get("corrects") if isinstance(body.get("corrects"), int) else None,
            attachments=len(body.get("attachments") or []),
        ))  # fmt: skip
    return CaseFile(number, unit, agency, items, stated)


def day(t: datetime) -> str:
    return f"{t.year}年{t.month}月{t.day}日"


def span_text(start: datetime, end: datetime | None = None) -> str:
    """``2026年11月3日10:00–10:40`` (the end's date too when it is another day)."""
    text = f"{day(start)}{start:%H:%M}"
    if end is None or end == start:
        return text
    if end.date() != start.date():
        return f"{text}–{day(end)}{end:%H:%M}"
    return f"{text}–{end:%H:%M}"


def hours(delta_seconds: float) -> str:
    h = delta_seconds / 3600
    return f"{h / 24:.1f} 天" if h >= 48 else f"{h:.1f} 小时"
