"""Early warning (预警) in a real Chromium on the demo: the head's inbox leads with his agency's
red cards, /warnings lists them with the limit, its article, the due time in Chinese and who
answers for it; the officer with no card is told so; each page fits 1366×768 and 768 px.
Screenshots land in ``tests/browser/artifacts/``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from liuhen.demo.seed import DEMO_USERS
from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, log_in
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

OFFICER = next(u for u in DEMO_USERS if "officer" in u[2])
HEAD = next(u for u in DEMO_USERS if "head" in u[2])
OVERDUE = "某文旅罚〔2026〕18号"  # the demo's case past its decision deadline


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo instance of its own, seeded before ``liuhen serve`` starts (seeding inside the
    server's start can outlast its 60 s when the machine is busy); no scan has run on it."""
    data_dir = tmp_path_factory.mktemp("warnings") / "data"
    env = {
        "LIUHEN_DATA_DIR": str(data_dir),
        "LIUHEN_DATABASE_URL": f"sqlite:///{data_dir / 'liuhen.db'}",
        "LIUHEN_BLOB_URL": f"file://{data_dir / 'blobs'}",
    }
    srv = Server(env)
    for step in (["init"], ["demo"]):
        subprocess.run([sys.executable, "-m", "liuhen", *step], env=srv.env, check=True,
                       capture_output=True)  # fmt: skip
    yield srv.start()
    srv.stop()


@pytest.fixture
def fresh(browser: Browser, console: ConsoleLog) -> Iterator[Callable[[ViewportSize], Page]]:
    """Pages in contexts of their own (signed out), zh-CN, watched by ``console``."""
    contexts = []

    def make(viewport: ViewportSize) -> Page:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_the_heads_red_cards_in_his_inbox_and_on_the_warnings_page(
    fresh: Callable[[ViewportSize], Page],
    warned: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: ViewportSize,
) -> None:
    server = warned
    head = fresh(viewport)
    log_in(head, server.url, HEAD[0], HEAD[1])
    visit(head, server.url + "/inbox")
    cards = head.locator("#warning .inbox-item")
    expect(cards).to_have_count(2)  # no scan ran: the inbox caught them up itself
    line = cards.filter(has_text=OVERDUE)
    expect(line.locator(".warn-card")).to_have_text("红牌")
    expect(line).to_contain_text("已超过期限")
    expect(line).to_contain_text("自立案之日起九十日内作出行政处罚决定")
    expect(line).to_contain_text("负责人")
    assert_fits(head)
    screenshot(head, artifacts, f"warnings-inbox-head-{viewport['width']}.png")

    head.get_by_role("link", name="期限预警", exact=True).click()
    expect(head.locator("h1")).to_have_text("期限预警")
    expect(head.locator(".warnings-summary")).to_contain_text("红牌 2")
    row = head.locator("tr.warning-card", has_text=OVERDUE)
    expect(row.locator(".warn-card")).to_have_text("红牌")
    color = row.locator(".warn-card").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(207, 34, 46)", color  # red
    expect(row).to_contain_text("第六十条")  # the limit's article
    expect(row).to_contain_text("年")  # the due time as people read it (…年…月…日 23:59)
    expect(row).to_contain_text("23:59")
    expect(row).to_contain_text("（负责人）")
    assert_fits(head)
    screenshot(head, artifacts, f"warnings-head-{viewport['width']}.png")

    officer = fresh(viewport)
    log_in(officer, server.url, OFFICER[0], OFFICER[1])
    visit(officer, server.url + "/warnings")
    expect(officer.locator(".warnings-summary")).to_contain_text("没有未解除的预警")
    expect(officer.locator("tr.warning-card")).to_have_count(0)  # not his cases
    assert_fits(officer)
    screenshot(officer, artifacts, f"warnings-officer-{viewport['width']}.png")
    assert console.errors == []
