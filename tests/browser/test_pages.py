"""The pages as a person sees them, in a real Chromium: list, stage filter, case page, 404, login.

Screenshots of the list and a case page at 1366×768 and 768 px wide land in
``tests/browser/artifacts/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, Response, expect

from liuhen.demo.seed import DEMO_USERS
from tests.browser.conftest import (
    DESKTOP,
    FAVICON,
    SUPERVISOR,
    TABLET,
    ConsoleLog,
    PageFactory,
    log_in,
)
from tests.integration.server import Server

CASE_STAGE_LABELS = ["程序启动", "调查取证", "审查决定", "送达", "执行", "归档"]
FULL_CASE = "某文旅罚〔2026〕3号"  # an archived demo case that went through every stage
DEMO_CASES = 12
ADMIN = next(u for u in DEMO_USERS if "admin" in u[2])


def visit(page: Page, url: str, status: int = 200) -> Response:
    response = page.goto(url, wait_until="load")
    assert response is not None, url
    assert response.status == status, f"{url}: HTTP {response.status}"
    return response


def api(page: Page, server: Server, path: str) -> Any:
    """The JSON API with the page's own session cookie, to cross-check what the page shows."""
    response = page.request.get(server.url + path)
    assert response.ok, f"{path}: HTTP {response.status}"
    return response.json()


def case_url(server: Server, number: str) -> str:
    return f"{server.url}/cases/{quote(number)}"


def overflow(page: Page) -> str | None:
    """Why the page scrolls sideways, or None when it fits its viewport."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width <= inner:
        return None
    culprits = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                         && e.scrollWidth > e.clientWidth)
            .slice(0, 3)
            .map(e => e.tagName.toLowerCase() + ' “' + e.textContent.trim().slice(0, 30) + '”')"""
    )
    return f"scrollWidth {width} > innerWidth {inner}（最宽处：{'；'.join(culprits)}）"


def assert_fits(page: Page) -> None:
    problem = overflow(page)
    assert problem is None, f"{page.url} 出现横向滚动条：{problem}"


def screenshot(page: Page, artifacts: Path, name: str) -> None:
    path = artifacts / name
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 0


