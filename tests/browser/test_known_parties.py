"""A party the agency already dealt with is picked, not retyped: on the complaint form the
officer types part of a name or ID number, the parties of earlier cases he may see are offered
(``GET /api/v1/parties``), and picking one fills every part of the row, at 1366×768 and 768 px.

Screenshots (``party-pick-1366.png``, ``party-pick-768.png``: the offer open;
``party-picked-*.png``: the row filled) land in ``tests/browser/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ViewportSize, expect

from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, PageFactory, officer_page
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_an_earlier_cases_party_fills_the_row_when_picked(
    open_page: PageFactory,
    server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: ViewportSize,
) -> None:
    width = "1366" if viewport == DESKTOP else "768"
    page = officer_page(open_page, viewport, server.url)  # 执法大队一中队
    visit(page, f"{server.url}/cases/new?act=initiation.complaint")
    row = page.locator("fieldset.party").first
    find = row.locator("input.find")
    expect(find).to_be_visible()

    find.fill("星河")  # 某区星河文化传播有限公司, party of the first squad's 1号 case
    offer = row.locator(".pick-party", has_text="某区星河文化传播有限公司")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("91110105MA7K3Q2D5X")
    assert_fits(page)
    screenshot(page, artifacts, f"party-pick-{width}.png")
    offer.click()

    expect(row.locator("select.kind")).to_have_value("org")
    expect(row.locator("input[name='f_parties.0.name']")).to_have_value("某区星河文化传播有限公司")
    expect(row.locator("input[name='f_parties.0.id_no']")).to_have_value("91110105MA7K3Q2D5X")
    expect(row.locator("input[name='f_parties.0.address']")).to_have_value(
        "某区建设路116号华信大厦1207室"
    )
    expect(row.locator("input[name='f_parties.0.phone']")).to_have_value("010-6***3318")
    expect(row.locator(".id-no-label")).to_have_text("统一社会信用代码")
    expect(row.locator("input[name='f_parties.0.legal_rep']")).to_be_visible()
    expect(row.locator("input.kept[name='f_parties.0.role']")).to_have_value("当事人")
    expect(row.locator(".found")).to_contain_text("已填入某区星河文化传播有限公司")
    assert_fits(page)
    screenshot(page, artifacts, f"party-picked-{width}.png")

    # a second party by ID number, in a row of its own
    page.get_by_role("button", name="添加当事人").click()
    second = page.locator("fieldset.party").nth(1)
    second.locator("input.find").fill("110105********2719")
    picked = second.locator(".pick-party", has_text="邱振宇")
    expect(picked).to_be_visible()
    picked.click()
    expect(second.locator("input[name='f_parties.1.name']")).to_have_value("邱振宇")
    expect(second.locator("select.kind")).to_have_value("citizen")
    expect(second.locator("input.kept[name='f_parties.1.gender']")).to_have_value("男")

    # the second squad's cases are not his: their parties are not offered
    second.locator("input.find").fill("甘立新")
    expect(second.locator(".found")).to_contain_text("以往案件中没有找到“甘立新”")
    assert console.errors == []
