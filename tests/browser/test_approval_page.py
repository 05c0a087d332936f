"""The head's approval in a real Chromium: the officer opens a case (no head's opinion on his
form) and goes on to the 立案审批表 with his own opinion; the head finds it in his inbox, reads
it on the approval page beside its pages as images (at 1366×768 and at 768 px), picks 同意,
edits the opinion, confirms, and the signed PDF prints his opinion, name and date in the
负责人意见 row. Screenshots and the signed PDF's first page as PNG land in
``tests/browser/artifacts/``."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from liuhen.demo.seed import DEMO_USERS
from tests.browser.conftest import (
    DESKTOP,
    TABLET,
    ConsoleLog,
    PageFactory,
    demo_server,
    log_in,
)
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

OFFICER = next(u for u in DEMO_USERS if "officer" in u[2])
HEAD = next(u for u in DEMO_USERS if "head" in u[2])
CAUSE = "某区星光KTV未经许可擅自从事营业性演出"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo instance of its own: the case and documents made here must not change what the
    other browser tests count on the shared one."""
    srv = demo_server(tmp_path_factory, "approvals")
    yield srv
    srv.stop()


def _officer_opens_and_issues(officer: Page, url: str) -> None:
    """The officer's part: open the case, then the 立案审批表 signed in his own block."""
    visit(officer, url + "/cases/new?act=initiation.ex_officio")
    expect(officer.locator("[name=f_head_opinion]")).to_have_count(0)
    expect(officer.locator("[name=f_approver]")).to_have_count(0)
    officer.fill("[name=f_cause]", CAUSE)
    officer.select_option("[name=f_category]", "penalty")
    officer.select_option("[name=f_procedure]", "ordinary")
    officer.fill("[name='f_parties.0.name']", "某区星光KTV")
    officer.fill("[name=f_summary]", "12月1日晚巡查发现该KTV未取得营业性演出许可证组织歌手演出。")
    officer.fill("[name=f_source]", "日常巡查发现")
    officer.fill("[name=f_reason]", "涉嫌违反《营业性演出管理条例》第六条，建议立案调查。")
    officer.fill("[name=f_handler_opinion]", "建议立案，由周立衡承办。")
    with officer.expect_navigation():
        officer.get_by_role("button", name="记入案件", exact=True).click()
    expect(officer.locator("h1")).to_have_text("制作：立案审批表")
    expect(officer.locator("[name=f_head_opinion]")).to_have_count(0)
    expect(officer.locator("[name=f_handler_opinion]")).to_have_value("建议立案，由周立衡承办。")
    officer.fill("[name=sign_officer]", str(OFFICER[5]))  # his own block, signed from his login
    officer.fill("[name=f_handlers]", f"周立衡（{OFFICER[5]}）")
    with officer.expect_navigation():
        officer.get_by_role("button", name="制作并签名").click()
    assert "#seq-" in officer.url, officer.url


def test_the_head_approves_the_filing_on_the_approval_page(
    open_page: PageFactory, own_server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    url = own_server.url
    officer = open_page(DESKTOP, anonymous=True)
    log_in(officer, url, OFFICER[0], OFFICER[1])
    _officer_opens_and_issues(officer, url)

    head = open_page(DESKTOP, anonymous=True)
    log_in(head, url, HEAD[0], HEAD[1])
    visit(head, url + "/inbox")
    waiting = head.locator("#sign-approver .inbox-item", has_text="立案审批表")
    expect(waiting).to_have_count(1)
    with head.expect_navigation():
        waiting.get_by_role("link", name="审批并签署").click()
    approval_url = head.url
    expect(head.locator("h1")).to_have_text("审批：《立案审批表》")
    expect(head.locator(".approval-summary")).to_contain_text("建议立案，由周立衡承办。")
    expect(head.locator(".approval-summary")).to_contain_text("某区星光KTV")
    _shows_the_pages(head)
    assert_fits(head)
    screenshot(head, artifacts, "approval-head-1366x768.png")

    narrow = open_page(TABLET, anonymous=True)
    log_in(narrow, url, HEAD[0], HEAD[1])
    visit(narrow, approval_url)
    _shows_the_pages(narrow)
    narrow.get_by_label("同意", exact=True).check()
    opinion = narrow.locator("#opinion")
    expect(opinion).to_have_value("同意。")  # the usual phrase, to be edited
    narrow.get_by_label("不同意", exact=True).check()
    expect(opinion).to_have_value("不同意，理由：")  # an untouched phrase follows the choice
    narrow.get_by_label("同意", exact=True).check()
    opinion.fill("同意立案，由周立衡承办。")
    assert_fits(narrow)
    screenshot(narrow, artifacts, "approval-head-768.png")
    with narrow.expect_navigation():
        narrow.get_by_role("button", name="下一步：确认").click()
    confirm = narrow.locator(".approval-confirm")
    expect(confirm).to_contain_text("您将以本人电子签名在《立案审批表》负责人意见栏签署：")
    expect(confirm).to_contain_text("同意立案，由周立衡承办。")
    assert_fits(narrow)
    screenshot(narrow, artifacts, "approval-confirm-768.png")
    with narrow.expect_navigation():
        narrow.get_by_role("button", name="确认签署").click()
    signed = int(narrow.url.rsplit("#seq-", 1)[1])
    expect(narrow.locator(f"#seq-{signed}")).to_contain_text("贺建国")

    _check_signed_pdf(narrow, url, signed, artifacts)

    visit(head, url + "/inbox")
    expect(head.locator("#sign-approver .inbox-item", has_text="立案审批表")).to_have_count(0)
    assert console.errors == []


def _shows_the_pages(page: Page) -> None:
    """The document as page images, drawn (a framed PDF showed headless Chromium an empty dark
    viewer), within the page's width; the PDF itself is a link away."""
    image = page.locator("img.approval-page").first
    expect(image).to_be_visible()
    natural = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert natural[0] and natural[1] > 0 and natural[2] > natural[1], natural  # an A4 page
    box, viewport = image.bounding_box(), page.viewport_size
    assert box is not None and viewport is not None
    assert box["height"] > 300 and box["width"] <= viewport["width"]
    expect(page.get_by_role("link", name="在新窗口打开 PDF（含电子签名）")).to_be_visible()


def own_case(page: Page, url: str) -> str:
    """The number of the case this test opened (the only one with its cause)."""
    found = page.request.get(f"{url}/api/v1/cases", params={"q": CAUSE})
    assert found.ok
    items = found.json()
    rows = items["items"] if isinstance(items, dict) else items
    return str(next(r["number"] for r in rows if r.get("cause") == CAUSE))


def _check_signed_pdf(page: Page, url: str, signed: int, artifacts: Path) -> None:
    """The signed PDF as the case keeps it: the opinion in the head's row, every signature
    valid; its pages kept as PNG."""
    # the signed PDF as the case keeps it: the opinion in the head's row, every signature valid
    documents = page.request.get(f"{url}/api/v1/cases/{own_case(page, url)}")
    assert documents.ok
    digest = next(
        e["fields"]["digest"] for st in documents.json()["stages"] for e in st["entries"]
        if e["seq"] == signed
    )  # fmt: skip
    pdf = page.request.get(f"{url}/api/v1/documents/{digest}/pdf")
    assert pdf.ok and pdf.headers["x-frame-options"] == "SAMEORIGIN"
    path = artifacts / "approval-signed.pdf"
    path.write_bytes(pdf.body())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "同意立案，由周立衡承办。" in text and "贺建国" in text and "2026年" in text
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(path),
         str(artifacts / "approval-signed")], check=True,
    )  # fmt: skip
    path.unlink()
