"""Early-warning (预警) figures on the demo data: a full ``scan`` (first: cards raised; then with
nothing new), and the catch-up an inbox read pays for a head's agency (forced each round; it
judges only the cases whose case-list summary shows a deadline running, or is stale).
Prints figures; asserts nothing.

    .venv/bin/python -m bench.warnings_bench [--rounds 5] [--copies 0] [--backend sqlite|postgres]
"""

from __future__ import annotations

import time

from bench.common import demo_app, demo_args, p50_p95
from liuhen.accounts import service as access
from liuhen.cases import service as cases
from liuhen.demo import seed as demo
from liuhen.entrypoints.web import CASE_JUDGE
from liuhen.warnings import service as warnings

PG_DB = "liuhen_warnings_bench"


def main() -> None:
    args = demo_args()
    with demo_app(args, PG_DB) as app:
        start = time.perf_counter()
        first = warnings.scan(app, send=False)
        took = (time.perf_counter() - start) * 1000
        print(f"  首次检查 {first.cases} 件：亮牌 {first.raised} 张，用时 {took:.0f} 毫秒")
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            warnings.scan(app, send=False)
            times.append((time.perf_counter() - start) * 1000)
        p50, p95 = p50_p95(times)
        print(f"  再次检查（无新情况）：中位数 {p50:.0f} 毫秒，p95 {p95:.0f} 毫秒")
        head = next(u for u in demo.DEMO_USERS if "head" in u[2])
        user = access.get_user(app, head[0])
        cases.list_cases(app, judge=CASE_JUDGE)  # the case list keeps each case's summary
        times = []
        for _ in range(args.rounds):
            warnings._CAUGHT.clear()  # as after a new record: the catch-up judges his cases
            start = time.perf_counter()
            warnings.catch_up(app, user)
            times.append((time.perf_counter() - start) * 1000)
        p50, p95 = p50_p95(times)
        print(f"  负责人读待办前的补查：中位数 {p50:.0f} 毫秒，p95 {p95:.0f} 毫秒")


if __name__ == "__main__":
    main()
