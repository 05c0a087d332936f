"""Accounts with argon2 password hashes, server-side sessions, lock-out, machine tokens.

Credentials live in their own tables, outside the journal on purpose: a password hash must be
replaceable and must never become a permanent record; what people do is what gets journaled.
Only hashes of session and machine tokens are stored, so a copy of the database opens nothing.
Every change to an account or a token (and every lock-out) leaves a row in the append-only
``account_event`` table, in the same transaction as the change: who did it, to whom, what.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, func, insert, or_, select, update

from liuhen.access.policy import User

# What other features may use of accounts besides the functions below; the modules behind these
# names are private to accounts (pyproject's protected contracts hold other features to it).
from liuhen.accounts.access_log import record_access as record_access
from liuhen.accounts.access_log import unit_agency as unit_agency
from liuhen.accounts.agency_settings import DEFAULT_WARNING_DAYS as DEFAULT_WARNING_DAYS
from liuhen.accounts.agency_settings import AgencySettings as AgencySettings
from liuhen.accounts.agency_settings import ConductGuide as ConductGuide
from liuhen.accounts.agency_settings import SettingsChange as SettingsChange
from liuhen.accounts.agency_settings import agency_settings as agency_settings
from liuhen.accounts.agency_settings import case_agency_settings as case_agency_settings
from liuhen.accounts.agency_settings import change_agency_settings as change_agency_settings
from liuhen.accounts.agency_settings import conduct_guides as conduct_guides
from liuhen.accounts.agency_settings import next_numbers as next_numbers
from liuhen.accounts.agency_settings import recordable_acts as recordable_acts
from liuhen.accounts.agency_settings import register_guide as register_guide
from liuhen.accounts.agency_settings import unit_agency_settings as unit_agency_settings
from liuhen.accounts.confidentiality import act_fields as act_fields
from liuhen.accounts.confidentiality import case_header as case_header
from liuhen.accounts.confidentiality import entry_files as entry_files
from liuhen.accounts.confidentiality import guard_file as guard_file
from liuhen.accounts.confidentiality import marks_from as marks_from
from liuhen.accounts.confidentiality import marks_of as marks_of
from liuhen.accounts.confidentiality import redact as redact
from liuhen.accounts.confidentiality import redact_listing as redact_listing
from liuhen.accounts.registry import OFFICER_ROLES as OFFICER_ROLES
from liuhen.accounts.registry import OfficerRow as OfficerRow
from liuhen.accounts.registry import Registry as Registry
from liuhen.accounts.registry import add_agency as add_agency
from liuhen.accounts.registry import add_unit as add_unit
from liuhen.accounts.registry import change_officer as change_officer
from liuhen.accounts.registry import listing as listing
from liuhen.accounts.registry import person as person
from liuhen.accounts.registry import register_officer as register_officer
from liuhen.accounts.scope import Scope as Scope
from liuhen.accounts.scope import case_scope as case_scope
from liuhen.accounts.scope import cases_in as cases_in
from liuhen.accounts.scope import chains_in as chains_in
from liuhen.accounts.scope import unit_scope as unit_scope
from liuhen.errors import AuthError as AuthError
from liuhen.errors import ConflictError, NotFoundError, Problem, ValidationError
from liuhen.errors import Forbidden as Forbidden
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject
from liuhen.procedure.catalog import Role

USERS = store.APP_USER
SESSIONS = store.AUTH_SESSION
TOKENS = store.API_TOKEN
EVENTS = store.ACCOUNT_EVENT
UNIT = store.UNIT
OFFICER = store.OFFICER
ROLES = (Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST, Role.SUPERVISOR, Role.ADMIN)
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_HOURS = 12  # a session ends this long after sign-in, however busy
TOUCH_EVERY = timedelta(minutes=1)  # how often a session in use moves its idle deadline on
MIN_PASSWORD = 10
_hasher = PasswordHasher()
SYSTEM = "system"  # the actor when no person did it: lock-outs, demo data
TOKEN_ID = 16  # hex digits of the token hash shown as its id: enough to name it, opens nothing
EVENT_ACTIONS = {
    "created": "创建账户", "activated": "启用账户", "deactivated": "停用账户",
    "unlocked": "解除锁定", "password": "重设密码", "changed": "变更角色、机构或执法证号",
    "locked_out": "连续登录失败，已锁定", "token_created": "创建访问令牌",
    "token_revoked": "吊销访问令牌", "email": "变更电子邮箱",
}  # fmt: skip


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _agency_of(app: App, unit: str | None) -> str | None:
    if not unit:
        return None
    with app.engine.connect() as conn:
        return conn.execute(select(UNIT.c.agency).where(UNIT.c.code == unit)).scalar()


def _event(conn: Connection, app: App, by: str, action: str, target: str, **details: Any) -> None:
    """One account event, on the connection of the change it records (never a secret)."""
    assert action in EVENT_ACTIONS, action
    conn.execute(insert(EVENTS).values(
        at=app.clock.now().isoformat(), actor=by, action=action, target=target,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True),
    ))  # fmt: skip


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """Who changed an account or a token, and when; ``details`` differ by ``action``."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    details: JsonObject
    action_label: str


