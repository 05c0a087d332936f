"""Documents end to end: rendered, signed with keys from the instance CA (PAdES), validated,
stored, journaled on their act, seen by the rules, and any change to a stored PDF detected."""

from __future__ import annotations

import base64
import io
import json
import subprocess

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text
from typer.testing import CliRunner

from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.entrypoints.cli import cli
from liuhen.entrypoints.web import create_app
from liuhen.errors import IntegrityError, NotFoundError, ValidationError
from liuhen.signing import pdf as pades
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.auth import token_headers

CASE = "某文旅罚〔2026〕1号"


def signature_png() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (240, 80), "white").save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def signed_case(app):
    factory.register(app)
    packs.use_pack(app, "001", "测试")
    factory.certify_officers(app)
    opened = factory.open_case(app)
    inquiry = factory.inquiry(app)
    return app, opened, inquiry


def inquiry_request(inquiry, **overrides):
    values = dict(DOC_TYPES["inquiry_record"].sample)
    req = documents.DocumentRequest(
        case=CASE,
        act_seq=inquiry.seq,
        doc_type="inquiry_record",
        values=values,
        signers=[
            {"role": "officer", "cert_no": "31010001"},
            {"role": "officer", "cert_no": "31010002"},
        ],
        recorded_by={"id": "31010001", "role": "officer"},
        number="某文旅询〔2026〕1号",
        party={"name": "陈某", "signature_png": signature_png()},
    )
    for key, value in overrides.items():
        setattr(req, key, value)
    return req


def entry_fields(app, seq: int) -> dict:
    with app.engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": seq})
        return dict(json.loads(body.scalar())["fields"])


