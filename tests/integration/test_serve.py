"""``liuhen serve`` on a fresh data folder: initialises, seeds the demo, answers over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from liuhen.archive import verify
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_first_start_seeds_demo_and_serves(tmp_path):
    port = _free_port()
    env = {**os.environ, "LIUHEN_DATA_DIR": str(tmp_path / "data"), "LIUHEN_PORT": str(port)}
    env.pop("LIUHEN_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "liuhen", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # seeding renders and signs 76 documents
        while True:
            try:
                anonymous = httpx.get(f"{base}/api/v1/cases", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "liuhen serve did not start within 600 s"
                time.sleep(0.3)
        assert anonymous.status_code == 401 and anonymous.json()["code"] == "LH150"
        login = httpx.get(f"{base}/login", timeout=5)
        form = {
            "username": "sifaju",
            "password": "jiandu-demo-2026",
            "next": "/",
            "csrf": login.cookies["liuhen_login_csrf"],
        }
        signed = httpx.post(f"{base}/login", data=form, cookies=login.cookies, timeout=10)
        assert signed.status_code == 303
        session = {"liuhen_session": signed.cookies["liuhen_session"]}
        cases = httpx.get(f"{base}/api/v1/cases", cookies=session, timeout=5).json()
        assert cases["total"] == 12  # the supervisor sees every case
        stages = {c["stage"] for c in cases["items"]}
        assert {
            "initiation",
            "investigation",
            "decision",
            "service",
            "execution",
            "archiving",
        } <= stages
        assert httpx.get(f"{base}/", timeout=5).status_code == 303  # to the login page
        page = httpx.get(f"{base}/", cookies=session, timeout=5)
        assert page.status_code == 200 and "案件列表" in page.text
        assert httpx.get(f"{base}/openapi.json", timeout=5).json()["info"]["title"] == "留痕 liuhen"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    st = settings_mod.load({"LIUHEN_DATA_DIR": str(tmp_path / "data")})
    app = instance.open_app(st)
    report = verify.verify(app)
    report.damages.extend(verify.check_files(app))  # every demo document's PDF is stored
    assert report.ok and report.checkpoints == 1, [d.render() for d in report.damages]
    app.engine.dispose()
