"""Checks a legal reviewer makes at a glance: what a decision may impose and must state, who
signs a record, and times that contradict one another.

Like every check, each is a pure function from (rule, record, context) to findings, and none
raises on an odd record: an imported old case is judged as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from liuhen.procedure.catalog import DOCUMENT_TYPES, PROCEDURE_LABELS, Procedure, act_type
from liuhen.procedure.fields import Block, parse_datetime
from liuhen.rules import checks, parties
from liuhen.rules import pack as P
from liuhen.rules.checks import Context
from liuhen.rules.findings import Finding, Severity
from liuhen.rules.record import CaseRecord, Entry


def _finding(
    rule_id: str,
    rule: Any,
    outcome: str,
    message: str,
    seqs: list[int],
    severity: Severity | None = None,
) -> Finding:
    """A finding; the statutes it rests on are named by their titles in its cite (the engine
    titles every cite by the pack's ``sources``), not repeated in the message."""
    return checks._finding(rule_id, rule, outcome, message, seqs, severity)


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _yuan(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def _field_label(act: str, name: str) -> str:
    spec = act_type(act)
    return next((f.label for f in spec.fields if f.name == name), name) if spec else name


# --- summary (当场) penalties ------------------------------------------------------------------


def _party_kind(rec: CaseRecord, e: Entry) -> str | None:
    """The kind the 当场 decision states, else what the recorded parties show."""
    doc = rec.latest_document(e.seq, "summary_decision")
    stated = ((doc.fields.get("content") or {}) if doc else {}).get("party_kind")
    if stated in (parties.CITIZEN, parties.ORGANISATION):
        return str(stated)
    people = e.fields.get("parties") or []
    if not people and isinstance(e.fields.get("party"), dict):
        people = [e.fields["party"]]
    return parties.kind_of_all(people if isinstance(people, list) else [])


def summary_limits(
    rule_id: str, rule: P.SummaryLimits, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    citizen, organisation = _yuan(rule.citizen_limit), _yuan(rule.organisation_limit)
    for e in rec.of(rule.acts):
        penalty = str(e.fields.get("penalty") or "")
        if penalty and penalty not in rule.penalties:
            yield _finding(
                rule_id, rule, "penalty_not_allowed",
                f"“{e.label}”的处罚种类为“{penalty}”；当场只能作出"
                f"{'或'.join(rule.penalties)}的行政处罚，应适用一般程序",
                [e.seq],
            )  # fmt: skip
        amount = _amount(e.fields.get("amount"))
        if amount is None or amount <= rule.citizen_limit:
            continue
        if amount > rule.organisation_limit:
            yield _finding(
                rule_id, rule, "over_limit",
                f"“{e.label}”罚款 {_yuan(amount)} 元，超过当场处罚的限额（对公民 {citizen} 元、"
                f"对法人或者其他组织 {organisation} 元），应适用一般程序",
                [e.seq],
            )  # fmt: skip
            continue
        kind = _party_kind(rec, e)
        if kind == parties.CITIZEN:
            yield _finding(
                rule_id, rule, "over_limit",
                f"“{e.label}”对公民罚款 {_yuan(amount)} 元，超过当场处罚对公民 {citizen} 元的限额，"
                "应适用一般程序",
                [e.seq],
            )  # fmt: skip
        elif kind != parties.ORGANISATION:
            who = (
                "当事人为个体工商户"
                if kind == parties.SOLE_TRADER
                else "记录不能表明当事人是公民还是法人或者其他组织"
            )
            yield _finding(
                rule_id, rule, "party_kind_unknown",
                f"“{e.label}”罚款 {_yuan(amount)} 元，超过对公民 {citizen} 元的限额；{who}，"
                f"请核实：对公民只能当场罚款 {citizen} 元以下",
                [e.seq], Severity.WARNING,
            )  # fmt: skip


def procedure_match(
    rule_id: str, rule: P.ProcedureMatch, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    if rec.procedure == Procedure.ORDINARY:
        recorded = PROCEDURE_LABELS[Procedure.ORDINARY]
        for e in rec.of(rule.summary_acts):
            yield _finding(
                rule_id, rule, "summary_in_ordinary",
                f"案件记录为“{recorded}”，却以“{e.label}”当场作出处罚决定；"
                "一般程序应当立案、调查并制作行政处罚决定书",
                [e.seq],
            )  # fmt: skip
    elif rec.procedure == Procedure.SUMMARY:
        recorded = PROCEDURE_LABELS[Procedure.SUMMARY]
        for e in rec.of(rule.ordinary_acts):
            yield _finding(
                rule_id, rule, "ordinary_in_summary",
                f"案件记录为“{recorded}”，却有一般程序的“{e.label}”；"
                "转为一般程序的，应如实记录程序类型",
                [e.seq],
            )  # fmt: skip


def field_present(
    rule_id: str, rule: P.FieldPresent, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        if rule.if_present and e.fields.get(rule.if_present) in (None, "", []):
            continue
        if rule.excused_by and e.fields.get(rule.excused_by) is True:
            continue
        if e.fields.get(rule.field) in (None, "", []):
            yield _finding(
                rule_id, rule, "missing",
                f"“{e.label}”未记录“{_field_label(e.act, rule.field)}”", [e.seq],
            )  # fmt: skip


# --- what a decision states --------------------------------------------------------------------


def _imposes(e: Entry, names: list[str], word: str) -> bool:
    for name in names:
        value = e.fields.get(name)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and word in v for v in values):
            return True
    return False


def fine_amount(
    rule_id: str, rule: P.FineAmount, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        if not _imposes(e, rule.kinds_fields, "罚款"):
            continue
        amount = _amount(e.fields.get(rule.amount_field))
        if amount is None or amount <= 0:
            stated = "未载明" if amount is None else f"为 {_yuan(amount)} 元"
            yield _finding(
                rule_id, rule, "missing",
                f"“{e.label}”决定罚款，罚款数额{stated}", [e.seq],
            )  # fmt: skip


def field_mentions(
    rule_id: str, rule: P.FieldMentions, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        text = str(e.fields.get(rule.field) or "")
        lacking = [label for label, words in rule.mentions.items()
                   if not any(w in text for w in words)]  # fmt: skip
        if lacking:
            yield _finding(
                rule_id, rule, "incomplete",
                f"“{e.label}”的“{_field_label(e.act, rule.field)}”未载明"
                f"{'、'.join(lacking)}",
                [e.seq],
            )  # fmt: skip


# --- who signs ---------------------------------------------------------------------------------

_CERT = re.compile(r"\d{6,}")
# The blocks an officer signs in: one who signed a 笔录 as its 记录人 has signed it.
_OFFICER_BLOCKS = (Block.OFFICER, Block.RECORDER, Block.HOST, Block.SERVER)


def _unsigned_listed(listed: str, signed_certs: set[str], signed_names: set[str]) -> bool:
    certs = set(_CERT.findall(listed))
    if certs:
        return not certs & signed_certs and not any(n and n in listed for n in signed_names)
    return not any(n and n in listed for n in signed_names)


def officer_signatures(
    rule_id: str, rule: P.OfficerSignatures, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    latest: dict[tuple[Any, str], Entry] = {}
    for d in rec.of(["general.document"]):
        if d.fields.get("doc_type") in rule.documents:
            latest[(d.fields.get("act_seq"), str(d.fields.get("doc_type")))] = d
    by_seq = {e.seq: e for e in rec.entries}
    for (act_seq, doc_type), doc in latest.items():
        title = DOCUMENT_TYPES[doc_type]
        officers = [s for s in doc.fields.get("signatures") or []
                    if isinstance(s, dict) and s.get("role") in _OFFICER_BLOCKS]  # fmt: skip
        certs = {str(s["cert_no"]) for s in officers if s.get("cert_no")}
        names = {str(s["name"]) for s in officers if s.get("name")}
        listed_missing: list[str] = []
        content = doc.fields.get("content") or {}
        for name, label in rule.listed.items():
            listed = content.get(name) if isinstance(content, dict) else None
            people = [p for p in (listed if isinstance(listed, list) else [])
                      if isinstance(p, str) and _unsigned_listed(p, certs, names)]  # fmt: skip
            if people:
                listed_missing.append(f"列明的{label}{'、'.join(f'“{p}”' for p in people)}未签名")
        act = by_seq.get(act_seq) if isinstance(act_seq, int) else None
        missing = listed_missing + _actors_missing(act, officers, certs, names, listed_missing)
        if missing:
            yield _finding(
                rule_id, rule, "unsigned",
                f"《{title}》{'；'.join(missing)}（执法人员签名 {len(officers)} 个）",
                [*([act.seq] if act else []), doc.seq],
            )  # fmt: skip


def _actors_missing(
    act: Entry | None,
    officers: list[Any],
    certs: set[str],
    names: set[str],
    listed_missing: list[str],
) -> list[str]:
    """The officers who did the act (its actors, by certificate) and have not signed. Signatures
    imported without a certificate number can only be counted."""
    actors = list(dict.fromkeys(act.actors)) if act else []
    if act is None or len(actors) < 2:
        return []
    if all(s.get("cert_no") for s in officers):
        unsigned = [c for c in actors
                    if c not in certs and not any(c in m for m in listed_missing)]  # fmt: skip
        if unsigned:
            return [f"实施“{act.label}”的执法人员（执法证号 {'、'.join(unsigned)}）未签名"]
        return []
    people = {s.get("cert_no") or s.get("name") for s in officers}
    if len(people) < len(actors) and not listed_missing:
        return [f"“{act.label}”由 {len(actors)} 名执法人员实施，签名的执法人员只有 "
                f"{len(people)} 名"]  # fmt: skip
    return []


# --- times that contradict one another ---------------------------------------------------------


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def dated_after(
    rule_id: str, rule: P.DatedAfter, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for target in rec.of(rule.acts):
        decided = _day(target.fields.get(rule.date_field))
        if decided is None:
            continue
        for e in rec.of(rule.after):
            day = ctx.day(e.occurred_at)
            if e.seq < target.seq and day > decided:
                yield _finding(
                    rule_id, rule, "dated_before_evidence",
                    f"“{target.label}”的{_field_label(target.act, rule.date_field)}"
                    f"（{decided.isoformat()}）早于其所依据的“{e.label}”（{ctx.fmt(e.occurred_at)}）",
                    [e.seq, target.seq],
                )  # fmt: skip


_NUMBER_FIELDS = ("document_no", "decision_no", "notice_no", "number")


def service_dates(
    rule_id: str, rule: P.ServiceDates, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for s in rec.entries:
        number = s.fields.get("document_no")
        if not s.act.startswith("service.") or not number:
            continue
        served_at = parse_datetime(s.fields.get("served_at")) or s.occurred_at
        served = ctx.day(served_at)
        # the act that made the document: the first to carry its number (later acts, a 催告
        # say, name the decision they rest on by the same number)
        e = next(
            (
                e for e in rec.entries
                if e.seq < s.seq and not e.act.startswith(("service.", "general."))
                and any(e.fields.get(f) == number for f in _NUMBER_FIELDS)
            ),
            None,
        )  # fmt: skip
        if e is None:
            continue
        made = _day(e.fields.get("decided_on")) or ctx.day(e.occurred_at)
        if served < made:
            yield _finding(
                rule_id, rule, "served_before_made",
                f"《{s.fields.get('document', '文书')}》（{number}）的送达时间"
                f"（{ctx.fmt(served_at)}）早于“{e.label}”的日期（{made.isoformat()}）",
                [e.seq, s.seq],
            )  # fmt: skip


# Documents of an act that the law has made before it starts: a 听证通知书 is served seven days
# before the hearing (行政处罚法 第六十四条第二项), and documents.hearing_notice asks for it on
# the hearing; it records nothing of the hearing, so its earlier date is no early signature.
_MADE_BEFORE_THE_ACT = frozenset({"hearing_notice"})


def document_times(
    rule_id: str, rule: P.DocumentTimes, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    by_seq = {e.seq: e for e in rec.entries}
    for d in rec.of(["general.document"]):
        if d.fields.get("doc_type") in _MADE_BEFORE_THE_ACT:
            continue
        act = by_seq.get(d.fields.get("act_seq"))  # type: ignore[arg-type]
        started = parse_datetime(act.fields.get("started_at")) if act else None
        if act is None or started is None:
            continue
        title = DOCUMENT_TYPES.get(str(d.fields.get("doc_type")), "文书")
        early: list[str] = []
        issued = parse_datetime(d.fields.get("issued_at"))
        if issued is not None and issued < started:
            early.append(f"制作时间（{ctx.fmt(issued)}）")
        for s in d.fields.get("signatures") or []:
            signed = parse_datetime(s.get("signed_at")) if isinstance(s, dict) else None
            if signed is not None and signed < started:
                early.append(f"{s.get('name', '')}的签名时间（{ctx.fmt(signed)}）")
        if early:
            yield _finding(
                rule_id, rule, "before_start",
                f"《{title}》的{'、'.join(early)}早于“{act.label}”的开始时间"
                f"（{ctx.fmt(started)}）",
                [act.seq, d.seq],
            )  # fmt: skip


_NOT_COLLECTED = ("未", "不", "无", "没有")


def collection_limit(
    rule_id: str, rule: P.CollectionLimit, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    limit = _yuan(rule.limit)
    for e in rec.of(rule.acts):
        note = str(e.fields.get(rule.field) or "").strip()
        amount = _amount(e.fields.get("amount"))
        if not note or note.startswith(_NOT_COLLECTED) or amount is None or amount <= rule.limit:
            continue
        yield _finding(
            rule_id, rule, "over_limit",
            f"“{e.label}”当场收缴罚款 {_yuan(amount)} 元，超过 {limit} 元；"
            "请核实并记录不当场收缴事后难以执行等情形",
            [e.seq], Severity.WARNING,
        )  # fmt: skip


def _span(e: Entry) -> tuple[datetime, datetime] | None:
    start = parse_datetime(e.fields.get("started_at"))
    end = parse_datetime(e.fields.get("ended_at"))
    return (start, end) if start and end else None


def span_order(rule_id: str, rule: P.SpanOrder, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        span = _span(e)
        if span and span[1] < span[0]:
            yield _finding(
                rule_id, rule, "ends_before_start",
                f"“{e.label}”的结束时间（{ctx.fmt(span[1])}）早于开始时间（{ctx.fmt(span[0])}）",
                [e.seq],
            )  # fmt: skip


def _same_place(a: str, b: str) -> bool:
    return not a or not b or a in b or b in a


def actor_overlap(
    rule_id: str, rule: P.ActorOverlap, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    timed = [(e, span) for e in rec.of(rule.acts) if (span := _span(e)) and span[0] < span[1]]
    for i, (a, (a0, a1)) in enumerate(timed):
        for b, (b0, b1) in timed[i + 1 :]:
            both = [c for c in dict.fromkeys(a.actors) if c in b.actors]
            if not both or not (a0 < b1 and b0 < a1) or _same_place(a.place, b.place):
                continue
            yield _finding(
                rule_id, rule, "two_places_at_once",
                f"执法人员（执法证号 {'、'.join(both)}）同时记录在“{a.label}”"
                f"（{a.place}，{ctx.fmt(a0)}至{ctx.fmt(a1)}）和“{b.label}”"
                f"（{b.place}，{ctx.fmt(b0)}至{ctx.fmt(b1)}），请核实",
                [a.seq, b.seq], Severity.WARNING,
            )  # fmt: skip


CHECKS: dict[str, Callable[..., Iterator[Finding]]] = {
    "summary_limits": summary_limits,
    "procedure_match": procedure_match,
    "field_present": field_present,
    "fine_amount": fine_amount,
    "field_mentions": field_mentions,
    "officer_signatures": officer_signatures,
    "dated_after": dated_after,
    "service_dates": service_dates,
    "document_times": document_times,
    "collection_limit": collection_limit,
    "span_order": span_order,
    "actor_overlap": actor_overlap,
}
