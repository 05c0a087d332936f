"""Issuing an enforcement document: validate, render, sign, verify, store, journal — or nothing.

Every step that can fail comes before anything is stored, so a refused document leaves no
half-rendered file and no entry. A correction of a signed document is a new version whose entry
names the one it supersedes; the old PDF and its signatures stay as they were.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.documents import listed, opinion_box, prior_approval, render, seal
from liuhen.documents import wording as wording  # also the admin page's
from liuhen.documents.dossier_pages import copy_note as copy_note
from liuhen.documents.dossier_pages import render_part as render_part
from liuhen.documents.prior_approval import bare_approval_refusal as bare_approval_refusal
from liuhen.documents.render import render_pdf as render_pdf
from liuhen.documents.render import validate as validate
from liuhen.documents.seal import affix_seal as affix_seal
from liuhen.documents.types import BLOCK_ROLES as BLOCK_ROLES
from liuhen.documents.types import CRYPTO_ROLES as CRYPTO_ROLES
from liuhen.documents.types import DOC_TYPES, DocType, HandSignature, KeySignature, role_label
from liuhen.documents.types import IN_PERSON as IN_PERSON
from liuhen.documents.types import PADES as PADES
from liuhen.documents.types import pending_blocks as pending_blocks
from liuhen.documents.watermark import stamp as stamp
from liuhen.documents.watermark import without_signatures as without_signatures
from liuhen.errors import ConflictError, IntegrityError, NotFoundError, Problem, ValidationError
from liuhen.kernel import numbering, record
from liuhen.kernel.blobs.store import DIGEST
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended, Check
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import DOCUMENT_TYPES, Role
from liuhen.procedure.fields import SIGNER_ROLES, Block
from liuhen.signing import service as signing

# How each signer whose key was applied was authenticated, as the entry's signatures record it:
# the signed-in user by his login, a colleague present by his own password on the same device.
BY_LOGIN = "登录"
BY_PRESENCE = "现场密码确认"
USERS = store.APP_USER
ENTRY = store.ENTRY
OFFICER = store.OFFICER
SIGNING_KEY = store.SIGNING_KEY
ISSUED = "issued"  # the 文书 entry's field saying which number of which series it was issued
NUMBER_ATTEMPTS = 5  # renderings with a fresh 文号 before giving up when others keep taking it


@dataclass
class DocumentRequest:
    case: str
    act_seq: int
    doc_type: str
    values: FieldValues
    signers: list[dict[str, str]]  # [{"role", "cert_no"}]: signed with their issued keys
    recorded_by: dict[str, str]
    number: str | None = None
    party: dict[str, str] | None = None  # {"name", "signature_png": base64} handwritten
    witness: dict[str, str] | None = None
    refusal: dict[str, Any] | None = None  # {"reason", "officers": [cert_no, cert_no]}
    supersedes: int | None = None
    # cert_no → how that signer was authenticated (see ``authenticate``); None: an operator on
    # the server (``liuhen doc issue``), whose entries carry no ``auth``
    auth: dict[str, str] | None = None
    # how many officers must attest a party's refusal to sign: the pack in force says (003
    # 第十四条: 两名以上); the entry points ask it (``issuing.Witnesses``), one by default
    refusal_witnesses: int = 1
    # the other participants of a hearing (代理人, 第三人 …), each signing by hand or noted
    # as refusing or having left: [{"name", "as", "signature_png": base64} | {…, "note"}]
    participants: list[dict[str, str]] | None = None


def _png(data: str | None, where: str) -> bytes | None:
    if not data:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            "签名图像应为 base64 编码的 PNG", [Problem("不是 base64", where)]
        ) from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError("签名图像应为 PNG", [Problem("不是 PNG 图像", where)])
    return raw


def officer_names(app: App, certs: list[str]) -> dict[str, str]:
    """cert_no → name of the registered officers among ``certs``."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(OFFICER.c.cert_no, OFFICER.c.name).where(OFFICER.c.cert_no.in_(certs))
        ).all()
    return {r.cert_no: r.name for r in rows}


