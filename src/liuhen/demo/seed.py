"""``liuhen demo``: a realistic agency with a dozen cases over every stage, for first start."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from liuhen.accounts import service as access
from liuhen.cases import service as cases
from liuhen.compliance import service as compliance
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.kernel import proofs, record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import Role
from liuhen.procedure.fields import Block
from liuhen.rules import content
from liuhen.rules import pack as P
from liuhen.signing import service as signing

ADMIN = {"id": "demo", "role": Role.ADMIN.value}
# One account per role, printed by ``liuhen demo`` and listed in the README.
DEMO_USERS: tuple[tuple[str, str, list[str], str, str | None, str | None], ...] = (
    ("zhoulh", "zhifa-demo-2026", [Role.OFFICER], "周立衡", "whlyj-zd1", "11010023"),
    # his partner on 9号: at the scene two officers act and sign (行政处罚法 第四十二条), each
    # confirming his own signature with his own password
    ("dengjm", "zhifa2-demo-2026", [Role.OFFICER], "邓家明", "whlyj-zd1", "11010047"),
    ("shenrl", "fazhi-demo-2026", [Role.LEGAL_REVIEWER], "沈若兰", "whlyj-fzk", "11010085"),
    ("hejg", "fuze-demo-2026", [Role.HEAD], "贺建国", "whlyj-zd1", "11010101"),
    ("chenghm", "dangan-demo-2026", [Role.ARCHIVIST], "程慧敏", "whlyj-fzk", "11010112"),
    ("sifaju", "jiandu-demo-2026", [Role.SUPERVISOR], "区司法局监督员", None, None),
    ("admin", "guanli-demo-2026", [Role.ADMIN], "系统管理员", None, None),
)


def _files() -> list[Any]:
    folder = resources.files("liuhen") / "demo"
    return sorted(
        (f for f in folder.iterdir() if f.name.startswith("case_") and f.name.endswith(".json")),
        key=lambda f: f.name,
    )


# A 送达回证 names how the document was served; the service act's code says it.
_SERVICE_METHODS = {
    "service.direct": "直接送达",
    "service.mail": "邮寄送达",
    "service.lodged": "留置送达",
    "service.entrusted": "委托送达",
    "service.forwarded": "转交送达",
    "service.public_notice": "公告送达",
}
_OFFICER_ROLES = (Block.OFFICER, Block.SERVER, Block.HOST)


# (role, certificate number, when signed) of one signature on a document
Signed = tuple[str, str, Any]


def _values(
    doc_type: str, act: JsonObject, cause: str, signers: list[str], own: FieldValues | None = None
) -> FieldValues:
    """The form's content from the act it records: the demo file states each fact once; what
    only the paper form holds (an approval form's opinions, a notice's deadline) is in ``own``,
    the imported document's ``content``."""
    fields = act.get("fields") or {}
    names = {f.name for f in DOC_TYPES[doc_type].fields}
    values = {k: v for k, v in fields.items() if k in names}
    values.update(own or {})
    values.setdefault("place", act.get("place") or "")
    values.setdefault("cause", cause)
    if doc_type == "inspection_record":
        values.setdefault("kind", "现场检查")
        values.setdefault("inspectors", signers)
    elif doc_type == "inquiry_record":
        values.setdefault("inquirers", signers)
    elif doc_type == "service_receipt":
        values.setdefault("method", _SERVICE_METHODS.get(act["act"], "直接送达"))
        values.setdefault("servers", str(fields.get("server") or "").split("、"))
        values.pop("cause", None)
    return {k: v for k, v in values.items() if k in names}  # a notice has no place, a list no cause


def with_documents(
    app: App, case: JsonObject, agency: tuple[str, str], names: dict[str, str]
) -> JsonObject:
    """The demo case with each document rendered, signed, sealed by ``agency`` (code, name)
    and stored as ``liuhen doc issue`` would have done, its entry naming the stored PDF's real
    digest and PAdES signatures.

    Without this the demo journals documents whose files exist nowhere, and a newcomer's first
    ``liuhen verify`` (and every 查看文书 PDF link) fails on them.
    """
    entries: list[JsonObject] = case["entries"]
    cause = str((entries[0].get("fields") or {}).get("cause") or "")
    ca_pem = signing.ca_pem(app)
    for entry in entries:
        if entry["act"] == "general.document":
            _issue(app, entry, entries, cause, agency, names, ca_pem)
    return case