@dataclass(frozen=True, slots=True)
class EventsPage:
    """One page of account events, newest first."""

    items: list[AccountEvent]
    total: int
    page: int
    per_page: int


def list_events(app: App, page: int = 1, per_page: int = 50) -> EventsPage:
    """Account events, newest first."""
    with app.engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(EVENTS)).scalar() or 0)
        rows = conn.execute(
            select(EVENTS).order_by(EVENTS.c.id.desc())
            .limit(per_page).offset((page - 1) * per_page)
        ).mappings().all()  # fmt: skip
    items = [
        AccountEvent(**{**row, "details": json.loads(row["details"]),
                        "action_label": EVENT_ACTIONS.get(row["action"], row["action"])})
        for row in rows
    ]  # fmt: skip
    return EventsPage(items, total, page, per_page)


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
    *,
    by: str = SYSTEM,
) -> User:
    problems = []
    if (
        not username.isascii()
        or not username.replace("_", "").replace(".", "").isalnum()
        or len(username) > 64
    ):
        problems.append(
            Problem("用户名只能包含字母、数字、下划线和点（至多 64 个字符）", "username")
        )
    if not display_name.strip() or len(display_name) > 100:
        problems.append(Problem("姓名不能为空，至多 100 个字符", "display_name"))
    problems += _password_problems(password)
    problems += _role_problems(roles)
    problems += _registry_problems(app, unit, cert_no)
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
        _event(conn, app, by, "created", username, roles=sorted(roles), unit=unit,
               cert_no=cert_no)  # fmt: skip
    return get_user(app, username)


def _role_problems(roles: list[str]) -> list[Problem]:
    if not roles or set(roles) - set(ROLES):
        return [Problem(f"角色应为：{'、'.join(ROLES)}", "roles")]
    if Role.ADMIN in roles and len(set(roles)) > 1:
        # the administrator manages people and settings and sees no case: an account that
        # could do both would let him give himself the right to read what he administers
        return [Problem("系统管理员（admin）不能同时担任其他角色", "roles")]
    return []


def change_user(
    app: App, username: str, roles: list[str], unit: str | None, cert_no: str | None, by: str
) -> User:
    """New roles, unit and certificate number, checked as at creation; sessions read the
    account on every request, so the change applies at once without ending them. Nobody
    changes his own account: the administrator could otherwise give himself case roles."""
    if username == by:
        raise Forbidden("不能变更自己的角色、机构或执法证号，请由另一名管理员办理")
    problems = _role_problems(roles) + _registry_problems(app, unit, cert_no)
    if problems:
        raise ValidationError("无法变更账户", problems)
    with app.engine.begin() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).mappings().first()
        if row is None:
            raise NotFoundError(f"用户“{username}”不存在")
        before = {"roles": json.loads(row["roles"]), "unit": row["unit"],
                  "cert_no": row["cert_no"]}  # fmt: skip
        after = {"roles": sorted(roles), "unit": unit, "cert_no": cert_no}
        conn.execute(update(USERS).where(USERS.c.username == username).values(
            roles=json.dumps(sorted(roles)), unit=unit, cert_no=cert_no))  # fmt: skip
        _event(conn, app, by, "changed", username, before=before, after=after)
    return get_user(app, username)


def _password_problems(password: str) -> list[Problem]:
    if len(password) < MIN_PASSWORD:
        return [Problem(f"密码至少 {MIN_PASSWORD} 个字符", "password")]
    return []


