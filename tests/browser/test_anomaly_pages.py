"""The supervisors' anomaly pages in a real Chromium at 1366×768 and 768 px: the list with its
filters, one anomaly with its explanation and entry links, a copied transcript side by side with
the shared passages highlighted, and the review form (refused empty, then journaled). The
anomalies are planted in the server's own demo instance: an inquiry in 18号 while its officer was
inspecting for 3号, its transcript copied from 3号's. Screenshots land in artifacts/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from liuhen.demo import seed as demo
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.record import ActInput, record
from tests.browser.conftest import (
    DESKTOP,
    SUPERVISOR,
    TABLET,
    ConsoleLog,
    PageFactory,
    log_in,
    prepared_server,
)
from tests.browser.test_pages import overflow, screenshot, visit
from tests.integration.server import Server


def _prepare(env: dict[str, str]) -> None:
    """Seed the demo and plant the overlapping, copied inquiry."""
    settings = settings_mod.load(env)
    instance.init(settings)
    app = instance.open_app(settings)
    demo.seed(app)
    doc = json.loads((Path(demo.__file__).parent / "case_01.json").read_text("utf-8"))
    fields = next(e["fields"] for e in doc["entries"] if e["act"] == "investigation.inquiry")
    fields = {**fields, "started_at": "2026-03-07T20:00:00+08:00",
              "ended_at": "2026-03-07T20:30:00+08:00"}  # fmt: skip
    record(app, ActInput(
        "investigation.inquiry", "2026-03-07T20:00:00+08:00", case="某文旅罚〔2026〕18号",
        actors=["11010031", "11010047"], place="某区文化和旅游局执法大队询问室", fields=fields,
        recorded_by={"id": "11010031", "role": "officer"},
    ))  # fmt: skip
    app.engine.dispose()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own on the demo instance, seeded and planted before it starts (so the
    server's start does not seed it): an overlapping inquiry whose transcript is 3号's."""
    server = prepared_server(tmp_path_factory, "anomalies", _prepare)
    yield server
    server.stop()


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_list_copy_pair_and_review(
    open_page: PageFactory, planted: Server, console: ConsoleLog, artifacts: Path, viewport
) -> None:
    page = open_page(viewport, anonymous=True)  # signed in below, on a server of its own
    log_in(page, planted.url, SUPERVISOR[0], SUPERVISOR[1])
    page.get_by_role("link", name="执法异常").click()
    expect(page.locator("h1")).to_contain_text("执法记录异常")
    rows = page.locator("table.anomaly-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("执法人员韩晓雯（11010031）2026年3月7日")
    assert overflow(page) is None
    width = viewport["width"]
    screenshot(page, artifacts, f"anomalies-{width}.png")

    page.get_by_label("种类").select_option("transcript_copy")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("不同案件笔录雷同")
    sides = page.locator(".copy-side")
    expect(sides).to_have_count(2)
    expect(sides.nth(0).locator("mark").first).to_be_visible()
    shared = sides.nth(0).locator("mark").first.inner_text()
    assert shared and shared in sides.nth(1).inner_text()
    expect(
        page.get_by_role("link", name="某文旅罚〔2026〕3号 第", exact=False).first
    ).to_be_visible()
    assert overflow(page) is None

    # the form refuses no opinion in the browser itself, then records a conclusion
    page.get_by_label("属实", exact=True).check()
    page.get_by_role("button", name="记录核查结论").click()
    assert page.locator("#opinion").evaluate("e => !e.validity.valid")
    page.get_by_label("核查意见").fill(f"询问笔录与3号案雷同（{width}）。")
    page.get_by_role("button", name="记录核查结论").click()
    expect(page.locator("ol.reviews li").last).to_contain_text(f"询问笔录与3号案雷同（{width}）。")
    screenshot(page, artifacts, f"anomaly-copy-{width}.png")
    visit(page, planted.url + "/anomalies?reviewed=yes")
    expect(page.locator("table.anomaly-table tbody tr")).to_have_count(1)
    assert console.errors == []
