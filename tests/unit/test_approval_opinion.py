"""The head's choice and opinion as the approval page reads them, and the box they are drawn
in: a refusal or a return needs its reason, a long opinion is set smaller, an endless one is
refused."""

from __future__ import annotations

from datetime import date

import pytest

import liuhen.documents.approvals as approvals
import liuhen.documents.opinion_box as opinion_box
from liuhen.documents.render import weasyprint_html
from liuhen.errors import ValidationError

DAY = date(2026, 12, 1)


def test_each_choice_with_its_opinion() -> None:
    assert approvals.read("同意", " 同意。\r\n") == approvals.Decision("同意", "同意。")
    back = approvals.read("退回补充", "退回补充：请写明案源发现日期。")
    assert back.returned and back.opinion == "退回补充：请写明案源发现日期。"
    assert not approvals.read("不同意", "不同意，理由：证据不足。").returned


@pytest.mark.parametrize(
    ("choice", "opinion", "field", "words"),
    [
        ("", "同意。", "choice", "请选择"),
        ("批准", "同意。", "choice", "请选择"),
        ("同意", "  ", "opinion", "请填写意见"),
        ("不同意", "不同意，理由：", "opinion", "须写明理由"),
        ("退回补充", "退回补充：", "opinion", "须写明理由"),
        ("同意", "同" * (approvals.OPINION_MAX + 1), "opinion", "不能超过"),
    ],
)
def test_what_is_refused(choice: str, opinion: str, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        approvals.read(choice, opinion)
    assert [p.field for p in refused.value.problems] == [field]
    assert words in refused.value.problems[0].message


def test_a_longer_opinion_is_set_smaller_and_keeps_the_signers_line() -> None:
    opinion = "同意立案，注意固定证据，音像记录全程不得中断。" * 8
    sizes = []
    for size in opinion_box.FONT_SIZES_PT:
        html = opinion_box.box_html(117, 28, opinion, "负责人", "贺建国", "2026-12-01", size)
        if len(weasyprint_html()(string=html).render().pages) == 1:
            sizes.append(size)
    assert sizes and max(sizes) < opinion_box.FONT_SIZES_PT[0]  # not at the form's own size
    assert "负责人（签名）：贺建国　2026年12月1日" in opinion_box.box_html(
        117, 28, "同意。", "负责人", "贺建国", "2026-12-01"
    )


def test_markup_in_an_opinion_is_text() -> None:
    html = opinion_box.box_html(117, 28, "<b>同意</b>", "负责人", "贺建国", "2026-12-01")
    assert "&lt;b&gt;同意&lt;/b&gt;" in html and "<b>" not in html


def test_an_opinion_no_box_can_hold_is_refused() -> None:
    form = (
        "<html><head><style>@page{size:A4;margin:20mm}.b{position:relative;height:28mm}"
        ".e{position:absolute;right:0;bottom:0}</style></head><body>"
        "<div class='b' id='box-approver'><span class='e' id='box-approver-end'></span></div>"
        "</body></html>"
    )
    pdf = weasyprint_html()(string=form).write_pdf()
    with pytest.raises(opinion_box.TooLong):
        opinion_box.for_block(pdf, "approver", "同意。" * 400, "负责人", "贺建国", DAY)
    assert opinion_box.for_block(pdf, "reviewer", "同意。", "审核人", "李娜", DAY) is None
    stamp = opinion_box.for_block(pdf, "approver", "同意。", "负责人", "贺建国", DAY)
    assert stamp is not None and stamp.pdf.startswith(b"%PDF-")
