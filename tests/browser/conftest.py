"""Real-browser fixtures: Debian's Chromium driven by Playwright, against a real ``liuhen serve``.

One browser and one server (with the demo cases) per session; each test gets fresh pages.
The browser tests never skip: without Chromium they fail, because CI must run them
(``scripts/install.sh`` installs Debian's ``chromium``; Playwright's own browser downloads are
impossible here, so the system binary is launched through ``executable_path``).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    StorageState,
    ViewportSize,
    sync_playwright,
)

from liuhen.demo.seed import DEMO_USERS
from tests import demo_template
from tests.integration.server import Server

ARTIFACTS = Path(__file__).parent / "artifacts"

# As root on this kind of machine Chromium needs --no-sandbox; without the background-networking
# flags it keeps trying to reach Google's hosts and the closed network refuses the connections.
# Playwright itself gives every launch a fresh, empty --user-data-dir (a temporary profile).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
TABLET: ViewportSize = {"width": 768, "height": 1024}

# The demo's 司法局 supervisor sees every case (read-only), so the list shows all 12.
SUPERVISOR = next(u for u in DEMO_USERS if "supervisor" in u[2])
# The demo's first officer, 周立衡 of 执法大队一中队 (an officer of 9号): the form tests' user.
OFFICER = next(u for u in DEMO_USERS if "officer" in u[2])


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"找不到 Chromium（{path}）：浏览器测试需要 Debian 的 chromium 软件包，"
            "请运行 scripts/install.sh 安装（不要用 playwright install 下载浏览器）",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield b
    b.close()


def demo_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Server:
    """``liuhen serve`` started on a fresh SQLite instance of its own, holding the demo cases;
    a module whose cases or documents others must not count has one. The caller stops it.

    The instance is a copy of the demo seeded once per run (``tests/demo_template.py``): the
    server's first start finds its cases and seeds nothing, and ``test_serve`` covers that start.
    """
    data_dir = tmp_path_factory.mktemp(name) / "data"
    demo_template.copy_sqlite(data_dir)
    env = {
        "LIUHEN_DATA_DIR": str(data_dir),
        # The defaults, spelled out so that a variable in the caller's environment can't leak in.
        "LIUHEN_DATABASE_URL": f"sqlite:///{data_dir / 'liuhen.db'}",
        "LIUHEN_BLOB_URL": f"file://{data_dir / 'blobs'}",
    }
    return Server(env, demo=True).start()


def prepared_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, prepare: Callable[[dict[str, str]], None]
) -> Server:
    """``liuhen serve`` on a fresh SQLite instance that ``prepare(env)`` has filled first (the
    demo seeded and cases planted), so the server's start seeds nothing. ``prepare`` runs in a
    thread of its own: signing the demo's documents runs an event loop, and Playwright's is
    already running in the test's. The caller stops the server."""
    data_dir = tmp_path_factory.mktemp(name) / "data"
    env = {
        "LIUHEN_DATA_DIR": str(data_dir),
        "LIUHEN_DATABASE_URL": f"sqlite:///{data_dir / 'liuhen.db'}",
        "LIUHEN_BLOB_URL": f"file://{data_dir / 'blobs'}",
    }
    failed: list[BaseException] = []

    def run() -> None:
        try:
            prepare(env)
        except BaseException as exc:  # re-raised below, in the test's thread
            failed.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failed:
        raise failed[0]
    return Server(env, demo=False).start()


def own_demo_server(name: str) -> object:
    """A module's ``own_server`` fixture: a ``demo_server`` of its own for the module's tests,
    stopped after them, so that what they record changes nothing the shared one is counted on
    for. Assigned as ``own_server = own_demo_server(name)`` in the module."""

    @pytest.fixture(scope="module")
    def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
        srv = demo_server(tmp_path_factory, name)
        yield srv
        srv.stop()

    return own_server


def fill(page: Page, values: dict[str, str]) -> None:
    """Type into the form's fields by name; a select gets its option chosen."""
    for name, value in values.items():
        field = page.locator(f"form [name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``liuhen serve`` on a fresh SQLite instance with the 12 demo cases."""
    srv = demo_server(tmp_path_factory, "browser")
    yield srv
    srv.stop()


@pytest.fixture(scope="package")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# Chromium asks every new profile for /favicon.ico; the pages declare no icon and the server
# answers 404, which Chromium logs as a console error. A known page problem, checked (and
# expected to fail) by test_pages.test_no_favicon_404; every other check ignores only it.
FAVICON = "/favicon.ico"
HTTP_STATUS_ERROR = "Failed to load resource: the server responded with a status of"


@dataclass
class ConsoleLog:
    """Console errors and uncaught exceptions of every page a test opened."""

    # (page URL, message, URL of the resource the message is about)
    entries: list[tuple[str, str, str]] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                self.entries.append((page.url, msg.text, msg.location.get("url", "")))

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.entries.append((page.url, f"未捕获异常 {exc}", "")))

    @staticmethod
    def expected(page_url: str, text: str, source: str) -> bool:
        if text.startswith(HTTP_STATUS_ERROR) and source.endswith(FAVICON):
            return True  # the known favicon problem, see FAVICON
        # A 404 or 401 page is a deliberate answer: Chromium echoes the document's own status,
        # which the tests check through the response instead.
        return text.startswith(HTTP_STATUS_ERROR) and source == page_url

    @property
    def errors(self) -> list[str]:
        return [
            f"{page_url}: {text} [{source}]"
            for page_url, text, source in self.entries
            if not self.expected(page_url, text, source)
        ]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Through the login form, as a person would."""
    page.goto(base_url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def officer_page(open_page: PageFactory, viewport: ViewportSize, base_url: str) -> Page:
    """A fresh page of ``viewport`` signed in through the login form as ``OFFICER``."""
    page = open_page(viewport, anonymous=True)
    log_in(page, base_url, OFFICER[0], OFFICER[1])
    return page


@pytest.fixture(scope="package")
def signed_in(browser: Browser, server: Server) -> StorageState:
    """The supervisor's session cookie, logged in once per session and reused by every page."""
    context = browser.new_context()
    try:
        page = context.new_page()
        log_in(page, server.url, SUPERVISOR[0], SUPERVISOR[1])
        assert page.url == server.url + "/", f"登录失败，停在 {page.url}"
        return context.storage_state()
    finally:
        context.close()


PageFactory = Callable[..., Page]


@pytest.fixture
def open_page(
    browser: Browser, console: ConsoleLog, request: pytest.FixtureRequest
) -> Iterator[PageFactory]:
    """Makes pages of a given viewport in their own contexts, watched by ``console``, closed
    at the end of the test.

    Pages are signed in as the demo supervisor unless ``anonymous=True``; only then is the
    shared demo server started, so a test on a server of its own does not wait for it.
    """
    contexts = []

    def make(viewport: ViewportSize, *, anonymous: bool = False) -> Page:
        state = None if anonymous else request.getfixturevalue("signed_in")
        context = browser.new_context(viewport=viewport, locale="zh-CN", storage_state=state)
        contexts.append(context)
        p = context.new_page()
        console.watch(p)
        return p

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: PageFactory) -> Page:
    """A desktop page, 1366×768."""
    return open_page(DESKTOP)


@pytest.fixture
def tablet_page(open_page: PageFactory) -> Page:
    """A tablet in portrait, 768 pixels wide."""
    return open_page(TABLET)


@pytest.fixture
def anonymous_page(open_page: PageFactory) -> Page:
    """A desktop page that has not logged in."""
    return open_page(DESKTOP, anonymous=True)
