"""A large instance in minutes: N cases (about 50 entries each) written into their own PostgreSQL
database with COPY, then every projection brought up to date by its own rebuild or catch-up.

Appending entry by entry through the journal would take hours at 100,000 cases; this writes the
same rows the journal writes (the same canonical bytes, leaf hashes, per-case hash chains and
Merkle nodes, then a checkpoint signed by ``proofs.checkpoint``), so ``liuhen verify`` passes on
the result (``tests/integration/test_bench_bulk.py`` holds it to that). The registry, the agency
settings and the supervisor's account go through the normal services.

The cases are the demo's twelve case files (``src/liuhen/demo/case_*.json``, as ``imports``
parses them), each copy:

* given to one of several agencies cloned from the demo agency (its units, officers and cameras
  under their own codes), about 2,000 cases per agency, so officers are not in every case;
* moved back in time so that an agency's cases spread over the two years before the clock;
* padded to the wanted size with further interviews (设备检查, 询问 with its 笔录 and video), each
  a couple of hours after the last, before the decision — as a case with more witnesses has.

No PDFs or media files are stored: entries keep the digests the demo files name, with no blob
behind them (verification checks the journal, not the blob store).

    .venv/bin/python -m bench.bulk --cases 100000 [--per-case 50] [--db liuhen_bench_scale]
        [--data-dir /tmp/liuhen_bench_scale] [--batch 20000]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from importlib import resources
from json.encoder import encode_basestring as _encode_string
from pathlib import Path
from typing import Any

from bench import anomalies as honest
from liuhen.accounts import service as access
from liuhen.cases import imports
from liuhen.demo import seed as demo
from liuhen.journal.entry import BODY_KEYS, EntryRow, column_texts, entry_document
from liuhen.journal.merkle import CompactRange, frontier_ids, leaf_hash
from liuhen.kernel import instance, proofs, rebuild, record
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.journal import Draft
from liuhen.kernel.record import ActInput

PG_DB = "liuhen_bench_scale"
DATA_DIR = "/tmp/liuhen_bench_scale"
CASES_PER_AGENCY = 2000
SPREAD_DAYS = 730
PAD_GAP = timedelta(hours=2)  # between one padded interview and the next
SUPERVISOR = ("sifaju", "jiandu-demo-2026")
ENTRY_COLUMNS = (
    "seq", "chain", "chain_seq", "act", "occurred_at", "recorded_at", "actors", "body",
    "prev_hash", "leaf_hash", "canonical",
)  # fmt: skip
PAD_ACTS = ("general.document", "general.media")  # what follows an interview as its own


def open_app(db: str = PG_DB, data_dir: str = DATA_DIR) -> instance.App:
    """The generated instance, opened again (by the measurements, or ``liuhen`` with the same
    ``LIUHEN_DATA_DIR`` and ``LIUHEN_DATABASE_URL``), its schema brought to the newest migration
    first, as ``liuhen init`` does."""
    st = settings_mod.load(env(db, data_dir))
    instance.init(st)
    return instance.open_app(st)


def env(db: str = PG_DB, data_dir: str = DATA_DIR) -> dict[str, str]:
    return {
        "LIUHEN_DATA_DIR": data_dir,
        "LIUHEN_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
    }


# --- the registry: the demo agency and its clones -------------------------------------------


def registry_text() -> str:
    return (resources.files("liuhen") / "demo" / "registry.json").read_text("utf-8")


@dataclass(frozen=True)
class Agency:
    code: str
    renames: dict[str, str]  # demo code (officer, unit, camera, agency) -> this agency's


def _renames(registry: dict[str, Any], k: int) -> dict[str, str]:
    if k == 0:
        return {}
    out = {a["code"]: f"{a['code']}{k:02d}" for a in registry["agencies"]}
    for u in registry["units"]:
        out[u["code"]] = u["code"].replace(u["agency"], out[u["agency"]], 1)
    for o in registry["officers"]:
        out[o["cert_no"]] = str(int(o["cert_no"]) + k * 1_000_000)
    for d in registry["devices"]:
        out[d["device_no"]] = d["device_no"].replace("-", f"{k:02d}-", 1)
    return out


def agency(k: int) -> Agency:
    """The ``k``-th agency ``register`` makes (0: the demo's own)."""
    registry = json.loads(registry_text())
    renames = _renames(registry, k)
    code = registry["agencies"][0]["code"]
    return Agency(renames.get(code, code), renames)


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, renames) for k, v in value.items()}
    return value


