"""归入案件: a stored file that no case claims yet (``/media/todo``) is bound to a case and the
act it records, from the page, as ``liuhen media bind`` does: a ``general.media`` entry.

The officer picks the case among those he may record in (his own first), then the act among
the case's, each with its time; the act whose time span holds the recording's start is chosen
for him. Who may bind is decided as for an upload to that case (``uploads.service``): the file
must be one he may see unbound, the case one he may record in, the act an entry of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import and_, select

from liuhen.access.policy import User, can_record
from liuhen.accounts import guard
from liuhen.accounts.guard import posted_form
from liuhen.accounts.service import Forbidden, case_scope, chains_in
from liuhen.errors import LiuhenError, NotFoundError, Problem, ValidationError
from liuhen.evidence import service as evidence
from liuhen.evidence.schemas import MediaRow
from liuhen.evidence.upload_page import NOT_RECORDED
from liuhen.evidence.uploads.service import check_case
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import act_type
from liuhen.procedure.fields import parse_datetime
from liuhen.web.field_errors import FieldErrors

CASE = store.CASE
ENTRY = store.ENTRY
MEDIA = store.MEDIA
MAX_CASES = 200  # the case picker's length: his own cases first, then his units' newest
# a file by its digest: the guard resolves it to the unit that stored it (unbound) or its case
FileReader = Annotated[User, Depends(guard.file())]


@dataclass(frozen=True, slots=True)
class CaseChoice:
    number: str
    cause: str
    own: bool  # he is one of its case officers


@dataclass(frozen=True, slots=True)
class ActSpan:
    """An act of the case a file may record, with the time it took (its start and end where
    the act records them, else the moment it occurred)."""

    seq: int
    label: str
    started_at: str
    ended_at: str

    def holds(self, moment: str | None) -> bool:
        at, start, end = (parse_datetime(x) for x in (moment or "", self.started_at, self.ended_at))
        return bool(at and start and end and start <= at <= end)


def unbound_file(app: App, user: User, digest: str) -> MediaRow:
    """A file ``user`` may see that no case claims yet; else refused as unknown to him."""
    scope = evidence.media_scope(app, user)
    with app.engine.connect() as conn:
        found = conn.execute(
            select(MEDIA.c.digest).where(MEDIA.c.digest == digest, scope.condition())
        ).first()
    row = evidence.media_row(app, digest) if found else None
    if row is None:
        raise NotFoundError(f"未找到文件 {digest}")
    if row.case_number:
        raise ValidationError(f"该文件已归入案件“{row.case_number}”；如归错，请以更正记录处理")
    return row


def case_choices(app: App, user: User) -> list[CaseChoice]:
    """The open cases ``user`` may record in, his own first, then the newest."""
    if not can_record(user):
        return []
    visible = chains_in(CASE.c.number, case_scope(app, user))
    cond = CASE.c.status == "open"
    query = select(CASE.c.number, CASE.c.cause, CASE.c.officers).where(
        cond if visible is None else and_(cond, visible)
    )
    cert = f'"{user.cert_no}"' if user.cert_no else None
    if cert:  # his own first
        query = query.order_by(CASE.c.officers.contains(cert).desc())
    with app.engine.connect() as conn:
        rows = conn.execute(query.order_by(CASE.c.opened_at.desc()).limit(MAX_CASES)).all()
    return [CaseChoice(r.number, r.cause, bool(cert and cert in r.officers)) for r in rows]


def act_spans(app: App, number: str) -> list[ActSpan]:
    """The case's acts a file may record (no bookkeeping entries), the most recent first."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.act, ENTRY.c.occurred_at, ENTRY.c.body)
            .where(ENTRY.c.chain == number)
            .order_by(ENTRY.c.occurred_at.desc(), ENTRY.c.seq.desc())
        ).all()
    out = []
    for seq, act, occurred, body in rows:
        spec = act_type(act)
        if spec is None or act.startswith(NOT_RECORDED):
            continue
        fields = json.loads(body).get("fields") or {}
        start, end = fields.get("started_at"), fields.get("ended_at")
        start = start if isinstance(start, str) else occurred
        end = end if isinstance(end, str) else start
        out.append(ActSpan(int(seq), spec.label, start, end))
    return out


def recorded_during(acts: list[ActSpan], media: MediaRow) -> int | None:
    """The act whose span holds the recording's start (else its end), if one does."""
    for moment in (media.started_at, media.ended_at):
        found = next((a.seq for a in acts if a.holds(moment)), None)
        if found is not None:
            return found
    return None


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def page(
        request: Request,
        user: User,
        media: MediaRow,
        number: str,
        chosen: int | None,
        error: LiuhenError | None = None,
    ) -> Response:
        acts = act_spans(app, number) if number else []
        if chosen is None and not error:
            chosen = recorded_during(acts, media)
        context: dict[str, Any] = {
            "media": media, "cases": case_choices(app, user), "number": number, "acts": acts,
            "chosen": chosen, "error": error,
            "errors": FieldErrors(error, ["case", "act_seq"], {"metadata.act_seq": "act_seq"}),
        }  # fmt: skip
        status = error.http_status if error else 200
        return templates.TemplateResponse(request, "media_bind.html", context, status_code=status)

    @r.get("/media/{digest}/bind", response_class=HTMLResponse)
    def bind_page(request: Request, digest: str, user: FileReader, case: str = "") -> Response:
        media = unbound_file(app, user, digest)
        if case and case not in {c.number for c in case_choices(app, user)}:
            error = ValidationError(
                "不能在该案件中记录", [Problem("请选择本人可以记录的在办案件", "case")]
            )
            return page(request, user, media, "", None, error)
        return page(request, user, media, case, None)

    @r.post("/media/{digest}/bind")
    async def bind_submit(request: Request, digest: str, user: FileReader) -> Response:
        form = await posted_form(request)
        media = unbound_file(app, user, digest)
        number = form.get("case", "")
        seq = form.get("act_seq", "")
        act_seq = int(seq) if seq.isdigit() else None
        try:
            if not number:
                raise ValidationError("请选择案件", [Problem("请选择案件", "case")])
            try:
                check_case(app, user, number, act_seq)
            except (Forbidden, NotFoundError) as exc:  # said at the case picker
                raise ValidationError(exc.message, [Problem(exc.message, "case")]) from exc
            entry = evidence.bind(
                app, media.digest, number, act_seq, user.actor,
                opening_statement=form.get("opening_statement") == "true",
            )  # fmt: skip
        except LiuhenError as exc:
            return page(request, user, media, number, act_seq, exc)
        return RedirectResponse(f"/cases/{quote(number, safe='')}#seq-{entry.seq}", 303)

    return r
