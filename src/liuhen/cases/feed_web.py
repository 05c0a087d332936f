"""实时调阅: the live feed page, its new rows, one act opened in place, and the feed as JSON.

The page draws the newest acts; a small script asks ``/review/live/rows?after=N`` every few
seconds for what was journaled since and puts it on top, so a supervisor watching the page sees
acts as they are recorded without reloading (and without a connection held open per reader).
Opening an act calls ``/cases/{number}/acts/{seq}``, guarded like the case page and journaled
as a viewing of the case.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import OVERVIEW, User
from liuhen.accounts import guard
from liuhen.cases import feed, workflow
from liuhen.cases import service as cases
from liuhen.cases.summaries import Judge
from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import ACT_TYPES, CASE_STAGES
from liuhen.rules.findings import SEVERITY_LABELS

Overseer = Annotated[
    User, Depends(guard.role(OVERVIEW, "实时调阅供司法局监督人员、负责人和法制审核人员使用"))
]
SeeCase = Annotated[User, Depends(guard.see_case())]
FILTERS = ("unit", "officer", "act", "finding")


def _act_choices() -> dict[str, str]:
    return {a.code: a.label for a in ACT_TYPES if a.stage in CASE_STAGES}


def router(app: App, templates: Jinja2Templates, judge: Judge, evaluate: workflow.Evaluate
           ) -> APIRouter:  # fmt: skip
    r = APIRouter()

    def read(request: Request, user: User) -> tuple[feed.FeedQuery, dict[str, str]]:
        units = cases.unit_choices(app, user)
        raw = {k: request.query_params.get(k) for k in FILTERS}
        return feed.read_query(raw, units), units

    @r.get("/review/live", response_class=HTMLResponse, include_in_schema=False)
    def page_live(
        request: Request, user: Overseer, before: Annotated[int | None, Query(ge=1)] = None
    ) -> Response:
        error: LiuhenError | None = None
        units = cases.unit_choices(app, user)
        try:
            query, units = read(request, user)
            result = feed.feed(app, user, query, judge, before=before)
        except LiuhenError as exc:  # the form keeps what was chosen, the problem beside it
            error, query = exc, feed.FeedQuery()
            result = feed.FeedPage(items=[], newest=0, older=None)
        raw = {k: request.query_params.get(k) or "" for k in FILTERS}
        return templates.TemplateResponse(request, "live_feed.html", {
            "result": result, "query": query, "raw": raw, "units": units, "error": error,
            "acts": _act_choices(), "findings": feed.FINDING_CHOICES, "paged": before is not None,
            "severity_labels": SEVERITY_LABELS,
        }, status_code=error.http_status if error else 200)  # fmt: skip

    @r.get("/review/live/rows", response_class=HTMLResponse, include_in_schema=False)
    def live_rows(
        request: Request, user: Overseer, after: Annotated[int, Query(ge=0)] = 0
    ) -> Response:
        query, _units = read(request, user)
        result = feed.feed(app, user, query, judge, after=after)
        return templates.TemplateResponse(
            request, "live_rows.html", {"result": result, "severity_labels": SEVERITY_LABELS},
            headers={"X-Feed-Newest": str(result.newest)},
        )  # fmt: skip

    @r.get("/api/v1/feed", summary="实时调阅：监督范围内新记录的执法事项（由新到旧）",
           response_model=feed.FeedPage, tags=["监督"])  # fmt: skip
    def api_feed(
        request: Request,
        user: Overseer,
        after: Annotated[int | None, Query(ge=0)] = None,
        before: Annotated[int | None, Query(ge=1)] = None,
    ) -> feed.FeedPage:
        query, _units = read(request, user)
        return feed.feed(app, user, query, judge, after=after, before=before)

    @r.get("/cases/{number}/acts/{seq}", response_class=HTMLResponse, include_in_schema=False)
    def act_in_place(request: Request, number: str, seq: int, user: SeeCase) -> Response:
        view, act = workflow.act_in_place(app, user, number, seq, evaluate)
        context = view.context() | {"a": act, "seq": seq}
        return templates.TemplateResponse(request, "case_act.html", context)

    return r