def register(app: instance.App, agencies: int) -> list[Agency]:
    """The demo registry once per agency (the first under the demo's own codes), each agency's
    settings, and the supervisor's account, through the normal services."""
    registry = json.loads(registry_text())
    now = app.clock.now().isoformat()
    out = []
    for k in range(agencies):
        renames = _renames(registry, k)
        for kind, key in (
            ("registry.agency", "agencies"),
            ("registry.unit", "units"),
            ("registry.officer", "officers"),
            ("registry.device", "devices"),
        ):
            for item in registry[key]:
                fields = _renamed(item, renames)
                if kind == "registry.agency" and k:
                    fields["name"] = f"第{k}区文化和旅游局"
                record.record(app, ActInput(kind, now, fields=fields, recorded_by=demo.ADMIN))
        for item in registry["agency_settings"]:
            values = {key: v for key, v in item.items() if key != "agency"}
            if k:
                values["short_name"] = f"{values['short_name']}{k}"
            access.change_agency_settings(
                app, renames.get(item["agency"], item["agency"]), access.SettingsChange(**values),
                demo.ADMIN,
            )  # fmt: skip
        out.append(agency(k))
    user = next(u for u in demo.DEMO_USERS if u[0] == SUPERVISOR[0])
    access.create_user(app, user[0], user[1], list(user[2]), user[3], user[4], user[5])
    return out


# --- the cases ---------------------------------------------------------------------------

REF_BASE = 987_650_000  # a reference's placeholder in a template's text: REF_BASE + position


def _codes() -> list[str]:
    """The demo registry's codes a case names (officers, units, cameras, the agency)."""
    registry = json.loads(registry_text())
    return sorted(_renames(registry, 1), key=len, reverse=True)


_TOKEN = re.compile(
    r'"(\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z))?)"'
    r"|(?<=[:\[,])9876(5\d{4})(?=[,}\]])"
    r'|"(' + "|".join(re.escape(c) for c in _codes()) + ')"'
    r'|"@@(transcript|scene)@@"'
)
TEXTS = {"investigation.inquiry": "transcript", "investigation.inspection": "scene"}


@dataclass(frozen=True)
class Row:
    """One entry of a case as the journal stores it, before it has a place: its ``actors`` and
    ``body`` already in canonical text."""

    chain: str
    act: str
    occurred_at: str
    actors: str
    body: str
    refs: tuple[int, ...] = ()  # positions within the case of the entries its body names


@dataclass
class Template:
    """A demo case file parsed by ``imports``: each entry's act, time and canonical texts, with
    each reference to another entry of the file left as ``REF_BASE + position``."""

    acts: list[str]
    times: list[datetime]
    actors: list[str]
    bodies: list[str]
    block: tuple[int, int]  # the interview copied to pad the case: entries[start:end]
    copies: int = 0


def _template(drafts: list[Draft]) -> Template:
    actors, bodies = [], []
    for d in drafts:
        body: dict[str, Any] = copy.deepcopy({key: d.body.get(key) for key in BODY_KEYS})
        for name, index in d.refs.items():
            target: dict[str, Any] = body if name == "corrects" else body["fields"]
            target[name] = REF_BASE + index
        if d.act in TEXTS and body["fields"].get(TEXTS[d.act]):  # each case its own words
            body["fields"][TEXTS[d.act]] = f"@@{TEXTS[d.act]}@@"
        doc = entry_document(
            seq=1, chain="x", chain_seq=1, act=d.act, occurred_at=d.occurred_at,
            recorded_at=d.occurred_at, actors=d.body["actors"], body=body, prev_hash=None,
        )  # fmt: skip
        a, b = column_texts(doc)
        actors.append(a)
        bodies.append(b)
    acts = [d.act for d in drafts]
    block = (0, 0)
    if "investigation.inquiry" in acts:
        i = acts.index("investigation.inquiry")
        start = i - 1 if i and acts[i - 1] == "general.device_check" else i
        end = i + 1
        while end < len(acts) and acts[end] in PAD_ACTS:
            end += 1
        block = (start, end)
    times = [datetime.fromisoformat(d.occurred_at) for d in drafts]
    return Template(acts, times, actors, bodies, block)


def templates(per_case: int) -> list[Template]:
    """The demo's case files, parsed once, each with how many interviews pad it so that the
    cases average ``per_case`` entries."""
    folder = resources.files("liuhen") / "demo"
    out = []
    now = datetime.fromisoformat("2026-12-31T00:00:00+08:00")
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        if f.name.startswith("case_") and f.name.endswith(".json"):
            out.append(_template(imports.parse(f.read_text("utf-8"), now)[1]))
    paddable = [t for t in out if t.block[1] > t.block[0]]
    extra = per_case * len(out) - sum(len(t.acts) for t in out)
    for t in paddable:
        size = t.block[1] - t.block[0]
        t.copies = max(0, round(extra / len(paddable) / size))
    return out


