"""Certificates of a lawful external CA (电子认证服务机构, 003 第五条): its root registered as a
trust anchor, officers' and an agency's keys it issued imported from PKCS#12, documents signed
with them and verified (by the application, by ``liuhen verify``, in the export package by
``liuhen verify-bag``, and by poppler's pdfsig), and
every signature checked at the moment the journal recorded it, not today.

The external CA is made by the ``openssl`` command line (``external_ca``), never by our code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.archive import bag_verify, export, verify
from liuhen.clock import FixedClock, SystemClock
from liuhen.compliance import packs
from liuhen.documents import service as documents
from liuhen.errors import IntegrityError, LiuhenError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.record import ActInput
from liuhen.signing import pdf as pades
from liuhen.signing import service as signing
from tests.integration import external_ca, factory
from tests.integration.test_documents import CASE, inquiry_request, stored_pdf

ROOT_CN = "某电子认证服务有限公司根证书"
INTERMEDIATE_CN = "某电子认证服务有限公司签名证书中级CA"
ZHANG = "/C=CN/O=某区文化和旅游局/CN=张伟/serialNumber=31010001"
LI = "/C=CN/O=某区文化和旅游局/CN=李娜/serialNumber=31010002"


def _case(app: Any) -> Any:
    """The agency, its instance CA and officers' instance certificates, a case and an inquiry."""
    factory.register(app)
    packs.use_pack(app, "001", "测试")
    factory.certify_officers(app)
    factory.open_case(app)
    return factory.inquiry(app)


def _code(exc: pytest.ExceptionInfo[LiuhenError]) -> str:
    return exc.value.code


def _key_entry(app: Any, cert_no: str) -> dict[str, Any]:
    e = store.ENTRY
    with app.engine.connect() as conn:
        bodies = conn.execute(
            select(e.c.body).where(e.c.act == "registry.signing_key").order_by(e.c.seq)
        ).scalars()
        found = [json.loads(b)["fields"] for b in bodies]
    return next(f for f in reversed(found) if f["cert_no"] == cert_no)


def test_an_external_cas_root_is_trusted_and_its_officers_keys_sign(
    app: Any, run: Any, tmp_path: Path
) -> None:
    inquiry = _case(app)
    ca = external_ca.build(tmp_path / "ca")
    out = run("ca", "trust", str(ca.root), "--name", "某电子认证服务机构")
    assert "已登记信任锚" in out
    anchor = signing.registered_anchors(app)[0]
    root = x509.load_pem_x509_certificate(ca.root.read_bytes())
    assert anchor.anchor.fingerprint == root.fingerprint(hashes.SHA256()).hex()
    assert anchor.anchor.name == "某电子认证服务机构" and ROOT_CN in anchor.anchor.subject
    assert anchor.anchor.not_after.startswith(str(root.not_valid_after_utc.date()))

    # 张伟 by his 执法证号 (RSA, digitalSignature only); 李娜 by her user name (EC, nonRepudiation)
    access.create_user(app, "lina", "lina-password-2026", ["officer"], "李娜", "wl-zd1", "31010002")
    zhang = ca.issue_p12("zhang", ZHANG)
    li = ca.issue_p12("li", LI, usage="nonRepudiation", rsa=False)
    pw = str(ca.password_file)
    out = run("ca", "import", "31010001", str(zhang), "--password-file", pw)
    assert f"签发机构 {INTERMEDIATE_CN}" in out
    run("ca", "import", "lina", str(li), "--password-file", pw)
    assert _key_entry(app, "31010001")["issuer"] == INTERMEDIATE_CN
    assert _key_entry(app, "31010002")["issuer"] == INTERMEDIATE_CN
    listed = run("ca", "list")
    assert "某电子认证服务机构" in listed and "外部" in listed and "本实例" in listed

    entry = documents.issue(app, inquiry_request(inquiry))
    _digest, data = stored_pdf(app, entry.seq)
    statuses = signing.validate_pdf(data, signing.ca_pem(app))
    assert [(s.signer, s.issuer, s.anchor, s.valid) for s in statuses] == [
        ("张伟", INTERMEDIATE_CN, ROOT_CN, True),
        ("李娜", INTERMEDIATE_CN, ROOT_CN, True),
    ]
    issuers: Counter[str] = Counter()
    assert verify.check_files(app, issuers=issuers) == []
    assert issuers == {INTERMEDIATE_CN: 2}
    out = run("verify")
    assert f"{INTERMEDIATE_CN} 2 个" in out and "签名时刻" in out and "完好" in out
    # the export package carries the anchors; liuhen verify-bag checks the signatures with them
    report = bag_verify.verify_bag(_export(app, tmp_path / "bag"))
    assert report.ok, report.problems
    assert any(f"{INTERMEDIATE_CN} 2 个" in n and "签名时刻" in n for n in report.notes)

    # without the external root the same file does not verify: the anchor is what trusts it
    instance_only = signing.instance_ca_pem(app)
    assert not any(s.trusted for s in pades.validate(data, instance_only))

    # an agency's seal from the same CA
    seal = ca.issue_p12(
        "seal",
        "/C=CN/O=某区文化和旅游局/CN=某区文化和旅游局",
        usage="digitalSignature,nonRepudiation",
    )
    out = run("ca", "import", "wl", str(seal), "--seal", "--password-file", pw)
    assert "已导入 seal:wl 的签名证书" in out
    held = signing.seal_key(app, "wl")
    assert held is not None
    issuer = x509.load_pem_x509_certificate(held[1]).issuer
    assert issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == INTERMEDIATE_CN