def account_roles(app: App, certs: Collection[str]) -> dict[str, set[str]]:
    """The roles of the active accounts holding each certificate (a cert without one: absent)."""

    with app.engine.connect() as conn:
        rows = conn.execute(
            select(USERS.c.cert_no, USERS.c.roles).where(
                USERS.c.cert_no.in_(list(certs)), USERS.c.active.is_(True)
            )
        ).all()
    out: dict[str, set[str]] = {}
    for cert, roles in rows:
        out.setdefault(cert, set()).update(json.loads(roles))
    return out


def block_problems(
    app: App, blocks: dict[str, list[str]], signed_in: str | None, where: str = "sign"
) -> list[Problem]:
    """Why these people may not sign in these blocks: a reviewer's or approver's block only by
    its holder from his own login (``signed_in``), and every block only by a role it belongs to.

    Colleagues present together sign the officers' blocks in turn on one device, as the
    003 第十四条 refusal attestation needs; each confirms with his own password
    (``authenticate``). Roles are checked here only for those who hold an account.
    """

    roles = account_roles(app, {c for certs in blocks.values() for c in certs})
    problems: list[Problem] = []
    for block, certs in blocks.items():
        allowed = BLOCK_ROLES.get(block, frozenset())
        label = SIGNER_ROLES.get(block, block)
        for cert in certs:
            held = roles.get(cert)
            if block in IN_PERSON and cert != signed_in:
                problems.append(Problem(
                    f"{label}栏须由其本人登录后签名，不能代签（执法证号 {cert}）；"
                    "请留空，由其本人在待办中续签", f"{where}.{block}",
                    label=f"{label}签名栏", kind="signature",
                ))  # fmt: skip
            elif (held is not None or block in IN_PERSON) and not (held or set()) & allowed:
                problems.append(Problem(
                    f"执法证号 {cert} 的持有人不是{_holders(allowed)}，不能在{label}栏签名",
                    f"{where}.{block}", label=f"{label}签名栏", kind="signature",
                ))  # fmt: skip
    return problems


def _holders(roles: frozenset[str]) -> str:
    names: dict[str, str] = {
        Role.OFFICER: "执法人员",
        Role.LEGAL_REVIEWER: "法制审核人员",
        Role.HEAD: "负责人",
    }
    return "或".join(names[r] for r in sorted(roles, key=list(names).index))


def _key_of(app: App, cert_no: str) -> tuple[bytes, bytes]:
    """The person's key, refused unless the certificate is the one the journal recorded."""
    key_pem, cert_pem = signing.authority(app).person(cert_no)
    with app.engine.connect() as conn:
        recorded = conn.execute(
            select(SIGNING_KEY.c.fingerprint).where(SIGNING_KEY.c.cert_no == cert_no)
        ).scalar()
    actual = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256()).hex()
    if recorded != actual:
        raise IntegrityError(f"{cert_no} 的签名证书与日志记录不符，拒绝签名")
    return key_pem, cert_pem


def agency_name(app: App, case: str) -> str:
    """The agency a case belongs to, as documents, dossiers and bags name it."""
    found = seal.agency_of(app, case)
    return found[1] if found else "行政执法机关"


@dataclass(frozen=True, slots=True)
class _Checked:
    """A request that passed every check, with what signing it needs."""

    values: FieldValues  # the document's normalised values
    party_png: bytes | None  # the party's drawn signature
    participants: list[dict[str, Any]]  # the other participants, their signatures decoded
    names: dict[str, str]  # cert_no → name of every signer and refusal witness
    signer_certs: list[str]
    refusal_certs: list[str]
    template: wording.Wording  # the agency's wording in force (003 第十二条)

    @property
    def actors(self) -> list[str]:
        return list(dict.fromkeys(self.signer_certs + self.refusal_certs))


