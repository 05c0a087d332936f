"""Anomaly detection over every case, the list supervisors read, and their conclusions.

Detection reads the cases from the journal (corrections applied, imported entries at the source
system's recording time), the cameras' assignments (``registry.device``), the officers' names
and the files' capture positions, and runs the detectors of each agency with that agency's
thresholds (``registry.supervision_settings``, the defaults where none are set) into the
``anomaly`` table (a cache, emptied by ``liuhen journal rebuild``).

It is incremental (``detect_new``, the job's work and what a read of the list does first): the
entries journaled since the position the table keeps (``anomaly_scan``) are read in batches,
only the cases they touched are judged again, and across cases only their neighbours, read
from the indexed state ``supervision.index`` keeps (officers' presence intervals and positions,
recording lags, transcripts' rare 4-grams). ``scan`` is the full scan: it empties that state
and runs the same steps over every case, a chunk of cases at a time; the two find the same set
(tests/integration/test_anomalies.py). New thresholds, or a first pass, mean a full scan.

An anomaly no longer found stays listed, inactive: what a supervisor saw must not vanish. A
conclusion is a journal entry (``registry.anomaly_review``) naming the anomaly's stable key,
read back from the journal, so neither a rescan nor a rebuild loses it.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel import jobs, record
from liuhen.kernel.cycles import cycles_paused
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.supervision import copy_index, index
from liuhen.supervision.detectors import thresholds as limits
from liuhen.supervision.detectors.model import (
    SEVERITY_LABELS,
    Assignment,
    CaseFile,
    Severity,
    case_file,
    parse_time,
)
from liuhen.supervision.detectors.run import BY_CODE
from liuhen.supervision.detectors.thresholds import Thresholds
from liuhen.supervision.index import World
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
BATCH = 5000  # journal entries per incremental pass
JOB_SECONDS = 5.0  # how often the detection job of a server looks for new entries
SCAN_CHUNK = 500  # cases read at once by a full scan
CHUNK = 500  # names per IN list


def _stored_gps(info: str | None) -> tuple[float, float] | None:
    try:
        gps = json.loads(info or "{}").get("gps")
        lat, lon = (float(x) for x in str(gps).split(","))
    except (ValueError, TypeError, AttributeError):
        return None
    return lat, lon


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


def _world(app: App, conn: Connection) -> World:
    """Thresholds by agency, cameras' assignments, officers' names, files' positions."""
    settings = _settings_entries(conn)
    thresholds = {
        agency: limits.with_values(Thresholds(), _parse_values(values))[0]
        for agency, values in settings.items()
    }
    assignments = []
    for occurred, body in conn.execute(
        select(ENTRY.c.occurred_at, ENTRY.c.body)
        .where(ENTRY.c.act == "registry.device")
        .order_by(ENTRY.c.seq)
    ):
        fields = json.loads(body).get("fields") or {}
        since = parse_time(occurred)
        if since is not None and fields.get("device_no"):
            officer = fields.get("officer") or None
            assignments.append(Assignment(str(fields["device_no"]), officer, since))
    officers = {c: n for c, n in conn.execute(select(OFFICER.c.cert_no, OFFICER.c.name))}
    return World(thresholds, assignments, officers, {})


def _with_gps(conn: Connection, world: World, cases: list[CaseFile]) -> World:
    """``world`` with the capture positions of these cases' files (those that carried one)."""
    digests = sorted({
        str(m.fields.get("digest")) for c in cases for m in c.of("general.media")
        if m.fields.get("digest")
    })  # fmt: skip
    gps: dict[str, tuple[float, float]] = {}
    for i in range(0, len(digests), CHUNK):
        q = select(MEDIA.c.digest, MEDIA.c.info).where(MEDIA.c.digest.in_(digests[i : i + CHUNK]))
        for digest, info in conn.execute(q):
            if (where := _stored_gps(info)) is not None:
                gps[digest] = where
    return World(world.thresholds, world.assignments, world.officers, gps)


