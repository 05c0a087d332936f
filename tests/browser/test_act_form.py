"""The new-case form in the browser (issue 13): officers are checked by name, the unit chosen
by name, parties typed in their parts with 添加当事人, at 1366×768 and 768 px.

Screenshots (``new-case-filled-1366.png``, ``new-case-filled-768.png``) land in
``tests/browser/artifacts/`` for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

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

own_server = own_demo_server("act_form")  # the case opened here: the shared list holds 12


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_an_officer_fills_the_new_case_form_without_retyping(
    open_page: PageFactory,
    own_server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: ViewportSize,
) -> None:
    server = own_server
    page = officer_page(open_page, viewport, server.url)
    visit(page, f"{server.url}/cases/new?act=initiation.ex_officio")
    officers = page.locator("fieldset.officers")
    me = officers.get_by_label("周立衡")
    expect(me).to_be_checked()  # the signed-in officer acts
    expect(page.locator("#f_category")).to_have_value("penalty")
    expect(page.locator("#f_procedure")).to_have_value("ordinary")
    expect(page.locator("#f_unit")).to_have_value("whlyj-zd1")
    assert "执法大队" in page.locator("#f_unit option:checked").inner_text()
    # a colleague by name
    colleague = officers.locator("input[type=checkbox]:not(:checked)").first
    colleague.check()

    page.locator("#f_cause").fill("未经许可擅自从事营业性演出")
    first = page.locator("fieldset.party").nth(0)
    legal_rep = first.locator("input[name='f_parties.0.legal_rep']")
    expect(legal_rep).to_be_hidden()  # a 公民 has no 法定代表人
    first.locator("select.kind").select_option("org")
    expect(legal_rep).to_be_visible()
    expect(first.locator(".id-no-label")).to_have_text("统一社会信用代码")
    first.locator("input[name='f_parties.0.name']").fill("某区星光娱乐有限公司")
    first.locator("input[name='f_parties.0.id_no']").fill("91110105MA7K3Q2D5X")
    first.locator("input[name='f_parties.0.address']").fill("某区建设路116号")
    first.locator("input[name='f_parties.0.phone']").fill("010-66663318")
    legal_rep.fill("邱振宇")
    page.get_by_role("button", name="添加当事人").click()
    second = page.locator("fieldset.party").nth(1)
    expect(second.locator("input[name='f_parties.1.name']")).to_be_focused()
    expect(second.locator(".id-no-label")).to_have_text("身份证号码")
    second.locator("input[name='f_parties.1.name']").fill("刘某")
    second.locator("input[name='f_parties.1.id_no']").fill("110105199001012719")
    second.locator("input[name='f_parties.1.phone']").fill("13800000000")
    page.locator("#f_summary").fill("巡查发现该场所未取得营业性演出许可证组织演出。")
    page.locator("#f_source").fill("日常巡查")
    page.locator("#f_reason").fill("涉嫌违反《营业性演出管理条例》第六条")
    page.locator("#f_handler_opinion").fill("建议立案")
    assert_fits(page)
    width = "1366" if viewport == DESKTOP else "768"
    screenshot(page, artifacts, f"new-case-filled-{width}.png")
    if viewport == TABLET:  # recorded once: each recording opens another demo case
        assert console.errors == []
        return
    with page.expect_navigation():
        page.get_by_role("button", name="记入案件").click()
    assert "/documents/new?" in page.url, page.url
    assert console.errors == []
