"""Rule packs: the YAML format, its schema, inheritance, and errors that name file and line.

A pack is a mapping of rule id to rule; a pack that ``extends`` another inherits its rules and
may override any of them key by key (``limit`` only, say) or drop one with ``disabled: true``.
Every rule must cite where its duty comes from, so every finding can name its article.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator
from pydantic import ValidationError as PydanticError

from liuhen.errors import PackError, Problem
from liuhen.payloads import JsonObject
from liuhen.procedure.catalog import (
    ACT_TYPES,
    ATTACHMENT_KINDS,
    DOCUMENT_TYPES,
    Category,
    Procedure,
)
from liuhen.procedure.fields import SIGNER_ROLES
from liuhen.rules import yamlmarks

_CODES = {a.code for a in ACT_TYPES}


def _known(v: list[str], known: Container[str], what: str) -> list[str]:
    """``v`` when each of its codes is in ``known``; else every unknown one named at once."""
    unknown = [c for c in v if c not in known]
    if unknown:
        raise ValueError(f"未知的{what}：{'、'.join(unknown)}")
    return v


def expand_acts(selectors: list[str]) -> list[str]:
    """Act codes from selectors: a code, a glob (``service.*``) or ``@on_site``."""
    out: list[str] = []
    for sel in selectors:
        if sel == "@on_site":
            matched = [a.code for a in ACT_TYPES if a.on_site]
        elif any(c in sel for c in "*?["):
            matched = [c for c in sorted(_CODES) if fnmatch.fnmatchcase(c, sel)]
        else:
            matched = [sel] if sel in _CODES else []
        if not matched:
            raise ValueError(f"未知的事项类型或选择器“{sel}”")
        out.extend(m for m in matched if m not in out)
    return out


Acts = Annotated[list[str], Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limit(_Model):
    hours: int | None = Field(None, gt=0)
    days: int | None = Field(None, gt=0)
    working_days: int | None = Field(None, gt=0)
    holiday_extends: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> Limit:
        if sum(v is not None for v in (self.hours, self.days, self.working_days)) != 1:
            raise ValueError("期限须且只能指定 hours、days、working_days 之一")
        return self

    def label(self) -> str:
        if self.hours is not None:
            return f"{self.hours}小时"
        if self.days is not None:
            return f"{self.days}日"
        return f"{self.working_days}个工作日"


class When(_Model):
    """Conditions under which a rule applies to a case; all given conditions must hold."""

    procedure: list[Procedure] | None = None
    category: list[Category] | None = None
    any_act: list[str] | None = None
    no_act: list[str] | None = None
    fine_at_least: Decimal | None = None
    # the amount is the agency's own standard, a setting named here; unset: the rule is off
    fine_at_least_setting: Literal["major_fine_threshold"] | None = None
    act_fields: dict[str, dict[str, list[Any]]] | None = (
        None  # an entry of the act with these values
    )

    @field_validator("act_fields")
    @classmethod
    def _act_fields(
        cls, v: dict[str, dict[str, list[Any]]] | None
    ) -> dict[str, dict[str, list[Any]]] | None:
        if v is not None:
            for code in v:
                expand_acts([code])
        return v

    @field_validator("any_act", "no_act")
    @classmethod
    def _acts(cls, v: list[str] | None) -> list[str] | None:
        return expand_acts(v) if v is not None else None


class RuleBase(_Model):
    title: str = Field(min_length=1)
    cite: list[str] = Field(min_length=1)
    remedy: str = Field(min_length=1)
    severity: Literal["violation", "warning"] = "violation"
    when: When | None = None
    disabled: bool = False
    # where one rule checks several duties, the article each failing (by its outcome, the part
    # of the finding's code after the colon) rests on, cited instead of the whole list
    cite_by_outcome: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("cite_by_outcome")
    @classmethod
    def _outcome_cites(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if any(not c for c in v.values()):
            raise ValueError("cite_by_outcome 的每一项须至少引用一条")
        return v

    @field_validator(
        "acts",
        "before",
        "start",
        "end",
        "unless",
        "require",
        "summary_acts",
        "ordinary_acts",
        "after",
        "undo",
        check_fields=False,
    )
    @classmethod
    def _expand(cls, v: list[str]) -> list[str]:
        return expand_acts(v) if v else v


class MinOfficers(RuleBase):
    kind: Literal["min_officers"]
    acts: Acts
    min: int = Field(2, ge=1)


class FieldTrue(RuleBase):
    kind: Literal["field_true"]
    acts: Acts
    field: str


class AudioVideo(RuleBase):
    """Acts to be recorded by 音像记录. ``continuous``: the text asks for 全程音像记录, which
    only video or audio gives; else 音像记录 or 适当方式, which photos give too (001 第三条、
    002 第三条 count 照相 as 音像记录). ``cite_by_act``: where one rule covers several items of
    an article, the item each act falls under, cited instead of the whole list."""

    kind: Literal["av"]
    acts: Acts
    level: Literal["mandatory", "circumstances", "none"]
    continuous: bool = False
    cite_by_act: dict[str, list[str]] = Field(default_factory=dict)
    # the text excepts what is 不适宜音像记录 (002 第十三条): a ``general.av_unsuitable`` naming
    # the act, with its reason, excuses it
    unsuitable_excepted: bool = False
    fields: dict[str, list[Any]] | None = None  # only entries whose fields match (争议 marked)
    # 全程 judged by time (003 第十九条: 执法办案场所全程音像记录): the video or audio bound to an
    # act that records its start and end, body cameras' and the site's surveillance together,
    # covers the whole of it; a gap is a violation
    whole_duration: bool = False

    @model_validator(mode="after")
    def _cited_acts(self) -> AudioVideo:
        stray = [a for a in self.cite_by_act if a not in self.acts]
        if stray:
            raise ValueError(f"cite_by_act 中的事项不在 acts 中：{'、'.join(stray)}")
        if any(not c for c in self.cite_by_act.values()):
            raise ValueError("cite_by_act 的每一项须至少引用一条")
        return self

    def cite_for(self, act: str) -> list[str]:
        return self.cite_by_act.get(act) or self.cite


class DocRequirement(_Model):
    type: str
    signers: list[str] = Field(default_factory=list)
    party: bool = False  # the party signs, or the refusal is noted and signed by two officers
    witness: bool = False

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in DOCUMENT_TYPES:
            raise ValueError(f"未知的文书种类“{v}”")
        return v

    @field_validator("signers")
    @classmethod
    def _signers(cls, v: list[str]) -> list[str]:
        return _known(v, SIGNER_ROLES, "签名角色")


class Documents(RuleBase):
    kind: Literal["documents"]
    acts: Acts
    documents: list[DocRequirement] = Field(min_length=1)
    # only entries whose fields match: a 先行登记保存 has a 清单, a 复制 preservation none
    fields: dict[str, list[Any]] | None = None


class ParticipantsSigned(RuleBase):
    """Everyone an act lists as taking part signs its record, by name (003 第十六条: 听证参加人
    审核无误后签字或者盖章); one whose refusal or leaving the act's ``notes`` fields or the
    record's refusal note names is excused. A missing record is the documents rule's to find."""

    kind: Literal["participants_signed"]
    acts: Acts
    document: str
    field: str  # the act's persons field naming them
    notes: list[str] = Field(default_factory=list)

    @field_validator("document")
    @classmethod
    def _type(cls, v: str) -> str:
        return _known([v], DOCUMENT_TYPES, "文书种类")[0]


class EvidenceDescribed(RuleBase):
    """Recordings used as evidence are described by the record (003 第二十五条第二款: 注明记录的
    事项、时间、地点、方式和行政执法人员): each file an ``acts`` entry names in ``field`` is a
    recording of this case, bound to the act it records and timed, so the act gives the matter,
    place and officers and the recording its time and kind."""

    kind: Literal["evidence_described"]
    acts: Acts
    field: str  # the entry's list of file digests


class FormSignatures(RuleBase):
    """Forms signed in the blocks the text names, each signature dated: internal approval forms
    (003 第十五条: 承办意见、审核意见、批准意见，并分别载明签字日期) and the documents issued to a
    party under the agency's seal (003 第十三条: 加盖印章，载明签发日期). The latest version of
    each form is judged; an empty list checks only the dates (a form another rule asks for)."""

    kind: Literal["form_signatures"]
    documents: dict[str, list[str]] = Field(min_length=1)

    @field_validator("documents")
    @classmethod
    def _forms(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        _known(list(v), DOCUMENT_TYPES, "文书种类")
        for roles in v.values():
            _known(roles, SIGNER_ROLES, "签名角色")
        return v


class Order(RuleBase):
    kind: Literal["order"]
    acts: Acts
    before: Acts


class Extension(_Model):
    act: str
    link: str
    max: int = Field(1, ge=0)
    add: Limit
    approval_field: str | None = None


class Deadline(RuleBase):
    kind: Literal["deadline"]
    start: Acts
    end: Acts
    limit: Limit
    each: bool = False  # every start entry has its own deadline (each seizure), else the first
    # which start counts when not ``each``: the earliest entry ("journal"), an entry of the
    # first act of ``start`` the record holds ("listed": the 立案 over the complaint before it),
    # or the latest ("last": the inspection that ended the 执法检查)
    first_of: Literal["journal", "listed", "last"] = "journal"
    # the start entry's field holding the moment counted from (an inspection's ended_at); the
    # entry's time when it is empty
    start_time_field: str | None = None
    link: str | None = None  # an end entry whose act has this seq field must name the start
    match: dict[str, str] | None = None  # end field -> start field that must be equal
    unless: list[str] = Field(default_factory=list)  # acts that end the matter without ``end``
    extension: Extension | None = None
    start_fields: dict[str, list[Any]] | None = None  # only start entries with these values


class Requires(RuleBase):
    """An act that obliges another act afterwards (a real-name complaint not opened → notice)."""

    kind: Literal["requires"]
    acts: Acts
    require: Acts
    fields: dict[str, list[Any]] | None = None  # only trigger entries whose fields match
    # only trigger entries whose text field (or one of its texts) contains one of the words:
    # a decision whose kinds name 没收非法财物 however the officer worded them
    mentions: dict[str, list[str]] | None = None


class AVStorage(RuleBase):
    kind: Literal["av_storage"]
    limit: Limit
    remote_exemption: bool = True  # counted from the return to the unit when working away


class AVInterruption(RuleBase):
    kind: Literal["av_interruption"]
    gap_minutes: int = Field(ge=1)
    written_signatures: int = Field(0, ge=0)  # distinct officers who must sign a written note
    # recording begins when the act does (001 第十三条: 自到达执法现场开展执法活动时开始)
    from_start: bool = False
    # a recording resumed is explained by voice as it restarts (001 第十四条: 重新开始记录时应当
    # 对中止原因进行语音说明); a written note in its stead is a hint to confirm
    resume_spoken: bool = False


class DeviceCheck(RuleBase):
    kind: Literal["device_check"]
    within_hours: int = Field(12, ge=1)


class OpeningStatement(RuleBase):
    kind: Literal["opening_statement"]
    # the text asks the officer also to tell those present that the recording runs (001 第十三条:
    # 告知当事人及现场其他人员正在进行音像记录), which the first clip attests too
    notice: bool = False
    # the spoken statement of time, place, officers and matter (001 第十三条); 003 第六条第二款
    # asks only that the party be told the recording has started (``notice``)
    statement: bool = True


class ServedIssued(RuleBase):
    kind: Literal["served_issued"]


class Trigger(_Model):
    title: str
    cite: list[str] = Field(min_length=1)
    acts: Acts
    fields: dict[str, list[str]] | None = None  # e.g. {"reason": ["现场人员阻挠"]}

    @field_validator("acts")
    @classmethod
    def _acts(cls, v: list[str]) -> list[str]:
        return expand_acts(v)


class Retention(RuleBase):
    kind: Literal["retention"]
    min_years: int = Field(ge=1)
    long_term: list[Trigger] = Field(default_factory=list)
    # the archive's field naming the disc or dedicated hard disk that keeps a long-term case's
    # 音像资料 (001 第十八条: 刻录光盘或者专门硬盘存储); None: the pack asks for no medium
    long_term_medium: str | None = None


class AgencyRetention(RuleBase):
    """The period the agency set in advance for the 音像记录资料 of a case's category (003
    第二十四条第四款: 合理确定各类音像记录资料的保存期限和保存方式) holds for the archive of
    a case that has any: an archive filed for less is found. No setting for the category: the
    archivist's choice stands (the text fixes no length)."""

    kind: Literal["agency_retention"]
    setting: Literal["av_retention"]  # the settings' key prefix: "av_retention.<category>"


