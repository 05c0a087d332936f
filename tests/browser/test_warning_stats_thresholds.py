"""Issue 15's remainders in a real Chromium at 1366×768 and 768 px: the 期限预警 figures on /stats
(the definition of the warning rate, the two charts, the tables, a drill-down to the cases
behind the red cards) and the anomaly thresholds page (each threshold's meaning, value and
default; a refused value kept as typed with its reason beside it; a saved change).

A small instance of its own, prepared before the server starts: the agency's head and its
administrator, one case long overdue (a red card raised three hours ago, then decided: cleared
after three hours) and one nearing its limit (a yellow card). Screenshots land in artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.record import ActInput, record
from liuhen.warnings import service as warnings
from tests.browser.conftest import (
    DESKTOP,
    TABLET,
    ConsoleLog,
    PageFactory,
    log_in,
    prepared_server,
)
from tests.browser.test_pages import overflow, screenshot, visit
from tests.integration import factory
from tests.integration.server import Server

LATE, NEAR = "某文旅罚〔2026〕1号", "某文旅罚〔2026〕2号"
HEAD = ("boss", "correct-horse-1")
ADMIN = ("root", "correct-horse-1")


def _prepare(env: dict[str, str]) -> None:
    settings = settings_mod.load(env)
    instance.init(settings)
    app = instance.open_app(settings)
    factory.register(app)
    access.create_user(app, HEAD[0], HEAD[1], ["head"], "赵局长", "wl-zd1")
    access.create_user(app, ADMIN[0], ADMIN[1], ["admin"], "管理员")
    now = app.clock.now().astimezone(SHANGHAI)
    factory.open_case(app, LATE, when=(now - timedelta(days=120)).isoformat())
    factory.open_case(app, NEAR, when=(now - timedelta(days=89)).isoformat())
    warnings.scan(app, now=now - timedelta(hours=3), send=False)  # LATE red, NEAR yellow
    record(app, ActInput(
        "decision.decision", (now - timedelta(hours=1)).isoformat(), case=LATE,
        actors=["31010001", "31010002"], recorded_by=factory.OFFICER,
        fields={"party": {"name": "某区夜色酒吧"}, "facts": "当事人未经许可擅自从事营业性演出。",
                "kinds": ["罚款"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
                "content": "罚款人民币5000元。", "performance": "十五日内缴纳。",
                "remedy": "六十日内申请行政复议。", "decided_on": now.date().isoformat(),
                "document_no": "某文旅罚决〔2026〕1号"},
    ))  # fmt: skip
    warnings.scan(app, now=now, send=False)  # LATE's limit met: its red card clears
    app.engine.dispose()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = prepared_server(tmp_path_factory, "warning-stats", _prepare)
    yield server
    server.stop()


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_warning_figures_on_the_statistics_page(
    open_page: PageFactory, prepared: Server, console: ConsoleLog, artifacts: Path, viewport
) -> None:
    page = open_page(viewport, anonymous=True)
    log_in(page, prepared.url, *HEAD)
    visit(page, prepared.url + "/stats")  # this month: both cards were raised today
    section = page.locator("section.stats-warnings")
    expect(section.get_by_role("heading", name="期限预警")).to_be_visible()
    expect(section.locator("#warning-rate-definition")).to_contain_text(
        "预警率 = 本期间亮过红牌（已超过期限）的案件数 ÷ 本期间期限在运行的案件数"
    )
    expect(section.locator(".chart canvas")).to_have_count(2)
    total = section.locator("#warning-units tfoot tr")
    expect(total).to_contain_text("50.0%")  # one case of two got a red card
    expect(total.locator("td").nth(7)).to_have_text("3.0")  # LATE's red card: three hours
    expect(page.locator(".stats-card", has_text="预警率（红牌）")).to_contain_text("1/2")
    expect(page.locator(".stats-card", has_text="黄牌").locator("strong")).to_have_text("1")
    assert overflow(page) is None
    width = viewport["width"]
    section.scroll_into_view_if_needed()
    screenshot(page, artifacts, f"stats-warnings-{width}.png")

    # drill down: the red cards' count opens the case behind it
    total.locator("td").nth(2).get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("亮过红牌的案件")
    expect(page.locator("table.stats-cases tbody tr")).to_have_count(1)
    expect(page.locator("table.stats-cases tbody")).to_contain_text(LATE)
    assert console.errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_the_thresholds_page_refuses_keeps_and_saves(
    open_page: PageFactory, prepared: Server, console: ConsoleLog, artifacts: Path, viewport
) -> None:
    page = open_page(viewport, anonymous=True)
    width = viewport["width"]
    log_in(page, prepared.url, *HEAD)
    visit(page, prepared.url + "/anomalies")
    page.get_by_role("link", name="异常监测阈值").click()
    expect(page.locator("h1")).to_have_text("异常监测阈值")
    rows = page.locator("table.threshold-table tbody tr")
    expect(rows).to_have_count(13)
    overlap = rows.filter(has_text="两案事项时间重叠的最短时长（分钟）")
    expect(overlap).to_contain_text("一人同时在两处执法")  # its meaning
    copy_row = rows.filter(has_text="笔录雷同的相似度下限（0–1）")
    expect(copy_row.locator("td").last).to_contain_text("0.6")  # its default
    assert overflow(page) is None
    screenshot(page, artifacts, f"anomaly-thresholds-{width}.png")

    page.get_by_label("两案事项时间重叠的最短时长（分钟）").fill(str(20 + width % 7))
    page.get_by_label("笔录雷同的相似度下限（0–1）").fill("1.5")
    page.get_by_role("button", name="保存阈值").click()
    expect(page.locator("#refusal")).to_contain_text("有 1 处需要修改")
    similarity = page.get_by_label("笔录雷同的相似度下限（0–1）")
    expect(similarity).to_have_value("1.5")  # kept as typed
    expect(similarity).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-t_copy_similarity")).to_have_text(
        "“笔录雷同的相似度下限（0–1）”应为大于 0、不超过 1 的小数，如 0.6"
    )
    expect(page.get_by_label("两案事项时间重叠的最短时长（分钟）")).to_have_value(
        str(20 + width % 7)
    )
    assert overflow(page) is None
    screenshot(page, artifacts, f"anomaly-thresholds-refused-{width}.png")

    similarity.fill("0.7")
    page.get_by_role("button", name="保存阈值").click()
    expect(page.locator("#thresholds-done")).to_contain_text("已记入日志")
    expect(page.get_by_label("两案事项时间重叠的最短时长（分钟）")).to_have_value(
        str(20 + width % 7)
    )
    expect(overlap).to_contain_text("已调整")
    assert console.errors == []


def test_the_administrator_reaches_the_thresholds_from_administration(
    open_page: PageFactory, prepared: Server, console: ConsoleLog
) -> None:
    page = open_page(DESKTOP, anonymous=True)
    log_in(page, prepared.url, *ADMIN)
    visit(page, prepared.url + "/admin/settings")
    page.get_by_role("navigation", name="系统管理").get_by_role("link", name="异常监测阈值").click()
    expect(page.get_by_label("机关")).to_have_value("wl")
    expect(page.locator("table.threshold-table tbody tr")).to_have_count(13)
    assert console.errors == []
