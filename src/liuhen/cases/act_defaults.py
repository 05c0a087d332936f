"""What the act form starts from, so an officer does not retype what the system knows.

The officers who may act are picked by name (the case's own first, then the unit's), the unit
by name from the agency's, and a case's act starts from the case's parties and cause. Nothing
here is recorded: it is the form's first text, and the officer may change any of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.documents import DOC_TYPES
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure import act_numbers
from liuhen.procedure.catalog import ActType, act_type
from liuhen.procedure.fields import FieldKind
from liuhen.web import forms, persons_form

# the person fields a case's act starts from its party: the party itself, the 受送达人, the
# 陈述申辩人; a 被询问人 or a 被限制人 or 拒绝人 is a person, so only a party who is a citizen.
# Their editors also offer the parties of earlier cases (cases.parties)
PARTY_FIELDS = ("party", "parties", "recipient", "speaker")
CITIZEN_FIELDS = ("subject", "person")
SERVICE = "service."  # the 送达 acts: what they serve is one of the case's documents
DOCUMENT = "general.document"
NUMBER_FIELDS = ("document_no", "decision_no", "notice_no")  # as order.served_issued reads them

# the kinds of act a field naming an earlier record is about (release, extension, handling)
SEQ_TARGETS = {
    "measure_seq": ("investigation.seal", "investigation.seize", "investigation.freeze"),
    "preservation_seq": ("investigation.preservation",),
    "complaint_seq": ("initiation.complaint",),
    "hearing_seq": ("investigation.hearing",),  # the 听证 a 听证报告 reports on
}
# text fields that name the person filling the form in (the 起草人, the 审核人, the 送达人)
SELF_FIELDS = ("drafter", "reviewer", "server")
DRAFT, DECISION = "decision.draft", "decision.decision"
TODAY_FIELDS = ("closed_on",)  # dates that are the day the form is filled in, as a rule
# acts whose decision_no is the 行政处罚决定书 they follow (履行, 催告, 加处罚款)
FOLLOWS_DECISION = ("execution.compliance", "execution.demand_notice", "execution.late_fee")
DECISION_TITLE = "行政处罚决定书"
DRAFT_TO_DECISION = {"facts": "facts", "legal_basis": "legal_basis", "proposal": "content",
                     "amount": "amount"}  # fmt: skip
# the kinds of penalty 行政处罚法 第九条 names, as a draft's proposal words them
PENALTY_KINDS = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件",
                 "降低资质等级", "吊销许可证件", "限制开展生产经营活动", "责令停产停业",
                 "责令关闭", "限制从业", "行政拘留")  # fmt: skip
# 行政处罚法 第六十七条第三款: fifteen days to pay at the designated bank
FINE_PAYMENT = "当事人应当自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款。"
REMEDY = ("当事人如不服本决定，可以在收到本决定书之日起六十日内向{body}申请行政复议，"
          "也可以在六个月内依法向{court}提起行政诉讼。")  # fmt: skip

# 依职权立案 is most often a 行政处罚 case in 一般程序 (简易程序 cases are decided on the spot)
# (and so is a case a complaint opens, whose complaint is registered as it comes in)
ORDINARY_PENALTY = {"f_category": "penalty", "f_procedure": "ordinary"}
OPENING_CHOICES = {
    "initiation.ex_officio": ORDINARY_PENALTY,
    "initiation.complaint": ORDINARY_PENALTY,
}
RECEIVED_NOW = ("received_at",)  # a complaint registered when it is received, as a rule


@dataclass(frozen=True, slots=True)
class Officer:
    """One officer the picker offers: by name, with the certificate number that is posted."""

    cert_no: str
    name: str
    unit_name: str
    on_case: bool


@dataclass(frozen=True, slots=True)
class ServedDocument:
    """A document of the case a 送达 form offers: the latest version of each, with its 文号."""

    seq: int
    title: str
    number: str
    issued_on: str  # YYYY-MM-DD

    @property
    def label(self) -> str:
        return f"《{self.title}》{self.number}（{self.issued_on}）"


@dataclass(frozen=True, slots=True)
class EntryOption:
    """An act of the case a field naming a record (``kind: seq``) offers, by what it was."""

    seq: int
    label: str  # "查封（2026年11月5日 10:00）"


@dataclass(frozen=True, slots=True)
class _Header:
    officers: list[str]
    parties: list[Any]
    cause: str


def _case_header(app: App, number: str) -> _Header:
    """What the case header says the form may repeat (nothing for an unknown case)."""
    with app.engine.connect() as conn:
        row = (
            conn.execute(
                select(store.CASE.c.officers, store.CASE.c.parties, store.CASE.c.cause).where(
                    store.CASE.c.number == number
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        return _Header([], [], "")
    officers = [str(c) for c in json.loads(row["officers"] or "[]")]
    return _Header(officers, list(json.loads(row["parties"] or "[]")), str(row["cause"] or ""))


def case_unit(app: App, number: str) -> str:
    """The unit a case is handled by (empty for an unknown case)."""
    with app.engine.connect() as conn:
        unit = conn.execute(select(store.CASE.c.unit).where(store.CASE.c.number == number)).scalar()
    return str(unit or "")


def officers(app: App, user: User, number: str = "") -> list[Officer]:
    """The case's officers in post first (in the order the case names them), then the other
    officers in post of the user's unit, by name."""
    on_case = _case_header(app, number).officers if number else []
    officer, unit = store.OFFICER, store.UNIT
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(officer.c.cert_no, officer.c.name, officer.c.unit, officer.c.active, unit.c.name)
            .select_from(officer.outerjoin(unit, unit.c.code == officer.c.unit))
            .where(
                officer.c.active.is_(True),
                officer.c.cert_no.in_(on_case) | (officer.c.unit == (user.unit or "")),
            )
            .order_by(officer.c.name, officer.c.cert_no)
        ).all()
    found = {r[0]: Officer(r[0], r[1], r[4] or r[2], r[0] in on_case) for r in rows}
    first = [found[c] for c in on_case if c in found]
    return first + [o for o in found.values() if not o.on_case]


