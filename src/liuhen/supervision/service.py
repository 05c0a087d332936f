"""Anomaly detection over every case, the list supervisors read, and their conclusions.

A scan reads the cases from the journal (corrections applied, imported entries at the source
system's recording time), the cameras' assignments (``registry.device``), the officers' names
and the files' capture positions, runs the detectors of each agency with that agency's
thresholds (``registry.supervision_settings``, the defaults where none are set), and replaces
the ``anomaly`` table (a cache: rebuilt by the next scan, emptied by ``liuhen journal
rebuild``). An anomaly no longer found stays listed, marked as such: what a supervisor saw must
not vanish. A conclusion is a journal entry (``registry.anomaly_review``), read back from the
journal, so neither a rescan nor a rebuild loses it.

Incremental detection is a catch-up by journal position, like the case list's summaries: the
table keeps the journal size its scan read (``anomaly_scan``); ``catch_up`` (called before the
list and the page are read, and by ``liuhen anomalies scan`` without ``--full``) rescans when
entries were journaled since, and only moves the position when the new entries are viewings,
conclusions or settings, which change no case. The rescan is a full one on purpose: the kinds
that matter most are across cases (one officer in two cases, a transcript copied from another
case), so an entry in one case can raise or clear an anomaly of another; a full scan of 1,000
cases takes seconds (bench/anomalies.py).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.supervision.detectors import thresholds as limits
from liuhen.supervision.detectors.model import (
    SEVERITY_LABELS,
    Anomaly,
    Assignment,
    CaseFile,
    Corpus,
    Severity,
    case_file,
    parse_time,
)
from liuhen.supervision.detectors.run import BY_CODE, detect
from liuhen.supervision.detectors.thresholds import Thresholds
from liuhen.supervision.schemas import (
    AnomalyDetail,
    AnomalyItem,
    AnomalyPage,
    EntryRef,
    Review,
    ScanResult,
    ThresholdSetting,
)

ENTRY, CASE, UNIT, OFFICER, MEDIA = store.ENTRY, store.CASE, store.UNIT, store.OFFICER, store.MEDIA
ANOMALY, SCAN = store.T["anomaly"], store.T["anomaly_scan"]
REVIEW = "registry.anomaly_review"
SETTINGS = "registry.supervision_settings"
CONCLUSIONS = ("属实", "不属实", "需进一步核查")
# Entries that change no case: a scan need not run again for them.
NEUTRAL = ("general.review_access", REVIEW, SETTINGS)
PER_PAGE = 50


def _stored_gps(info: str | None) -> tuple[float, float] | None:
    try:
        gps = json.loads(info or "{}").get("gps")
        lat, lon = (float(x) for x in str(gps).split(","))
    except (ValueError, TypeError, AttributeError):
        return None
    return lat, lon


def load_corpus(app: App) -> tuple[list[CaseFile], Corpus, int]:
    """Every case as the detectors read it, with the registry around them; the journal size read."""
    with app.engine.connect() as conn:
        head = int(conn.execute(select(func.coalesce(func.max(ENTRY.c.seq), 0))).scalar() or 0)
        agencies = {u: a for u, a in conn.execute(select(UNIT.c.code, UNIT.c.agency))}
        units = {n: u for n, u in conn.execute(select(CASE.c.number, CASE.c.unit))}
        docs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.occurred_at,
                   ENTRY.c.recorded_at, ENTRY.c.actors, ENTRY.c.body)
            .where(~ENTRY.c.chain.startswith("@"), ENTRY.c.act != "general.review_access",
                   ENTRY.c.seq <= head)
            .order_by(ENTRY.c.seq)
        )  # fmt: skip
        for seq, chain, act, occurred, recorded, actors, body in rows:
            docs[chain].append({
                "seq": int(seq), "act": act, "occurred_at": occurred, "recorded_at": recorded,
                "actors": json.loads(actors), "body": json.loads(body),
            })  # fmt: skip
        assignments = []
        for occurred, body in conn.execute(
            select(ENTRY.c.occurred_at, ENTRY.c.body)
            .where(ENTRY.c.act == "registry.device", ENTRY.c.seq <= head)
            .order_by(ENTRY.c.seq)
        ):
            fields = json.loads(body).get("fields") or {}
            since = parse_time(occurred)
            if since is not None and fields.get("device_no"):
                officer = fields.get("officer") or None
                assignments.append(Assignment(str(fields["device_no"]), officer, since))
        officers = {c: n for c, n in conn.execute(select(OFFICER.c.cert_no, OFFICER.c.name))}
        gps = {
            digest: where
            for digest, info in conn.execute(select(MEDIA.c.digest, MEDIA.c.info))
            if (where := _stored_gps(info)) is not None
        }
    cases = [
        case_file(n, units.get(n, ""), agencies.get(units.get(n, ""), ""), d)
        for n, d in docs.items()
    ]
    return cases, Corpus(cases, assignments, officers, gps), head


def _settings_entries(conn: Connection) -> dict[str, list[str]]:
    """Each agency's latest thresholds entry's values."""
    out: dict[str, list[str]] = {}
    for body in conn.execute(
        select(ENTRY.c.body).where(ENTRY.c.act == SETTINGS).order_by(ENTRY.c.seq)
    ).scalars():
        fields = json.loads(body).get("fields") or {}
        out[str(fields.get("agency"))] = [str(v) for v in fields.get("values") or []]
    return out


def _parse_values(values: Iterable[str]) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (s.partition("=") for s in values) if k.strip()}


def thresholds_for(app: App, agency: str) -> Thresholds:
    """The thresholds in force for ``agency`` (the defaults for any it did not set)."""
    with app.engine.connect() as conn:
        values = _settings_entries(conn).get(agency, [])
    return limits.with_values(Thresholds(), _parse_values(values))[0]


def threshold_settings(app: App, agency: str) -> list[ThresholdSetting]:
    t, default = thresholds_for(app, agency), Thresholds()
    return [
        ThresholdSetting(name=n, label=limits.LABELS[n], value=getattr(t, n),
                         default=getattr(default, n))
        for n in limits.names()
    ]  # fmt: skip


def set_thresholds(app: App, agency: str, values: dict[str, str], by: dict[str, str]) -> Appended:
    """Journal the agency's thresholds: those given replace the ones in force, the rest stay."""
    with app.engine.connect() as conn:
        if (
            conn.execute(select(store.AGENCY.c.code).where(store.AGENCY.c.code == agency)).first()
            is None
        ):
            raise NotFoundError(f"机关“{agency}”未登记")
        current = _parse_values(_settings_entries(conn).get(agency, []))
    _, bad = limits.with_values(Thresholds(), values)
    if bad:
        raise ValidationError(
            f"异常监测阈值有 {len(bad)} 处问题，未保存",
            [
                Problem(f"“{n}”不是已知的阈值或不是大于零的数（相似度在 0 与 1 之间）", n)
                for n in bad
            ],
        )
    current.update({k: str(v) for k, v in values.items()})
    return record.record(app, ActInput(
        SETTINGS, app.clock.now().isoformat(), recorded_by=by,
        fields={"agency": agency, "values": [f"{k}={v}" for k, v in sorted(current.items())]},
    ))  # fmt: skip


