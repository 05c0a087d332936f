"""Enforcement documents render to real PDFs that a party, a court and an archive can rely on.

No mocks: every document is rendered by WeasyPrint and read back with poppler's tools, so
what is checked is what would be printed, signed and filed.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFile

from liuhen.documents import DOC_TYPES, role_label
from liuhen.documents.format import cn_date, rmb_upper
from liuhen.documents.render import TEMPLATES, render_html, render_pdf, validate
from liuhen.errors import ValidationError
from liuhen.procedure.catalog import DOCUMENT_TYPES, act_type
from liuhen.procedure.fields import SIGNER_ROLES, FieldKind

AGENCY = "某区文化和旅游局"
OFFICERS = [
    {"role": "officer", "name": "张明", "cert_no": "33010021001", "date": "2026-03-01"},
    {"role": "officer", "name": "李华", "cert_no": "33010021002", "date": "2026-03-01"},
]
TRANSCRIPTS = {
    "inquiry_record",
    "inspection_record",
    "statement_record",
    "hearing_record",
    "collective_discussion_record",
}
# CHOICE values that switch wording rather than being printed as such.
NOT_PRINTED = {("summary_decision", "party_kind"), ("summary_decision", "payment")}


def _number(code: str) -> str:
    return f"某文旅〔2026〕{sorted(DOC_TYPES).index(code) + 101}号"


def _flat(text: str) -> str:
    """pdftotext breaks lines and spaces out letter-spaced titles; compare without whitespace."""
    return re.sub(r"\s+", "", text)


def _text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", *pages, str(pdf), "-"],
        capture_output=True,
        check=True,
    )
    return _flat(out.stdout.decode())


def _page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))  # type: ignore[union-attr]


def _fonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def _image_pages(pdf: Path) -> set[int]:
    out = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, check=True, text=True
    )
    rows = [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]
    return {int(r[0]) for r in rows if r[2] == "image"}


def _signature_png() -> bytes:
    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(10, 90), (90, 25), (170, 85), (260, 30), (350, 70)], fill=(0, 0, 0, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _expected_values(code: str) -> list[str]:
    """What of the sample must be legible on the printed form."""
    doc = DOC_TYPES[code]
    expected: list[str] = []
    for spec in doc.fields:
        value = doc.sample.get(spec.name)
        if value is None or (code, spec.name) in NOT_PRINTED:
            continue
        if spec.kind in (FieldKind.TEXT, FieldKind.CHOICE):
            expected.append(value)
        elif spec.kind is FieldKind.LONGTEXT:
            expected.append(value.splitlines()[0][:12])
        elif spec.kind is FieldKind.TEXTS and code != "dossier_index":
            expected.extend(value)
        elif spec.kind is FieldKind.PERSON:
            expected.append(value["name"])
        elif spec.kind in (FieldKind.PERSONS, FieldKind.ITEMS):
            expected.extend(v["name"] for v in value)
        elif spec.kind is FieldKind.DATE:
            expected.append(cn_date(value))
        elif spec.kind is FieldKind.INT:
            expected.append(str(value))
    return [_flat(e) for e in expected]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every type's sample rendered once; the tests below read these files."""
    folder = tmp_path_factory.mktemp("documents")
    paths = {}
    for code, doc in DOC_TYPES.items():
        path = folder / f"{code}.pdf"
        path.write_bytes(
            render_pdf(code, doc.sample, agency=AGENCY, number=_number(code), signers=OFFICERS)
        )
        paths[code] = path
    return paths


@pytest.fixture(scope="module")
def long_transcript(tmp_path_factory: pytest.TempPathFactory) -> Path:
    values = dict(DOC_TYPES["inquiry_record"].sample)
    values["transcript"] = "\n".join(
        f"问：第{i}个问题，请如实回答。" if i % 2 == 0 else f"答：第{i}个回答，情况属实。"
        for i in range(150)
    )
    path = tmp_path_factory.mktemp("long") / "inquiry.pdf"
    path.write_bytes(
        render_pdf(
            "inquiry_record",
            values,
            agency=AGENCY,
            number="某文旅询〔2026〕12号",
            party_signature_png=_signature_png(),
            signers=[*OFFICERS, {"role": "party", "name": "王丽", "date": "2026-03-01"}],
        )
    )
    return path


# --- definitions --------------------------------------------------------------------------------


def test_types_cover_the_catalog_documents() -> None:
    assert set(DOC_TYPES) == set(DOCUMENT_TYPES)
    for code, doc in DOC_TYPES.items():
        assert doc.code == code
        assert doc.title == DOCUMENT_TYPES[code]
        assert doc.acts, code
        assert all(act_type(a) is not None for a in doc.acts), code
        assert all(r in SIGNER_ROLES for r in doc.signers), code
        assert (TEMPLATES / doc.template).is_file()
    assert {c for c, d in DOC_TYPES.items() if d.transcript} == TRANSCRIPTS


