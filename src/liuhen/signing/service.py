"""Issuing signing certificates, journaled; and the CA every signature is checked against."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select

from liuhen.errors import ConflictError, IntegrityError, NotFoundError, Problem, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import Role
from liuhen.signing import pdf
from liuhen.signing.appearance import Box as Box
from liuhen.signing.appearance import Stamp as Stamp
from liuhen.signing.appearance import box_size_mm as box_size_mm
from liuhen.signing.appearance import find_box as find_box
from liuhen.signing.ca import CertificateAuthority, Issued
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


def ca_pem(app: App) -> bytes:
    """The CA certificate, refused if it is not the one the journal recorded."""
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


def issue(app: App, cert_no: str, by: dict[str, str] = ADMIN) -> tuple[Issued, Appended]:
    """Issue a key and certificate for a registered person; the issuance is journaled."""
    with app.engine.connect() as conn:
        name = conn.execute(select(OFFICER.c.name).where(OFFICER.c.cert_no == cert_no)).scalar()
    if name is None:
        raise NotFoundError(f"执法证号 {cert_no} 未登记")
    ca_pem(app)  # refuse to issue under a CA the journal does not know
    issued = authority(app).issue(cert_no, str(name), app.clock.now())
    return issued, _journal_key(app, cert_no, str(name), issued, by)


def _journal_key(app: App, key_no: str, name: str, issued: Issued, by: dict[str, str]) -> Appended:
    """The issuance journaled: a person's key and an agency's seal are listed alike
    (``registry.signing_key``), so that either is verified against the journal."""
    return record.record(app, ActInput(
        "registry.signing_key", app.clock.now().isoformat(), recorded_by=by,
        fields={"cert_no": key_no, "name": name, "serial": issued.serial,
                "fingerprint": issued.fingerprint, "not_before": issued.not_before,
                "not_after": issued.not_after},
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
    ca_pem(app)  # refuse to issue under a CA the journal does not know
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