def issue(app: App, req: DocumentRequest) -> Appended:
    """Validate, render, sign, verify, store and journal one document, or refuse it whole."""
    if req.doc_type not in DOCUMENT_TYPES or req.doc_type not in DOC_TYPES:
        raise ValidationError(
            f"未知的文书种类“{req.doc_type}”", [Problem("未知的文书种类", "doc_type")]
        )
    spec = DOC_TYPES[req.doc_type]
    checked = _checked(app, req, spec)
    for _attempt in range(NUMBER_ATTEMPTS):
        now = app.clock.now().isoformat()
        expected = _expected_number(app, req, now)
        number = expected.number if expected is not None else req.number
        pdf, signed_roles, statuses = _signed_pdf(app, req, checked, number)
        signatures = _signatures(req, spec, checked.names, signed_roles, statuses, now)
        pdf, sealed = affix_seal(app, seal.agency_of(app, req.case), spec.code, pdf,
                                 [s.to_json() for s in signatures], now)  # fmt: skip
        digest = store_pdf(app, pdf)
        fields = _document_fields(req, checked.values, digest, now, signatures, number)
        fields["signatures"] += sealed  # the agency's seal, last (``documents.seal``)
        if checked.template.version is not None:  # re-rendered with it (``wording.at_version``)
            fields["template_version"] = checked.template.version
        assign = None  # a new version keeps its number (``_number_problems``)
        if req.supersedes is None:
            assign = numbering.assign_document_number(expected, app.settings.timezone)
        try:
            inp = _document_input(req.case, spec, pdf, digest, now, fields, checked.actors,
                                  req.recorded_by)  # fmt: skip
            return _record_document(app, inp, assign)
        except numbering.NumberTaken:
            continue  # another document took the number first: render with the next one
    raise ConflictError("同时签发的文书过多，未能编定文号，请稍后重试")


def _expected_number(app: App, req: DocumentRequest, now: str) -> numbering.DocumentNumber | None:
    """The 文号 this document gets if its agency numbers its type (a new version keeps the
    number of the one it supersedes, set in ``_checked``)."""
    if req.supersedes is not None:
        return None
    return numbering.expected_number(app, req.case, req.doc_type, now)


def _checked(app: App, req: DocumentRequest, spec: DocType) -> _Checked:
    """Every problem with the request at once (``ValidationError``), before any key is used."""
    problems = _act_problems(app, req, spec)
    values = render.validate(req.doc_type, req.values)
    party_png = _png((req.party or {}).get("signature_png"), "party.signature_png")
    _png((req.witness or {}).get("signature_png"), "witness.signature_png")  # validated only
    participants = [
        {**p, "signature_png": _png(p.get("signature_png"), f"participants[{i}].signature_png")}
        for i, p in enumerate(req.participants or [])
    ]
    signer_certs = [s.get("cert_no", "") for s in req.signers]
    refusal_certs = list((req.refusal or {}).get("officers") or [])
    problems += _signer_problems(req, refusal_certs)
    problems += _number_problems(app, req)
    problems += prior_approval.problems(app, req.case, req.doc_type)
    problems += listed.unsigned_listed(
        spec, values, req.signers, refusal_certs, lambda certs: officer_names(app, certs)
    )
    names = officer_names(app, [*signer_certs, *refusal_certs])
    for c in sorted(set(signer_certs + refusal_certs) - set(names)):
        problems.append(Problem(
            f"执法证号 {c} 未登记，不能签名：请核对签名栏", "signers", label="签名栏",
            kind="officer",
        ))  # fmt: skip
    if req.auth is not None:  # whoever authenticated the request: every key's holder, each
        for c in dict.fromkeys(signer_certs + refusal_certs):
            if c in names and c not in req.auth:
                problems.append(Problem(
                    f"{names[c]}（执法证号 {c}）尚未以本人账户密码确认签名", f"confirm.{c}",
                    label="在场同事确认", kind="signature",
                ))  # fmt: skip
    if problems:
        raise ValidationError(f"《{spec.title}》有 {len(problems)} 处问题，未制作文书", problems)
    template = wording.for_case(app, req.case, req.doc_type)
    return _Checked(values, party_png, participants, names, signer_certs, refusal_certs, template)


