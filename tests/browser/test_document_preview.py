"""The document form writes itself and the party signs what he has read, in a real Chromium: the
officer opens a case and records an inquiry; the 询问笔录 form starts from the case (案由, 询问人
with certificate numbers, his own signer block); 预览 renders the PDF's pages (marked 预览) with
the signature pad below, the party signs there and the document is issued with his signature.
Screenshots of the form and of the preview at 1366×768 and at 768 px, and the issued PDF's
first page as PNG, land in ``tests/browser/artifacts/``."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DESKTOP,
    OFFICER,
    TABLET,
    ConsoleLog,
    PageFactory,
    fill,
    officer_page,
    own_demo_server,
)
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

CAUSE = "某区夜色酒吧未经许可擅自从事营业性演出"


own_server = own_demo_server("preview")  # the case made here


def click(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def open_case_with_inquiry(officer: Page, url: str) -> str:
    """Opens a case and records an inquiry in it; the case's number."""
    visit(officer, url + "/cases/new?act=initiation.ex_officio")
    fill(officer, {
        "f_cause": CAUSE, "f_category": "penalty", "f_procedure": "ordinary",
        "f_parties.0.name": "某区夜色酒吧",
        "f_summary": "巡查发现该酒吧未取得营业性演出许可证组织演出。",
        "f_source": "日常巡查发现", "f_reason": "涉嫌违反《营业性演出管理条例》第六条。",
        "f_handler_opinion": "建议立案调查。",
    })  # fmt: skip
    click(officer, "记入案件")
    found = re.search(r"/cases/([^/]+)/documents/new", officer.url)
    assert found, officer.url
    number = found.group(1)
    visit(officer, f"{url}/cases/{number}/record?act=investigation.inquiry")
    fill(officer, {  # an inquiry is at the scene: two officers
        "actors": "11010047", "place": "某区滨江路18号", "f_subject.name": "陈某",
        "f_relation": "酒吧负责人",
        "f_started_at": "2026-12-01T10:00", "f_ended_at": "2026-12-01T10:40",
        "f_identity_shown": "true", "f_rights_notified": "true", "f_recorder": "周立衡",
        "f_transcript": "问：你是否知道演出需要许可？\n答：不知道。",
    })  # fmt: skip
    click(officer, "记入案件")
    return number


def test_the_party_signs_the_inquiry_record_under_its_preview(
    open_page: PageFactory, own_server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    officer = officer_page(open_page, DESKTOP, own_server.url)
    open_case_with_inquiry(officer, own_server.url)
    if "制作：询问笔录" not in officer.locator("h1").inner_text():
        officer.get_by_role("link", name="询问笔录").first.click()
    expect(officer.locator("h1")).to_have_text("制作：询问笔录")
    # the form starts from the case: its cause, the officer with his number, his block
    expect(officer.locator("[name=f_cause]")).to_have_value(CAUSE)
    expect(officer.locator("[name=f_inquirers]")).to_have_value(
        re.compile(rf"周立衡（执法证号 {OFFICER[5]}）")
    )
    expect(officer.locator("[name=sign_officer]")).to_have_value(str(OFFICER[5]))
    expect(officer.locator("#signature-pad")).to_have_count(0)  # not before the preview
    fill(officer, {"party_name": "陈某", "f_place": "某区文化和旅游局询问室"})
    screenshot(officer, artifacts, "preview-01-doc-form-1366x768.png")
    officer.set_viewport_size(TABLET)
    assert_fits(officer)
    screenshot(officer, artifacts, "preview-02-doc-form-768.png")

    click(officer, "预览")
    expect(officer.locator("h1")).to_have_text("预览：询问笔录")
    pages = officer.locator("img.preview-page")
    expect(pages.first).to_be_visible()
    assert officer.evaluate("document.querySelector('img.preview-page').naturalWidth") > 300
    pad = officer.locator("#signature-pad")
    assert pages.last.bounding_box()["y"] < pad.bounding_box()["y"]  # type: ignore[index]
    # the content is locked: no editable field of the document is on this page
    expect(officer.locator("textarea, input[name^=f_]:not([type=hidden])")).to_have_count(0)
    assert_fits(officer)
    screenshot(officer, artifacts, "preview-03-preview-768.png")
    officer.set_viewport_size(DESKTOP)
    screenshot(officer, artifacts, "preview-04-preview-1366x768.png")

    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    officer.mouse.move(box["x"] + 0.1 * box["width"], box["y"] + 0.3 * box["height"])
    officer.mouse.down()
    for x, y in ((0.3, 0.7), (0.5, 0.3), (0.7, 0.7), (0.9, 0.4)):
        officer.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
    officer.mouse.up()
    expect(officer.locator("#signature-status")).to_have_text("已签名")
    click(officer, "制作并签名")
    assert officer.get_by_role("alert").count() == 0
    found = re.search(r"#seq-(\d+)$", officer.url)
    assert found, officer.url
    entry = officer.locator(f"#seq-{found.group(1)}").inner_text()
    assert "陈某" in entry and "手写签名" in entry, entry
    link = officer.locator(f"#seq-{found.group(1)} a[href*='/pdf']").first
    pdf = officer.request.get(own_server.url + str(link.get_attribute("href"))).body()
    (artifacts / "preview-05-issued.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",
                    str(artifacts / "preview-05-issued.pdf"),
                    str(artifacts / "preview-05-issued")], check=True)  # fmt: skip
    text = subprocess.run(["pdftotext", str(artifacts / "preview-05-issued.pdf"), "-"],
                          capture_output=True, check=True).stdout.decode()  # fmt: skip
    assert CAUSE in re.sub(r"\s+", "", text) and "预览" not in text
    assert console.errors == []