def units(app: App, user: User) -> dict[str, str]:
    """The units of the user's agency, code → name, by name."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.UNIT.c.code, store.UNIT.c.name)
            .where(store.UNIT.c.agency == (user.agency or ""))
            .order_by(store.UNIT.c.name, store.UNIT.c.code)
        ).all()
    return {code: name for code, name in rows}


def checked(certs: list[str]) -> dict[str, str]:
    """The picker's inputs that check ``certs``."""
    return {f"{forms.ACTOR}{c}": c for c in dict.fromkeys(certs) if c}


def opening_form(user: User, spec: ActType, now: str) -> dict[str, str]:
    """A case-opening form: now, the user acting, his unit, the usual case kind."""
    form = {"occurred_at": now, "f_unit": user.unit or "", **checked([user.cert_no or ""])}
    form |= {f"f_{f.name}": now for f in spec.fields if f.form and f.name in RECEIVED_NOW}
    return form | OPENING_CHOICES.get(spec.code, {})


def case_form(app: App, user: User, number: str, spec: ActType, now: str) -> dict[str, str]:
    """An act in a case: now, the user and the case's officers acting, and the fields that
    repeat the case header (its parties, its cause) as the case holds them."""
    header = _case_header(app, number)
    in_post = {o.cert_no for o in officers(app, user, number)}  # one who left is not checked
    acting = [user.cert_no or "", *(c for c in header.officers if c in in_post)]
    form = {"occurred_at": now, **checked(acting)}
    parties = header.parties
    names = {f.name for f in spec.fields if f.form}
    form |= {f"f_{n}": user.display_name for n in SELF_FIELDS if n in names and user.display_name}
    form |= carried(app, number, spec, now[:10])
    form |= _latest_targets(app, number, spec)
    for f in spec.fields:
        if not f.form:
            continue
        if f.name == "cause" and f.kind is FieldKind.TEXT and header.cause:
            form[f"f_{f.name}"] = header.cause
        elif f.name in PARTY_FIELDS + CITIZEN_FIELDS and persons_form.is_editor(f) and parties:
            value = parties if f.kind is FieldKind.PERSONS else parties[0]
            if f.name in CITIZEN_FIELDS and not _citizen(value):
                continue
            form |= persons_form.as_form(f, value)
    return form


