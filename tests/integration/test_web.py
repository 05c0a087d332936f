"""The JSON API and the Chinese pages, through the real ASGI app and database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from liuhen.entrypoints.web import create_app
from liuhen.hashing import get_alg
from liuhen.journal import checkpoint as notes
from liuhen.journal import merkle
from tests.integration import factory
from tests.integration.auth import token_headers


@pytest.fixture
def client(app):
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    factory.open_case(app, "某文旅罚〔2026〕2号")
    with TestClient(create_app(app), headers=token_headers(app)) as c:
        yield c


def test_api_cases_paginates(client):
    body = client.get("/api/v1/cases", params={"per_page": 1}).json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["per_page"] == 1
    second = client.get("/api/v1/cases", params={"per_page": 1, "page": 2}).json()
    assert {body["items"][0]["number"], second["items"][0]["number"]} == {
        "某文旅罚〔2026〕1号",
        "某文旅罚〔2026〕2号",
    }
    assert client.get("/api/v1/cases", params={"stage": "investigation"}).json()["total"] == 1
    bad = client.get("/api/v1/cases", params={"stage": "nowhere"})
    assert bad.status_code == 422 and bad.json()["code"] == "LH100"


def test_api_case_record(client):
    body = client.get("/api/v1/cases/某文旅罚〔2026〕1号").json()
    assert body["cause"] == "未经许可擅自从事营业性演出"
    assert [s["stage"] for s in body["stages"]] == ["initiation", "investigation"]
    missing = client.get("/api/v1/cases/不存在")
    assert missing.status_code == 404
    assert missing.json() == {"code": "LH104", "message": "案件“不存在”不存在", "problems": []}


def test_api_checkpoint_and_proof_verify(client, app):
    cp = client.get("/api/v1/journal/checkpoint").json()
    parsed = notes.verify(cp["note"], app.origin, app.key.public_key())
    assert parsed.size == cp["tree_size"] == 8
    proof = client.get("/api/v1/journal/proof/7").json()
    merkle.verify_inclusion(
        get_alg("sha256"),
        6,
        8,
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(p) for p in proof["path"]],
        parsed.root,
    )
    assert client.get("/api/v1/journal/proof/99").status_code == 404
    cons = client.get("/api/v1/journal/consistency", params={"old": 3, "new": 8}).json()
    assert cons["new_root"] == parsed.root.hex()


def test_openapi_lists_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{number}",
        "/api/v1/journal/checkpoint",
        "/api/v1/journal/proof/{seq}",
    } <= set(paths)


def test_pages_list_cases_and_show_the_timeline(client):
    page = client.get("/")
    assert (
        page.status_code == 200 and "案件列表" in page.text and "某文旅罚〔2026〕2号" in page.text
    )
    case = client.get("/cases/某文旅罚〔2026〕1号")
    assert case.status_code == 200
    assert case.text.index("<h2>程序启动</h2>") < case.text.index("<h2>调查取证</h2>")
    assert "张伟（执法证号 31010001）" in case.text and "询问内容（问答）" in case.text
    missing = client.get("/cases/不存在")
    assert missing.status_code == 404 and "错误代码 LH104" in missing.text
    assert client.get("/no/such/page").status_code == 404