def _shifted(text: str, delta: timedelta) -> str:
    if "T" in text:
        moved = datetime.fromisoformat(text.replace("Z", "+00:00")) + delta
        return '"' + moved.isoformat() + '"'
    day = datetime.fromisoformat(text) + timedelta(days=delta.days)
    return '"' + day.date().isoformat() + '"'


def _rename(renames: dict[str, str]) -> Callable[[re.Match[str]], str]:
    def one(m: re.Match[str]) -> str:
        code = m.group(3)
        return m.group(0) if code is None else '"' + renames.get(code, code) + '"'

    return one


def _context(rng: random.Random, certs: list[str]) -> dict[str, Any]:
    """The facts one case's transcripts and scene records are written from, as
    ``bench.anomalies`` writes its honest cases' (so that no two cases share their words)."""
    certs = [*certs, "", ""]
    party = rng.choice(honest.SURNAMES) + rng.choice(honest.GIVEN) + rng.choice(honest.GIVEN)
    trade = rng.choice(honest.TRADES)
    officers = [rng.choice(honest.SURNAMES) + rng.choice(honest.GIVEN) for _ in range(2)]
    return {
        "agency": "文化和旅游局", "o1": officers[0], "o2": officers[1], "c1": certs[0],
        "c2": certs[1], "party": party, "shop": f"{party}{rng.choice(['商行', '经营部', '店'])}",
        "addr": f"某区{rng.choice(honest.ROADS)}路{rng.randint(1, 300)}号", "license": trade[0],
        "goods": trade[1], "place_item": trade[2], "papers": trade[3],
        "phone": f"1{rng.randint(3, 9)}{rng.randint(0, 9)}****{rng.randint(1000, 9999)}",
    }  # fmt: skip


def case(t: Template, number: str, delta: timedelta, agency: Agency) -> list[Row]:
    """One case from a template: renamed into ``agency``, moved back by ``delta``, padded. Every
    time, code and reference is replaced in the canonical text itself (the values change, never
    a key or the order), so the texts stay canonical without encoding each entry again."""
    start, end = t.block
    order: list[tuple[int, int]] = [(i, 0) for i in range(end)]  # (template index, copy)
    order += [(i, c) for c in range(1, t.copies + 1) for i in range(start, end)]
    order += [(i, 0) for i in range(end, len(t.acts))]
    where = {key: pos for pos, key in enumerate(order)}
    renames = agency.renames
    rng = random.Random(number)
    ctx = _context(
        rng, re.findall(r'"cert_no":"([^"]+)"', _TOKEN.sub(_rename(renames), t.actors[0]))
    )
    out = []
    for i, c in order:
        moved = delta + PAD_GAP * c
        refs: list[int] = []

        def token(
            m: re.Match[str], moved: timedelta = moved, c: int = c, refs: list[int] = refs
        ) -> str:
            if m.group(1) is not None:
                return _shifted(m.group(1), moved)
            if m.group(2) is not None:
                r = int(m.group(2)) - (REF_BASE - 987_600_000)
                pos = where[(r, c if c and start <= r < end else 0)]
                refs.append(pos)
                return str(REF_BASE + pos)  # the seq goes in when the case has its place
            if m.group(4) is not None:
                made = (honest.transcript if m.group(4) == "transcript" else honest.scene)(ctx, rng)
                return _encode_string(made)
            code = m.group(3)
            return '"' + renames.get(code, code) + '"'

        body = _TOKEN.sub(token, t.bodies[i])
        actors = _TOKEN.sub(token, t.actors[i]) if renames else t.actors[i]
        occurred = (t.times[i] + moved).isoformat()
        out.append(Row(number, t.acts[i], occurred, actors, body, tuple(refs)))
    return out


