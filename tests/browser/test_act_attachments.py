"""Attaching a scan on the act form in a real Chromium: the demo officer records 9号's 邮寄送达
with the scanned 付邮凭证 and 回执 (a PDF), lands on the case page and finds the file linked
under the act. At 1366×768 and 768 px; screenshots (``attachment-form-*.png``,
``attachment-case-*.png``) land in ``tests/browser/artifacts/``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import FilePayload, ViewportSize, expect

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

CASE = "某文旅罚〔2026〕9号"  # the demo officer's open case, in its service stage
FORM = f"/cases/{quote(CASE, safe='')}/record?act=service.mail"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

own_server = own_demo_server("attachments")  # the acts recorded here


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_an_officer_attaches_the_scanned_receipt_to_a_mail_service(
    open_page: PageFactory,
    own_server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: ViewportSize,
) -> None:
    server, width = own_server, viewport["width"]
    page = officer_page(open_page, viewport, server.url)
    visit(page, server.url + FORM)
    expect(page.locator("#attachments-hint")).to_contain_text("附件在提交时上传，暂存不保存附件")
    officers = page.locator("fieldset.officers input[type=checkbox]")
    for i in range(officers.count()):
        if page.locator("fieldset.officers input:checked").count() >= 2:
            break
        officers.nth(i).check()
    pick = page.locator("#served_doc")
    pick.select_option(label=pick.locator("option", has_text="行政处罚决定书").inner_text())
    page.locator("#f_served_at").fill("2026-05-22T10:00")
    page.locator("#f_place").fill("某区滨江路18号")
    page.locator("#f_server").fill("周立衡")
    page.locator("#f_mail_type").select_option("特快专递")
    page.locator("#f_tracking_no").fill(f"EMS20260520{width}")
    page.locator("#f_posted_on").fill("2026-05-20")
    page.locator("#f_receipt_returned").select_option("true")
    page.locator("#occurred_at").fill("2026-05-22T10:00")
    scan: FilePayload = {"name": f"付邮凭证及回执-{width}.pdf", "mimeType": "application/pdf",
                         "buffer": PDF}  # fmt: skip
    page.locator("#attachments").set_input_files([scan])
    assert_fits(page)
    screenshot(page, artifacts, f"attachment-form-{width}.png")
    with page.expect_navigation():
        page.get_by_role("button", name="记入案件").click()
    assert "/record?" not in page.url, page.locator("#refusal").all_inner_texts()

    link = page.get_by_role("link", name=f"付邮凭证及回执-{width}.pdf")
    expect(link).to_have_count(1)
    link.scroll_into_view_if_needed()
    assert_fits(page)
    screenshot(page, artifacts, f"attachment-case-{width}.png")
    got = page.request.get(server.url + str(link.get_attribute("href")))
    assert got.status == 200 and got.body() == PDF
    assert console.errors == []