def _row(a: Anomaly, now: str) -> dict[str, Any]:
    return {
        "key": a.key, "kind": a.kind, "severity": a.severity.value, "agency": a.agency or None,
        "unit": a.unit or None, "officer": a.officer or None, "explanation": a.explanation,
        "refs": json.dumps([{"case": r.case, "seq": r.seq} for r in a.refs]),
        "detail": json.dumps(a.detail, ensure_ascii=False), "found_at": now, "active": True,
    }  # fmt: skip


def scan(app: App) -> ScanResult:
    """Run every detector over every case and replace the anomaly table's findings."""
    t0 = time.perf_counter()
    cases, corpus, head = load_corpus(app)
    by_agency: dict[str, list[CaseFile]] = defaultdict(list)
    for c in cases:
        by_agency[c.agency].append(c)
    found: dict[str, Anomaly] = {}
    for agency, mine in by_agency.items():
        part = Corpus(mine, corpus.assignments, corpus.officers, corpus.gps)
        for a in detect(part, thresholds_for(app, agency)):
            found.setdefault(a.key, a)
    now = app.clock.now().isoformat()
    with write_transaction(app.engine) as conn:
        known = {k: f for k, f in conn.execute(select(ANOMALY.c.key, ANOMALY.c.found_at))}
        conn.execute(ANOMALY.update().values(active=False))
        for key, a in found.items():
            row = _row(a, known.get(key, now))
            if key in known:
                conn.execute(ANOMALY.update().where(ANOMALY.c.key == key).values(**row))
            else:
                conn.execute(ANOMALY.insert().values(**row))
        conn.execute(SCAN.delete())
        conn.execute(SCAN.insert().values(id=1, position=head, scanned_at=now))
    counts: dict[str, int] = defaultdict(int)
    for a in found.values():
        counts[a.kind] += 1
    return ScanResult(
        cases=len(cases), entries=sum(len(c.entries) for c in cases), anomalies=len(found),
        by_kind=dict(counts), position=head, seconds=round(time.perf_counter() - t0, 3),
    )  # fmt: skip


def catch_up(app: App) -> ScanResult | None:
    """Scan again if anything that can change an anomaly was journaled since the last scan;
    None when nothing was (the position moves past viewings and conclusions)."""
    with app.engine.connect() as conn:
        position = conn.execute(select(SCAN.c.position).where(SCAN.c.id == 1)).scalar()
        head = int(conn.execute(select(func.coalesce(func.max(ENTRY.c.seq), 0))).scalar() or 0)
        if position is not None and head <= position:
            return None
        moved = position is None or conn.execute(
            select(ENTRY.c.seq).where(ENTRY.c.seq > position, ENTRY.c.act.not_in(NEUTRAL)).limit(1)
        ).first() is not None  # fmt: skip
    if moved:
        return scan(app)
    with write_transaction(app.engine) as conn:
        conn.execute(SCAN.update().where(SCAN.c.id == 1).values(position=head))
    return None


