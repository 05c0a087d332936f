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
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from liuhen.errors import (
    ConfigurationError,
    KeyBundleError,
    NotFoundError,
    Problem,
    ValidationError,
)

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


SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey  # what pyHanko signs PAdES with


def _pem_key(key: SigningKey) -> bytes:
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

    def install(
        self, key_no: str, paths: tuple[Path, Path], key: SigningKey, chain: list[x509.Certificate]
    ) -> Issued:
        """An externally issued key and its certificate (followed by the certificates between
        it and the anchor) written where an issued one would be, replacing any earlier one."""
        key_path, cert_path = paths
        _write_private(key_path, _pem_key(key))
        cert_path.write_bytes(pem_of(chain))
        cert = chain[0]
        return Issued(
            cert_no=key_no,
            serial=format(cert.serial_number, "x"),
            fingerprint=fingerprint(cert),
            not_before=cert.not_valid_before_utc.isoformat(),
            not_after=cert.not_valid_after_utc.isoformat(),
        )

    def anchor_path(self, fp: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", fp):
            raise NotFoundError(f"证书指纹无效：“{fp}”")
        return self.dir / "anchors" / f"{fp}.pem"

    def save_anchor(self, cert: x509.Certificate) -> None:
        path = self.anchor_path(fingerprint(cert))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pem_of([cert]))

    def anchor(self, fp: str) -> bytes | None:
        path = self.anchor_path(fp)
        return path.read_bytes() if path.is_file() else None

    def seal(self, agency: str) -> tuple[bytes, bytes] | None:
        """(key PEM, certificate PEM) of an agency's seal; None before one was issued."""
        key_path, cert_path = self.seal_paths(agency)
        if not key_path.is_file() or not cert_path.is_file():
            return None
        return key_path.read_bytes(), cert_path.read_bytes()


# Certificates of a lawful external CA (电子认证服务机构): its root (or intermediate) registered
# as a trust anchor, and the PKCS#12 bundles of keys it issued to officers and agencies.


@dataclass(frozen=True)
class Anchor:
    """A trust anchor as the journal records it (``registry.trust_anchor``)."""

    name: str
    subject: str
    issuer: str
    fingerprint: str
    not_before: str
    not_after: str


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, hex: how the journal names a certificate."""
    return cert.fingerprint(hashes.SHA256()).hex()


def display_name(name: x509.Name) -> str:
    """A name as a reader knows it: its common name, else its organisation, else the whole."""
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        found = name.get_attributes_for_oid(oid)
        if found:
            return str(found[0].value)
    return name.rfc4514_string()


def read_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM file (a chain may hold several) or the one of a DER file;
    empty if the bytes hold none."""
    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        return []


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def in_force(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def signs_documents(cert: x509.Certificate) -> bool:
    """Whether the key usage allows an electronic signature (digitalSignature or
    nonRepudiation); a certificate that states no key usage is not taken for one."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.digital_signature or usage.content_commitment)


def pem_of(certs: list[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def open_pkcs12(
    data: bytes, password: bytes | None
) -> tuple[SigningKey, x509.Certificate, list[x509.Certificate]]:
    """(key, certificate, the other certificates) of a PKCS#12 bundle; refused if it cannot
    be opened with ``password``, lacks a key or certificate, or its key is not the
    certificate's."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError):
        raise KeyBundleError("PKCS#12 文件无法读取：文件损坏或口令错误") from None
    if key is None or cert is None:
        raise KeyBundleError("PKCS#12 文件中缺少私钥或签名证书")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise KeyBundleError("PKCS#12 文件中的私钥不是 RSA 或椭圆曲线密钥，无法用于文书签名")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        raise KeyBundleError("PKCS#12 文件中的私钥与签名证书不匹配")
    return key, cert, list(extra)


def utcnow_for(now: datetime) -> datetime:
    return now.astimezone(UTC)
