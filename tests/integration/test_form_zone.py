"""The pages read a form's local times in the instance's zone (``LIUHEN_TIMEZONE``), not +08:00."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.cases import service as cases
from liuhen.entrypoints.web import create_app
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "LIUHEN_TIMEZONE": "America/New_York"}


def test_an_act_typed_in_the_pages_is_journaled_in_the_instance_zone(app: Any) -> None:
    assert str(app.settings.timezone) == "America/New_York"
    factory.register(app)
    factory.open_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = client.get(f"/cases/{CASE}/record", params={"act": "investigation.inquiry"})
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        done = client.post(
            f"/cases/{CASE}/record",
            params={"act": "investigation.inquiry"},
            data={
                "csrf": csrf,
                "occurred_at": "2026-11-03T10:00",
                "actors": "31010001，31010002",
                "place": "某区滨江路18号",
                "f_subject.name": "陈某",
                "f_relation": "当事人负责人",
                "f_transcript": "问：你是否知道演出需要许可？\n答：不知道。",
                "f_started_at": "2026-11-03T10:00",
                "f_ended_at": "2026-11-03T10:40",
                "f_identity_shown": "true",
                "f_rights_notified": "true",
                "f_recorder": "李娜",
            },
            follow_redirects=False,
        )
        assert done.status_code == 303
    shown = cases.show_case(app, CASE)
    inquiry = next(e for s in shown.stages for e in s.entries if e.act == "investigation.inquiry")
    # New York is five hours behind UTC on 3 November 2026 (daylight saving ended on the 1st)
    assert inquiry.occurred_at == "2026-11-03T10:00:00-05:00"
    assert inquiry.fields["started_at"] == "2026-11-03T10:00:00-05:00"
    assert inquiry.fields["ended_at"] == "2026-11-03T10:40:00-05:00"
