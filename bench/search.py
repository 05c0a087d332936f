"""Search (全文检索) figures: p50 and p95 of ``search.service.search`` over the demo cases and N
generated copies of them, for the supervisor (every case) and an officer (his unit's), and what
indexing costs: the whole journal at first (after a start or ``liuhen journal rebuild``), then
one new entry. Prints figures; asserts nothing.

    .venv/bin/python -m bench.search [--rounds 50] [--copies 1000] [--backend sqlite|postgres]
"""

from __future__ import annotations

import time

from bench.common import demo_app, demo_args, p50_p95
from liuhen.accounts.service import get_user
from liuhen.demo import seed as demo
from liuhen.entrypoints.web import SEARCH_SOURCES
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from liuhen.search import service

PG_DB = "liuhen_search_bench"
QUERIES = [
    "演出许可证",
    "未成年人",
    "星河文化传播",
    "询问笔录",
    "罚款",
    "某文旅罚〔2026〕3号",
    "送达",
]
USERS = ("sifaju", "zhoulh")


def main() -> None:
    args = demo_args()
    with demo_app(args, PG_DB) as app:
        start = time.perf_counter()
        n = service.catch_up(app, SEARCH_SOURCES, app.clock.now())
        print(f"  首次编入索引（全部 {n} 条记录及检查发现）：{time.perf_counter() - start:.2f} 秒")
        for username in USERS:
            user = get_user(app, username)
            print(f"  {username}：")
            for q in QUERIES:
                times = []
                for page in range(args.rounds):
                    t = time.perf_counter()
                    found = service.search(app, user, q, SEARCH_SOURCES, page=1 + page % 3)
                    times.append((time.perf_counter() - t) * 1000)
                p50, p95 = p50_p95(times)
                print(f"    “{q}”（{found.total} 条）：中位数 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒")
        cert = next(u[5] for u in demo.DEMO_USERS if u[0] == "zhoulh") or ""
        number = "某文旅罚〔2026〕3号"
        times = []
        for i in range(min(args.rounds, 20)):
            record.record(app, ActInput(
                "general.incident", app.clock.now().isoformat(), case=number, actors=[cert],
                fields={"kind": "阻碍执法", "description": f"第{i}次：当事人阻挠拍摄烟花爆竹仓库"},
                recorded_by={"id": cert, "role": "officer"},
            ))  # fmt: skip
            t = time.perf_counter()
            service.search(app, get_user(app, "sifaju"), "烟花爆竹", SEARCH_SOURCES)
            times.append((time.perf_counter() - t) * 1000)
        p50, p95 = p50_p95(times)
        print(
            f"  新记一条后的检索（先编入该条、重算该案检查发现）：中位数 {p50:.1f} 毫秒，", end=""
        )
        print(f"p95 {p95:.1f} 毫秒")


if __name__ == "__main__":
    main()
