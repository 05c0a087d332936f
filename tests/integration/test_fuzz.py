"""Fuzz the API from its own OpenAPI schema, as every kind of caller: whatever the input, never a
server error, and every answer as the schema describes it (status code, content type, body).

The callers are a machine token and people signed in with a session cookie (an officer on the
case, the admin), whose changes carry the session's ``X-CSRF-Token`` as the pages' scripts do;
so the fuzzer gets past the sign-in into each route's own checks. Half the examples name the
real case, sequence number and rule pack in the path, so it reaches the handlers, not only
their "不存在". Bounded in time (a few examples per operation, a per-example deadline, a
timeout per caller) so it runs in CI on every change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from liuhen.accounts import service as access
from liuhen.accounts.auth_web import COOKIE
from liuhen.entrypoints.web import create_app
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.auth import token_headers
from tests.security.test_route_guards import walk

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Routes deliberately left out of the schema, each with its reason.
UNDESCRIBED = {
    ("OPTIONS", "/api/v1/uploads/{upload_id}"): "tus capability discovery, as OPTIONS /uploads",
}
# Answers a route gives that its schema does not yet describe, each with its reason; the check
# still runs for every other answer of the operation.
KNOWN_UNDOCUMENTED: dict[tuple[str, int], str] = {}
PASSWORD = "correct-horse-1"
EXAMPLES = 8


@dataclass
class Site:
    app: instance.App
    web: Any
    schema: Any
    real: dict[str, Any]  # path parameters naming things that exist


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    st_ = settings_mod.load({"LIUHEN_DATA_DIR": str(tmp_path_factory.mktemp("fuzz") / "data")})
    instance.init(st_)
    app = instance.open_app(st_)
    factory.register(app)
    signing.init_ca(app, "某区文化和旅游局")
    case = factory.open_case(app)
    inquiry = factory.inquiry(app)
    access.create_user(app, "zhangw", PASSWORD, ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "root", PASSWORD, ["admin"], "管理员")
    web = create_app(app)
    real = {"number": case.chain, "seq": inquiry.seq, "name": "national"}
    with TestClient(web):  # runs the lifespan (job queue) for the duration
        yield Site(app, web, schemathesis.openapi.from_asgi("/openapi.json", web), real)
    app.engine.dispose()


def credentials(app: instance.App, who: str) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies for ``who``: a fresh token, or a fresh session with its CSRF token
    (``access.login`` is what the login form calls)."""
    if who == "token":
        return token_headers(app), {}
    session, csrf, _user = access.login(app, {"officer": "zhangw", "admin": "root"}[who], PASSWORD)
    return {"X-CSRF-Token": csrf}, {COOKIE: session}


def test_every_api_route_is_in_the_schema(site: Site) -> None:
    """So the fuzzing below reaches every route: one missing from the schema is never called."""
    described = {
        (method.upper(), path)
        for path, operations in site.web.openapi()["paths"].items()
        for method in operations
    }
    served = {
        (method, found.path)
        for found in walk(list(site.web.routes))
        if found.path.startswith("/api/")
        for method in found.methods
    }
    assert served - described == set(UNDESCRIBED)
    assert len(described) >= 40


def _known(label: str, status: int) -> bool:
    return (label, status) in KNOWN_UNDOCUMENTED


def _code(response: Any) -> str:
    """The refusal's code; a CSRF refusal marked apart from other LH151s."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    code = str(body.get("code", ""))
    return f"{code}-CSRF" if "CSRF" in str(body.get("message", "")) else code


@pytest.mark.timeout(120)
@pytest.mark.parametrize("who", ["token", "officer", "admin"])
def test_no_input_yields_a_server_error_or_an_undescribed_answer(site: Site, who: str) -> None:
    """Every operation, a few generated inputs each; any failure is shown with the request."""
    headers, cookies = credentials(site.app, who)
    operations = [result.ok() for result in site.schema.get_all_operations()]
    assert len(operations) >= 40
    answers: Counter[tuple[int, str]] = Counter()
    for operation in operations:

        @given(case=operation.as_strategy(), name_real_things=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=timedelta(seconds=5),
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any, name_real_things: bool) -> None:
            if name_real_things and case.path_parameters:
                for key in case.path_parameters.keys() & site.real.keys():
                    case.path_parameters[key] = site.real[key]
            response = case.call(headers=headers, cookies=cookies)
            answers[(response.status_code, _code(response))] += 1
            checks = CHECKS
            if _known(case.operation.label, response.status_code):
                checks = [c for c in CHECKS if c is not status_code_conformance]
            case.validate_response(response, checks=checks, headers=headers)

        call()
    # The credentials held for the whole run (a 401, or a CSRF refusal, would pass the checks
    # above as a documented refusal while fuzzing nothing past the sign-in), and real work
    # was done: some answers succeeded.
    assert not [a for a in answers if a[0] == 401 or a[1] == "LH151-CSRF"], answers
    assert sum(n for (status, _), n in answers.items() if status < 300) >= len(operations) // 4
