"""Finding 14 of issue 11: two workers, or two archivists, racing on one thing record it once.

Each "worker" here is its own ``App`` (its own engine and journal writer, as a second process
would have), started together behind a barrier so both pass the checks made before the append.
Only the check inside the append transaction, under the journal lock, can then refuse one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

import pytest
from PIL import Image
from sqlalchemy import text

from liuhen.archive import archiving, retention, verify
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.errors import ConflictError
from liuhen.evidence import derivatives, devices, ingest
from liuhen.kernel import instance
from liuhen.kernel.instance import App
from liuhen.kernel.settings import Settings
from tests.integration import factory
from tests.integration.archive_case import ARCHIVIST, CASE, HEAD, case_with_documents
from tests.integration.test_evidence import write_video

T = TypeVar("T")


def race(apps: list[App], work: Callable[[App], T]) -> list[T | BaseException]:
    """Run ``work`` once per app on its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(apps))
    results: list[T | BaseException] = [RuntimeError("not run")] * len(apps)

    def one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(apps[i])
        except BaseException as exc:  # collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


@pytest.fixture
def workers(settings: Settings) -> Iterator[list[App]]:
    """Two apps on one instance, as two worker processes would open it."""
    instance.init(settings)
    apps = [instance.open_app(settings, clock=FixedClock(FILED_AT)) for _ in range(2)]
    yield apps
    for a in apps:
        a.engine.dispose()


FILED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


def count(app: App, act: str, like: str) -> int:
    with app.engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM journal_entry WHERE act = :a AND body LIKE :l"),
            {"a": act, "l": f"%{like}%"},
        ).scalar()
    return int(found or 0)


def test_two_workers_derive_a_file_once(workers: list[App], tmp_path: Path) -> None:
    app = workers[0]
    factory.register(app)
    devices.register(
        app, {"device_no": "ZFJLY-07", "model": "DSJ-V9", "unit": "wl-zd1", "status": "在用"}
    )
    dock = tmp_path / "dock"
    dock.mkdir()
    write_video(dock / "20261103_101000.mp4")
    for i in range(3):
        Image.new("RGB", (640, 480), (200, 30 * i, 30)).save(dock / f"20261103_10150{i}.jpg")
    ingest.ingest(app, dock, "ZFJLY-07")
    todo = derivatives.pending(app)
    assert len(todo) == 4
    for digest in todo:
        outcome = race(workers, partial(derivatives.make, digest=digest))
        assert sorted(map(repr, outcome)) == ["False", "True"], outcome
        assert count(app, "evidence.derived", digest) == 1
    assert derivatives.pending(app) == []
    assert verify.verify(app).ok


def test_two_runs_of_one_disposal_record_it_once(workers: list[App]) -> None:
    app = workers[0]
    made = case_with_documents(app)
    archiving.archive(app, CASE, ARCHIVIST, checker=HEAD)
    with app.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT body FROM journal_entry WHERE act = 'general.document' AND chain = :c"),
            {"c": CASE},
        ).scalars()
        digests = [json.loads(b)["fields"]["digest"] for b in rows]
    assert len(digests) >= 2, made
    for a in workers:
        cast(FixedClock, a.clock).current = datetime(2031, 11, 20, 10, 0, tzinfo=SHANGHAI)
    for digest in digests:
        approval = retention.approve(app, CASE, [digest], "保管期限届满", HEAD)
        outcome = race(
            workers,
            partial(retention.dispose, case=CASE, approval_seq=approval.seq, by=ARCHIVIST),
        )
        done = [o for o in outcome if isinstance(o, retention.Disposed)]
        refused = [o for o in outcome if isinstance(o, ConflictError)]
        assert len(done) == 1 and len(refused) == 1, outcome
        assert count(app, "archiving.disposal", f'"approval":{approval.seq}') == 1
        assert not app.blobs.exists(digest)
    assert retention.status(app, CASE).ended(date(2031, 11, 20))
    assert verify.verify(app).ok and verify.check_files(app) == []
