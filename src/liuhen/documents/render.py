"""Validate a document's values and render it to HTML and PDF.

Everything is checked before anything is rendered: a document that reaches a party or a
court must be whole, so a missing field, an unknown signer role or a refusal no officer
attests raises ``ValidationError`` listing every problem, and no half-filled form exists.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from PIL import ImageFile

from liuhen.documents import format as fmt
from liuhen.documents.types import DOC_TYPES, DocType, role_label
from liuhen.errors import Problem, ValidationError
from liuhen.payloads import FieldValues
from liuhen.procedure.fields import (
    SIGNER_ROLES,
    Block,
    FieldKind,
    FieldSpec,
    normalise,
    parse_datetime,
    validate_fields,
)

TEMPLATES = Path(__file__).parent / "print"  # the printed forms (pages live in templates/)

_PERSON_KEYS = ("name", "gender", "age", "id_no", "unit", "title", "phone", "address", "role")
_ITEM_KEYS = ("name", "spec", "quantity", "unit", "note", "location")
_SIGNER_KEYS = {"role", "name", "cert_no", "date", "signed_at"}  # signed_at: as journaled
_REFUSAL_KEYS = {"reason", "officers", "date"}
# Roles whose signature block carries an enforcement certificate number (002 第十条).
_CERT_ROLES = (Block.OFFICER, Block.HOST, Block.SERVER)
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# The line a party signs on every page of a 笔录, and who signs it there (003 第十四条).
_CONFIRMATION: dict[str, tuple[str, str]] = {
    "inquiry_record": ("以上笔录我已看过，与我说的相符", "被询问人"),
    "inspection_record": ("以上笔录我已看过，与我说的相符", "当事人（见证人）"),
    "statement_record": ("以上笔录我已看过，与我说的相符", "陈述申辩人"),
    "hearing_record": ("以上笔录我已看过，与我说的相符", "听证参加人"),
    # Minutes of an internal meeting: its members confirm them, there is no party.
    "collective_discussion_record": ("以上记录我已看过，与讨论情况相符", "参加人员"),
}

# The 笔录 whose every participant signs in his own hand, not the party alone (003 第十六条:
# 听证参加人 — 申请人, 代理人, 第三人 — each confirm the hearing record).
PARTICIPANT_DOCS = frozenset({"hearing_record"})
# The wording blocks an agency may adjust (``documents.wording``), as the templates read them.
WORDING_BLOCKS = ("header", "title", "remedy", "notice", "footer")
_PARTICIPANT_KEYS = {"name", "as", "signature_png", "note", "date"}

# A refusal and the signers as a caller gives them, before ``render_html`` checks them (a value
# of any other shape is reported as a problem, not rendered).
RawRefusal = Mapping[str, object]
RawSigners = Sequence[Mapping[str, object]]


@dataclass(frozen=True, slots=True)
class Signer:
    """One line of a signature block: who signed, his certificate number, the day."""

    role: str | None
    name: str | None
    cert_no: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class Officer:
    """An officer who signs a party's refusal to sign."""

    name: str
    cert_no: str | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A party's refusal to sign as noted on the form (003 第十四条)."""

    reason: str | None
    officers: tuple[Officer, ...]
    date: str | None


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    """A signature block (签名栏) of the printed form, with the lines signed in it."""

    role: str
    label: str
    entries: tuple[Signer, ...]
    cert: bool  # the block carries an enforcement certificate number
    image: str | None  # the party's handwritten signature, as a data URI
    refused: bool  # the party refused: the block carries the refusal note instead