class SummaryLimits(RuleBase):
    """What a 当场 (summary) decision may impose: the penalties and the fine limit by the kind
    of party (行政处罚法 第五十一条)."""

    kind: Literal["summary_limits"]
    acts: Acts
    penalties: list[str] = Field(min_length=1)
    citizen_limit: Decimal = Field(gt=0)
    organisation_limit: Decimal = Field(gt=0)


class ProcedureMatch(RuleBase):
    """The case's recorded procedure agrees with the decision it holds."""

    kind: Literal["procedure_match"]
    summary_acts: Acts
    ordinary_acts: Acts


class OpeningApproved(RuleBase):
    """A case opened on the agency's own initiative goes on only once the head approved its
    filing: the approver's block of its approval form signed (unless he refused), his approval
    of the opening act (``decision.head_approval``, ``subject_seq``), or, in records made
    before the head approved in his own inbox, his opinion and name on the opening act. Any
    act the head approves on its form before what follows may be done is held the same way:
    a decision's draft on its 案件处理审批表 before the decision (003 第九条第五项)."""

    kind: Literal["opening_approved"]
    acts: Acts
    document: str  # the approval form whose approver's block approves the filing
    legacy_fields: list[str] = []  # all filled on the opening act: an older record's approval
    before: Acts  # what must not be done before the approval


