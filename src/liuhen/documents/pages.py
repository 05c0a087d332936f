"""The document form: issuing a document for a recorded act, and countersigning one.

The form shows the act's recorded values (unless marked beyond the user's clearance), the
signer blocks, the 在场同事确认 rows and, where the case's pack demands the document, which rule
demands it; the submit hands the form to ``issuing.issue_from_form`` and leaves every rule to
the documents' services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated
from urllib.parse import quote, urlencode

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts.guard import posted_form
from liuhen.documents import issuing, preview
from liuhen.documents import service as documents
from liuhen.documents.types import DocType
from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App
from liuhen.web import drafts, forms
from liuhen.web.field_errors import FieldErrors

CONFIRM_ROWS = 3  # 在场同事确认 rows shown when fewer colleagues are named
CONFIRM_MAX = issuing.CONFIRM_MAX  # rows read back

# A person's labelled details on a document form, after his name (web.forms.PERSON_PARTS).
PERSON_PARTS = (("id_no", "身份证号码或统一社会信用代码"), ("gender", "性别"), ("age", "年龄"),
                ("unit", "工作单位"), ("title", "职务"), ("address", "住址（住所）"),
                ("phone", "联系电话"))  # fmt: skip

RecordCase = Annotated[User, Depends(guard.record_case())]


@dataclass(frozen=True)
class Posted:
    """What the form's 暂存, 预览 and 签发 posts all start from: the same address
    parameters, the form read once its CSRF field is checked, and the document type."""

    number: str
    act_seq: int
    doc: DocType
    form: dict[str, str]
    supersedes: int | None

    @property
    def url(self) -> str:
        """The form's own address, which keys its draft."""
        return form_url(self.number, self.act_seq, self.doc.code, self.supersedes)


async def read_posted(
    request: Request, number: str, act_seq: int, doc_type: str, supersedes: int | None = None
) -> Posted:
    """The posted document form (declared after the user, so the guard runs first)."""
    form = await posted_form(request)
    return Posted(number, act_seq, issuing.doc_for(doc_type), form, supersedes)


PostedDoc = Annotated[Posted, Depends(read_posted)]


def confirm_rows(form: dict[str, str], blocks: list[str], request: Request) -> list[str]:
    """The certificate numbers the 在场同事确认 rows start with: the colleagues named in the
    officers' blocks (not the signed-in user), then what was typed, padded to three rows."""
    user = getattr(request.state, "user", None)
    me = user.cert_no if user is not None else None
    named = [c for b in blocks if b not in documents.IN_PERSON
             for c in forms.actors({"actors": form.get(f"sign_{b}", "")})]  # fmt: skip
    typed = [form.get(f"confirm_cert_{i}", "").strip() for i in range(1, CONFIRM_MAX + 1)]
    rows = [c for c in dict.fromkeys(named + typed) if c and c != me][:CONFIRM_MAX]
    return rows + [""] * max(0, CONFIRM_ROWS - len(rows))


def form_url(number: str, act_seq: int, doc_type: str, supersedes: int | None = None) -> str:
    """The document form's address: where its draft (暂存) is kept, and the inbox's link."""
    query: dict[str, object] = {"act_seq": act_seq, "doc_type": doc_type}
    if supersedes is not None:
        query["supersedes"] = supersedes
    return f"/cases/{quote(number, safe='')}/documents/new?{urlencode(query)}"


def draft_url(number: str, act_seq: int, doc_type: str, supersedes: int | None) -> str:
    """Where the form's 暂存 and 放弃暂存 buttons post."""
    url = form_url(number, act_seq, doc_type, supersedes)
    return url.replace("/documents/new?", "/documents/draft?", 1)


def field_errors(
    error: LiuhenError | None, doc: DocType, blocks: list[str], rows: list[str]
) -> FieldErrors:
    """Where the document form shows each problem: a colleague's missing confirmation at his
    password row, a signer at the first signature block, the party's drawn signature at the
    pad; the generated fields by their names."""
    signs = [f"sign_{b}" for b in blocks]
    party = ["party_name", "refused", "refusal_reason", "signature-pad"]
    has_party = "party" in doc.signers or "recipient" in doc.signers
    passwords = [f"confirm_password_{i}" for i in range(1, len(rows) + 1)]
    inputs = ["number", *signs, *(party if has_party else []),
              *forms.input_ids(doc, person_parts=False), *passwords]  # fmt: skip
    aliases = {f"confirm.{cert}": f"confirm_password_{i}"
               for i, cert in enumerate(rows, start=1) if cert}  # fmt: skip
    if signs:
        aliases |= {"sign": signs[0], "signers": signs[0]}
    pad = "signature-pad"
    aliases |= {"refusal": "refused", "refusal.officers": "refused", "party": "party_name",
                "party_signature_png": pad, "party.signature_png": pad}  # fmt: skip
    return FieldErrors(error, inputs, aliases)


