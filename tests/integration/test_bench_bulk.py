"""The bench's bulk generator writes what the journal writes: an instance it fills passes
``liuhen verify`` (rows, chains, Merkle tree, checkpoint, projections), so the large-scale
figures are measured on the real format and the generator cannot drift from it unnoticed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from bench import bulk
from sqlalchemy import select

from liuhen.archive import verify
from liuhen.journal.canonical import canonical
from liuhen.kernel import proofs, record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput
from liuhen.stats import service as stats
from liuhen.supervision.detectors import presence
from liuhen.supervision.detectors.model import Corpus, case_file
from liuhen.supervision.detectors.thresholds import Thresholds

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"  # the generator writes with PostgreSQL's COPY


def test_bulk_instance_verifies_and_takes_normal_appends(app: App) -> None:
    times = bulk.generate(app, 50, say=lambda _: None)
    assert times["entries"] >= 50 * 30

    report = verify.verify(app)
    assert report.ok, [d.render() for d in report.damages[:5]]
    assert stats.verify(app) == []
    # no PDFs or media are stored: the only files verification misses are those documents'
    missing = verify.check_files(app)
    assert all("不在存储中" in d.what for d in missing), [d.render() for d in missing[:5]]

    # the texts are canonical JSON (verification rebuilds the hashed bytes from them, so it
    # would not notice texts the generator made non-canonical alike in both places)
    with app.engine.connect() as conn:
        rows = conn.execute(select(store.ENTRY.c.actors, store.ENTRY.c.body)).all()
    for actors, body in rows:
        assert canonical(json.loads(actors)).decode() == actors
        assert canonical(json.loads(body)).decode() == body

    # the normal path goes on from where the bulk writer stopped: chain, tree and checkpoints
    number = "压测whlyj〔规模〕1号"
    appended = record.record(
        app,
        ActInput(
            "general.incident", app.clock.now().isoformat(), case=number, actors=["11010023"],
            fields={"kind": "阻碍执法", "description": "当事人阻挠拍摄"},
            recorded_by={"id": "11010023", "role": "officer"},
        ),
    )  # fmt: skip
    assert appended.chain_seq > 1
    proofs.checkpoint(app)
    after = verify.verify(app)
    assert after.ok, [d.render() for d in after.damages[:5]]
    assert after.entries == report.entries + 1


def test_a_cloned_agency_cases_name_its_own_officers_units_and_cameras() -> None:
    registry = json.loads(bulk.registry_text())
    renames = bulk._renames(registry, 3)
    template = next(t for t in bulk.templates(50) if t.copies)
    rows = bulk.case(template, "压测〔规模〕1号", timedelta(days=-30), bulk.Agency("x", renames))
    assert len(rows) > len(template.acts)  # padded with further interviews
    text = "".join(r.actors + r.body for r in rows)
    for demo_code in renames:
        assert f'"{demo_code}"' not in text
    assert '"14010023"' in text and '"whlyj03-zd1"' in text


def test_an_agency_teams_keep_every_officer_in_one_case_at_a_time() -> None:
    """Officers enough for about 100 cases a year each, and each case given to a team free at
    its time: the overlap detector finds nothing among honest generated cases (the demo's
    officers in every case put them in dozens of places at once)."""
    n = 600
    agency = bulk.agency(0, bulk.teams_for(n))
    assert len(agency.teams) > 1
    first, second = (lambda c: agency.teams[0].get(c, c)), (lambda c: agency.teams[1].get(c, c))
    assert first("11010023") != second("11010023")  # officers of their own
    assert first("ZFJLY-ZD1-03") != second("ZFJLY-ZD1-03")  # and cameras
    assert first("11010085") == second("11010085")  # under the agency's reviewers
    now = datetime.fromisoformat("2026-12-06T10:00:00+08:00")
    files, seq, teams = [], 1, set()
    schedule = bulk.Schedule(agency)
    for rows in bulk.cases(n, 50, [agency], now, first_seq=1, schedules=[schedule]):
        docs = [
            {"seq": seq + k, "act": r.act, "occurred_at": r.occurred_at,
             "recorded_at": now.isoformat(), "actors": json.loads(r.actors),
             "body": json.loads(r.body)}
            for k, r in enumerate(rows)
        ]  # fmt: skip
        teams.add(docs[0]["actors"][0]["cert_no"])
        seq += len(rows)
        files.append(case_file(rows[0].chain, "zd", agency.code, docs))
    assert len(teams) > 1
    assert presence.overlaps(Corpus(files), Thresholds()) == []
