"""The approval page: a reviewer or head reads the document, writes his opinion, confirms, and
only then signs (or returns it). See ``documents.approvals`` for what is recorded.

``GET /cases/{number}/approvals/{seq}`` shows the document in place, as page images (a framed
PDF shows nothing in many browsers; the images are drawn as the party's preview draws its pages,
and reading them is guarded and journaled as reading the PDF is), with what it approves and an
opinion box; the form posts to the same address, which answers with the confirmation page
until the post carries ``confirmed=1`` (from that page's button). A refusal shows the page again
with what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts.guard import posted_form
from liuhen.documents import approvals, preview
from liuhen.documents import service as documents
from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App
from liuhen.web.field_errors import FieldErrors

RecordCase = Annotated[User, Depends(guard.record_case(refusal="无权审批该案件的文书"))]
INPUTS = ["choice", "opinion"]


def router(
    app: App, templates: Jinja2Templates, checks: Mapping[str, approvals.Check]
) -> APIRouter:
    """``checks``: the acts other features own, held to their rules (``approvals.Check``)."""
    r = APIRouter()

    def page(
        request: Request,
        p: approvals.Pending,
        form: dict[str, str],
        error: LiuhenError | None = None,
    ) -> Response:
        """The page with the version's pages drawn (pdftoppm: call it off the event loop)."""
        user = getattr(request.state, "user", None)
        documents.read_pdf(app, user, p.digest, None)  # as /api/v1/documents/…/pdf reads it
        images, count = preview.page_images(b"".join(app.blobs.read(p.digest)))
        return templates.TemplateResponse(
            request, "approval.html",
            {"p": p, "form": form, "error": error, "errors": FieldErrors(error, INPUTS),
             "phrases": p.phrases, "images": images, "page_count": count},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    @r.get("/cases/{number}/approvals/{seq}", response_class=HTMLResponse, include_in_schema=False)
    def approval(request: Request, number: str, seq: int, user: RecordCase) -> Response:
        p = approvals.pending(app, user, number, seq)
        return page(request, p, {"choice": "", "opinion": ""})

    @r.post("/cases/{number}/approvals/{seq}", include_in_schema=False)
    async def approve(request: Request, number: str, seq: int, user: RecordCase) -> Response:
        """The form's post shows the confirmation; the confirmation's post signs or returns."""
        form = await posted_form(request)
        p = approvals.pending(app, user, number, seq)
        choice, opinion = form.get("choice", ""), form.get("opinion", "")
        kept = {"choice": choice, "opinion": opinion}
        try:
            decision = approvals.read(choice, opinion, p.phrases)
        except LiuhenError as exc:
            return await anyio.to_thread.run_sync(page, request, p, kept, exc)
        if form.get("edit") == "1":  # back from the confirmation, with what was typed
            return await anyio.to_thread.run_sync(page, request, p, kept)
        if form.get("confirmed") != "1":
            return templates.TemplateResponse(
                request, "approval_confirm.html", {"p": p, "d": decision}
            )
        try:  # signing (pyHanko) runs its own event loop: keep it off this one
            outcome = await anyio.to_thread.run_sync(
                approvals.decide, app, user, number, seq, choice, opinion, checks
            )
        except LiuhenError as exc:
            return await anyio.to_thread.run_sync(page, request, p, kept, exc)
        done = outcome.signed or outcome.act
        anchor = f"#seq-{done.seq}" if done is not None else ""
        return RedirectResponse(f"/cases/{quote(number)}{anchor}", status_code=303)

    return r
