"""Login refusal timings: a locked account, an unknown name, a closed account and a wrong
password should each take one argon2 verification, so their medians should be close (issue 11
finding 9 measured a locked account answering 6x faster). Prints figures; asserts nothing.

    .venv/bin/python -m bench.login_bench [--rounds 20]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from tests.integration import factory

from bench.common import fresh_app
from liuhen.accounts import service as access
from liuhen.kernel import instance


def _refusal_ms(app: instance.App, username: str, password: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.suppress(access.AuthError):
            access.login(app, username, password)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp) / "data")
        factory.register(app)
        for name in ("locked", "wrong", "closed"):
            access.create_user(app, name, "correct-horse-1", ["officer"], name, "wl-zd1", None)
        access.set_active(app, "closed", False)
        for i in range(access.MAX_FAILURES):
            _refusal_ms(app, "locked", f"wrong-{i}", 1)
        access.login(app, "wrong", "correct-horse-1")  # warm up: argon2, connections
        cases = {
            "已锁定（正确密码）": ("locked", "correct-horse-1"),
            "用户名不存在": ("nobody", "correct-horse-1"),
            "账户已停用": ("closed", "correct-horse-1"),
            "密码错误": ("wrong", "not-the-password"),
        }
        for label, (user, password) in cases.items():
            # "wrong" locks itself after five rounds; from then on it is a locked refusal too
            print(f"{label}: 中位数 {_refusal_ms(app, user, password, args.rounds):.1f} ms")
        app.engine.dispose()


if __name__ == "__main__":
    main()
