"""A certificate number X.509 cannot hold is refused in Chinese, not a 500 from the library.

The subject's serialNumber is a PrintableString (RFC 5280): the fuzzer once registered an
officer ``legal_reviewer`` and issuing his certificate raised the library's ``ValueError``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from liuhen.errors import ValidationError
from liuhen.signing.ca import CertificateAuthority

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    authority = CertificateAuthority(tmp_path / "keys")
    authority.create("某区文化和旅游局", NOW)
    return authority


@pytest.mark.parametrize("cert_no", ["legal_reviewer", "京A0001", "33010021 001", ""])
def test_unprintable_number_is_refused(ca: CertificateAuthority, cert_no: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ca.issue(cert_no, "周立衡", NOW)
    assert caught.value.code == "LH100"
    assert "只能由英文字母、数字和连字符组成" in caught.value.message
    assert [p.field for p in caught.value.problems] == ["cert_no"]
    assert not (ca.dir / "people").exists() or not any((ca.dir / "people").iterdir())


@pytest.mark.parametrize("cert_no", ["33010021001", "ZJ-2026-0042"])
def test_printable_number_is_written_into_the_subject(
    ca: CertificateAuthority, cert_no: str
) -> None:
    ca.issue(cert_no, "周立衡", NOW)
    _key_path, cert_path = ca.person_paths(cert_no)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    serial = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    assert [a.value for a in serial] == [cert_no]
