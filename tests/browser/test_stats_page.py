"""The statistics page (/stats) in a real Chromium at 1366×768 and 768 px: the charts drawn from
the project's own ECharts, the figures the API gives, a drill-down to the cases behind a figure,
the Excel download, an empty period, and an officer refused. Screenshots land in artifacts/."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, PageFactory, log_in
from tests.browser.test_pages import api, overflow, screenshot, visit
from tests.integration.server import Server

HEAD = ("hejg", "fuze-demo-2026")
OFFICER = ("zhoulh", "zhifa-demo-2026")


def test_dashboard_drill_down_and_download(
    open_page: PageFactory, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    page = open_page(DESKTOP, anonymous=True)
    log_in(page, server.url, *HEAD)
    visit(page, server.url + "/")
    page.get_by_role("link", name="执法统计").click()
    expect(page.locator("h1")).to_contain_text("执法统计")
    page.get_by_label("统计期间").fill("2026")
    page.get_by_role("button", name="统计").click()
    expect(page.locator("h1")).to_contain_text("2026年")
    figures = api(page, server, "/api/v1/stats?period=2026")
    opened = next(h for h in figures["headlines"] if h["key"] == "opened")
    card = page.locator(".stats-card", has_text="新立（登记）案件")
    expect(card.locator("strong")).to_have_text(opened["value"])
    # every chart drawn (ECharts puts a canvas in each box), served from the project: four, and
    # the two of 期限预警
    expect(page.locator(".chart canvas")).to_have_count(6)
    assert page.evaluate("typeof echarts") == "object"
    expect(page.locator("table.stats-table").first.locator("tbody tr")).to_have_count(
        len(figures["units"])
    )
    expect(page.get_by_text("评议考核得分的计算")).to_be_visible()
    assert overflow(page) is None
    screenshot(page, artifacts, "stats-1366.png")

    # the Excel report, as the page offers it
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel 报表").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert book["总览"]["A1"].value.endswith("（2026年）")

    # drill down: the card opens the cases behind its number
    card.click()
    expect(page.locator("h1")).to_contain_text("本期新立（登记）的案件")
    expect(page.locator("table.stats-cases tbody tr")).to_have_count(int(opened["value"]))
    screenshot(page, artifacts, "stats-cases-1366.png")
    page.locator("table.stats-cases tbody tr a").first.click()
    expect(page).to_have_url(
        f"{server.url}/cases/%E6%9F%90%E6%96%87%E6%97%85%E7%BD%9A%E3%80%942026%E3%80%953%E5%8F%B7"
    )

    # an empty period says so instead of drawing empty charts
    visit(page, server.url + "/stats?period=2025")
    expect(page.locator(".stats-empty")).to_have_text("本期间没有记录")
    expect(page.locator(".chart")).to_have_count(0)
    assert console.errors == []


def test_dashboard_at_768_and_officer_refused(
    open_page: PageFactory, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    page: Page = open_page(TABLET)  # the supervisor: every agency
    visit(page, server.url + "/stats")  # this month by default; the year is one click away
    page.get_by_role("navigation", name="常用期间").get_by_role("link", name="本年").click()
    expect(page.get_by_label("统计期间")).to_have_value(re.compile(r"^\d{4}$"))
    expect(page.locator("h1")).to_contain_text("全部机关")
    expect(page.locator(".chart canvas")).to_have_count(6)
    assert overflow(page) is None
    screenshot(page, artifacts, "stats-768.png")
    # drill down from a unit's row
    page.locator("table.stats-table").first.locator("tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("的案件")
    assert page.locator("table.stats-cases tbody tr").count() > 0
    officer = open_page(DESKTOP, anonymous=True)
    log_in(officer, server.url, *OFFICER)
    visit(officer, server.url + "/stats", status=403)
    expect(officer.get_by_role("link", name="执法统计")).to_have_count(0)
    assert console.errors == []


def test_filter_by_officer_from_his_row(
    open_page: PageFactory, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    page = open_page(DESKTOP)
    visit(page, server.url + "/stats?period=2026")
    row = page.locator("tr", has_text="秦雨桐")
    row.get_by_role("link", name="筛选").click()
    expect(page.locator("p.meta", has_text="筛选")).to_contain_text("11010052")
    figures = api(page, server, "/api/v1/stats?period=2026&officer=11010052")
    acts = next(h["value"] for h in figures["headlines"] if h["key"] == "acts")
    expect(page.locator(".stats-card", has_text="执法行为").locator("strong")).to_have_text(acts)
    expect(page.locator("table.stats-table").nth(1).locator("tbody tr")).to_have_count(
        len(figures["officers"])
    )
    screenshot(page, artifacts, "stats-officer-1366.png")
    assert console.errors == []
