"""Who may do what, generated: role × unit × on-case/off-case × mark × action, on both databases.

Each expected answer is computed by ``expect`` from the rules written in ``docs/access.md``
(the comments name the rule), never read off the implementation; the test then asks the real
app over HTTP as each person, with a real session, and lists every disagreement at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from liuhen.access import service as access
from liuhen.services import record
from liuhen.services.instance import App
from liuhen.services.record import ActInput
from liuhen.web.app import create_app
from liuhen.web.auth import COOKIE
from tests.integration import factory

CASE = "某文旅罚〔2026〕1号"
TRANSCRIPT = "问：你是否知道演出需要许可？"
CAUSE = "未经许可擅自从事营业性演出"
HEAD_CERT = "31019001"


@dataclass(frozen=True)
class Person:
    """One account of the matrix: its roles and where it stands relative to the case."""

    username: str
    roles: tuple[str, ...]
    unit: str | None  # wl-zd1 is the case's unit; wl-zd2 the same agency; qt-zd1 another agency
    cert_no: str | None
    on_case: bool = False

    @property
    def same_agency(self) -> bool:
        return self.unit in ("wl-zd1", "wl-zd2")


PEOPLE = (
    Person("on_case", ("officer",), "wl-zd1", "31010001", on_case=True),  # opened the case
    Person("same_unit", ("officer",), "wl-zd1", "31010003"),
    Person("other_unit", ("officer",), "wl-zd2", "31020001"),
    Person("other_agency", ("officer",), "qt-zd1", "41010001"),
    Person("reviewer", ("legal_reviewer",), "wl-zd2", "31019002"),
    Person("head", ("head",), "wl-zd2", HEAD_CERT),
    Person("archivist", ("archivist",), "wl-zd2", "31019003"),
    Person("head_elsewhere", ("head",), "qt-zd1", "41019001"),
    Person("supervisor", ("supervisor",), None, None),
    Person("admin", ("admin",), None, None),
)
MARKS = (None, "个人隐私", "国家秘密")  # none, a lesser mark, the strictest
TARGETS = ("entry", "case")  # a mark on the inquiry entry, or on the whole case
PASSWORD = "matrix-pass-2026"


# The rules (docs/access.md), one function per question ------------------------------------


def sees_case(p: Person) -> bool:
    """调阅: supervisors every case (read-only); heads, reviewers, archivists their agency's;
    officers their unit's cases and those assigned to them; the administrator none."""
    if "supervisor" in p.roles:
        return True
    if set(p.roles) & {"head", "legal_reviewer", "archivist"}:
        return p.same_agency
    if "officer" in p.roles:
        return p.unit == "wl-zd1" or p.on_case
    return False


def records_in_case(p: Person) -> bool:
    """记录: whoever sees the case, except the supervisor (read-only) and the administrator."""
    return sees_case(p) and not set(p.roles) & {"supervisor", "admin"}


def sees_marked(p: Person, mark: str | None) -> bool:
    """保密标记: heads, reviewers and archivists of the agency and the officers on the case see
    marked records; supervisors see every mark but 国家秘密; other officers none."""
    if mark is None:
        return True
    if set(p.roles) & {"head", "legal_reviewer", "archivist"}:
        return True
    if "officer" in p.roles and p.on_case:
        return True
    return "supervisor" in p.roles and mark != "国家秘密"


def sees_overview(p: Person) -> bool:
    """全机关汇总: heads, legal reviewers and supervisors; not the administrator."""
    return bool(set(p.roles) & {"head", "legal_reviewer", "supervisor"})


def administers(p: Person) -> bool:
    """系统管理: the administrator alone."""
    return "admin" in p.roles


# The world ---------------------------------------------------------------------------------


