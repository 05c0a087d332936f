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
  under their own codes), about 2,000 cases per agency;
* within its agency, to one of several teams, each a copy of the demo's six field officers with
  cameras of their own, as many teams as give the busiest officer about 100 cases a year;
* moved back in time so that an agency's cases spread over the two years before the clock, to a
  team whose officers are free for every act the case has them do in person (or a day earlier),
  so that an honest officer is never in two cases at once;
* padded to the wanted size with further interviews (设备检查, 询问 with its 笔录 and video), each
  a couple of hours after the last, before the decision — as a case with more witnesses has.

A template is compiled once into literal pieces and holes (times, references, codes, texts), so
a case is a join, not a parse; the rows are sealed (canonical bytes, leaf hash, Merkle nodes) in
one pass while a second thread stores the previous batch with binary COPY.

No PDFs or media files are stored: entries keep the digests the demo files name, with no blob
behind them (verification checks the journal, not the blob store).

    .venv/bin/python -m bench.bulk --cases 100000 [--per-case 50] [--db liuhen_bench_scale]
        [--data-dir /tmp/liuhen_bench_scale] [--batch 10000] [--connections 2]
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import operator
import queue
import random
import re
import string
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from importlib import resources
from json.encoder import encode_basestring as _encode_string
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select

from bench import anomalies as honest
from liuhen.accounts import service as access
from liuhen.cases import imports
from liuhen.demo import seed as demo
from liuhen.journal.entry import BODY_KEYS, FORMAT_VERSION, column_texts, entry_document
from liuhen.journal.merkle import LEAF_PREFIX, CompactRange, frontier_ids
from liuhen.kernel import instance, proofs, rebuild, record
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.journal import Draft
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import act_type
from liuhen.supervision.detectors.presence import NOT_PRESENCE

PG_DB = "liuhen_bench_scale"
DATA_DIR = "/tmp/liuhen_bench_scale"
CASES_PER_AGENCY = 2000
CASES_PER_OFFICER_YEAR = 100  # the busiest field officer's, about
EPOCH = datetime.fromisoformat("2020-01-01T00:00:00+08:00")  # the schedule's quarters count from it
SPREAD_DAYS = 730
PAD_GAP = timedelta(hours=2)  # between one padded interview and the next, in working hours
LAST_START = 18  # no padded interview starts at this hour or later: the next one is next day
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
    # each team's renames (the first is ``renames``): a team is a copy of the demo's field
    # officers with cameras of their own, under the agency's staff (reviewers, heads)
    teams: tuple[dict[str, str], ...] = ()


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


def _field_officers(registry: dict[str, Any]) -> set[str]:
    return {o["cert_no"] for o in registry["officers"] if o["roles"] == ["officer"]}


def _team(registry: dict[str, Any], k: int, m: int) -> dict[str, str]:
    """Team ``m`` of agency ``k``: its field officers and every camera under codes of their
    own (team 0 is the agency's copy of the demo's); the staff stay the agency's."""
    out = _renames(registry, k)
    if m == 0:
        return out
    for cert in _field_officers(registry):
        out[cert] = str(int(cert) + k * 1_000_000 + m * 1_000)
    for d in registry["devices"]:
        out[d["device_no"]] = f"{out.get(d['device_no'], d['device_no'])}-{m}"
    return out


def agency(k: int, teams: int = 1) -> Agency:
    """The ``k``-th agency ``register`` makes (0: the demo's own)."""
    registry = json.loads(registry_text())
    renames = _renames(registry, k)
    code = registry["agencies"][0]["code"]
    crews = tuple(_team(registry, k, m) for m in range(teams))
    return Agency(renames.get(code, code), renames, crews)


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, renames) for k, v in value.items()}
    return value


