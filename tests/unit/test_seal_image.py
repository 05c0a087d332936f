"""The agency's seal: its image (a red ring, a star in the middle, the agency's name along the
upper arc) drawn as one page of the box's size, and its organisation certificate naming the
agency; the page is looked at as pdftoppm draws it."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pypdf
from cryptography import x509
from cryptography.x509.oid import NameOID
from PIL import Image

from liuhen.documents import seal
from liuhen.signing.ca import CertificateAuthority

NOW = datetime(2026, 12, 1, tzinfo=UTC)
NAME = "某区文化和旅游局"
DPI = 100


def _png(pdf: bytes, tmp_path: Path) -> Image.Image:
    source = tmp_path / "seal.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", str(source),
                    str(tmp_path / "seal")], check=True)  # fmt: skip
    return Image.open(tmp_path / "seal.png").convert("RGB")


def _red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 180 and g < 90 and b < 90


def _at(image: Image.Image, x_mm: float, y_mm: float) -> tuple[int, int, int]:
    px = image.getpixel((round(x_mm * DPI / 25.4), round(y_mm * DPI / 25.4)))
    assert isinstance(px, tuple)
    return px[0], px[1], px[2]


def test_the_seal_is_a_red_ring_with_a_star_and_the_name(tmp_path: Path) -> None:
    pdf = seal.seal_pdf(NAME, 50, 44)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(page) == 1
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in page[0].mediabox[2:])
    assert round(width_mm) == 50 and round(height_mm) == 44  # the box's size: nothing scaled
    text = page[0].extract_text()
    assert all(ch in text for ch in NAME), text  # the name's characters, real text

    image = _png(pdf, tmp_path)
    cx, cy = 25.0, 22.0  # the 42 mm seal centred on the 50 × 44 mm page
    assert _red(_at(image, cx, cy))  # the star's centre
    assert _red(_at(image, cx - 20.7, cy)) and _red(_at(image, cx + 20.7, cy))  # the ring
    assert _red(_at(image, cx, cy + 20.7))
    assert not _red(_at(image, cx, cy + 16))  # no name below: the lower half is empty
    assert _at(image, 1, 1) == (255, 255, 255)  # outside the ring: nothing drawn
    reds = sum(_red(p) for p in image.get_flattened_data())  # type: ignore[arg-type]
    assert 0.05 < reds / (image.width * image.height) < 0.35  # a seal, not a red square


def test_a_long_name_stays_inside_the_ring_and_the_text_below_is_drawn(tmp_path: Path) -> None:
    long = "某市某区文化市场综合行政执法大队"
    svg = seal.seal_svg(long, below="行政执法专用章")
    assert svg.count("<text") == len(long) + 1
    image = _png(seal.seal_pdf(long, 42, 42, "行政执法专用章"), tmp_path)
    assert _red(_at(image, 21, 21 + 42 * 0.31 - 1))  # the line under the star
    # every red pixel lies within the ring's outer edge
    for y in range(image.height):
        for x in range(image.width):
            if _red(image.getpixel((x, y))):  # type: ignore[arg-type]
                dx, dy = (x + 0.5) * 25.4 / DPI - 21, (y + 0.5) * 25.4 / DPI - 21
                assert dx * dx + dy * dy <= 21.5**2


def test_the_seal_certificate_names_the_agency_and_signs(tmp_path: Path) -> None:
    ca = CertificateAuthority(tmp_path / "keys")
    ca.create("某区文化和旅游局", NOW)
    assert ca.seal("whlyj") is None
    issued = ca.issue_seal("seal:whlyj", "whlyj", NAME, NOW)
    found = ca.seal("whlyj")
    assert found is not None and found[0].startswith(b"-----BEGIN PRIVATE KEY")
    cert = x509.load_pem_x509_certificate(found[1])
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == NAME
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == NAME
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == "whlyj"
    assert cert.issuer == ca.certificate().subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert issued.serial == format(cert.serial_number, "x")