def _number_problems(app: App, req: DocumentRequest) -> list[Problem]:
    """A 文号 is the system's to issue where the agency numbers the type, never typed; a new
    version (``supersedes``) keeps its predecessor's, which ``req.number`` is set to."""
    if req.supersedes is not None:
        try:
            previous, _later = _issued(app, req.case, req.supersedes)
        except NotFoundError:
            return [Problem(f"本案没有序号为 {req.supersedes} 的文书", "supersedes")]
        kept = previous.get("number")
        if req.number and req.number != kept:
            return [Problem("更正的文书沿用原文号，不能另填", "number")]
        req.number = str(kept) if kept else None
        return []
    now = app.clock.now().isoformat()
    if req.number and numbering.expected_number(app, req.case, req.doc_type, now) is not None:
        return [Problem("文号由系统按本机关规则在签发时编定，不能填写", "number")]
    return []


def _signed_pdf(
    app: App, req: DocumentRequest, checked: _Checked, number: str | None
) -> tuple[bytes, list[tuple[str, str]], list[signing.SignatureStatus]]:
    """The rendered PDF signed by each signer in turn, then each refusal witness, verified;
    with the (block, cert_no) of each signature and its validation."""
    names, refusal_certs = checked.names, checked.refusal_certs
    keys = {c: _key_of(app, c) for c in checked.actors}
    ca_pem = signing.ca_pem(app)
    # every block signed now is dated now, in the agency's days (a blank date would print
    # "___年__月__日" under a valid signature)
    today = app.clock.now().astimezone(app.settings.timezone).date().isoformat()
    shown = [{"role": s["role"], "name": names[s["cert_no"]], "cert_no": s["cert_no"],
              "date": today} for s in req.signers]  # fmt: skip
    if req.party and checked.party_png is not None:  # drawn on the device now
        spec = DOC_TYPES[req.doc_type]
        party_role = Block.RECIPIENT if Block.RECIPIENT in spec.signers else Block.PARTY
        shown.append({"role": party_role, "name": req.party["name"], "date": today})
    refusal_view = None
    if req.refusal is not None:
        refusal_view = {
            "reason": req.refusal["reason"],
            "officers": [{"name": names[c], "cert_no": c} for c in refusal_certs],
            "date": today,
        }
    pdf = render.render_pdf(
        req.doc_type, checked.values, agency=agency_name(app, req.case), number=number,
        party_signature_png=checked.party_png, refusal=refusal_view, signers=shown,
        participants=[{**p, "date": today} for p in checked.participants] or None,
        wording=checked.template.context(),
    )  # fmt: skip
    signed_roles: list[tuple[str, str]] = [(s["role"], s["cert_no"]) for s in req.signers]
    signed_roles += [
        (Block.OFFICER, c) for c in refusal_certs if (Block.OFFICER, c) not in signed_roles
    ]
    for i, (role, cert) in enumerate(signed_roles):
        key_pem, cert_pem = keys[cert]
        reason = "见证当事人拒签" if cert in refusal_certs and role == Block.OFFICER else "签名确认"
        pdf = signing.sign_pdf(
            pdf, key_pem, cert_pem, ca_pem, f"sig{i + 1}-{role}", reason, names[cert]
        )
    statuses = signing.validate_pdf(pdf, ca_pem, app.clock.now())
    if len(statuses) != len(signed_roles) or not all(s.valid for s in statuses):
        raise IntegrityError("文书签名验证未通过，未记录")
    return pdf, signed_roles, statuses


def _record_document(app: App, inp: ActInput, assign: Check | None = None) -> Appended:
    """Journal the 文书 entry (``_document_input``, which a new version's entry shares);
    ``assign`` gives it its 文号 in the append transaction (``kernel.numbering``)."""
    if assign is None:
        return record.record(app, inp)
    return numbering.record_numbered(app, inp, assign)


def _document_input(
    case: str,
    spec: DocType,
    pdf: bytes,
    digest: str,
    now: str,
    fields: FieldValues,
    actors: list[str],
    recorded_by: dict[str, str],
) -> ActInput:
    """The 文书 entry as recorded, the stored PDF as its attachment."""
    attachment = {"digest": digest, "name": f"{spec.title}.pdf", "media_type": "application/pdf",
                  "size": len(pdf)}  # fmt: skip
    return ActInput(
        "general.document", now, case=case, actors=actors, fields=fields,
        recorded_by=recorded_by, attachments=[attachment],
    )  # fmt: skip


