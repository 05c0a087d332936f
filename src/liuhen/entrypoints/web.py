"""FastAPI application: ``/api/v1`` JSON and server-rendered pages, one error handler for both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from liuhen import __version__
from liuhen.access.policy import User, can_record
from liuhen.accounts import auth_web as auth
from liuhen.accounts import confidentiality, guard
from liuhen.accounts.access_log import record_access
from liuhen.accounts.service import Forbidden
from liuhen.admin import web as admin
from liuhen.archive import records_web as records
from liuhen.archive import web as dossier_web
from liuhen.cases import service as cases
from liuhen.compliance import queries
from liuhen.compliance import service as compliance
from liuhen.compliance import web as compliance_web
from liuhen.disclosure import service as disclosure
from liuhen.documents import pages as document_pages
from liuhen.documents import web as documents_web
from liuhen.errors import LiuhenError, NotFoundError, ValidationError
from liuhen.evidence import pages as evidence_pages
from liuhen.evidence import web as media
from liuhen.evidence.jobs import open_queue
from liuhen.evidence.service import list_media
from liuhen.evidence.uploads import tus
from liuhen.evidence.uploads.service import Uploads
from liuhen.inbox import desk
from liuhen.inbox import web as inbox_web
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput, build_draft
from liuhen.procedure.catalog import (
    ACT_TYPES,
    CASE_STAGES,
    STAGE_LABELS,
    Stage,
    act_type,
)
from liuhen.web import bodies, forms, headers, invalid, journal, refusals
from liuhen.web.templates import STATIC, TEMPLATES

MAX_PAGE = 100_000  # deeper than any agency's list; keeps SQL offsets in range


def docs_by_act() -> dict[str, list[Any]]:
    """Which documents record which act (for the links on the timeline)."""
    from liuhen.documents import DOC_TYPES

    out: dict[str, list[Any]] = {}
    for doc in DOC_TYPES.values():
        for act in doc.acts:
            out.setdefault(act, []).append(doc)
    return out


class ActBody(BaseModel):
    """An act to record through the API; validated fully by the service."""

    act: str
    occurred_at: str
    actors: list[str] = []
    place: str | None = None
    fields: dict[str, Any] = {}
    corrects: int | None = None


current_user = auth.current_user


# Each route's caller comes through its guard (``web.guard``): what it needs is in its signature.
SignedIn = Annotated[User, Depends(guard.signed_in())]
SeeCase = Annotated[User, Depends(guard.see_case())]
RecordCase = Annotated[User, Depends(guard.record_case())]
Recorder = Annotated[User, Depends(guard.role(guard.RECORDERS, "监督人员和系统管理员不记录案件"))]
PUBLIC = [Depends(guard.public())]


def create_app(app: App) -> FastAPI:
    api = FastAPI(
        title="留痕 liuhen",
        description="行政执法全过程记录系统接口",
        version=__version__,
    )
    headers.install(api)  # nosniff, CSP, frame and referrer policy on every response
    api.add_middleware(bodies.RefuseDuplicateKeys)  # a JSON key given twice: LH100

    jobs = open_queue(app)
    uploads = Uploads(app, on_stored=jobs.enqueue)

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        jobs.start()  # in-process on the embedded default; re-queues what a crash left
        uploads.recover()
        yield
        jobs.stop()

    api.router.lifespan_context = lifespan

    api.state.liuhen = app
    api.mount("/static", StaticFiles(directory=str(STATIC)), "static")
    signed_in = [Depends(guard.signed_in())]
    uploaders = [Depends(guard.role(guard.RECORDERS, "监督人员和系统管理员不上传音像资料"))]
    api.include_router(auth.router(app, TEMPLATES), dependencies=PUBLIC)  # login, logout
    api.include_router(
        admin.router(app, TEMPLATES),
        dependencies=[Depends(guard.role(guard.ADMIN, "系统管理仅限系统管理员"))],
    )
    api.include_router(records.router(app, TEMPLATES))
    api.include_router(tus.router(uploads, app.settings.upload_max), dependencies=uploaders)
    api.include_router(media.router(app), dependencies=signed_in)
    api.include_router(documents_web.router(app), dependencies=signed_in)
    api.include_router(dossier_web.router(app))

    def visible(user: User) -> guard.Scope:
        return guard.case_scope(app, user)

    def open_case(user: User, number: str, purpose: str) -> dict[str, Any]:
        """A case the user may see (its route's guard checked that), marked records withheld
        from those not entitled to them; the viewing itself is journaled (调阅 is recorded)."""
        case = cases.show_case(app, number)
        entries = sorted(
            (e for st in case["stages"] for e in st["entries"]), key=lambda e: e["seq"]
        )
        confidentiality.redact(case, confidentiality.marks_from(entries), user)
        record_access(app, user, number, purpose)
        return case

    @api.exception_handler(LiuhenError)
    async def _liuhen_error(request: Request, exc: LiuhenError) -> Response:
        if exc.code == "LH150" and not request.url.path.startswith("/api/"):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        if request.url.path.startswith("/api/v1/uploads"):
            return JSONResponse(
                exc.as_dict(), status_code=exc.http_status, headers={"Tus-Resumable": "1.0.0"}
            )
        if request.url.path.startswith("/api/"):
            return JSONResponse(exc.as_dict(), status_code=exc.http_status)
        return TEMPLATES.TemplateResponse(
            request, "error.html", {"error": exc}, status_code=exc.http_status
        )

    refusals.install(api, _liuhen_error)  # 405 (e.g. DELETE): the same error shape, in Chinese
    invalid.install(api, _liuhen_error)  # malformed requests: LH100, nothing echoed
    invalid.describe(api)

    @api.get("/api/v1/cases", tags=["案件"], summary="案件列表（分页）")
    def api_cases(
        user: SignedIn,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, Query(ge=1, le=cases.MAX_PAGE_SIZE)] = 50,
        stage: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        result = cases.list_cases(
            app, page=page, per_page=per_page, stage=stage, status=status, visible=visible(user)
        )
        confidentiality.redact_listing(app, result.items, user)  # whole-case marks
        return result.as_dict()

    @api.get("/api/v1/cases/{number}", tags=["案件"], summary="一个案件的完整记录")
    def api_case(number: str, user: SeeCase) -> dict[str, Any]:
        return open_case(user, number, "接口调阅案件记录")

    api.include_router(compliance_web.api_router(app))

    api.include_router(journal.router(app), dependencies=PUBLIC)  # anyone may verify

    @api.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page_cases(
        request: Request,
        user: SignedIn,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        stage: str | None = None,
    ) -> Response:
        result = cases.list_cases(
            app, page=page, per_page=20, stage=stage or None, visible=visible(user)
        )
        confidentiality.redact_listing(app, result.items, user)  # whole-case marks
        pages = max(1, (result.total + result.per_page - 1) // result.per_page)
        return TEMPLATES.TemplateResponse(
            request,
            "cases.html",
            {
                "result": result,
                "pages": pages,
                "stage": stage or "",
                "stages": [(s.value, STAGE_LABELS[s]) for s in CASE_STAGES],
            },
        )

    def recordable(user: User) -> list[Any]:
        roles = {r for r in user.roles if r != "admin"}
        return [
            a for a in ACT_TYPES
            if a.stage in (*CASE_STAGES, Stage.GENERAL) and not a.opens_case
            and {r.value for r in a.roles} & roles
            and a.code not in ("general.document", "general.media", "general.review_access",
                               "archiving.archive")  # 归档 only with its dossier: archive_submit
        ]  # fmt: skip

    def act_for(user: User, number: str, code: str) -> Any:
        spec = act_type(code)
        if spec is None or spec not in recordable(user):
            raise Forbidden(f"不能在此记录“{code}”")
        return spec

    def act_page(
        request: Request,
        number: str,
        spec: Any,
        form: dict[str, str],
        error: LiuhenError | None = None,
    ) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "act_form.html",
            {"number": number, "act": spec, "form": form, "error": error, "widget": forms.widget},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    def record_act(user: User, number: str, inp: ActInput) -> Any:
        """Record an act; requests and decisions go through their service's rules."""
        if inp.act not in disclosure.VIA_SERVICE:
            return record.record(app, inp)
        if not user.cert_no:
            raise Forbidden("查阅、复制申请的受理和审批须以本人执法证号办理")
        draft = build_draft(inp, app.clock.now())  # field and role checks, all problems at once
        return disclosure.record_values(app, number, inp.act, draft.body["fields"], user.cert_no)

    def record_from_form(
        request: Request, user: User, spec: Any, number: str, form: dict[str, str], page: str
    ) -> Response:
        """Record one act from a page form; a refusal re-renders the form with what was typed
        (``page`` is the case number the form was shown for, empty when opening a case)."""
        values, problems = forms.parse(spec, form)
        try:
            if problems:
                raise ValidationError(f"“{spec.label}”的记录有 {len(problems)} 处问题", problems)
            entry = record_act(user, number, ActInput(
                spec.code, forms.local_datetime(form.get("occurred_at", "")), case=number,
                actors=forms.actors(form), place=form.get("place") or None, fields=values,
                recorded_by=user.actor,
            ))  # fmt: skip
        except LiuhenError as exc:
            return act_page(request, page, spec, form, exc)
        return RedirectResponse(next_step(user, number, spec.code, entry.seq), status_code=303)

    def next_step(user: User, number: str, act: str, seq: int) -> str:
        """Where a recorded approval step continues so that it has opinion, signature and time:
        the legal review to its 法制审核意见书 signed in the reviewer's block, a collective
        discussion to its 集体讨论记录 signed by host and recorder; the head's
        approval to his inbox when a document of the case still waits for his block."""
        signed_record = {
            "decision.legal_review": "legal_review_opinion",
            "decision.collective_discussion": "collective_discussion_record",
        }
        if act in signed_record:  # the participants confirm the record by signing it
            return (f"/cases/{quote(number)}/documents/new?act_seq={seq}"
                    f"&doc_type={signed_record[act]}&after=1")  # fmt: skip
        if act == "decision.head_approval" and user.cert_no and desk.awaits_approver(app, number):
            return "/inbox#sign-approver"
        return f"/cases/{quote(number)}#seq-{seq}"

    def opening_for(user: User, code: str) -> Any:
        spec = act_type(code)
        if (
            spec is None
            or not spec.opens_case
            or not can_record(user)
            or not ({r.value for r in spec.roles} & user.roles)
        ):
            raise Forbidden(f"不能以“{code}”启动案件")
        return spec

    @api.get("/cases/new", response_class=HTMLResponse, include_in_schema=False)
    def new_case_form(
        request: Request, user: Recorder, act: str = "initiation.ex_officio"
    ) -> Response:
        spec = opening_for(user, act)
        now = app.clock.now().strftime("%Y-%m-%dT%H:%M")
        form = {"occurred_at": now, "actors": user.cert_no or "", "f_unit": user.unit or ""}
        return act_page(request, "", spec, form)

    @api.post("/cases/new", include_in_schema=False)
    async def new_case_submit(
        request: Request, user: Recorder, act: str = "initiation.ex_officio"
    ) -> Response:
        form = await auth.posted_form(request)
        spec = opening_for(user, act)
        return record_from_form(request, user, spec, form.get("case", "").strip(), form, "")

    api.include_router(document_pages.router(app, TEMPLATES, demanded_by=queries.demanded_by))

    @api.get("/cases/{number}/record", response_class=HTMLResponse, include_in_schema=False)
    def record_form(request: Request, number: str, act: str, user: RecordCase) -> Response:
        spec = act_for(user, number, act)
        now = app.clock.now().strftime("%Y-%m-%dT%H:%M")
        return act_page(request, number, spec, {"occurred_at": now, "actors": user.cert_no or ""})

    @api.post("/cases/{number}/record", include_in_schema=False)
    async def record_submit(request: Request, number: str, act: str, user: RecordCase) -> Response:
        form = await auth.posted_form(request)
        spec = act_for(user, number, act)
        return record_from_form(request, user, spec, number, form, number)

    @api.post("/cases/{number}/archive", include_in_schema=False)
    async def archive_submit(request: Request, number: str, user: RecordCase) -> Response:
        """立卷归档 from the case page: the dossier PDF is built and filed as ``liuhen archive``
        does, so no 归档 entry can claim pages and volumes that storage does not hold."""
        from liuhen.archive import archiving

        await auth.posted_form(request)
        if "archivist" not in user.roles or not user.cert_no:
            raise Forbidden("立卷归档须由档案管理人员以本人证号办理")
        cert = user.cert_no
        done = await anyio.to_thread.run_sync(lambda: archiving.archive(app, number, cert))
        return RedirectResponse(f"/cases/{quote(number)}#seq-{done.entry.seq}", status_code=303)

    @api.post("/api/v1/cases/{number}/acts", status_code=201, tags=["案件"], summary="记录一个事项")
    def api_record(number: str, body: ActBody, user: RecordCase) -> dict[str, Any]:
        act_for(user, number, body.act)
        entry = record_act(user, number, ActInput(
            body.act, body.occurred_at, case=number, actors=body.actors, place=body.place,
            fields=body.fields, corrects=body.corrects, recorded_by=user.actor,
        ))  # fmt: skip
        return {"seq": entry.seq, "case": number, "act": body.act}

    api.include_router(compliance_web.page_router(app, TEMPLATES))

    api.include_router(inbox_web.router(app, TEMPLATES))
    api.include_router(evidence_pages.router(app, TEMPLATES))

    @api.get("/cases/{number}", response_class=HTMLResponse, include_in_schema=False)
    def page_case(request: Request, number: str, user: SeeCase) -> Response:
        case = open_case(user, number, "在线调阅案件记录")
        for stage in case["stages"]:  # every view is an entry: runs of them fold into one line
            stage["groups"] = cases.fold_views(stage["entries"])
        evaluation = compliance.evaluate_case(app, number)
        by_seq: dict[int, list[dict[str, Any]]] = {}
        for f in evaluation.findings:
            for seq in f.seqs[:1]:
                by_seq.setdefault(seq, []).append(f.as_dict())
        return TEMPLATES.TemplateResponse(
            request,
            "case.html",
            {"case": case, "evaluation": evaluation.as_dict(), "findings_by_seq": by_seq,
             "recordable": recordable(user) if can_record(user) else [],
             "doc_types_for": docs_by_act(),
             "media": {m["digest"]: m for m in list_media(
                 app, case_number=number, per_page=200)["items"]}},
        )  # fmt: skip

    @api.get("/{path:path}", include_in_schema=False, dependencies=PUBLIC)
    def not_found(path: str) -> Response:
        raise NotFoundError(f"页面不存在：/{path}")

    return api
