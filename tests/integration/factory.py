"""Realistic records for integration tests, written through the real services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from liuhen.accounts import service as access
from liuhen.clock import FixedClock
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.signing import service as signing

ADMIN = {"id": "admin", "role": "admin"}
OFFICER = {"id": "31010001", "role": "officer"}
OFFICERS = [("31010001", "张伟"), ("31010002", "李娜"), ("31010003", "王强")]
HEAD = "31010009"  # registered by ``approval_staff``
# login, password, roles, name, certificate: those an approval passes through
APPROVAL_LOGINS = (
    ("zhangw", "correct-horse-1", ["officer"], "张伟", "31010001"),
    ("hejg", "correct-horse-3", ["head"], "贺建国", HEAD),
    ("lina", "correct-horse-2", ["legal_reviewer"], "李娜", "31010002"),
)


def register(app: App) -> None:
    now = app.clock.now().isoformat()
    record.record(
        app,
        ActInput(
            "registry.agency",
            now,
            recorded_by=ADMIN,
            fields={"code": "wl", "name": "某区文化和旅游局", "region": "某区"},
        ),
    )
    add_unit(app, "wl-zd1", "执法大队一中队")
    for cert, name in OFFICERS:
        add_officer(app, cert, name)


def add_officer(
    app: App, cert: str, name: str, roles: tuple[str, ...] = ("officer",), unit: str = "wl-zd1"
) -> Appended:
    """Register one more person (an archivist, a head, a new colleague) through the journal."""
    return record.record(
        app,
        ActInput(
            "registry.officer",
            app.clock.now().isoformat(),
            recorded_by=ADMIN,
            fields={"cert_no": cert, "name": name, "unit": unit, "roles": list(roles),
                    "active": True},
        ),
    )  # fmt: skip


def add_unit(app: App, code: str, name: str, agency: str = "wl") -> None:
    record.record(
        app,
        ActInput(
            "registry.unit",
            app.clock.now().isoformat(),
            recorded_by=ADMIN,
            fields={"code": code, "name": name, "agency": agency},
        ),
    )


def header(**overrides: Any) -> dict[str, Any]:
    fields = {
        "cause": "未经许可擅自从事营业性演出",
        "category": "penalty",
        "procedure": "ordinary",
        "parties": [{"name": "某区夜色酒吧", "address": "某区滨江路18号"}],
        "unit": "wl-zd1",
        "summary": "日常巡查发现该酒吧未取得营业性演出许可证组织演出。",
        "source": "日常巡查",
        "reason": "涉嫌违反《营业性演出管理条例》第六条",
        "handler_opinion": "建议立案调查",
        "head_opinion": "同意立案",
        "approver": "赵局长",
    }
    fields.update(overrides)
    return fields


def opening_input(number: str, when: str = "2026-11-02T09:00:00+08:00") -> ActInput:
    return ActInput(
        "initiation.ex_officio",
        when,
        case=number,
        actors=["31010001", "31010002"],
        place="某区文化和旅游局",
        fields=header(),
        recorded_by=OFFICER,
    )


def open_case_in(app: App, number: str, unit: str, officer: str) -> Appended:
    """A case of another unit, opened by one of its officers (for who-sees-what tests)."""
    other = opening_input(number)
    other.fields["unit"] = unit
    other.actors[:] = [officer]
    return record.record(app, other)


def inquiry_input(number: str, who: str = "陈某", actors: list[str] | None = None) -> ActInput:
    return ActInput(
        "investigation.inquiry",
        "2026-11-03T10:00:00+08:00",
        case=number,
        actors=actors or ["31010001", "31010002"],
        place="某区滨江路18号",
        recorded_by=OFFICER,
        fields={
            "subject": {"name": who, "role": "酒吧负责人"},
            "relation": "当事人负责人",
            "started_at": "2026-11-03T10:00:00+08:00",
            "ended_at": "2026-11-03T10:40:00+08:00",
            "identity_shown": True,
            "rights_notified": True,
            "transcript": "问：你是否知道演出需要许可？\n答：不知道。",
            "recorder": "李娜",
        },
    )


def open_case(
    app: App, number: str = "某文旅罚〔2026〕1号", when: str = "2026-11-02T09:00:00+08:00"
) -> Appended:
    return record.record(app, opening_input(number, when))


def inquiry(
    app: App,
    number: str = "某文旅罚〔2026〕1号",
    who: str = "陈某",
    actors: list[str] | None = None,
) -> Appended:
    return record.record(app, inquiry_input(number, who, actors))


def certify_officers(app: App) -> None:
    """The agency's CA and a signing certificate for each of ``OFFICERS``: what a test that signs
    documents needs before its case is opened."""
    signing.init_ca(app, "某区文化和旅游局")
    for cert, _name in OFFICERS:
        signing.issue(app, cert)


def approval_staff(app: App, now: datetime) -> None:
    """The agency at ``now`` with the officer, the head and the legal reviewer an approval
    passes through, each signed in by ``APPROVAL_LOGINS`` and holding a signing key: what the
    approval, draft and case-handling tests all start from, before their case is opened."""
    app.clock = FixedClock(now)
    register(app)
    add_officer(app, HEAD, "贺建国", roles=("head",))
    for user, pw, roles, name, cert in APPROVAL_LOGINS:
        access.create_user(app, user, pw, roles, name, "wl-zd1", cert)
    signing.init_ca(app, "某区文化和旅游局")
    for *_login, cert in APPROVAL_LOGINS:
        signing.issue(app, cert)