def test_signers_follow_the_forms() -> None:
    assert DOC_TYPES["inquiry_record"].signers == ("officer", "party")
    assert DOC_TYPES["service_receipt"].signers == ("server", "recipient")
    assert DOC_TYPES["legal_review_opinion"].signers == ("reviewer", "approver")
    assert role_label("dossier_note", "recorder") == "立卷人"
    assert role_label("penalty_decision", "approver") == SIGNER_ROLES["approver"]


@pytest.mark.parametrize("code", sorted(DOC_TYPES))
def test_sample_validates(code: str) -> None:
    doc = DOC_TYPES[code]
    values = validate(code, doc.sample)
    assert set(values) == set(doc.sample)
    assert not [f for f in doc.fields if f.required and f.name not in doc.sample]


# --- every type renders -------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(DOC_TYPES))
def test_sample_renders_with_its_values(code: str, rendered: dict[str, Path]) -> None:
    pdf = rendered[code]
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = _text(pdf)
    assert _flat(DOC_TYPES[code].title) in text
    assert AGENCY in text
    assert _number(code) in text
    missing = [v for v in _expected_values(code) if v not in text]
    assert not missing, f"{code}: not on the form: {missing}"


@pytest.mark.parametrize("code", sorted(DOC_TYPES))
def test_fonts_are_embedded(code: str, rendered: dict[str, Path]) -> None:
    fonts = _fonts(rendered[code])
    assert fonts
    assert all(row[-5] == "yes" for row in fonts), fonts  # the emb column
    assert all("CJK-SC" in row[0] for row in fonts), fonts  # no fallback font slipped in


@pytest.mark.parametrize("code", sorted(DOC_TYPES))
def test_every_page_is_numbered(code: str, rendered: dict[str, Path]) -> None:
    pdf = rendered[code]
    total = _page_count(pdf)
    for page in range(1, total + 1):
        assert f"第{page}页共{total}页" in _text(pdf, page)


@pytest.mark.parametrize("code", sorted(TRANSCRIPTS))
def test_transcripts_close_with_blank_below(code: str, rendered: dict[str, Path]) -> None:
    pdf = rendered[code]
    assert "以下空白" in _text(pdf, _page_count(pdf))
    assert "签名" in _text(pdf, 1)


# --- transcripts over several pages -------------------------------------------------------------


def test_long_transcript_is_confirmed_on_every_page(long_transcript: Path) -> None:
    total = _page_count(long_transcript)
    assert total >= 2
    for page in range(1, total + 1):
        text = _text(long_transcript, page)
        assert "以上笔录我已看过" in text, page
        assert f"第{page}页" in text
        assert ("以下空白" in text) == (page == total), page
    assert "第149个回答" in _text(long_transcript, total)


def test_party_signature_on_every_page(long_transcript: Path) -> None:
    assert _image_pages(long_transcript) == set(range(1, _page_count(long_transcript) + 1))


def test_refusal_is_noted_with_two_officers(tmp_path: Path) -> None:
    pdf = tmp_path / "refused.pdf"
    pdf.write_bytes(
        render_pdf(
            "inquiry_record",
            DOC_TYPES["inquiry_record"].sample,
            agency=AGENCY,
            refusal={"reason": "认为笔录记载与事实不符", "date": "2026-03-01"},
            signers=OFFICERS,
        )
    )
    text = _text(pdf)
    assert "当事人拒绝签字（理由：认为笔录记载与事实不符）" in text
    for officer in OFFICERS:
        assert officer["name"] in text
        assert officer["cert_no"] in text
    assert "拒绝签字" in _text(pdf, 1)  # the per-page line says so too


