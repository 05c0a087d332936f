"""A 听证笔录 the system makes is signed by every hearing participant (003 第十六条): the
agent and the third party sign by hand beside the applicant, or their refusal or leaving is
noted, each printed on the record and named in the entry, so the rule finds nothing missing."""

from __future__ import annotations

import base64
import io
import json
import subprocess

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text

from liuhen.accounts import service as access
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.documents.types import HANDWRITTEN
from liuhen.entrypoints.web import create_app
from liuhen.errors import ValidationError
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import token_headers

CASE = "某文旅罚〔2026〕1号"
RULE = "documents.hearing_participants"


def _png(shade: str) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (240, 80), shade).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def hearing(app):
    factory.register(app)
    packs.use_pack(app, "003", "测试")
    factory.certify_officers(app)
    factory.open_case(app)
    entry = record.record(app, ActInput(
        "investigation.hearing", "2026-11-05T09:30:00+08:00", case=CASE,
        actors=["31010001", "31010002"], recorded_by=factory.OFFICER,
        fields={"host": "张伟", "clerk": "李娜", "place": "某区文化和旅游局听证室",
                "started_at": "2026-11-05T09:30:00+08:00",
                "ended_at": "2026-11-05T11:00:00+08:00",
                "participants": [{"name": "陈某", "role": "申请人"},
                                 {"name": "钱律", "role": "代理人"},
                                 {"name": "赵某", "role": "第三人"},
                                 {"name": "孙某", "role": "第三人"}],
                "transcript": "承办人陈述事实和拟处罚意见；代理人请求从轻处罚。"},
    ))  # fmt: skip
    return app, entry


def _request(seq: int, participants: list[dict[str, str]] | None) -> documents.DocumentRequest:
    values = dict(DOC_TYPES["hearing_record"].sample)
    values["third_parties"] = [{"name": "赵某"}, {"name": "孙某"}]
    return documents.DocumentRequest(
        case=CASE, act_seq=seq, doc_type="hearing_record", values=values,
        signers=[{"role": "host", "cert_no": "31010001"},
                 {"role": "recorder", "cert_no": "31010002"}],
        recorded_by=factory.OFFICER,
        party={"name": "陈某", "signature_png": _png("white")},
        participants=participants,
    )  # fmt: skip


def _fields(app, seq: int) -> dict:
    with app.engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": seq})
        return dict(json.loads(body.scalar())["fields"])


def _findings(app) -> set[str]:
    return {f.code for f in compliance.evaluate_case(app, CASE).findings if RULE in f.code}


def test_agent_and_third_parties_sign_or_are_noted_and_the_rule_is_met(hearing, tmp_path):
    app, entry = hearing
    documents.issue(app, _request(entry.seq, None))  # the applicant alone, as before
    assert _findings(app) == {f"{RULE}:unsigned"}
    issued = documents.issue(app, _request(entry.seq, [
        {"name": "钱律", "as": "委托代理人", "signature_png": _png("lightgray")},
        {"name": "赵某", "as": "第三人", "signature_png": _png("gray")},
        {"name": "孙某", "as": "第三人", "note": "听证中途退出，未签字"},
    ]))  # fmt: skip
    fields = _fields(app, issued.seq)
    hand = [s["name"] for s in fields["signatures"] if s.get("method") == HANDWRITTEN]
    assert hand == ["陈某", "钱律", "赵某"]
    assert fields["participant_notes"] == ["孙某：听证中途退出，未签字"]
    assert _findings(app) == set()

    pdf = tmp_path / "hearing.pdf"
    pdf.write_bytes(b"".join(app.blobs.read(fields["digest"])))
    words = "".join(subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split())  # fmt: skip
    assert "委托代理人钱律：" in words and "第三人赵某：" in words
    assert "第三人孙某：（听证中途退出，未签字）" in words  # in every page's footer
    assert "孙某听证中途退出，未签字" in words  # and in the closing signatures
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    pages = int(subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.split("Pages:")[1].split()[0])  # fmt: skip
    # three hands on every page's footer, and three again in the closing block
    assert len(images) == 3 * pages + 3


def test_a_participant_neither_signing_nor_noted_is_refused(hearing):
    app, entry = hearing
    with pytest.raises(ValidationError) as err:
        documents.issue(app, _request(entry.seq, [{"name": "钱律", "as": "委托代理人"}]))
    assert any(p.field == "participants[0].signature_png" for p in err.value.problems)
    assert _findings(app) == set()  # nothing issued, so nothing judged


def test_the_api_takes_each_participants_hand(hearing, env, monkeypatch):
    app, entry = hearing
    for user, cert in (("zhangw", "31010001"), ("lina", "31010002")):
        access.create_user(app, user, f"pw-of-{user}-2026", ["officer"], user, "wl-zd1", cert)
    body = {
        "act_seq": entry.seq, "doc_type": "hearing_record", "by": "31010001",
        "values": {**DOC_TYPES["hearing_record"].sample,
                   "third_parties": [{"name": "赵某"}, {"name": "孙某"}]},
        "signers": [{"role": "host", "cert_no": "31010001"},
                    {"role": "recorder", "cert_no": "31010002"}],
        "party": {"name": "陈某", "signature_png": _png("white")},
        "participants": [
            {"name": "钱律", "as": "委托代理人", "signature_png": _png("gray")},
            {"name": "赵某", "as": "第三人", "signature_png": _png("silver")},
            {"name": "孙某", "as": "第三人", "note": "拒绝签字"},
        ],
        "confirmations": [{"cert_no": "31010001", "password": "pw-of-zhangw-2026"},
                          {"cert_no": "31010002", "password": "pw-of-lina-2026"}],
    }  # fmt: skip
    with TestClient(create_app(app), headers=token_headers(app)) as client:
        made = client.post(f"/api/v1/cases/{CASE}/documents", json=body)
    assert made.status_code == 201, made.text
    fields = _fields(app, made.json()["seq"])
    assert [s["name"] for s in fields["signatures"] if s["method"] == HANDWRITTEN] == [
        "陈某", "钱律", "赵某",
    ]  # fmt: skip
    assert fields["participant_notes"] == ["孙某：拒绝签字"]
    assert _findings(app) == set()