class RefusedUndone(RuleBase):
    """A measure the head refused is undone (行政强制法 第十九条: 负责人认为不应当采取的，应当
    立即解除): where his last ``decision.head_approval`` about it (``subject_seq``, as the
    approval page records it from the measure's approval form) says no, an ``undo`` act
    names it by one of ``links``."""

    kind: Literal["refused_undone"]
    acts: Acts
    undo: Acts
    links: list[str] = Field(min_length=1)  # the undo act's field naming the measure's entry


class AfterDemand(RuleBase):
    """Enforcement taken only as the demand (催告) before it allows: the 催告书 served on the
    party, the time it gave to perform passed, and each 陈述申辩 the party made after it
    recorded with its 复核 (行政强制法 第三十六至三十八条; 002 第二十九、三十条). Whether any
    demand came at all is ``order``'s to say."""

    kind: Literal["after_demand"]
    acts: Acts
    demand: Acts
    deadline_field: str = "deadline"  # the date the demand gave to perform by
    statements: Acts
    review_fields: list[str] = Field(min_length=1)  # the 复核 a statement must carry
    # a statement marked so (放弃陈述申辩) said nothing to review: no 复核 is asked of it
    waived_field: str | None = None
    # acts taken only so many days after the demand was served (行政强制法 第五十四条: 催告书
    # 送达十日后 to apply to the court); counted in calendar days, the most lenient reading
    wait_after_service: dict[str, int] = Field(default_factory=dict)

    @field_validator("demand", "statements")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        return expand_acts(v)


