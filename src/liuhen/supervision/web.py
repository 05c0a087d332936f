"""The supervisors' anomaly pages (/anomalies, /anomalies/{key}) and the same under
/api/v1/anomalies. Supervisors see every agency's; a head sees his own agency's and may conclude
on them too; everyone else is refused. The list is caught up with the journal before it is read
(``service.catch_up``).

``/anomalies/thresholds``: an agency's detection thresholds, each with what it means, its value
and default, changed by the agency's head (his own agency) or the administrator (any agency),
as the agency's other settings are (warning days: the administrator; evaluation weights: the
head); a change is journaled (``registry.supervision_settings``) with him as its author."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts import service as accounts
from liuhen.errors import LiuhenError, NotFoundError, Problem, ValidationError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.supervision import service
from liuhen.supervision.detectors.model import SEVERITY_LABELS, Severity
from liuhen.supervision.detectors.run import KINDS
from liuhen.supervision.detectors.thresholds import Thresholds
from liuhen.supervision.schemas import AnomalyDetail, AnomalyPage
from liuhen.web.field_errors import FieldErrors

READERS = frozenset({Role.SUPERVISOR, Role.HEAD})
Reader = Annotated[User, Depends(guard.role(READERS, "执法记录异常仅限监督人员和负责人查看、核查"))]
TextQ = Annotated[str | None, Query(max_length=100)]
KeyQ = Annotated[str, Query(max_length=64)]
SETTERS = frozenset({Role.HEAD, Role.ADMIN})
Setter = Annotated[
    User, Depends(guard.role(SETTERS, "异常监测阈值仅限本机关负责人和系统管理员查看、设置"))
]
# what each threshold decides, for the head who sets it (the label says what it measures)
MEANINGS: dict[str, str] = {
    "overlap_minutes": "同一执法人员在两件案件中的事项时间重叠达到此时长，"
    "视为“一人同时在两处执法”。",
    "max_speed_kmh": "同一执法人员前后两个事项的地点之间，所需速度超过此值即视为不可能赶到。",
    "av_tolerance_minutes": "事项记载的起止时间中，执法记录仪音像未覆盖的部分超过此时长即提示。",
    "point_av_minutes": "送达等时点事项之后才开始的音像，晚于事项超过此时长即提示。",
    "lag_median_hours": "某人员或机构的记录时间晚于事项发生时间的中位数超过此值，提示普遍补录。",
    "lag_min_entries": "人员或机构的记录少于此数时不计算补录中位数，避免少量记录误判。",
    "session_gap_minutes": "前后两条记录的录入时间间隔不超过此值，视为同一次集中录入。",
    "session_min_entries": "一次集中录入的记录达到此数，才可能判为集中补录。",
    "session_lag_hours": "集中录入中每条记录都晚于事项发生此时长以上，才判为补录。",
    "session_span_hours": "集中录入所记的事项跨越此时长以上，才判为集中补录。",
    "copy_similarity": "两份笔录的相似度（四词组的重合比例）达到此值即视为雷同；越小越严。",
    "copy_min_tokens": "短于此词数的笔录不参与雷同比对（短笔录难免相似）。",
    "copy_passage_tokens": "两份笔录相同的连续文字达到此词数，才在对照页中标出。",
}


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


def _kind(name: str) -> type:
    return type(getattr(Thresholds(), name))


def _shown(name: str, value: float) -> str:
    """A value as the form shows it: a whole number without ``.0``."""
    return str(int(value)) if _kind(name) is int else f"{value:g}"


def _typed(form: dict[str, str], settings: list[Any]) -> dict[str, str]:
    """The thresholds the form changes (typed unlike the value in force), each checked: a
    whole number above zero, a similarity above 0 and at most 1; else refused, per input."""
    changed: dict[str, str] = {}
    problems: list[Problem] = []
    for s in settings:
        text = form.get(f"t_{s.name}", "").strip()
        field = f"t_{s.name}"
        if not text:
            problems.append(Problem(f"请填写“{s.label}”", field, kind="required"))
            continue
        try:
            value = _kind(s.name)(text)
        except ValueError:
            value = None
        if _kind(s.name) is float:
            if value is None or not 0 < value <= 1:
                problems.append(Problem(f"“{s.label}”应为大于 0、不超过 1 的小数，如 0.6",
                                        field, kind="range"))  # fmt: skip
                continue
        elif value is None or value <= 0:
            problems.append(Problem(f"“{s.label}”应为大于 0 的整数", field, kind="range"))
            continue
        if value != s.value:
            changed[s.name] = text
    if problems:
        raise ValidationError(f"异常监测阈值有 {len(problems)} 处需要修改，未保存", problems)
    return changed


def thresholds_router(app: App, templates: Jinja2Templates) -> APIRouter:
    """``/anomalies/thresholds``: included first, before ``/anomalies/{key}`` would take it."""
    r = APIRouter()

    def agency_of(user: User, asked: str) -> tuple[str, list[Any]]:
        """The agency whose thresholds are shown: a head's own, the administrator's choice
        (the first registered when none is asked); and the agencies he may choose from."""
        if Role.ADMIN not in user.roles:
            if not user.agency:
                raise NotFoundError("您的账户未归属任何机关，无法设置异常监测阈值")
            return user.agency, []
        agencies = list(accounts.listing(app).agencies)
        if asked and asked not in {a.code for a in agencies}:
            raise NotFoundError(f"机关“{asked[:40]}”未登记")
        return asked or (agencies[0].code if agencies else ""), agencies

    def thresholds_page(
        request: Request, user: User, asked: str, form: dict[str, str] | None = None,
        error: LiuhenError | None = None,
    ) -> Response:  # fmt: skip
        code, agencies = agency_of(user, asked)
        settings = service.threshold_settings(app, code) if code else []
        rows = [
            {"name": s.name, "label": s.label, "meaning": MEANINGS.get(s.name, ""),
             "value": _shown(s.name, s.value), "default": _shown(s.name, s.default),
             "changed": s.value != s.default,
             "typed": (form or {}).get(f"t_{s.name}", _shown(s.name, s.value))}
            for s in settings
        ]  # fmt: skip
        done = request.query_params.get("done")
        return templates.TemplateResponse(request, "anomaly_thresholds.html", {
            "rows": rows, "code": code, "agencies": agencies, "error": error,
            "errors": FieldErrors(error, [f"t_{s.name}" for s in settings]),
            "done": {"1": "异常监测阈值已保存（已记入日志），下次扫描起按新阈值发现异常",
                     "0": "阈值没有改动，未记入日志"}.get(done or "") if error is None else None,
            "reader": Role.SUPERVISOR in user.roles or Role.HEAD in user.roles,
        }, status_code=error.http_status if error else 200)  # fmt: skip

    @r.get("/anomalies/thresholds", response_class=HTMLResponse, include_in_schema=False)
    def thresholds(request: Request, user: Setter, agency: TextQ = None) -> Response:
        return thresholds_page(request, user, agency or "")

    @r.post("/anomalies/thresholds", include_in_schema=False)
    async def thresholds_submit(request: Request, user: Setter, agency: TextQ = None) -> Response:
        form = await guard.posted_form(request)
        code, _ = agency_of(user, agency or "")
        typed = {k: str(v) for k, v in form.items() if k.startswith("t_")}
        try:
            if not code:
                raise NotFoundError("尚未登记执法机关")
            changed = _typed(typed, service.threshold_settings(app, code))
            if changed:
                service.set_thresholds(app, code, changed, user.actor)
        except LiuhenError as exc:
            if exc.http_status == 404:
                raise
            return thresholds_page(request, user, agency or "", typed, exc)
        query = urlencode({"agency": code, "done": "1" if changed else "0"})
        return RedirectResponse(f"/anomalies/thresholds?{query}", status_code=303)

    return r


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()
    r.include_router(thresholds_router(app, templates))

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
            "units": service.units(app, _agency(user)),
            "page_url": lambda n: "/anomalies?" + urlencode({**query, "page": n}),
            "may_set": bool(SETTERS & user.roles),
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
