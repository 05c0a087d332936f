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


def _act(
    code: str,
    label: str,
    fields: tuple[F, ...],
    roles: frozenset[Role],
    *basis: str,
    on_site: bool = False,
    opens_case: bool = False,
    description: str = "",
    actors_required: bool = True,
) -> ActType:
    """An act type whose stage is its code's prefix, so the two cannot disagree."""
    stage = Stage(code.partition(".")[0])
    return ActType(
        code, label, stage, fields, roles, basis, on_site, opens_case, description, actors_required
    )


# Fields every case-opening act carries: they become the case's header.
CASE_HEADER_FIELDS: tuple[F, ...] = (
    F("cause", "案由"),
    F("category", "案件类别", K.CHOICE, choices=tuple(c.value for c in Category)),
    F("procedure", "程序类型", K.CHOICE, choices=tuple(p.value for p in Procedure)),
    F("parties", "当事人", K.PERSONS),
    F("unit", "承办机构编码"),
    F("summary", "案情摘要", K.LONGTEXT),
)

RETENTION_PERIODS: tuple[str, ...] = ("5年", "10年", "30年", "长期", "永久")
HOLD_GROUNDS: tuple[str, ...] = ("行政复议", "行政诉讼", "审计", "监察调查", "信访", "其他")
REQUESTER_RELATIONS: tuple[str, ...] = ("当事人", "委托代理人", "律师", "利害关系人", "法院")
# 国家秘密 / 商业秘密 / 个人隐私 restrict a record; "无" lifts an earlier mark.
CONFIDENTIALITY_MARKS: tuple[str, ...] = ("国家秘密", "商业秘密", "个人隐私", "无")

# Enforcement documents (执法文书) by identifier; the documents issue renders and signs them.
DOCUMENT_TYPES: dict[str, str] = {
    "filing_approval": "立案审批表",
    "not_opened_approval": "不予立案审批表",
    "inquiry_record": "询问笔录",
    "inspection_record": "现场检查（勘验）笔录",
    "evidence_notice": "调取证据通知书",
    "sampling_voucher": "抽样取证凭证",
    "preservation_notice": "证据先行登记保存通知书",
    "preservation_list": "证据先行登记保存清单",
    "seal_decision": "查封（扣押）决定书",
    "seal_list": "查封（扣押）清单",
    "release_decision": "解除查封（扣押）决定书",
    "prior_notice": "行政处罚事先告知书",
    "statement_record": "陈述申辩笔录",
    "hearing_notice": "听证通知书",
    "hearing_record": "听证笔录",
    "legal_review_opinion": "法制审核意见书",
    "collective_discussion_record": "集体讨论记录",
    "penalty_decision": "行政处罚决定书",
    "summary_decision": "当场行政处罚决定书",
    "service_receipt": "送达回证",
    "demand_notice": "催告书",
    "enforcement_decision": "强制执行决定书",
    "enforcement_application": "强制执行申请书",
    "closing_approval": "结案审批表",
    "dossier_index": "卷内文件目录",
    "dossier_note": "备考表",
}
MEDIA_KINDS: tuple[str, ...] = ("video", "audio", "photo")
STORED_KINDS: tuple[str, ...] = (*MEDIA_KINDS, "unknown")
DEVICE_STATUSES: tuple[str, ...] = ("在用", "维修", "停用", "报废")
INCIDENT_KINDS: tuple[str, ...] = ("拒绝执法", "阻碍执法", "谩骂", "侮辱", "殴打执法人员")
OBJECTION_KINDS: tuple[str, ...] = ("现场异议", "申请行政复议", "提起行政诉讼")
AV_INTERRUPTION_REASONS: tuple[str, ...] = ("设备故障", "天气恶劣", "现场人员阻挠", "其他")


# 程序启动 ------------------------------------------------------------------------------------

_INITIATION: tuple[ActType, ...] = (
    _act(
        "initiation.application",
        "依申请受理",
        (
            *CASE_HEADER_FIELDS,
            F("mode", "申请方式", K.CHOICE, choices=("书面申请", "口头申请", "网上申请")),
            F("applied_at", "申请时间", K.DATETIME),
            F("matter", "申请事项"),
            F("materials", "申请材料", K.TEXTS, required=False),
            F("acceptance", "受理结论", K.CHOICE, choices=("受理", "不予受理", "需补正材料")),
            F("corrected_on_spot", "当场更正的材料错误", K.LONGTEXT, required=False),
            F("supplement_notice", "一次性告知需补正的全部内容", K.LONGTEXT, required=False),
            F("receipt_no", "书面凭证或回执编号", required=False),
        ),
        OFFICERS,
        "002 第七条",
        "003 第七条第二项",
        opens_case=True,
        description="登记书面或口头申请，记录受理与否、当场更正、补正告知和出具的凭证。",
    ),
    _act(
        "initiation.ex_officio",
        "依职权立案",
        (
            *CASE_HEADER_FIELDS,
            F("source", "案件来源"),
            F("reason", "立案理由", K.LONGTEXT),
            F("handler_opinion", "承办人意见", K.LONGTEXT),
            F("unit_opinion", "承办机构意见", K.LONGTEXT, required=False),
            F("head_opinion", "负责人审批意见", K.LONGTEXT),
            F("approver", "批准人", K.TEXT),
        ),
        OFFICERS,
        "002 第八条",
        "003 第七条第一项",
        opens_case=True,
        description="程序启动审批表：启动原因、当事人情况、承办人、承办机构和负责人意见。",
    ),
    _act(
        "initiation.complaint",
        "投诉举报登记",
        (
            *CASE_HEADER_FIELDS,
            F("complainant", "投诉举报人", K.PERSON, required=False),
            F("real_name", "是否实名", K.BOOL),
            F(
                "channel",
                "来源渠道",
                K.CHOICE,
                choices=("来信", "来访", "电话", "网络", "转办", "其他"),
            ),
            F("received_at", "接收时间", K.DATETIME),
            F("content", "投诉举报内容", K.LONGTEXT),
            F("instructions", "领导批示或督办文件", K.LONGTEXT, required=False),
        ),
        OFFICERS,
        "002 第九条",
        "001 第七条",
        opens_case=True,
        description="登记投诉、举报及其来源；匿名的不填投诉举报人。",
    ),
    _act(
        "initiation.not_opened",
        "不予立案（不予受理）决定",
        (
            F("decision", "决定类型", K.CHOICE, choices=("不予立案", "不予受理")),
            F("reason", "理由", K.LONGTEXT),
            F("legal_basis", "依据", K.TEXTS, required=False),
            F("document_no", "决定书文号", required=False),
            F("decided_on", "决定日期", K.DATE),
            F("approver", "批准人", required=False),
        ),
        OFFICERS,
        "002 第七条",
        "002 第九条",
    ),
    _act(
        "initiation.complainant_notice",
        "告知投诉举报人不予立案",
        (
            F("complainant", "投诉举报人", K.PERSON),
            F("method", "告知方式", K.CHOICE, choices=("书面", "电话", "短信", "当面", "网络平台")),
            F("notified_at", "告知时间", K.DATETIME),
            F("content", "告知内容", K.LONGTEXT),
            F("complaint_seq", "投诉举报登记记录序号", K.SEQ, required=False),
        ),
        OFFICERS,
        "002 第九条",
        description="对实名投诉举报经审查不启动程序的，告知投诉举报人并作书面记录。",
    ),
)


