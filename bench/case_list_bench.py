"""Case list (案件列表) figures: the home page with search, filters and sort orders on the demo
data, p50 and p95 of the whole request (session, refreshing stale case summaries, the query,
marks, rendering). Prints figures; asserts nothing.

    .venv/bin/python -m bench.case_list_bench [--rounds 50] [--copies 0] [--backend sqlite|postgres]

Also printed: the first list after start (every case's summary computed by the rules engine,
what an upgrade or ``liuhen journal rebuild`` costs once), and a list after a case was viewed
(that one case judged again). ``--copies N`` adds N more cases, copies of the demo cases.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from tests.integration.auth import login

from bench.common import demo_app, demo_args, get_times, p50_p95
from liuhen.demo import seed as demo
from liuhen.entrypoints.web import create_app

PG_DB = "liuhen_case_list_bench"  # its own database: benches may run side by side

QUERIES: list[tuple[str, dict[str, str]]] = [
    ("默认（启动时间倒序）", {}),
    ("搜索当事人“娱乐”", {"q": "娱乐"}),
    ("搜索执法人员姓名“周立衡”", {"q": "周立衡"}),
    ("有违规，按最近期限", {"violations": "1", "sort": "due"}),
    ("逾期", {"overdue": "1"}),
    ("调查取证 · 一般程序 · 办理中", {"stage": "investigation", "procedure": "ordinary",
                                 "status": "open"}),
    ("按最近变更，第 2 页", {"sort": "changed", "page": "2"}),
    ("我的案件", {"mine": "1"}),
]  # fmt: skip
USERS = ("sifaju", "zhoulh")  # the supervisor sees every case; the officer his unit's and his own


def main() -> None:
    args = demo_args()
    with demo_app(args, PG_DB) as app:
        passwords = {u[0]: u[1] for u in demo.DEMO_USERS}
        with TestClient(create_app(app)) as client:
            login(client, "sifaju", passwords["sifaju"])
            start = time.perf_counter()
            first = client.get("/")
            cold = (time.perf_counter() - start) * 1000
            assert first.status_code == 200
            print(f"  首次列表（载入规则包，计算全部案件的摘要）：{cold:.1f} 毫秒")
            for username in USERS:
                login(client, username, passwords[username])
                client.get("/")  # warm: templates, this user's stale summaries (none)
                print(f"  {username}：")
                for label, params in QUERIES:
                    p50, p95 = p50_p95(get_times(client, "/?" + urlencode(params), args.rounds))
                    print(f"    {label}：中位数 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒")
            p50, p95 = p50_p95(
                get_times(client, "/api/v1/cases?" + urlencode({"q": "娱乐"}), args.rounds)
            )
            print(f"  接口 /api/v1/cases?q=娱乐：中位数 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒")
            viewed = []
            number = client.get("/api/v1/cases", params={"per_page": 1}).json()["items"][0]
            for _ in range(args.rounds):
                client.get(f"/api/v1/cases/{number['number']}")  # a viewing: one stale summary
                start = time.perf_counter()
                client.get("/")
                viewed.append((time.perf_counter() - start) * 1000)
            p50, p95 = p50_p95(viewed)
            print(f"  调阅一件后的列表（重算该件摘要）：中位数 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒")


if __name__ == "__main__":
    main()
