"""The procedure catalog: completeness, consistency, and realistic records that validate."""

from __future__ import annotations

import re
from typing import Any

import pytest

from liuhen.procedure.catalog import (
    ACT_TYPES,
    CASE_HEADER_FIELDS,
    CASE_STAGES,
    ROLE_LABELS,
    STAGE_LABELS,
    ActType,
    Role,
    Stage,
    act_type,
    acts_in_stage,
)
from liuhen.procedure.fields import FieldKind, validate_fields

EXPECTED_CODES = {
    "initiation": [
        "application",
        "ex_officio",
        "complaint",
        "filing",
        "not_opened",
        "complainant_notice",
        "inspection_notice",
    ],
    "investigation": [
        "inquiry",
        "inspection",
        "evidence_request",
        "sampling",
        "appraisal",
        "preservation",
        "preservation_handling",
        "seal",
        "seize",
        "freeze",
        "coercion_extension",
        "restrict_liberty",
        "release_seal",
        "release_seize",
        "release_freeze",
        "release_restriction",
        "rights_notice",
        "statement_defense",
        "hearing",
        "hearing_report",
        "refusal",
    ],
    "decision": [
        "draft",
        "legal_review",
        "expert_opinion",
        "collective_discussion",
        "head_approval",
        "decision",
        "summary",
    ],
    "service": ["direct", "mail", "lodged", "entrusted", "forwarded", "public_notice"],
    "execution": [
        "compliance",
        "correction_check",
        "demand_notice",
        "late_fee",
        "transfer",
        "auction",
        "confiscation_handling",
        "restoration",
        "substitute_performance",
        "court_application",
    ],
    "archiving": [
        "closing",
        "archive",
        "legal_hold",
        "hold_release",
        "disposal_approval",
        "disposal",
    ],
    "general": [
        "av_interruption",
        "av_unsuitable",
        "device_check",
        "correction",
        "content_check",
        "supplement",
        "review_access",
        "document",
        "media",
        "incident",
        "police_referral",
        "objection",
        "evidence_use",
        "disclosure_request",
        "disclosure_decision",
        "confidentiality",
        "assignment",
        "approval_returned",
    ],
    "registry": [
        "agency",
        "conduct_guide",
        "unit",
        "officer",
        "device",
        "signing_ca",
        "signing_key",
        "trust_anchor",
        "device_maintenance",
        "rule_pack",
        "calendar",
        "agency_settings",
        "document_template",
        "supervision_settings",
        "anomaly_review",
        "evaluation_settings",
    ],
    "evidence": ["stored", "derived"],
}
ALL_CODES = [f"{stage}.{act}" for stage, acts in EXPECTED_CODES.items() for act in acts]

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
CJK = re.compile(r"[\u4e00-\u9fff]")
BASIS = re.compile(r"^(00[0-4] |行政处罚法 |行政强制法 )第[一二三四五六七八九十百]+条")


def _act(code: str) -> ActType:
    act = act_type(code)
    assert act is not None, code
    return act


# Completeness and consistency ------------------------------------------------------------------


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_listed_code_exists_in_the_stage_of_its_prefix(code: str) -> None:
    act = _act(code)
    assert act.code == code
    assert act.stage is Stage(code.split(".")[0])
    assert act in acts_in_stage(act.stage)


def test_catalog_holds_exactly_the_listed_codes() -> None:
    codes = [a.code for a in ACT_TYPES]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(ALL_CODES)


def test_unknown_code_is_none() -> None:
    assert act_type("investigation.teleport") is None
    assert act_type("") is None


def test_every_case_stage_has_acts_and_every_stage_a_label() -> None:
    for stage in CASE_STAGES:
        assert acts_in_stage(stage), stage
    assert set(STAGE_LABELS) == set(Stage)
    assert set(ROLE_LABELS) == set(Role)


@pytest.mark.parametrize("act", ACT_TYPES, ids=lambda a: a.code)
def test_fields_are_unique_snake_case_with_chinese_labels(act: ActType) -> None:
    names = [f.name for f in act.fields]
    assert len(names) == len(set(names)), names
    assert act.field_names == set(names)
    for spec in act.fields:
        assert SNAKE.match(spec.name), spec.name
        assert CJK.search(spec.label), spec.name
        if spec.kind is FieldKind.CHOICE:
            assert spec.choices, spec.name
            assert len(spec.choices) == len(set(spec.choices)), spec.name
        else:
            assert not spec.choices, spec.name
    assert any(f.required for f in act.fields)