def _registry_inputs(registry: dict[str, Any], k: int, teams: int, now: str) -> list[ActInput]:
    field = _field_officers(registry)
    inputs = []
    for kind, key in (
        ("registry.agency", "agencies"),
        ("registry.unit", "units"),
        ("registry.officer", "officers"),
        ("registry.device", "devices"),
    ):
        for m in range(teams):
            team = _team(registry, k, m)
            for item in registry[key]:
                if m and kind != "registry.device" and item.get("cert_no") not in field:
                    continue  # the agency, its units and staff once; officers, cameras per team
                fields = _renamed(item, team)
                if kind == "registry.agency" and k:
                    fields["name"] = f"第{k}区文化和旅游局"
                if kind == "registry.officer" and m:
                    rng = random.Random(fields["cert_no"])
                    fields["name"] = rng.choice(honest.SURNAMES) + "".join(
                        rng.choice(honest.GIVEN) for _ in range(rng.randint(1, 2))
                    )
                inputs.append(ActInput(kind, now, fields=fields, recorded_by=demo.ADMIN))
    return inputs


def register(app: instance.App, agencies: int, teams: int = 1) -> list[Agency]:
    """The demo registry once per agency (the first under the demo's own codes) with ``teams``
    copies of its field officers and cameras, each agency's settings, and the supervisor's
    account, through the normal services (an agency's registry in one transaction)."""
    registry = json.loads(registry_text())
    now = app.clock.now().isoformat()
    out = []
    for k in range(agencies):
        renames = _renames(registry, k)
        record.record_all(app, _registry_inputs(registry, k, teams, now))
        for item in registry["agency_settings"]:
            values = {key: v for key, v in item.items() if key != "agency"}
            if k:
                values["short_name"] = f"{values['short_name']}{k}"
            access.change_agency_settings(
                app, renames.get(item["agency"], item["agency"]), access.SettingsChange(**values),
                demo.ADMIN,
            )  # fmt: skip
        out.append(agency(k, teams))
    user = next(u for u in demo.DEMO_USERS if u[0] == SUPERVISOR[0])
    access.create_user(app, user[0], user[1], list(user[2]), user[3], user[4], user[5])
    return out


def teams_for(cases_per_agency: int, per_case: int = 50) -> int:
    """Teams enough that the busiest field officer has about ``CASES_PER_OFFICER_YEAR`` cases
    a year (the demo's officers are each in up to 5 of its 12 cases)."""
    registry = json.loads(registry_text())
    field = _field_officers(registry)
    ts = templates(per_case)
    share = max(
        sum(f'"cert_no":"{cert}"' in "".join(t.actors) for t in ts) / len(ts) for cert in field
    )
    per_year = cases_per_agency * 365 / SPREAD_DAYS
    return max(1, math.ceil(per_year * share / CASES_PER_OFFICER_YEAR))


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
    r"|(\d{4}年\d{1,2}月\d{1,2}日)"  # a day named in the words (a list of evidence, the facts)
)
TEXTS = {"investigation.inquiry": "transcript", "investigation.inspection": "scene"}


class Row(NamedTuple):
    """One entry of a case as the journal stores it, before it has a place: its ``actors`` and
    ``body`` already in canonical text (references to entries of the case as
    ``REF_BASE + position`` unless the case was made for its place, ``case(first_seq=…)``:
    then they are seqs, and ``refs`` is empty)."""

    chain: str
    act: str
    occurred_at: str
    actors: str
    body: str
    refs: tuple[int, ...] = ()  # positions within the case of the entries its body names


# A text compiled: a %-format of its literals (each ``%`` doubled) with a ``%s`` for each hole
# and a final ``%.0s`` that prints nothing, and what picks the holes' values out of a case's
# (``Plan.slots``) as a tuple; or the text alone, when it has no hole.
_Text = tuple[str, Callable[[list[str]], tuple[str, ...]] | None]
# A slot: (_T, template time plus the copy's gap), (_D, date, the copy's gap), (_R, position),
# (_C, demo code), (_X, "transcript"/"scene", which of them) or (_N, day named in words, gap)
_T, _D, _R, _C, _X, _N = 0, 1, 2, 3, 4, 5