def _issue(
    app: App,
    entry: JsonObject,
    entries: list[JsonObject],
    cause: str,
    agency: tuple[str, str],
    names: dict[str, str],
    ca_pem: bytes,
) -> None:
    """Render, sign and store one document of the file, and write into its entry what the
    stored PDF is: its digest, content, signatures and the PDF as the entry's attachment."""
    f = entry["fields"]
    ref = f.get("act_seq")
    act = entries[ref["entry"] - 1] if isinstance(ref, dict) else {}
    old = list(f.get("signatures") or [])
    signed: list[Signed] = [
        (s["role"], s["cert_no"], s.get("signed_at")) for s in old if s.get("cert_no")
    ]
    refusal, signed = _refusal(f, act, signed, names)
    values = documents.validate(
        f["doc_type"],
        _values(f["doc_type"], act, cause, [f"{names[c]}（执法证号 {c}）" for _, c, _ in signed
                                            if c in names], f.get("content")),
    )  # fmt: skip
    shown = [{"role": r, "name": names[c], "cert_no": c, "date": when}
             for r, c, when in signed]  # fmt: skip
    pdf = documents.render_pdf(
        f["doc_type"], values, agency=agency[1], number=f.get("number"),
        refusal=refusal, signers=shown,
    )  # fmt: skip
    pdf = _sign(app, pdf, signed, refusal is not None, names, ca_pem)
    statuses = signing.validate_pdf(pdf, ca_pem, app.clock.now())
    serials = [status.serial_number for status in statuses]
    f["content"] = values
    f["signatures"] = [
        {"role": r, "name": names[c], "cert_no": c, "signed_at": when or f["issued_at"],
         "method": "PAdES", "valid": "有效", "serial": serial}
        for (r, c, when), serial in zip(signed, serials, strict=True)
    ] + [{**s, "method": "手写签名"} for s in old if not s.get("cert_no")]  # fmt: skip
    pdf, sealed = documents.affix_seal(app, agency, f["doc_type"], pdf, f["signatures"],
                                       f["issued_at"])  # fmt: skip
    f["signatures"] += sealed
    f["digest"] = documents.store_pdf(app, pdf)
    title = DOC_TYPES[f["doc_type"]].title
    entry["attachments"] = [{"digest": f["digest"], "name": f"{title}.pdf",
                             "media_type": "application/pdf", "size": len(pdf)}]  # fmt: skip


def _refusal(
    f: FieldValues, act: JsonObject, signed: list[Signed], names: dict[str, str]
) -> tuple[Mapping[str, object] | None, list[Signed]]:
    """The refusal block of a document the party refused to sign, and the signers with the
    two officers who attest the refusal (003 第十四条): those the form names, else the act's."""
    if not f.get("party_refused"):
        return None, signed
    witnesses = [c for r, c, _ in signed if r in _OFFICER_ROLES]
    witnesses += [c for c in act.get("actors") or [] if c not in witnesses]
    refusal = {
        "reason": f.get("refusal_reason") or "",
        "officers": [{"name": names[c], "cert_no": c} for c in witnesses[:2]],
    }
    more: list[Signed] = [(Block.OFFICER, c, f.get("issued_at")) for c in witnesses[:2]
                          if all(c != s[1] for s in signed)]  # fmt: skip
    return refusal, signed + more


def _sign(
    app: App,
    pdf: bytes,
    signed: list[Signed],
    refused: bool,
    names: dict[str, str],
    ca_pem: bytes,
) -> bytes:
    """The PDF with each signer's PAdES signature, in the order they signed."""
    for i, (role, cert, _when) in enumerate(signed):
        key_pem, cert_pem = signing.authority(app).person(cert)
        reason = "见证当事人拒签" if refused and role == Block.OFFICER else "签名确认"
        pdf = signing.sign_pdf(pdf, key_pem, cert_pem, ca_pem, f"sig{i + 1}-{role}", reason,
                               names[cert])  # fmt: skip
    return pdf


# the checklist a demo check of each kind of record follows (the demo agency runs 001)
_CHECKLISTS = {"general.media": "content.av_focus", "general.document": "content.written_record"}
_EVIDENCE_CHECKLIST = "content.evidence_materials"
_REVIEW = "decision.legal_review"


