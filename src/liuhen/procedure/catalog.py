"""The procedure catalog: every stage and act type the seeds name, with fields and roles.

An act type is the unit of the record: one journal entry records one act. Each declares the
fields its record must hold (so an entry can be validated before it is hashed) and the roles
that may record it (so a legal review cannot be journaled by the officer whose case it is).
``basis`` cites the seed articles and statutes the act comes from, by file and article.

The act types themselves are data, in ``acts.yaml`` beside this module, where a legal reviewer
reads them and a new act is one entry; this module keeps what code names (stages, roles,
categories) and builds the typed catalog from the file at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from liuhen.procedure import definitions as _defs
from liuhen.procedure.fields import FieldSpec as F


class Stage(StrEnum):
    INITIATION = "initiation"
    INVESTIGATION = "investigation"
    DECISION = "decision"
    SERVICE = "service"
    EXECUTION = "execution"
    ARCHIVING = "archiving"
    # Acts that may occur in any stage (interruption notes, corrections, accesses) and
    # registry changes (agencies, units, officers) that belong to no case.
    GENERAL = "general"
    REGISTRY = "registry"
    # Evidence files as they arrive (uploads, dock imports) before or apart from any case.
    EVIDENCE = "evidence"


STAGE_LABELS: dict[Stage, str] = {
    Stage.INITIATION: "程序启动",
    Stage.INVESTIGATION: "调查取证",
    Stage.DECISION: "审查决定",
    Stage.SERVICE: "送达",
    Stage.EXECUTION: "执行",
    Stage.ARCHIVING: "归档",
    Stage.GENERAL: "通用事项",
    Stage.REGISTRY: "机构与人员登记",
    Stage.EVIDENCE: "音像资料入库",
}

CASE_STAGES: tuple[Stage, ...] = (
    Stage.INITIATION,
    Stage.INVESTIGATION,
    Stage.DECISION,
    Stage.SERVICE,
    Stage.EXECUTION,
    Stage.ARCHIVING,
)


class Role(StrEnum):
    OFFICER = "officer"  # 执法人员 (承办人)
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核人员
    HEAD = "head"  # 负责人 (批准人)
    ARCHIVIST = "archivist"  # 档案管理人员
    SUPERVISOR = "supervisor"  # 司法局监督人员
    ADMIN = "admin"  # 系统管理员
    SYSTEM = "system"  # the instance itself (imports, scheduled jobs)


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICER: "执法人员",
    Role.LEGAL_REVIEWER: "法制审核人员",
    Role.HEAD: "负责人",
    Role.ARCHIVIST: "档案管理人员",
    Role.SUPERVISOR: "监督人员",
    Role.ADMIN: "系统管理员",
    Role.SYSTEM: "系统",
}


class Category(StrEnum):
    PENALTY = "penalty"
    LICENSE = "license"
    COERCION = "coercion"
    INSPECTION = "inspection"
    LEVY = "levy"
    FEE = "fee"


CATEGORY_LABELS: dict[Category, str] = {
    Category.PENALTY: "行政处罚",
    Category.LICENSE: "行政许可",
    Category.COERCION: "行政强制",
    Category.INSPECTION: "行政检查",
    Category.LEVY: "行政征收",
    Category.FEE: "行政收费",
}


class Procedure(StrEnum):
    SUMMARY = "summary"
    ORDINARY = "ordinary"


PROCEDURE_LABELS: dict[Procedure, str] = {
    Procedure.SUMMARY: "简易程序",
    Procedure.ORDINARY: "一般程序",
}

OFFICERS = frozenset({Role.OFFICER})
REVIEWERS = frozenset({Role.LEGAL_REVIEWER})
HEADS = frozenset({Role.HEAD})
CASE_WORKERS = frozenset({Role.OFFICER, Role.HEAD})
ARCHIVISTS = frozenset({Role.ARCHIVIST})
ADMINS = frozenset({Role.ADMIN})
ANYONE_INTERNAL = frozenset(
    {Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST, Role.SUPERVISOR}
)


@dataclass(frozen=True)
class ActType:
    """One kind of act; ``code`` is ``<stage>.<act>`` and is what the journal stores."""

    code: str
    label: str
    stage: Stage
    fields: tuple[F, ...]
    roles: frozenset[Role]
    basis: tuple[str, ...] = ()
    on_site: bool = False  # done at the scene: at least two officers (行政处罚法 第四十二条)
    opens_case: bool = False  # the first entry of a case record
    description: str = ""
    actors_required: bool = True  # an access to a record may be by someone without a cert
    field_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", frozenset(f.name for f in self.fields))


# Kinds of stored media files: technical values, not words of the law.
MEDIA_KINDS: tuple[str, ...] = ("video", "audio", "photo")
STORED_KINDS: tuple[str, ...] = (*MEDIA_KINDS, "unknown")

# Enforcement documents (执法文书) by identifier; the documents issue renders and signs them.
# The titles are read from documents.yaml beside this module, where each document's form is
# one entry; the forms need this catalog, so liuhen.documents.types loads the rest.
DOCUMENT_TYPES: dict[str, str] = _defs.titles("procedure/documents.yaml", "documents", "title")


def _code(code: str, ctx: _defs.Context) -> None:
    """The stage is the code's prefix, so the two cannot disagree."""
    stage, dot, name = code.partition(".")
    if not dot or not name or stage not in {s.value for s in Stage}:
        raise ctx.error(f"事项编码应为“阶段.名称”，阶段为 {'、'.join(Stage)} 之一")


