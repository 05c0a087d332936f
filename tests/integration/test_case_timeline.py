"""The case page's timeline: views counted in one fold (the latest five shown, every one on the
views page), the filed dossier linked and guarded."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liuhen.accounts import service as access
from liuhen.archive import archiving
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db import store
from tests.integration import factory
from tests.integration.archive_case import ARCHIVIST, CASE, case_with_documents
from tests.integration.auth import login

DETAILS = re.compile(r'<details class="views".*?</details>', re.S)


def views(app, case: str) -> list[dict]:
    t = store.ENTRY
    with app.engine.connect() as conn:
        bodies = conn.execute(
            select(t.c.body)
            .where(t.c.chain == case, t.c.act == "general.review_access")
            .order_by(t.c.seq)
        ).scalars()
        return [json.loads(b)["fields"] for b in bodies]


def entries(app) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(store.ENTRY)).scalar_one())


@pytest.fixture
def client(app):
    with TestClient(create_app(app)) as c:
        yield c


def test_views_fold_into_one_line_with_the_latest_five(app, client):
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    assert login(client, "zhangw", "correct-horse-1").status_code == 303
    url = f"/cases/{quote(CASE)}"
    for _ in range(6):
        assert client.get(url).status_code == 200
    text = client.get(url).text  # shows the six earlier views; this one is journaled after
    folded = DETAILS.findall(text)
    assert len(folded) == 1
    summary = re.search(r"<summary>(.*?)</summary>", folded[0], re.S)
    assert summary and re.sub(r"\s+", " ", summary.group(1)).startswith("调阅记录 6 次，最近：")
    assert "张伟（执法人员，执法大队一中队） 在线调阅案件记录" in summary.group(1)
    assert folded[0].count('<li id="seq-') == 5  # the latest five; all of them on their page
    assert "查看全部 6 次调阅记录" in folded[0]
    outside = DETAILS.sub("", text)
    assert "询问" in outside and "调阅记录" not in outside  # the record itself is not folded
    assert len(views(app, CASE)) == 7
    listed = client.get(f"{url}/views").text
    assert listed.count('<tr id="seq-') == 7 and "共 7 次调阅" in listed
    assert len(views(app, CASE)) == 8  # reading who read the record is itself a view


def test_a_single_view_is_folded_too(app, client):
    factory.register(app)
    factory.open_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    assert login(client, "zhangw", "correct-horse-1").status_code == 303
    client.get(f"/cases/{quote(CASE)}")
    text = client.get(f"/cases/{quote(CASE)}").text
    assert len(DETAILS.findall(text)) == 1 and "调阅记录 1 次" in text


def test_the_filed_dossier_is_linked_served_and_journaled(app, client):
    case_with_documents(app)
    done = archiving.archive(app, CASE, ARCHIVIST)
    access.create_user(app, "chenghm", "dangan-secret-1", ["archivist"], "程慧敏", "wl-zd1",
                       ARCHIVIST)  # fmt: skip
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    access.create_user(app, "other", "other-secret-1", ["officer"], "外队", "wl-zd2")
    assert login(client, "chenghm", "dangan-secret-1").status_code == 303

    page = client.get(f"/cases/{quote(CASE)}").text
    link = re.search(r'<a class="dossier" href="([^"]+)"', page)
    assert link and link.group(1).endswith(f"/dossier/{done.digest}")
    before = len(views(app, CASE))
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf.content == b"".join(app.blobs.read(done.digest))
    logged = views(app, CASE)
    assert len(logged) == before + 1
    assert logged[-1]["purpose"] == "查看归档案卷" and logged[-1]["materials"] == [done.digest]
    assert logged[-1]["accessor"]["name"] == "程慧敏"

    not_filed = client.get(f"/api/v1/cases/{quote(CASE)}/dossier/sha256:{'0' * 64}")
    assert not_filed.status_code == 404
    assert login(client, "other", "other-secret-1").status_code == 303
    count = entries(app)
    refused = client.get(link.group(1))
    assert refused.status_code == 403 and refused.json()["code"] == "LH151"
    assert entries(app) == count  # a refused read leaves no 调阅 entry
