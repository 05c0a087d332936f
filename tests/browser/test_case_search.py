"""Finding cases on the list page at 768 px (issue 13): the search box and the filters, in a
real Chromium, checked against what the API returns for the same query.

The screenshot ``cases-search-768.png`` lands in ``tests/browser/artifacts/`` with the others.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleLog
from tests.browser.test_pages import api, screenshot, visit
from tests.integration.server import Server

PARTY = "悦音量贩"  # a demo party: the complaint case about noise (某文旅投〔2026〕27号)


def test_search_and_filter_at_768(
    tablet_page: Page, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    page = tablet_page
    visit(page, server.url + "/")
    rows = page.locator("tbody tr")
    page.get_by_label("搜索").fill(PARTY)
    page.get_by_role("button", name="查找").click()
    found = api(page, server, f"/api/v1/cases?q={quote(PARTY)}")["items"]
    assert len(found) == 1
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text(found[0]["number"])
    expect(rows.first).to_contain_text(PARTY)
    expect(page.get_by_label("搜索")).to_have_value(PARTY)  # the query stays in the box

    # a filter with the search cleared: the cases with violations, soonest deadline first
    page.get_by_label("搜索").fill("")
    page.get_by_label("有违规").check()
    page.get_by_label("排序").select_option("due")
    page.get_by_role("button", name="查找").click()
    expected = api(page, server, "/api/v1/cases?violations=true&sort=due")["items"]
    assert 0 < len(expected) < 12
    expect(rows.locator("td:first-child")).to_have_text([c["number"] for c in expected])
    expect(page.get_by_label("有违规")).to_be_checked()
    for c in expected:
        assert c["violations"] > 0
    # the violation column is in view without scrolling the table sideways
    header = page.get_by_role("columnheader", name="违规")
    box = header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 768, box
    # the filters wrap instead of widening the page
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"scrollWidth {width} > {inner}"
    screenshot(page, artifacts, "cases-search-768.png")
    assert console.errors == []
