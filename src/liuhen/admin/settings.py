"""An agency's settings (编号与救济): the page under ``/admin/settings`` and the API under
``/api/v1/admin/agencies/{code}/settings``. Each change is a new journal entry
(``registry.agency_settings``); numbers already issued stay as they were."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from liuhen.accounts import guard
from liuhen.accounts import service as access
from liuhen.admin import schemas
from liuhen.admin.common import AdminDep, recorder
from liuhen.errors import LiuhenError, NotFoundError, Problem, ValidationError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import DOCUMENT_TYPES
from liuhen.procedure.numbering import DEFAULT_CASE_PATTERN
from liuhen.web.field_errors import FieldErrors


class SettingsBody(BaseModel):
    """The agency's settings as a whole: what is left out takes its default."""

    short_name: str
    case_pattern: str = DEFAULT_CASE_PATTERN
    document_patterns: dict[str, str] = Field(default={}, description="文书种类 → 文号规则")
    review_body: str | None = None
    court: str | None = None
    act_types: list[str] = Field(default=[], description="可记录的事项；空为默认（全部）")
    numbers_used: dict[str, int] = Field(default={}, description="种类/年度 → 启用前已用的最大号")
    warning_days: int | None = Field(
        default=None, description="期限到期前多少个工作日亮黄牌预警（1–30）；不给出为不变"
    )


def view(app: App, code: str) -> schemas.AgencySettingsView:
    found = access.agency_settings(app, code)
    return schemas.AgencySettingsView.model_validate(
        {**asdict(found), "act_types": list(found.act_types)}
    )


def change(app: App, code: str, body: SettingsBody, by: dict[str, str]) -> int:
    given = body.model_dump(exclude={"warning_days"})
    if body.warning_days is not None:  # left out: the window in force stays
        given["warning_days"] = body.warning_days
    wanted = access.SettingsChange(**given)
    return access.change_agency_settings(app, code, wanted, by).seq


def api_router(app: App) -> APIRouter:
    r = APIRouter(prefix="/api/v1/admin", tags=["系统管理"])

    @r.get("/agencies/{code}/settings", response_model=schemas.AgencySettingsView,
           summary="机关的编号与救济设置")  # fmt: skip
    def settings(code: str, user: AdminDep) -> schemas.AgencySettingsView:
        return view(app, code)

    @r.post("/agencies/{code}/settings", response_model=schemas.AgencySettingsChanged,
            summary="变更机关的编号与救济设置（记入日志）")  # fmt: skip
    def settings_change(
        code: str, body: SettingsBody, user: AdminDep
    ) -> schemas.AgencySettingsChanged:
        return schemas.AgencySettingsChanged(seq=change(app, code, body, recorder(user)),
                                             agency=code)  # fmt: skip

    return r


def _typed(form: dict[str, Any], acts: list[str]) -> SettingsBody:
    """The settings a page form states; unreadable 已用号 lines are refused, each named."""
    used: dict[str, int] = {}
    problems: list[Problem] = []
    for line in str(form.get("numbers_used", "")).splitlines():
        key, _, n = line.strip().partition("=")
        if not line.strip():
            continue
        if not n.strip().isdigit():
            problems.append(Problem(f"“{line.strip()}”应为 种类/年度=号，如 case/2026=35",
                                    "numbers_used"))  # fmt: skip
            continue
        used[key.strip()] = int(n)
    if problems:
        raise ValidationError(f"机关设置有 {len(problems)} 处问题，未保存", problems)
    return SettingsBody(
        short_name=str(form.get("short_name", "")),
        case_pattern=str(form.get("case_pattern", "")),
        document_patterns={c: str(form.get(f"doc_{c}", "")) for c in DOCUMENT_TYPES},
        review_body=str(form.get("review_body", "")) or None,
        court=str(form.get("court", "")) or None,
        act_types=acts,
        numbers_used=used,
        warning_days=_days(form.get("warning_days")),
    )


def _days(text: Any) -> int | None:
    """The warning window typed: a whole number (checked by the settings), else refused."""
    text = str(text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError("期限预警的工作日数应为整数", [Problem("应为整数", "warning_days")])
    return int(text)


def _as_form(found: access.AgencySettings) -> dict[str, Any]:
    """What the form starts from: the settings in force."""
    return {
        "short_name": found.short_name, "case_pattern": found.case_pattern,
        **{f"doc_{c}": p for c, p in found.document_patterns.items()},
        "review_body": found.review_body or "", "court": found.court or "",
        "numbers_used": "\n".join(f"{k}={n}" for k, n in sorted(found.numbers_used.items())),
        "act_types": list(found.act_types), "warning_days": found.warning_days,
    }  # fmt: skip


# the form's inputs (ids) in page order, where a refusal's problems are shown ("doc.<type>" is
# input "doc_<type>"); a problem of no input (机关 unknown) stays at the top
INPUTS = [
    "short_name", "case_pattern", "review_body", "court", "warning_days",
    *(f"doc_{c}" for c in DOCUMENT_TYPES), "numbers_used", "act_types",
]  # fmt: skip


def page_router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter(prefix="/admin", include_in_schema=False)

    def page(
        request: Request, code: str, form: dict[str, Any] | None = None,
        error: LiuhenError | None = None,
    ) -> Response:  # fmt: skip
        agencies = access.listing(app).agencies
        if not code and agencies:
            code = agencies[0].code
        found = access.agency_settings(app, code) if code else None
        done = request.query_params.get("done") == "1" and error is None
        return templates.TemplateResponse(
            request, "admin_settings.html",
            {"agencies": agencies, "code": code, "found": found, "error": error,
             "errors": FieldErrors(error, INPUTS),
             "done": "机关设置已保存（已记入日志）" if done else None,
             "form": form if form is not None else (_as_form(found) if found else {}),
             "documents": DOCUMENT_TYPES, "acts": access.recordable_acts(),
             "next": access.next_numbers(app, code, app.clock.now().year) if found else {}},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    @r.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, user: AdminDep, agency: str = "") -> Response:
        return page(request, agency)

    @r.post("/settings")
    async def settings_submit(request: Request, user: AdminDep, agency: str = "") -> Response:
        data = await request.form()
        guard.check_form(request, str(data.get("csrf", "")))
        form: dict[str, Any] = {k: str(v) for k, v in data.items() if k != "act_types"}
        acts = [str(a) for a in data.getlist("act_types")]
        form["act_types"] = acts
        try:
            if not agency:
                raise NotFoundError("请先选择机关")
            change(app, agency, _typed(form, acts), recorder(user))
        except LiuhenError as exc:
            return page(request, agency, form, exc)
        return RedirectResponse(f"/admin/settings?agency={agency}&done=1", status_code=303)

    return r
