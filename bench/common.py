"""What every bench script needs alike: a fresh instance (SQLite, or its own PostgreSQL database
so benches may run side by side), the demo cases copied under new numbers, and p50/p95 of a
list of timings, so that every script reads its figures the same way."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient

from liuhen.cases import imports
from liuhen.demo import seed as demo
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod


def fresh_app(folder: Path, backend: str = "sqlite", pg_db: str = "liuhen_bench") -> instance.App:
    """A new instance in ``folder``; on PostgreSQL in the database ``pg_db``, dropped first."""
    env = {"LIUHEN_DATA_DIR": str(folder)}
    if backend == "postgres":
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {pg_db}")
            c.execute(f"CREATE DATABASE {pg_db}")
        env["LIUHEN_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_db}"
    st = settings_mod.load(env)
    instance.init(st)
    return instance.open_app(st)


def copies(app: instance.App, n: int, progress: Callable[[int], None] | None = None) -> int:
    """Adds ``n`` cases, each a copy of a demo case under its own number (same units and case
    officers), written 5,000 entries at a time; ``progress`` hears the cases written so far.
    Returns the entries written."""
    folder = resources.files("liuhen") / "demo"
    templates = [
        json.loads(f.read_text("utf-8"))
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.startswith("case_") and f.name.endswith(".json")
    ]
    now = app.clock.now()
    unit: list = []
    entries = 0
    for i in range(n):
        doc = dict(templates[i % len(templates)])
        doc["case"] = f"压测〔2026〕{i + 1}号"
        _case, drafts = imports.parse(json.dumps(doc, ensure_ascii=False), now)
        for d in drafts:  # references are positions within their own file
            d.refs = {k: v + len(unit) for k, v in d.refs.items()}
        unit.extend(drafts)
        if len(unit) >= 5000 or i == n - 1:
            entries += len(app.journal.append_all(unit))
            unit = []
            if progress:
                progress(i + 1)
    return entries


def p50_p95(times: list[float]) -> tuple[float, float]:
    """Median and nearest-rank 95th percentile (defined for any number of timings)."""
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(len(ordered) * 0.95) - 1)]


def get_times(client: TestClient, url: str, rounds: int, status: int = 200) -> list[float]:
    """Milliseconds of ``rounds`` GETs of ``url``, each answered with ``status``."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == status, response.text[:200]
    return times


def demo_args() -> argparse.Namespace:
    """``--rounds``, ``--copies`` and ``--backend``: what a bench over the demo cases is asked."""
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--copies", type=int, default=0)
    p.add_argument("--backend", default="sqlite")
    return p.parse_args()


@contextmanager
def demo_app(args: argparse.Namespace, pg_db: str) -> Iterator[instance.App]:
    """A fresh instance with the demo data and ``args.copies`` more cases, said on the first line
    of the figures; gone afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp) / "data", args.backend, pg_db)
        demo.seed(app)
        if args.copies:
            copies(app, args.copies)
        print(f"{args.backend}：演示数据" + (f"另加 {args.copies} 件案件" if args.copies else ""))
        try:
            yield app
        finally:
            app.engine.dispose()