def _reviews(conn: Connection, key: str | None = None) -> dict[str, list[Review]]:
    q = select(ENTRY.c.seq, ENTRY.c.recorded_at, ENTRY.c.body).where(ENTRY.c.act == REVIEW)
    if key is not None:
        q = q.where(ENTRY.c.body.contains(key))
    out: dict[str, list[Review]] = defaultdict(list)
    for seq, at, body in conn.execute(q.order_by(ENTRY.c.seq)):
        doc = json.loads(body)
        fields, by = doc.get("fields") or {}, doc.get("recorded_by") or {}
        out[str(fields.get("anomaly"))].append(Review(
            seq=int(seq), conclusion=str(fields.get("conclusion")),
            opinion=str(fields.get("opinion") or ""), by=str(by.get("id") or ""), at=at,
        ))  # fmt: skip
    return out


def _item(row: Any, reviews: list[Review]) -> dict[str, Any]:
    kind = BY_CODE.get(row.kind)
    severity = Severity(row.severity)
    return {
        "key": row.key, "kind": row.kind, "kind_label": kind.label if kind else row.kind,
        "group": kind.group if kind else 9, "severity": row.severity,
        "severity_label": SEVERITY_LABELS[severity], "agency": row.agency, "unit": row.unit,
        "officer": row.officer, "explanation": row.explanation,
        "refs": [EntryRef(**r) for r in json.loads(row.refs)], "found_at": row.found_at,
        "active": bool(row.active), "review": reviews[-1] if reviews else None,
    }  # fmt: skip


def list_anomalies(
    app: App,
    *,
    kind: str | None = None,
    severity: str | None = None,
    agency: str | None = None,
    unit: str | None = None,
    reviewed: bool | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AnomalyPage:
    """Anomalies, most serious kind first; ``agency`` limits them to one agency's cases."""
    if kind and kind not in BY_CODE:
        raise ValidationError(f"未知的异常种类“{kind}”", [Problem("未知的异常种类", "kind")])
    q = select(ANOMALY)
    for column, value in ((ANOMALY.c.kind, kind), (ANOMALY.c.severity, severity),
                          (ANOMALY.c.agency, agency), (ANOMALY.c.unit, unit)):  # fmt: skip
        if value:
            q = q.where(column == value)
    with app.engine.connect() as conn:
        rows = list(conn.execute(q).all())
        reviews = _reviews(conn)
    if reviewed is not None:
        rows = [r for r in rows if bool(reviews.get(r.key)) == reviewed]
    order = {k: i for i, k in enumerate(BY_CODE)}
    rank = {Severity.HIGH.value: 0, Severity.MEDIUM.value: 1, Severity.LOW.value: 2}
    rows.sort(key=lambda r: (not r.active, rank.get(r.severity, 3), order.get(r.kind, 99), r.key))
    per_page = max(1, min(per_page, 500))
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    chosen = rows[(page - 1) * per_page : page * per_page]
    items = [AnomalyItem(**_item(r, reviews.get(r.key, []))) for r in chosen]
    return AnomalyPage(items=items, total=len(rows), page=page, pages=pages)


def get_anomaly(app: App, key: str, agency: str | None = None) -> AnomalyDetail:
    """One anomaly with what it rests on and every conclusion about it (not found outside
    ``agency`` when one is given: a head sees his own agency's)."""
    with app.engine.connect() as conn:
        row = conn.execute(select(ANOMALY).where(ANOMALY.c.key == key)).first()
        reviews = _reviews(conn, key).get(key, [])
    if row is None or (agency is not None and row.agency != agency):
        raise NotFoundError(f"没有编号为“{key}”的异常")
    return AnomalyDetail(**_item(row, reviews), detail=json.loads(row.detail), reviews=reviews)


def review(
    app: App, key: str, conclusion: str, opinion: str, by: dict[str, str],
    agency: str | None = None,
) -> Appended:  # fmt: skip
    """Journal a conclusion on an anomaly; the anomaly itself stays as it was found."""
    found = get_anomaly(app, key, agency)
    problems = []
    if conclusion not in CONCLUSIONS:
        problems.append(Problem(f"结论应为{'、'.join(CONCLUSIONS)}之一", "conclusion"))
    if not opinion.strip():
        problems.append(Problem("请填写核查意见", "opinion"))
    if problems:
        raise ValidationError("核查结论未保存", problems)
    return record.record(app, ActInput(
        REVIEW, app.clock.now().isoformat(), recorded_by=by,
        fields={"anomaly": key, "kind": found.kind, "conclusion": conclusion,
                "opinion": opinion.strip(),
                "entries": [f"{r.case}#{r.seq}" for r in found.refs]},
    ))  # fmt: skip
