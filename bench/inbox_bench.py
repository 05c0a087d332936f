"""Inbox (待办) figures: the page of each demo role on the demo data, p50 and p95 of the whole
request (session, derivation, the rules engine on the user's own cases, rendering). Prints
figures; asserts nothing.

    .venv/bin/python -m bench.inbox_bench [--rounds 50] [--copies 0] [--backend sqlite|postgres]

``--copies N`` adds N more cases, each a copy of a demo case under its own number (same units
and case officers), to see how the inbox grows with the cases a user answers for.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.integration.auth import login

from bench.common import demo_app, demo_args, get_times, p50_p95
from liuhen.accounts import service as access
from liuhen.demo import seed as demo
from liuhen.entrypoints.web import create_app
from liuhen.inbox import service as inbox

PG_DB = "liuhen_inbox_bench"


def main() -> None:
    args = demo_args()
    with demo_app(args, PG_DB) as app, TestClient(create_app(app)) as client:
        for username, password, roles, name, _unit, _cert in demo.DEMO_USERS:
            login(client, username, password)
            assert client.get("/inbox").status_code == 200  # warm: packs, templates
            times = get_times(client, "/inbox", args.rounds)
            items = len(inbox.inbox(app, access.get_user(app, username)).items)
            p50, p95 = p50_p95(times)
            who = f"{name}（{'、'.join(roles)}）"
            print(f"  {who}：待办 {items} 项，中位数 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒")


if __name__ == "__main__":
    main()
