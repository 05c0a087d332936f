"""Issuing signing certificates, journaled; importing those a lawful external CA issued; and
the trust anchors every signature is checked against (the instance CA and the registered
roots of 电子认证服务机构, each against the fingerprint the journal recorded)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select

from liuhen.errors import (
    AnchorExists,
    CertificateOutOfDate,
    ConflictError,
    IntegrityError,
    KeyUsageError,
    NotACertificateAuthority,
    NotFoundError,
    Problem,
    UntrustedCertificate,
    ValidationError,
)
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import Role
from liuhen.signing import ca as certs
from liuhen.signing import pdf
from liuhen.signing.appearance import Box as Box
from liuhen.signing.appearance import Stamp as Stamp
from liuhen.signing.appearance import box_size_mm as box_size_mm
from liuhen.signing.appearance import find_box as find_box
from liuhen.signing.ca import Anchor, CertificateAuthority, Issued
from liuhen.signing.pdf import DamagedPdf as DamagedPdf
from liuhen.signing.pdf import SignatureStatus as SignatureStatus

OFFICER = store.OFFICER
SETTING = store.SETTING
SIGNING_KEY = store.SIGNING_KEY
KEY_NO_MAX, NAME_MAX = 64, 100  # the signing_key table's columns
ADMIN = {"id": "admin", "role": Role.ADMIN.value}

sign_pdf = pdf.sign  # other features sign and check PDFs through this module
validate_pdf = pdf.validate


def authority(app: App) -> CertificateAuthority:
    return CertificateAuthority(app.settings.data_dir / "keys")


def init_ca(app: App, name: str, by: dict[str, str] = ADMIN) -> Appended | None:
    """Create the CA (once) and journal its fingerprint; None if it already existed."""
    ca = authority(app)
    existed = ca.exists()
    cert = ca.create(name, app.clock.now())
    if existed and journaled_ca(app) is not None:
        return None
    return record.record(app, ActInput(
        "registry.signing_ca", app.clock.now().isoformat(), recorded_by=by,
        fields={"subject": cert.subject.rfc4514_string(),
                "fingerprint": cert.fingerprint(hashes.SHA256()).hex(),
                "not_after": cert.not_valid_after_utc.isoformat()},
    ))  # fmt: skip


def journaled_ca(app: App) -> str | None:
    with app.engine.connect() as conn:
        value = conn.execute(select(SETTING.c.value).where(SETTING.c.key == "signing_ca")).scalar()
    return str(value) if value else None


def instance_ca_pem(app: App) -> bytes:
    """The instance CA certificate, refused if it is not the one the journal recorded."""
    recorded = journaled_ca(app)
    if recorded is None:  # a step out of order, not a server fault (was a 500 from the file read)
        raise ConflictError(
            "签名根证书尚未建立：请先在“系统管理—密钥与证书”中建立根证书，或运行 liuhen ca init"
        )
    ca = authority(app)
    cert = ca.certificate()
    if cert.fingerprint(hashes.SHA256()).hex() != recorded:
        raise IntegrityError("签名根证书文件与日志记录的指纹不符：证书可能被替换")
    return ca.cert_path.read_bytes()


def ca_pem(app: App) -> bytes:
    """Every trust anchor, PEM: the instance CA (if one was set up) and each registered root
    of an external CA, each refused if it is not the one the journal recorded; what documents
    are signed under and checked against. Refused when there is none."""
    anchors = trust_anchors(app)
    if journaled_ca(app) is None and not anchors:
        instance_ca_pem(app)  # the refusal that says to set up the CA first
    bundle = instance_ca_pem(app) if journaled_ca(app) is not None else b""
    return bundle + b"".join(_anchor_pem(app, a) for a in anchors)


def has_trust(app: App) -> bool:
    """Whether any anchor (the instance CA or an external root) is registered."""
    return journaled_ca(app) is not None or bool(trust_anchors(app))


@dataclass(frozen=True)
class Registered:
    """A trust anchor with the journal entry that registered it."""

    anchor: Anchor
    seq: int
    recorded_at: str


def trust_anchors(app: App) -> list[Anchor]:
    return [r.anchor for r in registered_anchors(app)]


def registered_anchors(app: App) -> list[Registered]:
    """The external roots registered, in journal order, read from the journal itself (a
    handful of entries, found through the index on the act)."""
    e = store.ENTRY
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(e.c.seq, e.c.recorded_at, e.c.body)
            .where(e.c.act == "registry.trust_anchor")
            .order_by(e.c.seq)
        ).all()
    out = []
    for seq, recorded_at, body in rows:
        f = json.loads(body)["fields"]
        anchor = Anchor(f["name"], f["subject"], f["issuer"], f["fingerprint"],
                        f["not_before"], f["not_after"])  # fmt: skip
        out.append(Registered(anchor, int(seq), str(recorded_at)))
    return out


def _anchor_pem(app: App, anchor: Anchor) -> bytes:
    found = authority(app).anchor(anchor.fingerprint)
    loaded = certs.read_certificates(found) if found else []
    if len(loaded) != 1 or certs.fingerprint(loaded[0]) != anchor.fingerprint:
        raise IntegrityError(
            f"信任锚“{anchor.name}”的证书文件缺失或与日志记录的指纹不符：证书可能被替换"
        )
    return found or b""


def trust(
    app: App, data: bytes, name: str | None = None, by: dict[str, str] = ADMIN
) -> list[Appended]:
    """Register the CA certificates in ``data`` (a root, or an intermediate chain) as trust
    anchors, one journal entry each; refused, with nothing registered, if any is not a CA's,
    is out of date or is already registered."""
    found = certs.read_certificates(data)
    if not found:
        raise NotACertificateAuthority("文件中没有可读的证书（应为 PEM 或 DER 格式的 X.509 证书）")
    now = app.clock.now()
    known = {a.fingerprint for a in trust_anchors(app)} | {journaled_ca(app) or ""}
    for cert in found:
        who = certs.display_name(cert.subject)
        if not certs.is_ca(cert):
            raise NotACertificateAuthority(
                f"“{who}”不是 CA 证书（基本约束未标明 CA），不能登记为信任锚"
            )
        if not certs.in_force(cert, now):
            raise CertificateOutOfDate(
                f"“{who}”的有效期为 {cert.not_valid_before_utc.date()} 至 "
                f"{cert.not_valid_after_utc.date()}，现已不在有效期内，不能登记为信任锚"
            )
        if certs.fingerprint(cert) in known:
            raise AnchorExists(f"“{who}”已登记为信任锚（指纹 {certs.fingerprint(cert)[:16]}…）")
    entries = []
    for cert in found:
        authority(app).save_anchor(cert)
        label = name if name and len(found) == 1 else certs.display_name(cert.subject)
        if name and len(found) > 1:
            label = f"{name}：{certs.display_name(cert.subject)}"
        entries.append(record.record(app, ActInput(
            "registry.trust_anchor", now.isoformat(), recorded_by=by,
            fields={"name": label[:NAME_MAX], "subject": cert.subject.rfc4514_string(),
                    "issuer": cert.issuer.rfc4514_string(), "fingerprint": certs.fingerprint(cert),
                    "not_before": cert.not_valid_before_utc.isoformat(),
                    "not_after": cert.not_valid_after_utc.isoformat()},
        )))  # fmt: skip
    return entries


def import_key(
    app: App,
    who: str,
    data: bytes,
    password: bytes | None,
    seal: bool = False,
    by: dict[str, str] = ADMIN,
) -> tuple[Issued, str, Appended]:
    """Import a key and certificate a lawful external CA issued (PKCS#12): a person's, named
    by user name or 执法证号, or with ``seal`` an agency's seal, named by its code. Stored as an
    issued one is and journaled as ``registry.signing_key`` with the issuer named, so what the
    person (or agency) signs from now on is signed with it. Returns (the certificate, its
    issuer's name, the entry)."""
    key, cert, extra = certs.open_pkcs12(data, password)
    subject = certs.display_name(cert.subject)
    if not certs.signs_documents(cert):
        raise KeyUsageError(f"“{subject}”的证书的密钥用法不含数字签名或不可否认，不能用于文书签名")
    now = app.clock.now()
    if not certs.in_force(cert, now):
        raise CertificateOutOfDate(
            f"“{subject}”的证书有效期为 {cert.not_valid_before_utc.date()} 至 "
            f"{cert.not_valid_after_utc.date()}，现已不在有效期内，不能导入"
        )
    chain = [cert, *(c for c in extra if c != cert)]
    anchors = b"".join(_anchor_pem(app, a) for a in trust_anchors(app))
    why = pdf.chain_problem(certs.pem_of(chain), anchors, now)
    if why is not None:
        issuer = certs.display_name(cert.issuer)
        raise UntrustedCertificate(
            f"“{subject}”的证书（签发者：{issuer}）不能链接到已登记的信任锚，未导入"
            "（请先以 liuhen ca trust 登记签发它的电子认证服务机构的根证书）"
        )
    ca = authority(app)
    if seal:
        with app.engine.connect() as conn:
            name = conn.execute(select(AGENCY.c.name).where(AGENCY.c.code == who)).scalar()
        if name is None:
            raise NotFoundError(f"机关编码“{who}”未登记")
        if len(seal_no(who)) > KEY_NO_MAX:
            most = KEY_NO_MAX - len(SEAL)
            raise ValidationError(f"机关编码至多 {most} 个字符才能导入印章", [Problem(
                f"机关编码至多 {most} 个字符才能导入印章", "agency")])  # fmt: skip
        key_no, paths = seal_no(who), ca.seal_paths(who)
    else:
        key_no, name = _person(app, who)
        paths = ca.person_paths(key_no)
    issuer = certs.display_name(cert.issuer)
    issued = ca.install(key_no, paths, key, chain)
    return issued, issuer, _journal_key(app, key_no, str(name), issued, by, issuer)


def _person(app: App, who: str) -> tuple[str, str]:
    """(执法证号, name) of a user name or a 执法证号; not found if neither is registered."""
    with app.engine.connect() as conn:
        cert_no = conn.execute(
            select(store.APP_USER.c.cert_no).where(store.APP_USER.c.username == who)
        ).scalar()
        key_no = str(cert_no) if cert_no else who
        name = conn.execute(select(OFFICER.c.name).where(OFFICER.c.cert_no == key_no)).scalar()
    if name is None:
        raise NotFoundError(f"“{who}”既不是持有执法证号的用户名，也不是已登记的执法证号")
    return key_no, str(name)


def issue(app: App, cert_no: str, by: dict[str, str] = ADMIN) -> tuple[Issued, Appended]:
    """Issue a key and certificate for a registered person; the issuance is journaled."""
    with app.engine.connect() as conn:
        name = conn.execute(select(OFFICER.c.name).where(OFFICER.c.cert_no == cert_no)).scalar()
    if name is None:
        raise NotFoundError(f"执法证号 {cert_no} 未登记")
    instance_ca_pem(app)  # refuse to issue under a CA the journal does not know
    issued = authority(app).issue(cert_no, str(name), app.clock.now())
    return issued, _journal_key(app, cert_no, str(name), issued, by)


def _journal_key(
    app: App, key_no: str, name: str, issued: Issued, by: dict[str, str], issuer: str | None = None
) -> Appended:
    """The issuance journaled: a person's key and an agency's seal are listed alike
    (``registry.signing_key``), so that either is verified against the journal; an imported
    one names the external CA that issued it."""
    fields = {"cert_no": key_no, "name": name, "serial": issued.serial,
              "fingerprint": issued.fingerprint, "not_before": issued.not_before,
              "not_after": issued.not_after}  # fmt: skip
    if issuer:
        fields["issuer"] = issuer[:NAME_MAX]
    return record.record(app, ActInput(
        "registry.signing_key", app.clock.now().isoformat(), recorded_by=by, fields=fields,
    ))  # fmt: skip


# An agency's seal key is listed and journaled like a person's, under a number no officer can
# hold (registry codes have no colon): ``seal:<agency code>``.
SEAL = "seal:"
AGENCY = store.AGENCY


def seal_no(agency: str) -> str:
    return SEAL + agency


def issue_seal(app: App, agency: str, by: dict[str, str] = ADMIN) -> tuple[Issued, Appended]:
    """Issue a seal key and organisation certificate for a registered agency (电子印章),
    replacing any earlier one (documents sealed with it still verify); journaled."""
    with app.engine.connect() as conn:
        name = conn.execute(select(AGENCY.c.name).where(AGENCY.c.code == agency)).scalar()
    if name is None:
        raise NotFoundError(f"机关编码“{agency}”未登记")
    key_no = seal_no(agency)
    problems = []
    if len(key_no) > KEY_NO_MAX:
        most = KEY_NO_MAX - len(SEAL)
        problems.append(Problem(f"机关编码至多 {most} 个字符才能签发印章", "agency"))
    if len(str(name)) > NAME_MAX:
        problems.append(Problem(f"机关名称至多 {NAME_MAX} 个字符才能写入印章证书", "agency"))
    if problems:
        raise ValidationError(f"无法为“{name}”签发电子印章", problems)
    instance_ca_pem(app)  # refuse to issue under a CA the journal does not know
    issued = authority(app).issue_seal(key_no, agency, str(name), app.clock.now())
    return issued, _journal_key(app, key_no, str(name), issued, by)


def seal_key(app: App, agency: str) -> tuple[bytes, bytes] | None:
    """(key PEM, certificate PEM) of the agency's seal, None before one was issued; refused
    if the certificate is not the one the journal recorded."""
    with app.engine.connect() as conn:
        recorded = conn.execute(
            select(SIGNING_KEY.c.fingerprint).where(SIGNING_KEY.c.cert_no == seal_no(agency))
        ).scalar()
    found = authority(app).seal(agency)
    if recorded is None or found is None:
        return None
    actual = x509.load_pem_x509_certificate(found[1]).fingerprint(hashes.SHA256()).hex()
    if actual != recorded:
        raise IntegrityError(f"机关“{agency}”的印章证书与日志记录不符，拒绝用印")
    return found
