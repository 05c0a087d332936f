"""Compliance figures: the agency-wide report over many cases, and one case on demand.
Prints figures; asserts nothing.

    .venv/bin/python -m bench.compliance_bench [--cases 100000] [--backend sqlite|postgres]

Each case is a copy of a demo case (realistic size and mix of acts, documents and media) under
its own number, appended through the real journal in large units.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import copies
from bench.journal_bench import fresh_app
from liuhen.compliance import service as compliance
from liuhen.demo import seed as demo


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--backend", default="sqlite")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(args.backend, Path(tmp))
        demo.seed(app)  # the demo registry (agency under pack 001) and its twelve cases
        start = time.perf_counter()

        def written(n: int) -> None:
            print(f"\r  写入 {n:,}/{args.cases:,} 件", end="", flush=True)

        entries = copies(app, args.cases, written)
        print(
            f"\n{args.backend}: 写入 {args.cases:,} 件案件（{entries:,} 条记录）用时 "
            f"{time.perf_counter() - start:.0f} 秒"
        )
        start = time.perf_counter()
        report = compliance.evaluate_all(app)
        took = time.perf_counter() - start
        print(
            f"{args.backend}: 全机关合规汇总 {report.cases:,} 件用时 {took:.1f} 秒"
            f"（{report.cases / took:,.0f} 件/秒）；违规 {report.by_severity['violation']:,}，"
            f"待办 {report.by_severity['due']:,}"
        )
        times = []
        for n in range(0, args.cases, max(1, args.cases // 200)):
            t0 = time.perf_counter()
            compliance.evaluate_case(app, f"压测〔2026〕{n + 1}号")
            times.append((time.perf_counter() - t0) * 1000)
        print(
            f"{args.backend}: 单个案件合规检查 中位数 {statistics.median(times):.1f} 毫秒，"
            f"最大 {max(times):.1f} 毫秒"
        )
        app.engine.dispose()


if __name__ == "__main__":
    main()
