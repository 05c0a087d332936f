"""Parties' requests to inspect or copy records (001 第二十一条, 002 第三十四条).

A request, the head's decision and every copy handed over are journal entries, so the access
and copy ledger (003 第二十四条) is complete by construction. The rules enforced here:

- only a registered head decides, once per request, and a refusal states its reasons;
- what is approved must have been asked for; "全部" covers the case, but a record under a
  confidentiality mark is released only if the decision names it (001 第二十三条);
- copies are watermarked with the requester's name and the request, written to a temporary
  folder and renamed when complete, and the delivery is journaled before the folder appears.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.accounts.service import Scope, chains_in, entry_files, marks_from, marks_of
from liuhen.disclosure import schemas
from liuhen.disclosure.schemas import DisclosureRequest
from liuhen.documents.service import stamp
from liuhen.errors import ConflictError, NotFoundError, Problem, ValidationError
from liuhen.errors import DisclosureRefused as DisclosureRefused
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import Role

ENTRY = store.ENTRY
OFFICER = store.OFFICER
ALL = "全部"
COPY_KINDS = ("复制", "查阅并复制")
APPROVED = ("同意", "部分同意")
DECISION = "general.disclosure_decision"


@dataclass(frozen=True, slots=True)
class _Entry:
    """An entry of the case as far as releasing its records goes: what it is and which files
    it names (``attachments`` as journaled)."""

    seq: int
    act: str
    occurred_at: str
    fields: FieldValues
    attachments: list[Any]


def _entries(app: App, case: str) -> list[_Entry]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.act, ENTRY.c.occurred_at, ENTRY.c.body)
            .where(ENTRY.c.chain == case)
            .order_by(ENTRY.c.seq)
        ).all()
    if not rows:
        raise NotFoundError(f"案件“{case}”不存在")
    out = []
    for seq, act, occurred_at, body in rows:
        doc = json.loads(body)
        out.append(
            _Entry(
                int(seq), act, occurred_at, doc.get("fields") or {}, doc.get("attachments") or []
            )
        )
    return out


def _materials(app: App, case: str, items: list[str], where: str) -> list[str]:
    """Normalise requested or approved records: "全部", a seq of the case, or a file digest."""
    entries = _entries(app, case)
    seqs = {str(e.seq) for e in entries}
    files = {d for e in entries for d in entry_files(e.fields, e.attachments)}
    problems = []
    out: list[str] = []
    for i, raw in enumerate(items):
        item = str(raw).strip()
        if item != ALL and item not in seqs and item not in files:
            problems.append(
                Problem(f"“{item}”不是本案记录的序号或文件摘要，也不是“全部”", f"{where}[{i}]")
            )
        elif item not in out:
            out.append(item)
    if not out and not problems:
        problems.append(Problem("至少列出一项（记录序号、文件摘要或“全部”）", where))
    if problems:
        raise ValidationError("查阅、复制的记录无效", problems)
    return out


def request(
    app: App, case: str, *, requester: dict[str, str], relation: str, kind: str,
    materials: list[str], purpose: str, received_at: str, by: str,
) -> Appended:  # fmt: skip
    """Journal a party's request, taken by an officer (or archivist) of the agency."""
    _clerk, role = _taker(app, by)
    return record.record(app, ActInput(
        "general.disclosure_request", received_at, case=case, actors=[by],
        fields={"requester": requester, "relation": relation, "kind": kind,
                "materials": _materials(app, case, materials, "fields.materials"),
                "purpose": purpose, "received_at": received_at},
        recorded_by={"id": by, "role": role},
    ))  # fmt: skip


STAFF = (Role.OFFICER, Role.ARCHIVIST, Role.LEGAL_REVIEWER, Role.HEAD)


def _taker(app: App, cert_no: str) -> tuple[str, str]:
    """Who takes a request or hands over copies: any of the agency's own staff."""
    return access.person(app, cert_no, STAFF, "受理或办理查阅、复制申请")