# 调查取证 ------------------------------------------------------------------------------------


def _coercive_measure(
    code: str, label: str, target: tuple[F, ...], *basis: str, on_site: bool
) -> ActType:
    """查封、扣押、冻结: what the decision must state (行政强制法 第二十四条) plus its target."""
    fields = (
        F("decision_no", f"{label}决定书文号"),
        F("party", "当事人", K.PERSON),
        F("reason", f"{label}理由", K.LONGTEXT),
        F("legal_basis", f"{label}依据", K.TEXTS),
        F("period_days", f"{label}期限（日）", K.INT),
        F("executed_at", "实施时间", K.DATETIME),
        F("approver", "批准的负责人"),
        *target,
    )
    return _act(
        code,
        label,
        fields,
        OFFICERS,
        "002 第十五条",
        "003 第八条第八项",
        "行政强制法 第十八条",
        *basis,
        on_site=on_site,
    )


def _on_site_target(items_label: str) -> tuple[F, ...]:
    """Where a seal or seizure is done, on what, and who witnessed it if the party was absent."""
    return (
        F("place", "实施地点"),
        F("items", items_label, K.ITEMS),
        F("witness", "见证人（当事人不到场时）", K.PERSON, required=False),
    )


_RETURNED_ITEMS = F("items", "解除或退还的财物清单", K.ITEMS, required=False)


def _release(
    code: str, label: str, *basis: str, extra: tuple[F, ...] = (), on_site: bool = False
) -> ActType:
    """解除 a coercive measure; ``measure_seq`` is the journal entry that imposed it."""
    fields = (
        F("measure_seq", "原措施记录序号", K.SEQ),
        F("decision_no", "解除决定书文号", required=False),
        F("reason", "解除理由", K.LONGTEXT),
        F("released_at", "解除时间", K.DATETIME),
        *extra,
    )
    return _act(code, label, fields, OFFICERS, "002 第十五条", *basis, on_site=on_site)


