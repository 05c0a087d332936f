"""Inbox (待办) figures: the page of each demo role on the demo data, p50 and p95 of the whole
request (session, derivation, the rules engine on the user's own cases, rendering). Prints
figures; asserts nothing.

    .venv/bin/python -m bench.inbox_bench [--rounds 50] [--copies 0] [--backend sqlite|postgres]

``--copies N`` adds N more cases, each a copy of a demo case under its own number (same units
and case officers), to see how the inbox grows with the cases a user answers for.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient
from tests.integration.auth import login

from liuhen.accounts import service as access
from liuhen.cases import imports
from liuhen.demo import seed as demo
from liuhen.entrypoints.web import create_app
from liuhen.inbox import service as inbox
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod

PG_DB = "liuhen_inbox_bench"


def fresh_app(backend: str, folder: Path) -> instance.App:
    env = {"LIUHEN_DATA_DIR": str(folder)}
    if backend == "postgres":
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            c.execute(f"CREATE DATABASE {PG_DB}")
        env["LIUHEN_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
    st = settings_mod.load(env)
    instance.init(st)
    return instance.open_app(st)


def copies(app: instance.App, n: int) -> None:
    folder = resources.files("liuhen") / "demo"
    templates = [
        json.loads(f.read_text("utf-8"))
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.startswith("case_") and f.name.endswith(".json")
    ]
    now = app.clock.now()
    unit: list = []
    for i in range(n):
        doc = dict(templates[i % len(templates)])
        doc["case"] = f"压测〔2026〕{i + 1}号"
        _case, drafts = imports.parse(json.dumps(doc, ensure_ascii=False), now)
        for d in drafts:  # references are positions within their own file
            d.refs = {k: v + len(unit) for k, v in d.refs.items()}
        unit.extend(drafts)
        if len(unit) >= 5000 or i == n - 1:
            app.journal.append_all(unit)
            unit = []


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--copies", type=int, default=0)
    p.add_argument("--backend", default="sqlite")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(args.backend, Path(tmp) / "data")
        demo.seed(app)
        if args.copies:
            copies(app, args.copies)
        print(f"{args.backend}：演示数据" + (f"另加 {args.copies} 件案件" if args.copies else ""))
        with TestClient(create_app(app)) as client:
            for username, password, roles, name, _unit, _cert in demo.DEMO_USERS:
                login(client, username, password)
                assert client.get("/inbox").status_code == 200  # warm: packs, templates
                times = []
                for _ in range(args.rounds):
                    start = time.perf_counter()
                    client.get("/inbox")
                    times.append((time.perf_counter() - start) * 1000)
                items = len(inbox.inbox(app, access.get_user(app, username)).items)
                p95 = statistics.quantiles(times, n=20)[-1]
                p50 = statistics.median(times)
                who = f"{name}（{'、'.join(roles)}）"
                print(f"  {who}：待办 {items} 项，中位数 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒")
        app.engine.dispose()


if __name__ == "__main__":
    main()