def _act_problems(app: App, req: DocumentRequest, spec: DocType) -> list[Problem]:
    """The entry the document records must exist in the case and be of an act it serves."""
    with app.engine.connect() as conn:
        act = conn.execute(
            select(ENTRY.c.act).where(ENTRY.c.seq == req.act_seq, ENTRY.c.chain == req.case)
        ).scalar()
    if act is None:
        raise NotFoundError(f"案件“{req.case}”中没有序号为 {req.act_seq} 的记录")
    if spec.acts and act not in spec.acts:
        return [Problem(f"《{spec.title}》不用于记录该事项（{act}）", "act_seq")]
    return []


def _signer_problems(req: DocumentRequest, refusal_certs: list[str]) -> list[Problem]:
    """Each electronic signer's role, and a refusal witnessed as the rules require."""
    problems: list[Problem] = []
    for i, s in enumerate(req.signers):
        if s.get("role") not in CRYPTO_ROLES:
            problems.append(
                Problem(
                    f"电子签名角色应为：{'、'.join(sorted(CRYPTO_ROLES))}", f"signers[{i}].role"
                )
            )
    if req.refusal is not None:
        if req.party:
            problems.append(Problem("当事人已签名，不能同时记录拒签", "refusal"))
        if not str(req.refusal.get("reason") or "").strip():
            problems.append(Problem("须注明拒签情况", "refusal.reason"))
        needed = max(1, req.refusal_witnesses)
        if len(set(refusal_certs)) < needed:
            problems.append(Problem(
                "当事人拒签的，须由执法人员签名注明" if needed == 1 else
                f"当事人拒签的，本机关适用的规则要求由 {needed} 名以上执法人员签名注明",
                "refusal.officers", label="见证拒签的执法人员", kind="signature",
            ))  # fmt: skip
    return problems


def _signatures(
    req: DocumentRequest,
    spec: DocType,
    names: dict[str, str],
    signed_roles: list[tuple[str, str]],
    statuses: list[signing.SignatureStatus],
    now: str,
) -> list[KeySignature | HandSignature]:
    """The document's signatures as recorded: the electronic ones, then any handwritten."""
    signatures: list[KeySignature | HandSignature] = [
        KeySignature(role, names[cert], cert, now, st.serial_number,
                     req.auth[cert] if req.auth is not None else None)
        for (role, cert), st in zip(signed_roles, statuses, strict=True)
    ]  # fmt: skip
    if req.party:
        # the party signs as 受送达人 on a 送达回证, as 当事人 elsewhere
        party_role = Block.RECIPIENT if Block.RECIPIENT in spec.signers else Block.PARTY
        signatures.append(HandSignature(party_role, req.party["name"]))
    if req.witness:
        signatures.append(HandSignature(Block.WITNESS, req.witness["name"]))
    signatures += [
        HandSignature(Block.PARTY, p["name"])
        for p in req.participants or []
        if p.get("signature_png")
    ]
    return signatures


def _document_fields(
    req: DocumentRequest,
    values: FieldValues,
    digest: str,
    now: str,
    signatures: list[KeySignature | HandSignature],
    number: str | None,
) -> FieldValues:
    """The 文书 entry's fields: what the PDF holds and who signed it, by field name."""
    fields: FieldValues = {
        "doc_type": req.doc_type, "act_seq": req.act_seq, "digest": digest, "issued_at": now,
        "signatures": [s.to_json() for s in signatures], "content": values,
    }  # fmt: skip
    if number:
        fields["number"] = number
    if req.refusal is not None:
        fields["party_refused"] = True
        fields["refusal_reason"] = str(req.refusal["reason"])
    if req.supersedes is not None:
        fields["supersedes"] = req.supersedes
    noted = [f"{p['name']}：{p['note']}" for p in req.participants or [] if p.get("note")]
    if noted:  # a participant who refused or left, as 003 第十六条 asks it noted
        fields["participant_notes"] = noted
    return fields