def cases(n: int, per_case: int, agencies: list[Agency], now: datetime) -> Iterator[list[Row]]:
    """``n`` cases, round robin over the agencies and templates, spread over two years."""
    ts = templates(per_case)
    per_agency = max(1, n // len(agencies))
    latest = max(time for t in ts for time in t.times)
    back = now - latest - timedelta(days=1)  # the newest case ends before the clock
    for i in range(n):
        agency = agencies[i % len(agencies)]
        j = i // len(agencies)
        delta = back - timedelta(minutes=(j * SPREAD_DAYS * 1440) // per_agency + 37 * (i % 7))
        number = f"压测{agency.code}〔规模〕{j + 1}号"
        yield case(ts[(j + i % len(agencies)) % len(ts)], number, delta, agency)


def as_drafts(rows: list[Row]) -> list[Draft]:
    """A generated case as drafts for the journal's normal ``append_all`` (references back to
    positions in ``refs``, as ``imports`` gives them)."""
    out = []
    for r in rows:
        body = json.loads(r.body)
        body["actors"] = json.loads(r.actors)
        refs = {}
        if isinstance(body.get("corrects"), int) and body["corrects"] >= REF_BASE:
            refs["corrects"] = body["corrects"] - REF_BASE
        for name, value in (body.get("fields") or {}).items():
            if type(value) is int and REF_BASE <= value < REF_BASE + 10_000:
                refs[name] = value - REF_BASE
        out.append(Draft(r.chain, r.act, r.occurred_at, body, refs=refs))
    return out


# --- writing: the journal's rows, by COPY -----------------------------------------------------

_REF = re.compile(r"(?<=[:\[,])9876(5\d{4})(?=[,}\]])")


def _seq_of(seqs: list[int], m: re.Match[str]) -> str:
    return str(seqs[int(m.group(1)) - 50_000])


def _rows(
    app: instance.App, work: CompactRange, units: list[list[Row]]
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int, bytes]]]:
    """The journal rows and new Merkle nodes of ``units`` appended to ``work``: the bytes hashed
    are those ``EntryRow.rebuilt`` (what verification compares) makes of the columns, the same
    bytes ``Journal._one`` hashes; each unit is a new case, its chain starting with it."""
    entries: list[tuple[Any, ...]] = []
    nodes: list[tuple[int, int, bytes]] = []
    for rows in units:
        seqs: list[int] = []
        head: tuple[int, bytes] | None = None
        for r in rows:
            body = r.body
            if r.refs:
                body = _REF.sub(partial(_seq_of, seqs), body)
            seq = work.size + 1
            chain_seq = head[0] + 1 if head else 1
            recorded_at = app.clock.now().isoformat()
            prev = head[1] if head else None
            row = EntryRow(
                seq, r.chain, chain_seq, r.act, r.occurred_at, recorded_at, r.actors, body, prev,
                b"", b"",
            )  # fmt: skip
            data = row.rebuilt()
            leaf = leaf_hash(app.alg, data)
            entries.append(row._replace(leaf_hash=leaf, canonical=data))
            nodes.extend((lvl, idx, h) for (lvl, idx), h in work.append(leaf))
            head = (chain_seq, leaf)
            seqs.append(seq)
    return entries, nodes


class BulkWriter:
    """Appends whole cases in transactions of about ``batch`` entries, with COPY; projections
    are not touched (``projections`` rebuilds them afterwards)."""

    def __init__(self, app: instance.App) -> None:
        self.app = app
        self.frontier: CompactRange | None = None
        self.written = 0

    def write(self, units: list[list[Row]]) -> None:
        with write_transaction(self.app.engine) as conn:
            size = store.lock_head(conn)
            if self.frontier is None or self.frontier.size != size:
                ids = frontier_ids(size)
                stored = store.fetch_nodes(conn, ids)
                self.frontier = CompactRange(self.app.alg, size, [stored[i] for i in ids])
            work = self.frontier.copy()
            entries, nodes = _rows(self.app, work, units)
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            columns = ", ".join(ENTRY_COLUMNS)
            with cur.copy(f"COPY {store.ENTRY.name} ({columns}) FROM STDIN") as cp:
                for row in entries:
                    cp.write_row(row)
            with cur.copy(f"COPY {store.NODE.name} (level, idx, hash) FROM STDIN") as cp:
                for node in nodes:
                    cp.write_row(node)
            store.set_head(conn, work.size)
        self.frontier = work
        self.written += len(entries)


