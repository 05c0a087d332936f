"""归入案件 in a real Chromium: a photo the demo officer's camera stored with no case is bound
from its page to his case and the act it records; the case page then shows it inside that act.
At 1366×768 and 768 px; screenshots (``media-bind-*.png``) land in ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image
from playwright.sync_api import ViewportSize, expect

from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, PageFactory, demo_server, log_in
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

CASE = "某文旅罚〔2026〕9号"  # the demo officer's open case
CAMERA = "ZFJLY-ZD1-03"  # the demo officer's camera


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo instance of its own: the files bound here must not change the shared one."""
    srv = demo_server(tmp_path_factory, "binding")
    yield srv
    srv.stop()


def _docked(server: Server, folder: Path, colour: tuple[int, int, int]) -> str:
    """A photo imported from the officer's docked camera (``liuhen ingest``): stored, no case."""
    folder.mkdir()
    photo = folder / "20260520_103000.jpg"
    Image.new("RGB", (160, 120), colour).save(photo)
    subprocess.run(
        [sys.executable, "-m", "liuhen", "ingest", str(folder), "--device", CAMERA],
        env=server.env, check=True, capture_output=True,
    )  # fmt: skip
    return "sha256:" + hashlib.sha256(photo.read_bytes()).hexdigest()


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366", "768"])
def test_a_stored_photo_is_bound_to_the_act_it_records(
    open_page: PageFactory,
    own_server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: ViewportSize,
    tmp_path: Path,
) -> None:
    server = own_server
    digest = _docked(server, tmp_path / "dock", (viewport["width"] % 255, 90, 160))
    page = open_page(viewport, anonymous=True)
    log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
    visit(page, f"{server.url}/media/{digest}/bind")
    page.locator("#case").select_option(CASE)
    with page.expect_navigation():
        page.get_by_role("button", name="选择案件").click()
    acts = page.locator("#act_seq option")
    assert acts.count() > 2  # the case's acts, each with its time
    choice = acts.nth(1)
    label, seq = choice.inner_text(), choice.get_attribute("value")
    assert " · 2026年" in label, label
    page.locator("#act_seq").select_option(seq)
    assert_fits(page)
    screenshot(page, artifacts, f"media-bind-{viewport['width']}.png")
    with page.expect_navigation():
        page.get_by_role("button", name="归入案件").click()
    assert page.url.startswith(f"{server.url}/cases/{quote(CASE, safe='')}#seq-")
    bound = page.url.rsplit("#seq-", 1)[1]
    act = page.locator(f"article.entry#seq-{seq}")
    expect(act.locator(f"section.media#seq-{bound}")).to_have_count(1)  # inside its act
    assert console.errors == []