def _cases(conn: Connection, numbers: list[str], head: int) -> list[CaseFile]:
    """These cases as the detectors read them, up to journal position ``head``."""
    units: dict[str, str] = {}
    for i in range(0, len(numbers), CHUNK):
        units |= dict(
            conn.execute(
                select(CASE.c.number, CASE.c.unit).where(CASE.c.number.in_(numbers[i : i + CHUNK]))
            ).all()
        )
    agencies = dict(conn.execute(select(UNIT.c.code, UNIT.c.agency)).all())
    docs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in range(0, len(numbers), CHUNK):
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.occurred_at,
                   ENTRY.c.recorded_at, ENTRY.c.actors, ENTRY.c.body)
            .where(ENTRY.c.chain.in_(numbers[i : i + CHUNK]),
                   ENTRY.c.act != "general.review_access", ENTRY.c.seq <= head)
            .order_by(ENTRY.c.seq)
        )  # fmt: skip
        for seq, chain, act, occurred, recorded, actors, body in rows:
            docs[chain].append({
                "seq": int(seq), "act": act, "occurred_at": occurred, "recorded_at": recorded,
                "actors": json.loads(actors), "body": json.loads(body),
            })  # fmt: skip
    return [
        case_file(n, units.get(n) or "", agencies.get(units.get(n) or "") or "", docs[n])
        for n in numbers
        if docs.get(n)
    ]


def _head(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(ENTRY.c.seq), 0))).scalar() or 0)


def _position(conn: Connection) -> int | None:
    q = select(SCAN.c.position).where(SCAN.c.id == 1)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    found = conn.execute(q).scalar()
    return None if found is None else int(found)


def _set_position(conn: Connection, head: int, now: str) -> None:
    if conn.execute(SCAN.update().where(SCAN.c.id == 1).values(position=head, scanned_at=now)
                    ).rowcount == 0:  # fmt: skip
        conn.execute(SCAN.insert().values(id=1, position=head, scanned_at=now))


def _result(out: index.Outcome, cases: int, entries: int, head: int, t0: float) -> ScanResult:
    counts: dict[str, int] = defaultdict(int)
    for a in out.found.values():
        counts[a.kind] += 1
    return ScanResult(
        cases=cases, entries=entries, anomalies=len(out.found), by_kind=dict(counts),
        position=head, seconds=round(time.perf_counter() - t0, 3),
    )  # fmt: skip


def scan(app: App) -> ScanResult:
    """Judge every case again from the journal: the index is emptied and refilled case by
    case (a chunk at a time, never the whole journal in memory), then everything is judged
    across cases. Anomalies not found again stay listed, inactive."""
    with cycles_paused():
        return _scan(app)


def _scan(app: App) -> ScanResult:
    t0 = time.perf_counter()
    now = app.clock.now().isoformat()
    with write_transaction(app.engine) as conn:
        head = _head(conn)
        world = _world(app, conn)
        index.reset(conn)
        dropped = index.unindexed(conn)
        numbers = [
            n for n in conn.execute(
                select(ENTRY.c.chain).where(~ENTRY.c.chain.startswith("@"), ENTRY.c.seq <= head)
                .group_by(ENTRY.c.chain).order_by(func.min(ENTRY.c.seq))
            ).scalars()
        ]  # fmt: skip
        out = index.Outcome()
        entries = 0
        for i in range(0, len(numbers), SCAN_CHUNK):
            cases = _cases(conn, numbers[i : i + SCAN_CHUNK], head)
            entries += sum(len(c.entries) for c in cases)
            index.judge_cases(conn, cases, _with_gps(conn, world, cases), 0, out, fresh=True)
        # what the cross-case passes read is indexed again; the rest once written
        early = (index.PRESENCE, index.FIX, index.ACT, index.DEVICE_USE)
        index.reindexed(conn, dropped, early)
        index.analyze(conn)
        index.cross(conn, world, out, full=True)
        copy_index.judge_texts(conn, world, out, full=True)
        index.write(conn, out, now, full=True)
        index.reindexed(conn, dropped, [t for t in index.INDEX if t not in early])
        _set_position(conn, head, now)
    return _result(out, len(numbers), entries, head, t0)