def requests(
    app: App, case: str | None = None, pending: bool = False, scope: Scope = None
) -> list[DisclosureRequest]:
    """Requests with their decision and deliveries, newest first; ``pending``: undecided only.

    Every page view is a ``general.review_access`` entry, so those are read only for the cases
    that have requests, and not at all for the head's inbox (``pending``), which is on every
    visit to 待办.
    """
    found: dict[int, DisclosureRequest] = {}
    acts = ("general.disclosure_request", "general.disclosure_decision")
    for seq, chain, act, occurred_at, fields in _rows(app, acts, [case] if case else None, scope):
        if act == "general.disclosure_request":
            found[seq] = DisclosureRequest.model_validate(
                {"seq": seq, "case": chain, "received_at": occurred_at,
                 **fields, "decision": None, "deliveries": []}
            )  # fmt: skip
        elif fields.get("request") in found:
            found[fields["request"]].decision = schemas.Decision.model_validate(
                {"seq": seq, "decided_at": occurred_at, **fields}
            )
    out = sorted(found.values(), key=lambda r: -r.seq)
    if pending:
        return [r for r in out if r.decision is None]
    chains = sorted({r.case for r in out})
    for seq, _chain, _act, occurred_at, fields in _rows(app, ("general.review_access",), chains):
        if fields.get("request") in found:
            found[fields["request"]].deliveries.append(schemas.Delivery(seq=seq, at=occurred_at))
    return out


def _rows(
    app: App, acts: tuple[str, ...], chains: list[str] | None, scope: Scope = None
) -> list[tuple[int, str, str, str, FieldValues]]:
    """(seq, case, act, occurred_at, fields) of these acts, in order; ``chains`` and the user's
    ``scope`` narrow it in SQL."""
    if chains is not None and not chains:
        return []
    where: list[Any] = [ENTRY.c.act.in_(acts)]
    if chains is not None:
        where.append(ENTRY.c.chain.in_(chains))
    scoped = chains_in(ENTRY.c.chain, scope)
    if scoped is not None:
        where.append(scoped)
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.occurred_at, ENTRY.c.body)
            .where(*where)
            .order_by(ENTRY.c.seq)
        ).all()
    return [(int(seq), chain, act, at, json.loads(body).get("fields") or {})
            for seq, chain, act, at, body in rows]  # fmt: skip


def _one(app: App, case: str, seq: int) -> DisclosureRequest:
    for r in requests(app, case):
        if r.seq == seq:
            return r
    raise NotFoundError(f"案件“{case}”中没有序号为 {seq} 的查阅、复制申请")


def decide(
    app: App, case: str, request_seq: int, *, decision: str, reason: str,
    materials: list[str] | None, by: str,
) -> Appended:  # fmt: skip
    fields: FieldValues = {"request": request_seq, "decision": decision, "reason": reason}
    if materials:
        fields["materials"] = materials
    return record.record(app, checked_decision(app, ActInput(
        DECISION, app.clock.now().isoformat(), case=case, actors=[by], fields=fields,
    )))  # fmt: skip


