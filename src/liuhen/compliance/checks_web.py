"""审看、核对记录: the check form beside a clip or a document, and its JSON API.

The author of a check is the signed-in user, never a form field; who may check what is
``content_checks.refusal``'s, the case itself guarded as every recording route is.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts.guard import posted_form
from liuhen.compliance import content_checks as checks
from liuhen.errors import Forbidden, LiuhenError
from liuhen.kernel.instance import App
from liuhen.rules import content
from liuhen.web.field_errors import FieldErrors

RecordCase = Annotated[User, Depends(guard.record_case())]


class ItemBody(BaseModel):
    item: str = Field(description="核对项目（核对清单中的 key，如“现场环境”）")
    result: str = Field(description="符合、不符合或不适用")
    note: str = Field("", description="说明；不符合的必填")


class CheckBody(BaseModel):
    """One check of one record against one checklist of the pack in force."""

    seq: int = Field(description="所核对的记录序号（音像记录、执法文书、调取证据等）")
    checklist: str = Field(description="核对清单（规则编号），如 content.av_focus")
    results: list[ItemBody]
    note: str = ""


class CheckRecorded(BaseModel):
    seq: int
    case: str
    subject_seq: int
    checklist: str


def _item_ids(target: checks.Target) -> tuple[list[str], dict[str, str]]:
    """The form's inputs in page order, and each item's problems' path → its input."""
    ids: list[str] = []
    aliases: dict[str, str] = {}
    for c in target.checklists:
        for n, item in enumerate(c.items):
            ids += [f"{c.rule}-{n}", f"{c.rule}-{n}-note"]
            aliases[f"item:{item.key}"] = f"{c.rule}-{n}"
    return ids, aliases


def _page(
    templates: Jinja2Templates,
    request: Request,
    target: checks.Target,
    form: dict[str, str],
    chosen: str = "",
    error: LiuhenError | None = None,
) -> Response:
    ids, aliases = _item_ids(target)
    errors = FieldErrors(error, ids, aliases)
    return templates.TemplateResponse(
        request, "content_check.html",
        {"target": target, "form": form, "chosen": chosen, "error": error, "errors": errors,
         "results": content.RESULTS, "refused": isinstance(error, Forbidden)},
        status_code=error.http_status if error else 200,
    )  # fmt: skip


def _given(form: dict[str, str], target: checks.Target, rule: str) -> dict[str, tuple[str, str]]:
    chosen = next((c for c in target.checklists if c.rule == rule), None)
    if chosen is None:
        return {}
    return {
        item.key: (form.get(f"{rule}-{n}", ""), form.get(f"{rule}-{n}-note", ""))
        for n, item in enumerate(chosen.items)
    }


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()

    @r.get("/cases/{number}/checks/new", response_class=HTMLResponse, include_in_schema=False)
    def check_form(
        request: Request, number: str, user: RecordCase, seq: Annotated[int, Query(ge=1)]
    ) -> Response:
        target = checks.target(app, number, seq)
        why = checks.refusal(app, user, number, seq)
        error = Forbidden(why) if why else None
        return _page(templates, request, target, {}, "", error)

    @r.post("/cases/{number}/checks", include_in_schema=False)
    async def check_submit(request: Request, number: str, user: RecordCase) -> Response:
        form = await posted_form(request)
        seq = int(form.get("seq", "0") or 0) if form.get("seq", "").isdigit() else 0
        rule = form.get("checklist", "")
        target = checks.target(app, number, seq)
        try:
            entry = checks.record_check(
                app, user, number, seq, rule, _given(form, target, rule), form.get("note", "")
            )
        except LiuhenError as exc:
            return _page(templates, request, target, form, rule, exc)
        return RedirectResponse(f"/cases/{quote(number)}#seq-{entry.seq}", status_code=303)

    @r.post("/api/v1/cases/{number}/checks", status_code=201, tags=["合规"],
            summary="记录对一项记录的审看核对", response_model=CheckRecorded)  # fmt: skip
    def api_check(number: str, body: CheckBody, user: RecordCase) -> CheckRecorded:
        given = {i.item: (i.result, i.note) for i in body.results}
        entry = checks.record_check(app, user, number, body.seq, body.checklist, given, body.note)
        return CheckRecorded(seq=entry.seq, case=number, subject_seq=body.seq,
                             checklist=body.checklist)  # fmt: skip

    return r
