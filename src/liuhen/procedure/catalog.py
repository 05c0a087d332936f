"""The procedure catalog: every stage and act type the seeds name, with fields and roles.

An act type is the unit of the record: one journal entry records one act. Each declares the
fields its record must hold (so an entry can be validated before it is hashed) and the roles
that may record it (so a legal review cannot be journaled by the officer whose case it is).
``basis`` cites the seed articles and statutes the act comes from, by file and article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from liuhen.procedure.fields import FieldKind as K
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


STAGE_LABELS: dict[Stage, str] = {
    Stage.INITIATION: "程序启动",
    Stage.INVESTIGATION: "调查取证",
    Stage.DECISION: "审查决定",
    Stage.SERVICE: "送达",
    Stage.EXECUTION: "执行",
    Stage.ARCHIVING: "归档",
    Stage.GENERAL: "通用事项",
    Stage.REGISTRY: "机构与人员登记",
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
    field_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", frozenset(f.name for f in self.fields))


# Fields every case-opening act carries: they become the case's header.
CASE_HEADER_FIELDS: tuple[F, ...] = (
    F("cause", "案由"),
    F("category", "案件类别", K.CHOICE, choices=tuple(c.value for c in Category)),
    F("procedure", "程序类型", K.CHOICE, choices=tuple(p.value for p in Procedure)),
    F("parties", "当事人", K.PERSONS),
    F("unit", "承办机构编码"),
    F("summary", "案情摘要", K.LONGTEXT),
)

ACT_TYPES: tuple[ActType, ...] = (
    ActType(
        "initiation.ex_officio",
        "依职权立案",
        Stage.INITIATION,
        CASE_HEADER_FIELDS
        + (
            F("source", "案件来源"),
            F("reason", "立案理由", K.LONGTEXT),
            F("handler_opinion", "承办人意见", K.LONGTEXT),
            F("unit_opinion", "承办机构意见", K.LONGTEXT, required=False),
            F("head_opinion", "负责人审批意见", K.LONGTEXT),
            F("approver", "批准人", K.TEXT),
        ),
        OFFICERS,
        basis=("002 第八条", "003 第七条"),
        opens_case=True,
    ),
    ActType(
        "investigation.inquiry",
        "询问",
        Stage.INVESTIGATION,
        (
            F("subject", "被询问人", K.PERSON),
            F("relation", "与本案关系"),
            F("started_at", "询问开始时间", K.DATETIME),
            F("ended_at", "询问结束时间", K.DATETIME),
            F("identity_shown", "已出示执法证件", K.BOOL),
            F("rights_notified", "已告知申请回避等权利", K.BOOL),
            F("transcript", "询问内容（问答）", K.LONGTEXT),
            F("recorder", "记录人"),
        ),
        OFFICERS,
        basis=("002 第十二条第一项", "003 第八条第二项"),
        on_site=True,
    ),
    ActType(
        "general.correction",
        "更正",
        Stage.GENERAL,
        (
            F("reason", "更正理由", K.LONGTEXT),
            F("changes", "更正后的内容", K.CHANGES),
        ),
        ANYONE_INTERNAL,
        basis=("003 第十四条",),
    ),
)

_BY_CODE: dict[str, ActType] = {a.code: a for a in ACT_TYPES}


def act_type(code: str) -> ActType | None:
    return _BY_CODE.get(code)


def acts_in_stage(stage: Stage) -> tuple[ActType, ...]:
    return tuple(a for a in ACT_TYPES if a.stage is stage)
