"""``liuhen worker``: derivatives made out of process (procrastinate on PostgreSQL, the
in-process loop on SQLite), and a job killed mid-run is run again by the next worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import text

from liuhen.evidence import derivatives, devices, ingest
from liuhen.evidence import service as evidence
from liuhen.evidence.jobs import ProcrastinateQueue
from tests.integration import factory
from tests.integration.test_evidence import write_video


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "liuhen", "worker"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until(condition, seconds: float = 120.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_worker_makes_derivatives_and_reruns_a_killed_job(app, env, tmp_path):
    factory.register(app)
    devices.register(
        app, {"device_no": "ZFJLY-09", "model": "DSJ-V9", "unit": "wl-zd1", "status": "在用"}
    )
    folder = tmp_path / "dock"
    folder.mkdir()
    write_video(folder / "long.mp4", seconds=12)
    write_video(folder / "short.mp4", seconds=2, created="2026-11-03T03:00:00.000000Z")
    ingest.ingest(app, folder, "ZFJLY-09")
    digests = derivatives.pending(app)
    assert len(digests) == 2
    postgres = app.engine.dialect.name == "postgresql"
    if postgres:  # queued the way the server queues them
        queue = ProcrastinateQueue(app)
        for d in digests:
            queue.enqueue(d)
            queue.enqueue(d)  # asked twice, queued once
        with app.engine.connect() as conn:
            queued = conn.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
            ).scalar()
        assert queued == 2

    worker = start_worker(env)
    try:
        if postgres:

            def doing() -> bool:
                with app.engine.connect() as conn:
                    return bool(
                        conn.execute(
                            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
                        ).scalar()
                    )

            if not wait_until(doing, 60):
                worker.kill()
                raise AssertionError(
                    "no job started: " + (worker.stdout.read() if worker.stdout else "")
                )
        else:
            time.sleep(1.0)  # the in-process loop has picked up work
        worker.send_signal(signal.SIGKILL)  # a crash in the middle of the work
        worker.wait(timeout=20)
        worker = start_worker(env)
        assert wait_until(lambda: not derivatives.pending(app), 180), worker.stdout
    finally:
        worker.kill()
        worker.wait(timeout=20)
    for d in digests:
        row = evidence.media_row(app, d)
        assert row is not None and row.proxy and row.thumbnail, row
    with app.engine.connect() as conn:
        derived = conn.execute(
            text("SELECT count(*) FROM journal_entry WHERE act = 'evidence.derived'")
        ).scalar()
    assert derived == 2  # each file's derivatives journaled once, despite the kill