_INVESTIGATION: tuple[ActType, ...] = (
    _act(
        "investigation.inquiry",
        "询问",
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
        "002 第十条",
        "002 第十二条第一项",
        "003 第八条第二项",
        on_site=True,
        description="询问笔录：被询问人、起止时间、出示证件和权利告知、问答。",
    ),
    _act(
        "investigation.inspection",
        "现场检查（勘验）",
        (
            F("started_at", "检查开始时间", K.DATETIME),
            F("ended_at", "检查结束时间", K.DATETIME),
            F("place", "检查地点"),
            F("party", "当事人", K.PERSON, required=False),
            F("party_present", "当事人在场", K.BOOL),
            F("witness", "见证人", K.PERSON, required=False),
            F("identity_shown", "已出示执法证件", K.BOOL),
            F("scene", "现场情况", K.LONGTEXT),
            F("recorder", "记录人"),
            F("refusal_note", "当事人拒绝签字等情况", K.LONGTEXT, required=False),
        ),
        OFFICERS,
        "002 第十二条第三项",
        "002 第十三条",
        "003 第八条第三项",
        "003 第十四条",
        on_site=True,
        description="现场检查（勘验）笔录；当事人不在场的由见证人签名，拒签的注明。",
    ),
    _act(
        "investigation.evidence_request",
        "调取证据",
        (
            F("holder", "被调取证据的单位或个人", K.PERSON),
            F("notice_no", "调取证据通知书文号", required=False),
            F("collected_at", "调取时间", K.DATETIME),
            F("place", "调取地点", required=False),
            F("items", "证据登记清单", K.ITEMS),
            F("note", "说明（原件、复制件及核对情况）", K.LONGTEXT, required=False),
        ),
        OFFICERS,
        "002 第十二条第二项",
        "003 第八条第四项",
    ),
    _act(
        "investigation.sampling",
        "抽样取证",
        (
            F("party", "被抽样人", K.PERSON),
            F("sampled_at", "抽样时间", K.DATETIME),
            F("place", "抽样地点"),
            F("reason", "抽样事由", K.LONGTEXT),
            F("items", "样品清单", K.ITEMS),
            F("notice_no", "抽样取证凭证编号", required=False),
            F("sealed", "样品已封样", K.BOOL, required=False),
        ),
        OFFICERS,
        "002 第十二条第四项",
        "002 第十三条",
        "003 第八条第五项",
        on_site=True,
    ),
    _act(
        "investigation.appraisal",
        "检验检测鉴定",
        (
            F("kind", "类型", K.CHOICE, choices=("检验", "检测", "检疫", "鉴定", "评审")),
            F("institution", "机构名称"),
            F("matter", "委托事项"),
            F("commissioned_on", "委托日期", K.DATE, required=False),
            F("report_no", "意见书（报告）编号", required=False),
            F("reported_on", "出具日期", K.DATE),
            F("opinion", "结论意见", K.LONGTEXT),
        ),
        OFFICERS,
        "002 第十二条第七项",
        "003 第八条第六项",
    ),
    _act(
        "investigation.preservation",
        "证据保全（先行登记保存）",
        (
            F("party", "当事人", K.PERSON),
            F("reason", "保全理由（证据可能灭失或以后难以取得）", K.LONGTEXT),
            F(
                "form",
                "保全形式",
                K.CHOICE,
                choices=("先行登记保存", "复制", "音像", "鉴定", "勘验", "制作询问笔录"),
            ),
            F("items", "保全的证据（标的）", K.ITEMS),
            F("preserved_at", "保全时间", K.DATETIME),
            F("place", "地点"),
            F("storage_place", "保存地点", required=False),
            F("notice_no", "先行登记保存通知书文号", required=False),
            F("approver", "批准的负责人", required=False),
        ),
        OFFICERS,
        "002 第十四条",
        "003 第八条第七项",
        "行政处罚法 第五十六条",
        on_site=True,
        description="先行登记保存须经负责人批准，并在七日内作出处理决定。",
    ),
    _act(
        "investigation.preservation_handling",
        "先行登记保存处理决定",
        (
            F("preservation_seq", "先行登记保存记录序号", K.SEQ),
            F(
                "handling",
                "处理方式",
                K.CHOICE,
                choices=(
                    "送交检验检测鉴定",
                    "依法没收",
                    "移交有关部门",
                    "销毁或无害化处理",
                    "采取查封扣押",
                    "解除登记保存",
                ),
            ),
            F("decided_on", "决定日期", K.DATE),
            F("document_no", "处理决定书文号", required=False),
            F("items", "涉及的物品", K.ITEMS, required=False),
            F("reason", "理由", K.LONGTEXT, required=False),
        ),
        OFFICERS,
        "行政处罚法 第五十六条",
        "002 第十四条",
        description="先行登记保存后七日内作出的处理决定。",
    ),
    _coercive_measure(
        "investigation.seal",
        "查封",
        _on_site_target("查封的场所、设施或财物清单"),
        "行政强制法 第二十四条",
        "001 第九条第一项",
        on_site=True,
    ),
    _coercive_measure(
        "investigation.seize",
        "扣押",
        _on_site_target("扣押的财物清单"),
        "行政强制法 第二十四条",
        "001 第九条第二项",
        on_site=True,
    ),
    _coercive_measure(
        "investigation.freeze",
        "冻结",
        (
            F("institution", "金融机构"),
            F("account", "存款或汇款账户"),
            F("amount", "冻结数额", K.MONEY),
        ),
        "行政强制法 第三十一条",
        on_site=False,
    ),
    _act(
        "investigation.coercion_extension",
        "延长查封扣押（冻结）期限",
        (
            F("measure_seq", "原措施记录序号", K.SEQ),
            F("decision_no", "延长决定书文号"),
            F("extended_days", "延长期限（日）", K.INT),
            F("reason", "延长理由", K.LONGTEXT),
            F("approver", "批准的负责人"),
            F("notified_at", "书面告知当事人时间", K.DATETIME, required=False),
        ),
        OFFICERS,
        "行政强制法 第二十五条",
        "行政强制法 第三十二条",
        description="情况复杂的，经负责人批准可延长，延长不超过三十日，并书面告知当事人。",
    ),
    _act(
        "investigation.restrict_liberty",
        "限制人身自由",
        (
            F("person", "被限制人", K.PERSON),
            F("reason", "理由", K.LONGTEXT),
            F("legal_basis", "依据", K.TEXTS),
            F("place", "实施地点"),
            F("started_at", "开始时间", K.DATETIME),
            F("ended_at", "结束时间", K.DATETIME, required=False),
            F("family_notified", "已通知家属实施机关、地点和期限", K.BOOL),
            F("approver", "批准的负责人（紧急情况事后报告的亦填）", required=False),
        ),
        OFFICERS,
        "002 第十五条",
        "001 第九条第四项",
        "行政强制法 第二十条",
        on_site=True,
    ),
    _release(
        "investigation.release_seal",
        "解除查封",
        "行政强制法 第二十八条",
        "001 第九条第一项",
        extra=(_RETURNED_ITEMS,),
        on_site=True,
    ),
    _release(
        "investigation.release_seize",
        "解除扣押",
        "行政强制法 第二十八条",
        "001 第九条第二项",
        extra=(_RETURNED_ITEMS,),
        on_site=True,
    ),
    _release("investigation.release_freeze", "解除冻结", "行政强制法 第三十三条"),
    _release("investigation.release_restriction", "解除限制人身自由", "行政强制法 第二十条"),
    _act(
        "investigation.rights_notice",
        "权利告知（行政处罚事先告知）",
        (
            F("document_no", "告知书文号", required=False),
            F("proposed_penalty", "拟作出的处罚（决定）内容", K.LONGTEXT),
            F("facts", "事实", K.LONGTEXT),
            F("reasons", "理由", K.LONGTEXT),
            F("legal_basis", "依据", K.TEXTS),
            F("defense_right", "已告知陈述、申辩权利", K.BOOL),
            F("hearing_right", "已告知听证权利", K.BOOL),
            F(
                "method",
                "告知方式",
                K.CHOICE,
                choices=("当场送达告知书", "送达告知书", "口头告知并记录", "其他"),
            ),
            F("notified_at", "告知时间", K.DATETIME),
        ),
        OFFICERS,
        "002 第十一条",
        "002 第十二条第五项",
        "003 第八条第九项",
        "行政处罚法 第四十四条",
    ),
    _act(
        "investigation.statement_defense",
        "陈述申辩及复核",
        (
            F("speaker", "陈述申辩人", K.PERSON),
            F("received_at", "陈述申辩时间", K.DATETIME),
            F("form", "形式", K.CHOICE, choices=("口头", "书面")),
            F("content", "陈述申辩内容", K.LONGTEXT),
            F("adopted", "复核结论", K.CHOICE, choices=("采纳", "部分采纳", "不采纳")),
            F("review_opinion", "复核意见及采纳与否的理由", K.LONGTEXT),
        ),
        OFFICERS,
        "002 第十二条第五项",
        "002 第二十二条第四项",
        "003 第八条第九项",
        "行政处罚法 第四十五条",
        description="不得因当事人陈述、申辩而给予更重的处罚。",
    ),
    _act(
        "investigation.hearing",
        "听证",
        (
            F("host", "主持人"),
            F("members", "听证员", K.TEXTS, required=False),
            F("clerk", "书记员"),
            F("place", "听证地点"),
            F("started_at", "开始时间", K.DATETIME),
            F("ended_at", "结束时间", K.DATETIME),
            F("participants", "听证参加人（申请人、代理人、第三人、承办人）", K.PERSONS),
            F("transcript", "听证笔录（原始发言）", K.LONGTEXT),
            F("refusal_note", "当事人拒绝签字或中途退出的情况", K.LONGTEXT, required=False),
        ),
        OFFICERS,
        "002 第十二条第六项",
        "003 第八条第十项",
        "003 第十六条",
        "001 第十条第三项",
        "行政处罚法 第六十四条",
    ),
    _act(
        "investigation.refusal",
        "拒绝配合调查",
        (
            F("person", "拒绝人", K.PERSON),
            F("occurred_at", "发生时间", K.DATETIME),
            F("conduct", "拒绝的事项及经过", K.LONGTEXT),
            F(
                "recorded_by",
                "记录方式",
                K.CHOICE,
                choices=("在文书中注明", "音像记录", "文书注明并音像记录"),
            ),
            F("document", "注明拒绝情况的文书", required=False),
            F("signing_officers", "签字的执法人员", K.TEXTS),
        ),
        OFFICERS,
        "002 第十二条",
        "003 第十四条",
        "001 第十八条第三项",
        description="当事人或有关人员拒绝接受调查、提供证据或签字的，注明并由两名执法人员签字。",
    ),
)