@dataclass
class Plan:
    """A template laid out once for every case made from it: the padded order of its entries,
    each text compiled around its holes, the values a case fills them with (``slots``), and
    the spans its officers are on site."""

    acts: list[str]
    occurred: list[datetime]  # template time plus the copy's gap
    actors: list[_Text]
    bodies: list[_Text]
    refs: list[tuple[int, ...]]
    # (demo codes, start, end) in seconds from EPOCH before the case's shift: an act done in
    # person (what the overlap detector reads), a moment as a span of no length
    presence: list[tuple[tuple[str, ...], float, float]]
    slots: dict[tuple[Any, ...], int] = field(default_factory=dict)  # a case's values


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
    plan: Plan | None = None


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


def _order(t: Template) -> list[tuple[int, int]]:
    """(template index, copy) of each entry of a case: the padding copies of the interview
    follow it, before the rest of the case."""
    start, end = t.block
    order: list[tuple[int, int]] = [(i, 0) for i in range(end)]
    order += [(i, c) for c in range(1, t.copies + 1) for i in range(start, end)]
    order += [(i, 0) for i in range(end, len(t.acts))]
    return order


def _compile(text: str, gap: timedelta, c: int, where: dict[tuple[int, int], int],
             block: tuple[int, int], refs: list[int],
             slots: dict[tuple[Any, ...], int]) -> _Text:  # fmt: skip
    parts: list[str] = []
    picks: list[int] = []
    last = 0
    for m in _TOKEN.finditer(text):
        parts.append(text[last : m.start()].replace("%", "%%"))
        last = m.end()
        slot: tuple[Any, ...]
        if m.group(1) is not None:
            value = m.group(1)
            if "T" in value:
                slot = (_T, datetime.fromisoformat(value.replace("Z", "+00:00")) + gap)
            else:
                slot = (_D, datetime.fromisoformat(value), gap)
        elif m.group(2) is not None:
            r = int(m.group(2)) - (REF_BASE - 987_600_000)
            pos = where[(r, c if c and block[0] <= r < block[1] else 0)]
            refs.append(pos)
            slot = (_R, pos)
        elif m.group(4) is not None:
            slot = (_X, m.group(4), len(slots))  # each its own words
        elif m.group(5) is not None:
            y, rest = m.group(5).split("年")
            mo, d = rest.rstrip("日").split("月")
            slot = (_N, date(int(y), int(mo), int(d)), gap)
        else:
            slot = (_C, m.group(3))
        picks.append(slots.setdefault(slot, len(slots)))
        parts.append("%s")
    if not picks:
        return text, None
    parts.append(text[last:].replace("%", "%%") + "%.0s")
    return "".join(parts), operator.itemgetter(*picks, 0)


def _gaps(t: Template) -> list[timedelta]:
    """How far after the interview each padding copy is: ``PAD_GAP`` apart within a day, the
    next morning at the interview's hour once a copy would start at ``LAST_START`` or later
    (interviews through the night put a video after midnight and its camera's check before)."""
    start = t.times[t.block[0]]
    gaps = [timedelta(0)]
    for _ in range(t.copies):
        gap = gaps[-1] + PAD_GAP
        if (start + gap).hour >= LAST_START or (start + gap).date() != (start + gaps[-1]).date():
            gap = timedelta(days=gaps[-1].days + 1)
        gaps.append(gap)
    return gaps