@dataclass(frozen=True, slots=True)
class Participant:
    """A participant other than the party who signs a hearing record by hand, or whose refusal
    or leaving is noted in his place."""

    name: str
    label: str  # what he took part as: 委托代理人, 第三人 …
    image: str | None  # his handwritten signature, as a data URI
    note: str | None  # why he did not sign
    date: str | None


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The line a party signs on every page of a 笔录, and who signs it there."""

    sentence: str
    label: str


_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.do"],
)
_ENV.filters.update(
    cn_date=fmt.cn_date,
    cn_time=fmt.cn_time,
    cn_datetime=fmt.cn_datetime,
    add_days=fmt.add_days,
    rmb_upper=fmt.rmb_upper,
    yuan=fmt.yuan,
    yes_no=fmt.yes_no,
    lines=fmt.lines,
    index_cells=fmt.index_cells,
    provisions=fmt.provisions,
    unnumbered=fmt.unnumbered,
)
_ENV.globals.update(cn_span=fmt.cn_span)


def _doc(doc_type: str) -> DocType:
    doc = DOC_TYPES.get(doc_type) if isinstance(doc_type, str) else None
    if doc is None:
        raise ValidationError(
            f"未知的文书种类：{doc_type}",
            [Problem(f"应为以下之一：{'、'.join(DOC_TYPES)}", "doc_type")],
        )
    return doc


# Checks across fields: the rules of law a form can break even when each field is well formed.


def _days(a: str, b: str) -> int:
    return (date.fromisoformat(b[:10]) - date.fromisoformat(a[:10])).days


def _cross_checks(doc: DocType, v: FieldValues) -> list[Problem]:
    problems = _period_checks(v)
    check = _BY_DOC.get(doc.code)
    if check is not None:
        problems.extend(check(v))
    return problems


def _period_checks(v: FieldValues) -> list[Problem]:
    """Checks every form with these fields must pass: an end after the start, periods of days."""
    problems: list[Problem] = []
    start = v.get("started_at") or v.get("held_at")
    end = v.get("ended_at")
    if start and end:
        started, ended = parse_datetime(start), parse_datetime(end)
        if started and ended and ended < started:
            problems.append(Problem("结束时间早于开始时间", "fields.ended_at"))
    for name in ("period_days", "defense_days", "statement_days"):
        if name in v and v[name] < 1:
            problems.append(Problem("期限应至少为一日", f"fields.{name}"))
    return problems


def _seal_decision(v: FieldValues) -> list[Problem]:
    if v.get("period_days", 0) > 30:
        return [
            Problem(
                "查封、扣押的期限不得超过三十日，延长的应另行决定（行政强制法 第二十五条）",
                "fields.period_days",
            )
        ]
    return []


def _summary_decision(v: FieldValues) -> list[Problem]:
    problems: list[Problem] = []
    if v.get("penalty") != "罚款":
        return problems
    if "amount" not in v:
        problems.append(Problem("罚款的，应填写罚款金额", "fields.amount"))
    else:
        limit = Decimal(200 if v.get("party_kind") == "公民" else 3000)
        if Decimal(v["amount"]) > limit:
            problems.append(
                Problem(
                    "当场处罚的罚款，对公民不得超过200元、对法人或者其他组织不得超过3000元"
                    "（行政处罚法 第五十一条）",
                    "fields.amount",
                )
            )
    if "payment" not in v:
        problems.append(Problem("罚款的，应填写罚款缴纳方式", "fields.payment"))
    return problems


def _penalty_decision(v: FieldValues) -> list[Problem]:
    """Each provision as 《名称》第…条, so that "违反了《…》第…条的规定，依据《…》第…条的规定"
    reads whole: the form asks again rather than print an empty 《》 or a bare "法律规定"."""
    problems: list[Problem] = []
    for name, what in (("violated", "违反的法律规定"), ("legal_basis", "处罚依据")):
        for i, item in enumerate(v.get(name) or []):
            if not fmt.PROVISION.match(item.strip()) or "条" not in item:
                problems.append(Problem(
                    f"{what}第 {i + 1} 项应写明法律、法规或规章的名称及条款，"
                    "如《营业性演出管理条例》第六条", f"fields.{name}", label=what, kind="format",
                ))  # fmt: skip
    return problems


def _service_receipt(v: FieldValues) -> list[Problem]:
    problems: list[Problem] = []
    if v.get("method") == "留置送达":
        for name, label in (("refusal_reason", "拒收事由"), ("witness", "见证人")):
            if name not in v:
                problems.append(Problem(f"留置送达应记明{label}", f"fields.{name}"))
    return problems


def _hearing_notice(v: FieldValues) -> list[Problem]:
    if "held_at" in v and "issued_on" in v and _days(v["issued_on"], v["held_at"]) < 7:
        return [
            Problem("应当在举行听证的七日前通知当事人（行政处罚法 第六十四条）", "fields.held_at")
        ]
    return []


def _enforcement_application(v: FieldValues) -> list[Problem]:
    if (
        "demand_served_on" in v
        and "applied_on" in v
        and _days(v["demand_served_on"], v["applied_on"]) < 10
    ):
        return [
            Problem(
                "催告书送达十日后当事人仍未履行的，方可申请人民法院强制执行"
                "（行政强制法 第五十四条）",
                "fields.applied_on",
            )
        ]
    return []


def _dossier_index(v: FieldValues) -> list[Problem]:
    problems: list[Problem] = []
    for i, row in enumerate(v.get("rows", [])):
        problems.extend(_index_row_problems(row, f"fields.rows[{i}]", f"卷内文件第 {i + 1} 行"))
    return problems


# The checks particular to one document type, by its code.
_BY_DOC: dict[str, Callable[[FieldValues], list[Problem]]] = {
    "seal_decision": _seal_decision,
    "summary_decision": _summary_decision,
    "penalty_decision": _penalty_decision,
    "service_receipt": _service_receipt,
    "hearing_notice": _hearing_notice,
    "enforcement_application": _enforcement_application,
    "dossier_index": _dossier_index,
}


def _index_row_problems(row: str, where: str, which: str) -> list[Problem]:
    """One row of a 卷内目录, named ``which`` ("卷内文件第 3 行") in what it says."""
    cells = row.replace("｜", "|").split("|")
    if len(cells) != 6:
        return [Problem(f"{which}应为以“|”分隔的六栏：文号|责任者|题名|日期|页号|备注"
                        "（空栏留空）", where, label="卷内文件", kind="format")]  # fmt: skip
    problems = []
    if not cells[2].strip():
        problems.append(Problem(f"请填写{which}的题名", where, label="卷内文件", kind="required"))
    day = cells[3].strip()
    if day:
        try:
            date.fromisoformat(day)
        except ValueError:
            problems.append(Problem(f"{which}的日期不是有效的日期，应如 2026-03-01", where,
                                    label="卷内文件", kind="date"))  # fmt: skip
    return problems


def _validate(doc: DocType, values: Any) -> tuple[FieldValues, list[Problem]]:
    out, problems = validate_fields(doc.fields, values)
    if not problems:
        problems = _cross_checks(doc, out)
    if doc.code == "dossier_index" and not problems:
        out["rows"] = ["|".join(fmt.index_cells(r)) for r in out["rows"]]
    return out, problems


def validate(doc_type: str, values: FieldValues) -> FieldValues:
    """The normalised values of a document, or ``ValidationError`` naming every bad field."""
    doc = _doc(doc_type)
    out, problems = _validate(doc, values)
    if problems:
        raise ValidationError(f"《{doc.title}》的内容不完整或有误", problems)
    return out


# Signers, the party's signature image and a refusal to sign ---------------------------------


def _text(
    value: Any, where: str, problems: list[Problem], label: str, *, limit: int = 200
) -> str | None:
    """One line of text at ``where``, its problems naming it by ``label`` as a form does."""
    result = normalise(FieldSpec(where, label, FieldKind.TEXT, max_length=limit), value, problems)
    return result if isinstance(result, str) else None


def _sign_date(value: Any, where: str, problems: list[Problem]) -> str | None:
    """A signing date as an ISO date; a full timestamp is accepted and cut to its own date."""
    if isinstance(value, str):
        dt = parse_datetime(value)
        if dt is not None:
            return dt.date().isoformat()
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    problems.append(Problem("日期应为 YYYY-MM-DD 或带时区的 ISO 8601 时间", where))
    return None


def _signers(raw: Any, problems: list[Problem]) -> list[Signer]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem("应为签名人列表", "signers"))
        return []
    out = []
    for i, item in enumerate(raw):
        where = f"signers[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem("应为对象：role、name，可选 cert_no、date", where))
            continue
        unknown = sorted(set(item) - _SIGNER_KEYS)
        if unknown:
            problems.append(Problem(f"未知的项：{'、'.join(unknown)}", where))
        role = item.get("role")
        if role not in SIGNER_ROLES:
            problems.append(
                Problem(f"签名角色应为以下之一：{'、'.join(SIGNER_ROLES)}", f"{where}.role")
            )
        who = f"第 {i + 1} 位签名人"
        name = _text(item.get("name"), f"{where}.name", problems, f"{who}的姓名")
        cert = item.get("cert_no")
        when = next((k for k in ("date", "signed_at") if item.get(k)), None)
        signer = Signer(
            role=role if isinstance(role, str) else None,
            name=name,
            cert_no=_text(cert, f"{where}.cert_no", problems, f"{who}的执法证号") if cert else None,
            date=_sign_date(item[when], f"{where}.{when}", problems) if when else None,
        )
        out.append(signer)
    return out


def _participants(
    raw: Sequence[object] | None, doc: DocType, problems: list[Problem]
) -> list[Participant]:
    """The other participants' signatures or notes: each names who he is and either signs
    (a PNG) or has his refusal or leaving noted, never both, never neither."""
    if not raw:
        return []
    if doc.code not in PARTICIPANT_DOCS:
        problems.append(Problem(f"《{doc.title}》只由当事人手写签名", "participants"))
        return []
    out: list[Participant] = []
    seen: set[str] = set()
    for i, p in enumerate(raw):
        where = f"participants[{i}]"
        if not isinstance(p, Mapping):
            problems.append(Problem("应为对象：name、as，signature_png 或 note", where))
            continue
        unknown = sorted(set(p) - _PARTICIPANT_KEYS)
        if unknown:
            problems.append(Problem(f"未知的项：{'、'.join(unknown)}", where))
        who = f"第 {i + 1} 名听证参加人"
        name = _text(p.get("name"), f"{where}.name", problems, f"{who}的姓名")
        label = _text(p.get("as") or "听证参加人", f"{where}.as", problems, f"{who}的身份")
        png = p.get("signature_png")
        image = _png_uri(png, problems, f"{where}.signature_png") if png else None
        note = (
            _text(p["note"], f"{where}.note", problems, f"{who}未签名的情况", limit=500)
            if p.get("note")
            else None
        )
        if bool(image) == bool(note):
            problems.append(Problem(
                f"{name or who}须手写签名，或注明其拒绝签字、中途退出的情况（二者取一）",
                f"{where}.signature_png", label=f"{name or who}的签名", kind="signature",
            ))  # fmt: skip
        if name in seen:
            problems.append(Problem(f"{name}重复列出", f"{where}.name"))
        day = _sign_date(p["date"], f"{where}.date", problems) if p.get("date") else None
        if name and label:
            seen.add(name)
            out.append(Participant(name, label, image, note, day))
    return out


def _party_role(doc: DocType) -> str | None:
    """The role a party signs in: 当事人 on most forms, 受送达人 on a 送达回证."""
    for role in (Block.PARTY, Block.RECIPIENT):
        if role in doc.signers:
            return role
    return None


def _refusal(
    raw: Any, doc: DocType, signers: list[Signer], problems: list[Problem]
) -> Refusal | None:
    """A party's refusal is noted on the document and officers sign it: at least one here; how
    many the agency's rules want (003 第十四条: 两名以上) is the issuing service's check."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem("应为对象：reason，可选 officers、date", "refusal"))
        return None
    if _party_role(doc) is None:
        problems.append(Problem(f"《{doc.title}》不需当事人签字，无拒签可注明", "refusal"))
        return None
    unknown = sorted(set(raw) - _REFUSAL_KEYS)
    if unknown:
        problems.append(Problem(f"未知的项：{'、'.join(unknown)}", "refusal"))
    reason = _text(raw.get("reason"), "refusal.reason", problems, "拒签情况", limit=2000)
    given = raw.get("officers")
    if given is None:
        officers = [
            Officer(s.name, s.cert_no)
            for s in signers
            if s.role in (Block.OFFICER, Block.SERVER, Block.HOST) and s.name
        ]
    else:
        officers = _refusal_officers(given, problems)
    if not {o.name for o in officers}:
        problems.append(Problem("当事人拒绝签字的，应由执法人员签名注明", "refusal.officers"))
    day = _sign_date(raw["date"], "refusal.date", problems) if raw.get("date") else None
    return Refusal(reason, tuple(officers), day)