def _registry_problems(app: App, unit: str | None, cert_no: str | None) -> list[Problem]:
    """An account names a unit and a certificate the registry knows, or the scoping rules
    (which cases a person sees) would silently match nothing."""
    problems = []
    with app.engine.connect() as conn:
        if unit and conn.execute(select(UNIT.c.code).where(UNIT.c.code == unit)).first() is None:
            problems.append(Problem(f"机构“{unit}”未登记", "unit"))
        if (
            cert_no
            and conn.execute(select(OFFICER.c.cert_no).where(OFFICER.c.cert_no == cert_no)).first()
            is None
        ):
            problems.append(Problem(f"执法证号“{cert_no}”未登记", "cert_no"))
    return problems


def get_user(app: App, username: str) -> User:
    with app.engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).mappings().first()
    if row is None:
        raise NotFoundError(f"用户“{username}”不存在")
    return _user(app, row)


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An account as the administrator manages it: never its password hash."""

    username: str
    display_name: str
    roles: list[str]
    unit: str | None
    cert_no: str | None
    active: bool
    failed: int
    locked_until: str | None
    created_at: str
    locked: bool


@dataclass(frozen=True, slots=True)
class AccountsPage:
    """One page of accounts, by user name."""

    items: list[AccountRow]
    total: int
    page: int
    per_page: int


def list_users(app: App, page: int = 1, per_page: int = 50) -> AccountsPage:
    """Accounts for the administrator: never the hash, only what he manages."""
    with app.engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(USERS)).scalar() or 0)
        rows = conn.execute(
            select(USERS.c.username, USERS.c.display_name, USERS.c.roles, USERS.c.unit,
                   USERS.c.cert_no, USERS.c.active, USERS.c.failed, USERS.c.locked_until,
                   USERS.c.created_at)
            .order_by(USERS.c.username).limit(per_page).offset((page - 1) * per_page)
        ).mappings().all()  # fmt: skip
    now = app.clock.now()
    items = [
        AccountRow(**{**row, "roles": json.loads(row["roles"]), "active": bool(row["active"]),
                      "locked": bool(row["locked_until"])
                      and datetime.fromisoformat(row["locked_until"]) > now})
        for row in rows
    ]  # fmt: skip
    return AccountsPage(items, total, page, per_page)


def _change(app: App, username: str, by: str, action: str, **values: Any) -> None:
    with app.engine.begin() as conn:
        found = conn.execute(update(USERS).where(USERS.c.username == username).values(**values))
        if found.rowcount == 0:
            raise NotFoundError(f"用户“{username}”不存在")
        _event(conn, app, by, action, username)
        if "password_hash" in values or values.get("active") is False:
            # a new password or a closed account ends the sessions opened before
            conn.execute(delete(SESSIONS).where(SESSIONS.c.username == username))


def email_of(app: App, username: str) -> str | None:
    """The account's e-mail address (warnings are sent to it), if it has one."""
    with app.engine.connect() as conn:
        found = conn.execute(select(USERS.c.email).where(USERS.c.username == username)).scalar()
    return str(found) if found else None


def set_email(app: App, username: str, email: str | None, by: str = SYSTEM) -> None:
    """The address warnings (liuhen.warnings) are e-mailed to; None or empty removes it. An
    address as it is changes nothing (no account event)."""
    address = (email or "").strip() or None
    if address == email_of(app, username):
        return
    if address is not None and (
        len(address) > 254 or address.count("@") != 1 or any(c.isspace() for c in address)
        or not all(address.split("@"))
    ):  # fmt: skip
        raise ValidationError("电子邮箱格式不正确", [Problem("应为 名称@域名", "email")])
    _change(app, username, by, "email", email=address)


def set_active(app: App, username: str, active: bool, by: str = SYSTEM) -> None:
    """Accounts are closed, not deleted: who recorded what must still resolve to a name."""
    _change(app, username, by, "activated" if active else "deactivated", active=active)


def unlock(app: App, username: str, by: str = SYSTEM) -> None:
    _change(app, username, by, "unlocked", failed=0, locked_until=None)