def plan(t: Template) -> Plan:
    if t.plan is not None:
        return t.plan
    order = _order(t)
    where = {key: pos for pos, key in enumerate(order)}
    gaps = _gaps(t)
    p = Plan([], [], [], [], [], [])
    for i, c in order:
        gap = gaps[c]
        refs: list[int] = []
        p.acts.append(t.acts[i])
        p.occurred.append(t.times[i] + gap)
        p.actors.append(_compile(t.actors[i], gap, c, where, t.block, refs, p.slots))
        p.bodies.append(_compile(t.bodies[i], gap, c, where, t.block, refs, p.slots))
        p.refs.append(tuple(refs))
        act = t.acts[i]
        if act in NOT_PRESENCE or act.startswith(("registry.", "evidence.")):
            continue
        fields = json.loads(t.bodies[i]).get("fields") or {}
        spec = act_type(act)
        start, end = fields.get("started_at"), fields.get("ended_at")
        if isinstance(start, str) and isinstance(end, str) and "T" in start and "T" in end:
            span = (datetime.fromisoformat(start) + gap, datetime.fromisoformat(end) + gap)
        elif spec is not None and spec.on_site:
            span = (t.times[i] + gap, t.times[i] + gap)
        else:
            continue
        codes = tuple(re.findall(r'"cert_no":"([^"]+)"', t.actors[i]))
        secs = tuple((s - EPOCH).total_seconds() for s in span)
        p.presence.append((codes, secs[0], secs[1]))
    t.plan = p
    return p


# --- the words of a case: as ``bench.anomalies`` writes its honest cases', drawing only the
# values a formula names (the texts differ from case to case, at a third of the cost)


def _between(lo: int, hi: int) -> Callable[[random.Random], int]:
    return lambda rng: lo + int(rng.random() * (hi - lo + 1))


def _name(rng: random.Random) -> str:
    given = honest.GIVEN
    n = len(given)
    name = honest.SURNAMES[int(rng.random() * len(honest.SURNAMES))] + given[int(rng.random() * n)]
    return name + given[int(rng.random() * n)] if rng.random() < 0.5 else name


def _pick(items: Sequence[str]) -> Callable[[random.Random], str]:
    return lambda rng: items[int(rng.random() * len(items))]


_DRAWS: dict[str, Callable[[random.Random], object]] = {
    "month": _between(1, 12), "day": _between(1, 28), "weeks": _between(2, 30),
    "count": _between(3, 400), "income": _between(800, 90000), "hour": _between(8, 20),
    "area": _between(20, 600), "staff": _between(1, 12), "photos": _between(4, 40),
    "age": _between(23, 66), "acct": _name,
    "supplier": lambda rng: f"某区{_pick(honest.ROADS)(rng)}批发市场{_name(rng)}",
    "where": _pick(["办公室柜子里", "收银台抽屉里", "仓库的文件柜里", "手机里"]),
    "verb": _pick(["加工", "制作", "包装", "分装"]), "reason": _pick(honest.REASONS),
}  # fmt: skip
_FORMULAS: dict[str, list[str]] = {}


def _fill(template: str, ctx: dict[str, Any], rng: random.Random) -> str:
    names = _FORMULAS.get(template)
    if names is None:
        names = _FORMULAS[template] = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    values = {n: ctx[n] if n in ctx else _DRAWS[n](rng) for n in names}
    return template.format_map(values)


def _transcript(ctx: dict[str, Any], rng: random.Random) -> str:
    ctx = dict(ctx)
    ctx["license_answer"] = _fill(_pick(honest.LICENSE_ANSWERS)(rng), ctx, rng)
    ctx["place_answer"] = _fill(_pick(honest.PLACE_ANSWERS)(rng), ctx, rng)
    ctx["papers_answer"] = _fill(_pick(honest.PAPERS_ANSWERS)(rng), ctx, rng)
    ctx["opinion"] = _pick(honest.OPINIONS)(rng)
    parts = [_fill(_pick(honest.OPENINGS)(rng), ctx, rng)]
    parts += [_fill(q, ctx, rng) for q in honest.QUESTIONS]
    return "".join(parts) + "问：以上笔录是否属实？答：属实。"


def _scene(ctx: dict[str, Any], rng: random.Random) -> str:
    parts = [_fill(_pick(honest.SCENES)(rng), ctx, rng)]
    parts += [_fill(p, ctx, rng) for p in rng.sample(honest.SCENE_PARTS, 4)]
    return "".join(parts)


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


