"""PAdES signatures on PDFs with pyHanko: sign in turn, validate against the trust anchors
(the instance CA and the registered roots of lawful external CAs).

Each signature is an incremental update over the previous bytes, so a later signer can never
change what an earlier one signed; validation reports, per signature, whether the signed bytes
are intact, whether the certificate chains to an anchor (and which, and who issued it), and
whether anything was added after it.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509

from liuhen import lazy
from liuhen.signing.appearance import Stamp, stamp_style

if TYPE_CHECKING:
    import pyhanko_certvalidator as certvalidator
    from pyhanko.pdf_utils import incremental_writer
    from pyhanko.pdf_utils import reader as pdf_reader
    from pyhanko.sign import fields, signers, validation
    from pyhanko.sign.validation import settings as validation_settings
    from pyhanko_certvalidator import registry
else:  # ~0.4 s of start-up that only signing and checking PDFs need
    certvalidator = lazy.module("pyhanko_certvalidator")
    validation_settings = lazy.module("pyhanko.sign.validation.settings")
    incremental_writer = lazy.module("pyhanko.pdf_utils.incremental_writer")
    pdf_reader = lazy.module("pyhanko.pdf_utils.reader")
    fields = lazy.module("pyhanko.sign.fields")
    signers = lazy.module("pyhanko.sign.signers")
    validation = lazy.module("pyhanko.sign.validation")
    registry = lazy.module("pyhanko_certvalidator.registry")


def _cert(pem_bytes: bytes) -> asn1_x509.Certificate:
    _, _, der = asn1_pem.unarmor(pem_bytes)
    return asn1_x509.Certificate.load(der)


def _certs(pem_bytes: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate of a PEM bundle (the trust anchors; a signer's certificate followed
    by the intermediates its CA issued with it)."""
    if not asn1_pem.detect(pem_bytes):
        return []
    return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(pem_bytes, True)]


def _chain(
    signer: asn1_x509.Certificate, pool: list[asn1_x509.Certificate]
) -> list[asn1_x509.Certificate]:
    """The certificates from ``pool`` above ``signer``, issuer by issuer up to a self-signed
    one: what a signature carries so any reader can build its path (an external CA's
    intermediate included), without every other anchor of the instance."""
    out: list[asn1_x509.Certificate] = []
    current = signer
    while current.issuer != current.subject:
        issuer = next((c for c in pool if c.subject == current.issuer and c not in out), None)
        if issuer is None:
            break
        out.append(issuer)
        current = issuer
    return out


def _key(pem_bytes: bytes) -> asn1_keys.PrivateKeyInfo:
    _, _, der = asn1_pem.unarmor(pem_bytes)
    return asn1_keys.PrivateKeyInfo.load(der)


def sign(
    pdf: bytes,
    key_pem: bytes,
    cert_pem: bytes,
    ca_pem: bytes,
    field: str,
    reason: str,
    name: str,
    stamp: Stamp | None = None,
) -> bytes:
    """Add one PAdES (B-B) signature in a new field ``field``: invisible, or with ``stamp``
    drawn in its box (an opinion, name and date; a seal) as the signature's appearance."""
    own, *given = _certs(cert_pem)
    chain = _chain(own, given + _certs(ca_pem))
    signer = signers.SimpleSigner(
        signing_cert=own,
        signing_key=_key(key_pem),
        cert_registry=registry.SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )
    writer = incremental_writer.IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=name,
    )
    if stamp is None:
        out = signers.sign_pdf(writer, meta, signer=signer)
        return bytes(out.getvalue())
    b = stamp.box
    corners = (round(b.x1), round(b.y1), round(b.x2), round(b.y2))  # whole points suffice
    spec = fields.SigFieldSpec(field, on_page=b.page, box=corners)
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=stamp_style(stamp), new_field_spec=spec
    )
    return bytes(pdf_signer.sign_pdf(writer).getvalue())