def build(app: App, mark: str | None, target: str) -> int:
    """Two agencies, three units, the people above; one case with an inquiry, marked as asked.
    Returns the inquiry's seq."""
    factory.register(app)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    record.record(app, ActInput(
        "registry.agency", app.clock.now().isoformat(), recorded_by=factory.ADMIN,
        fields={"code": "qt", "name": "某区市场监督管理局", "region": "某区"},
    ))  # fmt: skip
    factory.add_unit(app, "qt-zd1", "市场监管执法一中队", agency="qt")
    for p in PEOPLE:
        if p.cert_no and p.cert_no not in {c for c, _ in factory.OFFICERS}:
            factory.add_officer(app, p.cert_no, p.username, p.roles, unit=p.unit or "wl-zd1")
        access.create_user(app, p.username, PASSWORD, list(p.roles), p.username, p.unit,
                           p.cert_no)  # fmt: skip
    factory.open_case(app)
    seq = factory.inquiry(app).seq
    if mark is not None:
        record.record(app, ActInput(
            "general.confidentiality", app.clock.now().isoformat(), case=CASE,
            actors=[HEAD_CERT], recorded_by={"id": HEAD_CERT, "role": "head"},
            fields={"mark": mark, "records": [str(seq)] if target == "entry" else [],
                    "reason": "涉及当事人个人信息"},
        ))  # fmt: skip
    return seq


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def as_person(client: TestClient, app: App, p: Person) -> dict[str, str]:
    """Sign in through the service (a real session), return the headers an API call needs."""
    token, csrf, _user = access.login(app, p.username, PASSWORD)
    client.cookies.clear()
    client.cookies.set(COOKIE, token)
    return {"X-CSRF-Token": csrf}


def inquiry_body() -> dict[str, Any]:
    inp = factory.inquiry_input(CASE, who="王某")
    return {"act": inp.act, "occurred_at": inp.occurred_at, "actors": ["31010001", "31010002"],
            "place": inp.place, "fields": inp.fields}  # fmt: skip


# The matrix --------------------------------------------------------------------------------


def observe(client: TestClient, app: App, p: Person, seq: int) -> dict[str, Any]:
    """What each action answered for this person (status codes, and what content showed)."""
    headers = as_person(client, app, p)
    path = f"/api/v1/cases/{quote(CASE)}"
    got: dict[str, Any] = {}
    case = client.get(path)
    got["view"] = case.status_code
    if case.status_code == 200:
        body = case.json()
        inquiry = next(e for st in body["stages"] for e in st["entries"] if e["seq"] == seq)
        got["marked_content"] = TRANSCRIPT in str(inquiry.get("fields"))
        got["header"] = body.get("cause") == CAUSE
    got["page"] = client.get(f"/cases/{quote(CASE)}", follow_redirects=False).status_code
    got["compliance"] = client.get(f"{path}/compliance").status_code
    listed = client.get("/api/v1/cases")
    got["listed"] = listed.status_code == 200 and CASE in {
        i["number"] for i in listed.json()["items"]
    }
    got["record"] = client.post(f"{path}/acts", json=inquiry_body(), headers=headers).status_code
    got["overview"] = client.get("/api/v1/compliance").status_code
    got["admin"] = client.get("/api/v1/admin/users").status_code
    return got


def expect(p: Person, mark: str | None, target: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    view = sees_case(p)
    out["view"] = 200 if view else 403
    if view:
        out["marked_content"] = sees_marked(p, mark)
        # a whole-case mark withholds the header too (cause, summary, parties)
        out["header"] = target != "case" or sees_marked(p, mark)
    out["page"] = 200 if view else 403
    out["compliance"] = 200 if view else 403
    out["listed"] = view
    # the inquiry is an officer's act (catalog: investigation.inquiry); others are refused
    out["record"] = 201 if records_in_case(p) and "officer" in p.roles else 403
    out["overview"] = 200 if sees_overview(p) else 403
    out["admin"] = 200 if administers(p) else 403
    return out


CASES = [(None, "entry")] + [(m, t) for m in MARKS if m for t in TARGETS]


@pytest.mark.parametrize(("mark", "target"), CASES, ids=[f"{m or '无'}-{t}" for m, t in CASES])
def test_every_person_gets_what_the_rules_say(
    app: App, client: TestClient, mark: str | None, target: str
) -> None:
    seq = build(app, mark, target)
    wrong = []
    for p in PEOPLE:
        want, got = expect(p, mark, target), observe(client, app, p, seq)
        wrong += [f"{p.username} {k}: 应为 {want[k]}，实为 {got.get(k)}" for k in want
                  if got.get(k) != want[k]]  # fmt: skip
    assert wrong == []