class Kept(RuleBase):
    """An act whose paper is kept with the record (002 第二十七条: 留存书面公告): a file
    attached to the entry, or a document (``general.document``) attached to it."""

    kind: Literal["kept"]
    acts: Acts
    what: str = Field(min_length=1)  # what is kept, as the finding names it (书面公告)
    # the kinds of attached file that are what is kept, each one needed (002 第二十四条: 付邮凭证
    # 和回执); the act's own files and those of a 补充附件 (general.supplement) naming it count.
    # Empty: any file or 文书 counts (a 送达回证 would pass for a 回执: name the kinds).
    kinds: list[str] = Field(default_factory=list)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        return _known(v, ATTACHMENT_KINDS, "附件类别")


class ReviewedFirst(RuleBase):
    """The approver approves what the reviewer has reviewed (002 第三十八条: 经审核人审核后，
    由批准人批准): on a form with both blocks, no approver's signature before the reviewer's;
    and a decision's review (``review``) not journaled after the head's last approval of it."""

    kind: Literal["reviewed_first"]
    documents: list[str] = Field(min_length=1)  # forms with a reviewer's and an approver's block
    acts: Acts  # the decisions whose head approval follows their review
    review: Acts

    @field_validator("documents")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        return _known(v, DOCUMENT_TYPES, "文书种类")

    @field_validator("review")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        return expand_acts(v)


class CheckedWhenDue(RuleBase):
    """A duty given a date is checked once it falls due (002 第二十八条第二款: 依法应责令改正的，
    应按期对改正情况进行核查): an act stating the date (``date_field``, 责令改正期限) is followed
    by a ``check`` dated on or after it, or by one that found the duty done (``done``) earlier."""

    kind: Literal["checked_when_due"]
    acts: Acts
    date_field: str
    check: Acts
    check_date_field: str  # the check's datetime (复查时间)
    done: dict[str, list[Any]] = Field(default_factory=dict)  # a check finding it done

    @field_validator("check")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        return expand_acts(v)


