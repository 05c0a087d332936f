"""Who may do what, generated: role × unit × on-case/off-case × mark × action, on both databases.

Each expected answer is computed by ``expect`` from the rules written in ``docs/access.md``
(the comments name the rule), never read off the implementation; the test then asks the real
app over HTTP as each person, with a real session, and lists every disagreement at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.accounts.auth_web import COOKIE
from liuhen.accounts.guard import Need
from liuhen.entrypoints.web import create_app
from liuhen.errors import LiuhenError
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.security.test_files import store_media
from tests.security.test_route_guards import Found, guards, routes

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


# Every route, every person: each route's declared guard, asked directly --------------------

ARCHIVE_LOOKERS = {"archivist", "head", "legal_reviewer", "supervisor"}
KEEPERS = {"archivist", "head"}
RECORDERS = {"officer", "legal_reviewer", "head", "archivist"}


def role_rule(method: str, path: str) -> Any:
    """Which written rule a role-guarded route follows (docs/access.md); a new role-guarded
    route must be given one here, or this test fails for it."""
    if path.startswith(("/admin", "/api/v1/admin")):
        return administers
    if path in ("/overview", "/api/v1/compliance"):
        return sees_overview
    if path.startswith("/review/live") or path == "/api/v1/feed":  # 实时调阅: as the overview
        return sees_overview
    if path.startswith(("/stats", "/api/v1/stats")):  # 执法统计: as the overview; heads set weights
        return (lambda p: "head" in p.roles) if method == "POST" else sees_overview
    if path in ("/retention", "/api/v1/retention"):
        return (
            (lambda p: bool(set(p.roles) & KEEPERS))
            if method == "POST"
            else (lambda p: bool(set(p.roles) & ARCHIVE_LOOKERS))
        )
    if path in ("/warnings", "/api/v1/warnings"):  # 期限预警: officers, heads, supervisors
        return lambda p: bool(set(p.roles) & {"officer", "head", "supervisor"})
    if path.startswith("/anomalies/thresholds"):  # 异常监测阈值: the agency's head, the admin
        return lambda p: bool(set(p.roles) & {"head", "admin"})
    if path.startswith(("/anomalies", "/api/v1/anomalies")):  # 执法记录异常: supervisors, heads
        return lambda p: bool(set(p.roles) & {"supervisor", "head"})
    if path.startswith("/api/v1/uploads") or path == "/cases/new":
        return lambda p: bool(set(p.roles) & RECORDERS)  # supervisors and admins record nothing
    if path.startswith("/devices"):  # 执法记录仪: the officer checks, heads and the admin manage
        if path.endswith("/check"):
            return lambda p: "officer" in p.roles
        return lambda p: bool(set(p.roles) & {"head", "admin"})
    return None


def allowed(need: Need, rule: Any, p: Person, methods: frozenset[str]) -> bool:
    if need in (Need.PUBLIC, Need.SIGNED_IN) or methods == {"OPTIONS"}:  # tus discovery
        return True
    if need is Need.ROLE:
        return bool(rule(p))
    if need is Need.RECORD_CASE:
        return records_in_case(p)
    return sees_case(p)  # SEE_CASE, and FILE for an unmarked file bound to the case


def passes(api: Any, route: Found, params: dict[str, str], session: tuple[str, str]) -> bool:
    """Whether every guard of the route lets this session through (a real request scope)."""
    method = sorted(route.methods - {"HEAD"} or route.methods)[0]
    request = Request({
        "type": "http", "method": method, "path": route.path, "query_string": b"",
        "headers": [(b"cookie", f"{COOKIE}={session[0]}".encode()),
                    (b"x-csrf-token", session[1].encode())],
        "path_params": params, "app": api,
    })  # fmt: skip
    try:
        for g in guards(route.dependant) if route.dependant else []:
            g(request)
    except LiuhenError as exc:
        if exc.code not in ("LH150", "LH151", "LH460"):  # a refusal, not another failure
            raise
        return False
    return True


def test_every_route_lets_in_exactly_whom_the_rules_name(app: App, tmp_path: Path) -> None:
    seq = build(app, None, "entry")
    media = store_media(app, tmp_path, b"\x00\x00\x00\x18ftypmp42" + b"7" * 2000, "a.mp4",
                        "video/mp4", "wl-zd1", "31010001", CASE)  # fmt: skip
    params = {"number": CASE, "case": CASE, "digest": media, "seq": str(seq),
              "upload_id": "0" * 32, "username": "on_case", "ident": "0" * 16,
              "cert_no": "31010001", "device_no": "D-1", "path": "x"}  # fmt: skip
    api = create_app(app)
    sessions = {p.username: access.login(app, p.username, PASSWORD)[:2] for p in PEOPLE}
    checked, wrong = 0, []
    for route in routes(app):
        if route.mount or route.dependant is None:
            continue
        needs = {g.need for g in guards(route.dependant)}
        need = max(needs, key=list(Need).index)  # the strictest a route declares
        rule = role_rule(sorted(route.methods)[0], route.path) if need is Need.ROLE else None
        if need is Need.ROLE and rule is None:
            wrong.append(f"{route.path}: 按角色限制，但没有写明依据哪条规则")
            continue
        names = {k: v for k, v in params.items() if "{" + k in route.path}
        for p in PEOPLE:
            checked += 1
            want = allowed(need, rule, p, route.methods)
            if passes(api, route, names, sessions[p.username]) != want:
                wrong.append(f"{sorted(route.methods)} {route.path} {p.username}: 应为{want}")
    assert wrong == []
    assert checked > 60 * len(PEOPLE)  # every route, every person: the walk saw them all