def _refusal_officers(given: Any, problems: list[Problem]) -> list[Officer]:
    """The officers a refusal names: each a name, or ``{name, cert_no}``."""
    if not isinstance(given, list):
        problems.append(Problem("应为执法人员列表", "refusal.officers"))
        return []
    officers: list[Officer] = []
    for i, o in enumerate(given):
        where = f"refusal.officers[{i}]"
        if isinstance(o, str):
            o = {"name": o}
        if not isinstance(o, dict) or set(o) - {"name", "cert_no"}:
            problems.append(Problem("应为姓名，或含 name、cert_no 的对象", where))
            continue
        who = f"见证拒签的第 {i + 1} 名执法人员"
        name = _text(o.get("name"), f"{where}.name", problems, f"{who}的姓名")
        cert = (
            _text(o["cert_no"], f"{where}.cert_no", problems, f"{who}的执法证号")
            if o.get("cert_no")
            else None
        )
        if name:
            officers.append(Officer(name, cert))
    return officers


def _png_uri(png: Any, problems: list[Problem], where: str = "party_signature_png") -> str | None:
    if png is None:
        return None
    if not isinstance(png, bytes) or not png.startswith(_PNG_MAGIC):
        problems.append(Problem("签名图片应为 PNG", where))
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _blocks(
    doc: DocType, signers: list[Signer], image: str | None, refused: bool
) -> list[SignatureBlock]:
    """One signature block per role the form names, plus any other role that did sign."""
    extra = {s.role for s in signers} - set(doc.signers)
    roles = [*doc.signers, *(r for r in SIGNER_ROLES if r in extra)]
    party = _party_role(doc)
    blocks = []
    for role in roles:
        entries = [s for s in signers if s.role == role] or [Signer(role, None, None, None)]
        blocks.append(
            SignatureBlock(
                role=role,
                label=role_label(doc.code, role),
                entries=tuple(entries),
                cert=role in _CERT_ROLES,
                image=image if role == party else None,
                refused=refused and role == party,
            )
        )
    return blocks


