"""001 第七条第一项、第二项 end to end: an officer records from the case page the 督导检查方案
an inspection case rests on, naming its year plan, and the hints about them are settled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅检〔2026〕7号"
NOW = datetime.fromisoformat("2026-11-20T12:00:00+08:00")
RULES = ("documents.inspection_notice", "documents.inspection_plan")


def _open_inspection_case(app: Any) -> None:
    factory.register(app)
    packs.use_pack(app, "001", "本局适用《行政执法全过程记录制度》")
    opening = factory.opening_input(CASE, "2026-09-28T09:00:00+08:00")
    opening.fields.update(
        factory.header(
            cause="国庆中秋前文化市场安全督导检查", category="inspection",
            summary="国庆、中秋前对辖区歌舞娱乐场所开展安全督导检查。", source="安全督导检查",
            reason="按局国庆中秋前文化市场安全督导检查方案开展检查",
        )
    )  # fmt: skip
    record.record(app, opening)


def _inspect(app: Any) -> None:
    record.record(
        app,
        ActInput(
            "investigation.inspection", "2026-09-29T19:30:00+08:00", case=CASE,
            actors=["31010001", "31010002"], place="某区滨江路18号", recorded_by=factory.OFFICER,
            fields={
                "started_at": "2026-09-29T19:30:00+08:00", "ended_at": "2026-09-29T20:40:00+08:00",
                "place": "某区滨江路18号某区夜色酒吧", "party_present": True,
                "identity_shown": True, "scene": "消防通道畅通，应急照明完好。", "recorder": "李娜",
            },
        ),
    )  # fmt: skip


def _found(app: Any) -> set[str]:
    return {f.code for f in compliance.evaluate_case(app, CASE, NOW).findings if f.rule in RULES}


def test_the_notice_recorded_from_the_case_page_settles_the_inspection_hints(app: Any) -> None:
    _open_inspection_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = client.get(f"/cases/{CASE}/record", params={"act": "initiation.inspection_notice"})
        assert form.status_code == 200 and "所依据的年度督导检查计划" in form.text
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        done = client.post(
            f"/cases/{CASE}/record",
            params={"act": "initiation.inspection_notice"},
            data={
                "csrf": csrf, "occurred_at": "2026-09-28T09:30", "actors": "31010001",
                "f_kind": "检查方案", "f_title": "国庆中秋前文化市场安全督导检查方案",
                "f_document_no": "某文旅发〔2026〕41号", "f_issuer": "某区文化和旅游局",
                "f_issued_on": "2026-09-24",
                "f_plan": "某区文化和旅游局2026年度安全工作督导检查计划（某文旅发〔2026〕3号）",
            },
            follow_redirects=False,
        )  # fmt: skip
        assert done.status_code == 303, done.text
    _inspect(app)
    assert _found(app) == set()


def test_an_inspection_without_its_notice_is_hinted(app: Any) -> None:
    _open_inspection_case(app)
    _inspect(app)
    assert _found(app) == {"documents.inspection_notice:out_of_order"}