class FieldPresent(RuleBase):
    """An act's optional field that the law wants recorded (a summary penalty's filing)."""

    kind: Literal["field_present"]
    acts: Acts
    field: str
    # only entries where this other field is filled: a statement recorded asks for its review
    if_present: str | None = None
    # entries where this bool field is true are excused: a statement waived has nothing to review
    excused_by: str | None = None


class OfficerSignatures(RuleBase):
    """Every officer a document lists, and every officer who did the act, signs it."""

    kind: Literal["officer_signatures"]
    documents: list[str] = Field(min_length=1)
    listed: dict[str, str] = Field(default_factory=dict)  # content field -> its label

    @field_validator("documents")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        return _known(v, DOCUMENT_TYPES, "文书种类")


class FineAmount(RuleBase):
    """A decision that imposes a fine states a positive amount."""

    kind: Literal["fine_amount"]
    acts: Acts
    kinds_fields: list[str] = Field(min_length=1)  # fields naming the penalties imposed
    amount_field: str = "amount"


class FieldMentions(RuleBase):
    """A text field states what the law lists: each label's words, one of them at least."""

    kind: Literal["field_mentions"]
    acts: Acts
    field: str
    mentions: dict[str, list[str]] = Field(min_length=1)


class DatedAfter(RuleBase):
    """A decision is not dated before the investigation it rests on."""

    kind: Literal["dated_after"]
    acts: Acts
    date_field: str
    after: Acts  # acts journaled before the decision that must not be dated after it


class CollectionLimit(RuleBase):
    """Fines collected on the spot only up to a limit (行政处罚法 第六十八条第一项); above it
    the record must show why (hard to enforce afterwards), which a person judges."""

    kind: Literal["collection_limit"]
    acts: Acts
    field: str
    limit: Decimal = Field(gt=0)


class SpanOrder(RuleBase):
    """An act's recorded end is not before its start."""

    kind: Literal["span_order"]
    acts: Acts


class ActorOverlap(RuleBase):
    """One officer is not recorded at two places at once."""

    kind: Literal["actor_overlap"]
    acts: Acts


class CheckItem(_Model):
    """One point of a checklist: a short key the results name, what the text says, and where."""

    key: str = Field(min_length=1, pattern=r"^[^：:\n]+$")  # no colon: results are "项目：结论"
    label: str = Field(min_length=1)
    cite: list[str] = Field(min_length=1)


class ContentCheck(RuleBase):
    """What only a person can judge of a record — a clip's content, a transcript's wording, the
    marks on a paper record — checked item by item (``general.content_check``): an item found
    不符合 breaks its article; a record of the ``subject`` kind left unchecked when the case
    reaches one of ``by`` is a hint (the texts say what to check, not when)."""

    kind: Literal["content_check"]
    subject: Acts  # the records checked: general.media, general.document, or acts themselves
    # of those, acts that count only when they carry files (materials a party handed in)
    files_only: list[str] = Field(default_factory=list)
    media_kinds: list[Literal["video", "audio", "photo"]] | None = None  # general.media only
    documents: list[str] | None = None  # general.document only: these types (None: every one)
    paper: bool = False  # general.document only: imported records with no system-made PDF
    items: list[CheckItem] = Field(min_length=1)
    by: list[str] = Field(default_factory=list)  # a check is expected before the first of these

    @field_validator("documents")
    @classmethod
    def _types(cls, v: list[str] | None) -> list[str] | None:
        return _known(v, DOCUMENT_TYPES, "文书种类") if v is not None else None

    @field_validator("by", "subject", "files_only")
    @classmethod
    def _by(cls, v: list[str]) -> list[str]:
        return expand_acts(v) if v else v

    @field_validator("items")
    @classmethod
    def _unique(cls, v: list[CheckItem]) -> list[CheckItem]:
        keys = [i.key for i in v]
        if len(set(keys)) != len(keys):
            raise ValueError("核对项目的 key 不得重复")
        return v


class ServiceDates(RuleBase):
    kind: Literal["service_dates"]


class DocumentTimes(RuleBase):
    kind: Literal["document_times"]


