"""One officer in two places at once: acts of two cases overlapping in time, two places too
far apart for the time between them (by the capture position of the media), and video from a
body camera that was assigned to someone else at the time."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from liuhen.supervision.detectors.model import (
    Anomaly,
    Assignment,
    CaseFile,
    Corpus,
    Item,
    Ref,
    Severity,
    span_text,
)
from liuhen.supervision.detectors.thresholds import Thresholds

OVERLAP = "officer_overlap"
TRAVEL = "officer_travel"
DEVICE = "device_not_assigned"
AV_KINDS = ("video", "audio")
NOT_PRESENCE = ("general.document", "general.media", "general.correction", "general.review_access")


@dataclass(frozen=True, slots=True)
class Presence:
    """Where an officer was, by one act: from ``start`` to ``end`` (equal for a point act)."""

    officer: str
    start: datetime
    end: datetime
    item: Item
    unit: str
    agency: str


def presences(case: CaseFile) -> list[Presence]:
    """The officers' presence by the case's acts done in person: those stating a start and
    an end (询问, 检查, …), and on-site acts at their time."""
    out = []
    for e in case.entries:
        if e.act in NOT_PRESENCE or e.act.startswith(("registry.", "evidence.")):
            continue
        span = e.span()
        if span is None and not e.on_site:
            continue
        start, end = span or (e.occurred_at, e.occurred_at)
        for officer in e.actors:
            out.append(Presence(officer, start, end, e, case.unit, case.agency))
    return out


def _clash(a: Presence, b: Presence, tol: timedelta) -> bool:
    if a.start == a.end and b.start == b.end:
        return False  # two moments: nothing says how long either took
    if a.start == a.end:
        return b.start + tol <= a.start <= b.end - tol
    if b.start == b.end:
        return a.start + tol <= b.start <= a.end - tol
    return min(a.end, b.end) - max(a.start, b.start) >= tol


def overlaps(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    by_officer: dict[str, list[Presence]] = defaultdict(list)
    for case in corpus.cases:
        for p in presences(case):
            by_officer[p.officer].append(p)
    found: list[Anomaly] = []
    for items in by_officer.values():
        found += overlaps_among(items, corpus, t)
    return found


def overlaps_among(items: list[Presence], corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """The overlaps among one officer's presences (the incremental path reads them from its
    index; ties in time are ordered by entry so both paths word an anomaly alike)."""
    tol = timedelta(minutes=t.overlap_minutes)
    items = sorted(items, key=lambda p: (p.start, p.item.case, p.item.seq))
    found: list[Anomaly] = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if b.start > a.end:
                break
            if a.item.case == b.item.case or not _clash(a, b, tol):
                continue
            found.append(Anomaly(
                OVERLAP, Severity.HIGH,
                f"{corpus.who(a.officer)}{span_text(a.start, a.end)}在{a.item.case}案"
                f"{a.item.label}，同时（{span_text(b.start, b.end)}）在{b.item.case}案"
                f"{b.item.label}",
                (Ref(a.item.case, a.item.seq), Ref(b.item.case, b.item.seq)),
                unit=a.unit, agency=a.agency, officer=a.officer,
            ))  # fmt: skip
    return found


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


@dataclass(frozen=True, slots=True)
class Fix:
    """An officer at a place at a time, by a media file's capture position."""

    officer: str
    at: datetime
    until: datetime
    where: tuple[float, float]
    item: Item
    unit: str
    agency: str


def fixes(case: CaseFile, gps: Mapping[str, tuple[float, float]]) -> list[Fix]:
    """Where the case's media files put its officers (those whose files carried a position)."""
    out: list[Fix] = []
    for m in case.of("general.media"):
        where = gps.get(str(m.fields.get("digest") or ""))
        span = m.span()
        if where is None or span is None:
            continue
        act = case.entry(m.fields["act_seq"]) if isinstance(m.fields.get("act_seq"), int) else None
        for officer in sorted(set(m.actors) | set(act.actors if act else ())):
            out.append(Fix(officer, span[0], span[1], where, m, case.unit, case.agency))
    return out


def travel(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    by_officer: dict[str, list[Fix]] = defaultdict(list)
    for case in corpus.cases:
        for f in fixes(case, corpus.gps):
            by_officer[f.officer].append(f)
    found: list[Anomaly] = []
    for items in by_officer.values():
        found += travel_among(items, corpus, t)
    return found


def travel_among(items: list[Fix], corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """Consecutive positions of one officer too far apart for the time between them."""
    found: list[Anomaly] = []
    ordered = sorted(items, key=lambda f: (f.at, f.item.case, f.item.seq))
    for a, b in itertools.pairwise(ordered):
        if a.item.case == b.item.case:
            continue
        km = _km(a.where, b.where)
        gap_h = max(0.0, (b.at - a.until).total_seconds() / 3600)
        if km < 1.0 or km <= t.max_speed_kmh * gap_h:
            continue
        found.append(Anomaly(
            TRAVEL, Severity.HIGH,
            f"{corpus.who(a.officer)}{span_text(a.at, a.until)}在{a.item.case}案录像"
            f"（拍摄位置 {a.where[0]:.4f},{a.where[1]:.4f}），{span_text(b.at, b.until)}"
            f"在{b.item.case}案录像（{b.where[0]:.4f},{b.where[1]:.4f}）：两地相距约"
            f" {km:.0f} 千米，间隔仅 {gap_h * 60:.0f} 分钟",
            (Ref(a.item.case, a.item.seq), Ref(b.item.case, b.item.seq)),
            unit=a.unit, agency=a.agency, officer=a.officer,
            detail={"km": round(km, 1), "minutes": round(gap_h * 60)},
        ))  # fmt: skip
    return found


def holder(assignments: list[Assignment], device_no: str, at: datetime) -> Assignment | None:
    """The assignment of ``device_no`` in force at ``at`` (the latest one since before it)."""
    best = None
    for a in assignments:
        if a.device_no == device_no and a.since <= at and (best is None or a.since >= best.since):
            best = a
    return best


def devices(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    by_device: dict[str, list[Assignment]] = defaultdict(list)
    for a in corpus.assignments:
        by_device[a.device_no].append(a)
    found: list[Anomaly] = []
    for case in corpus.cases:
        for m in case.of("general.media"):
            device_no, span = str(m.fields.get("device_no") or ""), m.span()
            if not device_no or span is None or m.fields.get("kind") not in AV_KINDS:
                continue
            held = holder(by_device.get(device_no, []), device_no, span[0])
            if held is None or not held.officer:
                continue
            act = (
                case.entry(m.fields["act_seq"])
                if isinstance(m.fields.get("act_seq"), int)
                else None
            )
            present = set(m.actors) | set(act.actors if act else ())
            if held.officer in present:
                continue
            refs = (Ref(case.number, m.seq),) + ((Ref(case.number, act.seq),) if act else ())
            doing = f"的{act.label}" if act else ""
            found.append(Anomaly(
                DEVICE, Severity.MEDIUM,
                f"{case.number}案{span_text(*span)}{doing}的音像记录来自执法记录仪 {device_no}，"
                f"该设备当时配发给{corpus.who(held.officer)}，而其不在该事项的执法人员之中"
                f"（{'、'.join(sorted(present)) or '无'}）",
                refs, unit=case.unit, agency=case.agency, officer=held.officer,
            ))  # fmt: skip
    return found
