"""Case page timings on the demo data: p50 and p95 of ``GET /cases/{number}`` for the demo's
fullest case, fresh and after 400 more views (every view is a journal entry; the page reads
only the latest few, so the two should be close). Prints figures and page sizes; asserts
nothing.

    .venv/bin/python -m bench.case_page_bench [--rounds 40] [--views 400]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient
from tests.integration.auth import login

from bench.common import fresh_app, p50_p95
from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.demo.seed import seed
from liuhen.entrypoints.web import create_app

CASE = "某文旅罚〔2026〕3号"  # the demo case that went through every stage


def _timings(client: TestClient, url: str, rounds: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, bytes of the last page)."""
    times, size = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        page = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert page.status_code == 200, page.status_code
        size = len(page.content)
    return *p50_p95(times), size


def _report(when: str, p50: float, p95: float, size: int) -> None:
    print(f"{when}：p50 {p50:.1f} ms，p95 {p95:.1f} ms，页面 {size / 1024:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--views", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp) / "data")
        seed(app)
        url = f"/cases/{quote(CASE)}"
        with TestClient(create_app(app)) as client:
            assert login(client, "zhoulh", "zhifa-demo-2026").status_code == 303
            client.get(url)  # warm up: templates, packs, connections
            _report(f"演示数据（{args.rounds} 次调阅后）", *_timings(client, url, args.rounds))
            reader = User("bench", "压测", frozenset({"officer"}), "whlyj-zd1", None, "11010023")
            for _ in range(args.views):
                access.record_access(app, reader, CASE, "在线调阅案件记录")
            _report(f"再调阅 {args.views} 次后", *_timings(client, url, args.rounds))
        app.engine.dispose()


if __name__ == "__main__":
    main()
