"""暂存 in a real Chromium: the demo officer half-fills an act form, saves it, finds it in his
待办, continues from there with what he typed, and records it; the draft then leaves the inbox.
At 1366×768 and 768 px; screenshots (``draft-saved-*.png``, ``inbox-draft-*.png``) land in
``tests/browser/artifacts/``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import ViewportSize, expect

from tests.browser.conftest import (
    DESKTOP,
    TABLET,
    ConsoleLog,
    PageFactory,
    officer_page,
    own_demo_server,
)
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

CASE = "某文旅罚〔2026〕9号"  # the demo officer's open case
FORM = f"/cases/{quote(CASE, safe='')}/record?act=general.incident"
WHAT = "当事人阻挡执法人员进入经营场所，经说明法律规定后放行。"


own_server = own_demo_server("drafts")  # the act recorded here


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_a_saved_form_waits_in_the_inbox_and_is_recorded_from_there(
    open_page: PageFactory,
    own_server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: ViewportSize,
) -> None:
    server = own_server
    page = officer_page(open_page, viewport, server.url)
    visit(page, server.url + FORM)
    page.locator("#f_kind").select_option("阻碍执法")
    page.locator("#f_description").fill(WHAT)  # the time and more left for later
    with page.expect_navigation():
        page.get_by_role("button", name="暂存", exact=True).click()
    expect(page.locator("#draft-notice")).to_contain_text("已暂存")
    expect(page.locator("#f_description")).to_have_value(WHAT)
    assert_fits(page)
    screenshot(page, artifacts, f"draft-saved-{viewport['width']}.png")

    visit(page, server.url + "/inbox")
    line = page.locator("#draft .inbox-item")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("继续填写：《妨碍执法情况》（暂存于")
    expect(line).to_contain_text(CASE)
    assert_fits(page)
    screenshot(page, artifacts, f"inbox-draft-{viewport['width']}.png")
    with page.expect_navigation():
        line.get_by_role("link", name="继续填写").click()

    expect(page.locator("#draft-notice")).to_contain_text("已恢复")
    expect(page.locator("#f_description")).to_have_value(WHAT)
    expect(page.locator("#f_kind")).to_have_value("阻碍执法")
    page.locator("#occurred_at").fill("2026-05-20T10:30")
    officers = page.locator("fieldset.officers input[type=checkbox]")
    for i in range(officers.count()):  # two officers at the scene
        if page.locator("fieldset.officers input:checked").count() >= 2:
            break
        officers.nth(i).check()
    with page.expect_navigation():
        page.get_by_role("button", name="记入案件").click()
    assert "/record?" not in page.url, page.locator("#refusal").all_inner_texts()

    visit(page, server.url + "/inbox")
    expect(page.locator("#draft")).to_have_count(0)
    assert console.errors == []