def _detect_batch(app: App, batch: int) -> ScanResult | None:
    """Judge at most ``batch`` entries journaled since the last pass, in one write transaction:
    the cases they touched alone, and across cases only their neighbours
    (``supervision.index``). None when nothing was journaled. A first pass, or new
    thresholds, is a full scan."""
    t0 = time.perf_counter()
    with app.engine.connect() as conn:
        position = conn.execute(select(SCAN.c.position).where(SCAN.c.id == 1)).scalar()
        if position is not None and _head(conn) <= position:
            return None
    if position is None:
        return scan(app)
    now = app.clock.now().isoformat()
    with write_transaction(app.engine) as conn:
        after = _position(conn)
        if after is None:
            return None  # emptied meanwhile (a rebuild): the next pass scans in full
        head = min(_head(conn), after + batch)
        if head <= after:
            return None
        rows = list(conn.execute(
            select(ENTRY.c.chain, ENTRY.c.act, ENTRY.c.body)
            .where(ENTRY.c.seq > after, ENTRY.c.seq <= head, ENTRY.c.act.not_in(NEUTRAL[:1]))
        ))  # fmt: skip
        if any(act == SETTINGS for _, act, _ in rows):
            full = True
        else:
            full = False
            touched = {c for c, act, _ in rows if not c.startswith("@") and act not in NEUTRAL}
            devices = [
                str((json.loads(b).get("fields") or {}).get("device_no"))
                for _, act, b in rows
                if act == "registry.device"
            ]
            if devices:
                touched |= set(
                    conn.execute(
                        select(index.DEVICE_USE.c.case_number).where(
                            index.DEVICE_USE.c.device_no.in_(devices)
                        )
                    ).scalars()
                )
            world = _world(app, conn)
            out = index.Outcome()
            numbers = sorted(touched)
            cases = _cases(conn, numbers, head)
            index.judge_cases(conn, cases, _with_gps(conn, world, cases), after, out)
            index.cross(conn, world, out)
            copy_index.judge_texts(conn, world, out)
            index.write(conn, out, now)
            _set_position(conn, head, now)
    if full:
        return scan(app)
    return _result(out, len(cases), len(rows), head, t0)


def detect_new(app: App, batch: int = BATCH) -> ScanResult | None:
    """Judge everything journaled since the last pass, ``batch`` entries a transaction (the
    job's work, and what a read of the list does first); None when nothing was. The figures
    are the batches' sum."""
    total: ScanResult | None = None
    while (step := _detect_batch(app, batch)) is not None:
        if step.cases == 0:
            continue  # viewings, conclusions: no case to judge
        if total is None:
            total = step
            continue
        by_kind = dict(total.by_kind)
        for k, n in step.by_kind.items():
            by_kind[k] = by_kind.get(k, 0) + n
        total = ScanResult(
            cases=total.cases + step.cases, entries=total.entries + step.entries,
            anomalies=total.anomalies + step.anomalies, by_kind=by_kind, position=step.position,
            seconds=round(total.seconds + step.seconds, 3),
        )  # fmt: skip
    return total


def behind(app: App) -> bool:
    """Whether entries were journaled after the position detection has reached."""
    with app.engine.connect() as conn:
        position = conn.execute(select(SCAN.c.position).where(SCAN.c.id == 1)).scalar()
        return position is None or _head(conn) > int(position)


def _pending(app: App) -> list[str]:
    return ["journal"] if behind(app) else []


def _run(app: App, _what: str) -> None:
    detect_new(app)


JOB = jobs.Task(name="liuhen.anomalies", queue="anomalies", pending=_pending, run=_run)


def job(app: App, every: float = JOB_SECONDS) -> jobs.InProcessQueue:
    """The detection job of a ``liuhen serve`` or ``liuhen worker`` process: a thread that
    every ``every`` seconds runs :func:`detect_new` when entries were journaled. Several
    processes may run one: each pass holds the write lock and starts from the stored
    position, so none judges an entry twice."""
    return jobs.InProcessQueue(app, JOB, rescan=every)


def catch_up(app: App) -> ScanResult | None:
    """The list's and the page's catch-up before they are read: :func:`detect_new`."""
    return detect_new(app)


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


def units(app: App, agency: str | None = None) -> list[tuple[str, str]]:
    """The units a reader may filter the anomalies by (code, name): every agency's for a
    supervisor (``agency`` None), else his own agency's; the list page offers them by name."""
    q = select(UNIT.c.code, UNIT.c.name).order_by(UNIT.c.agency, UNIT.c.code)
    if agency is not None:
        q = q.where(UNIT.c.agency == agency)
    with app.engine.connect() as conn:
        return [(str(c), str(n)) for c, n in conn.execute(q)]


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
