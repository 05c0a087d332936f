"""Pages for the record after the case: retention, holds and disposal; parties' copies.

Archivists and heads do this work in the browser as the CLI does it, through the same services,
so the same rules hold: holds by a head or archivist, releases and disposal approvals by a head,
disposal by an archivist, copies only after the head's approval. Supervisors and legal
reviewers may look. Every refusal re-renders the page with the Chinese reason and what was typed.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import RETENTION_READERS, User, can_view_case
from liuhen.accounts import guard
from liuhen.accounts.service import Forbidden, case_header, unit_agency
from liuhen.archive import retention
from liuhen.archive.schemas import RetentionPage
from liuhen.disclosure import service as disclosure
from liuhen.disclosure.schemas import DisclosureRequest
from liuhen.errors import LiuhenError, Problem, ValidationError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role

LOOKERS = RETENTION_READERS
KEEPERS = frozenset({Role.ARCHIVIST, Role.HEAD})  # the retention service checks which of them acts
DONE = {
    "hold": "已记录保全，期间不得销毁",
    "release": "已解除保全",
    "approve": "已记录销毁审批",
    "dispose": "已销毁：销毁记录已记入日志，文件已从存储中删除",
}


SignedIn = Annotated[User, Depends(guard.signed_in())]
Looker = Annotated[
    User,
    Depends(guard.role(LOOKERS, "保管期限页面仅限档案管理人员、负责人、法制审核和监督人员")),
]
Keeper = Annotated[
    User, Depends(guard.role(KEEPERS, "保全、销毁审批与销毁仅限负责人和档案管理人员办理"))
]
Deliverer = Annotated[User, Depends(guard.record_case("case"))]


def _cert(user: User) -> str:
    if not user.cert_no:
        raise Forbidden("此项办理须以本人执法证号进行，当前账户未关联执法证号")
    return user.cert_no


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()
    _retention_routes(r, app, templates)
    _request_routes(r, app, templates)
    return r


def _visible(app: App, user: User, case: str) -> None:
    header = case_header(app, case)
    if not can_view_case(user, header, unit_agency(app, header["unit"])):
        raise Forbidden("无权查看该案件")


def _retention_page(
    app: App, templates: Jinja2Templates, request: Request, user: User, page: int, due: bool,
    error: LiuhenError | None = None, form: dict[str, str] | None = None, done: str = "",
) -> Response:  # fmt: skip
    scope = guard.case_scope(app, user)
    result = retention.list_retention(app, page=page, per_page=50, due=due, scope=scope)
    return templates.TemplateResponse(
        request, "retention.html",
        {"result": result, "due": due, "error": error, "form": form or {},
         "done": DONE.get(done, ""), "can_hold": bool(user.roles & KEEPERS),
         "is_head": Role.HEAD in user.roles, "is_archivist": Role.ARCHIVIST in user.roles},
        status_code=error.http_status if error else 200,
    )  # fmt: skip


def _retention_action(app: App, user: User, case: str, action: str, form: dict[str, str]) -> None:
    """One hold, release, disposal approval or disposal, as the retention service rules it."""
    _visible(app, user, case)
    by = _cert(user)
    if action == "hold":
        retention.hold(app, case, form.get("ground", ""), form.get("reason", ""), by,
                       _digests(form) or None)  # fmt: skip
    elif action == "release":
        retention.release(app, case, _int(form, "hold"), form.get("reason", ""), by)
    elif action == "approve":
        retention.approve(
            app, case, _digests(form), form.get("reason", ""), by,
            form.get("decision", "同意"), form.get("opinion") or None,
        )  # fmt: skip
    elif action == "dispose":
        retention.dispose(app, case, _int(form, "approval"), by)
    else:
        raise Forbidden(f"未知的操作：{action}")


def _retention_routes(r: APIRouter, app: App, templates: Jinja2Templates) -> None:
    @r.get("/retention", response_class=HTMLResponse, include_in_schema=False)
    def retention_list(
        request: Request, user: Looker,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1, due: bool = False, done: str = "",
    ) -> Response:  # fmt: skip
        return _retention_page(app, templates, request, user, page, due, done=done)

    @r.post("/retention", include_in_schema=False)
    async def retention_act(request: Request, user: Keeper) -> Response:
        form = await guard.posted_form(request)
        case, action = form.get("case", "").strip(), form.get("action", "")
        try:
            _retention_action(app, user, case, action, form)
        except LiuhenError as exc:
            return _retention_page(app, templates, request, user, 1, False, exc, form)
        return RedirectResponse(f"/retention?done={action}", status_code=303)

    @r.get(
        "/api/v1/retention",
        tags=["归档与保管"],
        response_model=RetentionPage,
        summary="已归档案件的保管期限、保全与到期（分页）",
    )
    def api_retention(
        user: Looker,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=200)] = 50,
        due: bool = False,
    ) -> RetentionPage:
        scope = guard.case_scope(app, user)
        return retention.list_retention(app, page=page, per_page=per_page, due=due, scope=scope)


def _requests_page(
    app: App, templates: Jinja2Templates, request: Request, user: User,
    error: LiuhenError | None = None,
) -> Response:  # fmt: skip
    found = disclosure.requests(app, scope=guard.case_scope(app, user))
    return templates.TemplateResponse(
        request, "requests.html",
        {"requests": found, "error": error, "is_head": Role.HEAD in user.roles},
        status_code=error.http_status if error else 200,
    )  # fmt: skip


def _request_routes(r: APIRouter, app: App, templates: Jinja2Templates) -> None:
    @r.get("/requests", response_class=HTMLResponse, include_in_schema=False)
    def requests_list(request: Request, user: SignedIn) -> Response:
        return _requests_page(app, templates, request, user)

    @r.post("/requests/{case}/{seq}/deliver", include_in_schema=False)
    async def deliver(request: Request, case: str, seq: int, user: Deliverer) -> Response:
        """The approved copies, watermarked, as one ZIP; the handing over is journaled."""
        await guard.posted_form(request)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                done = disclosure.deliver(app, case, seq, Path(tmp) / "copies", by=_cert(user))
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                    for f in sorted(done.folder.iterdir()):
                        z.write(f, f.name)
        except LiuhenError as exc:
            return _requests_page(app, templates, request, user, exc)
        name = quote(f"{case}-申请{seq}-复制件.zip")
        return Response(
            buf.getvalue(), media_type="application/zip",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )  # fmt: skip

    @r.get(
        "/api/v1/requests",
        tags=["查阅复制"],
        response_model=list[DisclosureRequest],
        response_model_exclude_unset=True,
        summary="查阅、复制申请及其审批和提供情况",
    )
    def api_requests(user: SignedIn, case: str | None = None, pending: bool = False) -> Any:
        if case:
            _visible(app, user, case)  # an unknown case answers 404, another unit's 403
        return disclosure.requests(app, case, pending, scope=guard.case_scope(app, user))


def _digests(form: dict[str, str]) -> list[str]:
    return [d.strip() for d in form.get("digests", "").split() if d.strip()]


def _int(form: dict[str, str], key: str) -> int:
    text = form.get(key, "").strip()
    if not text.isdigit():
        raise ValidationError("应填写记录序号（正整数）", [Problem("应为正整数", key)])
    return int(text)
