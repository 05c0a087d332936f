"""Every page each demo role opens, at 1366×768 and at 768 px: it loads, fits its width, logs
no error, and its screenshot lands in ``tests/browser/artifacts/pages/`` for a person to read.

The pages are found as ``bench.pages_bench`` times them (the common pages, each case the role
sees, what its case pages and inbox link to): the common pages (list, inbox, overviews) for
each role, a case's pages once, by the first role that opens them.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from bench.pages_bench import CASE_LINK, COMMON, FOLLOW, ROLES
from playwright.sync_api import Page

from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, PageFactory, log_in, own_demo_server
from tests.browser.test_pages import overflow
from tests.integration.server import Server

own_server = own_demo_server("screens")  # reading a case or a document is journaled
CASES_PER_ROLE = 3  # each role's first cases and what they link to: every kind of page
FOLLOWED_PER_CASE = 4


def _pages(page: Page, base: str) -> list[str]:
    """What this role opens: the common pages that are his, his first cases and their links."""
    urls = [u for u in COMMON if (r := page.request.get(base + u)).ok and r.url.endswith(u)]
    home = page.request.get(base + "/").text()
    for case in list(dict.fromkeys(CASE_LINK.findall(home)))[:CASES_PER_ROLE]:
        urls.append(case)
        text = page.request.get(base + case).text().replace("&amp;", "&")
        urls += list(dict.fromkeys(FOLLOW.findall(text)))[:FOLLOWED_PER_CASE]
    inbox = page.request.get(base + "/inbox").text().replace("&amp;", "&")
    urls += [u for u in dict.fromkeys(FOLLOW.findall(inbox)) if "/approvals/" in u]
    return list(dict.fromkeys(urls))


def _name(role: str, url: str, width: int) -> str:
    slug = re.sub(r"[^\w〔〕-]+", "_", unquote(url).strip("/")) or "home"
    return f"{role}-{slug[:80]}-{width}.png"


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_every_page_of_every_role(
    open_page: PageFactory,
    own_server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    shots = artifacts / "pages"
    shots.mkdir(exist_ok=True)
    seen: set[str] = set()
    taken = 0
    for username, (password, role) in ROLES.items():
        page = open_page(viewport, anonymous=True)
        log_in(page, own_server.url, username, password)
        for url in _pages(page, own_server.url):
            key = f"{username} {url}" if url in COMMON else url  # his own list, inbox…
            if key in seen:
                continue
            seen.add(key)
            response = page.goto(own_server.url + url, wait_until="load")
            assert response is not None and response.status == 200, f"{role} {url}"
            assert "出错了" not in page.title(), f"{role} {url}: {page.title()}"
            assert overflow(page) is None, f"{role} {url}: {overflow(page)}"
            page.screenshot(path=shots / _name(username, url, viewport["width"]), full_page=True)
            taken += 1
        page.context.close()
    assert taken >= 30, f"only {taken} pages found"  # every role's pages, not a few
    assert console.errors == []
