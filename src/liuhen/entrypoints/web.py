"""FastAPI application: ``/api/v1`` JSON and server-rendered pages, one error handler for both.

``create_app`` only composes: middleware, the error handler, the static files and each
feature's router behind its guard. Routes are matched in the order they are included; the
order is the app's as it always was (``/cases/new`` before ``/cases/{number}``), and the
catch-all 404 page comes last.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from liuhen import __version__
from liuhen.accounts import auth_web as auth
from liuhen.accounts import guard
from liuhen.admin import web as admin
from liuhen.archive import archiving
from liuhen.archive import records_web as records
from liuhen.archive import web as dossier_web
from liuhen.cases import feed_web
from liuhen.cases import service as cases
from liuhen.cases import web as cases_web
from liuhen.compliance import checks_web, queries
from liuhen.compliance import service as compliance
from liuhen.compliance import web as compliance_web
from liuhen.disclosure import service as disclosure
from liuhen.documents import approval_pages
from liuhen.documents import pages as document_pages
from liuhen.documents import web as documents_web
from liuhen.entrypoints import sources
from liuhen.errors import LiuhenError, NotFoundError
from liuhen.evidence import pages as evidence_pages
from liuhen.evidence import web as media
from liuhen.evidence.jobs import open_queue
from liuhen.evidence.uploads import tus
from liuhen.evidence.uploads.service import Uploads
from liuhen.inbox import service as inbox
from liuhen.inbox import web as inbox_web
from liuhen.kernel.instance import App
from liuhen.kernel.jobs import JobQueue
from liuhen.search import service as search
from liuhen.search import web as search_web
from liuhen.stats import service as stats_service
from liuhen.stats import web as stats_web
from liuhen.supervision import web as supervision_web
from liuhen.warnings import web as warnings_web
from liuhen.web import bodies, headers, invalid, journal, refusals
from liuhen.web.prebuild import prebuild
from liuhen.web.templates import STATIC, TEMPLATES

TITLE = "留痕 liuhen"
PUBLIC = [Depends(guard.public())]
SIGNED_IN = [Depends(guard.signed_in())]
ADMINS = [Depends(guard.role(guard.ADMIN, "系统管理仅限系统管理员"))]
UPLOADERS = [Depends(guard.role(guard.RECORDERS, "监督人员和系统管理员不上传音像资料"))]
# the case list's violations and deadlines come from the compliance evaluation, a layer above
CASE_JUDGE = cases.Judge(compliance.evaluate_cases, queries.rules_in_force)
# what search finds beside the entries: the compliance findings and the anomaly explanations
SEARCH_SOURCES: tuple[search.Source, ...] = (
    search.findings_source(CASE_JUDGE),
    sources.anomaly_source(),
)
# the statistics count the warnings feature's cards (期限预警), a sibling they may not import
stats_service.use_warnings(sources.warning_groups)


async def liuhen_error(request: Request, exc: LiuhenError) -> Response:
    """The one answer to a refusal: a JSON problem for the API (tus headers on uploads), the
    login page for a page that needs a sign-in, else the error page."""
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


def lifespan(
    jobs: JobQueue, uploads: Uploads
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def run(_api: FastAPI) -> AsyncIterator[None]:
        jobs.start()  # in-process on the embedded default; re-queues what a crash left
        uploads.recover()
        yield
        jobs.stop()

    return run


def not_found(path: str) -> Response:
    raise NotFoundError(f"页面不存在：/{path}")


def create_app(app: App) -> FastAPI:
    api = FastAPI(title=TITLE, description="行政执法全过程记录系统接口", version=__version__)
    headers.install(api)  # nosniff, CSP, frame and referrer policy on every response
    api.add_middleware(bodies.RefuseDuplicateKeys)  # a JSON key given twice: LH100
    jobs = open_queue(app)
    uploads = Uploads(app, on_stored=jobs.enqueue)
    api.router.lifespan_context = lifespan(jobs, uploads)
    api.state.liuhen = app
    api.mount("/static", StaticFiles(directory=str(STATIC)), "static")
    api.add_exception_handler(LiuhenError, liuhen_error)  # type: ignore[arg-type]
    refusals.install(api, liuhen_error)  # 405 (e.g. DELETE): the same error shape, in Chinese
    invalid.install(api, liuhen_error)  # malformed requests: LH100, nothing echoed
    invalid.describe(api)

    api.include_router(auth.router(app, TEMPLATES), dependencies=PUBLIC)  # login, logout
    api.include_router(admin.router(app, TEMPLATES), dependencies=ADMINS)
    api.include_router(records.router(app, TEMPLATES))
    api.include_router(tus.router(uploads, app.settings.upload_max), dependencies=UPLOADERS)
    api.include_router(media.router(app), dependencies=SIGNED_IN)
    witnesses = compliance.refusal_witnesses_required  # the pack in force says (003 第十四条)
    api.include_router(documents_web.router(app, witnesses), dependencies=SIGNED_IN)
    api.include_router(dossier_web.router(app))
    api.include_router(cases_web.api_router(app, CASE_JUDGE))
    api.include_router(compliance_web.api_router(app))
    api.include_router(journal.router(app), dependencies=PUBLIC)  # anyone may verify
    api.include_router(cases_web.list_router(
        app, TEMPLATES, inbox.awaits_approver, CASE_JUDGE, compliance.officers_required
    ))  # fmt: skip
    api.include_router(document_pages.router(
        app, TEMPLATES, demanded_by=queries.demanded_by, witnesses=witnesses
    ))  # fmt: skip
    api.include_router(approval_pages.router(app, TEMPLATES, checks={
        "general.disclosure_decision": disclosure.checked_decision,
    }))  # fmt: skip
    api.include_router(
        cases_web.recording_router(
            app, TEMPLATES, inbox.awaits_approver, archiving.archive, compliance.officers_required
        )
    )
    api.include_router(compliance_web.page_router(app, TEMPLATES))
    api.include_router(checks_web.router(app, TEMPLATES))  # 审看核对: guarded per route
    api.include_router(inbox_web.router(app, TEMPLATES, CASE_JUDGE))
    api.include_router(warnings_web.router(app, TEMPLATES))
    api.include_router(stats_web.router(app, TEMPLATES))
    api.include_router(supervision_web.router(app, TEMPLATES))
    api.include_router(search_web.router(app, TEMPLATES, SEARCH_SOURCES))
    api.include_router(evidence_pages.router(app, TEMPLATES))
    api.include_router(cases_web.case_router(app, TEMPLATES, compliance.evaluate_page))
    api.include_router(feed_web.router(app, TEMPLATES, CASE_JUDGE, compliance.evaluate_page))
    # last: any path no route above matched is the 404 page
    api.get("/{path:path}", include_in_schema=False, dependencies=PUBLIC)(not_found)
    prebuild(api)  # before any thread but this one exists (pydantic builds are not thread-safe)
    return api
