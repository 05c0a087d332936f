"""The administration pages under ``/admin``: each change re-renders its page with the
Chinese reason and what was typed when refused, and redirects with a note when done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.accounts import guard
from liuhen.accounts import service as access
from liuhen.admin.common import (
    MAX_PAGE,
    ROLE_NAMES,
    AdminDep,
    PackChange,
    PageNo,
    change_pack,
    keys,
    pack_settings,
    recorder,
    set_active,
)
from liuhen.errors import LiuhenError, Problem, ValidationError
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject
from liuhen.signing import service as signing
from liuhen.web.field_errors import FieldErrors

PER_PAGE = 50
DONE = {
    "created": "账户已创建",
    "activated": "账户已启用",
    "deactivated": "账户已停用，其登录会话已结束",
    "unlocked": "账户已解锁",
    "password": "密码已重设，其登录会话已结束",
    "changed": "账户的角色、机构与执法证号已变更",
    "agency": "执法机关已登记（已记入日志）",
    "unit": "执法机构已登记（已记入日志）",
    "officer_changed": "执法人员的角色、机构与在岗状态已变更（已记入日志）",
    "revoked": "访问令牌已吊销",
    "officer": "执法人员已登记（已记入日志）",
    "ca": "签名根证书已建立（指纹已记入日志）",
    "issued": "签名证书已签发（已记入日志）",
    "sealed": "机关电子印章已签发（已记入日志）",
    "pack": "规则包已变更（已记入日志）",
}


# Each form of the pages: its id, its inputs (each input's id is "<form>-<name>"), and the input
# a refusal that names no field concerns (the form's key: 已登记, 不存在), if any.
FORMS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "new-user": (("username", "display_name", "password", "unit", "cert_no", "roles"), "username"),
    "change-user": (("unit", "cert_no", "roles", "email"), None),
    "reset-password": (("username", "password"), "username"),
    "new-agency": (("code", "name", "region"), "code"),
    "new-unit": (("code", "name", "agency"), "code"),
    "new-officer": (("cert_no", "name", "unit", "roles"), "cert_no"),
    "change-officer": (("unit", "active", "roles"), None),
    "create-token": (("name", "unit", "roles"), "name"),
    "init-ca": (("name",), "name"),
    "issue": (("cert_no",), "cert_no"),
    "seal": (("agency",), "agency"),
    "change-pack": (("agency", "pack", "reason"), "pack"),
}


def placed(error: LiuhenError | None, form: str | None) -> FieldErrors | None:
    """Where a refusal of ``form`` is shown: each problem beside its input of that form (the
    same field names occur in several forms of a page); a refusal without problems beside the
    form's key input."""
    if error is None or form is None:
        return None
    names, key = FORMS[form]
    inputs = [f"{form}-{n}" for n in names]
    aliases = {n: f"{form}-{n}" for n in names}
    if not error.problems and key is not None:  # placed there; the page still says it at the top
        return FieldErrors(ValidationError(error.message, [Problem(error.message, key)]), inputs,
                           aliases)  # fmt: skip
    return FieldErrors(error, inputs, aliases)