# 审查决定 ------------------------------------------------------------------------------------

_DECISION: tuple[ActType, ...] = (
    _act(
        "decision.draft",
        "决定草拟",
        (
            F("drafter", "起草人"),
            F("drafting_reviewer", "起草机构审查人", required=False),
            F("facts", "事实", K.LONGTEXT),
            F("evidence", "证据材料", K.TEXTS),
            F("legal_basis", "法律依据", K.TEXTS),
            F("factors", "考虑的有关因素（含自由裁量）", K.LONGTEXT),
            F("proposal", "处理建议", K.LONGTEXT),
            # known before the decision, so the head sees in time that the pack demands a
            # collective discussion (行政处罚法 第五十七条第二款)
            F("amount", "拟罚没金额", K.MONEY, required=False),
        ),
        OFFICERS,
        "002 第十六条",
        "003 第九条第一项",
        "003 第九条第二项",
    ),
    _act(
        "decision.legal_review",
        "法制审核",
        (
            F("reviewer", "审核人"),
            F("submitted_on", "送审日期", K.DATE, required=False),
            F("facts", "事实审核", K.LONGTEXT),
            F("evidence", "证据审核", K.LONGTEXT),
            F("legal_basis", "依据审核", K.LONGTEXT),
            F("procedure", "程序审核", K.LONGTEXT),
            F("handling", "处理（裁量）审核", K.LONGTEXT),
            F("opinion", "审核意见和建议", K.LONGTEXT),
            F(
                "conclusion",
                "审核结论",
                K.CHOICE,
                choices=("同意", "建议补充调查", "建议修改后作出", "建议不予作出", "建议移送"),
            ),
        ),
        REVIEWERS,
        "002 第十七条",
        "003 第九条第三项",
        "行政处罚法 第五十八条",
    ),
    _act(
        "decision.expert_opinion",
        "专家论证",
        (
            F("experts", "论证专家", K.PERSONS),
            F("held_at", "论证时间", K.DATETIME),
            F("form", "论证形式", K.CHOICE, choices=("论证会", "书面意见")),
            F("matter", "论证事项"),
            F("opinion", "专家意见", K.LONGTEXT),
            F("minutes_no", "会议纪要或专家意见书编号", required=False),
        ),
        OFFICERS,
        "002 第十八条",
        "003 第八条第十项",
    ),
    _act(
        "decision.collective_discussion",
        "集体讨论",
        (
            F("held_at", "讨论时间", K.DATETIME),
            F("place", "地点", required=False),
            F("host", "主持人"),
            F("participants", "参加人员", K.TEXTS),
            F("recorder", "记录人"),
            F("minutes", "讨论记录", K.LONGTEXT),
            F("conclusion", "讨论结论", K.LONGTEXT),
        ),
        HEADS,
        "002 第十九条",
        "003 第九条第四项",
        "行政处罚法 第五十七条",
    ),
    _act(
        "decision.head_approval",
        "负责人审批",
        (
            F("matter", "审批事项"),
            F("opinion", "审批意见", K.LONGTEXT),
            F("approved", "是否批准", K.BOOL),
            F("subject_seq", "所审批事项的记录序号", K.SEQ, required=False),
        ),
        HEADS,
        "002 第二十条",
        "002 第三十八条",
        "003 第九条第五项",
        "003 第十五条",
        description="负责人签署意见；签名即记录人的电子签名。",
    ),
    _act(
        "decision.decision",
        "行政执法决定",
        (
            F("document_no", "决定书文号"),
            F("party", "当事人", K.PERSON),
            F("facts", "违法事实和证据", K.LONGTEXT),
            F("kinds", "决定种类（如罚款、没收违法所得）", K.TEXTS),
            F("legal_basis", "依据", K.TEXTS),
            F("content", "决定内容", K.LONGTEXT),
            F("amount", "罚没金额", K.MONEY, required=False),
            F("performance", "履行方式和期限", K.LONGTEXT),
            F("remedy", "申请行政复议、提起行政诉讼的途径和期限", K.LONGTEXT),
            F("decided_on", "决定日期", K.DATE),
        ),
        OFFICERS,
        "002 第二十一条",
        "003 第十三条",
        "行政处罚法 第五十九条",
    ),
    _act(
        "decision.summary",
        "简易程序当场处罚",
        (
            *CASE_HEADER_FIELDS,
            F("document_no", "当场处罚决定书编号"),
            F("facts", "违法事实（适用简易程序的事实依据）", K.LONGTEXT),
            F("legal_basis", "法律依据（含适用简易程序的条件）", K.TEXTS),
            F("penalty", "处罚种类", K.CHOICE, choices=("警告", "通报批评", "罚款")),
            F("amount", "罚款金额", K.MONEY, required=False),
            F("statement", "当事人陈述、申辩", K.LONGTEXT, required=False),
            F("review", "复核处理及是否采纳的理由", K.LONGTEXT, required=False),
            F("collection", "当场收缴罚款情况（收据编号）", required=False),
            F("filing", "向所属行政机关备案情况", required=False),
        ),
        OFFICERS,
        "002 第二十二条",
        "行政处罚法 第五十一条",
        "行政处罚法 第五十二条",
        on_site=True,
        opens_case=True,  # a summary penalty has no 立案: its decision is the case's first act
        description="当场作出处罚决定，记录适用条件、文书、陈述申辩及复核、备案和当场收缴。",
    ),
)


# 送达 ----------------------------------------------------------------------------------------