def test_pdfsig_reads_the_signer_and_trusts_the_registered_root(app: Any, tmp_path: Path) -> None:
    """Outside this system: poppler's pdfsig, given only the external root in an NSS
    database, finds the document intact and the officer's certificate trusted."""
    inquiry = _case(app)
    ca = external_ca.build(tmp_path / "ca")
    signing.trust(app, ca.root.read_bytes())
    password = external_ca.PASSWORD.encode()
    for cert_no, subject in (("31010001", ZHANG), ("31010002", LI)):
        p12 = ca.issue_p12(cert_no, subject)
        signing.import_key(app, cert_no, p12.read_bytes(), password)
    entry = documents.issue(app, inquiry_request(inquiry))
    pdf_path = tmp_path / "doc.pdf"
    pdf_path.write_bytes(stored_pdf(app, entry.seq)[1])
    plain = subprocess.run(["pdfsig", "-nocert", str(pdf_path)], capture_output=True, text=True)
    assert "Signer Certificate Common Name: 张伟" in plain.stdout
    assert plain.stdout.count("Signature is Valid.") == 2
    assert "Total document signed" in plain.stdout  # the last one covers the whole file
    assert shutil.which("certutil"), "certutil (libnss3-tools) is installed by scripts/install.sh"
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "external-root", "-t", "C,C,C",
                    "-i", str(ca.root)], check=True)  # fmt: skip
    trusted = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf_path)],  # no AIA: nothing to fetch
        capture_output=True, text=True,
    )  # fmt: skip
    assert trusted.stdout.count("Certificate is Trusted.") == 2, trusted.stdout
    assert trusted.stdout.count("Signature is Valid.") == 2


def test_what_cannot_be_trusted_or_imported_is_refused(app: Any, tmp_path: Path) -> None:
    factory.register(app)
    factory.certify_officers(app)
    ca = external_ca.build(tmp_path / "ca")
    other = external_ca.build(tmp_path / "other", "另一电子认证服务有限公司")
    password = external_ca.PASSWORD.encode()
    signer = ca.issue_p12("zhang", ZHANG)

    with pytest.raises(LiuhenError) as refused:
        signing.trust(app, (ca.dir / "zhang.pem").read_bytes())  # an end-entity certificate
    assert _code(refused) == "LH540" and "不是 CA 证书" in refused.value.message
    with pytest.raises(LiuhenError) as refused:
        signing.trust(app, b"not a certificate")
    assert _code(refused) == "LH540"
    with pytest.raises(LiuhenError) as refused:
        signing.trust(app, signing.instance_ca_pem(app))
    assert _code(refused) == "LH542"

    # before its root is registered, the officer's key is refused; then accepted
    with pytest.raises(LiuhenError) as refused:
        signing.import_key(app, "31010001", signer.read_bytes(), password)
    assert _code(refused) == "LH543" and INTERMEDIATE_CN in refused.value.message
    signing.trust(app, ca.root.read_bytes())
    with pytest.raises(LiuhenError) as refused:
        signing.trust(app, ca.root.read_bytes())
    assert _code(refused) == "LH542" and "已登记" in refused.value.message
    signing.trust(app, ca.intermediate.read_bytes(), "中级证书")  # a chain's intermediate too
    assert [a.name for a in signing.trust_anchors(app)] == [
        "某电子认证服务有限公司根证书",
        "中级证书",
    ]

    with pytest.raises(LiuhenError) as refused:
        signing.import_key(app, "31010001", signer.read_bytes(), b"wrong")
    assert _code(refused) == "LH544" and "口令" in refused.value.message
    stranger = other.issue_p12("zhang", ZHANG)
    with pytest.raises(LiuhenError) as refused:
        signing.import_key(app, "31010001", stranger.read_bytes(), password)
    assert _code(refused) == "LH543"
    encipher = ca.issue_p12("enc", ZHANG, usage="keyEncipherment")
    with pytest.raises(LiuhenError) as refused:
        signing.import_key(app, "31010001", encipher.read_bytes(), password)
    assert _code(refused) == "LH545"
    with pytest.raises(LiuhenError) as refused:
        signing.import_key(app, "nobody", signer.read_bytes(), password)
    assert _code(refused) == "LH104"
    before = _key_entry(app, "31010001")["fingerprint"]

    app.clock = FixedClock(SystemClock().now())
    app.clock.advance(days=2)  # the officer's certificate (365 days) is in force; a 1-day one not
    short = ca.issue_p12("short", ZHANG, days=1)
    with pytest.raises(LiuhenError) as refused:
        signing.import_key(app, "31010001", short.read_bytes(), password)
    assert _code(refused) == "LH541"
    app.clock.advance(days=3700)  # past the root's ten years
    with pytest.raises(LiuhenError) as refused:
        signing.trust(app, other.root.read_bytes())
    assert _code(refused) == "LH541" and "不在有效期内" in refused.value.message
    assert _key_entry(app, "31010001")["fingerprint"] == before  # nothing refused was kept