def case(
    t: Template,
    number: str,
    delta: timedelta,
    agency: Agency,
    team: int = 0,
    first_seq: int | None = None,
) -> list[Row]:
    """One case from a template: renamed into ``agency`` (its ``team``'s officers and cameras),
    moved back by ``delta``, padded. Each text is the template's canonical text with its times,
    codes and references filled in (values only, never a key or the order), so it stays
    canonical without encoding each entry again. With ``first_seq`` the references are the
    seqs the case has when its first entry gets that one."""
    p = plan(t)
    renames = agency.teams[team] if agency.teams else agency.renames
    base = REF_BASE if first_seq is None else first_seq
    values: list[str] = []
    texts: list[tuple[int, str]] = []
    for slot in p.slots:
        kind = slot[0]
        if kind == _T:
            values.append('"' + (slot[1] + delta).isoformat() + '"')
        elif kind == _C:
            values.append('"' + renames.get(slot[1], slot[1]) + '"')
        elif kind == _D:  # a day moves by the nearest whole days the times move
            values.append('"' + (slot[1] + _days(delta + slot[2])).date().isoformat() + '"')
        elif kind == _R:
            values.append(str(base + slot[1]))
        elif kind == _N:
            day = slot[1] + _days(delta + slot[2])
            values.append(f"{day.year}年{day.month}月{day.day}日")
        else:
            texts.append((len(values), slot[1]))
            values.append("")
    if texts:
        rng = random.Random(number)
        ctx = _context(rng, re.findall(r'"cert_no":"([^"]+)"', _fill_text(p.actors[0], values)))
        for k, kind in texts:
            values[k] = _encode_string((_transcript if kind == "transcript" else _scene)(ctx, rng))
    out = []
    placed = first_seq is not None  # references are seqs already: nothing left to set
    for pos, act in enumerate(p.acts):
        fmt, pick = p.bodies[pos]
        body = fmt % pick(values) if pick else fmt
        fmt, pick = p.actors[pos]
        actors = fmt % pick(values) if pick else fmt
        occurred = (p.occurred[pos] + delta).isoformat()
        out.append(Row(number, act, occurred, actors, body, () if placed else p.refs[pos]))
    return out


def _days(moved: timedelta) -> timedelta:
    """The whole days a day named without its hour moves by (the nearest: a case a few minutes
    earlier keeps its days, as its acts do)."""
    return timedelta(days=round(moved / timedelta(days=1)))


def _fill_text(text: _Text, values: list[str]) -> str:
    fmt, pick = text
    return fmt % pick(values) if pick else fmt