# The fields of a 送达回证 that every mode records (003 第十七条).
SERVICE_FIELDS: tuple[F, ...] = (
    F("document", "送达文书名称"),
    F("document_no", "文书文号"),
    F("recipient", "受送达人", K.PERSON),
    F("served_at", "送达时间", K.DATETIME),
    F("place", "送达地点"),
    F("server", "送达人"),
)


def _service(
    code: str, label: str, extra: tuple[F, ...], *basis: str, on_site: bool = False
) -> ActType:
    return _act(
        code,
        label,
        SERVICE_FIELDS + extra,
        OFFICERS,
        *basis,
        "003 第十七条",
        on_site=on_site,
    )


_SERVICE: tuple[ActType, ...] = (
    _service(
        "service.direct",
        "直接送达",
        (F("signed_by", "代为签收人（同住成年家属、单位收件人等）", K.PERSON, required=False),),
        "002 第二十三条",
    ),
    _service(
        "service.mail",
        "邮寄送达",
        (
            F("mail_type", "邮寄方式", K.CHOICE, choices=("挂号信", "特快专递")),
            F("tracking_no", "邮件号"),
            F("posted_on", "交寄日期", K.DATE),
            F("receipt_returned", "回执已退回", K.BOOL),
        ),
        "002 第二十四条",
    ),
    _service(
        "service.lodged",
        "留置送达",
        (
            F("refusal_reason", "拒收事由", K.LONGTEXT),
            F("witness", "见证人", K.PERSON),
            F("av_recorded", "已音像记录送达过程", K.BOOL),
        ),
        "002 第二十五条",
        "001 第十条第四项",
        on_site=True,
    ),
    _service(
        "service.entrusted",
        "委托送达",
        (
            F("reason", "委托原因", K.LONGTEXT),
            F("entrusted_to", "受委托的机关或单位"),
        ),
        "002 第二十六条",
    ),
    _service(
        "service.forwarded",
        "转交送达",
        (
            F("reason", "转交原因", K.LONGTEXT),
            F("forwarded_via", "转交单位（如所在部队、监所）"),
        ),
        "002 第二十六条",
    ),
    _service(
        "service.public_notice",
        "公告送达",
        (
            F("failed_modes", "其他方式均无法送达的情况", K.LONGTEXT),
            F("medium", "公告方式和载体"),
            F("published_on", "公告日期", K.DATE),
            F("period_days", "公告期（日）", K.INT),
        ),
        "002 第二十七条",
        "001 第十条第四项",
    ),
)


# 执行 ----------------------------------------------------------------------------------------

_EXECUTION: tuple[ActType, ...] = (
    _act(
        "execution.compliance",
        "履行情况",
        (
            F("decision_no", "决定书文号"),
            F("status", "履行情况", K.CHOICE, choices=("全部履行", "部分履行", "未履行")),
            F("fulfilled_on", "履行日期", K.DATE, required=False),
            F("paid_amount", "已缴纳金额", K.MONEY, required=False),
            F("receipt_no", "缴款凭证编号", required=False),
            F("note", "说明", K.LONGTEXT, required=False),
        ),
        OFFICERS,
        "002 第二十八条第一款",
        "003 第十条第二项",
    ),
    _act(
        "execution.correction_check",
        "责令改正复查",
        (
            F("order_no", "责令改正通知书文号"),
            F("checked_at", "复查时间", K.DATETIME),
            F("place", "复查地点"),
            F("corrected", "改正情况", K.CHOICE, choices=("已改正", "部分改正", "未改正")),
            F("findings", "复查情况", K.LONGTEXT),
        ),
        OFFICERS,
        "002 第二十八条第二款",
        on_site=True,
    ),
    _act(
        "execution.demand_notice",
        "催告",
        (
            F("document_no", "催告书文号"),
            F("decision_no", "所依据的决定书文号"),
            F("obligation", "应履行的义务", K.LONGTEXT),
            F("deadline", "履行期限", K.DATE),
            F("method", "履行方式"),
            F("amount", "金钱给付金额", K.MONEY, required=False),
            F("statement_right", "已告知陈述、申辩权利", K.BOOL),
        ),
        OFFICERS,
        "002 第二十九条",
        "行政强制法 第三十五条",
        "行政强制法 第三十六条",
    ),
    _act(
        "execution.late_fee",
        "加处罚款或滞纳金",
        (
            F("decision_no", "所依据的决定书文号"),
            F("kind", "类型", K.CHOICE, choices=("加处罚款", "滞纳金")),
            F("rate", "标准（如每日百分之三）"),
            F("started_on", "起算日期", K.DATE),
            F("amount", "金额", K.MONEY, required=False),
            F("standard_notified", "已告知当事人加处标准", K.BOOL),
        ),
        OFFICERS,
        "002 第三十条第一项",
        "003 第十条第三项",
        "行政强制法 第四十五条",
        description="加处罚款或者滞纳金的数额不得超出金钱给付义务的数额。",
    ),
    _act(
        "execution.transfer",
        "划拨存款、汇款",
        (
            F("decision_no", "强制执行决定书文号"),
            F("institution", "金融机构"),
            F("account", "账户"),
            F("amount", "划拨金额", K.MONEY),
            F("transferred_on", "划拨日期", K.DATE),
        ),
        OFFICERS,
        "002 第三十条第二项",
        "行政强制法 第四十七条",
    ),
    _act(
        "execution.auction",
        "拍卖或依法处理",
        (
            F("decision_no", "强制执行决定书文号"),
            F("method", "方式", K.CHOICE, choices=("拍卖", "依法处理")),
            F("items", "拍卖或处理的财物", K.ITEMS),
            F("handled_by", "拍卖机构或处理单位", required=False),
            F("handled_on", "拍卖或处理日期", K.DATE),
            F("proceeds", "所得价款", K.MONEY, required=False),
        ),
        OFFICERS,
        "002 第三十条第三项",
        "003 第十条第四项",
        "行政强制法 第四十六条",
    ),
    _act(
        "execution.restoration",
        "排除妨碍、恢复原状",
        (
            F("decision_no", "强制执行决定书文号"),
            F("place", "执行地点"),
            F("started_at", "开始时间", K.DATETIME),
            F("ended_at", "结束时间", K.DATETIME, required=False),
            F("measures", "执行情况", K.LONGTEXT),
            F("witness", "见证人", K.PERSON, required=False),
            F("av_recorded", "已同步音像记录", K.BOOL),
        ),
        OFFICERS,
        "002 第三十条第四项",
        "行政强制法 第三十七条",
        on_site=True,
    ),
    _act(
        "execution.substitute_performance",
        "代履行",
        (
            F("decision_no", "代履行决定书文号"),
            F("performer", "代履行人"),
            F("place", "代履行地点"),
            F("started_at", "开始时间", K.DATETIME),
            F("ended_at", "结束时间", K.DATETIME, required=False),
            F("content", "代履行内容及情况", K.LONGTEXT),
            F("cost", "代履行费用", K.MONEY, required=False),
            F("witness", "当事人或见证人", K.PERSON, required=False),
        ),
        OFFICERS,
        "002 第三十条第五项",
        "001 第九条第三项",
        "行政强制法 第五十条",
        "行政强制法 第五十一条",
        on_site=True,
    ),
    _act(
        "execution.court_application",
        "申请人民法院强制执行",
        (
            F("court", "受理法院"),
            F("applied_on", "申请日期", K.DATE),
            F("decision_no", "申请执行的决定书文号"),
            F("documents", "提交的材料", K.TEXTS),
            F("ruling_no", "法院裁定书文号", required=False),
            F("result", "强制执行结果", K.LONGTEXT, required=False),
        ),
        OFFICERS,
        "002 第三十一条",
        "行政强制法 第五十三条",
        "行政强制法 第五十四条",
    ),
)


