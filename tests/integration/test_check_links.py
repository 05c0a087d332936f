"""The case page offers 核对 only beside records the pack in force has a checklist for (none
under 002), and a finding about a document or a clip is badged beside it, linking to the finding
in the compliance list; a record checked says so, with its latest check."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from liuhen.compliance import packs
from liuhen.entrypoints.web import create_app
from tests.integration.auth import login
from tests.integration.test_content_checks import CASE, _csrf, _setup


def test_the_check_link_follows_the_agencys_pack(app: Any) -> None:
    paper = _setup(app)  # under 001
    link = f"/checks/new?seq={paper}"
    with TestClient(create_app(app)) as client:
        login(client, "zhoup", "correct-horse-5")
        assert link in client.get(f"/cases/{CASE}").text
        packs.use_pack(app, "002", "改为适用市场监管局制度", agency="wl")
        page = client.get(f"/cases/{CASE}").text
        assert "/checks/new?" not in page  # 002 has no checklist: no form to be refused by
        assert "合规检查（规则包 002）" in page
        packs.use_pack(app, "003", "改为适用交通运输局制度", agency="wl")
        assert link in client.get(f"/cases/{CASE}").text  # 003 checks paper records


def test_a_finding_about_a_document_is_badged_beside_it(app: Any) -> None:
    paper = _setup(app)
    body = {
        "seq": paper,
        "checklist": "content.written_record",
        "results": [
            {"item": "规范用语", "result": "符合"},
            {"item": "记录清晰", "result": "不符合", "note": "第二页答话字迹潦草，无法辨认"},
        ],
    }
    with TestClient(create_app(app)) as client:
        login(client, "zhoup", "correct-horse-5")
        token = _csrf(client.get(f"/cases/{CASE}/checks/new", params={"seq": paper}).text)
        made = client.post(f"/api/v1/cases/{CASE}/checks", json=body,
                           headers={"X-CSRF-Token": token})  # fmt: skip
        assert made.status_code == 201, made.text
        page = client.get(f"/cases/{CASE}").text
    section = page.split(f'id="seq-{paper}"', 1)[1].split("</section>", 1)[0]
    check = made.json()["seq"]  # said beside the record, the form offered again
    assert f'已审看核对，见<a href="#seq-{check}">第{check}号记录</a>；' in section
    assert f'checks/new?seq={paper}">再次核对</a>' in section
    badges = re.findall(r'class="finding-badge (\w+)" href="#finding-(\d+)"[^>]*>([^<]+)</a>',
                        section)  # fmt: skip
    listed = dict(re.findall(r'<li class="finding \w+" id="finding-(\d+)">(.*?)</li>', page, re.S))
    about = {n: listed[n] for _sev, n, _text in badges}  # each badge names a listed finding
    (n,) = [n for n, text in about.items() if "字迹潦草" in text]
    assert ("violation", n, f"【违规】第{n}项") in badges
    assert "《询问笔录》（纸质）" in about[n]
    assert all(f"seq-{paper}" in text for text in about.values())  # only its own findings
