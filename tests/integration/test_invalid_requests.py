"""Malformed API requests get the one error shape: LH100, Chinese, and nothing sent echoed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liuhen.entrypoints.web import create_app
from tests.integration import factory
from tests.integration.auth import token_headers

SECRET = "mima-do-not-echo-7731"
CASE = "某文旅罚〔2026〕1号"


def test_a_malformed_body_is_refused_in_chinese_without_echoing_it(app):
    factory.register(app)
    factory.open_case(app)  # the route's guard answers 404 for an unknown case before the body
    client = TestClient(create_app(app))
    headers = token_headers(app)
    typed = client.post(f"/api/v1/cases/{CASE}/acts", json={"act": 1}, headers=headers)
    assert typed.status_code == 422
    assert typed.json() == {
        "code": "LH100",
        "message": "请求有 2 处问题",
        "problems": [
            {"message": "应为文本", "field": "act", "line": None, "label": None, "kind": "format"},
            {
                "message": "必填",
                "field": "occurred_at",
                "line": None,
                "label": None,
                "kind": "required",
            },
        ],
    }
    body = {"act_seq": "x", "doc_type": "inquiry_record", "values": {}, "by": "1",
            "confirmations": [{"cert_no": "31010002", "password": [SECRET]}]}  # fmt: skip
    signing = client.post(f"/api/v1/cases/{CASE}/documents", json=body, headers=headers)
    assert signing.status_code == 422 and signing.json()["code"] == "LH100"
    assert SECRET not in signing.text  # a password sent in the wrong shape is not sent back
    broken = client.post(
        f"/api/v1/cases/{CASE}/acts", content=b"{not json", headers={**headers,
                                                               "Content-Type": "application/json"}
    )  # fmt: skip
    assert broken.status_code == 422 and "不是有效的 JSON" in broken.text
    query = client.get("/api/v1/cases", params={"page": "zero"}, headers=headers)
    assert query.status_code == 422 and query.json()["problems"][0]["field"] == "page"


def test_the_schema_describes_the_refusal_as_it_is_sent(app):
    schema = TestClient(create_app(app)).get("/openapi.json").json()
    shape = schema["components"]["schemas"]["HTTPValidationError"]
    assert shape["required"] == ["code", "message", "problems"]
    assert "ValidationError" not in schema["components"]["schemas"]
    refs = [
        op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
        for path in schema["paths"].values() for op in path.values()
        if isinstance(op, dict) and "422" in op.get("responses", {})
    ]  # fmt: skip
    assert refs and set(refs) == {"#/components/schemas/HTTPValidationError"}