# 归档 ----------------------------------------------------------------------------------------

_ARCHIVING: tuple[ActType, ...] = (
    _act(
        "archiving.closing",
        "结案",
        (
            F("closed_on", "结案日期", K.DATE),
            F(
                "outcome",
                "结案情形",
                K.CHOICE,
                choices=("执行完毕", "不予处罚", "撤销案件", "移送处理", "终结执行", "其他"),
            ),
            F("report", "结案报告", K.LONGTEXT),
            F("approver", "批准的负责人", required=False),
        ),
        OFFICERS,
        "002 第三十二条第二款",
        "001 第十六条",
    ),
    _act(
        "archiving.archive",
        "归档",
        (
            F("dossier_no", "归档号"),
            F("volumes", "卷数", K.INT),
            F("pages", "页数", K.INT),
            F("retention", "保管期限", K.CHOICE, choices=RETENTION_PERIODS),
            F("archived_on", "归档日期", K.DATE),
            F("archivist", "立卷人"),
            F("checker", "检查人", required=False),
            F("media", "音像资料光盘（存储介质）编号", K.TEXTS, required=False),
        ),
        ARCHIVISTS,
        "002 第三十二条第二款",
        "002 第三十三条",
        "001 第十六条",
        "001 第十九条",
        "003 第二十五条",
    ),
    _act(
        "archiving.legal_hold",
        "保全（暂停销毁）",
        (
            F("ground", "保全事由", K.CHOICE, choices=HOLD_GROUNDS),
            F("reason", "情况说明", K.LONGTEXT),
            F("digests", "保全的文件摘要（空为整个案卷）", K.TEXTS, required=False),
        ),
        frozenset({Role.HEAD, Role.ARCHIVIST}),
        "001 第十八条",
        "003 第二十五条",
        description="复议、诉讼、审计等期间暂停销毁，保管期限届满也不得销毁，直至解除。",
    ),
    _act(
        "archiving.hold_release",
        "解除保全",
        (
            F("hold", "被解除的保全记录序号", K.SEQ),
            F("reason", "解除理由", K.LONGTEXT),
        ),
        HEADS,
        "001 第十八条",
    ),
    _act(
        "archiving.disposal_approval",
        "销毁审批",
        (
            F("digests", "拟销毁的文件摘要", K.TEXTS),
            F("reason", "销毁理由", K.LONGTEXT),
            F("decision", "审批意见", K.CHOICE, choices=("同意", "不同意")),
            F("opinion", "负责人意见", K.LONGTEXT, required=False),
        ),
        HEADS,
        "001 第十八条",
        "001 第十九条",
        description="保管期限届满的记录，经负责人批准方可销毁。",
    ),
    _act(
        "archiving.disposal",
        "销毁记录",
        (
            F("approval", "销毁审批记录序号", K.SEQ),
            F("digests", "已销毁的文件摘要", K.TEXTS),
            F("sizes", "文件大小（字节，与摘要一一对应）", K.TEXTS),
            F("reason", "销毁理由", K.LONGTEXT),
            F("retention_ended_on", "保管期限届满日期", K.DATE),
        ),
        ARCHIVISTS,
        "001 第十八条",
        "001 第十九条",
        description="文件内容删除后，日志仍以摘要证明其曾经存在。",
    ),
)


# 通用事项 ------------------------------------------------------------------------------------

