"""The search page (``/search``) and ``GET /api/v1/search``: read the query, call
``search.service.search`` once, render. Any signed-in person may search; what he finds is
narrowed to what he may read by the service, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App
from liuhen.search import service
from liuhen.search.schemas import SearchPage

SignedIn = Annotated[User, Depends(guard.signed_in())]
Q_HELP = (
    "搜索词（1–100 个字）：按中文词语切分，每个词都须出现；"
    "可搜案由、案件编号、当事人姓名或证件号码、文书内容、执法记录、合规检查发现"
)
KIND_HELP = (
    "只列出一类结果：case（案件信息）、document（执法文书）、act（执法行为记录）、"
    "finding（合规检查发现）"
)


def router(app: App, templates: Jinja2Templates, sources: Sequence[service.Source]) -> APIRouter:
    r = APIRouter()

    @r.get("/api/v1/search", tags=["搜索"], summary="全文搜索（分页，按相关程度排序）",
           response_model=SearchPage)  # fmt: skip
    def api_search(
        user: SignedIn,
        q: Annotated[str, Query(description=Q_HELP, max_length=1000)] = "",
        kind: Annotated[str | None, Query(description=KIND_HELP, max_length=40)] = None,
        page: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = service.PER_PAGE,
    ) -> SearchPage:
        return service.search(app, user, q, sources, kind=kind, page=page, per_page=per_page)

    @r.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def page_search(
        request: Request,
        user: SignedIn,
        q: Annotated[str, Query(max_length=1000)] = "",
        kind: Annotated[str | None, Query(max_length=40)] = None,
        page: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 1,
    ) -> Response:
        error: LiuhenError | None = None
        result: SearchPage | None = None
        if q.strip() or kind:
            try:
                result = service.search(app, user, q, sources, kind=kind or None, page=page)
            except LiuhenError as exc:
                error = exc
        pages = max(1, -(-result.total // result.per_page)) if result else 1
        if result and result.total_capped:  # the count stopped: pages as far as results go
            pages = result.page + 1 if result.has_more else result.page

        def link(**changes: object) -> str:
            params = {"q": q, "kind": kind or "", "page": ""} | {
                k: str(v) for k, v in changes.items() if v is not None
            }
            return "/search?" + urlencode({k: v for k, v in params.items() if v})

        return templates.TemplateResponse(
            request, "search.html",
            {"q": q[: service.MAX_QUERY], "kind": kind or "", "result": result, "error": error,
             "pages": pages, "link": link, "labels": service.kind_labels(sources)},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    return r
