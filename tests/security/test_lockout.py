"""Issue 11 finding 9: lock-out under concurrency, and no timing oracle for a locked account.

48 wrong passwords sent on 16 real threads against a real database (SQLite and PostgreSQL) must
lock the account: the failure count is one atomic statement, not a read and a later write. A
locked account, an unknown name and a wrong password must each cost one argon2 verification,
so none answers faster than the others (timings themselves: bench/login_bench.py).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from liuhen.accounts import service as access
from tests.integration import factory

PASSWORD = "correct-horse-1"


@pytest.fixture
def account(app):
    factory.register(app)
    access.create_user(app, "zhangw", PASSWORD, ["officer"], "张伟", "wl-zd1", "31010001")
    return app


def _row(app) -> dict[str, Any]:
    with app.engine.connect() as conn:
        row = conn.execute(select(access.USERS).where(access.USERS.c.username == "zhangw"))
        return dict(row.mappings().one())


def _lockouts(app) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(access.EVENTS.c.details).where(access.EVENTS.c.action == "locked_out")
        ).scalars()
        return [json.loads(r) for r in rows]


def _attempt(app, password: str) -> bool:
    try:
        access.login(app, "zhangw", password)
    except access.AuthError:
        return False
    return True


def test_48_wrong_passwords_on_16_threads_lock_the_account(account):
    app = account
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda i: _attempt(app, f"wrong-{i}"), range(48)))
    assert not any(results)
    assert _row(app)["locked_until"] is not None
    assert not _attempt(app, PASSWORD)  # the right password: still refused while locked
    events = _lockouts(app)
    assert len(events) == 1 and events[0]["failures"] == access.MAX_FAILURES


def test_failures_while_locked_do_not_count_toward_the_next_lock(account):
    app = account
    for i in range(access.MAX_FAILURES + 3):
        _attempt(app, f"wrong-{i}")
    assert _row(app)["failed"] == 0  # the lock reset the count; the three later ones not counted
    access.unlock(app, "zhangw")
    assert _attempt(app, "wrong-again") is False and _row(app)["locked_until"] is None
    assert _attempt(app, PASSWORD)


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting the work it is asked to do (a spy, not a fake)."""

    def __init__(self) -> None:
        super().__init__()
        self.verified = 0
        self.hashed = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)


def test_locked_unknown_and_wrong_each_cost_one_argon2_verification(account, monkeypatch):
    app = account
    access.create_user(app, "closed", "correct-horse-2", ["officer"], "停用", "wl-zd1", None)
    access.set_active(app, "closed", False)
    for i in range(access.MAX_FAILURES):
        _attempt(app, f"wrong-{i}")
    assert _row(app)["locked_until"] is not None
    spy = CountingHasher()
    monkeypatch.setattr(access, "_hasher", spy)
    access._dummy_hash()  # made once per process, before any attempt is timed
    spy.verified = spy.hashed = 0
    work = {}
    for label, user, password in (
        ("locked", "zhangw", PASSWORD),
        ("unknown", "nobody", "whatever-1"),
        ("inactive", "closed", "correct-horse-2"),
    ):
        with pytest.raises(access.AuthError) as refused:
            access.login(app, user, password)
        assert refused.value.code == "LH150"
        work[label] = (spy.verified, spy.hashed)
        spy.verified = spy.hashed = 0
    access.unlock(app, "zhangw")
    with pytest.raises(access.AuthError):
        access.login(app, "zhangw", "wrong-password")
    work["wrong"] = (spy.verified, spy.hashed)
    assert work == {k: (1, 0) for k in ("locked", "unknown", "inactive", "wrong")}