def reset_password(app: App, username: str, password: str, by: str = SYSTEM) -> None:
    problems = _password_problems(password)
    if problems:
        raise ValidationError("无法重设密码", problems)
    _change(app, username, by, "password",
            password_hash=_hasher.hash(password), failed=0, locked_until=None)  # fmt: skip


def login(app: App, username: str, password: str) -> tuple[str, str, User]:
    """(session token, CSRF token, user); five failures lock the account for 15 minutes.

    Every refusal costs the same one argon2 verification (an unknown name against a dummy
    hash, a closed or locked account against its own), so the answer's timing does not tell
    which it was.
    """
    now = app.clock.now()
    with app.engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).mappings().first()
    if row is None:
        _matches_hash(_dummy_hash(), password)  # same cost whether or not the user exists
        raise AuthError()
    right = _matches(row, password)  # verified even when closed or locked: same cost
    if not row["active"] or _is_locked(row["locked_until"], now):
        raise AuthError()
    if not right:
        _count_failure(app, username)
        raise AuthError()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with app.engine.begin() as conn:
        if not _clear_failures(conn, username, now):
            raise AuthError()  # locked by concurrent failures since it was read
        conn.execute(insert(SESSIONS).values(
            token_hash=_digest(token), username=username, csrf=csrf,
            created_at=now.isoformat(),
            expires_at=_session_end(app, now.isoformat(), now).isoformat(),
        ))  # fmt: skip
    return token, csrf, _user(app, row)


def _session_end(app: App, created_at: str, now: datetime) -> datetime:
    """When a session used at ``now`` ends: idle for ``LIUHEN_SESSION_IDLE_MINUTES``, and in
    any case ``SESSION_HOURS`` after sign-in. ``expires_at`` holds this deadline, moved on as
    the session is used, so ending an idle session needs no further column."""
    idle = now + timedelta(minutes=app.settings.session_idle_minutes)
    return min(idle, datetime.fromisoformat(created_at) + timedelta(hours=SESSION_HOURS))


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random secret, made once, for refusing unknown names at a real hash's cost."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _matches_hash(stored: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _matches(row: Any, password: str) -> bool:
    return _matches_hash(row["password_hash"], password)


def _is_locked(locked_until: str | None, now: datetime) -> bool:
    return bool(locked_until) and datetime.fromisoformat(str(locked_until)) > now


def _open(now: datetime) -> Any:
    """SQL: the account is not locked at ``now``. Lock times are written by this module from
    the one clock, all in the instance's zone, so their ISO texts order as the times do."""
    return or_(USERS.c.locked_until.is_(None), USERS.c.locked_until <= now.isoformat())


def _clear_failures(conn: Connection, username: str, now: datetime) -> bool:
    """Reset the count after a right password, unless the account got locked meanwhile."""
    done = conn.execute(
        update(USERS).where(USERS.c.username == username, _open(now))
        .values(failed=0, locked_until=None)
    )  # fmt: skip
    return done.rowcount == 1


def _count_failure(app: App, username: str) -> None:
    """A wrong password counts toward the lock-out; the fifth in a row locks the account and
    leaves an account event. Committed on its own: the failure counts even though we refuse.

    One statement adds the failure (``failed = failed + 1``, only while the account is open)
    and returns the new count, so concurrent attempts cannot overwrite each other's count; the
    lock is a second conditional statement, so only one of them records the lock-out.
    """
    now = app.clock.now()
    locked = (now + LOCKOUT).isoformat()
    with app.engine.begin() as conn:
        failed = conn.execute(
            update(USERS).where(USERS.c.username == username, _open(now))
            .values(failed=USERS.c.failed + 1).returning(USERS.c.failed)
        ).scalar()  # fmt: skip
        if failed is None or failed < MAX_FAILURES:
            return
        done = conn.execute(
            update(USERS).where(USERS.c.username == username, USERS.c.failed >= MAX_FAILURES)
            .values(failed=0, locked_until=locked)
        )  # fmt: skip
        if done.rowcount == 1:
            _event(conn, app, SYSTEM, "locked_out", username, failures=failed,
                   locked_until=locked)  # fmt: skip