def _review_minutes(entry: JsonObject) -> int:
    """How long the reviewer spends on one record: a clip is watched through, a document or a
    list of evidence read."""
    f = entry.get("fields") or {}
    if entry["act"] == "general.media" and f.get("started_at") and f.get("ended_at"):
        span = datetime.fromisoformat(f["ended_at"]) - datetime.fromisoformat(f["started_at"])
        return max(1, int(span.total_seconds() // 60))
    return 8 if entry["act"] == "general.document" else 15


def _result(typed: str) -> tuple[str, str]:
    """“不符合：说明” as (result, note), as the check form takes them."""
    result, _, note = typed.partition(content.SEP)
    return result, note


def _shift_refs(value: Any, at: int, by: int) -> Any:
    """``value`` with each ``{"entry": n}`` reference to position ``at`` or later moved on by
    ``by`` (entries were inserted before it)."""
    if isinstance(value, dict):
        if set(value) == {"entry"} and isinstance(value["entry"], int):
            return {"entry": value["entry"] + by} if value["entry"] >= at else value
        return {k: _shift_refs(v, at, by) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_refs(v, at, by) for v in value]
    return value


def with_checks(case: JsonObject, spec: JsonObject | None, pack: P.Pack) -> JsonObject:
    """The demo case with its reviewer's 审看核对记录 (``checks.json``) inserted before its
    法制审核: each record checked in turn from ``from``, each check journaled as it is finished,
    against the checklist of the demo agency's pack; an item not listed conforms. The records
    after them are renumbered. A check that would end after the review began, or that the
    pack's checklist refuses, is a mistake in the demo's files."""
    if not spec:
        return case
    entries: list[JsonObject] = case["entries"]
    review = next(i for i, e in enumerate(entries) if e["act"] == _REVIEW)
    began = datetime.fromisoformat(entries[review]["occurred_at"])
    at = datetime.fromisoformat(spec["from"])
    checks: list[JsonObject] = []
    for item in spec["checks"]:
        subject = entries[item["entry"] - 1]
        rule_id = _CHECKLISTS.get(subject["act"], _EVIDENCE_CHECKLIST)
        rule = pack.rule(rule_id)
        typed = item.get("results") or {}
        given = {i.key: _result(typed.get(i.key, content.CONFORMS)) for i in rule.items}
        wrong = content.problems(rule, given)
        at += timedelta(minutes=_review_minutes(subject))
        if wrong or at >= began or set(typed) - set(given):
            raise ValueError(f"{case['case']} 第{item['entry']}条的核对有误：{wrong or at}")
        fields: JsonObject = {
            "subject_seq": {"entry": item["entry"]},
            "checklist": rule_id,
            "results": [content.ItemResult(k, r, n).line() for k, (r, n) in given.items()],
        }
        digest = (subject.get("fields") or {}).get("digest")
        if digest:
            fields["subject_digest"] = digest
        if item.get("note"):
            fields["note"] = item["note"]
        checks.append({
            "act": content.ACT, "occurred_at": at.isoformat(), "recorded_at": at.isoformat(),
            "actors": [], "place": "某区文化和旅游局法制科",
            "recorded_by": {"id": spec["by"], "role": Role.LEGAL_REVIEWER.value},
            "fields": fields,
        })  # fmt: skip
    after = [_shift_refs(e, review + 1, len(checks)) for e in entries[review:]]
    for e in after:
        if isinstance(e.get("corrects_entry"), int) and e["corrects_entry"] > review:
            e["corrects_entry"] += len(checks)
    case["entries"] = entries[:review] + checks + after
    return case


def has_cases(app: App) -> bool:
    with app.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(store.CASE)).scalar())


def seed(app: App) -> dict[str, int]:
    """Register the demo agency and import every demo case; refuses if cases already exist."""
    folder = resources.files("liuhen") / "demo"
    registry = json.loads((folder / "registry.json").read_text("utf-8"))
    now = app.clock.now().isoformat()
    for kind, items in (
        ("registry.agency", registry["agencies"]),
        ("registry.unit", registry["units"]),
        ("registry.officer", registry["officers"]),
        ("registry.device", registry["devices"]),  # the cameras the cases' media name
    ):
        for item in items:
            record.record(app, ActInput(kind, now, fields=item, recorded_by=ADMIN))
    # numbers go on from those the demo's cases already use (某文旅罚〔2026〕28号 …)
    for item in registry["agency_settings"]:
        wanted = access.SettingsChange(**{k: v for k, v in item.items() if k != "agency"})
        access.change_agency_settings(app, item["agency"], wanted, ADMIN)
    # Signing keys for every officer before the cases: the demo's documents are rendered and
    # signed with them, and the staff can sign new documents from the pages at once.
    first = registry["agencies"][0]
    agency = (str(first["code"]), str(first["name"]))
    signing.init_ca(app, agency[1])
    names = {o["cert_no"]: o["name"] for o in registry["officers"]}
    for cert in names:
        signing.issue(app, cert)
    for item in registry["agencies"]:  # its seal: its decisions and notices are sealed
        signing.issue_seal(app, item["code"])
    entries = 0
    checks = json.loads((folder / "checks.json").read_text("utf-8"))["cases"]
    pack = compliance.load_pack(str(first["rule_pack"]), app.settings.data_dir)
    for f in _files():
        case = with_documents(app, json.loads(f.read_text("utf-8")), agency, names)
        case = with_checks(case, checks.get(case["case"]), pack)
        _case, appended = cases.import_text(app, json.dumps(case, ensure_ascii=False))
        entries += len(appended)
    for username, password, roles, name, unit, cert in DEMO_USERS:
        access.create_user(app, username, password, roles, name, unit, cert)
    proofs.checkpoint(app)
    return {"cases": len(_files()), "entries": entries}