_GENERAL: tuple[ActType, ...] = (
    _act(
        "general.av_interruption",
        "音像记录中断说明",
        (
            F("device_no", "执法记录设备编号"),
            F("interrupted_at", "中断时间", K.DATETIME),
            F("resumed_at", "恢复记录时间", K.DATETIME, required=False),
            F("reason", "中断原因", K.CHOICE, choices=AV_INTERRUPTION_REASONS),
            F("explanation", "情况说明", K.LONGTEXT),
            F("form", "说明形式", K.CHOICE, choices=("语音说明", "书面说明")),
            F("signing_officers", "签字的执法人员", K.TEXTS),
        ),
        OFFICERS,
        "001 第十四条",
        "003 第二十二条",
        description="恢复记录时语音说明中断原因；无法继续记录的，事后书面说明并由两名执法人员签字。",
    ),
    _act(
        "general.device_check",
        "音像记录设备检查",
        (
            F("device_no", "执法记录设备编号"),
            F("battery_percent", "电量（%）", K.INT),
            F("storage_free_mb", "剩余存储空间（MB）", K.INT),
            F("clock_ok", "设备时间准确", K.BOOL, required=False),
            F("works", "设备性能正常", K.BOOL),
            F("note", "说明", required=False),
        ),
        OFFICERS,
        "001 第十二条",
    ),
    _act(
        "evidence.stored",
        "音像资料入库",
        (
            F("digest", "文件摘要"),
            F("name", "原文件名"),
            F("size", "大小（字节）", K.INT),
            F("media_type", "文件类型", required=False),
            F("kind", "类别", K.CHOICE, choices=STORED_KINDS),
            F("stored_at", "存储至系统的时间", K.DATETIME),
            F("device_no", "执法记录设备编号", required=False),
            F("officer", "执法人员执法证号", required=False),
            F("unit", "所属机构编码", required=False),
            F("started_at", "开始记录时间", K.DATETIME, required=False),
            F("ended_at", "结束记录时间", K.DATETIME, required=False),
            F("remote", "连续、异地或偏远地区执法", K.BOOL, required=False),
            F("returned_at", "返回单位时间", K.DATETIME, required=False),
            F("container", "封装格式", required=False),
            F("codecs", "编码", K.TEXTS, required=False),
            F("duration", "时长（秒）", required=False),
            F("gps", "拍摄位置", required=False),
            F("corrupt", "文件损坏或无法解析", K.BOOL, required=False),
            F("problems", "问题", K.TEXTS, required=False),
            F("source", "来源", K.CHOICE, required=False, choices=("上传", "记录仪导入")),
        ),
        frozenset({Role.OFFICER, Role.ADMIN}),
        "001 第十五条",
        "003 第二十三条",
        "003 第二十四条",
        description="音像资料存入执法信息系统：原样保存，按摘要存储，不得修改。",
    ),
    _act(
        "evidence.derived",
        "音像资料派生文件",
        (
            F("digest", "原文件摘要"),
            F("thumbnail", "缩略图摘要", required=False),
            F("proxy", "浏览用副本摘要", required=False),
            F("problems", "问题", K.TEXTS, required=False),
        ),
        frozenset({Role.SYSTEM}),
        "001 第二十四条",
        description="为浏览生成的缩略图和副本；原文件保持不变。",
    ),
    _act(
        "general.document",
        "执法文书",
        (
            F("doc_type", "文书种类", K.CHOICE, choices=tuple(DOCUMENT_TYPES)),
            F("act_seq", "所记录事项的记录序号", K.SEQ),
            F("number", "文号", required=False),
            F("digest", "文书 PDF 摘要", required=False),
            F("issued_at", "制作（签发）时间", K.DATETIME, required=False),
            F("signatures", "签名", K.SIGNATURES),
            F("party_refused", "当事人拒绝签字", K.BOOL, required=False),
            F("refusal_reason", "拒签情况说明", K.LONGTEXT, required=False),
            F("content", "文书内容", K.CHANGES, required=False),
            F("supersedes", "被本版本更正的文书记录序号", K.SEQ, required=False),
        ),
        ANYONE_INTERNAL,
        "003 第十一条",
        "003 第十四条",
        "002 第三条第二款",
        description="事项形成的执法文书及其签名；当事人拒签的，注明情况并由两名以上执法人员签字。",
    ),
    _act(
        "general.media",
        "音像记录",
        (
            F("digest", "文件摘要"),
            F("kind", "类别", K.CHOICE, choices=MEDIA_KINDS),
            F("device_no", "执法记录设备编号"),
            F("act_seq", "所记录事项的记录序号", K.SEQ, required=False),
            F("started_at", "开始记录时间", K.DATETIME),
            F("ended_at", "结束记录时间", K.DATETIME),
            F("stored_at", "存储至系统的时间", K.DATETIME),
            F(
                "opening_statement",
                "开始时已语音说明时间、地点、人员、事由",
                K.BOOL,
                required=False,
            ),
            F("remote", "连续、异地或偏远地区执法", K.BOOL, required=False),
            F("returned_at", "返回单位时间", K.DATETIME, required=False),
            F("note", "说明", required=False),
        ),
        ANYONE_INTERNAL,
        "001 第九条",
        "001 第十三条",
        "001 第十五条",
        "003 第二十三条",
        description="归入本案的一段音像记录：设备、起止时间、存储时间，以及所记录的事项。",
    ),
    _act(
        "general.incident",
        "妨碍执法情况",
        (
            F("kind", "情形", K.CHOICE, choices=INCIDENT_KINDS),
            F("act_seq", "发生于的事项记录序号", K.SEQ, required=False),
            F("description", "经过", K.LONGTEXT),
        ),
        OFFICERS,
        "001 第十八条第三项",
        "001 第二十七条",
        description="当事人拒绝、阻碍执法，或者谩骂、侮辱、殴打执法人员的情况。",
    ),
    _act(
        "general.objection",
        "当事人异议",
        (
            F("kind", "方式", K.CHOICE, choices=OBJECTION_KINDS),
            F("description", "异议内容", K.LONGTEXT),
            F("received_at", "收到时间", K.DATETIME, required=False),
        ),
        ANYONE_INTERNAL,
        "001 第十八条第二项",
        description="当事人对执法提出异议，或申请行政复议、提起行政诉讼。",
    ),
    _act(
        "general.evidence_use",
        "音像记录作为证据使用",
        (
            F("digests", "作为证据的音像文件摘要", K.TEXTS),
            F("purpose", "用途", K.LONGTEXT),
            F("medium", "转存介质（光盘编号等）", required=False),
        ),
        ANYONE_INTERNAL,
        "001 第十七条",
        "003 第二十五条",
        description="音像资料作为证据使用，转存介质并附说明随卷归档。",
    ),
    _act(
        "general.correction",
        "更正",
        (
            F("reason", "更正理由", K.LONGTEXT),
            F("changes", "更正后的内容", K.CHANGES),
        ),
        ANYONE_INTERNAL,
        "003 第十四条",
    ),
    _act(
        "general.review_access",
        "调阅记录",
        (
            F("accessor", "调阅（查阅、复制）人", K.PERSON),
            F("purpose", "目的", K.LONGTEXT),
            F("approved_by", "批准人", required=False),
            F("materials", "调阅或复制的记录", K.TEXTS),
            F("copied", "是否复制", K.BOOL),
            F("request", "对应的查阅、复制申请序号", K.SEQ, required=False),
        ),
        ANYONE_INTERNAL,
        "003 第二十四条",
        "001 第二十二条",
        "002 第三十四条",
        description="实时调阅和当事人查阅、复制的台账。",
        actors_required=False,
    ),
    _act(
        "general.disclosure_request",
        "查阅、复制申请",
        (
            F("requester", "申请人", K.PERSON),
            F("relation", "与案件的关系", K.CHOICE, choices=REQUESTER_RELATIONS),
            F("kind", "申请事项", K.CHOICE, choices=("查阅", "复制", "查阅并复制")),
            F("materials", "申请查阅、复制的记录", K.TEXTS),
            F("purpose", "申请理由", K.LONGTEXT),
            F("received_at", "收到申请时间", K.DATETIME),
        ),
        ANYONE_INTERNAL - {Role.SUPERVISOR},
        "001 第二十一条",
        "002 第三十四条",
        description="当事人或其代理人申请查阅、复制本案的执法记录。",
    ),
    _act(
        "general.disclosure_decision",
        "查阅、复制审批",
        (
            F("request", "申请记录序号", K.SEQ),
            F("decision", "审批结果", K.CHOICE, choices=("同意", "部分同意", "不同意")),
            F("reason", "理由", K.LONGTEXT),
            F("materials", "准予查阅、复制的记录", K.TEXTS, required=False),
        ),
        HEADS,
        "001 第二十一条",
        "001 第二十三条",
        "002 第三十四条",
        description="负责人批准或拒绝查阅、复制申请；拒绝须说明理由。",
    ),
    _act(
        "general.assignment",
        "指派承办人员",
        (
            F("officers", "承办本案的执法人员（执法证号，取代此前的指派）", K.TEXTS),
            F("reason", "指派或变更的理由", K.LONGTEXT),
        ),
        HEADS,
        "行政处罚法 第四十二条",
        description="负责人指派或变更承办本案的执法人员（不少于两人）；"
        "“承办本案”只来自立案时的执法人员和此项指派，不因在其他记录中署名而取得。",
        actors_required=False,
    ),
    _act(
        "general.confidentiality",
        "保密标记",
        (
            F("mark", "标记", K.CHOICE, choices=CONFIDENTIALITY_MARKS),
            F("records", "标记的记录（日志序号或文件摘要；空为整个案件）", K.TEXTS, required=False),
            F("reason", "依据和理由", K.LONGTEXT),
        ),
        frozenset({Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST}),
        "001 第二十条",
        "002 第三十五条",
        description="涉及国家秘密、商业秘密、个人隐私的记录，限制调阅与对外提供；“无”为解除标记。",
    ),
)


