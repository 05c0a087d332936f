"""实时调阅 in a real Chromium, as the demo supervisor uses it: the newest acts across agencies,
one opened in place with its record, and an act the officer records a moment later appearing
on top without a reload; at 1366×768 and at 768 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from liuhen.demo.seed import DEMO_USERS
from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, PageFactory, log_in
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

OFFICER = next(u for u in DEMO_USERS if u[0] == "zhoulh")
CASE = "某文旅罚〔2026〕9号"


def record_objection(open_page: PageFactory, base_url: str, who: str) -> None:
    """The demo officer records a party's objection through the API, with his session."""
    page = open_page(DESKTOP, anonymous=True)
    log_in(page, base_url, OFFICER[0], OFFICER[1])
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    answer = page.request.post(
        f"{base_url}/api/v1/cases/{CASE}/acts",
        headers={"X-CSRF-Token": token},
        data={
            "act": "general.objection",
            "occurred_at": "2026-12-01T10:00:00+08:00",
            "actors": [OFFICER[5]],
            "fields": {"kind": "现场异议", "description": f"{who}对现场检查的时间提出异议"},
        },
    )  # fmt: skip
    assert answer.status == 201, answer.text()


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_the_supervisor_watches_acts_arrive_and_opens_one_in_place(
    open_page: PageFactory,
    server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    page = open_page(viewport)  # the demo supervisor
    page.clock.install()
    visit(page, server.url + "/")
    page.get_by_role("link", name="实时调阅").click()
    expect(page.locator("h1")).to_have_text("实时调阅")
    items = page.locator("#feed-rows > li")
    expect(items.first).to_be_visible()
    units = {t.split(" · ")[1] for t in items.locator("p.meta").all_inner_texts()}
    assert len(units) > 1, units  # the supervisor oversees every agency's units

    first = items.first
    first.get_by_role("link", name="调阅").click()
    expect(first.locator(".act-in-place article.entry")).to_be_visible()
    expect(first.locator(".act-in-place")).to_contain_text("本次调阅已记入调阅记录")
    expect(first.get_by_role("link", name="收起")).to_be_visible()
    assert_fits(page)
    screenshot(page, artifacts, f"live-feed-{viewport['width']}.png")

    before = items.count()
    who = f"当事人{viewport['width']}"
    record_objection(open_page, server.url, who)
    page.clock.run_for(16_000)  # the page asks for new acts every 15 seconds
    expect(items).to_have_count(before + 1)
    expect(items.first).to_contain_text("当事人异议")
    expect(items.first).to_contain_text(CASE)
    expect(page.locator("#feed-status")).to_contain_text("已更新")

    page.locator("#f-act").select_option("investigation.inquiry")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    texts = items.locator("strong").all_inner_texts()
    assert texts and set(texts) == {"询问"}, texts
    assert console.errors == []