Rule = Annotated[
    MinOfficers | FieldTrue | AudioVideo | Documents | Order | Deadline | Requires | AVStorage
    | AVInterruption | DeviceCheck | OpeningStatement | ServedIssued | Retention | SummaryLimits
    | ProcedureMatch | FieldPresent | OfficerSignatures | FineAmount | FieldMentions | DatedAfter
    | ServiceDates | DocumentTimes | CollectionLimit | SpanOrder | ActorOverlap | OpeningApproved
    | RefusedUndone | AfterDemand | Kept | ReviewedFirst | ParticipantsSigned | FormSignatures
    | EvidenceDescribed | CheckedWhenDue | AgencyRetention | ContentCheck,
    Field(discriminator="kind"),
]  # fmt: skip
_RULE = TypeAdapter(Rule)


class RefusalAttestation(_Model):
    """How many officers attest that the party refused to sign a record, and where the pack's
    texts say so (003 第十四条: 两名以上; the others name no number, so one officer's note)."""

    officers: int = Field(ge=1)
    cite: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    version: int
    chain: tuple[str, ...]  # this pack and its ancestors, nearest first
    rules: dict[str, Rule]  # rule id -> its model, in file order
    refusal: RefusalAttestation | None = None  # None: no pack of the chain states one
    # the short code a cite starts with ("002", "行政处罚法") -> the full title of the text it
    # names, every pack of the chain's ``sources`` merged, the nearest winning
    sources: dict[str, str] = field(default_factory=dict)

    def cite_text(self, cite: str) -> str:
        """A cite as a reader outside the agency reads it: "002 第二十七条" →
        "《行政执法全过程记录实施办法（试行）》第二十七条"; one of no known source unchanged."""
        code, sep, rest = cite.partition(" ")
        title = self.sources.get(code)
        return f"{title}{rest}" if sep and title else cite

    @property
    def refusal_officers(self) -> int:
        """Officers who sign a party's refusal to sign; one (the noting officer) by default."""
        return self.refusal.officers if self.refusal else 1

    def rule(self, rule_id: str) -> Any:
        """The rule's model, for a caller that asks by id and so knows its kind."""
        return self.rules[rule_id]


@dataclass(frozen=True)
class PackSource:
    name: str
    text: str
    origin: str  # a file path or "builtin:<name>", for error messages


def _fail(origin: str, problems: list[Problem]) -> PackError:
    return PackError(f"规则包 {origin} 有 {len(problems)} 处问题", problems)


def _loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    return tuple(p for p in loc if not (isinstance(p, str) and p in _KIND_TAGS))


_KIND_TAGS = {
    "min_officers", "field_true", "av", "documents", "order", "deadline", "requires", "av_storage",
    "av_interruption", "device_check", "opening_statement", "served_issued", "retention",
    "summary_limits", "procedure_match", "field_present", "officer_signatures", "fine_amount",
    "field_mentions", "dated_after", "service_dates", "document_times", "collection_limit",
    "span_order", "actor_overlap", "after_demand", "kept", "reviewed_first",
    "participants_signed", "form_signatures", "evidence_described", "checked_when_due",
    "content_check",
}  # fmt: skip


def load(name: str, find: Callable[[str], PackSource]) -> Pack:
    """Load ``name`` and its ancestors through ``find``; raise one error listing every problem.

    Parsing is cached on the exact texts of the chain, so re-reading a pack per request costs a
    file read, and an edited pack file is picked up at once.
    """
    sources: list[PackSource] = []
    seen: set[str] = set()
    current: str | None = name
    while current is not None:
        if current in seen:
            raise _fail(name, [Problem(f"规则包继承形成循环：{' → '.join([*seen, current])}")])
        seen.add(current)
        source = find(current)
        sources.append(source)
        data, _ = _parse(source)
        parent = data.get("extends")
        current = parent if isinstance(parent, str) else None
    return _build(name, tuple(sources))


