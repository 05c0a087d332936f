"""One check per rule kind: a pure function from (rule, record, context) to findings.

Checks never raise on odd records: a record is evidence, and the engine must say what is wrong
with it rather than refuse to look.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from liuhen.procedure.catalog import DOCUMENT_TYPES, act_type
from liuhen.procedure.fields import SIGNER_ROLES, Block, parse_datetime
from liuhen.rules import content
from liuhen.rules import pack as P
from liuhen.rules.calendar import Due, WorkingCalendar
from liuhen.rules.findings import Finding, RetentionReason, Severity
from liuhen.rules.record import CaseRecord, Entry

AV_KINDS = ("video", "audio")  # what 全程 (continuous) recording is made of
STILL_KINDS = ("photo",)  # 照相: 音像记录 too (001 第三条、002 第三条), but never continuous
INTERRUPTION_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Context:
    now: datetime
    calendar: WorkingCalendar
    refusal_officers: int = 1  # officers who attest a party's refusal to sign (the pack's)
    # the agency's own standards (``compliance.service.rule_settings``): amounts, and periods
    # in years (``av_retention.<category>``)
    settings: Mapping[str, Decimal] = field(default_factory=dict)

    def fmt(self, moment: datetime) -> str:
        """A moment in a finding as the reader reads dates: 2026年5月25日 10:30, local time."""
        t = moment.astimezone(self.calendar.tz)
        return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"

    def day(self, moment: datetime) -> date:
        """The agency's calendar day of a moment: what a date typed on a form is compared with."""
        return moment.astimezone(self.calendar.tz).date()


def _label(code: str) -> str:
    spec = act_type(code)
    return spec.label if spec else code


def _finding(
    rule_id: str,
    rule: Any,
    outcome: str,
    message: str,
    seqs: tuple[int, ...] | list[int],
    severity: Severity | None = None,
    due: Due | None = None,
    cite: list[str] | None = None,
) -> Finding:
    return Finding(
        code=f"{rule_id}:{outcome}",
        rule=rule_id,
        severity=severity or Severity(rule.severity),
        title=rule.title,
        message=message,
        cite=tuple(cite or rule.cite_by_outcome.get(outcome) or rule.cite),
        remedy=rule.remedy,
        seqs=tuple(seqs),
        due_at=due.at.isoformat() if due else None,
        provisional=bool(due and due.provisional),
    )


def deadline(calendar: WorkingCalendar, start: datetime, limit: P.Limit) -> Due:
    if limit.hours is not None:
        return calendar.add_hours(start, limit.hours)
    if limit.days is not None:
        return calendar.add_days(start, limit.days, limit.holiday_extends)
    assert limit.working_days is not None
    return calendar.add_working_days(start, limit.working_days)


# --- people and fields -----------------------------------------------------------------------


