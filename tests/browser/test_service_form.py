"""送达 in the browser: the served document is chosen from the case's own (the demo's 9号, in
its service stage), which writes its name and 文号 into the form; the 受送达人 starts as the
case's party. Screenshot ``service-form-1366.png`` in ``tests/browser/artifacts/``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, ConsoleLog, PageFactory, log_in
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

CASE = "某文旅罚〔2026〕9号"


def test_the_served_document_is_chosen_not_typed(
    open_page: PageFactory, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    page = open_page(DESKTOP, anonymous=True)
    log_in(page, server.url, "zhoulh", "zhifa-demo-2026")  # one of 9号's officers
    visit(page, f"{server.url}/cases/{quote(CASE)}/record?act=service.direct")
    expect(page.locator("input[name='f_recipient.name']")).to_have_value("某区途远旅行社有限公司")
    # earlier cases' parties are offered for the 受送达人, not for one who signs for him
    expect(page.locator("fieldset[data-prefix='f_recipient'] input.find")).to_be_visible()
    expect(page.locator("fieldset[data-prefix='f_signed_by'] input.find")).to_have_count(0)
    pick = page.locator("#served_doc")
    label = pick.locator("option", has_text="行政处罚决定书").inner_text()
    pick.select_option(label=label)
    document, number = page.locator("#f_document"), page.locator("#f_document_no")
    expect(document).to_have_value("行政处罚决定书")
    expect(number).to_have_value("某文旅罚决〔2026〕9号")
    expect(number).not_to_be_editable()  # what is recorded is the chosen document's
    assert_fits(page)
    screenshot(page, artifacts, "service-form-1366.png")
    pick.select_option("")  # a document issued outside the system: typed
    expect(number).to_be_editable()
    number.fill("某文旅罚决〔2025〕3号")
    expect(number).to_have_value("某文旅罚决〔2025〕3号")
    assert console.errors == []