def bulk_append(
    app: instance.App,
    units: Iterator[list[Row]],
    batch: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Append every unit (one new case each) in transactions of about ``batch`` entries;
    ``progress`` hears the cases and entries written so far. Returns the entries written."""
    writer = BulkWriter(app)
    pending: list[list[Row]] = []
    in_batch = done = 0
    for drafts in units:
        pending.append(drafts)
        in_batch += len(drafts)
        done += 1
        if in_batch >= batch:
            writer.write(pending)
            pending, in_batch = [], 0
            if progress:
                progress(done, writer.written)
    if pending:
        writer.write(pending)
        if progress:
            progress(done, writer.written)
    return writer.written


# --- projections ---------------------------------------------------------------------------


STEPS = ("rebuild", "stats", "scan", "search", "checkpoint")


def projections(
    app: instance.App, say: Callable[[str], None] = print, skip: Collection[str] = ()
) -> dict[str, float]:
    """Every projection brought up to date through its own rebuild or catch-up, each timed;
    the anomalies before the search index, which holds their explanations. ``skip`` names
    steps (``STEPS``) left out."""
    from liuhen.entrypoints.web import SEARCH_SOURCES
    from liuhen.search import service as search
    from liuhen.stats import service as stats
    from liuhen.supervision import service as supervision

    # the anomaly source reads the anomaly list, which first detects whatever no scan has
    # judged yet: without the scan the index holds the entries and findings only
    sources = tuple(s for s in SEARCH_SOURCES if "scan" not in skip or s.kind != "anomaly")
    steps: list[tuple[str, str, Callable[[], object]]] = [
        ("rebuild", "案件投影（rebuild）", lambda: rebuild.rebuild(app)),
        ("stats", "统计事实（stats catch_up）", lambda: stats.catch_up(app)),
        ("scan", "异常扫描（supervision scan）", lambda: supervision.scan(app)),
        ("search", "检索索引（search catch_up）",
         lambda: search.catch_up(app, sources, app.clock.now())),
        ("checkpoint", "检查点（proofs.checkpoint）", lambda: proofs.checkpoint(app)),
    ]  # fmt: skip
    out = {}
    for key, label, step in steps:
        if key in skip:
            say(f"  {label}：跳过")
            continue
        t = time.perf_counter()
        try:
            step()
        except Exception as exc:  # another step's figures are still worth having
            say(f"  {label}：失败（{type(exc).__name__}: {exc}）")
            continue
        out[label] = time.perf_counter() - t
        say(f"  {label}：{out[label]:.1f} 秒")
    return out


def generate(
    app: instance.App,
    n: int,
    per_case: int = 50,
    batch: int = 20_000,
    say: Callable[[str], None] = print,
    skip: Collection[str] = (),
) -> dict[str, float]:
    """The registry, ``n`` cases and the projections; returns what each step took."""
    t = time.perf_counter()
    agencies = register(app, max(1, min(80, n // CASES_PER_AGENCY)))
    times = {"登记（机关、单位、人员、设备）": time.perf_counter() - t}
    say(f"  登记 {len(agencies)} 个机关：{times['登记（机关、单位、人员、设备）']:.1f} 秒")
    t = time.perf_counter()

    def progress(done: int, entries: int) -> None:
        rate = entries / max(time.perf_counter() - t, 1e-9)
        say(f"    已写入 {done}/{n} 件案件，{entries} 条记录（{rate:,.0f} 条/秒）")

    entries = bulk_append(app, cases(n, per_case, agencies, app.clock.now()), batch, progress)
    times["写入记录（COPY）"] = time.perf_counter() - t
    say(f"  写入 {n} 件案件、{entries} 条记录：{times['写入记录（COPY）']:.1f} 秒")
    times.update(projections(app, say, skip))
    times["entries"] = entries
    return times


def fresh(db: str, data_dir: str) -> instance.App:
    import shutil

    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {db}")
        c.execute(f"CREATE DATABASE {db}")
    shutil.rmtree(data_dir, ignore_errors=True)
    Path(data_dir).mkdir(parents=True)
    st = settings_mod.load(env(db, data_dir))
    instance.init(st)
    return instance.open_app(st)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--per-case", type=int, default=50)
    p.add_argument("--batch", type=int, default=20_000)
    p.add_argument("--db", default=PG_DB)
    p.add_argument("--data-dir", default=DATA_DIR)
    p.add_argument(
        "--skip", default="", help="steps left out, e.g. scan,search: " + ",".join(STEPS)
    )
    p.add_argument("--only", default="", help="on the existing instance, only these steps")
    args = p.parse_args()
    say = partial(print, flush=True)
    t = time.perf_counter()
    if args.only:
        app = open_app(args.db, args.data_dir)
        try:
            projections(app, say, set(STEPS) - set(args.only.split(",")))
        finally:
            app.engine.dispose()
        return
    print(f"PostgreSQL 数据库 {args.db}，数据目录 {args.data_dir}：{args.cases} 件案件")
    app = fresh(args.db, args.data_dir)
    try:
        generate(app, args.cases, args.per_case, args.batch, say, args.skip.split(","))
    finally:
        app.engine.dispose()
    print(f"合计 {time.perf_counter() - t:.1f} 秒（不含文书 PDF 和音视频文件）")


if __name__ == "__main__":
    main()