def min_officers(
    rule_id: str, rule: P.MinOfficers, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        if len(set(e.actors)) < rule.min:
            yield _finding(
                rule_id, rule, "too_few",
                f"“{e.label}”记录的执法人员为 {len(set(e.actors))} 名，应不少于 {rule.min} 名",
                [e.seq],
            )  # fmt: skip


def field_true(rule_id: str, rule: P.FieldTrue, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        if e.fields.get(rule.field) is False:
            spec = act_type(e.act)
            label = (
                next((f.label for f in spec.fields if f.name == rule.field), rule.field)
                if spec
                else rule.field
            )
            yield _finding(rule_id, rule, "false", f"“{e.label}”记载“{label}”为否", [e.seq])


# --- audio-video -------------------------------------------------------------------------------


def _av_of(rec: CaseRecord, seq: int, kinds: tuple[str, ...] = AV_KINDS) -> list[Entry]:
    return [m for m in rec.attached("general.media", seq) if m.fields.get("kind") in kinds]


def audio_video(
    rule_id: str, rule: P.AudioVideo, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    if rule.level == "none":
        return
    kinds = AV_KINDS if rule.continuous else AV_KINDS + STILL_KINDS
    for e in rec.of(rule.acts):
        if not _fields_match(e, rule.fields):
            continue
        if clips := _av_of(rec, e.seq, kinds):
            if rule.whole_duration:
                yield from _uncovered(rule_id, rule, e, clips)
            continue
        if rule.unsuitable_excepted and any(
            u.fields.get("reason") for u in rec.attached("general.av_unsuitable", e.seq)
        ):
            continue
        cite = rule.cite_for(e.act)
        stills = not rule.continuous or not _av_of(rec, e.seq, STILL_KINDS)
        if rule.level == "mandatory" and rule.continuous:
            what = "没有音像记录" if stills else "只有照片，没有录像或录音"
            yield _finding(
                rule_id, rule, "missing", f"“{e.label}”{what}（应当全程音像记录）", [e.seq],
                cite=cite,
            )  # fmt: skip
        elif rule.level == "mandatory":
            yield _finding(
                rule_id, rule, "missing", f"“{e.label}”没有音像记录（应当进行音像记录）",
                [e.seq], cite=cite,
            )  # fmt: skip
        else:
            yield _finding(
                rule_id, rule, "unrecorded",
                f"“{e.label}”没有音像记录；依规定应根据实际情况进行音像记录，请确认并说明",
                [e.seq], Severity.WARNING, cite=cite,
            )  # fmt: skip


def _uncovered(rule_id: str, rule: P.AudioVideo, e: Entry, clips: list[Entry]) -> Iterator[Finding]:
    """The stretches of ``e``'s start-to-end its clips leave unrecorded (their union is what
    covers it: a body camera's clip and the site's surveillance may take turns)."""
    start, end = (
        parse_datetime(e.fields.get("started_at")),
        parse_datetime(e.fields.get("ended_at")),
    )
    if start is None or end is None or end <= start:
        return
    gaps: list[tuple[datetime, datetime]] = []
    reached = start
    for a, b in sorted(c for c in map(_clips, clips) if c is not None):
        if a > reached and reached < end:
            gaps.append((reached, min(a, end)))
        reached = max(reached, b)
    if reached < end:
        gaps.append((reached, end))
    if gaps:
        spans = "、".join(f"{a:%H:%M:%S}—{b:%H:%M:%S}" for a, b in gaps)
        yield _finding(
            rule_id, rule, "partial",
            f"“{e.label}”的音像记录未覆盖其全程：{spans} 没有录像或录音（应当全程音像记录）",
            [e.seq, *(m.seq for m in clips)], cite=rule.cite_for(e.act),
        )  # fmt: skip


def _clips(m: Entry) -> tuple[datetime, datetime] | None:
    start, end = (
        parse_datetime(m.fields.get("started_at")),
        parse_datetime(m.fields.get("ended_at")),
    )
    return (start, end) if start and end else None


def av_storage(rule_id: str, rule: P.AVStorage, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    for m in rec.of(["general.media"]):
        span = _clips(m)
        stored = parse_datetime(m.fields.get("stored_at"))
        if span is None or stored is None:
            continue
        anchor, counted_from = span[1], "结束记录"
        if rule.remote_exemption and m.fields.get("remote"):
            returned = parse_datetime(m.fields.get("returned_at"))
            if returned is None:
                yield _finding(
                    rule_id, rule, "no_return_time",
                    "异地或连续执法的音像记录未记载返回单位时间，无法计算存储期限",
                    [m.seq], Severity.WARNING,
                )  # fmt: skip
                continue
            anchor, counted_from = max(returned, span[1]), "返回单位"
        due = deadline(ctx.calendar, anchor, rule.limit)
        if stored > due.at:
            yield _finding(
                rule_id, rule, "late",
                f"音像记录（设备 {m.fields.get('device_no')}）于 {ctx.fmt(stored)} 才存储，"
                f"超过{counted_from}后 {rule.limit.label()}的期限（{ctx.fmt(due.at)}）",
                [m.seq], due=due,
            )  # fmt: skip


def _interruption_note(notes: list[Entry], device: Any, since: datetime, until: datetime) -> Any:
    """The note of ``device``'s interruption between ``since`` and ``until``, if any."""
    return next(
        (
            n for n in notes
            if n.fields.get("device_no") == device
            and (t := parse_datetime(n.fields.get("interrupted_at"))) is not None
            and since - INTERRUPTION_TOLERANCE <= t <= until + INTERRUPTION_TOLERANCE
        ),
        None,
    )  # fmt: skip


def av_interruption(
    rule_id: str, rule: P.AVInterruption, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    """A gap between two clips of one device, or a recording that stops before the act it
    records ends (不间断记录至执法活动结束, 001 第十三条), needs its note; a note of a
    recording never resumed (no 恢复时间) is the written one the texts ask for after the fact,
    signed as the pack says (001 第十四条, 003 第二十二条)."""
    notes = rec.of(["general.av_interruption"])
    groups: dict[tuple[Any, Any], list[tuple[datetime, datetime, Entry]]] = {}
    for m in rec.of(["general.media"]):
        span = _clips(m)
        if span and m.fields.get("kind") in AV_KINDS:
            groups.setdefault((m.fields.get("act_seq"), m.fields.get("device_no")), []).append(
                (*span, m)
            )
    gap = timedelta(minutes=rule.gap_minutes)
    acts = {e.seq: e for e in rec.entries}
    judged: set[int] = set()  # notes whose signatures were judged with their gap
    ends: dict[Any, list[tuple[datetime, Entry]]] = {}  # device -> (its last clip's end, act)
    for (act_seq, device), clips in groups.items():
        clips.sort(key=lambda c: c[0])
        for (_s1, end1, m1), (start2, _e2, m2) in pairwise(clips):
            if start2 - end1 <= gap:
                continue
            note = _interruption_note(notes, device, end1, start2)
            minutes = int((start2 - end1).total_seconds() // 60)
            if note is None:
                yield _finding(
                    rule_id, rule, "unexplained",
                    f"设备 {device} 的音像记录在 {ctx.fmt(end1)} 至 {ctx.fmt(start2)} "
                    f"中断 {minutes} 分钟，未见中断说明",
                    [m1.seq, m2.seq],
                )  # fmt: skip
            else:
                judged.add(note.seq)
                yield from _unsigned(rule_id, rule, note)
        act = acts.get(act_seq) if isinstance(act_seq, int) else None
        act_span = _clips(act) if act is not None else None
        last_end, last = max((c[1], c[2].seq) for c in clips)
        if act is None or act_span is None:
            continue
        ends.setdefault(device, []).append((last_end, act))
        if act_span[1] - last_end <= gap:
            continue
        if _interruption_note(notes, device, last_end, act_span[1]) is None:
            yield _finding(
                rule_id, rule, "stopped",
                f"设备 {device} 的音像记录于 {ctx.fmt(last_end)} 停止，而“{act.label}”至 "
                f"{ctx.fmt(act_span[1])} 才结束，未见中断说明",
                [act.seq, last],
            )  # fmt: skip
    yield from _unresumed(rule_id, rule, ctx, [n for n in notes if n.seq not in judged], ends)
    if rule.from_start:
        yield from _started_late(rule_id, rule, ctx, acts, groups, gap)
    if rule.resume_spoken:
        yield from _resumed_unspoken(rule_id, rule, ctx, notes)


def _resumed_unspoken(
    rule_id: str, rule: P.AVInterruption, ctx: Context, notes: list[Entry]
) -> Iterator[Finding]:
    """Notes of recordings that resumed, explained otherwise than by voice at the restart."""
    for note in notes:
        resumed = parse_datetime(note.fields.get("resumed_at"))
        if resumed is not None and note.fields.get("form") != "语音说明":
            yield _finding(
                rule_id, rule, "not_spoken",
                f"音像记录于 {ctx.fmt(resumed)} 重新开始，中止原因应在重新开始记录时语音说明，"
                f"现记为“{note.fields.get('form') or '未注明'}”；请确认是否已语音说明",
                [note.seq], Severity.WARNING,
            )  # fmt: skip


def _started_late(
    rule_id: str,
    rule: P.AVInterruption,
    ctx: Context,
    acts: dict[int, Entry],
    groups: dict[tuple[Any, Any], list[tuple[datetime, datetime, Entry]]],
    gap: timedelta,
) -> Iterator[Finding]:
    """Acts whose earliest recording, on any device, began more than ``gap`` after the act's
    recorded start."""
    first: dict[int, tuple[datetime, int]] = {}
    for (act_seq, _device), clips in groups.items():
        if isinstance(act_seq, int):
            earliest = min((c[0], c[2].seq) for c in clips)
            first[act_seq] = min(first.get(act_seq, earliest), earliest)
    for act_seq, (began, media) in sorted(first.items()):
        act = acts.get(act_seq)
        span = _clips(act) if act is not None else None
        if act is not None and span is not None and began - span[0] > gap:
            yield _finding(
                rule_id, rule, "started_late",
                f"“{act.label}”自 {ctx.fmt(span[0])} 开始，音像记录 {ctx.fmt(began)} 才开始"
                "（应自到达现场开展执法活动时开始记录）",
                [act.seq, media],
            )  # fmt: skip


def _unresumed(
    rule_id: str,
    rule: P.AVInterruption,
    ctx: Context,
    notes: list[Entry],
    ends: dict[Any, list[tuple[datetime, Entry]]],
) -> Iterator[Finding]:
    """Notes of recordings never resumed: written (事后书面说明), signed as the pack says, and
    made once the act they stopped in had ended (在现场执法结束后, 003 第二十二条)."""
    for note in notes:
        if note.fields.get("resumed_at"):
            continue
        if note.fields.get("form") != "书面说明":
            yield _finding(
                rule_id, rule, "not_written",
                "音像记录中断后未再恢复（确实无法继续记录），应事后书面说明情况，"
                f"现为“{note.fields.get('form') or '未注明'}”",
                [note.seq],
            )  # fmt: skip
            continue
        yield from _unsigned(rule_id, rule, note)
        stopped = parse_datetime(note.fields.get("interrupted_at"))
        act = next(
            (a for end, a in ends.get(note.fields.get("device_no"), [])
             if stopped is not None and abs(end - stopped) <= INTERRUPTION_TOLERANCE),
            None,
        )  # fmt: skip
        act_span = _clips(act) if act is not None else None
        if act is not None and act_span is not None and note.occurred_at < act_span[1]:
            yield _finding(
                rule_id, rule, "written_during",
                f"音像记录中断的书面说明作出于 {ctx.fmt(note.occurred_at)}，早于“{act.label}”"
                f"结束（{ctx.fmt(act_span[1])}）：应在现场执法结束后书面说明情况",
                [act.seq, note.seq],
            )  # fmt: skip


def _unsigned(rule_id: str, rule: P.AVInterruption, note: Entry) -> Iterator[Finding]:
    if (
        rule.written_signatures
        and note.fields.get("form") == "书面说明"
        and len(set(note.fields.get("signing_officers") or [])) < rule.written_signatures
    ):
        yield _finding(
            rule_id, rule, "unsigned",
            f"音像记录中断的书面说明应由 {rule.written_signatures} 名以上执法人员签字",
            [note.seq],
        )  # fmt: skip


def _recorded_acts(rec: CaseRecord) -> Iterator[tuple[Entry, list[Entry]]]:
    for e in rec.entries:
        media = _av_of(rec, e.seq)
        if media:
            yield e, media


def evidence_described(
    rule_id: str, rule: P.EvidenceDescribed, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    media = {str(m.fields.get("digest")): m for m in rec.of(["general.media"])}
    for e in rec.of(rule.acts):
        for digest in e.fields.get(rule.field) or []:
            m = media.get(str(digest))
            short = str(digest).rpartition(":")[2][:12]
            if m is None:
                yield _finding(
                    rule_id, rule, "not_in_case",
                    f"作为证据的音像文件（{short}…）不是本案归入的音像记录，无从注明其记录的事项、时间、"
                    "地点、方式和执法人员", [e.seq],
                )  # fmt: skip
            elif not isinstance(m.fields.get("act_seq"), int) or _clips(m) is None:
                yield _finding(
                    rule_id, rule, "unbound",
                    f"作为证据的音像记录（{short}…）未指明所记录的事项或起止时间，无从注明其记录的"
                    "事项、时间、地点和执法人员", [e.seq, m.seq],
                )  # fmt: skip


def device_check(
    rule_id: str, rule: P.DeviceCheck, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    checks = rec.of(["general.device_check"])
    window = timedelta(hours=rule.within_hours)
    for e, media in _recorded_acts(rec):
        for device in sorted({str(m.fields.get("device_no")) for m in media}):
            starts = [s for m in media if m.fields.get("device_no") == device and (s := _clips(m))]
            if not starts:
                continue
            first = min(s[0] for s in starts)
            ok = any(
                c.fields.get("device_no") == device and c.fields.get("works") is not False
                and first - window <= c.occurred_at <= first
                for c in checks
            )  # fmt: skip
            if not ok:
                yield _finding(
                    rule_id, rule, "missing",
                    f"“{e.label}”的音像记录（设备 {device}）开始前 {rule.within_hours} 小时内"
                    "未见设备检查记录",
                    [e.seq, *[m.seq for m in media if m.fields.get('device_no') == device]],
                )  # fmt: skip


def opening_statement(
    rule_id: str, rule: P.OpeningStatement, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for e, media in _recorded_acts(rec):
        timed = [(s[0], m) for m in media if (s := _clips(m))]
        if not timed:
            continue
        first = min(timed, key=lambda t: t[0])[1]
        if rule.statement and first.fields.get("opening_statement") is not True:
            yield _finding(
                rule_id, rule, "missing",
                f"“{e.label}”的音像记录开始时未语音说明时间、地点、执法人员、事由等",
                [e.seq, first.seq],
            )  # fmt: skip
        if rule.notice and first.fields.get("recording_notified") is not True:
            yield _finding(
                rule_id, rule, "not_notified",
                f"“{e.label}”的音像记录开始时未告知当事人及现场其他人员正在进行音像记录",
                [e.seq, first.seq],
            )  # fmt: skip


# --- documents ---------------------------------------------------------------------------------

_COUNT = {2: "两", 3: "三"}

# the signing chain of an internal form (内部审批表, 法制审核意见书): who signs after whom
_CHAIN = (Block.OFFICER, Block.REVIEWER, Block.APPROVER)
# what may be recorded while a form waits without taking the case a step further: its new
# versions and returns, A/V uploaded later, corrections, checks and the case's bookkeeping
_NOT_A_STEP = {
    "general.document", "general.approval_returned", "general.media", "general.correction",
    "general.content_check", "general.device_check", "general.review_access",
    "general.assignment", "general.confidentiality",
}  # fmt: skip


def _internal(doc_type: str) -> bool:
    return doc_type.endswith("_approval") or doc_type == "legal_review_opinion"


def _awaiting(rec: CaseRecord, doc: Entry, role: str, roles: Any) -> bool:
    """Whether an internal form's unsigned reviewer's or approver's block is one the workflow
    still waits for: nobody after him in the chain has signed, and nothing but documents was
    recorded after the form (no act resting on the approval, no decision, no closing). Until
    then the case simply has not reached the step, and calling it a violation is false."""
    if role not in (Block.REVIEWER, Block.APPROVER) or not _internal(
        str(doc.fields.get("doc_type"))
    ):
        return False
    if any(r in roles for r in _CHAIN[_CHAIN.index(Block(role)) + 1 :]):
        return False  # the chain went past his block without him
    return not any(e.seq > doc.seq and e.act not in _NOT_A_STEP for e in rec.entries)


def _missing_signature(
    rule_id: str,
    rule: Any,
    rec: CaseRecord,
    doc: Entry,
    role: str,
    roles: Any,
    name: str,
    message: str,
    seqs: list[int],
) -> Finding:
    """A missing signature: a hint while the form still awaits it, else the rule's finding."""
    if _awaiting(rec, doc, role, roles):
        return _finding(
            rule_id,
            rule,
            f"pending.{role}",
            f"待签名：《{name}》尚待{SIGNER_ROLES[role]}签署",
            seqs,
            Severity.WARNING,
        )
    return _finding(rule_id, rule, f"unsigned.{role}", message, seqs)


def documents(rule_id: str, rule: P.Documents, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        if not _fields_match(e, rule.fields):
            continue
        attached = rec.attached("general.document", e.seq)
        for req in rule.documents:
            name = DOCUMENT_TYPES[req.type]
            docs = [d for d in attached if d.fields.get("doc_type") == req.type]
            if not docs:
                yield _finding(rule_id, rule, "missing", f"“{e.label}”缺少《{name}》", [e.seq])
                continue
            doc = docs[-1]  # the latest version
            signatures = doc.fields.get("signatures") or []
            roles = [s.get("role") for s in signatures]
            for role in req.signers:
                if role not in roles:
                    yield _missing_signature(
                        rule_id, rule, rec, doc, role, roles, name,
                        f"《{name}》缺少{SIGNER_ROLES[role]}签名", [e.seq, doc.seq],
                    )  # fmt: skip
            if req.witness and Block.WITNESS not in roles:
                yield _finding(
                    rule_id, rule, "no_witness", f"《{name}》缺少见证人签名", [e.seq, doc.seq]
                )
            if req.party and Block.PARTY not in roles:
                refused = doc.fields.get("party_refused") is True
                officers = len(
                    {
                        s.get("cert_no") or s.get("name")
                        for s in signatures
                        if s.get("role") == Block.OFFICER
                    }
                )  # distinct people, not signature lines
                if not refused:
                    yield _finding(
                        rule_id, rule, "party_unsigned",
                        f"《{name}》既无当事人签名，也未注明当事人拒绝签字", [e.seq, doc.seq],
                    )  # fmt: skip
                elif not doc.fields.get("refusal_reason") or officers < ctx.refusal_officers:
                    n = ctx.refusal_officers
                    who = f"由{_COUNT.get(n, n)}名以上执法人员签字" if n > 1 else "由执法人员签字"
                    yield _finding(
                        rule_id, rule, "refusal_unattested",
                        f"《{name}》注明当事人拒签，但应注明情况并{who}（现有 {officers} 名）",
                        [e.seq, doc.seq],
                    )  # fmt: skip


def participants_signed(
    rule_id: str, rule: P.ParticipantsSigned, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    name = DOCUMENT_TYPES[rule.document]
    for e in rec.of(rule.acts):
        doc = rec.latest_document(e.seq, rule.document)
        if doc is None:
            continue
        signed = {str(s.get("name")) for s in doc.fields.get("signatures") or [] if s.get("name")}
        notes = [*(e.fields.get(f) for f in rule.notes), doc.fields.get("refusal_reason"),
                 *(doc.fields.get("participant_notes") or [])]  # fmt: skip
        noted = " ".join(str(v) for v in notes if v)
        people = [p for p in e.fields.get(rule.field) or [] if isinstance(p, dict)]
        missing = [
            n for p in people
            if (n := str(p.get("name") or "")) and n not in signed and n not in noted
        ]  # fmt: skip
        if missing:
            yield _finding(
                rule_id, rule, "unsigned",
                f"《{name}》缺少参加人{'、'.join(missing)}的签名，也未注明其拒签或退出的情况",
                [e.seq, doc.seq],
            )  # fmt: skip


def form_signatures(
    rule_id: str, rule: P.FormSignatures, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    latest: dict[tuple[Any, str], Entry] = {}  # (act, form) -> its latest version
    for d in rec.of(["general.document"]):
        kind = str(d.fields.get("doc_type"))
        if kind in rule.documents:
            latest[(d.fields.get("act_seq"), kind)] = d
    for (act_seq, kind), doc in latest.items():
        name = DOCUMENT_TYPES[kind]
        seqs = [act_seq, doc.seq] if isinstance(act_seq, int) else [doc.seq]
        signatures = doc.fields.get("signatures") or []
        roles = {s.get("role") for s in signatures}
        for role in rule.documents[kind]:
            if role not in roles:
                yield _missing_signature(
                    rule_id, rule, rec, doc, role, roles, name,
                    f"《{name}》缺少{SIGNER_ROLES[role]}的签名（意见）", seqs,
                )  # fmt: skip
        dated = {Block.OFFICER, Block.REVIEWER, Block.APPROVER, *rule.documents[kind]}
        undated = [
            str(s.get("name") or SIGNER_ROLES.get(str(s.get("role")), s.get("role")))
            for s in signatures
            if s.get("role") in dated and not s.get("signed_at")
        ]  # fmt: skip
        if undated:
            yield _finding(
                rule_id, rule, "undated",
                f"《{name}》上{'、'.join(undated)}的签名未载明签字日期", seqs,
            )  # fmt: skip


# --- order and obligations -------------------------------------------------------------------


def order(rule_id: str, rule: P.Order, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    for target in rec.of(rule.acts):
        for needed in rule.before:
            prior = [
                e for e in rec.of([needed])
                if e.seq < target.seq and e.occurred_at <= target.occurred_at
                and e.fields.get("approved") is not False
            ]  # fmt: skip
            if not prior:
                yield _finding(
                    rule_id, rule, "out_of_order",
                    f"“{target.label}”之前未见“{_label(needed)}”", [target.seq],
                )  # fmt: skip


def opening_approved(
    rule_id: str, rule: P.OpeningApproved, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    """Whatever of ``rule.before`` was done after the opening and before the head approved."""
    for opening in rec.of(rule.acts):
        if rule.legacy_fields and all(opening.fields.get(f) for f in rule.legacy_fields):
            continue  # an older record: the head's opinion and name typed on the opening act
        answers = [
            a for a in rec.of(["decision.head_approval"])
            if a.fields.get("subject_seq") == opening.seq
        ]  # fmt: skip
        refused = any(a.fields.get("approved") is False for a in answers)
        approved = [a.seq for a in answers if a.fields.get("approved") is True]
        if not refused:  # a signed approver's block approves, unless he said no
            approved += [
                d.seq for d in rec.attached("general.document", opening.seq)
                if d.fields.get("doc_type") == rule.document
                and any(s.get("role") == Block.APPROVER and s.get("method") == "PAdES"
                        for s in d.fields.get("signatures") or [])
            ]  # fmt: skip
        first = min(approved, default=None)
        asked = {a.seq for a in answers}  # his answer itself is no step taken without it
        early = [
            e for e in rec.of(rule.before)
            if e.seq > opening.seq and e.seq not in asked and (first is None or e.seq < first)
        ]  # fmt: skip
        if early:
            yield _finding(
                rule_id, rule, "unapproved",
                f"“{opening.label}”未经负责人批准即已“{early[0].label}”",
                [opening.seq, early[0].seq],
            )  # fmt: skip


def refused_undone(
    rule_id: str, rule: P.RefusedUndone, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    """Each measure whose head's last answer said no, and that no ``undo`` act names."""
    answers: dict[Any, Entry] = {}
    for a in rec.of(["decision.head_approval"]):  # in journal order: the last answer stands
        answers[a.fields.get("subject_seq")] = a
    wanted = "或".join(f"“{_label(a)}”" for a in rule.undo)
    for measure in rec.of(rule.acts):
        answer = answers.get(measure.seq)
        if answer is None or answer.fields.get("approved") is not False:
            continue
        undone = any(
            e.seq > measure.seq and any(e.fields.get(link) == measure.seq for link in rule.links)
            for e in rec.of(rule.undo)
        )
        if not undone:
            yield _finding(
                rule_id, rule, "not_undone",
                f"负责人不批准“{measure.label}”（审批序号 {answer.seq}），仍未见{wanted}",
                [measure.seq, answer.seq],
            )  # fmt: skip


def _served(rec: CaseRecord, demand: Entry, target: Entry) -> Entry | None:
    """The first service of the demand's 催告书 journaled between it and ``target``: by its
    number, or, a demand of no number, by the served document's name."""
    number = demand.fields.get("document_no")
    return next(
        (
            s for s in rec.entries
            if s.act.startswith("service.") and demand.seq < s.seq < target.seq
            and s.occurred_at <= target.occurred_at
            and (s.fields.get("document_no") == number if number
                 else "催告" in str(s.fields.get("document") or ""))
        ),
        None,
    )  # fmt: skip


def after_demand(
    rule_id: str, rule: P.AfterDemand, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for target in rec.of(rule.acts):
        demands = [
            d for d in rec.of(rule.demand)
            if d.seq < target.seq and d.occurred_at <= target.occurred_at
        ]  # fmt: skip
        if not demands:
            continue
        demand = demands[-1]
        name = f"催告书（{demand.fields.get('document_no') or '无文号'}）"
        served = _served(rec, demand, target)
        if served is None:
            yield _finding(
                rule_id, rule, "not_served",
                f"“{target.label}”之前未见{name}送达当事人的记录", [demand.seq, target.seq],
            )  # fmt: skip
        wait = rule.wait_after_service.get(target.act)
        if served is not None and wait is not None:
            on = ctx.day(parse_datetime(served.fields.get("served_at")) or served.occurred_at)
            if ctx.day(target.occurred_at) <= on + timedelta(days=wait):
                yield _finding(
                    rule_id, rule, "too_soon",
                    f"{name}于 {on.year}年{on.month}月{on.day}日送达，送达{wait}日后方可"
                    f"“{target.label}”，却于 {ctx.fmt(target.occurred_at)} 即已办理",
                    [served.seq, target.seq],
                )  # fmt: skip
        by = _date(demand.fields.get(rule.deadline_field))
        if by is not None and ctx.day(target.occurred_at) <= by:
            yield _finding(
                rule_id, rule, "before_deadline",
                f"{name}限定的履行期限（{by.year}年{by.month}月{by.day}日）尚未届满，"
                f"即于 {ctx.fmt(target.occurred_at)} “{target.label}”",
                [demand.seq, target.seq],
            )  # fmt: skip
        for s in rec.of(rule.statements):
            waived = rule.waived_field is not None and s.fields.get(rule.waived_field) is True
            if (
                demand.seq < s.seq < target.seq
                and not waived
                and any(s.fields.get(f) in (None, "", []) for f in rule.review_fields)
            ):
                yield _finding(
                    rule_id, rule, "unreviewed",
                    f"当事人收到{name}后的“{s.label}”未记录复核及是否采纳的理由，"
                    f"即“{target.label}”",
                    [s.seq, target.seq],
                )  # fmt: skip


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def kept(rule_id: str, rule: P.Kept, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    """The act's papers are kept: its own files or a 补充附件's naming it (a 回执 comes back
    after the 邮寄送达 is recorded). A rule naming ``kinds`` counts only files recorded as
    those kinds, each one needed: a 送达回证 the office issued is not the 回执 that came back."""
    for e in rec.of(rule.acts):
        supplements = rec.attached("general.supplement", e.seq)
        if not rule.kinds:
            if e.attachments or supplements or rec.attached("general.document", e.seq):
                continue
            yield _finding(
                rule_id, rule, "missing",
                f"“{e.label}”未留存{rule.what}（记录的附件、补充附件或归入的文书）", [e.seq],
            )  # fmt: skip
            continue
        have = {k for x in (e, *supplements) for k in x.attachment_kinds}
        lacking = [k for k in rule.kinds if k not in have]
        if lacking:
            files = e.attachments + sum(x.attachments for x in supplements)
            told = f"（已有 {files} 个附件，均未注明为该类别）" if files else ""
            yield _finding(
                rule_id, rule, "missing",
                f"“{e.label}”未留存{rule.what}：没有注明为“{'”“'.join(lacking)}”的附件"
                f"或补充附件{told}", [e.seq],
            )  # fmt: skip


def _first_signed(docs: list[Entry], role: str) -> datetime | None:
    """The earliest time any version of a form was signed in ``role``'s block (a later
    version carries the earlier signatures on; a signature found invalid counts for nothing)."""
    times = [
        t for d in docs for s in d.fields.get("signatures") or []
        if s.get("role") == role and s.get("valid") is not False
        and (t := parse_datetime(s.get("signed_at"))) is not None
    ]  # fmt: skip
    return min(times, default=None)


def reviewed_first(
    rule_id: str, rule: P.ReviewedFirst, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    forms: dict[tuple[Any, str], list[Entry]] = {}
    for d in rec.of(["general.document"]):
        if d.fields.get("doc_type") in rule.documents:
            forms.setdefault((d.fields.get("act_seq"), str(d.fields.get("doc_type"))), []).append(d)
    acts = {e.seq: e for e in rec.entries}
    for (act_seq, doc_type), docs in forms.items():
        reviewed = _first_signed(docs, Block.REVIEWER)
        approved = _first_signed(docs, Block.APPROVER)
        if reviewed is not None and approved is not None and approved < reviewed:
            act = acts.get(act_seq) if isinstance(act_seq, int) else None
            yield _finding(
                rule_id, rule, "approved_before_review",
                f"《{DOCUMENT_TYPES[doc_type]}》的批准人于 {ctx.fmt(approved)} 签署，"
                f"早于审核人审核（{ctx.fmt(reviewed)}）",
                [*([act.seq] if act else []), docs[-1].seq],
            )  # fmt: skip
    drafts = {e.seq for e in rec.of(["decision.draft"])}
    for target in rec.of(rule.acts):
        reviews = [r for r in rec.of(rule.review) if r.seq < target.seq]
        approvals = [
            a for a in rec.of(["decision.head_approval"])
            if a.seq < target.seq and a.fields.get("approved") is True
            and a.fields.get("subject_seq") in (None, *drafts)
        ]  # fmt: skip
        if reviews and approvals and approvals[-1].seq < reviews[-1].seq:
            yield _finding(
                rule_id, rule, "approved_before_review",
                f"负责人于 {ctx.fmt(approvals[-1].occurred_at)} 批准，“{reviews[-1].label}”"
                f"却在其后（{ctx.fmt(reviews[-1].occurred_at)}）才记录，其后未再经批准即"
                f"“{target.label}”",
                [approvals[-1].seq, reviews[-1].seq, target.seq],
            )  # fmt: skip


def checked_when_due(
    rule_id: str, rule: P.CheckedWhenDue, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for e in rec.of(rule.acts):
        by = _date(e.fields.get(rule.date_field))
        if by is None:
            continue
        checks = [c for c in rec.of(rule.check) if c.seq > e.seq]
        if any(
            _fields_match(c, rule.done)
            or ctx.day(parse_datetime(c.fields.get(rule.check_date_field)) or c.occurred_at) >= by
            for c in checks
        ):
            continue
        due = Due(datetime.combine(by, time(23, 59, 59), ctx.calendar.tz))
        wanted = "或".join(f"“{_label(a)}”" for a in rule.check)
        when = f"{by.year}年{by.month}月{by.day}日"
        if ctx.day(ctx.now) > by:
            yield _finding(
                rule_id, rule, "overdue",
                f"“{e.label}”限定的期限（{when}）已届满，仍未见期限届满后的{wanted}",
                [e.seq, *[c.seq for c in checks]], due=due,
            )  # fmt: skip
        else:
            yield _finding(
                rule_id, rule, "due", f"“{e.label}”限定的期限（{when}）届满后应{wanted}",
                [e.seq], Severity.DUE, due,
            )  # fmt: skip


def _fields_match(e: Entry, wanted: dict[str, list[Any]] | None) -> bool:
    return not wanted or all(e.fields.get(k) in values for k, values in wanted.items())


def _mentions(e: Entry, wanted: dict[str, list[str]] | None) -> bool:
    """Each named field (a text, or a list of texts) contains one of its words."""
    for name, words in (wanted or {}).items():
        value = e.fields.get(name)
        texts = [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
        if not any(w in t for t in texts for w in words):
            return False
    return True


def requires(rule_id: str, rule: P.Requires, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    for trigger in rec.of(rule.acts):
        if not _fields_match(trigger, rule.fields) or not _mentions(trigger, rule.mentions):
            continue
        if not any(e.seq > trigger.seq for e in rec.of(rule.require)):
            wanted = "或".join(f"“{_label(a)}”" for a in rule.require)
            yield _finding(
                rule_id, rule, "missing", f"“{trigger.label}”之后未见{wanted}", [trigger.seq]
            )


_NUMBER_FIELDS = ("document_no", "decision_no", "notice_no", "number")


def served_issued(
    rule_id: str, rule: P.ServedIssued, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    for s in rec.entries:
        if not s.act.startswith("service."):
            continue
        number = s.fields.get("document_no")
        issued = any(
            e.seq < s.seq and not e.act.startswith("service.")
            and any(e.fields.get(f) == number for f in _NUMBER_FIELDS)
            for e in rec.entries
        )  # fmt: skip
        if number and not issued:
            yield _finding(
                rule_id, rule, "not_issued",
                f"送达的《{s.fields.get('document', '文书')}》（{number}）在送达前未见作出记录",
                [s.seq],
            )  # fmt: skip


# --- deadlines ---------------------------------------------------------------------------------


def _ends_for(rule: P.Deadline, rec: CaseRecord, start: Entry) -> list[Entry]:
    out = []
    for e in rec.of(rule.end):
        if e.seq <= start.seq:
            continue
        spec = act_type(e.act)
        if (
            rule.link
            and spec is not None
            and rule.link in spec.field_names
            and e.fields.get(rule.link) != start.seq
        ):
            continue
        if rule.match and any(
            e.fields.get(k) != start.fields.get(v) for k, v in rule.match.items()
        ):
            continue
        out.append(e)
    return sorted(out, key=lambda e: (e.occurred_at, e.seq))


def deadline_rule(
    rule_id: str, rule: P.Deadline, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    starts = [s for s in rec.of(rule.start) if _fields_match(s, rule.start_fields)]
    if not rule.each and rule.first_of == "listed":
        starts = next((of for act in rule.start if (of := [s for s in starts if s.act == act])), [])
    if not rule.each:
        starts = starts[-1:] if rule.first_of == "last" else starts[:1]
    # the head's last answer about each act (``subject_seq``), as the approval page records it
    answers = {
        a.fields.get("subject_seq"): a.fields.get("approved")
        for a in rec.of(["decision.head_approval"])
    }  # fmt: skip
    for start in starts:
        ends = _ends_for(rule, rec, start)
        if not ends and any(e.seq > start.seq for e in rec.of(rule.unless)):
            continue  # the matter ended another way (a case closed without a decision)
        anchor = (
            parse_datetime(start.fields.get(rule.start_time_field))
            if rule.start_time_field
            else None
        )
        due = deadline(ctx.calendar, anchor or start.occurred_at, rule.limit)
        seqs = [start.seq]
        if rule.extension is not None:
            exts = [
                e for e in rec.of([rule.extension.act])
                if e.fields.get(rule.extension.link) == start.seq
            ]  # fmt: skip
            seqs += [ext.seq for ext in exts]
            due = yield from _extended(
                rule_id, rule, rule.extension, ctx, start, exts, due, answers
            )
        outcome = _deadline_outcome(rule_id, rule, ctx, start, ends[0] if ends else None, due,
                                    seqs)  # fmt: skip
        if outcome is not None:
            yield outcome


def _extended(
    rule_id: str,
    rule: P.Deadline,
    ext_rule: P.Extension,
    ctx: Context,
    start: Entry,
    exts: list[Entry],
    due: Due,
    answers: dict[Any, Any],
) -> Generator[Finding, None, Due]:
    """The deadline after the start's extensions: one the rule does not allow (one too many,
    not approved, made after the deadline had passed) is a finding and adds no time. An
    extension is approved by the head's answer about it (his 同意 on its 审批表) or, in an
    older record, by the approver named on it; his 不同意 refuses it either way."""
    for i, ext in enumerate(exts):
        if i >= ext_rule.max:
            yield _finding(
                rule_id, rule, "extended_too_often",
                f"“{start.label}”已延长 {len(exts)} 次，至多可延长 {ext_rule.max} 次",
                [start.seq, ext.seq],
            )  # fmt: skip
            continue
        answer = answers.get(ext.seq)
        named = bool(ext_rule.approval_field and ext.fields.get(ext_rule.approval_field))
        if answer is False or (ext_rule.approval_field and answer is not True and not named):
            yield _finding(
                rule_id, rule, "extension_unapproved",
                f"“{_label(ext.act)}”未经负责人批准", [ext.seq],
            )  # fmt: skip
            continue
        if ext.occurred_at > due.at:
            yield _finding(
                rule_id, rule, "extended_after_expiry",
                f"“{_label(ext.act)}”作出于原期限届满之后", [start.seq, ext.seq],
            )  # fmt: skip
            continue
        extra = deadline(ctx.calendar, due.at, ext_rule.add)
        due = Due(extra.at, due.provisional or extra.provisional)
    return due


def _deadline_outcome(
    rule_id: str,
    rule: P.Deadline,
    ctx: Context,
    start: Entry,
    end: Entry | None,
    due: Due,
    seqs: list[int],
) -> Finding | None:
    """Late (the end came after the deadline), overdue (no end yet, the deadline passed), due
    (no end yet, time left), or nothing (the end came in time)."""
    wanted = "或".join(f"“{_label(a)}”" for a in rule.end)
    if end is not None:
        if end.occurred_at <= due.at:
            return None
        return _finding(
            rule_id, rule, "late",
            f"“{start.label}”（{ctx.fmt(start.occurred_at)}）后于 "
            f"{ctx.fmt(end.occurred_at)} "
            f"才{wanted}，超过 {rule.limit.label()}的期限（应于 {ctx.fmt(due.at)} 前）",
            [*seqs, end.seq], due=due,
        )  # fmt: skip
    if ctx.now > due.at:
        return _finding(
            rule_id, rule, "overdue",
            f"“{start.label}”（{ctx.fmt(start.occurred_at)}）后已超过 "
            f"{rule.limit.label()}的期限"
            f"（{ctx.fmt(due.at)}），仍未见{wanted}",
            seqs, due=due,
        )  # fmt: skip
    return _finding(
        rule_id, rule, "due",
        f"应于 {ctx.fmt(due.at)} 前{wanted}（自“{start.label}”起 {rule.limit.label()}）",
        seqs, Severity.DUE, due,
    )  # fmt: skip


# --- retention ---------------------------------------------------------------------------------

_PERIOD_YEARS = {"5年": 5, "10年": 10, "30年": 30, "长期": 1000, "永久": 10_000}


def period_years(period: str) -> int | None:
    """A retention period's length in years as periods compare (长期 and 永久 as very long)."""
    return _PERIOD_YEARS.get(period)


def retention_reasons(rule: P.Retention, rec: CaseRecord) -> list[RetentionReason]:
    reasons = []
    for trig in rule.long_term:
        hits = [e.seq for e in rec.of(trig.acts) if _fields_match(e, trig.fields)]
        if hits:
            reasons.append(RetentionReason(trig.title, list(trig.cite), hits))
    return reasons


def retention(rule_id: str, rule: P.Retention, rec: CaseRecord, ctx: Context) -> Iterator[Finding]:
    reasons = retention_reasons(rule, rec)
    needed = 1000 if reasons else rule.min_years
    recorded = bool(rec.of(["general.media"]))
    for a in rec.of(["archiving.archive"]):
        if (
            rule.long_term_medium
            and reasons
            and recorded
            and not a.fields.get(rule.long_term_medium)
        ):
            yield _finding(
                rule_id, rule, "no_medium",
                "本案音像资料应长期保存（" + "；".join(r.title for r in reasons) + "），"
                "归档时未记载刻录光盘或专门硬盘等存储介质的编号",
                [a.seq, *[s for r in reasons for s in r.seqs]],
                cite=sorted({c for r in reasons for c in r.cite}),
            )  # fmt: skip
        period = str(a.fields.get("retention"))
        if _PERIOD_YEARS.get(period, 0) < needed:
            why = (
                "；".join(r.title for r in reasons)
                if reasons
                else f"保存不少于 {rule.min_years} 年"
            )
            yield _finding(
                rule_id, rule, "too_short",
                f"归档保管期限为“{period}”，"
                f"应为{'长期' if reasons else f'{rule.min_years}年以上'}（{why}）",
                [a.seq, *[s for r in reasons for s in r.seqs]],
            )  # fmt: skip


def agency_retention(
    rule_id: str, rule: P.AgencyRetention, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    needed = ctx.settings.get(f"{rule.setting}.{rec.category}")
    if needed is None or not rec.of(["general.media"]):
        return
    wanted = next((p for p, y in _PERIOD_YEARS.items() if y == needed), f"{needed}年")
    for a in rec.of(["archiving.archive"]):
        period = str(a.fields.get("retention"))
        if _PERIOD_YEARS.get(period, 0) < needed:
            yield _finding(
                rule_id, rule, "too_short",
                f"归档保管期限为“{period}”，短于本机关为此类案件音像记录资料预先设定的"
                f"保存期限“{wanted}”",
                [a.seq],
            )  # fmt: skip


def content_check(
    rule_id: str, rule: P.ContentCheck, rec: CaseRecord, ctx: Context
) -> Iterator[Finding]:
    """审看、核对记录: the latest check of each record against the checklist; an item found
    不符合 breaks the article the pack cites for it, a record unchecked once the case reaches
    ``by`` is a hint (the texts name what to check, not when)."""
    checks = content.latest_checks(rule_id, rec)
    for subject in content.subjects(rule, rec):
        check = checks.get(subject.seq)
        if check is None:
            continue
        results = content.results_of(check)
        for item in rule.items:
            r = results.get(item.key)
            if r is not None and r.result == content.FAILS:
                yield _finding(
                    rule_id, rule, "nonconforming",
                    f"{content.describe(subject)}经审看核对，“{item.label}”一项不符合：{r.note}",
                    [subject.seq, check.seq], cite=item.cite,
                )  # fmt: skip
    reached = rec.of(rule.by) if rule.by else []
    if not reached:
        return
    unchecked = [
        s for s in content.subjects(rule, rec) if s.seq < reached[0].seq and s.seq not in checks
    ]
    if unchecked:
        named = "、".join(content.describe(s) for s in unchecked)
        yield _finding(
            rule_id, rule, "unchecked",
            f"本案已“{reached[0].label}”，{named}尚未见审看核对记录（逐项核对"
            f"{'、'.join(i.key for i in rule.items)}）",
            [*(s.seq for s in unchecked), reached[0].seq], Severity.WARNING,
        )  # fmt: skip


CHECKS: dict[str, Callable[..., Iterator[Finding]]] = {
    "min_officers": min_officers,
    "field_true": field_true,
    "av": audio_video,
    "av_storage": av_storage,
    "av_interruption": av_interruption,
    "device_check": device_check,
    "opening_statement": opening_statement,
    "documents": documents,
    "participants_signed": participants_signed,
    "form_signatures": form_signatures,
    "evidence_described": evidence_described,
    "order": order,
    "opening_approved": opening_approved,
    "refused_undone": refused_undone,
    "after_demand": after_demand,
    "kept": kept,
    "reviewed_first": reviewed_first,
    "checked_when_due": checked_when_due,
    "requires": requires,
    "served_issued": served_issued,
    "deadline": deadline_rule,
    "retention": retention,
    "agency_retention": agency_retention,
    "content_check": content_check,
}