class Schedule:
    """Where an agency's officers are busy (quarters of an hour, with a quarter's margin each
    side), so that a case goes to a team whose officers are all free for its acts done in
    person, or a day earlier: an honest officer is never in two cases at once."""

    def __init__(self, agency: Agency) -> None:
        self.agency = agency
        self.busy: dict[str, set[int]] = {}
        self.next_team = 0
        self.moved = 0  # cases put a day or more before their place in the spread

    def place(self, t: Template, delta: timedelta) -> tuple[int, timedelta]:
        teams = self.agency.teams or (self.agency.renames,)
        shift = delta.total_seconds()
        spans = [
            (codes, int((s + shift) // 900) - 1, int((e + shift) // 900) + 2)
            for codes, s, e in plan(t).presence
        ]
        busy = self.busy
        for days in range(366):
            back = days * 96  # quarters a day
            for k in range(len(teams)):
                m = (self.next_team + k) % len(teams)
                names = teams[m]
                free = True
                for codes, lo, hi in spans:
                    quarters = range(lo - back, hi - back)
                    for c in codes:
                        if not busy.get(names.get(c, c), _NONE).isdisjoint(quarters):
                            free = False
                            break
                    if not free:
                        break
                if free:
                    for codes, lo, hi in spans:
                        for c in codes:
                            busy.setdefault(names.get(c, c), set()).update(
                                range(lo - back, hi - back)
                            )
                    self.next_team = m + 1
                    self.moved += days
                    return m, delta - timedelta(days=days)
        raise RuntimeError(f"{self.agency.code}：一年内找不到空闲的执法人员")

    def forget_after(self, quarter: int) -> None:
        """Drop the quarters after ``quarter``, which no case still to come can reach (cases
        come ever earlier): a hundred thousand cases' quarters would not fit in memory."""
        for officer, quarters in self.busy.items():
            self.busy[officer] = {q for q in quarters if q <= quarter}


_NONE: frozenset[int] = frozenset()


def cases(
    n: int,
    per_case: int,
    agencies: list[Agency],
    now: datetime,
    first_seq: int | None = None,
    schedules: list[Schedule] | None = None,
) -> Iterator[list[Row]]:
    """``n`` cases, round robin over the agencies and templates, spread over two years, each
    given to a team of its agency free at its time (``Schedule``). With ``first_seq`` (the seq
    the first case's first entry gets) the references are seqs."""
    ts = templates(per_case)
    per_agency = max(1, n // len(agencies))
    latest = max(time for t in ts for time in t.times)
    back = timedelta(days=(now - latest).days - 1)  # the newest case ends before the clock
    plans = schedules if schedules is not None else [Schedule(a) for a in agencies]
    # the latest a case's acts in person can be after its shift: quarters later than that past
    # the newest shift still to come are dropped now and then
    reach = max((e for t in ts for _, _, e in plan(t).presence), default=0.0) // 900 + 2
    seq = first_seq
    for i in range(n):
        agency = agencies[i % len(agencies)]
        j = i // len(agencies)
        if i % (len(agencies) * 256) == 0 and i:
            nominal = back - timedelta(days=(j * SPREAD_DAYS) // per_agency, minutes=13 * 7)
            for schedule in plans:
                schedule.forget_after(int(reach + nominal.total_seconds() // 900))
        # whole days, so that the acts keep the demo's hours (a few minutes apart a case)
        delta = back - timedelta(days=(j * SPREAD_DAYS) // per_agency, minutes=13 * (i % 7))
        number = f"压测{agency.code}〔规模〕{j + 1}号"
        t = ts[(j + i % len(agencies)) % len(ts)]
        team, delta = plans[i % len(agencies)].place(t, delta)
        rows = case(t, number, delta, agency, team, seq)
        if seq is not None:
            seq += len(rows)
        yield rows


def as_drafts(rows: list[Row]) -> list[Draft]:
    """A generated case (made without ``first_seq``) as drafts for the journal's normal
    ``append_all`` (references back to positions in ``refs``, as ``imports`` gives them)."""
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


def _seq_of(first: int, m: re.Match[str]) -> str:
    return str(first + int(m.group(1)) - 50_000)


ENTRY_TYPES = (
    "int8", "text", "int4", "text", "text", "text", "text", "text", "bytea", "bytea", "bytea",
)  # fmt: skip


@dataclass
class Batch:
    """Sealed rows ready for COPY: the journal grows from ``start`` to ``end`` entries, once
    the batch before (``after``) is stored."""

    start: int
    end: int
    entries: list[tuple[Any, ...]]
    nodes: list[tuple[int, int, bytes]]
    after: threading.Event | None
    done: threading.Event = field(default_factory=threading.Event)


def seal(
    app: instance.App, work: CompactRange, units: list[list[Row]]
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int, bytes]]]:
    """The journal rows and new Merkle nodes of ``units`` appended to ``work``: the bytes hashed
    are those ``EntryRow.rebuilt`` (what verification compares) makes of the columns, the same
    bytes ``Journal._one`` hashes, joined here without building an ``EntryRow``; each unit is a
    new case, its chain starting with it. A case made without ``first_seq`` has its
    references set here."""
    entries: list[tuple[Any, ...]] = []
    nodes: list[tuple[int, int, bytes]] = []
    new = app.alg.new
    append = work.append
    now = app.clock.now
    acts: dict[str, str] = {}
    tail = ',"v":' + str(FORMAT_VERSION) + "}"
    for rows in units:
        first = work.size + 1
        chain = rows[0].chain
        chain_text = ',"chain":' + _encode_string(chain) + ',"chain_seq":'
        prev: bytes | None = None
        recorded_at = now().isoformat()  # one instant a case (the journal reads it per entry)
        recorded_text = ',"recorded_at":' + _encode_string(recorded_at) + ',"seq":'
        for k, r in enumerate(rows):
            body = r.body
            if r.refs:
                body = _REF.sub(partial(_seq_of, first), body)
            seq = first + k
            act = acts.get(r.act) or acts.setdefault(r.act, '{"act":' + _encode_string(r.act))
            data = (
                act + ',"actors":' + r.actors + ',"body":' + body + chain_text + str(k + 1)
                + ',"occurred_at":' + _encode_string(r.occurred_at)
                + ',"prev":' + ('"' + prev.hex() + '"' if prev is not None else "null")
                + recorded_text + str(seq) + tail
            ).encode("utf-8", "surrogatepass")  # fmt: skip
            leaf = new(LEAF_PREFIX + data).digest()
            entries.append(
                (seq, chain, k + 1, r.act, r.occurred_at, recorded_at, r.actors, body, prev, leaf,
                 data)
            )  # fmt: skip
            for (level, index), h in append(leaf):
                nodes.append((level, index, h))
            prev = leaf
    return entries, nodes


class BulkWriter:
    """Appends whole cases in transactions of about ``batch`` entries, with binary COPY, on
    ``connections`` threads of their own: the next batch is sealed while PostgreSQL stores the
    last ones (its compressing the long texts is most of the time), and each transaction
    moves the journal's head only after the one before it has committed, so the head never
    names an entry that is not there. Projections are not touched (``projections`` rebuilds
    them afterwards)."""

    def __init__(self, app: instance.App, connections: int = 2, expect: int | None = None) -> None:
        self.app = app
        self.written = 0
        self.storing = 0.0  # seconds the threads spent storing, summed
        with write_transaction(app.engine) as conn:
            size = store.lock_head(conn)
            ids = frontier_ids(size)
            stored = store.fetch_nodes(conn, ids)
        if expect is not None and size != expect:
            raise RuntimeError(f"journal size {size}, the cases were made for {expect}")
        self.frontier = CompactRange(app.alg, size, [stored[i] for i in ids])
        self.queue: queue.Queue[Batch | None] = queue.Queue(maxsize=connections)
        self.failure: BaseException | None = None
        self.last: threading.Event | None = None
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, name=f"bulk-copy-{i}", daemon=True)
            for i in range(connections)
        ]
        for t in self.threads:
            t.start()

    def write(self, units: list[list[Row]]) -> None:
        start = self.frontier.size
        entries, nodes = seal(self.app, self.frontier, units)
        item = Batch(start, self.frontier.size, entries, nodes, self.last)
        self.last = item.done
        self._put(item)

    def _put(self, item: Batch | None) -> None:
        while True:
            self._check()
            try:
                self.queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _check(self) -> None:
        if self.failure is not None:
            raise RuntimeError("写入记录失败") from self.failure

    def close(self) -> None:
        """Wait until every batch is stored; raises what a writing thread met."""
        for _ in self.threads:  # the threads go on taking batches after a failure
            self.queue.put(None)
        for t in self.threads:
            t.join()
        self._check()

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            try:
                self._store(item)
            except BaseException as exc:  # handed to the generating thread
                self.failure = self.failure or exc
            finally:
                item.done.set()  # a failed batch wakes the next, which sees the failure

    def _store(self, item: Batch) -> None:
        t = time.perf_counter()
        with write_transaction(self.app.engine) as conn:
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            columns = ", ".join(ENTRY_COLUMNS)
            with cur.copy(f"COPY {store.ENTRY.name} ({columns}) FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(ENTRY_TYPES)
                for row in item.entries:
                    cp.write_row(row)
            nodes = f"COPY {store.NODE.name} (level, idx, hash) FROM STDIN (FORMAT BINARY)"
            with cur.copy(nodes) as cp:
                cp.set_types(("int2", "int8", "bytea"))
                for node in item.nodes:
                    cp.write_row(node)
            if item.after is not None:
                item.after.wait()
            self._check()
            size = store.lock_head(conn)
            if size != item.start:
                raise RuntimeError(f"journal size {size}, expected {item.start}")
            store.set_head(conn, item.end)
        with self.lock:
            self.written += len(item.entries)
            self.storing += time.perf_counter() - t


def bulk_append(
    app: instance.App,
    units: Iterable[list[Row]],
    batch: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
    first_seq: int | None = None,
    connections: int = 2,
) -> BulkWriter:
    """Append every unit (one new case each) in transactions of about ``batch`` entries;
    ``progress`` hears the cases and entries sealed so far (handed to the writing threads).
    ``first_seq``: the seq the units were made for (``cases(first_seq=…)``), checked.
    Returns the writer (``written``, ``storing``)."""
    writer = BulkWriter(app, connections, None if first_seq is None else first_seq - 1)
    start = writer.frontier.size
    pending: list[list[Row]] = []
    in_batch = done = 0
    try:
        for drafts in units:
            pending.append(drafts)
            in_batch += len(drafts)
            done += 1
            if in_batch >= batch:
                writer.write(pending)
                pending, in_batch = [], 0
                if progress:
                    progress(done, writer.frontier.size - start)
        if pending:
            writer.write(pending)
    finally:
        writer.close()
    return writer


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
    batch: int = 10_000,
    say: Callable[[str], None] = print,
    skip: Collection[str] = (),
    connections: int = 2,
) -> dict[str, float]:
    """The registry, ``n`` cases and the projections; returns what each step took.
    ``connections``: how many transactions store batches at once."""
    t = time.perf_counter()
    count = max(1, min(80, n // CASES_PER_AGENCY))
    teams = teams_for(math.ceil(n / count), per_case)
    agencies = register(app, count, teams)
    label = "登记（机关、单位、人员、设备）"
    times = {label: time.perf_counter() - t}
    say(f"  登记 {count} 个机关（各 {teams} 组执法人员）：{times[label]:.1f} 秒")
    with app.engine.connect() as conn:
        first = int(conn.execute(select(store.HEAD.c.size)).scalar_one()) + 1
    schedules = [Schedule(a) for a in agencies]
    t = time.perf_counter()

    def progress(done: int, entries: int) -> None:
        rate = entries / max(time.perf_counter() - t, 1e-9)
        say(f"    已生成 {done}/{n} 件案件，{entries} 条记录（{rate:,.0f} 条/秒）")

    made = cases(n, per_case, agencies, app.clock.now(), first, schedules)
    writer = bulk_append(app, made, batch, progress, first, connections)
    entries = writer.written
    took = times["写入记录（COPY）"] = time.perf_counter() - t
    moved = sum(s.moved for s in schedules)
    rate = entries / max(took, 1e-9)
    say(f"  写入 {n} 件案件、{entries} 条记录：{took:.1f} 秒（{rate:,.0f} 条/秒；"
        f"{connections} 个连接存储合计 {writer.storing:.1f} 秒；为错开执法人员，{moved} 次把案件"
        "提前一天）")  # fmt: skip
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
    p.add_argument("--batch", type=int, default=10_000)
    p.add_argument("--connections", type=int, default=2, help="batches stored at once")
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
        generate(
            app, args.cases, args.per_case, args.batch, say, args.skip.split(","),
            args.connections,
        )  # fmt: skip
    finally:
        app.engine.dispose()
    print(f"合计 {time.perf_counter() - t:.1f} 秒（不含文书 PDF 和音视频文件）")


if __name__ == "__main__":
    main()