def carried(app: App, number: str, spec: ActType, today: str) -> dict[str, str]:
    """What an act repeats of the acts before it: a decision what its approved draft proposed
    (facts, law, content, amount) and the remedy the agency's settings name; a 送达 the latest
    document of the case not yet served."""
    if spec.code == DECISION:
        return _from_draft(app, number, today)
    if spec.code.startswith(SERVICE):
        doc = _next_to_serve(app, number)
        if doc is not None:
            return {
                "served_doc": str(doc.seq),
                "f_document": doc.title,
                "f_document_no": doc.number,
            }
        return {}
    names = {f.name for f in spec.fields if f.form}
    form = {f"f_{n}": today for n in TODAY_FIELDS if n in names}
    if spec.code in FOLLOWS_DECISION and "decision_no" in names:
        decisions = [d for d in served_documents(app, number) if d.title == DECISION_TITLE]
        if decisions:
            form["f_decision_no"] = decisions[-1].number
    if "paid_amount" in names:  # 履行: what the decision imposed, as paid in full
        amount = _latest_fields(app, number, DECISION).get("amount")
        if amount not in (None, ""):
            form["f_paid_amount"] = str(amount)
    return form


def _latest_fields(app: App, number: str, act: str) -> dict[str, Any]:
    """The fields of the case's latest ``act`` (empty when there is none)."""
    with app.engine.connect() as conn:
        body = conn.execute(
            select(store.ENTRY.c.body)
            .where(store.ENTRY.c.chain == number, store.ENTRY.c.act == act)
            .order_by(store.ENTRY.c.seq.desc())
            .limit(1)
        ).scalar()
    return dict(json.loads(body).get("fields") or {}) if body else {}


def _from_draft(app: App, number: str, today: str) -> dict[str, str]:
    """The decision form from the case's latest 决定草拟 (what the head approved), dated today,
    with the remedy naming the agency's 复议机关 and 法院 (行政处罚法 第五十九条第一款第五项)."""
    form = {"f_decided_on": today}
    draft = _latest_fields(app, number, DRAFT)
    for source, target in DRAFT_TO_DECISION.items():
        value = draft.get(source)
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        if value not in (None, ""):
            form[f"f_{target}"] = str(value)
    proposal = str(draft.get("proposal") or "")
    kinds = [k for k in PENALTY_KINDS if k in proposal]
    if kinds:
        form["f_kinds"] = "\n".join(kinds)
    if draft.get("amount") or "罚款" in kinds:
        form["f_performance"] = FINE_PAYMENT
    settings = access.case_agency_settings(app, number)
    if settings is not None and settings.review_body and settings.court:
        form["f_remedy"] = REMEDY.format(body=settings.review_body, court=settings.court)
    return form


def _next_to_serve(app: App, number: str) -> ServedDocument | None:
    """The latest document of the case no 送达 names yet (the one an officer serves next)."""
    with app.engine.connect() as conn:
        bodies = conn.execute(
            select(store.ENTRY.c.body).where(
                store.ENTRY.c.chain == number, store.ENTRY.c.act.startswith(SERVICE)
            )
        ).scalars()
        served = {(json.loads(b).get("fields") or {}).get("document_no") for b in bodies}
    waiting = [d for d in served_documents(app, number) if d.number not in served]
    return waiting[-1] if waiting else None


def entry_options(app: App, number: str, spec: ActType) -> dict[str, list[EntryOption]]:
    """For each field of ``spec`` naming an earlier record of the case (``kind: seq``), the
    acts it may name, newest first: those of the kinds it is about (``SEQ_TARGETS``), else
    every act; so nobody types an internal record number."""
    fields = [f for f in spec.fields if f.form and f.kind is FieldKind.SEQ]
    if not number or not fields:
        return {}
    acts = _acts(app, number)
    out: dict[str, list[EntryOption]] = {}
    for f in fields:
        targets = SEQ_TARGETS.get(f.name)
        chosen = [a for a in acts if targets is None or a[1] in targets]
        out[f.name] = [EntryOption(seq, label) for seq, _act, label in reversed(chosen)]
    return out


