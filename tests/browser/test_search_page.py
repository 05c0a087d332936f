"""Full-text search from the box every page carries (issue 15 item 5), in a real Chromium at
1366×768 and at 768 px, checked against what ``/api/v1/search`` returns for the same query.

Screenshots ``search-1366x768.png`` and ``search-768.png`` land in ``tests/browser/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleLog, PageFactory, officer_page
from tests.browser.test_pages import api, overflow, screenshot, visit
from tests.integration.server import Server

WORDS = "演出许可证"  # in the demo's unlicensed-performance case: its cause, inquiries, documents


def _search_from_box(page: Page, words: str) -> None:
    page.get_by_label("全文检索").fill(words)
    with page.expect_navigation():
        page.get_by_role("button", name="检索", exact=True).first.click()


def _check_results(page: Page, server: Server, words: str) -> dict:
    expected = api(page, server, f"/api/v1/search?q={quote(words)}")
    assert expected["total"] > 0
    hits = page.locator("li.hit")
    expect(hits).to_have_count(len(expected["items"]))
    first = expected["items"][0]
    expect(hits.first.locator("h2 a")).to_have_attribute("href", first["url"])
    expect(hits.first).to_contain_text(first["case_number"])
    marked = page.locator("li.hit mark")
    assert marked.count() > 0
    for text in marked.all_inner_texts()[:10]:
        assert any(t in text.lower() for t in expected["terms"]), text
    expect(page.get_by_text(f"共 {expected['total']} 条结果")).to_be_visible()
    return expected


def test_search_from_the_box_at_1366(
    page: Page, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    visit(page, server.url + "/")
    _search_from_box(page, WORDS)
    assert page.url.startswith(server.url + "/search?q=")
    expect(page.get_by_label("检索词")).to_have_value(WORDS)
    expect(page.get_by_label("全文检索")).to_have_value(WORDS)  # the box keeps it too
    expected = _check_results(page, server, WORDS)
    # narrowing to one kind: the filter's count is the page's total
    kinds = {k["kind"]: k["count"] for k in expected["kinds"]}
    assert "act" in kinds
    page.get_by_role("link", name=f"执法行为记录 {kinds['act']}").click()
    page.wait_for_url("**kind=act**")
    expect(page.get_by_text(f"共 {kinds['act']} 条结果")).to_be_visible()
    assert overflow(page) is None
    screenshot(page, artifacts, "search-1366x768.png")
    # an empty search is refused on the page, in Chinese, with its code
    visit(page, server.url + "/search?q=%EF%BC%8C", status=422)
    expect(page.get_by_role("alert")).to_contain_text("LH490")
    assert console.errors == []


def test_search_from_a_case_page_at_768(
    open_page: PageFactory, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    from tests.browser.conftest import TABLET

    page = officer_page(open_page, TABLET, server.url)
    number = api(page, server, "/api/v1/cases")["items"][0]["number"]
    visit(page, f"{server.url}/cases/{quote(number)}")
    _search_from_box(page, WORDS)
    expected = _check_results(page, server, WORDS)
    visible = {c["number"] for c in api(page, server, "/api/v1/cases?per_page=200")["items"]}
    assert {h["case_number"] for h in expected["items"]} <= visible  # only his cases
    assert overflow(page) is None
    screenshot(page, artifacts, "search-768.png")
    assert console.errors == []