@dataclass(frozen=True)
class SignatureStatus:
    field: str
    signer: str  # the certificate's common name
    serial_number: str  # the subject's serialNumber attribute: the officer's cert_no
    intact: bool  # the signed bytes hash to what was signed
    trusted: bool  # the certificate chains to a trust anchor
    covers_document: bool  # nothing but later signatures was added after it
    signed_at: str | None
    issuer: str = ""  # who issued the certificate (its issuer's common name)
    anchor: str = ""  # the trust anchor it chains to; empty when it chains to none

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.covers_document


_SAFE_LATER = {"NONE", "LTA_UPDATES", "FORM_FILLING"}  # later signatures fill signature fields


class DamagedPdf(Exception):
    """The file cannot even be read as a signed PDF."""


# An officer's certificate from an external CA may assert either usage (003 第五条 asks for an
# electronic signature, not for one flavour of it); pyHanko alone would insist on nonRepudiation.
SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})


def validate(
    pdf: bytes,
    ca_pem: bytes,
    moment: datetime | None = None,
    moments: Sequence[datetime | None] | None = None,
) -> list[SignatureStatus]:
    """Every signature of ``pdf``, checked against the anchors in ``ca_pem``; raises
    ``DamagedPdf`` if it cannot be parsed.

    ``moment`` is the time the certificates must be valid at: the application's clock when a
    document is being signed (a certificate issued by that clock is valid from its time, which
    a test's fixed clock may put after the machine's), the machine's time when omitted.
    ``moments`` gives each signature, in order, its own: the moment the journal recorded it
    (a certificate that expired after it signed still verifies; one used after expiry not)."""
    try:
        reader = pdf_reader.PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises many kinds on a broken file; all mean "damaged"
        raise DamagedPdf(str(exc)) from exc
    roots = _certs(ca_pem)
    usage = validation_settings.KeyUsageConstraints(key_usage=set(SIGNING_USAGES))
    out = []
    for i, sig in enumerate(embedded):
        at = moments[i] if moments is not None and i < len(moments) else moment
        context = certvalidator.ValidationContext(
            trust_roots=roots, allow_fetching=False, moment=at
        )
        try:
            status = validation.validate_pdf_signature(sig, context, key_usage_settings=usage)
        except Exception as exc:
            raise DamagedPdf(str(exc)) from exc
        cert = sig.signer_cert
        subject = cert.subject.native
        path = status.validation_path if status.trusted else None
        out.append(
            SignatureStatus(
                field=sig.field_name,
                signer=str(subject.get("common_name", "")),
                serial_number=str(subject.get("serial_number", "")),
                intact=bool(status.intact and status.valid),
                trusted=bool(status.trusted),
                covers_document=str(status.coverage).split(".")[-1]
                in ("ENTIRE_REVISION", "ENTIRE_FILE")
                and str(status.modification_level).split(".")[-1] in _SAFE_LATER,
                signed_at=status.signer_reported_dt.isoformat()
                if status.signer_reported_dt
                else None,
                issuer=_display(cert.issuer.native),
                anchor=_display(path.trust_anchor.authority.name.native) if path else "",
            )
        )
    return out


def _display(name: dict[str, object]) -> str:
    return str(name.get("common_name") or name.get("organization_name") or "")


def chain_problem(cert_pem: bytes, anchors_pem: bytes, moment: datetime) -> str | None:
    """Why the first certificate of ``cert_pem`` (followed by its intermediates) does not
    chain to any anchor of ``anchors_pem`` at ``moment``; None when it does."""
    own, *given = _certs(cert_pem)
    roots = _certs(anchors_pem)
    if not roots:
        return "尚未登记任何信任锚"
    context = certvalidator.ValidationContext(
        trust_roots=roots, allow_fetching=False, moment=moment
    )
    validator = certvalidator.CertificateValidator(
        own, intermediate_certs=given, validation_context=context
    )
    try:
        asyncio.run(validator.async_validate_path())
    except Exception as exc:  # path building and validation failures alike: not trusted
        return str(exc) or type(exc).__name__
    return None
