"""Who is asking: a session cookie (people, with CSRF on changes) or a Bearer token (machines).

Pages answer an anonymous request with a redirect to the login page, the API with 401; the
checkpoint and proofs stay public, since anyone must be able to verify the journal.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.kernel.instance import App

COOKIE = "liuhen_session"
LOGIN_CSRF = "liuhen_login_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ANONYMOUS = User(username="", display_name="", roles=frozenset())


def resolve(app: App, request: Request) -> User:
    """The caller, or ``AuthError``; checks CSRF for cookie-authenticated changes."""
    if request.method == "OPTIONS":  # capability discovery and CORS preflight carry no cookie
        return ANONYMOUS
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = access.token_user(app, header.removeprefix("Bearer ").strip())
        if user is None:
            raise access.AuthError("访问令牌无效或已撤销")
        return user
    found = access.session_user(app, request.cookies.get(COOKIE))
    if found is None:
        raise access.AuthError("请先登录")
    user, csrf = found
    # API changes carry the token in a header; page forms carry it as a field, checked by
    # the page handler (``check_form``) since a dependency cannot read the form body here.
    if (
        request.method in UNSAFE
        and request.url.path.startswith("/api/")
        and not secrets.compare_digest(request.headers.get("X-CSRF-Token", ""), csrf)
    ):
        raise access.Forbidden("缺少或无效的 CSRF 令牌，请刷新页面后重试")
    request.state.csrf = csrf
    return user


def current_user(request: Request) -> User:
    """The signed-in person or machine (a route dependency); remembered for the templates."""
    user = resolve(request.app.state.liuhen, request)
    request.state.user = user
    return user


def check_form(request: Request, token: str) -> None:
    """A page form's CSRF field against the session's (machines never post page forms)."""
    expected = getattr(request.state, "csrf", None)
    if not expected or not secrets.compare_digest(token or "", expected):
        raise access.Forbidden("页面已过期（CSRF 令牌无效），请刷新后重试")


async def posted_form(request: Request) -> dict[str, str]:
    """A page form's fields as text, once its CSRF field has been checked."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_form(request, form.get("csrf", ""))
    return form


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def form(request: Request, **context: Any) -> Response:
        token = secrets.token_urlsafe(24)
        response = templates.TemplateResponse(
            request, "login.html", {"csrf": token, **context},
            status_code=401 if context.get("error") else 200,
        )  # fmt: skip
        response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                            secure=app.settings.cookie_secure)  # fmt: skip
        return response

    @r.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/") -> Response:
        return form(request, next=next, username="")

    @r.post("/login")
    def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        csrf: str = Form(""),
        next: str = Form("/"),
    ) -> Response:
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        if not csrf or not secrets.compare_digest(csrf, request.cookies.get(LOGIN_CSRF, "")):
            return form(request, next=target, username=username, error="页面已过期，请重新登录")
        try:
            token, _csrf, _user = access.login(app, username.strip(), password)
        except access.AuthError as exc:
            return form(request, next=target, username=username, error=exc.message)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax",
                            secure=app.settings.cookie_secure,
                            max_age=access.SESSION_HOURS * 3600)  # fmt: skip
        response.delete_cookie(LOGIN_CSRF, secure=app.settings.cookie_secure, httponly=True,
                               samesite="strict")  # fmt: skip
        return response

    @r.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        found = access.session_user(app, request.cookies.get(COOKIE))
        if found is not None and secrets.compare_digest(csrf, found[1]):
            access.logout(app, request.cookies[COOKIE])
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, secure=app.settings.cookie_secure, httponly=True,
                               samesite="lax")  # fmt: skip
        return response

    return r
