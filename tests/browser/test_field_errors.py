"""A refused form in the browser: the first field to fix has the focus, each message sits under
its input, the input is outlined, the code stays folded, and the page fits 1366×768 and 768 px.

Screenshots (``act-form-refused-1366.png``, ``act-form-refused-768.png``) land in
``tests/browser/artifacts/`` for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import ViewportSize, expect

from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, PageFactory, officer_page
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

CASE = "某文旅罚〔2026〕18号"  # a demo case of the officer's squad, in investigation


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_a_refused_act_form_shows_each_problem_at_its_field(
    open_page: PageFactory,
    server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: ViewportSize,
) -> None:
    page = officer_page(open_page, viewport, server.url)
    visit(page, f"{server.url}/cases/{quote(CASE)}/record?act=investigation.inquiry")
    page.locator("#actors").fill("")
    for box in page.locator("fieldset.officers input[type=checkbox]").all():
        box.uncheck()  # the officer and the case's officers start checked
    page.locator("input[name='f_subject.name']").fill("网吧员工刘某")
    page.locator("input[name='f_subject.phone']").fill("13900000000")
    page.locator("#f_relation").fill("证人")
    page.locator("#f_identity_shown").select_option("true")
    page.locator("#f_transcript").fill("问：当晚是否有未成年人上网？\n答：有两名。")
    with page.expect_navigation():
        page.get_by_role("button", name="记入案件").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("有 5 处需要修改")
    # the first field to fix has the focus; its message is under it and read with it
    focused = page.evaluate("document.activeElement.id")
    assert focused == "actors"
    actors, note = page.locator("#actors"), page.locator("#err-actors")
    expect(note).to_have_text("请至少填写一名执法人员的执法证号")
    expect(actors).to_have_attribute("aria-describedby", "err-actors")
    expect(actors).to_have_attribute("aria-invalid", "true")
    field_box, note_box = actors.bounding_box(), note.bounding_box()
    assert field_box and note_box
    assert note_box["y"] >= field_box["y"] + field_box["height"] - 1  # right under its input
    assert abs(note_box["x"] - field_box["x"]) < 4  # in the input's column
    expect(page.locator("#err-f_started_at")).to_have_text("请填写询问开始时间")
    expect(page.locator("#err-f_recorder")).to_have_text("请填写记录人")
    # outlined in red, the valid inputs not
    border = page.evaluate("getComputedStyle(document.getElementById('actors')).borderTopColor")
    assert border == "rgb(207, 34, 46)"
    assert page.locator("#f_relation").get_attribute("aria-invalid") is None
    # the code is folded away; the summary's links lead to the fields
    expect(page.get_by_text("LH100")).to_be_hidden()
    expect(alert.locator("a[href='#f_started_at']")).to_have_text("请填写询问开始时间")
    expect(alert.locator("a").first).to_have_attribute("href", "#actors")  # in the page's order
    # nothing typed is lost
    expect(page.locator("input[name='f_subject.phone']")).to_have_value("13900000000")
    expect(page.locator("#f_transcript")).to_have_value(
        "问：当晚是否有未成年人上网？\n答：有两名。"
    )
    expect(page.locator("#f_identity_shown")).to_have_value("true")
    assert_fits(page)
    screenshot(page, artifacts, f"act-form-refused-{viewport['width']}.png")
    page.locator("details.tech > summary").click()
    expect(page.get_by_text("LH100")).to_be_visible()
    assert console.errors == []