# Fields of a form that quote another document's 文号 (or the case's number), and the type whose
# issued number they quote: the form starts from the number the system issued in this case.
QUOTED_NUMBERS: dict[tuple[str, str], str] = {
    ("preservation_list", "notice_no"): "preservation_notice",
    ("seal_list", "decision_no"): "seal_decision",
    ("release_decision", "original_no"): "seal_decision",
    ("demand_notice", "decision_no"): "penalty_decision",
    ("enforcement_decision", "decision_no"): "penalty_decision",
    ("enforcement_decision", "demand_no"): "demand_notice",
    ("enforcement_application", "decision_no"): "penalty_decision",
    ("enforcement_application", "demand_no"): "demand_notice",
    ("closing_approval", "decision_no"): "penalty_decision",
}


def quoted_numbers(app: App, case: str, doc_type: str) -> FieldValues:
    """The numbers a new ``doc_type`` form of ``case`` quotes, as issued: the case number for
    its ``case_no`` and the latest 文号 of each document type it refers to."""
    wanted = {f: t for (d, f), t in QUOTED_NUMBERS.items() if d == doc_type}
    names = {f.name for f in DOC_TYPES[doc_type].fields} if doc_type in DOC_TYPES else set()
    out: FieldValues = {"case_no": case} if "case_no" in names else {}
    if not wanted:
        return out
    latest: dict[str, str] = {}
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.body)
            .where(ENTRY.c.chain == case, ENTRY.c.act == "general.document")
            .order_by(ENTRY.c.seq)
        ).scalars()
        for body in rows:
            fields = json.loads(body).get("fields") or {}
            if fields.get("number"):
                latest[str(fields.get("doc_type"))] = str(fields["number"])
    out.update({f: latest[t] for f, t in wanted.items() if t in latest})
    return out


def countersigned(
    app: App,
    case: str,
    seq: int,
    role: str,
    cert_no: str,
    recorded_by: dict[str, str],
    opinion: str | None = None,
    approved: bool = True,
) -> ActInput:
    """The new version of an issued document with the holder's signature in a reviewer's or
    approver's block, its PDF stored, ready to journal (alone, or with the act his approval
    records, in one transaction: ``documents.approvals``). The last block signed ``approved``
    seals a sealed form (``documents.seal``); one he did not approve is not sealed.

    The signature is added incrementally to the stored PDF, so the earlier signatures stay
    valid; the result is a new version whose entry names the one it supersedes, with every
    signature's own time. Where the form prints the block's box, the signature's appearance
    fills it: ``opinion``, the signer's name and today's date (``opinion_box``), and the entry's
    signature records the opinion. Refused (nothing stored) unless the block is declared,
    still empty, the version is the latest and the signer's account holds the block's role.
    """

    fields, superseded = _issued(app, case, seq)
    spec = DOC_TYPES[fields["doc_type"]]
    signatures: list[JsonObject] = list(fields.get("signatures") or [])
    names = officer_names(app, [cert_no])
    problems = _countersign_problems(app, fields, spec, role, cert_no, names)
    if superseded:
        problems.insert(0, Problem("该文书已有更新的版本，请在最新版本上签名", "seq"))
    if problems:
        raise ValidationError(f"《{spec.title}》有 {len(problems)} 处问题，未签名", problems)
    key_pem, cert_pem = _key_of(app, cert_no)
    ca_pem = signing.ca_pem(app)
    pdf = b"".join(app.blobs.read(fields["digest"]))
    before = len(signing.validate_pdf(pdf, ca_pem, app.clock.now()))
    reason = "审核确认" if role == Block.REVIEWER else "批准"
    now_at = app.clock.now()
    today = now_at.astimezone(app.settings.timezone).date()
    label = role_label(spec.code, role)
    box = opinion_box.for_block(pdf, role, opinion or "", label, names[cert_no], today)
    pdf = signing.sign_pdf(
        pdf, key_pem, cert_pem, ca_pem, f"sig{before + 1}-{role}", reason, names[cert_no], box
    )
    statuses = signing.validate_pdf(pdf, ca_pem, app.clock.now())
    if len(statuses) != before + 1 or not all(s.valid for s in statuses):
        raise IntegrityError("文书签名验证未通过，未记录")
    now = now_at.isoformat()
    signed = KeySignature(role, names[cert_no], cert_no, now, statuses[-1].serial_number, BY_LOGIN,
                          opinion)  # fmt: skip
    signatures.append(signed.to_json())
    pdf, sealed = affix_seal(app, seal.agency_of(app, case), spec.code, pdf, signatures, now,
                             approved)  # fmt: skip
    signatures += sealed
    digest = store_pdf(app, pdf)
    fields.update(digest=digest, signatures=signatures, supersedes=seq)
    fields.pop(ISSUED, None)  # the number stays; only the version that was issued it says so
    actors = list(dict.fromkeys(str(s["cert_no"]) for s in signatures if s.get("cert_no")))
    return _document_input(case, spec, pdf, digest, now, fields, actors, recorded_by)


