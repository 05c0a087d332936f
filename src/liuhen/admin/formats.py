"""An agency's document formats (003 第十二条) on a page under ``/admin/formats``: the wording
blocks of one document type — header, title, remedy, notice, footer — as the agency words
them, saved as a new journal entry (``registry.document_template``) or reset to the built-in
format. The rules on what may vary are the documents' (``documents.wording``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.accounts import guard
from liuhen.accounts import service as access
from liuhen.admin.common import AdminDep, recorder
from liuhen.documents import DOC_TYPES
from liuhen.documents.service import wording
from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App
from liuhen.web.field_errors import FieldErrors

DONE = {"1": "文书格式已保存（已记入日志），此后制作的文书按此格式",
        "reset": "已恢复内置格式（已记入日志）"}  # fmt: skip


def page_router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter(prefix="/admin", include_in_schema=False)

    def page(
        request: Request, code: str, doc_type: str, form: dict[str, str] | None = None,
        error: LiuhenError | None = None,
    ) -> Response:  # fmt: skip
        agencies = access.listing(app).agencies
        code = code or (agencies[0].code if agencies else "")
        doc_type = doc_type if doc_type in DOC_TYPES else next(iter(DOC_TYPES))
        now = wording.in_force(app, code, doc_type) if code else wording.Wording()
        blocks = wording.blocks_for(doc_type)
        done = DONE.get(request.query_params.get("done", "")) if error is None else None
        return templates.TemplateResponse(
            request, "admin_formats.html",
            {"agencies": agencies, "code": code, "doc_type": doc_type, "documents": DOC_TYPES,
             "blocks": blocks, "now": now, "error": error, "done": done,
             "errors": FieldErrors(error, [f"block_{b.key}" for b in blocks],
                                   {b.key: f"block_{b.key}" for b in blocks}),
             "form": form if form is not None
             else {f"block_{k}": v for k, v in now.blocks.items()}},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    @r.get("/formats", response_class=HTMLResponse)
    def formats_page(
        request: Request, user: AdminDep, agency: str = "", doc_type: str = ""
    ) -> Response:
        return page(request, agency, doc_type)

    @r.post("/formats")
    async def formats_submit(
        request: Request, user: AdminDep, agency: str = "", doc_type: str = ""
    ) -> Response:
        data = await request.form()
        guard.check_form(request, str(data.get("csrf", "")))
        form = {k: str(v) for k, v in data.items() if k.startswith("block_")}
        try:
            if data.get("reset"):
                wording.reset(app, agency, doc_type, recorder(user))
                done = "reset"
            else:
                given = {k.removeprefix("block_"): v for k, v in form.items()}
                wording.replace_blocks(app, agency, doc_type, given, recorder(user))
                done = "1"
        except LiuhenError as exc:
            return page(request, agency, doc_type, form, exc)
        query = urlencode({"agency": agency, "doc_type": doc_type, "done": done})
        return RedirectResponse(f"/admin/formats?{query}", status_code=303)

    return r
