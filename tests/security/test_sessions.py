"""Issue 11 finding 10 (cookies): ``LIUHEN_COOKIE_SECURE`` and an idle session timeout.

Behind HTTPS the session and login-CSRF cookies must carry ``Secure``; a session left idle
longer than ``LIUHEN_SESSION_IDLE_MINUTES`` ends, while one in use lives up to its 12 hours.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.entrypoints.web import create_app
from liuhen.errors import ConfigurationError
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from tests.integration import factory
from tests.integration.auth import login

PASSWORD = "correct-horse-1"


def _app(env, **extra):
    st = settings_mod.load({**env, **extra})
    instance.init(st)
    app = instance.open_app(st, clock=FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)))
    factory.register(app)
    access.create_user(app, "zhangw", PASSWORD, ["officer"], "张伟", "wl-zd1", "31010001")
    return app


def _set_cookies(response) -> list[str]:
    return response.headers.get_list("set-cookie")


@pytest.mark.parametrize(("value", "secure"), [(None, False), ("0", False), ("1", True)])
def test_cookie_secure_setting(env, value, secure):
    app = _app(env, **({"LIUHEN_COOKIE_SECURE": value} if value is not None else {}))
    assert app.settings.cookie_secure is secure
    client = TestClient(create_app(app), base_url="https://testserver")
    page = client.get("/login")
    csrf_cookie = next(c for c in _set_cookies(page) if c.startswith("liuhen_login_csrf="))
    assert ("; secure" in csrf_cookie.lower()) is secure
    done = login(client, "zhangw", PASSWORD)
    assert done.status_code == 303
    session = next(c for c in _set_cookies(done) if c.startswith("liuhen_session="))
    assert ("; secure" in session.lower()) is secure and "httponly" in session.lower()
    app.engine.dispose()


def test_idle_sessions_end_and_used_ones_live_on(env):
    app = _app(env, LIUHEN_SESSION_IDLE_MINUTES="30")
    assert app.settings.session_idle_minutes == 30
    client = TestClient(create_app(app))
    assert login(client, "zhangw", PASSWORD).status_code == 303
    for _ in range(4):  # in use every 20 minutes: still signed in after 80 minutes
        app.clock.advance(minutes=20)
        assert client.get("/api/v1/cases").status_code == 200
    app.clock.advance(minutes=31)  # then idle for longer than allowed
    ended = client.get("/api/v1/cases")
    assert ended.status_code == 401 and ended.json()["code"] == "LH150"
    assert login(client, "zhangw", PASSWORD).status_code == 303  # a new sign-in works
    for _ in range(30):  # and however busy, a session ends after its 12 hours
        app.clock.advance(minutes=25)
        client.get("/api/v1/cases")
    assert client.get("/api/v1/cases").status_code == 401
    app.engine.dispose()


def test_idle_default_and_bad_values(env):
    assert settings_mod.load(env).session_idle_minutes == 30
    assert settings_mod.load(env).cookie_secure is False
    for bad in ("0", "-5", "abc"):
        with pytest.raises(ConfigurationError):
            settings_mod.load({**env, "LIUHEN_SESSION_IDLE_MINUTES": bad})
    with pytest.raises(ConfigurationError):
        settings_mod.load({**env, "LIUHEN_COOKIE_SECURE": "maybe"})
