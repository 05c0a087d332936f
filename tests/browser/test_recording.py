"""An officer records an act in the browser: the form refuses what is incomplete, keeps what
was typed, and the act then appears on the case's timeline."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.conftest import DESKTOP, ConsoleLog, log_in
from tests.browser.test_upload_page import upload_files
from tests.integration.server import Server

CASE = (
    "某文旅罚〔2026〕18号"  # a demo case of the officer's squad (执法大队一中队), in investigation
)


def test_officer_records_an_inquiry(
    browser: Browser, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        console.watch(page)
        log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
        page.goto(f"{server.url}/cases/{CASE}")
        assert page.get_by_role("heading", name=CASE).is_visible()
        page.get_by_label("记录事项").select_option("investigation.inquiry")
        with page.expect_navigation():
            page.get_by_role("button", name="填写").click()
        page.get_by_label("其他执法人员执法证号（联合执法时填写，多个以逗号分隔）").fill(
            "11010023,11010031"
        )
        page.locator("input[name='f_subject.name']").fill("网吧员工刘某")
        page.get_by_label("与本案关系").fill("证人")
        page.get_by_label("询问内容（问答） *").fill(
            "问：当晚是否有未成年人上网？\n答：有两名，没有核验身份证。"
        )
        with page.expect_navigation():
            page.get_by_role("button", name="记入案件").click()
        assert page.get_by_role("alert").is_visible()  # refused: times and flags missing
        assert page.locator("input[name='f_subject.name']").input_value() == "网吧员工刘某"
        page.screenshot(path=str(artifacts / "act-form-refused.png"), full_page=True)
        page.locator("#f_started_at").fill("2026-11-20T15:00")
        page.locator("#f_ended_at").fill("2026-11-20T15:30")
        page.locator("#f_identity_shown").select_option("true")
        page.locator("#f_rights_notified").select_option("true")
        page.get_by_label("记录人 *").fill("韩晓雯")
        with page.expect_navigation():
            page.get_by_role("button", name="记入案件").click()
        assert page.url.startswith(f"{server.url}/cases/")
        assert "#seq-" in page.url
        assert page.get_by_text("网吧员工刘某").first.is_visible()
        page.screenshot(path=str(artifacts / "act-recorded.png"), full_page=True)
        assert console.errors == []
    finally:
        context.close()


def test_officer_uploads_a_video_with_tus_js_client(
    browser: Browser, server: Server, console: ConsoleLog, artifacts: Path, tmp_path: Path
) -> None:
    from tests.integration.test_evidence import write_video

    clip = tmp_path / "20261120_150000.mp4"
    write_video(clip, seconds=3, created="2026-11-20T07:00:00.000000Z")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        console.watch(page)
        log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
        page.goto(f"{server.url}/cases/{CASE}/upload")  # the case page links here
        act = page.locator("#upload-row").evaluate(
            "t => t.content.querySelector('select[name=act_seq] option:nth-child(2)').value"
        )
        upload_files(page, server.url, CASE, [clip], act)
        listed = page.request.get(f"{server.url}/api/v1/media?case_number={CASE}").json()
        names = {m["name"]: m for m in listed["items"]}
        assert "20261120_150000.mp4" in names
        assert names["20261120_150000.mp4"]["act_seq"] == int(act or 0)
        page.goto(f"{server.url}/cases/{CASE}")
        page.screenshot(path=str(artifacts / "case-after-upload.png"), full_page=True)
        assert console.errors == []
    finally:
        context.close()
