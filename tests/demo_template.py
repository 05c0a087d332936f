"""The demo, seeded once per test run and copied to every test that asks for a fresh one.

Seeding renders and signs the demo's 76 documents (about 50 s of CPU); a dozen fixtures and
tests each used to seed their own. Now the first to need it seeds a template instance (a data
folder, and for PostgreSQL a template database); the others get a copy of it, so a test that
changes its demo instance still changes only its own.

``liuhen.demo.seed.seed`` is wrapped (``tests/conftest.py``): called on an instance just
initialised with the settings the template was made with (and the system clock), it puts the
template's copy in place instead of seeding; any other call seeds for real. Likewise the ``app``
fixture gets a copy of an instance initialised once per run (``init``): migrating a fresh schema
costs each test seconds of fsync. Under xdist the workers share the templates of their run: the
folders sit in the run's temporary root, each guarded by a file lock.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, inspect, select, table

from liuhen.clock import SystemClock
from liuhen.demo import seed as demo
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.instance import App

REAL_SEED: Callable[[App], dict[str, int]] = demo.seed

_root: Path | None = None  # the run's temporary root, set by the session fixture
_pg: tuple[str, str, str] | None = None  # (admin DSN, base database name, this worker's database)


def configure(root: Path, pg_admin: str, pg_base: str, pg_worker_db: str) -> None:
    global _root, _pg
    _root = root
    _pg = (pg_admin, pg_base, pg_worker_db)


@contextmanager
def _locked(name: str) -> Iterator[Path]:
    """One template at a time per run: a worker waits for the other to finish making it (a lock
    per template, so that copying a fresh instance never waits for the demo's seeding)."""
    assert _root is not None, "tests/conftest.py configures the demo template"
    _root.mkdir(parents=True, exist_ok=True)
    with open(_root / f"{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield _root
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _counts(app: App) -> dict[str, int]:
    """Rows per table: an instance just initialised has exactly the template's before seeding."""
    names = inspect(app.engine).get_table_names()
    with app.engine.connect() as conn:
        return {
            n: int(conn.execute(select(func.count()).select_from(table(n))).scalar() or 0)
            for n in names
        }


def _shape(settings: settings_mod.Settings) -> dict[str, str]:
    """The settings that shape what seeding writes, the instance's own place left out."""
    place = ("data_dir", "database_url", "blob_url")
    values = {
        f.name: str(getattr(settings, f.name))
        for f in dataclasses.fields(settings)
        if f.name not in place
    }
    values["hash_alg"] = settings.hash_alg.name
    return values


def created(conn: psycopg.Connection[Any], name: str, template: str | None = None) -> None:
    """Create a test database whose commits do not wait for the disk.

    ``synchronous_commit = off`` keeps every commit atomic and at once visible to every other
    session; only a crash of the PostgreSQL server itself could lose the last fraction of a
    second, and no test crashes it (the crash tests stop liuhen's processes). Waiting for the
    WAL's fsync was a third of the PostgreSQL tests' time. A database made from a template does
    not inherit the setting, so every creation sets it.
    """
    conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def _pg_dsn(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


_builders: dict[str, threading.Thread] = {}  # a template's seeding, by template


def _in_thread(key: str, work: Callable[[], Any]) -> Any:
    """Seeding signs PDFs through an event loop of its own; a browser test's thread already runs
    Playwright's, so the template is always seeded in a thread of its own. A caller stopped by
    pytest-timeout leaves it running: the next caller waits for it (``_template``)."""
    result: list[Any] = []
    failed: list[BaseException] = []

    def target() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # re-raised in the caller's thread
            failed.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    _builders[key] = worker
    worker.start()
    worker.join()
    if failed:
        raise failed[0]
    return result[0]


def _fresh_template(backend: str, folder: Path, suffix: str) -> dict[str, str]:
    """The settings of an empty template instance in ``folder``: its data folder, and for
    PostgreSQL the run's database ``<base>_<suffix>``, made anew."""
    shutil.rmtree(folder, ignore_errors=True)
    env = {"LIUHEN_DATA_DIR": str(folder / "data")}
    if backend == "postgres":
        assert _pg is not None
        admin, base, _ = _pg
        name = f"{base}_{suffix}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            created(conn, name)
        env["LIUHEN_DATABASE_URL"] = _pg_url(name)
    return env


def _template(backend: str) -> tuple[Path, dict[str, Any]]:
    """The template's data folder and what it was made with, seeding it on first use."""
    with _locked(f"demo-{backend}") as root:
        folder = root / f"demo-{backend}"
        done = folder / "made.json"
        unfinished = _builders.get(folder.name)
        if unfinished is not None and not done.exists():
            unfinished.join()  # an earlier caller's seeding, which its timeout left running
        if not done.exists():
            env = _fresh_template(backend, folder, "demo")
            settings = settings_mod.load(env)

            def make() -> dict[str, Any]:
                instance.init(settings)
                app = instance.open_app(settings)
                try:
                    counts = _counts(app)
                    result = REAL_SEED(app)
                finally:
                    app.engine.dispose()
                database = env.get("LIUHEN_DATABASE_URL", "").rsplit("/", 1)[-1]
                made = {"counts": counts, "result": result, "shape": _shape(settings),
                        "database": database}  # fmt: skip
                done.write_text(json.dumps(made), "utf-8")
                return made

            _in_thread(folder.name, make)
        return folder / "data", json.loads(done.read_text("utf-8"))


def _initialised(backend: str) -> tuple[Path, dict[str, Any]]:
    """A template of an instance just initialised (``liuhen init``), made on first use."""
    with _locked(f"init-{backend}") as root:
        folder = root / f"init-{backend}"
        done = folder / "made.json"
        if not done.exists():
            env = _fresh_template(backend, folder, "init")
            settings = settings_mod.load(env)
            instance.init(settings)
            database = env.get("LIUHEN_DATABASE_URL", "").rsplit("/", 1)[-1]
            made = {"shape": _shape(settings), "database": database}
            done.write_text(json.dumps(made), "utf-8")
        return folder / "data", json.loads(done.read_text("utf-8"))


def _put(backend: str, data: Path, database: str, target: Path) -> None:
    """The template's folder (and database) in place of the instance at ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(data, target)
    if backend == "postgres":
        assert _pg is not None
        admin, _, name = _pg
        with _locked(f"copy-{database}"), psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            created(conn, name, database)


def init(settings: settings_mod.Settings) -> None:
    """``instance.init`` for the ``app`` fixture: a copy of an instance initialised once per run
    when ``settings`` fit it and its data folder is still empty (migrating a schema costs
    seconds of fsync per test), else a real ``init``."""
    backend = _backend(settings) if _root is not None else None
    target = settings.data_dir
    if backend is None or (target.exists() and any(target.iterdir())):
        instance.init(settings)
        return
    data, made = _initialised(backend)
    if _shape(settings) != made["shape"]:
        instance.init(settings)
        return
    _put(backend, data, made["database"], target)


def copy_sqlite(data_dir: Path) -> None:
    """A fresh copy of the seeded demo as a SQLite instance in ``data_dir`` (which must not exist):
    for a ``liuhen serve`` started on it, which then finds the cases and seeds nothing."""
    data, _ = _template("sqlite")
    shutil.copytree(data, data_dir)


def _backend(settings: settings_mod.Settings) -> str | None:
    """Which template fits an instance of ``settings``: its database and blobs where the defaults
    put them (SQLite), or in this worker's PostgreSQL test database; else None."""
    data_dir = settings.data_dir
    if settings.blob_url != settings_mod.default("LIUHEN_BLOB_URL", data_dir):
        return None
    if settings.database_url == settings_mod.default("LIUHEN_DATABASE_URL", data_dir):
        return "sqlite"
    if _pg is not None and settings.database_url == _pg_url(_pg[2]):
        return "postgres"
    return None


def seed(app: App) -> dict[str, int]:
    """``demo.seed``: a copy of the template when ``app`` is a fresh instance it fits."""
    backend = _backend(app.settings) if _root is not None else None
    if backend is None or type(app.clock) is not SystemClock:
        return REAL_SEED(app)
    data, made = _template(backend)
    if _shape(app.settings) != made["shape"] or _counts(app) != made["counts"]:
        return REAL_SEED(app)
    app.engine.dispose()
    _put(backend, data, made["database"], app.settings.data_dir)
    fresh = instance.open_app(app.settings, clock=app.clock)
    for f in dataclasses.fields(App):  # the test holds ``app``: it now opens the copy
        setattr(app, f.name, getattr(fresh, f.name))
    return dict(made["result"])


def worker_root(basetemp: Path) -> Path:
    """The run's temporary root: under xdist each worker's basetemp is a folder inside it."""
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