class _Pages:
    """The administration pages' rendering, shared by the routes of each page."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.app = app
        self.templates = templates

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        error: LiuhenError | None = None,
        at: str | None = None,
    ) -> Response:
        """``at``: the form that was refused, whose inputs show the problems."""
        done = DONE.get(request.query_params.get("done", ""))
        return self.templates.TemplateResponse(
            request, name,
            {"error": error, "done": None if error else done, "role_names": ROLE_NAMES,
             "form": {}, "errors": placed(error, at), **context},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    def users_page(
        self,
        request: Request,
        page: int = 1,
        error: LiuhenError | None = None,
        at: str | None = None,
        **forms: Any,
    ) -> Response:
        result = access.list_users(self.app, page, PER_PAGE)
        pages = max(1, (result.total + PER_PAGE - 1) // PER_PAGE)
        ev = _page_no(request.query_params.get("events", "1"))
        events = access.list_events(self.app, ev, PER_PAGE)
        edit = request.query_params.get("edit", "")
        if "change" not in forms and edit:
            forms["change"] = _account(self.app, edit)
        context = {"result": result, "pages": pages, "roles": access.ROLES,
                   "units": access.listing(self.app).units, "events": events,
                   "describe": describe,
                   "event_pages": max(1, (events.total + PER_PAGE - 1) // PER_PAGE),
                   **forms}  # fmt: skip
        return self.render(request, "admin_users.html", context, error, at)

    def units_page(
        self, request: Request, error: LiuhenError | None = None, at: str | None = None,
        **forms: Any,
    ) -> Response:  # fmt: skip
        reg = access.listing(self.app)
        edit = request.query_params.get("edit", "")
        if "change_form" not in forms and edit:
            found = next((o for o in reg.officers if o.cert_no == edit), None)
            forms["change_form"] = _officer(found) if found else Posted({})
        context = {"reg": reg, "officer_roles": access.OFFICER_ROLES, **forms}
        return self.render(request, "admin_units.html", context, error, at)

    def tokens_page(
        self,
        request: Request,
        error: LiuhenError | None = None,
        status: int = 200,
        at: str | None = None,
        **forms: Any,
    ) -> Response:
        context = {"tokens": access.list_tokens(self.app), "roles": access.ROLES,
                   "units": access.listing(self.app).units, **forms}  # fmt: skip
        response = self.render(request, "admin_tokens.html", context, error, at)
        if error is None:
            response.status_code = status
        response.headers["Cache-Control"] = "no-store"  # a new token is on this page once
        return response

    def keys_page(
        self, request: Request, error: LiuhenError | None = None, at: str | None = None,
        **forms: Any,
    ) -> Response:  # fmt: skip
        listing = access.listing(self.app)
        context = {"k": keys(self.app), "officers": listing.officers,
                   "agencies": listing.agencies, **forms}  # fmt: skip
        return self.render(request, "admin_keys.html", context, error, at)

    def packs_page(
        self, request: Request, error: LiuhenError | None = None, at: str | None = None,
        **forms: Any,
    ) -> Response:  # fmt: skip
        context = {"p": pack_settings(self.app), **forms}
        return self.render(request, "admin_packs.html", context, error, at)


@dataclass(frozen=True, slots=True)
class Posted:
    """A form as typed: its text fields, and the roles ticked (several boxes share the name).

    A refused change re-renders its page with the form, whose template reads it as it reads
    an empty ``{}``: ``form.get(name)``, or ``form.name`` (which Jinja looks up as an item)."""

    text: dict[str, str]
    roles: list[str] = field(default_factory=list)

    def value(self, name: str) -> str:
        return self.text.get(name, "")

    def get(self, name: str, default: object = None) -> object:
        return self.roles if name == "roles" else self.text.get(name, default)

    def __getitem__(self, name: str) -> object:
        return self.roles if name == "roles" else self.text[name]

    def but(self, **text: str) -> Posted:
        """The form with some fields replaced (a password blanked, a name from the path)."""
        return Posted({**self.text, **text}, self.roles)


async def _posted(request: Request) -> Posted:
    """The form's fields, CSRF checked."""
    data = await request.form()
    form = Posted(
        {k: str(v) for k, v in data.items() if k != "roles"},
        [str(v) for v in data.getlist("roles")],
    )
    guard.check_form(request, form.value("csrf"))
    return form


def _done(path: str, what: str) -> Response:
    return RedirectResponse(f"/admin/{path}?done={what}", status_code=303)


def _attempt(
    action: Callable[[], object], on_error: Callable[[LiuhenError], Response]
) -> Response | None:
    """Run a change; a refusal re-renders its page with what was typed (never passwords)."""
    try:
        action()
    except LiuhenError as exc:
        return on_error(exc)
    return None


def page_router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter(prefix="/admin", include_in_schema=False)
    pg = _Pages(app, templates)
    _user_pages(r, app, pg)
    _account_state_pages(r, app, pg)
    _unit_pages(r, app, pg)
    _token_pages(r, app, pg)
    _key_pages(r, app, pg)
    _pack_pages(r, app, pg)
    return r


