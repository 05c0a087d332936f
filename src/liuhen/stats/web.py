"""Statistics: the /stats page with its charts, the cases behind a figure, the Excel report and
the same figures as JSON under /api/v1/stats. Heads and legal reviewers (their agency) and
supervisors (every agency); officers are refused."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import OVERVIEW, User
from liuhen.accounts import guard
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.stats import service as stats
from liuhen.stats.figures import Filters
from liuhen.stats.schemas import CasesBehind, StatsReport
from liuhen.stats.score import INDICATORS

Reader = Annotated[
    User, Depends(guard.role(OVERVIEW, "执法统计仅限负责人、法制审核人员和监督人员查看"))
]
Head = Annotated[User, Depends(guard.role({Role.HEAD}, "只有负责人可以设置本机关的评议考核权重"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PeriodQ = Annotated[
    str | None,
    Query(description="统计期间：2026-11-05、2026-11、2026-Q4、2026 或 2026-01-01..2026-03-31"),
]
TextQ = Annotated[str | None, Query(max_length=100)]


def _filters(agency: str | None, unit: str | None, officer: str | None, act: str | None) -> Filters:
    return Filters(
        agency=agency or None, unit=unit or None, officer=officer or None, act=act or None
    )


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()

    @r.get("/api/v1/stats", summary="执法统计（按期间、机关、机构、人员、事项）",
           response_model=StatsReport, tags=["统计"])  # fmt: skip
    def api_stats(
        user: Reader, period: PeriodQ = None, agency: TextQ = None, unit: TextQ = None,
        officer: TextQ = None, act: TextQ = None,
    ) -> StatsReport:  # fmt: skip
        return stats.report(app, user, period, _filters(agency, unit, officer, act))

    @r.get("/api/v1/stats/cases", summary="某一统计数字背后的案件", response_model=CasesBehind,
           tags=["统计"])  # fmt: skip
    def api_cases(
        user: Reader, metric: Annotated[str, Query(max_length=40)],
        key: Annotated[str, Query(max_length=200)] = "", period: PeriodQ = None,
        agency: TextQ = None, unit: TextQ = None, officer: TextQ = None, act: TextQ = None,
    ) -> CasesBehind:  # fmt: skip
        return stats.cases_behind(
            app, user, period, _filters(agency, unit, officer, act), metric, key
        )

    @r.get("/stats", response_class=HTMLResponse, include_in_schema=False)
    def page(
        request: Request, user: Reader, period: PeriodQ = None, agency: TextQ = None,
        unit: TextQ = None, officer: TextQ = None, act: TextQ = None,
    ) -> Response:  # fmt: skip
        filters = _filters(agency, unit, officer, act)
        report = stats.report(app, user, period, filters)
        query = request.url.query
        return templates.TemplateResponse(
            request, "stats.html",
            {"report": report, "data": report.model_dump(mode="json"), "query": query,
             "may_set_weights": Role.HEAD in user.roles and bool(user.agency),
             "quick": stats.quick_periods(app),
             "xlsx": "/stats.xlsx" + (f"?{query}" if query else "")},
        )  # fmt: skip

    @r.get("/stats/cases", response_class=HTMLResponse, include_in_schema=False)
    def cases_page(
        request: Request, user: Reader, metric: Annotated[str, Query(max_length=40)],
        key: Annotated[str, Query(max_length=200)] = "", period: PeriodQ = None,
        agency: TextQ = None, unit: TextQ = None, officer: TextQ = None, act: TextQ = None,
    ) -> Response:  # fmt: skip
        found = stats.cases_behind(
            app, user, period, _filters(agency, unit, officer, act), metric, key
        )
        back = "/stats?" + "&".join(
            f"{k}={quote(v)}" for k, v in (("period", period), ("agency", agency), ("unit", unit),
                                           ("officer", officer), ("act", act)) if v
        )  # fmt: skip
        return templates.TemplateResponse(
            request, "stats_cases.html", {"found": found, "back": back}
        )

    @r.post("/stats/weights", include_in_schema=False)
    async def set_weights(request: Request, user: Head) -> Response:
        form = await guard.posted_form(request)
        values = {
            k: str(form.get(f"weight_{k}", "")) for k in INDICATORS if form.get(f"weight_{k}")
        }
        period = str(form.get("period") or "")
        stats.set_weights(app, user.agency or "", values, user.actor)
        return RedirectResponse(
            "/stats?" + urlencode({"period": period} if period else {}) + "#score", status_code=303
        )

    @r.get("/stats.xlsx", include_in_schema=False)
    def workbook(
        user: Reader, period: PeriodQ = None, agency: TextQ = None, unit: TextQ = None,
        officer: TextQ = None, act: TextQ = None,
    ) -> Response:  # fmt: skip
        name, data = stats.xlsx(app, user, period, _filters(agency, unit, officer, act))
        disposition = f"attachment; filename=\"stats.xlsx\"; filename*=UTF-8''{quote(name)}"
        return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})

    return r
