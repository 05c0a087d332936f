"""The inbox (待办) in a real Chromium, as the demo officer and head see it: counts first, the
most urgent group leading, overdue lines red, every line with its one action; it fits the
screen at 1366×768 and at 768 px. Screenshots land in ``tests/browser/artifacts/``."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from liuhen.demo.seed import DEMO_USERS
from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, PageFactory, log_in
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

OFFICER = next(u for u in DEMO_USERS if "officer" in u[2])
HEAD = next(u for u in DEMO_USERS if "head" in u[2])


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_the_officers_and_the_heads_inbox(
    open_page: PageFactory,
    server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    officer = open_page(viewport, anonymous=True)
    log_in(officer, server.url, OFFICER[0], OFFICER[1])
    officer.get_by_role("link", name="待办").click()
    expect(officer.locator("h1")).to_have_text("待办")
    expect(officer.locator(".inbox-summary")).to_contain_text("违规待整改 1")
    # the demo's cases came in from the paper system: their acts' approval forms are in the
    # paper file, so none is asked for (tests/integration/test_drafts.py: a new act's is)
    expect(officer.locator("#request")).to_have_count(0)
    # his one case's broken rule, one click from the entry it concerns
    line = officer.locator("#violation .inbox-item")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("某文旅罚〔2026〕9号")
    href = line.get_by_role("link", name="查看记录并整改").get_attribute("href") or ""
    assert "#seq-" in href
    assert_fits(officer)
    screenshot(officer, artifacts, f"inbox-officer-{viewport['width']}.png")

    head = open_page(viewport, anonymous=True)
    log_in(head, server.url, HEAD[0], HEAD[1])
    visit(head, server.url + "/inbox")
    cases = head.locator("#cases .inbox-item")
    expect(cases.first).to_have_class("inbox-item overdue violation")  # the overdue case leads
    expect(cases.first).to_contain_text("已逾期")
    color = cases.first.locator(".countdown").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(207, 34, 46)", color  # red
    assert_fits(head)
    screenshot(head, artifacts, f"inbox-head-{viewport['width']}.png")
    with head.expect_navigation():
        cases.first.get_by_role("link", name="查看合规检查").click()
    assert head.url.endswith("#compliance")
    assert console.errors == []
