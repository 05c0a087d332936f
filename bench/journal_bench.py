"""Journal figures: durable appends/s (1 and 32 writers, SQLite and PostgreSQL), verification
entries/s and inclusion-proof time at a large tree. Prints figures; asserts nothing.

    .venv/bin/python -m bench.journal_bench [--appends 3200] [--large 1000000] \
        [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from tests.integration import factory

from bench import common
from liuhen.archive import verify
from liuhen.kernel import instance, proofs, record
from liuhen.kernel.journal import Draft
from liuhen.kernel.record import ActInput


def fresh_app(backend: str, folder: Path) -> instance.App:
    app = common.fresh_app(folder, backend)
    factory.register(app)
    return app


def opening(number: str) -> ActInput:
    return factory.opening_input(number)


def inquiry(number: str, i: int) -> ActInput:
    """A transcript of realistic length (about 1 KB per entry)."""
    inp = factory.inquiry_input(number, who=f"证人{i}")
    inp.fields["transcript"] = "问：你是否知道演出需要许可？\n答：不知道。" * 4
    return inp


def appends(app: instance.App, writers: int, total: int) -> float:
    per = total // writers
    barrier = threading.Barrier(writers + 1)

    def work(w: int) -> None:
        number = f"压测〔{writers}〕{w}号"
        barrier.wait()
        record.record(app, opening(number))
        for i in range(per - 1):
            record.record(app, inquiry(number, i))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return writers * per / (time.perf_counter() - start)


def bulk(app: instance.App, n: int) -> None:
    """Grow the journal through the real append path, in large units to save wall time."""
    cases = 0
    unit: list[Draft] = []
    done = 0
    from liuhen.kernel.record import build_draft

    now = app.clock.now()
    while done < n:
        cases += 1
        number = f"规模〔2026〕{cases}号"
        unit.append(build_draft(opening(number), now))
        for i in range(19):
            unit.append(build_draft(inquiry(number, i), now))
        if len(unit) >= min(5000, n - done):
            app.journal.append_all(unit)
            done += len(unit)
            unit = []
            print(f"\r  写入 {done:,}/{n:,}", end="", flush=True)
    if unit:
        app.journal.append_all(unit)
    print()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--appends", type=int, default=3200)
    p.add_argument("--large", type=int, default=1_000_000)
    p.add_argument("--backends", default="sqlite,postgres")
    args = p.parse_args()
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            app = fresh_app(backend, Path(tmp))
            for writers in (1, 32):
                total = args.appends if writers == 32 else args.appends // 4
                rate = appends(app, writers, total)
                print(
                    f"{backend}: {writers:>2} 个并发写入者，持久追加 {rate:,.0f} 条/秒"
                    f"（{total} 条）"
                )
            if args.large:
                bulk(app, args.large)
                start = time.perf_counter()
                report = verify.verify(app)
                took = time.perf_counter() - start
                print(
                    f"{backend}: 校验 {report.entries:,} 条用时 {took:.1f} 秒，"
                    f"{report.entries / took:,.0f} 条/秒，结果 {'完好' if report.ok else '损坏'}"
                )
                size = report.entries
                times = []
                for k in range(200):
                    t0 = time.perf_counter()
                    proofs.inclusion(app, 1 + (k * 7919) % size, size)
                    times.append((time.perf_counter() - t0) * 1000)
                print(
                    f"{backend}: {size:,} 条时包含证明 中位数 {statistics.median(times):.2f} 毫秒，"
                    f"最大 {max(times):.2f} 毫秒"
                )
            app.engine.dispose()


if __name__ == "__main__":
    main()
