"""Several processes append at once: the database lock, not a process-local one, keeps order."""

from __future__ import annotations

import multiprocessing
import threading

from sqlalchemy import text

from liuhen.archive import verify
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from tests.integration import factory

PROCESSES = 3
THREADS = 8
PER_THREAD = 10


def _worker(env: dict[str, str], tag: int) -> None:
    app = instance.open_app(settings_mod.load(env))

    def write(t: int) -> None:
        number = f"多进程〔2026〕{tag}-{t}号"
        factory.open_case(app, number)
        for _ in range(PER_THREAD - 1):
            factory.inquiry(app, number)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    app.engine.dispose()


def test_processes_append_without_gaps(app, env):
    factory.register(app)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(env, p)) for p in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    with app.engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM journal_entry ORDER BY seq"))]
    total = 5 + PROCESSES * THREADS * PER_THREAD
    assert seqs == list(range(1, total + 1))
    # this process's cached frontier is stale now; the next append must notice and still chain
    factory.open_case(app, "之后〔2026〕1号")
    report = verify.verify(app)
    assert report.ok, report.damages
    assert report.entries == total + 1
