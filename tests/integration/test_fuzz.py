"""Fuzz the API from its own OpenAPI schema: whatever the input, never a server error.

Bounded in time (a few examples per operation) so it runs in CI on every change.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from liuhen import settings as settings_mod
from liuhen.services import instance
from liuhen.web.app import create_app
from tests.integration import factory
from tests.integration.auth import token_headers

HEADERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory) -> Iterator[object]:
    st = settings_mod.load({"LIUHEN_DATA_DIR": str(tmp_path_factory.mktemp("fuzz") / "data")})
    instance.init(st)
    app = instance.open_app(st)
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    HEADERS.update(token_headers(app))
    web = create_app(app)
    with TestClient(web):  # runs the lifespan (job queue) for the duration
        yield schemathesis.openapi.from_asgi("/openapi.json", web)
    app.engine.dispose()


def test_no_input_yields_a_server_error(api_schema):
    """Every operation, a few generated inputs each; any 5xx fails with the request shown."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            response = case.call(headers=HEADERS)
            case.validate_response(response, checks=[not_a_server_error])

        call()
