"""The 记录事项 menu: the acts that fit where a case stands, the likely next one first."""

from __future__ import annotations

from liuhen.cases.menu import NEEDS_SPECIAL_POWER, Menu, offered
from liuhen.procedure.catalog import ACT_TYPES, Role, Stage

EVERY_ROLE = [a for a in ACT_TYPES if a.stage not in (Stage.REGISTRY, Stage.EVIDENCE)
              and not a.opens_case]  # fmt: skip


def menu(stage: str, status: str = "open", **kw: object) -> Menu:
    args: dict[str, object] = {"category": "penalty", "procedure": "ordinary", **kw}
    return offered(EVERY_ROLE, stage=stage, status=status, **args)  # type: ignore[arg-type]


def stages_of(m: Menu) -> set[str]:
    return {a.stage.value for g in m.groups for a in g.acts} | (
        {m.suggested.stage.value} if m.suggested else set()
    )


def test_an_opened_case_goes_on_to_investigation_not_back_to_opening() -> None:
    m = menu("initiation")
    assert m.suggested is not None and m.suggested.code == "investigation.inspection"
    assert stages_of(m) == {"investigation", "general"}
    assert "initiation.not_opened" not in m.codes
    assert m.groups[0].label == "调查取证" and m.groups[-1].label == "通用事项"


def test_review_may_still_investigate_and_the_next_step_follows_the_record() -> None:
    m = menu("decision", done={"investigation.inquiry", "decision.draft"})
    assert m.suggested is not None and m.suggested.code == "decision.legal_review"
    assert {"investigation", "decision", "service"} <= stages_of(m)
    assert "execution.compliance" not in m.codes


def test_service_by_any_mode_counts_as_served() -> None:
    m = menu("service", done={"decision.decision", "service.mail"})
    assert m.suggested is not None and m.suggested.code == "execution.compliance"
    assert "archiving.closing" in m.codes


def test_closed_and_not_opened_cases_offer_only_what_follows() -> None:
    closed = menu("archiving", status="closed")
    assert stages_of(closed) == {"archiving", "general"} and closed.suggested is None
    assert "archiving.closing" not in closed.codes and "archiving.legal_hold" in closed.codes
    not_opened = menu("initiation", status="not_opened")
    assert stages_of(not_opened) == {"initiation", "general"}
    assert "initiation.complainant_notice" in not_opened.codes


def test_powers_a_culture_bureau_lacks_are_left_out_unless_allowed() -> None:
    default = menu("investigation")
    assert not NEEDS_SPECIAL_POWER & default.codes
    assert "investigation.seal" in default.codes  # 查封 is within its power
    allowed = {a.code for a in EVERY_ROLE}
    empowered = menu("investigation", allowed=allowed)
    assert "investigation.restrict_liberty" in empowered.codes


def test_category_and_procedure_narrow_the_menu() -> None:
    inspection = menu("investigation", category="inspection")
    assert "investigation.rights_notice" not in inspection.codes
    # a summary penalty opens its case with the decision: payment comes next
    summary = menu("decision", procedure="summary", done={"decision.summary"})
    assert summary.suggested is not None and summary.suggested.code == "execution.compliance"
    assert "decision.draft" in menu("decision").codes


def test_roles_are_the_callers_filter() -> None:
    officer_acts = [a for a in EVERY_ROLE if Role.OFFICER in a.roles]
    m = offered(officer_acts, stage="archiving", status="archived", category="penalty",
                procedure="ordinary")  # fmt: skip
    assert "archiving.legal_hold" not in m.codes  # heads and archivists keep files on hold


def test_a_case_a_complaint_opened_is_offered_its_filing_until_recorded() -> None:
    """立案 starts the 90 days of 行政处罚法 第六十条; an ex officio opening is its own."""
    assert "initiation.filing" in menu("initiation", done={"initiation.complaint"}).codes
    assert "initiation.filing" in menu("investigation", done={"initiation.complaint"}).codes
    filed = menu("investigation", done={"initiation.complaint", "initiation.filing"})
    assert "initiation.filing" not in filed.codes
    assert "initiation.filing" not in menu("initiation", done={"initiation.ex_officio"}).codes


def test_an_inspection_case_records_the_notice_it_rests_on() -> None:
    opened = menu("initiation", category="inspection")
    assert "initiation.inspection_notice" in opened.codes  # 001 第七条第一项、第二项
    assert "initiation.inspection_notice" in menu("investigation", category="inspection").codes
    assert "initiation.inspection_notice" not in menu("initiation").codes  # a penalty case
    assert "investigation.hearing_report" in menu("investigation").codes
    assert "investigation.hearing_report" not in menu("investigation", category="inspection").codes
