"""A refused input is explained in plain Chinese naming the field by its label, and placed.

Each kind of problem has its wording here, as a person filling in the form reads it; the
machine path and kind ride along for the form (``web.field_errors``) and the API. The wording
of an unknown officer and of a missing signature needs the registry: see
tests/integration/test_field_errors.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from liuhen.errors import KINDS, Problem, ValidationError
from liuhen.kernel.record import ActInput, build_draft
from liuhen.procedure.fields import FieldKind, FieldSpec, validate_fields
from liuhen.web.field_errors import FieldErrors, input_for
from liuhen.web.forms import parse

K = FieldKind
NOW = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)
OFFICER = {"id": "31010001", "role": "officer"}


def _one(spec: FieldSpec, value: Any) -> Problem:
    _, problems = validate_fields((spec,), {spec.name: value})
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    ("spec", "value", "message", "kind"),
    [
        (FieldSpec("cause", "案由"), "", "请填写案由", "required"),
        (FieldSpec("cause", "案由"), "   ", "请填写案由", "required"),
        (FieldSpec("penalty", "处罚种类", K.CHOICE, choices=("警告", "罚款")), None,
         "请选择处罚种类", "required"),
        (FieldSpec("hearing", "是否听证", K.BOOL), None, "请选择是否听证", "required"),
        (FieldSpec("parties", "当事人", K.PERSONS), [], "请填写当事人", "required"),
        (FieldSpec("count", "数量", K.INT), "三", "数量须为整数", "number"),
        (FieldSpec("count", "数量", K.INT), -1, "数量须为不小于 0 的整数，且不能过大", "number"),
        (FieldSpec("ref", "所依据的记录", K.SEQ), 0,
         "所依据的记录须为不小于 1 的整数，且不能过大", "number"),
        (FieldSpec("amount", "罚款金额", K.MONEY), "12.345",
         "罚款金额须为不超过两位小数的金额（元），如 5000 或 1234.50", "money"),
        (FieldSpec("decided_on", "决定日期", K.DATE), "2026/03/01",
         "决定日期不是有效的日期，应如 2026-03-01", "date"),
        (FieldSpec("decided_on", "决定日期", K.DATE), "1980-01-01",
         "决定日期不能早于 1990-01-01", "date"),
        (FieldSpec("started_at", "询问开始时间", K.DATETIME), "下午三点",
         "询问开始时间不是有效的日期和时间，应如 2026-03-01 09:30"
         "（接口须带时区：2026-03-01T09:30:00+08:00）", "datetime"),
        (FieldSpec("started_at", "询问开始时间", K.DATETIME), "2100-05-01T09:00:00+08:00",
         "询问开始时间不能晚于 2099-12-31", "datetime"),
        (FieldSpec("penalty", "处罚种类", K.CHOICE, choices=("警告", "罚款")), "拘留",
         "请从所列选项中选择处罚种类：警告、罚款", "choice"),
        (FieldSpec("hearing", "是否听证", K.BOOL), "yes", "请选择是否听证：是或否", "choice"),
        (FieldSpec("note", "备注", K.TEXT, max_length=5), "六个字的备注",
         "备注不能超过 5 字（现有 6 字）", "too_long"),
        (FieldSpec("subject", "被询问人", K.PERSON), {"phone": "13800000000"},
         "请填写被询问人的姓名或名称", "required"),
        (FieldSpec("subject", "被询问人", K.PERSON), {"name": "陈某", "age": 200},
         "被询问人的年龄须为 0 到 150 之间的整数", "number"),
    ],
)  # fmt: skip
def test_each_kind_of_field_problem_is_worded_with_the_label(
    spec: FieldSpec, value: Any, message: str, kind: str
) -> None:
    problem = _one(spec, value)
    assert (problem.message, problem.kind, problem.label) == (message, kind, spec.label)
    assert problem.field is not None and problem.field.startswith(f"fields.{spec.name}")
    assert kind in KINDS


def test_a_list_item_is_named_by_its_position() -> None:
    spec = FieldSpec("witnesses", "证人", K.PERSONS)
    problem = _one(spec, [{"name": "甲"}, {"phone": "1"}])
    assert problem.message == "请填写证人第 2 项的姓名或名称"
    assert problem.field == "fields.witnesses[1]" and problem.label == "证人"


def test_text_that_cannot_be_read_as_a_number_names_the_field() -> None:
    class Counting:  # a form with a count on it (the web kit knows forms only by their fields)
        fields = (FieldSpec("pages", "页数", K.INT),)

    _, problems = parse(Counting(), {"f_pages": "十二"}, ZoneInfo("Asia/Shanghai"))
    assert problems == [Problem("页数须为整数", "fields.pages", label="页数", kind="number")]


def _refused(**changes: Any) -> list[Problem]:
    inp = ActInput(
        "investigation.inquiry", "2026-11-03T10:00:00+08:00", case="某文旅罚〔2026〕1号",
        actors=["31010001"], recorded_by=OFFICER,
        fields={"subject": {"name": "陈某"}, "relation": "当事人负责人",
                "started_at": "2026-11-03T10:00:00+08:00",
                "ended_at": "2026-11-03T10:40:00+08:00", "identity_shown": True,
                "rights_notified": True, "transcript": "问：……\n答：……", "recorder": "李娜"},
    )  # fmt: skip
    for key, value in changes.items():
        setattr(inp, key, value)
    with pytest.raises(ValidationError) as refused:
        build_draft(inp, NOW)
    return refused.value.problems


def test_no_officer_asks_for_one_by_his_certificate_number() -> None:
    (problem,) = _refused(actors=[])
    assert problem == Problem(
        "请至少填写一名执法人员的执法证号", "actors", label="执法人员执法证号", kind="actor"
    )


def test_the_time_of_the_act_empty_invalid_or_ahead() -> None:
    assert [p.message for p in _refused(occurred_at="")] == ["请填写发生时间"]
    assert _refused(occurred_at="昨天")[0].message.startswith("发生时间不是有效的日期和时间")
    ahead = _refused(occurred_at="2026-11-04T10:00:00+08:00")
    assert ahead[0].message == "发生时间晚于现在：不能记录尚未发生的事项"


def test_a_case_number_left_empty() -> None:
    (problem,) = _refused(case="")
    assert problem.message == "请填写案件编号（不超过 100 字，不以 @ 开头）"
    assert (problem.field, problem.kind) == ("case", "required")


def test_the_api_shape_carries_label_and_kind() -> None:
    error = ValidationError("x", [Problem("请填写案由", "fields.cause", label="案由",
                                          kind="required")])  # fmt: skip
    assert error.as_dict()["problems"] == [
        {"message": "请填写案由", "field": "fields.cause", "line": None, "label": "案由",
         "kind": "required"}
    ]  # fmt: skip


# --- placing problems on a form ---------------------------------------------------------------

INPUTS = ["case", "occurred_at", "actors", "f_subject", "f_subject.phone", "f_amount"]


@pytest.mark.parametrize(
    ("path", "placed"),
    [
        ("fields.amount", "f_amount"),
        ("fields.subject", "f_subject"),
        ("fields.subject.name", "f_subject"),
        ("fields.subject.phone", "f_subject.phone"),
        ("fields.subject.address", "f_subject"),  # no input of its own: the person's first
        ("actors", "actors"),
        ("fields.parties[1]", None),
        ("act_seq", None),
        ("confirm.11010031", "confirm_password_2"),
    ],
)
def test_a_path_is_placed_at_its_input(path: str, placed: str | None) -> None:
    inputs = [*INPUTS, "confirm_password_2"]
    aliases = {"confirm.11010031": "confirm_password_2"}
    assert input_for(path, inputs, aliases) == placed


def test_the_first_invalid_input_of_the_page_gets_the_focus() -> None:
    error = ValidationError("x", [
        Problem("罚款金额须为……", "fields.amount"),
        Problem("请至少填写一名执法人员的执法证号", "actors"),
        Problem("本事项没有“bribe”这一项", "fields.bribe"),
    ])  # fmt: skip
    placed = FieldErrors(error, INPUTS)
    assert placed.first == "actors"  # first on the page, not first in the refusal
    assert "autofocus" in placed.attrs("actors") and "autofocus" not in placed.attrs("f_amount")
    assert 'aria-describedby="err-f_amount"' in placed.attrs("f_amount")
    assert placed.attrs("case") == "" and placed.css("case") == ""
    assert 'id="err-actors"' in placed.note("actors")
    assert [(e.message, e.target) for e in placed.summary] == [  # in the page's order
        ("请至少填写一名执法人员的执法证号", "actors"),
        ("罚款金额须为……", "f_amount"),
        ("本事项没有“bribe”这一项", None),
    ]
    assert placed.count == 3


def test_a_message_is_escaped_where_it_is_placed() -> None:
    error = ValidationError("x", [Problem("<b>案由</b>", "fields.cause")])
    assert "&lt;b&gt;" in FieldErrors(error, ["f_cause"]).note("f_cause")