def confirm_presence(app: App, cert_no: str, password: str) -> User:
    """The active account holding ``cert_no`` whose password this is, or AuthError.

    A colleague present when a document is signed with his key confirms it with his own
    password on the signing officer's device: no session is opened, but a wrong password counts
    toward the same lock-out as a login, so the form cannot be used to guess passwords.
    """
    now = app.clock.now()
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(USERS).where(USERS.c.cert_no == cert_no, USERS.c.active.is_(True))
            .order_by(USERS.c.username)
        ).mappings().all()  # fmt: skip
    open_ = [r for r in rows if not _is_locked(r["locked_until"], now)]
    if not open_:
        _matches_hash(_dummy_hash(), password)  # same cost whether or not an account can confirm
        raise AuthError()
    for row in open_:
        if _matches(row, password):
            with app.engine.begin() as conn:
                if not _clear_failures(conn, row["username"], now):
                    raise AuthError()
            return _user(app, row)
    for row in open_:
        _count_failure(app, row["username"])
    raise AuthError()


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
    now = app.clock.now()
    expires = datetime.fromisoformat(row["expires_at"])
    if expires < now:
        return None
    later = _session_end(app, row["created_at"], now)
    if later - expires > TOUCH_EVERY:  # in use: the idle deadline moves on (one write a minute)
        with app.engine.begin() as conn:
            conn.execute(update(SESSIONS).where(SESSIONS.c.token_hash == row["token_hash"])
                         .values(expires_at=later.isoformat()))  # fmt: skip
    return _user(app, row), str(row["csrf"])


def logout(app: App, token: str) -> None:
    with app.engine.begin() as conn:
        conn.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == _digest(token)))


def create_token(
    app: App, name: str, roles: list[str], unit: str | None = None, by: str = SYSTEM
) -> str:
    """A machine token (collection station); shown once, stored only as a hash."""
    problems = _role_problems(roles) + _registry_problems(app, unit, None)
    if not name.strip() or len(name) > 100:
        problems.insert(0, Problem("令牌名称不能为空，至多 100 个字符", "name"))
    if problems:
        raise ValidationError("令牌须有名称和有效的角色", problems)
    token = "lht_" + secrets.token_urlsafe(32)
    digest = _digest(token)
    with app.engine.begin() as conn:
        conn.execute(insert(TOKENS).values(
            token_hash=digest, name=name.strip(), roles=json.dumps(sorted(roles)), unit=unit,
            created_at=app.clock.now().isoformat(), revoked=False,
        ))  # fmt: skip
        _event(conn, app, by, "token_created", f"token:{digest[:TOKEN_ID]}", name=name.strip(),
               roles=sorted(roles), unit=unit)  # fmt: skip
    return token


def token_id(token: str) -> str:
    """The id under which a token is listed and revoked: a prefix of its stored hash."""
    return _digest(token)[:TOKEN_ID]


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A machine token without its secret: ``id`` is a prefix of its stored hash."""

    id: str
    name: str
    roles: list[str]
    unit: str | None
    created_at: str
    revoked: bool


def list_tokens(app: App) -> list[TokenRow]:
    """Tokens without secrets: neither the token (never stored) nor its whole hash."""
    with app.engine.connect() as conn:
        rows = conn.execute(select(TOKENS).order_by(TOKENS.c.created_at, TOKENS.c.name)).mappings()
        return [
            TokenRow(r["token_hash"][:TOKEN_ID], r["name"], json.loads(r["roles"]), r["unit"],
                     r["created_at"], bool(r["revoked"]))
            for r in rows
        ]  # fmt: skip


def revoke_token(app: App, ident: str, by: str = SYSTEM) -> None:
    """Revoked, not deleted: the token's requests stay attributable to its name."""
    if len(ident) != TOKEN_ID or not all(c in "0123456789abcdef" for c in ident):
        raise NotFoundError(f"访问令牌“{ident}”不存在")
    with app.engine.begin() as conn:
        row = conn.execute(
            select(TOKENS.c.token_hash, TOKENS.c.name, TOKENS.c.revoked)
            .where(TOKENS.c.token_hash.startswith(ident))
        ).first()  # fmt: skip
        if row is None:
            raise NotFoundError(f"访问令牌“{ident}”不存在")
        if row.revoked:
            raise ConflictError(f"访问令牌“{row.name}”已经吊销")
        conn.execute(update(TOKENS).where(TOKENS.c.token_hash == row.token_hash).values(
            revoked=True))  # fmt: skip
        _event(conn, app, by, "token_revoked", f"token:{ident}", name=row.name)


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