def preview_page(
    app: App,
    templates: Jinja2Templates,
    editable: Callable[..., Response],
    request: Request,
    number: str,
    act_seq: int,
    doc: DocType,
    form: dict[str, str],
    user: User,
    supersedes: int | None,
    error: LiuhenError | None = None,
) -> Response:
    """The document rendered as it will print, its content locked under the party's pad;
    a problem with the content itself sends the user back to the editable form
    (``editable``)."""
    blocks = [b for b in doc.signers if b in documents.CRYPTO_ROLES]
    rows = [c for c in confirm_rows(form, blocks, request) if c]
    form = {k: v for k, v in form.items() if not k.startswith("confirm_")}
    form |= {f"confirm_cert_{i}": c for i, c in enumerate(rows, start=1)}
    people = issuing.attendees(app, user, number, act_seq, doc, form.get("party_name", ""))
    try:
        content = preview.locked(form)
        req = issuing.checked_request(app, user, number, act_seq, doc, content, at_signing=False)
        req.supersedes = supersedes
        pdf = preview.pdf(app, req)
        images, count = preview.page_images(pdf)
    except LiuhenError as exc:
        return editable(request, number, act_seq, doc, form, exc)
    session = str(getattr(request.state, "csrf", ""))
    passwords = [f"confirm_password_{i}" for i in range(1, len(rows) + 1)]
    pads = [(a.png, f"participant-pad-{a.index}") for a in people]
    inputs = [
        "party_name",
        "refused",
        "refusal_reason",
        "signature-pad",
        *passwords,
        *(i for a, (_, pad) in zip(people, pads, strict=True) for i in (pad, a.note)),
    ]
    aliases = {f"confirm.{c}": f"confirm_password_{i}" for i, c in enumerate(rows, start=1)}
    aliases |= dict(pads)
    aliases |= {
        f"participants[{i}].{part}": pad  # as ``render`` locates them
        for i, (_, pad) in enumerate(pads)
        for part in ("signature_png", "note")
    }
    aliases |= {"refusal": "refused", "party_signature_png": "signature-pad",
                "party.signature_png": "signature-pad", "party": "party_name"}  # fmt: skip
    return templates.TemplateResponse(
        request, "doc_preview.html",
        {"number": number, "act_seq": act_seq, "doc": doc, "form": form, "error": error,
         "errors": FieldErrors(error, inputs, aliases), "images": images,
         "page_count": count, "hidden": preview.locked(form),
         "mac": preview.mac(app, session, number, act_seq, doc.code, form),
         "has_party": preview.needs_preview(doc.code), "confirm_rows": rows,
         "attendees": people},
        status_code=error.http_status if error else 200,
    )  # fmt: skip


def _supersedes(request: Request) -> int | None:
    value = request.query_params.get("supersedes", "")
    return int(value) if value.isdigit() else None


def _draft_route(r: APIRouter, app: App, doc_page: Callable[..., Response]) -> None:
    """暂存 and 放弃暂存 of the document form, beside it (``doc_page`` shows it refused)."""

    @r.post("/cases/{number}/documents/draft", include_in_schema=False)
    async def doc_draft(request: Request, user: RecordCase, posted: PostedDoc) -> Response:
        """暂存 and 放弃暂存 of the form (``web.drafts``): nothing signed, nothing recorded."""
        number, act_seq, doc, form = posted.number, posted.act_seq, posted.doc, posted.form
        refused = partial(doc_page, request, number, act_seq, doc, form)
        now = app.clock.now()
        url = posted.url
        return drafts.answer(app.engine, user.username, url, number, doc.title, form, now, refused)