def checked_decision(app: App, inp: ActInput) -> ActInput:
    """The head's decision ``inp`` held to the rules above (only a registered head, once per
    request, what is approved asked for; with no materials named, what was asked), as it is
    recorded; refused otherwise. The approval page records it beside the head's signature on
    the 查阅、复制审批表, in one transaction, so it is checked here before his key is used."""
    by = inp.actors[0] if inp.actors else ""
    access.person(app, by, (Role.HEAD,), "审批查阅、复制申请")
    case, request_seq = str(inp.case), int(inp.fields.get("request") or 0)
    decision, materials = str(inp.fields.get("decision") or ""), inp.fields.get("materials")
    req = _one(app, case, request_seq)
    if req.decision is not None:
        raise DisclosureRefused(
            f"申请（序号 {request_seq}）已于 {req.decision.decided_at[:16]} 审批，不能重复审批"
        )
    asked = req.materials or []
    fields: FieldValues = {"request": request_seq, "decision": decision,
                           "reason": inp.fields.get("reason")}  # fmt: skip
    if decision in APPROVED:
        approved = _materials(app, case, list(materials or asked), "fields.materials")
        if ALL not in asked:
            extra = [m for m in approved if m not in asked]
            if extra:
                raise ValidationError("准予的记录超出了申请范围", [
                    Problem(f"申请未包括“{m}”", "fields.materials") for m in extra])  # fmt: skip
        fields["materials"] = approved
    elif materials:
        raise ValidationError("不同意时不应列出准予的记录", [Problem("应为空", "fields.materials")])
    return ActInput(
        DECISION, inp.occurred_at, case=case, actors=[by], fields=fields,
        recorded_by={"id": by, "role": Role.HEAD},
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Chosen:
    """A file an approval covers: its digest, the name it is handed over by, its entry."""

    digest: str
    name: str
    seq: int


@dataclass(frozen=True, slots=True)
class Delivered:
    """A file handed over (a line of 清单.json): ``file`` is its name in the folder, PDFs are
    watermarked."""

    digest: str
    name: str
    seq: int
    file: str
    watermarked: bool


@dataclass(frozen=True, slots=True)
class Withheld:
    """A file the approval covers but that is not handed over, and why."""

    digest: str
    reason: str


@dataclass(frozen=True)
class Delivery:
    folder: Path
    entry: Appended
    files: list[Delivered]
    withheld: list[Withheld]


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._")[:80] or "file"


def deliver(app: App, case: str, request_seq: int, out: Path, *, by: str) -> Delivery:
    """Write the approved copies, watermarked, into ``out`` and journal the handing over."""
    _clerk, role = _taker(app, by)
    req = _one(app, case, request_seq)
    decision = req.decision
    if decision is None:
        raise DisclosureRefused(f"申请（序号 {request_seq}）尚未经负责人审批，不能提供")
    if decision.decision not in APPROVED:
        raise DisclosureRefused(f"负责人不同意该申请：{decision.reason}")
    if req.kind not in COPY_KINDS:
        raise DisclosureRefused("该申请只申请查阅，不提供复制件；查阅请在本系统中登记调阅")
    if out.exists():
        raise ConflictError(f"输出目录已存在：{out}，为免覆盖，请指定新的目录")
    approved = list(decision.materials or [])
    files, withheld = _select(app, case, approved)
    requester = req.requester.name if req.requester else None
    text = (f"仅供{requester}（{req.relation}）{req.kind} · "
            f"{case} · 申请序号 {request_seq} · {app.clock.now().date().isoformat()}")  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        listing = []
        for i, f in enumerate(files, 1):
            data = b"".join(app.blobs.read(f.digest))
            is_pdf = data.startswith(b"%PDF")
            payload = stamp(data, text) if is_pdf else data
            name = f"{i:03d}-{_safe(f.name)}"
            (partial / name).write_bytes(payload)
            listing.append(Delivered(f.digest, f.name, f.seq, name, is_pdf))
        listing_doc = {
            "case": case,
            "request": request_seq,
            "watermark": text,
            "approved_by": decision.seq,
            "files": [asdict(f) for f in listing],
            "withheld": [asdict(w) for w in withheld],
        }
        (partial / "清单.json").write_text(
            json.dumps(listing_doc, ensure_ascii=False, indent=2), "utf-8"
        )
        entry = record.record(app, ActInput(
            "general.review_access", app.clock.now().isoformat(), case=case,
            actors=[by],
            fields={"accessor": _accessor(req), "purpose": req.purpose,
                    "approved_by": _name(app, decision),
                    "materials": [f.name for f in files] or ["（无可提供的记录）"],
                    "copied": True, "request": request_seq},
            recorded_by={"id": by, "role": role},
        ))  # fmt: skip
        for p in partial.iterdir():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Delivery(out, entry, listing, withheld)


def _accessor(req: DisclosureRequest) -> JsonObject:
    """The requester as the ledger's 查阅人: his recorded keys, his relation as his role."""
    person = req.requester.model_dump(exclude_unset=True) if req.requester else {}
    return {**person, "role": req.relation}


def _name(app: App, decision: schemas.Decision) -> str:
    with app.engine.connect() as conn:
        actors = conn.execute(select(ENTRY.c.actors).where(ENTRY.c.seq == decision.seq)).scalar()
    by = json.loads(actors or "[]") or [{}]
    return str(by[0].get("name") or "负责人")


def _select(app: App, case: str, approved: list[str]) -> tuple[list[Chosen], list[Withheld]]:
    """Files the approval covers, minus marked ones it does not name explicitly."""
    entries = _entries(app, case)
    marks = marks_from(entries)
    everything = ALL in approved
    files: list[Chosen] = []
    withheld: list[Withheld] = []
    seen: set[str] = set()
    for e in entries:
        named_entry = str(e.seq) in approved
        names = {a["digest"]: a.get("name") for a in e.attachments if a.get("digest")}
        for digest in entry_files(e.fields, e.attachments):
            if digest in seen or not (everything or named_entry or digest in approved):
                continue
            seen.add(digest)
            mark = marks.of_file(digest)
            if mark and not (named_entry or digest in approved):
                withheld.append(Withheld(digest, f"已标记为{mark}，审批未明确准予"))
                continue
            if not app.blobs.exists(digest):
                withheld.append(Withheld(digest, "文件已依法销毁或不在存储中"))
                continue
            name = names.get(digest) or _media_name(app, digest) or digest.split(":")[1][:16]
            files.append(Chosen(digest, name, e.seq))
    return files, withheld


def _media_name(app: App, digest: str) -> str | None:
    media = store.MEDIA
    with app.engine.connect() as conn:
        return conn.execute(select(media.c.name).where(media.c.digest == digest)).scalar()


def inspected(app: App, case: str, request_seq: int, *, by: str) -> Appended:
    """Journal that the requester inspected the approved records on the agency's premises."""
    _clerk, role = _taker(app, by)
    req = _one(app, case, request_seq)
    decision = req.decision
    if decision is None or decision.decision not in APPROVED:
        raise DisclosureRefused(f"申请（序号 {request_seq}）未获负责人同意，不能安排查阅")
    return record.record(app, ActInput(
        "general.review_access", app.clock.now().isoformat(), case=case, actors=[by],
        fields={"accessor": _accessor(req), "purpose": req.purpose,
                "approved_by": _name(app, decision),
                "materials": list(decision.materials or []), "copied": False,
                "request": request_seq},
        recorded_by={"id": by, "role": role},
    ))  # fmt: skip


VIA_SERVICE = ("general.disclosure_request", "general.disclosure_decision")


def record_values(app: App, case: str, code: str, values: FieldValues, by: str) -> Appended:
    """A page or API submission of a request or decision, held to the same rules as the CLI."""
    if code == "general.disclosure_request":
        return request(
            app, case, requester=values["requester"], relation=values["relation"],
            kind=values["kind"], materials=list(values["materials"]), purpose=values["purpose"],
            received_at=values["received_at"], by=by,
        )  # fmt: skip
    return decide(
        app, case, int(values["request"]), decision=values["decision"],
        reason=values["reason"], materials=values.get("materials") or None, by=by,
    )  # fmt: skip


@dataclass(frozen=True)
class Release:
    """What an export leaves out: marked files, and marked entries whose text stays home."""

    files: dict[str, str]  # digest → reason
    entries: dict[int, str]  # seq → reason (only the leaf hash is exported)


def release_for_export(app: App, case: str, approval: int | None) -> Release:
    """Marked records an export leaves out: all of them, unless the head's approval names them.

    An export for a court or an archive is a release outside the agency (001 第二十一、二十三条),
    so it follows the same rule as a party's copy: "全部" does not release a marked record.
    A marked entry's text is left out too; its leaf hash still proves it exists.
    """
    marks = marks_of(app, case)
    named: set[str] = set()
    if approval is not None:
        with app.engine.connect() as conn:
            row = conn.execute(
                select(ENTRY.c.chain, ENTRY.c.act, ENTRY.c.body).where(ENTRY.c.seq == approval)
            ).first()
        if row is None or row.chain != case or row.act != "general.disclosure_decision":
            raise NotFoundError(f"案件“{case}”中没有序号为 {approval} 的查阅、复制审批")
        fields = json.loads(row.body).get("fields") or {}
        if fields.get("decision") not in APPROVED:
            decision = fields.get("decision")
            raise DisclosureRefused(f"审批（序号 {approval}）为“{decision}”，不能据此提供")
        named = set(fields.get("materials") or [])
    files = {}
    for digest, mark in marks.marked_files().items():
        seqs = {str(s) for s, ds in marks.files_of.items() if digest in ds}
        if digest not in named and not seqs & named:
            files[digest] = f"已标记为{mark}，未经负责人审批明确准予对外提供"
    entries = {
        seq: f"已标记为{mark}，未经负责人审批明确准予对外提供"
        for seq, mark in marks.marked_entries().items()
        if str(seq) not in named
    }
    return Release(files, entries)