def _complete(doc: DocType, values: FieldValues) -> SimpleNamespace:
    """Every field and every sub-key present (None when absent), so templates stay plain.

    A namespace, not a dict: ``v.items`` must be the field, not ``dict.items``.
    """
    out: FieldValues = {}
    for spec in doc.fields:
        value = values.get(spec.name)
        if spec.kind is FieldKind.PERSON and value is not None:
            value = {k: value.get(k) for k in _PERSON_KEYS}
        elif spec.kind is FieldKind.PERSONS and value is not None:
            value = [{k: p.get(k) for k in _PERSON_KEYS} for p in value]
        elif spec.kind is FieldKind.ITEMS and value is not None:
            value = [{k: i.get(k) for k in _ITEM_KEYS} for i in value]
        out[spec.name] = value
    return SimpleNamespace(**out)


def render_html(
    doc_type: str,
    values: FieldValues,
    *,
    agency: str,
    number: str | None = None,
    party_signature_png: bytes | None = None,
    refusal: RawRefusal | None = None,
    signers: RawSigners | None = None,
    participants: Sequence[Mapping[str, object]] | None = None,
    wording: Mapping[str, str | None] | None = None,
) -> str:
    """The document as HTML for WeasyPrint; ``signers`` fill the signature blocks.

    ``refusal`` is ``{"reason", optional "officers" (names or {name, cert_no}), "date"}``;
    without ``officers`` the officers among ``signers`` are taken. Both are checked here, as
    they come (from a request, a file or the service), before anything is rendered.
    ``wording`` is the agency's wording blocks (``documents.wording``), checked when it was set.
    """
    doc = _doc(doc_type)
    fields, problems = _validate(doc, values)
    agency_name = _text(agency, "agency", problems, "机关名称")
    doc_number = _text(number, "number", problems, "文号") if number is not None else None
    signer_list = _signers(signers, problems)
    refused = _refusal(refusal, doc, signer_list, problems)
    image = _png_uri(party_signature_png, problems)
    others = _participants(participants, doc, problems)
    if image and _party_role(doc) is None:
        problems.append(Problem(f"《{doc.title}》不需当事人签字", "party_signature_png"))
    if refused and image:
        problems.append(Problem("当事人拒绝签字的，不应附当事人签名图片", "party_signature_png"))
    if problems:
        raise ValidationError(f"《{doc.title}》的内容不完整或有误，未生成文书", problems)
    blocks = _blocks(doc, signer_list, image, refused is not None)
    party = _party_role(doc)
    party_entry = next((s for s in signer_list if s.role == party), None)
    confirmation = _CONFIRMATION.get(doc.code)
    context = {
        "doc": doc,
        "v": _complete(doc, fields),
        "agency": agency_name,
        "number": doc_number,
        "blocks": blocks,
        "block_for": {b.role: b for b in blocks},
        "refusal": refused,
        "party_image": image,
        "party_date": refused.date if refused else party_entry.date if party_entry else None,
        "confirmation": Confirmation(*confirmation) if confirmation else None,
        "others": others,
        "wording": {k: (wording or {}).get(k) for k in WORDING_BLOCKS},
    }
    return _ENV.get_template(doc.template).render(context)