def test_rendering_leaves_pillow_strict(rendered: dict[str, Path]) -> None:
    """Importing WeasyPrint flips a Pillow global that the media layer relies on."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    render_pdf("dossier_note", DOC_TYPES["dossier_note"].sample, agency=AGENCY)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is before is False


def test_refusal_officers_may_be_given_explicitly() -> None:
    html = render_html(
        "service_receipt",
        DOC_TYPES["service_receipt"].sample,
        agency=AGENCY,
        refusal={"reason": "拒不签收", "officers": ["张明", {"name": "李华", "cert_no": "3301"}]},
    )
    assert "当事人拒绝签字（理由：拒不签收）" in html
    assert "李华" in html


def test_recipient_signature_image_on_service_receipt() -> None:
    html = render_html(
        "service_receipt",
        DOC_TYPES["service_receipt"].sample,
        agency=AGENCY,
        party_signature_png=_signature_png(),
    )
    assert "data:image/png;base64," in html


# --- validation ---------------------------------------------------------------------------------


def _problems(doc_type: str, values: Any, **kw: Any) -> dict[str | None, str]:
    with pytest.raises(ValidationError) as caught:
        render_html(doc_type, values, agency=kw.pop("agency", AGENCY), **kw)
    assert caught.value.code == "LH100"
    return {p.field: p.message for p in caught.value.problems}


def _sample(code: str, **changes: Any) -> dict[str, Any]:
    values = dict(DOC_TYPES[code].sample)
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def test_unknown_document_type() -> None:
    with pytest.raises(ValidationError) as caught:
        validate("no_such_document", {})
    assert "未知的文书种类" in caught.value.message
    assert caught.value.problems[0].field == "doc_type"
    with pytest.raises(ValidationError):
        render_pdf("no_such_document", {}, agency=AGENCY)


def test_missing_required_field() -> None:
    problems = _problems("inquiry_record", _sample("inquiry_record", cause=None))
    assert problems["fields.cause"] == "请填写案由"


def test_wrong_kind() -> None:
    problems = _problems("inquiry_record", _sample("inquiry_record", identity_shown="是"))
    assert "是或否" in problems["fields.identity_shown"]
    problems = _problems(
        "inquiry_record",
        _sample("inquiry_record", subject={"name": "王丽", "age": "三十二"}),
    )
    assert "fields.subject.age" in problems


def test_unknown_field() -> None:
    problems = _problems("penalty_decision", _sample("penalty_decision", fine_text="五千元"))
    assert "fields.fine_text" in problems


def test_all_problems_are_reported_at_once() -> None:
    values = _sample("inquiry_record", cause=None, started_at="昨天", extra=1)
    problems = _problems("inquiry_record", values, signers=[{"role": "boss", "name": "X"}])
    assert {"fields.cause", "fields.started_at", "fields.extra", "signers[0].role"} <= set(problems)


@pytest.mark.parametrize(
    ("code", "changes", "field"),
    [
        ("inquiry_record", {"ended_at": "2026-03-01T09:00:00+08:00"}, "fields.ended_at"),
        ("seal_decision", {"period_days": 45}, "fields.period_days"),
        ("summary_decision", {"amount": "500"}, "fields.amount"),
        ("summary_decision", {"amount": None}, "fields.amount"),
        ("service_receipt", {"method": "留置送达"}, "fields.witness"),
        ("hearing_notice", {"issued_on": "2026-03-20"}, "fields.held_at"),
        ("enforcement_application", {"applied_on": "2026-05-10"}, "fields.applied_on"),
        ("dossier_index", {"rows": ["某文号|某局|题名"]}, "fields.rows[0]"),
    ],
)
def test_rules_of_law_across_fields(code: str, changes: dict[str, Any], field: str) -> None:
    assert field in _problems(code, _sample(code, **changes))


def test_a_refusal_needs_an_officer() -> None:
    problems = _problems(
        "inquiry_record",
        DOC_TYPES["inquiry_record"].sample,
        refusal={"reason": "拒绝", "officers": []},
        signers=OFFICERS[:1],
    )
    assert "应由执法人员签名注明" in problems["refusal.officers"]


def test_refusal_only_where_a_party_signs() -> None:
    problems = _problems(
        "penalty_decision", DOC_TYPES["penalty_decision"].sample, refusal={"reason": "拒绝"}
    )
    assert "refusal" in problems


def test_signature_must_be_png() -> None:
    problems = _problems(
        "inquiry_record", DOC_TYPES["inquiry_record"].sample, party_signature_png=b"GIF89a"
    )
    assert "PNG" in problems["party_signature_png"]


def test_signature_only_where_a_party_signs() -> None:
    problems = _problems(
        "penalty_decision",
        DOC_TYPES["penalty_decision"].sample,
        party_signature_png=_signature_png(),
    )
    assert "party_signature_png" in problems


def test_agency_is_required() -> None:
    assert "agency" in _problems("inquiry_record", DOC_TYPES["inquiry_record"].sample, agency=" ")


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("5000.00", "伍仟元整"),
        ("1005", "壹仟零伍元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("100000001", "壹亿零壹元整"),
        ("200.50", "贰佰元伍角整"),
        ("100.05", "壹佰元零伍分"),
        ("0", "零元整"),
    ],
)
def test_money_in_capitals(amount: str, capitals: str) -> None:
    assert rmb_upper(amount) == capitals