def _roles(value: object, ctx: _defs.Context) -> frozenset[Role]:
    names = _defs.strings(value, ctx)
    unknown = [n for n in names if n not in {r.value for r in Role}]
    if unknown:
        raise ctx.error(f"未知的角色：{'、'.join(unknown)}")
    return frozenset(Role(n) for n in names)


_DEFINITIONS = _defs.load(
    "procedure/acts.yaml",
    "acts",
    {
        "label": (_defs.text, _defs.REQUIRED),
        "description": (_defs.text, ""),
        "roles": (_roles, _defs.REQUIRED),
        "basis": (_defs.strings, ()),
        "on_site": (_defs.flag, False),
        "opens_case": (_defs.flag, False),
        "actors_required": (_defs.flag, True),
    },
    lists={
        "category": tuple(c.value for c in Category),
        "procedure": tuple(p.value for p in Procedure),
        "media_kinds": MEDIA_KINDS,
        "stored_kinds": STORED_KINDS,
        "document_types": tuple(DOCUMENT_TYPES),
        "internal": tuple(r.value for r in Role if r in ANYONE_INTERNAL),
    },
    check_key=_code,
)

ACT_TYPES: tuple[ActType, ...] = tuple(
    ActType(
        e.key,
        e.values["label"],
        Stage(e.key.partition(".")[0]),
        e.fields,
        e.values["roles"],
        e.values["basis"],
        e.values["on_site"],
        e.values["opens_case"],
        e.values["description"],
        e.values["actors_required"],
    )
    for e in _DEFINITIONS.entries
)

# Fields every case-opening act carries: they become the case's header.
CASE_HEADER_FIELDS: tuple[F, ...] = _DEFINITIONS.groups["case_header"]
# The fields of a 送达回证 that every mode records (003 第十七条).
SERVICE_FIELDS: tuple[F, ...] = _DEFINITIONS.groups["service"]

_LISTS = _DEFINITIONS.lists
RETENTION_PERIODS: tuple[str, ...] = _LISTS["retention_periods"]
HOLD_GROUNDS: tuple[str, ...] = _LISTS["hold_grounds"]
REQUESTER_RELATIONS: tuple[str, ...] = _LISTS["requester_relations"]
# 国家秘密 / 商业秘密 / 个人隐私 restrict a record; "无" lifts an earlier mark.
CONFIDENTIALITY_MARKS: tuple[str, ...] = _LISTS["confidentiality_marks"]
DEVICE_STATUSES: tuple[str, ...] = _LISTS["device_statuses"]
INCIDENT_KINDS: tuple[str, ...] = _LISTS["incident_kinds"]
OBJECTION_KINDS: tuple[str, ...] = _LISTS["objection_kinds"]
AV_INTERRUPTION_REASONS: tuple[str, ...] = _LISTS["av_interruption_reasons"]
# what an attached file is (邮寄回执, 书面公告…): what the kept rules count
ATTACHMENT_KINDS: tuple[str, ...] = _LISTS["attachment_kinds"]

_BY_CODE: dict[str, ActType] = {a.code: a for a in ACT_TYPES}


def act_type(code: str) -> ActType | None:
    return _BY_CODE.get(code)


def acts_in_stage(stage: Stage) -> tuple[ActType, ...]:
    return tuple(a for a in ACT_TYPES if a.stage is stage)
