"""The instance's certificate authority, the people's signing certificates and the agencies'
seal certificates.

Officers, reviewers and heads sign documents with keys issued here by an administrator (003
第五条: 电子认证、电子签章); an agency seals its decisions and notices with a key of its own (电子
印章), whose certificate names the agency. The CA key never leaves the data folder; each issued
certificate is journaled, so a court can see who held which key from when.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from liuhen.errors import ConfigurationError, NotFoundError, Problem, ValidationError

CA_YEARS = 20
PERSON_YEARS = 5  # a person's key and an agency's seal key alike
_PRINTABLE_CERT_NO = re.compile(r"[A-Za-z0-9-]{1,64}")
_NONE = dict.fromkeys(
    ("data_encipherment", "key_agreement", "encipher_only", "decipher_only", "key_encipherment"),
    False,
)
CA_USAGE = x509.KeyUsage(
    digital_signature=False, content_commitment=False, key_cert_sign=True, crl_sign=True, **_NONE
)
PERSON_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=True, key_cert_sign=False, crl_sign=False, **_NONE
)


@dataclass(frozen=True)
class Issued:
    cert_no: str
    serial: str
    fingerprint: str  # SHA-256 of the DER certificate, hex
    not_before: str
    not_after: str


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class CertificateAuthority:
    def __init__(self, keys_dir: Path) -> None:
        self.dir = keys_dir
        self.key_path = keys_dir / "ca.key"
        self.cert_path = keys_dir / "ca.pem"

    def exists(self) -> bool:
        return self.cert_path.is_file() and self.key_path.is_file()

    def create(self, name: str, now: datetime) -> x509.Certificate:
        """Create the CA once; an existing CA is kept (re-keying would orphan every signature)."""
        if self.exists():
            return self.certificate()
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{name} 电子签名根证书"),
        ])  # fmt: skip
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(CA_USAGE, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        _write_private(self.key_path, _pem_key(key))
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert

    def certificate(self) -> x509.Certificate:
        try:
            return x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        except FileNotFoundError:
            raise ConfigurationError("签名根证书尚未建立，请先运行 liuhen ca init") from None

    def _key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ConfigurationError("签名根证书的私钥类型不符")
        return key

    def person_paths(self, cert_no: str) -> tuple[Path, Path]:
        safe = "".join(c for c in cert_no if c.isalnum() or c in "-_")
        if not safe or safe != cert_no:
            raise NotFoundError(f"执法证号无效：“{cert_no}”")
        return self.dir / "people" / f"{safe}.key", self.dir / "people" / f"{safe}.pem"

    def issue(self, cert_no: str, name: str, now: datetime) -> Issued:
        """A new key and certificate for one person (replacing any earlier one of theirs)."""
        if not _PRINTABLE_CERT_NO.fullmatch(cert_no):
            # X.509 writes the number as a PrintableString (RFC 5280): no underscore, no Chinese
            why = "证书中的执法证号只能由英文字母、数字和连字符组成"
            raise ValidationError(
                f"执法证号“{cert_no}”不能写入签名证书：{why}", [Problem(why, "cert_no")]
            )
        subject = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self._organisation()),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, cert_no),
        ]
        return self._certify(cert_no, subject, self.person_paths(cert_no), now)

    def seal_paths(self, agency: str) -> tuple[Path, Path]:
        safe = "".join(c for c in agency if c.isalnum() or c in "-_")
        if not safe or safe != agency:
            raise NotFoundError(f"机关编码无效：“{agency}”")
        return self.dir / "agencies" / f"{safe}.key", self.dir / "agencies" / f"{safe}.pem"

    def issue_seal(self, key_no: str, agency: str, name: str, now: datetime) -> Issued:
        """A new seal key and organisation certificate for an agency (replacing any earlier
        one): the agency is its subject (O and CN), its code the organizationIdentifier."""
        subject = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency),
        ]
        return self._certify(key_no, subject, self.seal_paths(agency), now)

    def _organisation(self) -> str:
        found = self.certificate().subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return str(found[0].value)

    def _certify(
        self, key_no: str, subject: list[x509.NameAttribute[str]], paths: tuple[Path, Path],
        now: datetime,
    ) -> Issued:  # fmt: skip
        """A signing key and its certificate under the CA, written to ``paths``."""
        ca_cert, ca_key = self.certificate(), self._key()
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(subject))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365 * PERSON_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(PERSON_USAGE, critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        key_path, cert_path = paths
        _write_private(key_path, _pem_key(key))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return Issued(
            cert_no=key_no,
            serial=format(cert.serial_number, "x"),
            fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
            not_before=cert.not_valid_before_utc.isoformat(),
            not_after=cert.not_valid_after_utc.isoformat(),
        )

    def person(self, cert_no: str) -> tuple[bytes, bytes]:
        """(key PEM, certificate PEM) of a person; refuses one without an issued key."""
        key_path, cert_path = self.person_paths(cert_no)
        if not key_path.is_file() or not cert_path.is_file():
            raise NotFoundError(f"执法证号 {cert_no} 尚未签发签名证书（liuhen ca issue {cert_no}）")
        return key_path.read_bytes(), cert_path.read_bytes()

    def seal(self, agency: str) -> tuple[bytes, bytes] | None:
        """(key PEM, certificate PEM) of an agency's seal; None before one was issued."""
        key_path, cert_path = self.seal_paths(agency)
        if not key_path.is_file() or not cert_path.is_file():
            return None
        return key_path.read_bytes(), cert_path.read_bytes()


def utcnow_for(now: datetime) -> datetime:
    return now.astimezone(UTC)