def _acts(app: App, number: str) -> list[tuple[int, str, str]]:
    """The case's acts (not its documents, views or registry entries): seq, code, label."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.act, store.ENTRY.c.occurred_at)
            .where(store.ENTRY.c.chain == number, ~store.ENTRY.c.act.startswith("general."))
            .order_by(store.ENTRY.c.seq)
        ).all()
    out = []
    for seq, act, occurred_at in rows:
        spec = act_type(act)
        at = datetime.fromisoformat(str(occurred_at)).astimezone(app.settings.timezone)
        when = f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"
        out.append((int(seq), str(act), f"{spec.label if spec else act}（{when}）"))
    return out


def _latest_targets(app: App, number: str, spec: ActType) -> dict[str, str]:
    """A field naming a record of a known kind starts from the newest of that kind."""
    form: dict[str, str] = {}
    for f in spec.fields:
        targets = SEQ_TARGETS.get(f.name) if f.form and f.kind is FieldKind.SEQ else None
        if targets is None:
            continue
        latest = [seq for seq, act, _label in _acts(app, number) if act in targets]
        if latest:
            form[f"f_{f.name}"] = str(latest[-1])
    return form


def _citizen(party: Any) -> bool:
    """A party known to be a natural person: read as 公民 from an ID number, a sex or an age
    (a bare name may be a shop's)."""
    if not isinstance(party, dict) or persons_form.kind_of(party) != "citizen":
        return False
    return any(party.get(k) for k in ("id_no", "gender", "age"))


def served_documents(app: App, number: str) -> list[ServedDocument]:
    """The documents of case ``number`` a 送达 may serve, in the order made: each issued
    document with a 文号 in its latest version (one a later version supersedes is left out),
    and each act that recorded its own document's 文号 (a decision's ``document_no``, as
    ``order.served_issued`` reads them) unless a document of that 文号 was issued."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.act, store.ENTRY.c.occurred_at,
                   store.ENTRY.c.body)
            .where(
                store.ENTRY.c.chain == number,
                ~store.ENTRY.c.act.startswith(SERVICE),
                (store.ENTRY.c.act == DOCUMENT) | ~store.ENTRY.c.act.startswith("general."),
            )
            .order_by(store.ENTRY.c.seq)
        ).all()  # fmt: skip
    issued: dict[int, ServedDocument] = {}  # by the document entry's seq
    named: dict[str, ServedDocument] = {}  # by 文号, the last act naming it
    for seq, act, occurred_at, body in rows:
        fields = json.loads(body).get("fields") or {}
        if act == DOCUMENT:
            if isinstance(fields.get("supersedes"), int):
                issued.pop(fields["supersedes"], None)
            doc = DOC_TYPES.get(str(fields.get("doc_type")))
            if doc is not None and fields.get("number"):
                when = str(fields.get("issued_at") or occurred_at)[:10]
                issued[int(seq)] = ServedDocument(int(seq), doc.title, str(fields["number"]), when)
            continue
        no = next((str(fields[f]) for f in NUMBER_FIELDS if fields.get(f)), None)
        if no is not None:
            named[no] = ServedDocument(int(seq), _title_of(act), no, str(occurred_at)[:10])
    numbers = {d.number for d in issued.values()}
    acts = [d for n, d in named.items() if n not in numbers]
    return sorted([*issued.values(), *acts], key=lambda d: d.seq)


def _title_of(act: str) -> str:
    """The document an act that records a 文号 makes: the one the system numbers for it, else
    the first document type that records the act, else the act itself."""
    if act in act_numbers.ACT_NUMBERS:
        return DOC_TYPES[act_numbers.ACT_NUMBERS[act][1]].title
    spec = act_type(act)
    label = spec.label if spec else act
    return next((d.title for d in DOC_TYPES.values() if act in d.acts), label)


def serve_chosen(app: App, number: str, spec: ActType, form: dict[str, str]) -> dict[str, str]:
    """A 送达 form with the document chosen from the case's (``served_doc``, its entry's seq)
    written into the served document's name and 文号, as recorded; the typed ones otherwise
    (a document issued outside the system)."""
    chosen = form.get("served_doc", "").strip()
    if not spec.code.startswith(SERVICE) or not chosen.isdigit():
        return form
    doc = next((d for d in served_documents(app, number) if d.seq == int(chosen)), None)
    if doc is None:
        return form
    return {**form, "f_document": doc.title, "f_document_no": doc.number}
