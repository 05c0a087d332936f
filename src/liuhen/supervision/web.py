"""The supervisors' anomaly pages (/anomalies, /anomalies/{key}) and the same under
/api/v1/anomalies. Supervisors see every agency's; a head sees his own agency's and may conclude
on them too; everyone else is refused. The list is caught up with the journal before it is read
(``service.catch_up``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.supervision import service
from liuhen.supervision.detectors.model import SEVERITY_LABELS, Severity
from liuhen.supervision.detectors.run import KINDS
from liuhen.supervision.schemas import AnomalyDetail, AnomalyPage

READERS = frozenset({Role.SUPERVISOR, Role.HEAD})
Reader = Annotated[User, Depends(guard.role(READERS, "执法记录异常仅限监督人员和负责人查看、核查"))]
TextQ = Annotated[str | None, Query(max_length=100)]
KeyQ = Annotated[str, Query(max_length=64)]


def _agency(user: User) -> str | None:
    """The agency a reader is limited to: a supervisor (司法局) none, a head his own."""
    return None if Role.SUPERVISOR in user.roles else (user.agency or "")


def _segments(text: str, ranges: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, shared) for highlighting the shared passages."""
    out, at = [], 0
    for start, end in sorted(ranges):
        if start > at:
            out.append((text[at:start], False))
        if end > max(start, at):
            out.append((text[max(start, at) : end], True))
        at = max(at, end)
    if at < len(text):
        out.append((text[at:], False))
    return out


def _copy_view(detail: dict[str, Any]) -> dict[str, Any] | None:
    if "passages" not in detail:
        return None
    passages = detail["passages"]
    sides = []
    for side in ("a", "b"):
        ranges = [(p[f"{side}_start"], p[f"{side}_end"]) for p in passages]
        sides.append({**detail[side], "segments": _segments(detail[side]["text"], ranges)})
    return {"similarity": detail.get("similarity"), "sides": sides, "count": len(passages)}


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()

    def listing(user: User, kind: str | None, severity: str | None, unit: str | None,
                reviewed: str | None, page: int) -> AnomalyPage:  # fmt: skip
        service.catch_up(app)
        done = {"yes": True, "no": False}.get(reviewed or "")
        return service.list_anomalies(
            app, kind=kind or None, severity=severity or None, unit=unit or None,
            agency=_agency(user), reviewed=done, page=page,
        )  # fmt: skip

    @r.get("/api/v1/anomalies", summary="执法记录异常列表", response_model=AnomalyPage,
           tags=["监督"])  # fmt: skip
    def api_list(
        user: Reader, kind: TextQ = None, severity: TextQ = None, unit: TextQ = None,
        reviewed: TextQ = None, page: Annotated[int, Query(ge=1, le=100000)] = 1,
    ) -> AnomalyPage:  # fmt: skip
        return listing(user, kind, severity, unit, reviewed, page)

    @r.get("/api/v1/anomalies/{key}", summary="一项执法记录异常", response_model=AnomalyDetail,
           tags=["监督"])  # fmt: skip
    def api_one(user: Reader, key: str) -> AnomalyDetail:
        return service.get_anomaly(app, key, _agency(user))

    @r.get("/anomalies", response_class=HTMLResponse, include_in_schema=False)
    def page(
        request: Request, user: Reader, kind: TextQ = None, severity: TextQ = None,
        unit: TextQ = None, reviewed: TextQ = None,
        page: Annotated[int, Query(ge=1, le=100000)] = 1,
    ) -> Response:  # fmt: skip
        found = listing(user, kind, severity, unit, reviewed, page)
        filters = {"kind": kind, "severity": severity, "unit": unit, "reviewed": reviewed}
        query = {k: v for k, v in filters.items() if v}
        return templates.TemplateResponse(request, "anomalies.html", {
            "found": found, "filters": filters, "kinds": KINDS,
            "severities": [(s.value, SEVERITY_LABELS[s]) for s in Severity],
            "page_url": lambda n: "/anomalies?" + urlencode({**query, "page": n}),
        })  # fmt: skip

    def one(request: Request, user: Reader, key: str, error: LiuhenError | None = None,
            form: dict[str, str] | None = None) -> Response:  # fmt: skip
        detail = service.get_anomaly(app, key, _agency(user))
        links = [(ref, f"/cases/{quote(ref.case, safe='')}#seq-{ref.seq}") for ref in detail.refs]
        return templates.TemplateResponse(request, "anomaly.html", {
            "a": detail, "links": links, "copy": _copy_view(detail.detail), "error": error,
            "form": form or {}, "conclusions": service.CONCLUSIONS,
        }, status_code=400 if error else 200)  # fmt: skip

    @r.get("/anomalies/{key}", response_class=HTMLResponse, include_in_schema=False)
    def anomaly_page(request: Request, user: Reader, key: str) -> Response:
        return one(request, user, key)

    @r.post("/anomalies/{key}/review", include_in_schema=False)
    async def review(request: Request, user: Reader, key: str) -> Response:
        form = await guard.posted_form(request)
        try:
            service.review(app, key, form.get("conclusion", ""), form.get("opinion", ""),
                           user.actor, _agency(user))  # fmt: skip
        except LiuhenError as exc:
            if exc.http_status == 404:
                raise
            return one(request, user, key, exc, form)
        return RedirectResponse(f"/anomalies/{quote(key, safe='')}", status_code=303)

    return r
