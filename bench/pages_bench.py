"""Every page each role opens in a day, timed on the demo data: p50 and p95 of each GET, with
the pages over the 200 ms aim marked. Prints figures; asserts nothing.

The pages are found, not listed by hand where the data decides them: each demo case's page,
the record form of the act its menu suggests, the document forms its acts offer, the upload
page, every device page, the approval pages waiting in the head's inbox.

    .venv/bin/python -m bench.pages_bench [--rounds 20]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient
from tests.integration.auth import login

from bench.common import fresh_app, p50_p95
from liuhen.demo.seed import seed
from liuhen.entrypoints.web import create_app

AIM_MS = 200.0
ROLES = {
    "zhoulh": ("zhifa-demo-2026", "执法人员"),
    "shenrl": ("fazhi-demo-2026", "法制审核人员"),
    "hejg": ("fuze-demo-2026", "负责人"),
    "chenghm": ("dangan-demo-2026", "档案管理人员"),
    "sifaju": ("jiandu-demo-2026", "监督人员"),
    "admin": ("guanli-demo-2026", "系统管理员"),
}
COMMON = ["/", "/?overdue=1&sort=due", "/inbox", "/devices", "/media/todo", "/overview",
          "/review/live", "/retention", "/requests", "/admin/users", "/admin/units",
          "/admin/tokens", "/admin/keys", "/admin/packs", "/admin/settings"]  # fmt: skip
CASE_LINK = re.compile(r'href="(/cases/[^"/?#]+)"')
FOLLOW = re.compile(
    r'href="(/cases/[^"]+/(?:documents/new|approvals/\d+|upload|views)[^"]*'
    r'|/devices/[^"]+|/cases/[^"]+/record\?act=[^"]+)"'
)


def _time(client: TestClient, url: str, rounds: int) -> tuple[float, float, int] | None:
    """(p50 ms, p95 ms, status) of ``url``; None when the page is not the user's (403/404)."""
    first = client.get(url)
    if first.status_code in (403, 404):
        return None
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return *p50_p95(times), first.status_code


def _pages(client: TestClient) -> list[str]:
    """The common pages, each case the user sees and the pages its case pages link to."""
    urls = list(COMMON)
    home = client.get("/").text
    for case in dict.fromkeys(CASE_LINK.findall(home)):
        urls.append(case)
        page = client.get(case).text.replace("&amp;", "&")
        urls += list(dict.fromkeys(FOLLOW.findall(page)))[:6]
    inbox = client.get("/inbox").text.replace("&amp;", "&")
    urls += [u for u in dict.fromkeys(FOLLOW.findall(inbox)) if "/approvals/" in u]
    devices = client.get("/devices").text
    urls += list(dict.fromkeys(re.findall(r'href="(/devices/[^"]+)"', devices)))[:3]
    return list(dict.fromkeys(urls))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    worst: list[tuple[float, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp) / "data")
        seed(app)
        for username, (password, role) in ROLES.items():
            with TestClient(create_app(app)) as client:
                assert login(client, username, password).status_code == 303
                timed = 0
                print(f"\n{role}（{username}）")
                for url in _pages(client):
                    figures = _time(client, url, args.rounds)
                    if figures is None:
                        continue
                    p50, p95, status = figures
                    timed += 1
                    flag = "  ← 超过 200 ms" if p95 > AIM_MS else ""
                    print(f"  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  [{status}] {_short(url)}{flag}")
                    worst.append((p95, role, url))
                print(f"  共 {timed} 个页面")
        app.engine.dispose()
    worst.sort(reverse=True)
    over = [w for w in worst if w[0] > AIM_MS]
    print(f"\n全部 {len(worst)} 次页面计时，p95 超过 200 ms 的 {len(over)} 个；最慢的五个：")
    for p95, role, url in worst[:5]:
        print(f"  p95 {p95:6.1f} ms  {role}  {_short(url)}")


def _short(url: str) -> str:
    """The URL as a person reads it (case numbers unquoted)."""
    return unquote(url)[:110]


if __name__ == "__main__":
    main()