def render_pdf(
    doc_type: str,
    values: FieldValues,
    *,
    agency: str,
    number: str | None = None,
    party_signature_png: bytes | None = None,
    refusal: RawRefusal | None = None,
    signers: RawSigners | None = None,
    participants: Sequence[Mapping[str, object]] | None = None,
    wording: Mapping[str, str | None] | None = None,
) -> bytes:
    """The document as an A4 PDF with its fonts embedded, ready to be signed.

    WeasyPrint is imported on first use, not at module import, so that listing or
    validating documents (CLI completion, web forms) does not pay for loading it.
    """
    html = render_html(
        doc_type,
        values,
        agency=agency,
        number=number,
        party_signature_png=party_signature_png,
        refusal=refusal,
        signers=signers,
        participants=participants,
        wording=wording,
    )
    pdf: bytes = weasyprint_html()(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def weasyprint_html() -> Any:
    """WeasyPrint's ``HTML``, imported without its side effect on Pillow.

    Importing weasyprint sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole
    process, after which the media layer would take a truncated photo for a whole one. The
    flag is put back; the only image a document embeds is a PNG already checked here.
    """
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import HTML  # type: ignore[import-untyped, unused-ignore]  # lazy: ~2 s
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return HTML


__all__ = ["TEMPLATES", "render_html", "render_pdf", "validate"]