def test_a_signature_is_checked_at_the_moment_the_journal_recorded_it(
    app: Any, run: Any, tmp_path: Path
) -> None:
    """A certificate valid for one day: the document it signed verifies after it expired,
    at the moment the journal recorded it; the same signature journaled after expiry fails."""
    ca = external_ca.build(tmp_path / "ca")
    short = ca.issue_p12("short", ZHANG, days=1)
    # one clock for the application and its journal, set after openssl's now so the
    # certificates are in force; moving it moves the time the journal records
    app.clock = app.journal.clock = FixedClock(SystemClock().now())
    inquiry = _case(app)
    signing.trust(app, ca.root.read_bytes())
    signing.import_key(app, "31010001", short.read_bytes(), external_ca.PASSWORD.encode())
    entry = documents.issue(app, inquiry_request(inquiry))
    _digest, data = stored_pdf(app, entry.seq)

    app.clock.advance(days=3)  # 张伟's certificate has expired
    today = pades.validate(data, signing.ca_pem(app), app.clock.now())
    assert [s.valid for s in today] == [False, True]  # at today's time it would fail
    assert verify.check_files(app) == []  # at its signing moment it holds
    out = run("verify")
    assert "签名时刻" in out and "不按今天" in out and "完好" in out

    # signing now, after expiry, is refused; and the journal taking the old PDF now fails
    with pytest.raises(IntegrityError):
        documents.issue(app, inquiry_request(inquiry, number="某文旅询〔2026〕2号"))
    fields = json.loads(_body(app, entry.seq))["fields"]
    for key in ("number", "issued", "supersedes"):
        fields.pop(key, None)
    late = record.record(app, ActInput(
        "general.document", app.clock.now().isoformat(), case=CASE,
        actors=["31010001", "31010002"], fields=fields,
        recorded_by={"id": "31010001", "role": "officer"},
        attachments=[{"digest": fields["digest"], "name": "询问笔录.pdf",
                      "media_type": "application/pdf", "size": len(data)}],
    ))  # fmt: skip
    found = verify.check_files(app)
    assert [(d.seq, d.chain) for d in found] == [(late.seq, CASE)]
    assert "张伟（签名时刻" in found[0].what and "签名未通过" in found[0].what
    report = bag_verify.verify_bag(_export(app, tmp_path / "bag"))  # the same in the package
    assert [p.code for p in report.problems] == ["LH424"]
    assert (
        f"序号 {late.seq} 的文书" in report.problems[0].message
        and "张伟（签名时刻" in report.problems[0].message
    )


def _export(app: Any, out: Path) -> Path:
    export.export_case(app, CASE, out, accessor={"name": "程慧敏", "role": "档案管理人员"})
    return out


def _body(app: Any, seq: int) -> str:
    e = store.ENTRY
    with app.engine.connect() as conn:
        return str(conn.execute(select(e.c.body).where(e.c.seq == seq)).scalar())