# 机构与人员登记 ------------------------------------------------------------------------------

_REGISTRY: tuple[ActType, ...] = (
    _act(
        "registry.agency",
        "登记行政执法机关",
        (
            F("code", "机关编码"),
            F("name", "机关名称"),
            F("region", "行政区划"),
            F("rule_pack", "适用的规则包", required=False),
        ),
        ADMINS,
        "002 第二条",
        "002 第三十九条",
    ),
    _act(
        "registry.unit",
        "登记执法机构",
        (
            F("code", "机构编码"),
            F("name", "机构名称"),
            F("agency", "所属机关编码"),
        ),
        ADMINS,
        "002 第三十八条",
        "003 第二十四条",
    ),
    _act(
        "registry.officer",
        "登记执法人员",
        (
            F("cert_no", "执法证号"),
            F("name", "姓名"),
            F("unit", "所属机构编码"),
            F("roles", "角色", K.TEXTS),
            F("active", "在岗", K.BOOL),
        ),
        ADMINS,
        "002 第十条",
        "003 第八条第一项",
        "003 第二十四条",
    ),
    _act(
        "registry.device",
        "登记执法记录仪",
        (
            F("device_no", "设备编号"),
            F("model", "型号"),
            F("unit", "所属机构编码"),
            F("officer", "使用人执法证号", required=False),
            F("status", "状态", K.CHOICE, choices=DEVICE_STATUSES),
            F("note", "说明", required=False),
        ),
        ADMINS,
        "001 第十二条",
        "003 第二十四条",
        "003 第二十八条",
        description="执法记录仪的登记、配发与状态变更。",
    ),
    _act(
        "registry.device_maintenance",
        "执法记录仪维护",
        (
            F("device_no", "设备编号"),
            F("kind", "类别", K.CHOICE, choices=("维护", "维修", "校时", "检定")),
            F("done_on", "日期", K.DATE),
            F("description", "情况", K.LONGTEXT),
        ),
        frozenset({Role.ADMIN, Role.OFFICER}),
        "003 第二十四条",
        description="执法记录仪的存放、维护、保养记录。",
    ),
    _act(
        "registry.signing_ca",
        "建立电子签名根证书",
        (
            F("subject", "证书主体"),
            F("fingerprint", "证书指纹（SHA-256）"),
            F("not_after", "有效期至", K.DATETIME),
        ),
        ADMINS,
        "003 第五条",
        description="本实例签发执法人员签名证书的根证书；其指纹记入日志，证书文件被替换即可发现。",
    ),
    _act(
        "registry.signing_key",
        "签发签名证书",
        (
            F("cert_no", "执法证号"),
            F("name", "姓名"),
            F("serial", "证书序列号"),
            F("fingerprint", "证书指纹（SHA-256）"),
            F("not_before", "生效时间", K.DATETIME),
            F("not_after", "有效期至", K.DATETIME),
        ),
        ADMINS,
        "003 第五条",
        description="为执法人员、审核人、负责人签发电子签名证书（一人一证）。",
    ),
    _act(
        "registry.rule_pack",
        "变更适用的规则包",
        (
            F("pack", "规则包"),
            F("agency", "机关编码（空为全实例默认）", required=False),
            F("digest", "规则包内容摘要"),
            F("reason", "变更理由", K.LONGTEXT),
        ),
        ADMINS,
        "002 第三十九条",
        description="机关适用的全过程记录规则（规则包）的变更，记入日志以便追溯。",
    ),
    _act(
        "registry.calendar",
        "导入节假日安排",
        (
            F("year", "年份", K.INT),
            F("holidays", "放假日期", K.TEXTS),
            F("workdays", "调休上班日期", K.TEXTS, required=False),
            F("source", "依据（通知文号）"),
        ),
        ADMINS,
        "001 第十五条",
        "001 第十六条",
        description="国务院办公厅公布的某一年节假日安排，用于按工作日计算期限。",
    ),
)

ACT_TYPES: tuple[ActType, ...] = (
    _INITIATION
    + _INVESTIGATION
    + _DECISION
    + _SERVICE
    + _EXECUTION
    + _ARCHIVING
    + _GENERAL
    + _REGISTRY
)

_BY_CODE: dict[str, ActType] = {a.code: a for a in ACT_TYPES}


def act_type(code: str) -> ActType | None:
    return _BY_CODE.get(code)


def acts_in_stage(stage: Stage) -> tuple[ActType, ...]:
    return tuple(a for a in ACT_TYPES if a.stage is stage)