@pytest.mark.parametrize("act", ACT_TYPES, ids=lambda a: a.code)
def test_every_act_has_a_chinese_label_roles_and_a_basis(act: ActType) -> None:
    assert CJK.search(act.label)
    assert act.roles
    assert act.basis
    for cite in act.basis:
        assert BASIS.match(cite), cite
    assert len(act.basis) == len(set(act.basis))


def test_opening_acts_carry_the_case_header() -> None:
    openers = [a for a in ACT_TYPES if a.opens_case]
    assert {a.code for a in openers} == {
        "initiation.application",
        "initiation.ex_officio",
        "initiation.complaint",
        "decision.summary",
    }
    for act in openers:
        for spec in CASE_HEADER_FIELDS:
            assert spec in act.fields, (act.code, spec.name)


def test_roles_follow_the_approval_chain() -> None:
    assert _act("decision.legal_review").roles == {Role.LEGAL_REVIEWER}
    assert _act("decision.collective_discussion").roles == {Role.HEAD}
    assert _act("decision.head_approval").roles == {Role.HEAD}
    assert _act("archiving.archive").roles == {Role.ARCHIVIST}
    # supervision's: thresholds are set by the administrator, the supervisors and the agency's
    # head (the thresholds page); conclusions by the supervisors and a head (not the admin)
    assert _act("registry.supervision_settings").roles == {Role.ADMIN, Role.SUPERVISOR, Role.HEAD}
    assert _act("registry.anomaly_review").roles == {Role.SUPERVISOR, Role.HEAD}
    # the evaluation's weights: the agency's own (its head) or the administrator
    assert _act("registry.evaluation_settings").roles == {Role.ADMIN, Role.HEAD}
    supervision: tuple[str, ...] = ("registry.supervision_settings", "registry.anomaly_review")
    supervision += ("registry.evaluation_settings",)
    for act in acts_in_stage(Stage.REGISTRY):
        if act.code in supervision:
            continue
        assert Role.ADMIN in act.roles
        # officers look after their own body cameras (003 第二十四条); nothing else is theirs;
        # a head registers, assigns and maintains his units' cameras (the 记录仪 pages)
        assert act.roles <= {Role.ADMIN, Role.OFFICER, Role.HEAD}
        assert Role.OFFICER not in act.roles or act.code == "registry.device_maintenance"
        devices = ("registry.device", "registry.device_maintenance")
        assert Role.HEAD not in act.roles or act.code in devices
    assert Role.SUPERVISOR in _act("general.review_access").roles
    assert Role.ADMIN not in _act("general.correction").roles


def test_on_site_acts() -> None:
    on_site = {a.code for a in ACT_TYPES if a.on_site}
    for code in (
        "investigation.inquiry",
        "investigation.inspection",
        "investigation.seal",
        "investigation.seize",
        "investigation.release_seal",
        "service.lodged",
        "execution.substitute_performance",
        "decision.summary",
    ):
        assert code in on_site
    for code in ("investigation.hearing", "investigation.freeze", "decision.decision"):
        assert code not in on_site


def test_every_service_mode_records_the_service_receipt() -> None:
    for act in acts_in_stage(Stage.SERVICE):
        assert {"document", "document_no", "recipient", "served_at", "place", "server"} <= (
            act.field_names
        )
        assert next(f for f in act.fields if f.name == "served_at").kind is FieldKind.DATETIME


def test_releases_refer_to_the_measure_by_sequence() -> None:
    for act in ACT_TYPES:
        if act.code.startswith("investigation.release_"):
            spec = next(f for f in act.fields if f.name == "measure_seq")
            assert spec.kind is FieldKind.SEQ
            assert spec.required


def test_drafted_fields_are_kept() -> None:
    correction = _act("general.correction")
    assert [f.name for f in correction.fields] == ["reason", "changes"]
    av = _act("general.av_interruption")
    reason = next(f for f in av.fields if f.name == "reason")
    assert reason.choices == ("设备故障", "天气恶劣", "现场人员阻挠", "其他")
    archive = _act("archiving.archive")
    retention = next(f for f in archive.fields if f.name == "retention")
    assert {"5年", "30年", "永久"} <= set(retention.choices)


# Realistic records ----------------------------------------------------------------------------

PARTY = {"name": "某某文化娱乐有限公司", "address": "某区某路 8 号", "phone": "0315-5551234"}