def issued_fields(app: App, case: str, seq: int) -> tuple[FieldValues, bool]:
    """The fields of the 文书 entry ``seq`` of ``case`` and whether a later version supersedes
    it (``_issued``), for a new version started from it."""
    return _issued(app, case, seq)


def _issued(app: App, case: str, seq: int) -> tuple[FieldValues, bool]:
    """The fields of the 文书 entry ``seq`` of ``case`` (not found if none), and whether a
    later version supersedes it."""
    with app.engine.connect() as conn:
        row = conn.execute(
            select(ENTRY.c.body).where(
                ENTRY.c.seq == seq, ENTRY.c.chain == case, ENTRY.c.act == "general.document"
            )
        ).first()
        later = [
            json.loads(b)["fields"].get("supersedes")
            for (b,) in conn.execute(
                select(ENTRY.c.body).where(
                    ENTRY.c.chain == case, ENTRY.c.act == "general.document", ENTRY.c.seq > seq
                )
            )
        ]
    if row is None:
        raise NotFoundError(f"案件“{case}”中没有序号为 {seq} 的文书")
    fields: FieldValues = dict(json.loads(row.body)["fields"])
    return fields, seq in later


def _countersign_problems(
    app: App, fields: FieldValues, spec: DocType, role: str, cert_no: str, names: dict[str, str]
) -> list[Problem]:
    """Why ``cert_no`` may not sign ``role``'s block of this version (besides its being old)."""
    problems: list[Problem] = []
    if role not in pending_blocks(spec.code, fields.get("signatures") or []):
        problems.append(Problem(f"《{spec.title}》没有待签的{_role_label(role)}栏", "role"))
    problems += block_problems(app, {role: [cert_no]}, cert_no, "role")
    if cert_no not in names:
        problems.append(Problem(f"执法证号 {cert_no} 未登记", "cert_no"))
    if not fields.get("digest") or not app.blobs.exists(fields["digest"]):
        problems.append(Problem("文书文件不在存储中，无法签名", "digest"))
    return problems


def _role_label(role: str) -> str:

    return SIGNER_ROLES.get(role, role)


def store_pdf(app: App, pdf: bytes) -> str:
    """Stage a finished PDF next to uploads and store it by digest (never overwrites)."""
    digest = f"{app.alg.name}:{app.alg.digest(pdf).hex()}"
    staging = app.settings.data_dir / "uploads"
    staging.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=staging, suffix=".pdf.part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(pdf)
    app.blobs.put_file(Path(name), digest)
    return digest


def document_cases(app: App, digest: str) -> list[str]:
    """The cases whose 文书 entries name ``digest`` as their PDF, in journal order (the same
    PDF may be filed in two cases).

    The document's own ``digest`` field must equal it: a digest quoted anywhere else in an
    entry (a transcript, a note) does not make that file a document.
    """
    if not DIGEST.match(digest):
        return []
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.chain, ENTRY.c.body)
            .where(ENTRY.c.act == "general.document", ENTRY.c.body.contains(f'"{digest}"'))
            .order_by(ENTRY.c.seq)
        ).all()
    found = [
        str(c) for c, body in rows if (json.loads(body).get("fields") or {}).get("digest") == digest
    ]
    return list(dict.fromkeys(found))


