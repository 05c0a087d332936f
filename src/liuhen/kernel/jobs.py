"""Where background jobs run: in the server process on the embedded default, and in
``liuhen worker`` processes on a procrastinate queue when the database is PostgreSQL.

The kernel knows how to queue and run a :class:`Task`, not what any task does: a feature (the
evidence feature's media work) supplies one. Either way the work list can be rebuilt from
the database (``Task.pending``), so a job lost to a crash, a kill or a restart is found and run
again.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine, inspect

from liuhen import lazy

if TYPE_CHECKING:  # the instance installs the queue's schema; the queue only needs the type
    import procrastinate

    from liuhen.kernel.instance import App
else:  # PostgreSQL only: an instance on SQLite never loads it
    procrastinate = lazy.module("procrastinate")

log = logging.getLogger(__name__)
RESCAN_SECONDS = 60.0


@dataclass(frozen=True)
class Task:
    """One kind of job: its name on the queue, how to find what is owed, how to do one."""

    name: str
    queue: str
    pending: Callable[[App], Iterable[str]]
    run: Callable[[App, str], object]


class JobQueue(Protocol):
    def enqueue(self, digest: str) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class InProcessQueue:
    """One daemon thread per server process; periodic rescans pick up what others stored."""

    def __init__(self, app: App, task: Task, rescan: float = RESCAN_SECONDS) -> None:
        self.app = app
        self.task = task
        self.rescan = rescan
        self.items: queue.Queue[str] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.idle = threading.Event()
        self.stopping = threading.Event()

    def enqueue(self, digest: str) -> None:
        self.idle.clear()
        self.items.put(digest)

    def start(self) -> None:
        if self.thread is None:
            for digest in self.task.pending(self.app):
                self.enqueue(digest)
            self.thread = threading.Thread(target=self._run, name="liuhen-jobs", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        """Finish the job in hand, then stop; queued work is found again by the next start."""
        self.stopping.set()
        self.items.put("")  # wake the thread
        if self.thread is not None:
            self.thread.join(timeout=30)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                digest = self.items.get(timeout=self.rescan)
            except queue.Empty:
                try:
                    for digest in self.task.pending(self.app):
                        self.items.put(digest)
                except Exception:  # the database may be briefly unavailable; try next time
                    log.exception("rescan for %s failed", self.task.name)
                if self.items.empty():
                    self.idle.set()
                continue
            if not digest:
                continue
            try:
                self.task.run(self.app, digest)
            except Exception:  # one bad file must not stop the others; the next rescan retries
                log.exception("%s failed for %s", self.task.name, digest)
            if self.items.empty():
                self.idle.set()


def conninfo(app: App) -> str:
    return app.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def procrastinate_app(app: App, task: Task, worker: bool = False) -> Any:
    """The procrastinate app on the same PostgreSQL database, with the task registered.

    Deferring uses the sync connector (the web layer is sync); running needs the async one.
    """
    connector = (
        procrastinate.PsycopgConnector(conninfo=conninfo(app))
        if worker
        else procrastinate.SyncPsycopgConnector(conninfo=conninfo(app))
    )
    papp: procrastinate.App = procrastinate.App(connector=connector)

    @papp.task(name=task.name, queue=task.queue, retry=3)
    def run(digest: str) -> None:
        task.run(app, digest)

    return papp


class ProcrastinateQueue:
    """Jobs in PostgreSQL, run by any number of ``liuhen worker`` processes."""

    def __init__(self, app: App, task: Task) -> None:
        self.app = app
        self.task = task
        self.papp = procrastinate_app(app, task)

    def enqueue(self, digest: str) -> None:
        already = procrastinate.exceptions.AlreadyEnqueued
        with self.papp.open(), contextlib.suppress(already):
            # one queued job per file, however often it is asked for
            # (no run lock: a worker killed mid-job would hold it; ``make`` is idempotent instead)
            self.papp.tasks[self.task.name].configure(queueing_lock=digest).defer(digest=digest)

    def start(self) -> None:
        """The server only enqueues; re-enqueue what a crash may have lost."""
        for digest in self.task.pending(self.app):
            self.enqueue(digest)

    def stop(self) -> None:
        """Nothing runs here; the workers are other processes."""


def open_queue(app: App, task: Task) -> JobQueue:
    if app.engine.dialect.name == "postgresql":
        return ProcrastinateQueue(app, task)
    return InProcessQueue(app, task)


def ensure_schema(engine: Engine) -> None:
    """Install procrastinate's tables once (PostgreSQL only), beside our migrations."""
    if (
        engine.dialect.name != "postgresql"
        or "procrastinate_jobs" in inspect(engine).get_table_names()
    ):
        return
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    papp = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=url))
    with papp.open():
        papp.schema_manager.apply_schema()


def run_worker(app: App, task: Task) -> None:
    """``liuhen worker``: procrastinate on PostgreSQL, the in-process loop on SQLite."""
    if app.engine.dialect.name != "postgresql":
        q = InProcessQueue(app, task, rescan=5.0)
        q.start()
        assert q.thread is not None
        q.thread.join()
        return
    ProcrastinateQueue(app, task).start()  # what a crashed worker left behind is queued again
    papp = procrastinate_app(app, task, worker=True)
    papp.run_worker(queues=[task.queue], wait=True, install_signal_handlers=True)
