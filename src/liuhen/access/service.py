"""Accounts with argon2 password hashes, server-side sessions, lock-out, machine tokens.

Credentials live in their own tables, outside the journal on purpose: a password hash must be
replaceable and must never become a permanent record; what people do is what gets journaled.
Only hashes of session and machine tokens are stored, so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, insert, select, update

from liuhen.access.policy import User
from liuhen.db import store
from liuhen.errors import ConflictError, LiuhenError, NotFoundError, ValidationError
from liuhen.services.instance import App

USERS = store.T["app_user"]
SESSIONS = store.T["auth_session"]
TOKENS = store.T["api_token"]
UNIT = store.T["unit"]
ROLES = ("officer", "legal_reviewer", "head", "archivist", "supervisor", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_HOURS = 12
_hasher = PasswordHasher()


class AuthError(LiuhenError):
    """Not logged in, wrong credentials, locked: one code so nobody learns which it was."""

    def __init__(self, message: str = "用户名或密码错误，或账户已暂时锁定") -> None:
        super().__init__(message=message, code="LH150", http_status=401)


class Forbidden(LiuhenError):
    def __init__(self, message: str) -> None:
        super().__init__(message=message, code="LH151", http_status=403)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _agency_of(app: App, unit: str | None) -> str | None:
    if not unit:
        return None
    with app.engine.connect() as conn:
        return conn.execute(select(UNIT.c.agency).where(UNIT.c.code == unit)).scalar()


def _user(app: App, row: Any) -> User:
    return User(
        username=row["username"], display_name=row["display_name"],
        roles=frozenset(json.loads(row["roles"])), unit=row["unit"],
        agency=_agency_of(app, row["unit"]), cert_no=row["cert_no"],
    )  # fmt: skip


def create_user(
    app: App,
    username: str,
    password: str,
    roles: list[str],
    display_name: str,
    unit: str | None = None,
    cert_no: str | None = None,
) -> User:
    from liuhen.errors import Problem

    problems = []
    if not username.isascii() or not username.replace("_", "").replace(".", "").isalnum():
        problems.append(Problem("用户名只能包含字母、数字、下划线和点", "username"))
    if len(password) < 10:
        problems.append(Problem("密码至少 10 个字符", "password"))
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        problems.append(Problem(f"角色应为：{'、'.join(ROLES)}", "roles"))
    if problems:
        raise ValidationError("无法创建账户", problems)
    now = app.clock.now().isoformat()
    with app.engine.begin() as conn:
        if conn.execute(select(USERS.c.username).where(USERS.c.username == username)).first():
            raise ConflictError(f"用户名“{username}”已存在")
        conn.execute(insert(USERS).values(
            username=username, display_name=display_name, roles=json.dumps(sorted(roles)),
            unit=unit, cert_no=cert_no, password_hash=_hasher.hash(password), failed=0,
            locked_until=None, active=True, created_at=now,
        ))  # fmt: skip
    return get_user(app, username)


def get_user(app: App, username: str) -> User:
    with app.engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).mappings().first()
    if row is None:
        raise NotFoundError(f"用户“{username}”不存在")
    return _user(app, row)


def login(app: App, username: str, password: str) -> tuple[str, str, User]:
    """(session token, CSRF token, user); five failures lock the account for 15 minutes."""
    now = app.clock.now()
    with app.engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).mappings().first()
    if row is None or not row["active"]:
        _hasher.hash(password)  # same cost whether or not the user exists
        raise AuthError()
    if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
        raise AuthError()
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failed = int(row["failed"]) + 1
        locked = (now + LOCKOUT).isoformat() if failed >= MAX_FAILURES else None
        with app.engine.begin() as conn:  # committed: the failure counts even though we refuse
            conn.execute(update(USERS).where(USERS.c.username == username).values(
                failed=0 if locked else failed, locked_until=locked))  # fmt: skip
        raise AuthError() from None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with app.engine.begin() as conn:
        conn.execute(update(USERS).where(USERS.c.username == username).values(
            failed=0, locked_until=None))  # fmt: skip
        conn.execute(insert(SESSIONS).values(
            token_hash=_digest(token), username=username, csrf=csrf,
            created_at=now.isoformat(),
            expires_at=(now + timedelta(hours=SESSION_HOURS)).isoformat(),
        ))  # fmt: skip
    return token, csrf, _user(app, row)


def session_user(app: App, token: str | None) -> tuple[User, str] | None:
    """(user, CSRF token) for a live session, else None."""
    if not token:
        return None
    with app.engine.connect() as conn:
        row = conn.execute(
            select(SESSIONS, USERS).join(USERS, USERS.c.username == SESSIONS.c.username)
            .where(SESSIONS.c.token_hash == _digest(token))
        ).mappings().first()  # fmt: skip
    if row is None or not row["active"]:
        return None
    if datetime.fromisoformat(row["expires_at"]) < app.clock.now():
        return None
    return _user(app, row), str(row["csrf"])


def logout(app: App, token: str) -> None:
    with app.engine.begin() as conn:
        conn.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == _digest(token)))


def create_token(app: App, name: str, roles: list[str], unit: str | None = None) -> str:
    """A machine token (collection station); shown once, stored only as a hash."""
    if not name.strip() or set(roles) - set(ROLES) or not roles:
        raise ValidationError("令牌须有名称和有效的角色")
    token = "lht_" + secrets.token_urlsafe(32)
    with app.engine.begin() as conn:
        conn.execute(insert(TOKENS).values(
            token_hash=_digest(token), name=name, roles=json.dumps(sorted(roles)), unit=unit,
            created_at=app.clock.now().isoformat(), revoked=False,
        ))  # fmt: skip
    return token


def token_user(app: App, token: str | None) -> User | None:
    if not token:
        return None
    with app.engine.connect() as conn:
        row = (
            conn.execute(select(TOKENS).where(TOKENS.c.token_hash == _digest(token)))
            .mappings()
            .first()
        )
    if row is None or row["revoked"]:
        return None
    return User(username=f"token:{row['name']}", display_name=row["name"],
                roles=frozenset(json.loads(row["roles"])), unit=row["unit"],
                agency=_agency_of(app, row["unit"]), machine=True)  # fmt: skip