def read_pdf(app: App, user: User | None, digest: str, checked_case: str | None) -> None:
    """Let ``user`` read the PDF ``digest`` (and journal the reading), or not found / refused.

    Only a document's own PDF, to those who may see its case and its marks: a stored file that
    no 文书 entry names (media, a dossier, another case's file) is not found. ``checked_case``
    is the case the route's file guard already checked the user against, if any.
    """
    cases = document_cases(app, digest)
    if not cases or user is None:  # the file guard has found the file stored
        raise NotFoundError(f"未找到文书 {digest}")
    case = checked_case if checked_case in cases else cases[0]
    if checked_case != case:  # the guard checked another case's claim, or none
        access.guard_file(app, user, case, digest)
    access.record_access(app, user, case, "查看执法文书", materials=[digest])


def check_all(
    app: App, disposed: Collection[str] = (), issuers: Counter[str] | None = None
) -> list[tuple[int, str, str]]:
    """(seq, case, problem) for every stored document whose file or signatures do not verify.

    A file in ``disposed`` was removed by a journaled disposal: its absence is expected.
    Each electronic signature is checked at its signing moment, not today: when the journal
    recorded the version of the document that first carried it (the journal, hash-chained and
    checkpointed, is the trusted timestamp). A certificate that expired after it signed still
    verifies; one used after it expired does not. ``issuers`` counts the verified signatures
    by the CA that issued their certificates.
    """

    ca = signing.ca_pem(app) if signing.has_trust(app) else None
    out: list[tuple[int, str, str]] = []
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.recorded_at, ENTRY.c.body)
            .where(ENTRY.c.act == "general.document")
            .order_by(ENTRY.c.seq)
        ).all()
    signed: dict[int, list[tuple[JsonObject, datetime]]] = {}  # seq → its signatures' moments
    for seq, chain, recorded_at, body in rows:
        fields = json.loads(body)["fields"] or {}
        crypto = [s for s in fields.get("signatures") or [] if s.get("method") == PADES]
        moments = _moments(crypto, signed.get(fields.get("supersedes") or 0, []), recorded_at)
        signed[int(seq)] = list(zip(crypto, moments, strict=True))
        digest = fields.get("digest")
        if not digest or digest in disposed:
            continue
        if not app.blobs.exists(digest):
            out.append((int(seq), chain, f"文书文件 {digest[:19]}… 不在存储中"))
            continue
        data = b"".join(app.blobs.read(digest))
        alg, _, hexd = digest.partition(":")
        actual = hashlib.new(alg, data).hexdigest() if alg != "sm3" else app.alg.digest(data).hex()
        if actual != hexd:
            out.append((int(seq), chain, "文书文件的内容与记录的摘要不符（文件被改动）"))
            continue
        if ca is None:
            continue
        try:
            statuses = signing.validate_pdf(data, ca, moments=moments)
        except signing.DamagedPdf as exc:
            out.append((int(seq), chain, f"文书文件无法解析：{exc}"))
            continue
        if len(statuses) != len(crypto) or not all(s.valid for s in statuses):
            failed = [
                f"{s.signer}（签名时刻 {_at(m)}）"
                for s, m in zip(statuses, moments, strict=False)
                if not s.valid
            ]
            why = f"：{'、'.join(failed)} 的签名未通过" if failed else ""
            out.append((int(seq), chain, f"文书的电子签名验证未通过{why}"))
        elif issuers is not None:
            issuers.update(s.issuer or s.anchor for s in statuses)
    return out


def _moments(
    crypto: list[JsonObject], earlier: list[tuple[JsonObject, datetime]], recorded_at: str
) -> list[datetime]:
    """Each signature's signing moment: a signature the superseded version already carried (the
    same record in the same place) keeps that version's moment; the others were made for this
    one, recorded at ``recorded_at``."""
    now = datetime.fromisoformat(recorded_at)
    return [
        earlier[i][1] if i < len(earlier) and earlier[i][0] == sig else now
        for i, sig in enumerate(crypto)
    ]


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
