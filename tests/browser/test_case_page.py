"""The case page as the officer handling the case reads it, at 1366×768 and 768 px: parties as
cards, each act with its documents and media inside, technical values folded, the act menu
opening on the likely next act. Screenshots land in ``tests/browser/artifacts/``."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, log_in
from tests.browser.test_pages import assert_fits, screenshot
from tests.integration.server import Server

OPEN_CASE = "某文旅罚〔2026〕9号"  # at service, with documents and clips bound to its acts
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def test_the_case_page_reads_like_a_record(
    browser: Browser, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    for size, name in ((DESKTOP, "case-officer-1366x768.png"), (TABLET, "case-officer-768.png")):
        context = browser.new_context(viewport=size, locale="zh-CN")
        try:
            page = context.new_page()
            console.watch(page)
            log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
            page.goto(f"{server.url}/cases/{quote(OPEN_CASE)}")
            expect(page.locator("h1")).to_have_text(OPEN_CASE)
            expect(page.locator("section.parties .person-card").first).to_be_visible()
            expect(page.locator("article.entry section.document").first).to_be_visible()
            expect(page.locator("article.entry section.media").first).to_be_visible()
            folds = page.locator("details.tech")
            assert folds.count() > 0 and not folds.first.evaluate("d => d.open")
            shown = page.locator("main").inner_text()  # what a person reads, folds closed
            assert not ISO.search(shown) and "sha256:" not in shown and "True" not in shown
            select = page.get_by_label("记录事项")
            expect(select.locator("optgroup").first).to_have_attribute("label", "建议的下一步")
            assert "限制人身自由" not in select.inner_text()
            expect(page.get_by_role("link", name="上传音像资料")).to_have_attribute(
                "href", f"/cases/{quote(OPEN_CASE)}/upload"
            )
            assert_fits(page)
            screenshot(page, artifacts, name)
        finally:
            context.close()
    assert console.errors == []


def test_a_document_is_previewed_in_place_only_when_asked(
    browser: Browser, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    """Opening the page fetches no PDF (reading one is journaled); opening the fold frames the
    document's PDF, which the site's headers allow for its own pages only."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        console.watch(page)
        log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if r.url.endswith("/pdf") else None)
        page.goto(f"{server.url}/cases/{quote(OPEN_CASE)}")
        fold = page.locator("details.pdf-preview").first
        expect(fold).to_be_visible()
        assert fetched == [] and page.locator("iframe.pdf-frame").count() == 0
        with page.expect_response(lambda r: r.url.endswith("/pdf")) as caught:
            fold.locator("summary").click()
        response = caught.value
        assert response.status == 200
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
        expect(fold.locator("iframe.pdf-frame")).to_have_count(1)
        fold.locator("summary").click()  # closing and opening again frames it once, not twice
        fold.locator("summary").click()
        expect(fold.locator("iframe.pdf-frame")).to_have_count(1)
        screenshot(page, artifacts, "case-pdf-preview-1366x768.png")
    finally:
        context.close()
    assert console.errors == []