def router(
    app: App,
    templates: Jinja2Templates,
    demanded_by: issuing.DemandedBy,
    witnesses: issuing.Witnesses,
) -> APIRouter:
    r = APIRouter()

    def doc_page(
        request: Request,
        number: str,
        act_seq: int,
        doc: DocType,
        form: dict[str, str],
        error: LiuhenError | None = None,
        demanded: str = "",
        draft: drafts.Draft | None = None,
    ) -> Response:
        blocks = [b for b in doc.signers if b in documents.CRYPTO_ROLES]
        form = {k: v for k, v in form.items() if not k.startswith("confirm_password")}
        rows = confirm_rows(form, blocks, request)
        return templates.TemplateResponse(
            request, "doc_form.html",
            {"number": number, "act_seq": act_seq, "doc": doc, "form": form, "error": error,
             "errors": field_errors(error, doc, blocks, rows),
             "widget": forms.widget, "in_person": documents.IN_PERSON, "demanded": demanded,
             "blocks": blocks, "confirm_rows": rows, "person_parts": PERSON_PARTS,
             "next_number": issuing.next_number(app, number, doc),
             "preview_first": preview.needs_preview(doc.code), "draft": draft,
             "saved": request.query_params.get("saved") == "1",
             "draft_action": draft_url(number, act_seq, doc.code, _supersedes(request))},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    @r.get("/cases/{number}/documents/new", response_class=HTMLResponse, include_in_schema=False)
    def doc_form(
        request: Request,
        number: str,
        act_seq: int,
        doc_type: str,
        user: RecordCase,
        supersedes: int | None = None,
    ) -> Response:
        """A new document; with ``supersedes``, a new version of that one (one returned for
        more, see ``approvals``) starting from what it held."""
        blank = issuing.blank(app, user, number, act_seq, doc_type, demanded_by)
        values = blank.values
        if supersedes is not None:
            values = issuing.version_values(app, number, supersedes, blank.doc)
        form = forms.as_form(blank.doc, values)
        form |= {f"sign_{b}": certs for b, certs in blank.blocks.items()}
        if blank.signer and f"sign_{blank.signer[0]}" not in form:
            form[f"sign_{blank.signer[0]}"] = blank.signer[1]
        url = form_url(number, act_seq, blank.doc.code, supersedes)
        form, draft = drafts.restore(app.engine, user.username, url, form)  # as he left it
        args = (request, number, act_seq, blank.doc, form)
        return doc_page(*args, demanded=blank.demanded, draft=draft)

    @r.post("/cases/{number}/documents/new", include_in_schema=False)
    async def doc_submit(request: Request, user: RecordCase, posted: PostedDoc) -> Response:
        number, act_seq, doc, form = posted.number, posted.act_seq, posted.doc, posted.form
        supersedes = posted.supersedes
        session = str(getattr(request.state, "csrf", ""))
        try:  # signing (pyHanko) runs its own event loop: keep it off this one
            try:
                preview.check(app, session, number, act_seq, doc.code, form)
            except LiuhenError:  # what they drew was not under this content: they sign again
                form = preview.undrawn(form)
                raise
            entry = await anyio.to_thread.run_sync(
                issuing.issue_from_form,
                app,
                user,
                number,
                act_seq,
                doc,
                form,
                supersedes,
                witnesses(app, number),
            )
        except LiuhenError as exc:
            if form.get(preview.MAC_FIELD):  # signing under a preview: the party stays there
                args = (request, number, act_seq, doc, form, user, supersedes, exc)
                return await anyio.to_thread.run_sync(preview_page, app, templates, doc_page, *args)
            return doc_page(request, number, act_seq, doc, form, exc)
        drafts.discard(app.engine, user.username, posted.url)
        return RedirectResponse(f"/cases/{quote(number)}#seq-{entry.seq}", status_code=303)

    _draft_route(r, app, doc_page)

    @r.post("/cases/{number}/documents/preview", include_in_schema=False)
    async def doc_preview(request: Request, user: RecordCase, posted: PostedDoc) -> Response:
        """预览: the document as it will print, before the party signs below it; "返回修改"
        (``back``) returns to the editable form with every value kept."""
        number, act_seq, doc, form = posted.number, posted.act_seq, posted.doc, posted.form
        supersedes = posted.supersedes
        if form.get("back"):
            kept = {k: v for k, v in form.items() if k not in (preview.MAC_FIELD, "back")}
            return doc_page(request, number, act_seq, doc, kept)
        args = (request, number, act_seq, doc, form, user, supersedes)
        return await anyio.to_thread.run_sync(preview_page, app, templates, doc_page, *args)

    @r.post("/cases/{number}/documents/{seq}/sign", include_in_schema=False)
    async def doc_countersign(
        request: Request, number: str, seq: int, user: RecordCase, role: str = ""
    ) -> Response:
        """The one-click signature of old: a reviewer's or head's block is signed only from
        the approval page, once he has read the document, written his opinion and confirmed
        (``documents.approvals``), so this address sends him there and signs nothing."""
        await posted_form(request)
        return RedirectResponse(f"/cases/{quote(number, safe='')}/approvals/{seq}", 303)

    return r