def _user_pages(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.get("", response_class=HTMLResponse)
    def home(user: AdminDep) -> Response:
        return RedirectResponse("/admin/users", status_code=303)

    @r.get("/users", response_class=HTMLResponse)
    def users(request: Request, user: AdminDep, page: PageNo = 1) -> Response:
        return pg.users_page(request, page)

    @r.post("/users")
    async def create(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: access.create_user(
                app, form.value("username").strip(), form.value("password"), form.roles,
                form.value("display_name").strip(), form.value("unit") or None,
                form.value("cert_no").strip() or None, by=user.username,
            ),
            lambda exc: pg.users_page(request, 1, exc, "new-user", form=form.but(password="")),
        )  # fmt: skip
        return failed or _done("users", "created")

    @r.post("/users/{username}/change")
    async def change(request: Request, username: str, user: AdminDep) -> Response:
        form = await _posted(request)

        def both() -> None:
            access.change_user(
                app, username, form.roles, form.value("unit") or None,
                form.value("cert_no").strip() or None, user.username,
            )  # fmt: skip
            access.set_email(app, username, form.value("email"), by=user.username)

        failed = _attempt(
            both,
            lambda exc: pg.users_page(request, 1, exc, "change-user",
                                      change=form.but(username=username)),
        )  # fmt: skip
        return failed or _done("users", "changed")


def _account_state_pages(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.post("/users/{username}/active")
    async def active(request: Request, username: str, user: AdminDep) -> Response:
        form = await _posted(request)
        turn_on = form.value("active") == "1"
        failed = _attempt(
            lambda: set_active(app, user, username, turn_on),
            lambda exc: pg.users_page(request, 1, exc),
        )
        if failed:
            return failed
        return _done("users", "activated" if turn_on else "deactivated")

    @r.post("/users/{username}/unlock")
    async def unlock(request: Request, username: str, user: AdminDep) -> Response:
        await _posted(request)
        access.unlock(app, username, by=user.username)
        return _done("users", "unlocked")

    @r.post("/password")
    async def password(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: access.reset_password(
                app, form.value("username"), form.value("password"), by=user.username
            ),
            lambda exc: pg.users_page(
                request, 1, exc, "reset-password", reset={"username": form.value("username")}
            ),
        )
        return failed or _done("users", "password")


def _unit_pages(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.get("/units", response_class=HTMLResponse)
    def units(request: Request, user: AdminDep) -> Response:
        return pg.units_page(request)

    @r.post("/agencies")
    async def add_agency(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: access.add_agency(
                app, form.value("code").strip(), form.value("name"),
                form.value("region"), recorder(user),
            ),
            lambda exc: pg.units_page(request, exc, "new-agency", agency_form=form),
        )  # fmt: skip
        return failed or _done("units", "agency")

    @r.post("/units")
    async def add_unit(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: access.add_unit(
                app, form.value("code").strip(), form.value("name"),
                form.value("agency"), recorder(user),
            ),
            lambda exc: pg.units_page(request, exc, "new-unit", unit_form=form),
        )  # fmt: skip
        return failed or _done("units", "unit")

    @r.post("/officers")
    async def add_officer(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: access.register_officer(
                app, form.value("cert_no").strip(), form.value("name"),
                form.value("unit"), form.roles, recorder(user),
            ),
            lambda exc: pg.units_page(request, exc, "new-officer", officer_form=form),
        )  # fmt: skip
        return failed or _done("units", "officer")

    @r.post("/officers/{cert_no}")
    async def change_officer(request: Request, cert_no: str, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: access.change_officer(
                app, cert_no, form.value("unit"), form.roles, form.value("active") == "1",
                recorder(user),
            ),
            lambda exc: pg.units_page(request, exc, "change-officer",
                                      change_form=form.but(cert_no=cert_no)),
        )  # fmt: skip
        return failed or _done("units", "officer_changed")


def _token_pages(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.get("/tokens", response_class=HTMLResponse)
    def token_list(request: Request, user: AdminDep) -> Response:
        return pg.tokens_page(request)

    @r.post("/tokens")
    async def new_token(request: Request, user: AdminDep) -> Response:
        """Rendered, not redirected: the token must not travel in a URL or be shown twice."""
        form = await _posted(request)
        try:
            secret = access.create_token(
                app, form.value("name"), form.roles, form.value("unit") or None,
                user.username,
            )  # fmt: skip
        except LiuhenError as exc:
            return pg.tokens_page(request, exc, at="create-token", form=form)
        return pg.tokens_page(request, status=201, created={"name": form.value("name").strip(),
                                                         "token": secret})  # fmt: skip

    @r.post("/tokens/{ident}/revoke")
    async def revoke_token(request: Request, ident: str, user: AdminDep) -> Response:
        await _posted(request)
        failed = _attempt(
            lambda: access.revoke_token(app, ident, user.username),
            lambda exc: pg.tokens_page(request, exc),
        )
        return failed or _done("tokens", "revoked")


def _key_pages(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.get("/keys", response_class=HTMLResponse)
    def key_page(request: Request, user: AdminDep) -> Response:
        return pg.keys_page(request)

    @r.post("/keys/ca")
    async def init_ca(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        name = form.value("name").strip()
        failed = _attempt(
            lambda: signing.init_ca(app, name, recorder(user)) if name else _no_ca_name(),
            lambda exc: pg.keys_page(request, exc, "init-ca", ca_form=form),
        )
        return failed or _done("keys", "ca")

    @r.post("/keys")
    async def issue(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: signing.issue(app, form.value("cert_no").strip(), recorder(user)),
            lambda exc: pg.keys_page(request, exc, "issue", issue_form=form),
        )
        return failed or _done("keys", "issued")

    @r.post("/keys/seal")
    async def issue_seal(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        failed = _attempt(
            lambda: signing.issue_seal(app, form.value("agency").strip(), recorder(user)),
            lambda exc: pg.keys_page(request, exc, "seal", seal_form=form),
        )
        return failed or _done("keys", "sealed")


def _pack_pages(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.get("/packs", response_class=HTMLResponse)
    def pack_page(request: Request, user: AdminDep) -> Response:
        return pg.packs_page(request)

    @r.post("/packs")
    async def pack(request: Request, user: AdminDep) -> Response:
        form = await _posted(request)
        body = PackChange(pack=form.value("pack"), reason=form.value("reason"),
                          agency=form.value("agency") or None)  # fmt: skip
        failed = _attempt(
            lambda: change_pack(app, user, body),
            lambda exc: pg.packs_page(request, exc, "change-pack", form=form),
        )
        return failed or _done("packs", "pack")


DETAIL_LABELS = {
    "name": "名称", "roles": "角色", "unit": "机构", "cert_no": "执法证号", "before": "变更前",
    "after": "变更后", "failures": "连续失败", "locked_until": "锁定至",
}  # fmt: skip


def describe(details: JsonObject) -> str:
    """An event's details in Chinese for the page (the API keeps the structured form)."""

    def show(key: str, value: Any) -> str:
        if isinstance(value, dict):
            return "，".join(show(k, v) for k, v in value.items() if v)
        if key == "roles":
            value = "、".join(ROLE_NAMES.get(r, r) for r in value)
        elif key == "locked_until":
            value = str(value)[:16].replace("T", " ")
        return f"{DETAIL_LABELS.get(key, key)}：{value}"

    return "；".join(
        f"{DETAIL_LABELS.get(k, k)}（{show(k, v)}）" if isinstance(v, dict) else show(k, v)
        for k, v in details.items()
        if v
    )


def _page_no(text: str) -> int:
    """A page number from the query string; anything odd is the first page."""
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_PAGE else 1


def _account(app: App, username: str) -> Posted:
    """What the change form starts from; an unknown name leaves it empty."""
    try:
        found = access.get_user(app, username)
    except LiuhenError:
        return Posted({})
    return Posted(
        {
            "username": found.username,
            "unit": found.unit or "",
            "cert_no": found.cert_no or "",
            "email": access.email_of(app, found.username) or "",
        },
        sorted(found.roles),
    )


def _officer(found: access.OfficerRow) -> Posted:
    """What the officer's change form starts from: the officer as registered."""
    text = {"cert_no": found.cert_no, "name": found.name, "unit": found.unit}
    return Posted({**text, "active": "1" if found.active else ""}, list(found.roles))


def _no_ca_name() -> None:
    raise ValidationError("请填写根证书的机构名称", [Problem("机构名称不能为空", "name")])
