"""The enforcement documents (执法文书) the catalog names, as typed forms.

Each document type lists the fields its printed form holds, following 市场监督管理行政处罚文书格式
范本（2021）and 文化市场综合行政执法文书格式, so that a document can be checked before it is
rendered and signed: a form with a blank required field must not reach a party. Field names
repeat the catalog's act fields where they mean the same thing, so a document can be prefilled
from the act it records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liuhen.procedure.catalog import DOCUMENT_TYPES, act_type
from liuhen.procedure.fields import SIGNER_ROLES
from liuhen.procedure.fields import FieldKind as K
from liuhen.procedure.fields import FieldSpec as F


@dataclass(frozen=True)
class DocType:
    """One kind of document: what it holds, which acts it records and who signs it.

    ``transcript`` marks the 笔录 kind, whose every page the party confirms (003 第十四条);
    ``sample`` holds realistic values so that a layout can be previewed without a case.
    """

    code: str
    title: str
    fields: tuple[F, ...]
    acts: tuple[str, ...]
    signers: tuple[str, ...]
    transcript: bool
    template: str
    sample: dict[str, Any]


# Building blocks shared by many forms ---------------------------------------------------------

_CAUSE = F("cause", "案由")
_CASE_NO = F("case_no", "案件编号", required=False)
_PARTY = F("party", "当事人", K.PERSON)
_LEGAL_REP = F("legal_rep", "法定代表人（负责人）", required=False)
_LEGAL_BASIS = F("legal_basis", "依据", K.TEXTS)
_REVIEW_BODY = F("review_body", "行政复议机关")
_COURT = F("court", "管辖人民法院")
_CONTACT = F("contact", "联系人", required=False)
_CONTACT_PHONE = F("contact_phone", "联系电话", required=False)
_AGENCY_ADDRESS = F("agency_address", "本机关地址", required=False)
_MEASURE = F("measure", "措施种类", K.CHOICE, choices=("查封", "扣押"))


def _act_choices(act: str, field: str) -> tuple[str, ...]:
    """A choice list taken from the act the document records, so the two cannot drift."""
    spec = act_type(act)
    for f in spec.fields if spec else ():
        if f.name == field:
            return f.choices
    raise AssertionError(f"{act} has no field {field}")


_OFFICERS_LABEL = "执法人员（姓名及执法证号）"


def _opinions(first: str = "承办人意见") -> tuple[F, ...]:
    """The three-level chain of an internal approval form (003 第十五条; 002 第三十八条).

    Only the handler's opinion is required: the form is printed before the reviewer and the
    head write theirs, and a blank row is where they write by hand.
    """
    return (
        F("handler_opinion", first, K.LONGTEXT),
        F("unit_opinion", "承办机构审核意见", K.LONGTEXT, required=False),
        F("head_opinion", "负责人审批意见", K.LONGTEXT, required=False),
    )


# Sample values: one realistic 文化市场 case runs through all of them --------------------------

_S_PARTY: dict[str, Any] = {
    "name": "某市星河网络科技有限公司（星河网咖）",
    "id_no": "91330106MA2H7K3X5L",
    "address": "某区文二路188号二楼",
    "phone": "0571-88886666",
}
_S_REP = "李建国"
_S_OFFICERS = ["张明（执法证号 33010021001）", "李华（执法证号 33010021002）"]
_S_CAUSE = "某市星河网络科技有限公司接纳未成年人进入互联网上网服务营业场所案"
_S_BASIS = [
    "《互联网上网服务营业场所管理条例》第二十一条",
    "《互联网上网服务营业场所管理条例》第三十一条第（二）项",
]
_S_FACTS = (
    "2026年2月28日21时10分，本局执法人员对当事人经营的星河网咖进行检查，发现两名未成年人"
    "（分别为15周岁、16周岁）正在该场所上网，系使用其家长的身份证登记开机，"
    "当事人未核对上网消费者本人身份。"
)
_S_INQUIRY = "\n".join(
    (
        "问：我们是某区文化和旅游局的执法人员张明、李华，执法证号分别为33010021001、"
        "33010021002，这是我们的执法证件，请过目。你看清楚了吗？",
        "答：看清楚了。",
        "问：依照法律规定，你有申请执法人员回避的权利，你是否申请回避？",
        "答：不申请。",
        "问：你应当如实回答询问，协助调查，不得阻挠。你听清楚了吗？",
        "答：听清楚了。",
        "问：请介绍一下你在星河网咖的工作情况。",
        "答：我是收银员，负责前台登记和收银，在这里工作一年多了。",
        "问：2026年2月28日21时左右，是否有未成年人在店内上网？",
        "答：有两个中学生，是用他们家长的身份证开的机。",
        "问：登记时有没有核对本人身份？",
        "答：当时人多，没有仔细核对。",
        "问：你还有什么要补充的吗？",
        "答：没有了。",
    )
)


# The 26 document types ------------------------------------------------------------------------

_TYPES: tuple[DocType, ...] = (
    DocType(
        "filing_approval",
        DOCUMENT_TYPES["filing_approval"],
        (
            _CASE_NO,
            _CAUSE,
            F("source", "案件来源"),
            F("found_on", "案源发现（登记）日期", K.DATE, required=False),
            F("parties", "当事人", K.PERSONS),
            _LEGAL_REP,
            F("summary", "案情摘要", K.LONGTEXT),
            F("reason", "立案理由及依据", K.LONGTEXT),
            F("handlers", "承办人（姓名及执法证号）", K.TEXTS),
            *_opinions(),
        ),
        ("initiation.ex_officio", "initiation.complaint"),
        ("officer", "reviewer", "approver"),
        False,
        "approval_form.html",
        {
            "case_no": "某文旅立〔2026〕12号",
            "cause": _S_CAUSE,
            "source": "日常巡查发现",
            "found_on": "2026-02-28",
            "parties": [_S_PARTY],
            "legal_rep": _S_REP,
            "summary": _S_FACTS,
            "reason": "当事人涉嫌违反《互联网上网服务营业场所管理条例》第二十一条的规定，"
            "依照《中华人民共和国行政处罚法》第五十四条，建议立案调查。",
            "handlers": _S_OFFICERS,
            "handler_opinion": "建议立案，由张明、李华承办。",
            "unit_opinion": "同意立案。",
            "head_opinion": "同意。",
        },
    ),
    DocType(
        "not_opened_approval",
        DOCUMENT_TYPES["not_opened_approval"],
        (
            _CAUSE,
            F("source", "案件来源"),
            F("parties", "当事人", K.PERSONS, required=False),
            F("summary", "基本情况", K.LONGTEXT),
            F("reason", "不予立案理由", K.LONGTEXT),
            F("legal_basis", "依据", K.TEXTS, required=False),
            F("complainant_notified", "已告知实名投诉举报人", K.BOOL, required=False),
            *_opinions(),
        ),
        ("initiation.not_opened",),
        ("officer", "reviewer", "approver"),
        False,
        "approval_form.html",
        {
            "cause": "某书店销售盗版图书举报",
            "source": "实名举报（12345热线转办）",
            "summary": "2026年3月2日接举报称某区文三路书香书店销售盗版图书。3月3日执法人员"
            "现场核查，未发现举报所称图书，店内在售图书均有合法进货凭证。",
            "reason": "经核查，举报反映的违法事实不存在。",
            "legal_basis": ["《中华人民共和国行政处罚法》第五十四条"],
            "complainant_notified": True,
            "handler_opinion": "建议不予立案，并书面告知举报人。",
        },
    ),
    DocType(
        "inquiry_record",
        DOCUMENT_TYPES["inquiry_record"],
        (
            _CAUSE,
            F("started_at", "询问开始时间", K.DATETIME),
            F("ended_at", "询问结束时间", K.DATETIME),
            F("place", "询问地点"),
            F("inquirers", "询问人（姓名及执法证号）", K.TEXTS),
            F("recorder", "记录人"),
            F("subject", "被询问人", K.PERSON),
            F("relation", "与本案关系"),
            F("others_present", "其他在场人员", required=False),
            F("identity_shown", "已出示执法证件", K.BOOL),
            F("rights_notified", "已告知陈述、申辩和申请回避的权利", K.BOOL),
            F("transcript", "询问内容（问答）", K.LONGTEXT),
        ),
        ("investigation.inquiry",),
        ("officer", "party"),
        True,
        "inquiry_record.html",
        {
            "cause": _S_CAUSE,
            "started_at": "2026-03-01T09:30:00+08:00",
            "ended_at": "2026-03-01T10:15:00+08:00",
            "place": "某区文化和旅游局执法大队询问室",
            "inquirers": _S_OFFICERS,
            "recorder": "李华",
            "subject": {
                "name": "王丽",
                "gender": "女",
                "age": 32,
                "id_no": "330106199403150026",
                "unit": "某市星河网络科技有限公司",
                "title": "收银员",
                "phone": "13800001234",
                "address": "某区古荡新村12幢3单元502室",
            },
            "relation": "当事人员工",
            "identity_shown": True,
            "rights_notified": True,
            "transcript": _S_INQUIRY,
        },
    ),
    DocType(
        "inspection_record",
        DOCUMENT_TYPES["inspection_record"],
        (
            F("cause", "案由（事由）", required=False),
            F("kind", "类别", K.CHOICE, choices=("现场检查", "勘验")),
            F("started_at", "检查开始时间", K.DATETIME),
            F("ended_at", "检查结束时间", K.DATETIME),
            F("place", "检查地点"),
            F("party", "当事人", K.PERSON, required=False),
            _LEGAL_REP,
            F("party_present", "当事人在场", K.BOOL),
            F("present_person", "现场负责人（在场人员）", K.PERSON, required=False),
            F("witness", "见证人", K.PERSON, required=False),
            F("inspectors", "检查人员（姓名及执法证号）", K.TEXTS),
            F("recorder", "记录人"),
            F("identity_shown", "已出示执法证件", K.BOOL),
            F("rights_notified", "已告知申请回避的权利", K.BOOL, required=False),
            F("av_recorded", "已同步音像记录", K.BOOL, required=False),
            F("scene", "现场情况", K.LONGTEXT),
        ),
        ("investigation.inspection",),
        ("officer", "party", "witness"),
        True,
        "inspection_record.html",
        {
            "cause": "日常巡查",
            "kind": "现场检查",
            "started_at": "2026-02-28T21:10:00+08:00",
            "ended_at": "2026-02-28T21:50:00+08:00",
            "place": "某区文二路188号二楼星河网咖",
            "party": _S_PARTY,
            "legal_rep": _S_REP,
            "party_present": False,
            "present_person": {"name": "王丽", "title": "收银员", "phone": "13800001234"},
            "inspectors": _S_OFFICERS,
            "recorder": "李华",
            "identity_shown": True,
            "rights_notified": True,
            "av_recorded": True,
            "scene": "执法人员出示执法证件后，对星河网咖进行检查。该场所悬挂《网络文化经营许可证》"
            "（编号：浙网文〔2024〕1234-056号）和营业执照。\n"
            "检查时场内共有上网消费者32人，其中A区15号、16号机位两名上网人员经询问系未成年人，"
            "分别为15周岁、16周岁，系使用家长身份证登记开机。\n"
            "执法人员对现场情况进行了拍照和录像，调取了当日上网登记记录。",
        },
    ),
    DocType(
        "evidence_notice",
        DOCUMENT_TYPES["evidence_notice"],
        (
            F("holder", "被调取证据的单位或个人", K.PERSON),
            _CAUSE,
            _LEGAL_BASIS,
            F("items", "调取的证据", K.ITEMS),
            F("deadline", "提供期限", K.DATE),
            F("place", "提供地点"),
            _CONTACT,
            _CONTACT_PHONE,
            F("issued_on", "日期", K.DATE),
        ),
        ("investigation.evidence_request",),
        ("approver",),
        False,
        "evidence_notice.html",
        {
            "holder": _S_PARTY,
            "cause": _S_CAUSE,
            "legal_basis": ["《中华人民共和国行政处罚法》第五十五条"],
            "items": [
                {
                    "name": "上网消费者登记记录",
                    "spec": "2026年2月1日至2月28日",
                    "quantity": 1,
                    "unit": "份",
                    "note": "电子数据导出并签字确认",
                },
                {"name": "营业执照复印件", "quantity": 1, "unit": "份", "note": "加盖公章"},
            ],
            "deadline": "2026-03-06",
            "place": "某区文化和旅游局执法大队（某区学院路50号）",
            "contact": "张明",
            "contact_phone": "0571-87001234",
            "issued_on": "2026-03-01",
        },
    ),
    DocType(
        "sampling_voucher",
        DOCUMENT_TYPES["sampling_voucher"],
        (
            F("party", "被抽样人", K.PERSON),
            _LEGAL_REP,
            F("cause", "案由", required=False),
            F("sampled_at", "抽样时间", K.DATETIME),
            F("place", "抽样地点"),
            F("reason", "抽样事由", K.LONGTEXT),
            F("legal_basis", "依据", K.TEXTS, required=False),
            F("method", "抽样方式", required=False),
            F("items", "样品清单", K.ITEMS),
            F("sealed", "样品已封样", K.BOOL, required=False),
            F("officers", "抽样人员（姓名及执法证号）", K.TEXTS),
        ),
        ("investigation.sampling",),
        ("officer", "party"),
        False,
        "sampling_voucher.html",
        {
            "party": {
                "name": "某区书香书店",
                "id_no": "92330106MA28F3QX1B",
                "address": "某区文三路66号",
                "phone": "0571-88112233",
            },
            "legal_rep": "陈书文",
            "sampled_at": "2026-03-03T14:20:00+08:00",
            "place": "某区文三路66号书香书店",
            "reason": "涉嫌销售非法出版物，抽取样品送出版物鉴定机构鉴定。",
            "legal_basis": ["《中华人民共和国行政处罚法》第五十六条"],
            "method": "随机抽样",
            "items": [
                {
                    "name": "《某某文集》",
                    "spec": "ISBN 978-7-02-000000-0",
                    "quantity": 2,
                    "unit": "册",
                    "location": "店内二号书架",
                },
                {
                    "name": "《某某画册》",
                    "spec": "无书号",
                    "quantity": 1,
                    "unit": "册",
                    "location": "收银台下方",
                },
            ],
            "sealed": True,
            "officers": _S_OFFICERS,
        },
    ),
    DocType(
        "preservation_notice",
        DOCUMENT_TYPES["preservation_notice"],
        (
            _PARTY,
            _CAUSE,
            F("reason", "先行登记保存理由", K.LONGTEXT),
            F(
                "legal_basis",
                "依据",
                K.TEXTS,
            ),
            F("list_no", "证据先行登记保存清单编号", required=False),
            F("storage", "保存方式", K.CHOICE, choices=("就地保存", "异地保存")),
            F("storage_place", "保存地点"),
            F("preserved_on", "先行登记保存日期", K.DATE),
            _CONTACT,
            _CONTACT_PHONE,
            F("issued_on", "日期", K.DATE),
        ),
        ("investigation.preservation",),
        ("officer", "party"),
        False,
        "preservation_notice.html",
        {
            "party": _S_PARTY,
            "cause": _S_CAUSE,
            "reason": "你单位2026年2月28日的上网消费者登记记录是证明案件事实的证据，"
            "可能灭失或者以后难以取得。",
            "legal_basis": ["《中华人民共和国行政处罚法》第五十六条"],
            "list_no": "某文旅保清〔2026〕3号",
            "storage": "就地保存",
            "storage_place": "星河网咖前台登记电脑（编号QD-01）",
            "preserved_on": "2026-02-28",
            "contact": "张明",
            "contact_phone": "0571-87001234",
            "issued_on": "2026-02-28",
        },
    ),
    DocType(
        "preservation_list",
        DOCUMENT_TYPES["preservation_list"],
        (
            _PARTY,
            F("notice_no", "证据先行登记保存通知书文号"),
            F("preserved_at", "先行登记保存时间", K.DATETIME),
            F("place", "地点"),
            F("storage_place", "保存地点"),
            F("items", "先行登记保存的证据", K.ITEMS),
            F("officers", _OFFICERS_LABEL, K.TEXTS),
            F("note", "备注", K.LONGTEXT, required=False),
        ),
        ("investigation.preservation",),
        ("officer", "party"),
        False,
        "item_list.html",
        {
            "party": _S_PARTY,
            "notice_no": "某文旅保通〔2026〕3号",
            "preserved_at": "2026-02-28T21:45:00+08:00",
            "place": "某区文二路188号二楼星河网咖",
            "storage_place": "星河网咖前台",
            "items": [
                {
                    "name": "前台登记电脑",
                    "spec": "联想M720，编号QD-01",
                    "quantity": 1,
                    "unit": "台",
                    "note": "贴封条，不得开机删改数据",
                },
                {"name": "上网消费者纸质登记本", "quantity": 1, "unit": "本"},
            ],
            "officers": _S_OFFICERS,
            "note": "以上物品由当事人就地保存，在本机关作出处理决定前不得动用、销毁或者转移。",
        },
    ),
    DocType(
        "seal_decision",
        DOCUMENT_TYPES["seal_decision"],
        (
            _MEASURE,
            _PARTY,
            _LEGAL_REP,
            F("reason", "理由（涉嫌违法事实）", K.LONGTEXT),
            _LEGAL_BASIS,
            F("list_no", "查封（扣押）清单编号", required=False),
            F("items", "查封（扣押）的场所、设施或财物", K.ITEMS, required=False),
            F("period_days", "期限（日）", K.INT),
            F("period_from", "期限起算日期", K.DATE),
            F("custody", "保管方式及地点", required=False),
            _REVIEW_BODY,
            _COURT,
            F("decided_on", "决定日期", K.DATE),
        ),
        ("investigation.seal", "investigation.seize"),
        ("approver",),
        False,
        "seal_decision.html",
        {
            "measure": "扣押",
            "party": {
                "name": "赵强",
                "gender": "男",
                "id_no": "330106198806120019",
                "address": "某区翠苑一区5幢201室",
                "phone": "13900005678",
            },
            "reason": "你未经许可，在某区翠苑一区5幢底商擅自从事互联网上网服务经营活动，"
            "现场有用于经营的电脑主机12台。",
            "legal_basis": [
                "《中华人民共和国行政强制法》第九条、第二十二条、第二十三条、第二十四条",
                "《互联网上网服务营业场所管理条例》第二十七条",
            ],
            "list_no": "某文旅扣清〔2026〕2号",
            "items": [
                {"name": "电脑主机", "spec": "组装机，黑色机箱", "quantity": 12, "unit": "台"},
                {"name": "液晶显示器", "spec": "24英寸", "quantity": 12, "unit": "台"},
            ],
            "period_days": 30,
            "period_from": "2026-03-05",
            "custody": "存放于某区文化和旅游局涉案物品保管室",
            "review_body": "某区人民政府",
            "court": "某区人民法院",
            "decided_on": "2026-03-05",
        },
    ),
    DocType(
        "seal_list",
        DOCUMENT_TYPES["seal_list"],
        (
            _MEASURE,
            _PARTY,
            F("decision_no", "查封（扣押）决定书文号"),
            F("executed_at", "实施时间", K.DATETIME),
            F("place", "实施地点"),
            F("items", "查封（扣押）的场所、设施或财物", K.ITEMS),
            F("officers", _OFFICERS_LABEL, K.TEXTS),
            F("note", "备注", K.LONGTEXT, required=False),
        ),
        ("investigation.seal", "investigation.seize"),
        ("officer", "party"),
        False,
        "item_list.html",
        {
            "measure": "扣押",
            "party": {"name": "赵强", "id_no": "330106198806120019", "phone": "13900005678"},
            "decision_no": "某文旅扣决〔2026〕2号",
            "executed_at": "2026-03-05T10:00:00+08:00",
            "place": "某区翠苑一区5幢底商",
            "items": [
                {
                    "name": "电脑主机",
                    "spec": "组装机，黑色机箱，已逐台贴封条",
                    "quantity": 12,
                    "unit": "台",
                    "note": "外观完好",
                },
                {
                    "name": "液晶显示器",
                    "spec": "24英寸",
                    "quantity": 12,
                    "unit": "台",
                    "note": "外观完好",
                },
            ],
            "officers": _S_OFFICERS,
            "note": "本清单一式二份，一份交当事人，一份附卷。",
        },
    ),
    DocType(
        "release_decision",
        DOCUMENT_TYPES["release_decision"],
        (
            _MEASURE,
            _PARTY,
            _LEGAL_REP,
            F("original_no", "原查封（扣押）决定书文号"),
            F("original_on", "原决定日期", K.DATE, required=False),
            F("reason", "解除理由", K.LONGTEXT),
            _LEGAL_BASIS,
            F("items", "解除查封（扣押）的财物", K.ITEMS, required=False),
            F("released_on", "解除日期", K.DATE),
            F("decided_on", "决定日期", K.DATE),
        ),
        ("investigation.release_seal", "investigation.release_seize"),
        ("approver",),
        False,
        "release_decision.html",
        {
            "measure": "扣押",
            "party": {"name": "赵强", "id_no": "330106198806120019"},
            "original_no": "某文旅扣决〔2026〕2号",
            "original_on": "2026-03-05",
            "reason": "本案已作出处理决定，扣押的液晶显示器与违法行为无关，不再需要扣押。",
            "legal_basis": ["《中华人民共和国行政强制法》第二十八条第一款第（四）项"],
            "items": [{"name": "液晶显示器", "spec": "24英寸", "quantity": 12, "unit": "台"}],
            "released_on": "2026-03-25",
            "decided_on": "2026-03-24",
        },
    ),
    DocType(
        "prior_notice",
        DOCUMENT_TYPES["prior_notice"],
        (
            _PARTY,
            _CAUSE,
            F("facts", "违法事实", K.LONGTEXT),
            F("evidence", "证据", K.TEXTS, required=False),
            _LEGAL_BASIS,
            F("proposed_penalty", "拟作出的行政处罚", K.LONGTEXT),
            F("defense_days", "陈述、申辩期限（日）", K.INT),
            F("hearing_right", "告知听证权利", K.BOOL),
            _CONTACT,
            _CONTACT_PHONE,
            _AGENCY_ADDRESS,
            F("issued_on", "日期", K.DATE),
        ),
        ("investigation.rights_notice",),
        ("approver",),
        False,
        "prior_notice.html",
        {
            "party": _S_PARTY,
            "cause": _S_CAUSE,
            "facts": _S_FACTS,
            "evidence": [
                "现场检查笔录1份",
                "询问笔录2份",
                "上网消费者登记记录1份",
                "现场照片6张、执法记录仪视频2段",
            ],
            "legal_basis": _S_BASIS,
            "proposed_penalty": "警告，并处罚款人民币5000元。",
            "defense_days": 5,
            "hearing_right": True,
            "contact": "张明",
            "contact_phone": "0571-87001234",
            "agency_address": "某区学院路50号",
            "issued_on": "2026-03-10",
        },
    ),
    DocType(
        "statement_record",
        DOCUMENT_TYPES["statement_record"],
        (
            _CAUSE,
            F("started_at", "开始时间", K.DATETIME),
            F("ended_at", "结束时间", K.DATETIME),
            F("place", "地点"),
            F("speaker", "陈述申辩人", K.PERSON),
            F("agent", "委托代理人", K.PERSON, required=False),
            F("officers", "承办人（姓名及执法证号）", K.TEXTS),
            F("recorder", "记录人"),
            F("no_heavier_notified", "已告知不因陈述、申辩而加重处罚", K.BOOL),
            F("content", "陈述、申辩内容", K.LONGTEXT),
        ),
        ("investigation.statement_defense",),
        ("officer", "party"),
        True,
        "statement_record.html",
        {
            "cause": _S_CAUSE,
            "started_at": "2026-03-13T14:00:00+08:00",
            "ended_at": "2026-03-13T14:40:00+08:00",
            "place": "某区文化和旅游局执法大队询问室",
            "speaker": {
                "name": "李建国",
                "gender": "男",
                "age": 45,
                "unit": "某市星河网络科技有限公司",
                "title": "法定代表人",
                "phone": "13700009876",
            },
            "officers": _S_OFFICERS,
            "recorder": "李华",
            "no_heavier_notified": True,
            "content": "陈述申辩人：对违法事实没有异议。当晚顾客较多，收银员没有逐一核对身份，"
            "是管理上的疏忽。事后我们已经对全体员工进行了培训，并在前台安装了人脸识别核验设备。"
            "本店是初次违法，请求从轻处罚。\n"
            "承办人：你的陈述申辩意见已记录，本机关将进行复核。",
        },
    ),
    DocType(
        "hearing_notice",
        DOCUMENT_TYPES["hearing_notice"],
        (
            _PARTY,
            _CAUSE,
            F("applied_on", "听证申请日期", K.DATE, required=False),
            F("held_at", "听证时间", K.DATETIME),
            F("place", "听证地点"),
            F("form", "听证方式", K.CHOICE, choices=("公开举行", "不公开举行")),
            F("host", "听证主持人"),
            F("members", "听证员", K.TEXTS, required=False),
            F("clerk", "书记员"),
            _CONTACT,
            _CONTACT_PHONE,
            F("issued_on", "日期", K.DATE),
        ),
        # Issued before the hearing is held: it answers the request made to the 事先告知.
        ("investigation.rights_notice", "investigation.hearing"),
        ("approver",),
        False,
        "hearing_notice.html",
        {
            "party": _S_PARTY,
            "cause": _S_CAUSE,
            "applied_on": "2026-03-12",
            "held_at": "2026-03-24T09:30:00+08:00",
            "place": "某区文化和旅游局三楼听证室",
            "form": "公开举行",
            "host": "周平",
            "members": ["吴敏", "郑涛"],
            "clerk": "孙悦",
            "contact": "孙悦",
            "contact_phone": "0571-87005678",
            "issued_on": "2026-03-14",
        },
    ),
    DocType(
        "hearing_record",
        DOCUMENT_TYPES["hearing_record"],
        (
            _CAUSE,
            F("started_at", "听证开始时间", K.DATETIME),
            F("ended_at", "听证结束时间", K.DATETIME),
            F("place", "听证地点"),
            F("form", "听证方式", K.CHOICE, choices=("公开举行", "不公开举行")),
            F("host", "听证主持人"),
            F("members", "听证员", K.TEXTS, required=False),
            F("clerk", "书记员"),
            F("applicant", "听证申请人", K.PERSON),
            _LEGAL_REP,
            F("agents", "委托代理人", K.PERSONS, required=False),
            F("third_parties", "第三人", K.PERSONS, required=False),
            F("handlers", "案件承办人（姓名及执法证号）", K.TEXTS),
            F("transcript", "听证记录", K.LONGTEXT),
        ),
        ("investigation.hearing",),
        ("host", "recorder", "officer", "party"),
        True,
        "hearing_record.html",
        {
            "cause": _S_CAUSE,
            "started_at": "2026-03-24T09:30:00+08:00",
            "ended_at": "2026-03-24T11:05:00+08:00",
            "place": "某区文化和旅游局三楼听证室",
            "form": "公开举行",
            "host": "周平",
            "members": ["吴敏", "郑涛"],
            "clerk": "孙悦",
            "applicant": _S_PARTY,
            "legal_rep": _S_REP,
            "agents": [{"name": "钱律", "unit": "某某律师事务所", "title": "律师"}],
            "handlers": _S_OFFICERS,
            "transcript": "主持人：宣布听证纪律，核对听证参加人身份，告知申请回避的权利。"
            "申请人是否申请回避？\n"
            "申请人：不申请。\n"
            "承办人：陈述案件事实、证据、依据和拟处罚意见。\n"
            "代理人：对事实无异议，当事人系初次违法，已主动整改，请求减轻处罚。\n"
            "主持人：双方是否还有补充？\n"
            "申请人：没有。承办人：没有。\n"
            "主持人：听证结束，请听证参加人核对笔录后签名。",
        },
    ),
    DocType(
        "legal_review_opinion",
        DOCUMENT_TYPES["legal_review_opinion"],
        (
            _CAUSE,
            _CASE_NO,
            _PARTY,
            F("handlers", "承办人", K.TEXTS),
            F("submitting_unit", "送审机构"),
            F("submitted_on", "送审日期", K.DATE),
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
                choices=_act_choices("decision.legal_review", "conclusion"),
            ),
            F("head_opinion", "负责人意见", K.LONGTEXT, required=False),
        ),
        ("decision.legal_review",),
        ("reviewer", "approver"),
        False,
        "approval_form.html",
        {
            "cause": _S_CAUSE,
            "case_no": "某文旅立〔2026〕12号",
            "party": _S_PARTY,
            "handlers": ["张明", "李华"],
            "submitting_unit": "某区文化市场综合行政执法大队",
            "submitted_on": "2026-03-26",
            "facts": "违法事实清楚。",
            "evidence": "现场检查笔录、询问笔录、登记记录和音像资料相互印证，证据确实充分。",
            "legal_basis": "适用《互联网上网服务营业场所管理条例》第二十一条、第三十一条第（二）项"
            "正确。",
            "procedure": "已履行立案、调查、事先告知、听证程序，程序合法。",
            "handling": "拟处警告并处罚款5000元，符合本局行政处罚裁量基准“一般”情形。",
            "opinion": "同意承办机构的处理意见。",
            "conclusion": "同意",
        },
    ),
    DocType(
        "collective_discussion_record",
        DOCUMENT_TYPES["collective_discussion_record"],
        (
            _CAUSE,
            _CASE_NO,
            F("held_at", "讨论开始时间", K.DATETIME),
            F("ended_at", "讨论结束时间", K.DATETIME, required=False),
            F("place", "地点"),
            F("host", "主持人"),
            F("participants", "参加人员（姓名及职务）", K.TEXTS),
            F("attendees", "列席人员", K.TEXTS, required=False),
            F("recorder", "记录人"),
            F("reporter", "案情汇报人", required=False),
            F("minutes", "讨论记录", K.LONGTEXT),
            F("conclusion", "讨论决定", K.LONGTEXT),
        ),
        ("decision.collective_discussion",),
        ("host", "recorder"),
        True,
        "collective_discussion_record.html",
        {
            "cause": _S_CAUSE,
            "case_no": "某文旅立〔2026〕12号",
            "held_at": "2026-03-27T15:00:00+08:00",
            "ended_at": "2026-03-27T15:45:00+08:00",
            "place": "某区文化和旅游局二楼会议室",
            "host": "刘伟（局长）",
            "participants": [
                "刘伟（局长）",
                "陈静（副局长）",
                "黄斌（执法大队大队长）",
                "周平（法规科科长）",
            ],
            "attendees": ["张明（承办人）"],
            "recorder": "孙悦",
            "reporter": "张明",
            "minutes": "张明汇报案件事实、证据、法律依据、听证情况和拟处罚意见。\n"
            "陈静：事实清楚，证据充分，同意承办机构意见。\n"
            "黄斌：当事人已整改，按一般情形处罚适当。\n"
            "周平：法制审核已通过，程序合法。",
            "conclusion": "对当事人给予警告，并处罚款人民币5000元。",
        },
    ),
    DocType(
        "penalty_decision",
        DOCUMENT_TYPES["penalty_decision"],
        (
            _PARTY,
            _LEGAL_REP,
            _CAUSE,
            F("facts", "违法事实", K.LONGTEXT),
            F("evidence", "证据", K.TEXTS),
            F("statement_handling", "陈述、申辩（听证）及采纳情况", K.LONGTEXT, required=False),
            _LEGAL_BASIS,
            F("discretion", "裁量理由", K.LONGTEXT, required=False),
            F("content", "处罚内容", K.LONGTEXT),
            F("amount", "罚没金额（元）", K.MONEY, required=False),
            F("performance", "履行方式和期限", K.LONGTEXT),
            _REVIEW_BODY,
            _COURT,
            F("decided_on", "决定日期", K.DATE),
        ),
        ("decision.decision",),
        ("approver",),
        False,
        "penalty_decision.html",
        {
            "party": _S_PARTY,
            "legal_rep": _S_REP,
            "cause": _S_CAUSE,
            "facts": _S_FACTS,
            "evidence": [
                "现场检查笔录1份，证明检查时场内有两名未成年人上网",
                "询问笔录2份，证明当事人未核对上网消费者本人身份",
                "上网消费者登记记录1份",
                "现场照片6张、执法记录仪视频2段",
            ],
            "statement_handling": "本局于2026年3月10日告知当事人拟作出处罚的事实、理由、依据及"
            "其依法享有的权利。当事人提出陈述申辩并申请听证，本局于2026年3月24日举行听证。"
            "当事人对违法事实无异议，其已整改的意见本局予以采纳。",
            "legal_basis": _S_BASIS,
            "discretion": "当事人系初次违法，违法行为持续时间较短，已主动整改，"
            "依照本局行政处罚裁量基准属“一般”情形。",
            "content": "1. 警告；\n2. 罚款人民币5000元。",
            "amount": "5000",
            "performance": "当事人应当自收到本决定书之日起十五日内，持本决定书到指定银行缴纳罚款。"
            "逾期不缴纳的，每日按罚款数额的百分之三加处罚款。",
            "review_body": "某区人民政府",
            "court": "某区人民法院",
            "decided_on": "2026-03-30",
        },
    ),
    DocType(
        "summary_decision",
        DOCUMENT_TYPES["summary_decision"],
        (
            _PARTY,
            _LEGAL_REP,
            F(
                "party_kind",
                "当事人类别",
                K.CHOICE,
                choices=("公民", "法人或者其他组织"),
            ),
            F("decided_at", "决定时间", K.DATETIME),
            F("place", "地点"),
            F("facts", "违法事实", K.LONGTEXT),
            _LEGAL_BASIS,
            F("penalty", "处罚种类", K.CHOICE, choices=("警告", "通报批评", "罚款")),
            F("amount", "罚款金额（元）", K.MONEY, required=False),
            F(
                "payment",
                "罚款缴纳方式",
                K.CHOICE,
                choices=("当场缴纳", "到指定银行缴纳"),
                required=False,
            ),
            F("bank", "指定银行", required=False),
            F("statement", "当事人陈述、申辩", K.LONGTEXT, required=False),
            F("officers", _OFFICERS_LABEL, K.TEXTS),
            _REVIEW_BODY,
            _COURT,
        ),
        ("decision.summary",),
        ("officer", "party"),
        False,
        "summary_decision.html",
        {
            "party": {
                "name": "孙浩",
                "gender": "男",
                "id_no": "330106199001010035",
                "address": "某区学院路99号",
                "phone": "13600002468",
            },
            "party_kind": "公民",
            "decided_at": "2026-04-02T16:20:00+08:00",
            "place": "某区文化广场",
            "facts": "当事人在文化广场进行营业性演出，未按规定在演出前向文化和旅游主管部门"
            "备案演出场所及内容，现场观众约50人。",
            "legal_basis": [
                "《营业性演出管理条例》第四十六条",
                "《中华人民共和国行政处罚法》第五十一条",
            ],
            "penalty": "罚款",
            "amount": "200",
            "payment": "到指定银行缴纳",
            "bank": "某银行某区支行",
            "statement": "当事人表示不知道需要备案，无其他意见。",
            "officers": _S_OFFICERS,
            "review_body": "某区人民政府",
            "court": "某区人民法院",
        },
    ),
    DocType(
        "service_receipt",
        DOCUMENT_TYPES["service_receipt"],
        (
            F("document", "送达文书名称"),
            F("document_no", "送达文书文号"),
            F("recipient", "受送达人", K.PERSON),
            F(
                "method",
                "送达方式",
                K.CHOICE,
                choices=("直接送达", "邮寄送达", "留置送达", "委托送达", "转交送达", "公告送达"),
            ),
            F("place", "送达地点"),
            F("served_at", "送达时间", K.DATETIME),
            F("servers", "送达人", K.TEXTS),
            F("signed_by", "代收人（同住成年家属、单位收件人等）", K.PERSON, required=False),
            F("refusal_reason", "拒收事由", K.LONGTEXT, required=False),
            F("witness", "见证人", K.PERSON, required=False),
            F("note", "备注", K.LONGTEXT, required=False),
        ),
        (
            "service.direct",
            "service.mail",
            "service.lodged",
            "service.entrusted",
            "service.forwarded",
            "service.public_notice",
        ),
        ("server", "recipient"),
        False,
        "service_receipt.html",
        {
            "document": "行政处罚决定书",
            "document_no": "某文旅罚决〔2026〕12号",
            "recipient": {"name": _S_PARTY["name"], "address": _S_PARTY["address"]},
            "method": "直接送达",
            "place": "某区文二路188号二楼星河网咖",
            "served_at": "2026-03-31T10:20:00+08:00",
            "servers": ["张明", "李华"],
            "signed_by": {"name": "李建国", "title": "法定代表人"},
        },
    ),
    DocType(
        "demand_notice",
        DOCUMENT_TYPES["demand_notice"],
        (
            _PARTY,
            F("decision_no", "所依据的决定书文号"),
            F("decided_on", "决定日期", K.DATE),
            F("obligation", "应履行的义务", K.LONGTEXT),
            F("deadline", "履行期限", K.DATE),
            F("method", "履行方式"),
            F("amount", "金钱给付金额（元）", K.MONEY, required=False),
            F("late_fee", "加处罚款或者滞纳金", K.LONGTEXT, required=False),
            F("statement_days", "陈述、申辩期限（日）", K.INT),
            _CONTACT,
            _CONTACT_PHONE,
            F("issued_on", "日期", K.DATE),
        ),
        ("execution.demand_notice",),
        ("approver",),
        False,
        "demand_notice.html",
        {
            "party": _S_PARTY,
            "decision_no": "某文旅罚决〔2026〕12号",
            "decided_on": "2026-03-30",
            "obligation": "缴纳罚款人民币5000元。",
            "deadline": "2026-05-15",
            "method": "持决定书到某银行某区支行缴纳",
            "amount": "5000",
            "late_fee": "自2026年4月16日起每日按罚款数额的百分之三加处罚款，"
            "加处罚款的数额不超过罚款数额。",
            "statement_days": 3,
            "contact": "张明",
            "contact_phone": "0571-87001234",
            "issued_on": "2026-05-06",
        },
    ),
    DocType(
        "enforcement_decision",
        DOCUMENT_TYPES["enforcement_decision"],
        (
            _PARTY,
            _LEGAL_REP,
            F("decision_no", "所依据的决定书文号"),
            F("decided_on", "原决定日期", K.DATE),
            F("demand_no", "催告书文号"),
            F("demand_served_on", "催告书送达日期", K.DATE),
            F("nonperformance", "当事人逾期不履行的情况", K.LONGTEXT),
            _LEGAL_BASIS,
            F("method", "强制执行方式"),
            F("content", "强制执行内容", K.LONGTEXT),
            F("executed_from", "执行日期", K.DATE, required=False),
            _REVIEW_BODY,
            _COURT,
            F("issued_on", "决定日期", K.DATE),
        ),
        (
            "execution.demand_notice",  # decided once the 催告 has gone unanswered
            "execution.late_fee",
            "execution.transfer",
            "execution.auction",
            "execution.restoration",
            "execution.substitute_performance",
        ),
        ("approver",),
        False,
        "enforcement_decision.html",
        {
            "party": {"name": "赵强", "id_no": "330106198806120019"},
            "decision_no": "某文旅罚决〔2026〕15号",
            "decided_on": "2026-04-08",
            "demand_no": "某文旅催〔2026〕4号",
            "demand_served_on": "2026-05-11",
            "nonperformance": "你在催告期限届满后仍未履行没收违法经营设备的决定，且无正当理由。",
            "legal_basis": ["《中华人民共和国行政强制法》第三十七条、第四十六条"],
            "method": "依法处理扣押的财物",
            "content": "对本机关扣押的电脑主机12台依法予以处理。",
            "executed_from": "2026-05-25",
            "review_body": "某区人民政府",
            "court": "某区人民法院",
            "issued_on": "2026-05-21",
        },
    ),
    DocType(
        "enforcement_application",
        DOCUMENT_TYPES["enforcement_application"],
        (
            _COURT,
            F("head", "本机关负责人"),
            _PARTY,
            _LEGAL_REP,
            F("decision_no", "申请执行的决定书文号"),
            F("decided_on", "决定日期", K.DATE),
            F("served_on", "决定书送达日期", K.DATE),
            F("content", "决定内容", K.LONGTEXT),
            F("demand_no", "催告书文号"),
            F("demand_served_on", "催告书送达日期", K.DATE),
            F("nonperformance", "当事人未履行的情况", K.LONGTEXT),
            F("request", "申请执行的事项", K.LONGTEXT),
            F("documents", "附件（提交的材料）", K.TEXTS),
            _CONTACT,
            _CONTACT_PHONE,
            F("applied_on", "申请日期", K.DATE),
        ),
        ("execution.court_application",),
        ("approver",),
        False,
        "enforcement_application.html",
        {
            "court": "某区人民法院",
            "head": "刘伟",
            "party": _S_PARTY,
            "legal_rep": _S_REP,
            "decision_no": "某文旅罚决〔2026〕12号",
            "decided_on": "2026-03-30",
            "served_on": "2026-03-31",
            "content": "警告，并处罚款人民币5000元。",
            "demand_no": "某文旅催〔2026〕3号",
            "demand_served_on": "2026-05-06",
            "nonperformance": "被申请人在法定期限内未申请行政复议，也未提起行政诉讼，"
            "经催告后仍未缴纳罚款。",
            "request": "强制执行罚款人民币5000元及加处罚款人民币5000元，共计人民币10000元。",
            "documents": [
                "行政处罚决定书及送达回证",
                "催告书及送达回证",
                "当事人的意见及本机关催告情况",
                "申请强制执行标的情况",
            ],
            "contact": "张明",
            "contact_phone": "0571-87001234",
            "applied_on": "2026-10-10",
        },
    ),
    DocType(
        "closing_approval",
        DOCUMENT_TYPES["closing_approval"],
        (
            _CASE_NO,
            _CAUSE,
            _PARTY,
            F("filed_on", "立案日期", K.DATE, required=False),
            F("decision_no", "处理决定书文号", required=False),
            F(
                "outcome",
                "结案情形",
                K.CHOICE,
                choices=_act_choices("archiving.closing", "outcome"),
            ),
            F("handling", "处理结果", K.LONGTEXT),
            F("execution", "执行情况", K.LONGTEXT),
            F("handlers", "承办人", K.TEXTS),
            *_opinions("承办人结案意见"),
        ),
        ("archiving.closing",),
        ("officer", "reviewer", "approver"),
        False,
        "approval_form.html",
        {
            "case_no": "某文旅立〔2026〕12号",
            "cause": _S_CAUSE,
            "party": _S_PARTY,
            "filed_on": "2026-03-01",
            "decision_no": "某文旅罚决〔2026〕12号",
            "outcome": "执行完毕",
            "handling": "警告，并处罚款人民币5000元。",
            "execution": "当事人于2026年4月10日缴纳罚款5000元（缴款书编号 3301260410001）。",
            "handlers": ["张明", "李华"],
            "handler_opinion": "处罚决定已执行完毕，建议结案。",
            "unit_opinion": "同意结案。",
            "head_opinion": "同意。",
        },
    ),
    DocType(
        "dossier_index",
        DOCUMENT_TYPES["dossier_index"],
        (
            F("dossier_no", "归档号", required=False),
            F("dossier_title", "案卷题名", required=False),
            F("volume", "卷别", K.CHOICE, choices=("正卷", "副卷"), required=False),
            F("rows", "卷内文件（每行：文号|责任者|题名|日期|页号|备注）", K.TEXTS),
        ),
        ("archiving.archive",),
        (),
        False,
        "dossier_index.html",
        {
            "dossier_no": "20260012",
            "dossier_title": _S_CAUSE,
            "volume": "正卷",
            "rows": [
                "|某区文化和旅游局|卷内文件目录|2026-04-20|1|",
                "某文旅立〔2026〕12号|某区文化和旅游局|立案审批表|2026-03-01|2|",
                "某文旅罚决〔2026〕12号|某区文化和旅游局|行政处罚决定书|2026-03-30|3-4|",
                "|张明、李华|现场检查笔录|2026-02-28|5-6|",
                "|张明、李华|询问笔录（王丽）|2026-03-01|7-9|",
                "某文旅罚告〔2026〕12号|某区文化和旅游局|行政处罚事先告知书|2026-03-10|10|",
                "|张明、李华|送达回证|2026-03-31|11|",
                "|张明|执法记录仪视频光盘|2026-02-28|12|光盘1张",
            ],
        },
    ),
    DocType(
        "dossier_note",
        DOCUMENT_TYPES["dossier_note"],
        (
            F("dossier_no", "归档号", required=False),
            F("description", "本卷情况说明", K.LONGTEXT),
            F("documents", "卷内文件件数", K.INT, required=False),
            F("pages", "卷内文件页数", K.INT, required=False),
            F("media", "音像资料存储介质编号", K.TEXTS, required=False),
            F("archivist", "立卷人"),
            F("checker", "检查人", required=False),
            F("archived_on", "立卷时间", K.DATE),
        ),
        ("archiving.archive",),
        ("recorder", "reviewer"),
        False,
        "dossier_note.html",
        {
            "dossier_no": "20260012",
            "description": "本卷共有文件8件，计12页，其中执法记录仪视频光盘1张附于卷末。"
            "案件音像资料原件存于执法信息系统，摘要已记入本案日志。",
            "documents": 8,
            "pages": 12,
            "media": ["GP-2026-0012-01"],
            "archivist": "孙悦",
            "checker": "周平",
            "archived_on": "2026-04-20",
        },
    ),
)

DOC_TYPES: dict[str, DocType] = {d.code: d for d in _TYPES}

# Who a signer role is on a particular form, where the generic label would mislead: a 备考表's
# 记录人 is its 立卷人, a 集体讨论's 主持人 is no hearing officer.
_ROLE_LABELS: dict[str, dict[str, str]] = {
    "filing_approval": {"officer": "承办人", "reviewer": "承办机构审核人", "approver": "负责人"},
    "not_opened_approval": {
        "officer": "承办人",
        "reviewer": "承办机构审核人",
        "approver": "负责人",
    },
    "closing_approval": {"officer": "承办人", "reviewer": "承办机构审核人", "approver": "负责人"},
    "legal_review_opinion": {"reviewer": "法制审核人员", "approver": "负责人"},
    "inquiry_record": {"officer": "询问人", "party": "被询问人"},
    "inspection_record": {"officer": "检查人员"},
    "statement_record": {"officer": "承办人", "party": "陈述申辩人"},
    "hearing_record": {"recorder": "书记员", "officer": "案件承办人", "party": "听证参加人"},
    "collective_discussion_record": {"host": "主持人", "recorder": "记录人"},
    "sampling_voucher": {"officer": "抽样人员", "party": "被抽样人"},
    "dossier_note": {"recorder": "立卷人", "reviewer": "检查人"},
}


def doc_type(code: str) -> DocType | None:
    return DOC_TYPES.get(code)


def role_label(code: str, role: str) -> str:
    """How a form names a signer role, for signature blocks and for prompts to sign."""
    return _ROLE_LABELS.get(code, {}).get(role) or SIGNER_ROLES.get(role, role)


def _check() -> None:
    """Fail at import rather than at a party's door: the types must match the catalog."""
    if set(DOC_TYPES) != set(DOCUMENT_TYPES) or len(DOC_TYPES) != len(_TYPES):
        raise AssertionError("DOC_TYPES must cover catalog.DOCUMENT_TYPES exactly once each")
    for d in _TYPES:
        if d.title != DOCUMENT_TYPES[d.code]:
            raise AssertionError(f"{d.code}: title differs from the catalog")
        for act in d.acts:
            if act_type(act) is None:
                raise AssertionError(f"{d.code}: unknown act {act}")
        for role in d.signers:
            if role not in SIGNER_ROLES:
                raise AssertionError(f"{d.code}: unknown signer role {role}")


_check()