def stored_pdf(app, seq: int) -> tuple[str, bytes]:
    with app.engine.connect() as conn:
        body = json.loads(
            conn.execute(text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": seq}).scalar()
        )
    digest = body["fields"]["digest"]
    return digest, b"".join(app.blobs.read(digest))


def test_issued_document_is_signed_stored_journaled_and_satisfies_the_rule(signed_case, tmp_path):
    app, _opened, inquiry = signed_case
    before = {f.code for f in compliance.evaluate_case(app, CASE).findings}
    assert "documents.inquiry_record:missing" in before
    entry = documents.issue(app, inquiry_request(inquiry))
    _digest, data = stored_pdf(app, entry.seq)
    statuses = pades.validate(data, signing.ca_pem(app))
    assert [s.serial_number for s in statuses] == ["31010001", "31010002"]
    assert all(s.valid for s in statuses)
    (tmp_path / "doc.pdf").write_bytes(data)
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "doc.pdf")], capture_output=True, text=True
    ).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    words = subprocess.run(
        ["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "询问笔录" in words and "以上笔录我已看过" in words and "某文旅询〔2026〕1号" in words
    after = {f.code for f in compliance.evaluate_case(app, CASE).findings}
    assert not any(code.startswith("documents.inquiry_record") for code in after)
    assert verify.verify(app).ok
    assert verify.check_files(app) == []


def test_a_one_byte_change_to_a_stored_pdf_is_detected(signed_case):
    app, _opened, inquiry = signed_case
    entry = documents.issue(app, inquiry_request(inquiry))
    digest, data = stored_pdf(app, entry.seq)
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0x01
    assert not all(s.valid for s in pades.validate(bytes(tampered), signing.ca_pem(app)))
    path = app.blobs.path(digest)  # the filesystem store; the file is read-only
    path.chmod(0o644)
    path.write_bytes(bytes(tampered))
    found = verify.check_files(app)
    assert [(seq, case) for seq, case, _ in [(d.seq, d.chain, d.what) for d in found]] == [
        (entry.seq, CASE)
    ]
    assert "摘要不符" in found[0].what


def test_refusal_needs_the_packs_officers_and_is_recorded(signed_case):
    """As many officers attest a refusal as the pack in force wants (003 第十四条: two; the
    entry points pass ``compliance.refusal_witnesses_required``)."""
    app, _opened, inquiry = signed_case
    one = {"reason": "当事人拒绝签字", "officers": ["31010001"]}
    with pytest.raises(ValidationError) as err:
        documents.issue(app, inquiry_request(inquiry, party=None, refusal=one, refusal_witnesses=2))
    assert [p.message for p in err.value.problems if p.field == "refusal.officers"] == [
        "当事人拒签的，本机关适用的规则要求由 2 名以上执法人员签名注明"
    ]
    entry = documents.issue(
        app,
        inquiry_request(
            inquiry,
            party=None,
            refusal={
                "reason": "当事人看过笔录后拒绝签字，称“不认可”",
                "officers": ["31010001", "31010002"],
            },
        ),
    )
    with app.engine.connect() as conn:
        fields = json.loads(
            conn.execute(
                text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": entry.seq}
            ).scalar()
        )["fields"]
    assert fields["party_refused"] is True and "拒绝签字" in fields["refusal_reason"]
    codes = {f.code for f in compliance.evaluate_case(app, CASE).findings}
    assert not any(code.startswith("documents.inquiry_record") for code in codes)


def test_correction_is_a_new_version_and_refusals_store_nothing(signed_case):
    app, _opened, inquiry = signed_case
    first = documents.issue(app, inquiry_request(inquiry))
    digest_first, _ = stored_pdf(app, first.seq)
    values = dict(DOC_TYPES["inquiry_record"].sample)
    values["recorder"] = "李娜（更正）" if "recorder" in values else values.get("recorder")
    second = documents.issue(
        app,
        inquiry_request(
            inquiry, supersedes=first.seq, values={k: v for k, v in values.items() if v is not None}
        ),
    )
    digest_second, _ = stored_pdf(app, second.seq)
    assert digest_first != digest_second and app.blobs.exists(digest_first)
    with app.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM journal_entry")).scalar()
    with pytest.raises(ValidationError) as err:
        documents.issue(app, inquiry_request(inquiry, values={"nonsense": 1}))
    assert any(p.field and p.field.startswith("fields.") for p in err.value.problems)
    with pytest.raises(ValidationError):
        documents.issue(app, inquiry_request(inquiry, doc_type="passport"))
    with pytest.raises(NotFoundError):
        documents.issue(app, inquiry_request(inquiry, act_seq=9999))
    with pytest.raises(ValidationError, match="99"):  # not a registered officer
        documents.issue(
            app, inquiry_request(inquiry, signers=[{"role": "officer", "cert_no": "99"}])
        )
    factory.add_officer(app, "31010009", "新同事")
    count += 1
    with pytest.raises(NotFoundError, match="签名证书"):  # registered, but no certificate
        documents.issue(
            app, inquiry_request(inquiry, signers=[{"role": "officer", "cert_no": "31010009"}])
        )
    with app.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM journal_entry")).scalar() == count


def test_a_replaced_ca_certificate_is_refused(signed_case):
    app, _opened, inquiry = signed_case
    ca = signing.authority(app)
    ca.cert_path.write_bytes(ca.cert_path.read_bytes().replace(b"A", b"B", 1))
    with pytest.raises((IntegrityError, ValueError)):
        documents.issue(app, inquiry_request(inquiry))


def test_cli_and_api(signed_case, env, monkeypatch, tmp_path):
    app, _opened, inquiry = signed_case
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    result = runner.invoke(cli, ["doc", "types", "--json"])
    assert result.exit_code == 0 and len(json.loads(result.output)) == len(DOC_TYPES)
    out = tmp_path / "preview.pdf"
    result = runner.invoke(cli, ["doc", "render", "seal_decision", "--sample", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"cause": 1}), "utf-8")
    result = runner.invoke(
        cli, ["doc", "render", "inquiry_record", "--fields", str(bad), "--out", str(out)]
    )
    assert result.exit_code == 2 and "LH100" in result.output
    with TestClient(create_app(app), headers=token_headers(app)) as client:
        assert len(client.get("/api/v1/documents/types").json()) == len(DOC_TYPES)
        body = {
            "act_seq": inquiry.seq,
            "doc_type": "inquiry_record",
            "values": DOC_TYPES["inquiry_record"].sample,
            "by": "31010001",
            "signers": [
                {"role": "officer", "cert_no": "31010001"},
                {"role": "officer", "cert_no": "31010002"},
            ],
            "party": {"name": "陈某", "signature_png": signature_png()},
        }
        # a station's token applies nobody's key unless its holder confirms with his password
        unconfirmed = client.post(f"/api/v1/cases/{CASE}/documents", json=body)
        assert unconfirmed.status_code == 422 and unconfirmed.json()["code"] == "LH100"
        assert {p["field"] for p in unconfirmed.json()["problems"]} == {
            "confirm.31010001", "confirm.31010002",
        }  # fmt: skip
        assert "没有可用的账户" in unconfirmed.text
        for user, cert in (("zhangw", "31010001"), ("lina", "31010002")):
            access.create_user(app, user, f"pw-of-{user}-2026", ["officer"], user, "wl-zd1", cert)
        body["confirmations"] = [
            {"cert_no": "31010001", "password": "pw-of-zhangw-2026"},
            {"cert_no": "31010002", "password": "pw-of-lina-2026"},
        ]
        made = client.post(f"/api/v1/cases/{CASE}/documents", json=body)
        assert made.status_code == 201, made.text
        sigs = entry_fields(app, made.json()["seq"])["signatures"]
        assert [s.get("auth") for s in sigs if s["method"] == "PAdES"] == ["现场密码确认"] * 2
        digest, _ = stored_pdf(app, made.json()["seq"])
        pdf = client.get(f"/api/v1/documents/{digest}/pdf")
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        refused = client.post(f"/api/v1/cases/{CASE}/documents", json={**body, "values": {}})
        assert refused.status_code == 422 and refused.json()["code"] == "LH100"