VALID: dict[str, dict[str, Any]] = {
    "investigation.inquiry": {
        "subject": {"name": "张三", "gender": "男", "age": 42, "role": "法定代表人"},
        "relation": "当事人法定代表人",
        "started_at": "2026-03-01T09:30:00+08:00",
        "ended_at": "2026-03-01T10:15:00+08:00",
        "identity_shown": True,
        "rights_notified": True,
        "transcript": "问：你是否知道执法人员的来意？\n答：知道。",
        "recorder": "李四",
    },
    "investigation.seal": {
        "decision_no": "某文旅强封〔2026〕3号",
        "party": PARTY,
        "reason": "涉嫌擅自从事营业性演出，场所设备可能被转移",
        "legal_basis": ["《营业性演出管理条例》第四十三条", "《行政强制法》第二十二条"],
        "period_days": 30,
        "executed_at": "2026-03-02T14:00:00+08:00",
        "approver": "王局长",
        "place": "某区某路 8 号二楼演出厅",
        "items": [
            {"name": "音响设备", "spec": "JBL VTX", "quantity": 2, "unit": "套"},
            {"name": "演出厅", "location": "二楼"},
        ],
    },
    "service.lodged": {
        "document": "行政处罚决定书",
        "document_no": "某文旅罚〔2026〕12号",
        "recipient": PARTY,
        "served_at": "2026-04-10T16:20:00+08:00",
        "place": "某区某路 8 号当事人住所",
        "server": "李四",
        "refusal_reason": "当事人称不认可处罚，拒绝签收",
        "witness": {"name": "赵五", "unit": "某社区居委会", "role": "见证人"},
        "av_recorded": True,
    },
    "decision.decision": {
        "document_no": "某文旅罚〔2026〕12号",
        "party": PARTY,
        "facts": "当事人于2026年2月未经许可从事营业性演出，有现场检查笔录、询问笔录为证。",
        "kinds": ["罚款", "没收违法所得"],
        "legal_basis": ["《营业性演出管理条例》第四十三条第一款"],
        "content": "没收违法所得人民币 6000 元，并处罚款人民币 50000 元。",
        "amount": 56000,
        "performance": "自收到本决定书之日起十五日内缴至指定银行。",
        "remedy": "如不服，可于六十日内申请行政复议，或于六个月内提起行政诉讼。",
        "decided_on": "2026-04-08",
    },
}


@pytest.mark.parametrize("code", sorted(VALID))
def test_realistic_record_validates(code: str) -> None:
    values, problems = validate_fields(_act(code).fields, VALID[code])
    assert problems == []
    assert set(values) == set(VALID[code])


def test_normalised_values() -> None:
    values, _ = validate_fields(_act("decision.decision").fields, VALID["decision.decision"])
    assert values["amount"] == "56000.00"
    values, _ = validate_fields(_act("investigation.seal").fields, VALID["investigation.seal"])
    assert values["items"][0]["quantity"] == "2"


@pytest.mark.parametrize("code", sorted(VALID))
def test_missing_required_field_is_located(code: str) -> None:
    act = _act(code)
    required = next(f for f in act.fields if f.required)
    record = {k: v for k, v in VALID[code].items() if k != required.name}
    _, problems = validate_fields(act.fields, record)
    assert [p.field for p in problems] == [f"fields.{required.name}"]


def test_wrong_types_are_located() -> None:
    record = dict(VALID["investigation.inquiry"])
    record["started_at"] = "2026-03-01 09:30"  # no offset
    record["identity_shown"] = "是"
    _, problems = validate_fields(_act("investigation.inquiry").fields, record)
    assert {p.field for p in problems} == {"fields.started_at", "fields.identity_shown"}

    seal = dict(VALID["investigation.seal"])
    seal["period_days"] = "30"
    seal["items"] = [{"spec": "无名称"}]
    _, problems = validate_fields(_act("investigation.seal").fields, seal)
    assert {p.field for p in problems} == {"fields.period_days", "fields.items[0]"}


def test_unknown_field_and_bad_choice_are_reported() -> None:
    act = _act("general.av_interruption")
    record = {
        "device_no": "ZFJLY-007",
        "interrupted_at": "2026-03-01T10:00:00+08:00",
        "reason": "没电了",
        "explanation": "执法记录仪电量耗尽",
        "form": "语音说明",
        "signing_officers": ["李四", "王五"],
        "colour": "red",
    }
    _, problems = validate_fields(act.fields, record)
    assert {p.field for p in problems} == {"fields.reason", "fields.colour"}
