"""Inbox (待办) figures: the page of each demo role on the demo data, p50 and p95 of the whole
request (session, derivation, the rules engine on the user's own cases, rendering). Prints
figures; asserts nothing.

    .venv/bin/python -m bench.inbox_bench [--rounds 50] [--copies 0] [--backend sqlite|postgres]

``--copies N`` adds N more cases, each a copy of a demo case under its own number (same units
and case officers), to see how the inbox grows with the cases a user answers for.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from tests.integration.auth import login

from bench.common import copies, fresh_app, get_times, p50_p95
from liuhen.accounts import service as access
from liuhen.demo import seed as demo
from liuhen.entrypoints.web import create_app
from liuhen.inbox import service as inbox

PG_DB = "liuhen_inbox_bench"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--copies", type=int, default=0)
    p.add_argument("--backend", default="sqlite")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp) / "data", args.backend, PG_DB)
        demo.seed(app)
        if args.copies:
            copies(app, args.copies)
        print(f"{args.backend}：演示数据" + (f"另加 {args.copies} 件案件" if args.copies else ""))
        with TestClient(create_app(app)) as client:
            for username, password, roles, name, _unit, _cert in demo.DEMO_USERS:
                login(client, username, password)
                assert client.get("/inbox").status_code == 200  # warm: packs, templates
                times = get_times(client, "/inbox", args.rounds)
                items = len(inbox.inbox(app, access.get_user(app, username)).items)
                p50, p95 = p50_p95(times)
                who = f"{name}（{'、'.join(roles)}）"
                print(f"  {who}：待办 {items} 项，中位数 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒")
        app.engine.dispose()


if __name__ == "__main__":
    main()
