"""PAdES signatures on PDFs with pyHanko: sign in turn, validate against the instance CA.

Each signature is an incremental update over the previous bytes, so a later signer can never
change what an earlier one signed; validation reports, per signature, whether the signed bytes
are intact, whether the certificate chains to our CA, and whether anything was added after it.
"""

from __future__ import annotations

import io
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
    from pyhanko_certvalidator import registry
else:  # ~0.4 s of start-up that only signing and checking PDFs need
    certvalidator = lazy.module("pyhanko_certvalidator")
    incremental_writer = lazy.module("pyhanko.pdf_utils.incremental_writer")
    pdf_reader = lazy.module("pyhanko.pdf_utils.reader")
    fields = lazy.module("pyhanko.sign.fields")
    signers = lazy.module("pyhanko.sign.signers")
    validation = lazy.module("pyhanko.sign.validation")
    registry = lazy.module("pyhanko_certvalidator.registry")


def _cert(pem_bytes: bytes) -> asn1_x509.Certificate:
    _, _, der = asn1_pem.unarmor(pem_bytes)
    return asn1_x509.Certificate.load(der)


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
    signer = signers.SimpleSigner(
        signing_cert=_cert(cert_pem),
        signing_key=_key(key_pem),
        cert_registry=registry.SimpleCertificateStore.from_certs([_cert(ca_pem)]),  # type: ignore[no-untyped-call]
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
    trusted: bool  # the certificate chains to the instance CA
    covers_document: bool  # nothing but later signatures was added after it
    signed_at: str | None

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.covers_document


_SAFE_LATER = {"NONE", "LTA_UPDATES", "FORM_FILLING"}  # later signatures fill signature fields


class DamagedPdf(Exception):
    """The file cannot even be read as a signed PDF."""


def validate(pdf: bytes, ca_pem: bytes, moment: datetime | None = None) -> list[SignatureStatus]:
    """Every signature of ``pdf``, checked; raises ``DamagedPdf`` if it cannot be parsed.

    ``moment`` is the time the certificates must be valid at: the application's clock when a
    document is being signed (a certificate issued by that clock is valid from its time, which
    a test's fixed clock may put after the machine's), the machine's time when omitted."""
    try:
        reader = pdf_reader.PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises many kinds on a broken file; all mean "damaged"
        raise DamagedPdf(str(exc)) from exc
    context = certvalidator.ValidationContext(
        trust_roots=[_cert(ca_pem)], allow_fetching=False, moment=moment
    )
    out = []
    for sig in embedded:
        try:
            status = validation.validate_pdf_signature(sig, context)
        except Exception as exc:
            raise DamagedPdf(str(exc)) from exc
        cert = sig.signer_cert
        subject = cert.subject.native
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
            )
        )
    return out