def test_case_list(page: Page, server: Server, console: ConsoleLog, artifacts: Path) -> None:
    visit(page, server.url + "/")
    expect(page).to_have_title(re.compile("^案件列表"))
    expect(page.locator("h1")).to_have_text("案件列表")
    expect(page.get_by_text(f"共 {DEMO_CASES} 件")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(DEMO_CASES)
    numbers = [c["number"] for c in api(page, server, "/api/v1/cases")["items"]]
    expect(rows.locator("td:first-child")).to_have_text(numbers)
    expect(page.locator("header")).to_contain_text(SUPERVISOR[3])  # who is signed in
    assert_fits(page)
    screenshot(page, artifacts, "cases-1366x768.png")
    assert console.errors == []


def test_stage_filter(page: Page, server: Server, console: ConsoleLog) -> None:
    visit(page, server.url + "/")
    stage = page.get_by_label("环节")
    expect(stage.locator("option")).to_have_text(["全部", *CASE_STAGE_LABELS])
    stage.select_option(label="归档")
    page.get_by_role("button", name="查找").click()
    expect(page).to_have_url(re.compile(r"[?&]stage=archiving(&|$)"))
    expect(page.get_by_label("环节")).to_have_value("archiving")
    expected = api(page, server, "/api/v1/cases?stage=archiving")["total"]
    assert 0 < expected < DEMO_CASES
    expect(page.get_by_text(f"共 {expected} 件")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(expected)
    expect(page.locator("tbody tr td:nth-child(4)")).to_have_text(["归档"] * expected)
    page.get_by_role("link", name="清除条件").click()
    expect(page.locator("tbody tr")).to_have_count(DEMO_CASES)
    assert console.errors == []


def test_case_page(page: Page, server: Server, console: ConsoleLog, artifacts: Path) -> None:
    visit(page, server.url + "/?stage=archiving")
    page.get_by_role("link", name=FULL_CASE, exact=True).click()
    expect(page).to_have_url(case_url(server, FULL_CASE))
    expect(page).to_have_title(re.compile(f"^{re.escape(FULL_CASE)}"))
    expect(page.locator("h1")).to_have_text(FULL_CASE)

    case = api(page, server, f"/api/v1/cases/{quote(FULL_CASE)}")
    headings = page.locator("section.stage > h2")
    expect(headings).to_have_text([s["label"] for s in case["stages"]])
    assert headings.all_text_contents()[: len(CASE_STAGE_LABELS)] == CASE_STAGE_LABELS
    for section in page.locator("section.stage").all():
        # Counts differ from the API's: every viewing is itself journaled (调阅留痕), and runs
        # of views are folded into one closed <details> line.
        expect(section.locator("article.entry, details.views").first).to_be_visible()

    compliance = page.locator("section.compliance")
    expect(compliance.locator("h2")).to_have_text(re.compile("^合规检查"))
    counts = api(page, server, f"/api/v1/cases/{quote(FULL_CASE)}/compliance")["counts"]
    expect(compliance).to_contain_text(
        f"违规 {counts['violation']} · 提示 {counts['warning']} · 待办 {counts['due']}"
    )
    assert_fits(page)
    screenshot(page, artifacts, "case-1366x768.png")
    bar = page.locator("p.missing-bar")
    expect(bar).to_contain_text(f"违规 {counts['violation']}")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # what is missing stays
    box = bar.bounding_box()
    assert box is not None and 0 <= box["y"] < 5, box
    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_role("link", name="← 案件列表").click()
    expect(page.locator("h1")).to_have_text("案件列表")
    assert console.errors == []


def test_every_page_loads_cleanly(page: Page, server: Server, console: ConsoleLog) -> None:
    """At 1366×768: the list, each stage filter and every demo case page, with their findings."""
    items = api(page, server, "/api/v1/cases")["items"]
    assert len(items) == DEMO_CASES
    visit(page, server.url + "/")
    assert_fits(page)
    stages = [c["stage"] for c in items]
    for stage in dict.fromkeys(stages):
        visit(page, f"{server.url}/?stage={stage}")
        expect(page.locator("tbody tr")).to_have_count(stages.count(stage))
        assert_fits(page)
    for item in items:
        number = item["number"]
        visit(page, case_url(server, number))
        expect(page.locator("h1")).to_have_text(number)
        counts = api(page, server, f"/api/v1/cases/{quote(number)}/compliance")["counts"]
        findings = page.locator("section.compliance li.finding")
        for severity, n in counts.items():
            expect(findings.and_(page.locator(f".{severity}"))).to_have_count(n)
        if not sum(counts.values()):
            expect(page.locator("section.compliance")).to_contain_text("未发现问题")
        assert_fits(page)
    assert console.errors == []


def test_tablet_case_list(
    tablet_page: Page, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    page = tablet_page
    visit(page, server.url + "/")
    expect(page.locator("tbody tr")).to_have_count(DEMO_CASES)
    screenshot(page, artifacts, "cases-768.png")
    assert_fits(page)
    assert console.errors == []


def test_tablet_case_pages_fit(
    tablet_page: Page, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    page = tablet_page
    visit(page, case_url(server, FULL_CASE))
    expect(page.locator("section.stage > h2").first).to_have_text("程序启动")
    screenshot(page, artifacts, "case-768.png")
    assert console.errors == []
    too_wide = {}
    numbers = [c["number"] for c in api(page, server, "/api/v1/cases")["items"]]
    for number in numbers:
        visit(page, case_url(server, number))
        problem = overflow(page)
        if problem:
            too_wide[number] = problem
    assert too_wide == {}, f"{len(too_wide)}/{len(numbers)} 个案件页在 768 像素宽时横向滚动"


@pytest.mark.parametrize("path", ["/cases/不存在的案件", "/no-such-page"])
def test_not_found(
    page: Page, server: Server, console: ConsoleLog, artifacts: Path, path: str
) -> None:
    visit(page, server.url + path, status=404)
    expect(page).to_have_title(re.compile("^出错了"))
    expect(page.locator(".error")).to_contain_text("错误代码 LH104")
    assert_fits(page)
    if path.startswith("/cases/"):
        screenshot(page, artifacts, "not-found-1366x768.png")
    page.get_by_role("link", name="返回案件列表").click()
    expect(page.locator("h1")).to_have_text("案件列表")
    assert console.errors == []


def test_login_redirects_back(
    anonymous_page: Page, server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    """Signed out, a case link leads to the login form, and logging in leads back to the case."""
    page = anonymous_page
    page.goto(case_url(server, FULL_CASE))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("h1")).to_have_text("登录留痕")
    assert_fits(page)
    screenshot(page, artifacts, "login-1366x768.png")
    log_in(page, server.url, "nobody", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    page.goto(case_url(server, FULL_CASE))
    page.get_by_label("用户名").fill(SUPERVISOR[0])
    page.get_by_label("密码").fill(SUPERVISOR[1])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(case_url(server, FULL_CASE))
    expect(page.locator("h1")).to_have_text(FULL_CASE)
    assert console.errors == []


def test_no_favicon_404(page: Page, server: Server) -> None:
    """Chromium fetches the icon once per browser, so this asks what decides it instead."""
    visit(page, server.url + "/")
    declared = page.locator("link[rel~=icon]").count() > 0
    assert declared or page.request.get(server.url + FAVICON).ok


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_admin_pages(
    open_page: PageFactory,
    server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    """The administrator reaches 系统管理 from the header; every section fits the screen."""
    page = open_page(viewport, anonymous=True)
    log_in(page, server.url, ADMIN[0], ADMIN[1])
    page.get_by_role("link", name="系统管理").click()
    expect(page.locator("h1")).to_have_text("系统管理 · 账户")
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(len(DEMO_USERS))
    # the demo created every account: one account event each, listed below the accounts
    expect(page.locator("#events tbody tr")).to_have_count(len(DEMO_USERS))
    assert_fits(page)
    screenshot(page, artifacts, f"admin-users-{viewport['width']}.png")
    sections = (("units", "机构与人员"), ("tokens", "访问令牌"), ("keys", "密钥与证书"),
                ("packs", "规则包"))  # fmt: skip
    for section, title in sections:
        visit(page, f"{server.url}/admin/{section}")
        expect(page.locator("h1")).to_have_text(f"系统管理 · {title}")
        assert_fits(page)
    assert console.errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_form_labels_beside_inputs_when_wide_stacked_when_narrow(
    open_page: PageFactory,
    server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    """From 900 px a label and its input share a row (two columns); below, the label sits
    above its input. Either way nothing runs together and the page fits its width."""
    officer = next(u for u in DEMO_USERS if "officer" in u[2])
    page = open_page(viewport, anonymous=True)
    log_in(page, server.url, officer[0], officer[1])
    visit(page, server.url + "/cases/new")
    form = page.locator("form.act-form")
    place = form.locator("input[name=place]")
    label = form.locator("label[for=place]")
    input_box, label_box = place.bounding_box(), label.bounding_box()
    assert input_box and label_box
    if viewport["width"] >= 900:  # the input in the second column, on the label's row
        assert input_box["x"] - label_box["x"] >= 200
        assert input_box["y"] < label_box["y"] + label_box["height"] / 2 + 5
    else:  # stacked: the input starts at the label's left edge, below its text
        assert abs(input_box["x"] - label_box["x"]) < 2
        assert input_box["y"] > label_box["y"] + 10
    assert_fits(page)
    screenshot(page, artifacts, f"act-form-{viewport['width']}.png")
    assert console.errors == []