@functools.lru_cache(maxsize=64)
def _build(name: str, sources: tuple[PackSource, ...]) -> Pack:
    chain = [(source, *_parse(source)) for source in sources]
    merged: dict[str, JsonObject] = {}  # rule id -> its body as the files write it
    where: dict[str, tuple[PackSource, dict[yamlmarks.Path, int]]] = {}
    for source, data, lines in reversed(chain):
        for rule_id, body in (data.get("rules") or {}).items():
            base = merged.get(rule_id, {})
            merged[rule_id] = {**base, **body}
            where[rule_id] = (source, lines)
    problems: list[Problem] = []
    rules: dict[str, Rule] = {}
    for rule_id, body in merged.items():
        if body.get("disabled"):
            continue
        try:
            rules[rule_id] = _RULE.validate_python(body)
        except PydanticError as exc:
            source, lines = where[rule_id]
            for e in exc.errors():
                path = ("rules", rule_id, *_loc(tuple(e["loc"])))
                if e["type"] == "union_tag_invalid":
                    path = (*path, "kind")
                line = yamlmarks.line_of(lines, path)
                field = ".".join(str(p) for p in path)
                problems.append(Problem(f"{source.origin}：{_message(e)}", field, line))
    refusal = _refusal(chain)
    if isinstance(refusal, list):
        problems += refusal
    titles = _sources(chain)
    if isinstance(titles, list):
        problems += titles
    if problems:
        raise _fail(chain[0][0].origin, problems)
    top = chain[0][1]
    return Pack(
        name=name,
        title=str(top.get("title", name)),
        version=int(top.get("version", 1)),
        chain=tuple(s.name for s, _, _ in chain),
        rules=rules,
        refusal=refusal if isinstance(refusal, RefusalAttestation) else None,
        sources=titles,
    )


_TOP_KEYS = {"pack", "title", "version", "extends", "rules", "refusal_attestation", "sources"}


def _sources(chain: list[tuple[PackSource, JsonObject, dict[yamlmarks.Path, int]]]) -> Any:
    """Every pack's ``sources`` merged (the nearest wins); a list of problems if one is not a
    mapping of short code to title."""
    merged: dict[str, str] = {}
    for source, data, lines in reversed(chain):
        given = data.get("sources") or {}
        if not isinstance(given, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in given.items()
        ):
            line = yamlmarks.line_of(lines, ("sources",))
            return [Problem(f"{source.origin}：sources 应为“简称: 全称”的映射", "sources", line)]
        merged.update(given)
    return merged


def _refusal(chain: list[tuple[PackSource, JsonObject, dict[yamlmarks.Path, int]]]) -> Any:
    """The nearest pack's ``refusal_attestation``; None when no pack of the chain states one."""
    for source, data, lines in chain:
        if "refusal_attestation" in data:
            try:
                return RefusalAttestation.model_validate(data["refusal_attestation"])
            except PydanticError as exc:
                return [
                    Problem(
                        f"{source.origin}：{_message(e)}",
                        ".".join(str(p) for p in ("refusal_attestation", *e["loc"])),
                        yamlmarks.line_of(lines, ("refusal_attestation", *e["loc"])),
                    )
                    for e in exc.errors()
                ]
    return None


@functools.lru_cache(maxsize=128)
def _parse(source: PackSource) -> tuple[JsonObject, dict[yamlmarks.Path, int]]:
    try:
        data, lines = yamlmarks.load(source.text)
    except yamlmarks.YamlError as exc:
        raise _fail(source.origin, [Problem(exc.message, None, exc.line)]) from None
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise _fail(source.origin, [Problem("规则包应为 YAML 映射", None, 1)])
    for key in sorted(set(data) - _TOP_KEYS, key=str):
        problems.append(Problem("未知的键", str(key), yamlmarks.line_of(lines, (key,))))
    if data.get("pack") != source.name:
        problems.append(
            Problem(
                f"pack 应为“{source.name}”（与文件名一致）",
                "pack",
                yamlmarks.line_of(lines, ("pack",)),
            )
        )
    if not isinstance(data.get("title"), str):
        problems.append(Problem("必填：规则包名称 title", "title", yamlmarks.line_of(lines, ())))
    rules = data.get("rules")
    if not isinstance(rules, dict):
        problems.append(
            Problem("rules 应为以规则编号为键的映射", "rules", yamlmarks.line_of(lines, ("rules",)))
        )
    else:
        for rule_id, body in rules.items():
            if not isinstance(body, dict):
                problems.append(
                    Problem(
                        "规则应为映射",
                        f"rules.{rule_id}",
                        yamlmarks.line_of(lines, ("rules", rule_id)),
                    )
                )
    if problems:
        raise _fail(source.origin, problems)
    return data, lines


def _message(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "缺少必填项"
    if kind == "extra_forbidden":
        return "未知的键"
    if kind == "union_tag_invalid":
        return f"未知的规则种类，可选：{'、'.join(sorted(_KIND_TAGS))}"
    if kind == "union_tag_not_found":
        return "缺少 kind（规则种类）"
    msg = str(error.get("msg", ""))
    return msg.removeprefix("Value error, ")
