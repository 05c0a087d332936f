"""The case list, the case page, opening a case and recording an act: pages and JSON API.

Routes read the request, call one function of ``cases.service`` or ``cases.workflow`` and
render; what a user may record and where a step continues are the workflow's rules. What the
case page needs from features above this one (the compliance evaluation, filing the dossier,
the head's inbox) is passed in by the composer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from liuhen.access.policy import RECORDERS, User
from liuhen.accounts import guard
from liuhen.accounts.guard import posted_form
from liuhen.cases import act_defaults, parties, workflow
from liuhen.cases import service as cases
from liuhen.cases.schemas import ActRecorded, CasePage, CaseRecord
from liuhen.errors import AttachmentRefused, LiuhenError, Problem, ValidationError
from liuhen.kernel import numbering
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput, build_draft
from liuhen.payloads import FieldValues
from liuhen.procedure import act_numbers
from liuhen.procedure.catalog import ATTACHMENT_KINDS, ActType
from liuhen.procedure.fields import FieldKind
from liuhen.web import attachments, drafts, forms, persons_form
from liuhen.web.field_errors import FieldErrors
from liuhen.web.files import serve_blob

MAX_PAGE = 100_000  # deeper than any agency's list; keeps SQL offsets in range
LIST_PARAMS = ("q", "stage", "status", "unit", "procedure", "overdue", "violations", "mine", "sort")
SEARCH_HELP = "搜索：案件编号、当事人名称、案由、承办人员姓名或执法证号（部分匹配）"
SORT_HELP = "opened（启动时间新→旧，默认）、changed（最近变更）、due（最近期限）、number（编号）"

# The fewest officers an act needs under the rules in force for a unit, and the articles that
# say so (``compliance.service.officers_required``, a layer above: the pack's ``min_officers``
# rules, ``officers.min_two``'s acts done at the scene); None when no rule asks. The act form
# refuses fewer at the officer picker rather than have the engine flag the act once recorded.
Needed = tuple[int, tuple[str, ...]] | None
OfficersNeeded = Callable[[App, str, str], Needed]
_COUNT = {2: "两", 3: "三", 4: "四", 5: "五"}

SignedIn = Annotated[User, Depends(guard.signed_in())]
SeeCase = Annotated[User, Depends(guard.see_case())]
RecordCase = Annotated[User, Depends(guard.record_case())]
FileUser = Annotated[User, Depends(guard.file())]
Recorder = Annotated[User, Depends(guard.role(RECORDERS, "监督人员和系统管理员不记录案件"))]


class PartiesFound(BaseModel):
    """Parties of earlier cases: each with its recorded parts, ``kind`` and ``case``."""

    items: list[dict[str, str]]


class ActBody(BaseModel):
    """An act to record through the API; validated fully by the service."""

    act: str
    occurred_at: str
    actors: list[str] = []
    place: str | None = None
    fields: FieldValues = {}
    corrects: int | None = None


def act_page(
    app: App,
    user: User,
    templates: Jinja2Templates,
    request: Request,
    number: str,
    spec: ActType,
    form: dict[str, str],
    error: LiuhenError | None = None,
    issued: dict[str, str] | None = None,
    draft: drafts.Draft | None = None,
) -> Response:
    """The act form (``number`` empty when the act opens a case), with a refusal's problems
    each shown beside its input; a field in ``issued`` (the 文号 the system issues on the
    act's document) is shown as that number to come, not asked for. Officers are picked by
    name, the unit by name, parties in their parts (``cases.act_defaults``). ``draft``: the
    user's 暂存 of this form, which ``form`` then holds."""
    inputs = ([] if number else ["case"]) + ["occurred_at", "actors", "place"]
    drawn = {f"f_{f.name}" for f in spec.fields if persons_form.is_editor(f)}
    fields = [i for i in forms.input_ids(spec) if i.split(".")[0] not in drawn]
    fields += persons_form.input_ids(spec.fields, form)
    order = {f"f_{f.name}": n for n, f in enumerate(spec.fields)}
    fields.sort(key=lambda i: order.get(i.split(".")[0], len(order)))  # page order, stable
    ids = inputs + fields + [attachments.FIELD, attachments.KIND_FIELD]  # the files: last
    errors = FieldErrors(error, ids, persons_form.aliases(spec.fields, form))
    return templates.TemplateResponse(
        request, "act_form.html",
        {"number": number, "act": spec, "form": form, "error": error, "errors": errors,
         "widget": forms.widget, "issued": issued or {}, "issued_note": act_numbers.NOTE,
         "officers": act_defaults.officers(app, user, number), "actor_key": forms.ACTOR,
         "units": act_defaults.units(app, user), "person_rows": persons_form.rows,
         "is_editor": persons_form.is_editor, "party_types": persons_form.TYPES,
         "id_labels": persons_form.ID_LABELS, "draft": draft,
         "party_fields": act_defaults.PARTY_FIELDS + act_defaults.CITIZEN_FIELDS,
         "entries": act_defaults.entry_options(app, number, spec),
         "attachment_field": attachments.FIELD, "attachment_types": attachments.ALLOWED,
         "attachment_kind_field": attachments.KIND_FIELD, "attachment_kinds": ATTACHMENT_KINDS,
         "attachment_max": attachments.readable_size(app.settings.attachment_max),
         "served": act_defaults.served_documents(app, number)
         if number and spec.code.startswith(act_defaults.SERVICE) else [],
         "saved": request.query_params.get("saved") == "1"},
        status_code=error.http_status if error else 200,
    )  # fmt: skip


def form_url(number: str, act: str) -> str:
    """The act form's address: where its draft is kept and where the inbox sends him back."""
    if not number:
        return f"/cases/new?act={quote(act, safe='')}"
    return f"/cases/{quote(number, safe='')}/record?act={quote(act, safe='')}"


def restored(app: App, user: User, number: str, spec: ActType, form: dict[str, str]) -> tuple[
    dict[str, str], drafts.Draft | None
]:  # fmt: skip
    """The form to show: his draft of it, as he left it, else ``form`` (the defaults)."""
    return drafts.restore(app.engine, user.username, form_url(number, spec.code), form)


def draft_answer(
    app: App,
    templates: Jinja2Templates,
    request: Request,
    user: User,
    spec: ActType,
    number: str,
    form: dict[str, str],
) -> Response | None:
    """暂存 or 放弃暂存, when the form was posted by one of those buttons: nothing recorded,
    the form shown again (saved) or afresh (discarded). None: the form is to be recorded."""

    if not drafts.posted(form):
        return None

    def refused(exc: LiuhenError) -> Response:
        issued = issued_numbers(app, number, spec)
        return act_page(app, user, templates, request, number, spec, form, exc, issued)

    url = form_url(number, spec.code)
    now = app.clock.now()
    return drafts.answer(app.engine, user.username, url, number, spec.label, form, now, refused)


def issued_numbers(app: App, number: str, spec: ActType) -> dict[str, str]:
    """The act's number field → the 文号 its document would be issued now, where the case's
    agency numbers that document type (``procedure.act_numbers``): the act form leaves it to
    the system."""
    if not number or spec.code not in act_numbers.ACT_NUMBERS:
        return {}
    name, doc_type = act_numbers.ACT_NUMBERS[spec.code]
    expected = numbering.expected_number(app, number, doc_type, app.clock.now().isoformat())
    return {name: expected.number} if expected is not None else {}


def too_few(needed: Needed, actors: list[str]) -> Problem | None:
    """Fewer officers chosen than ``needed`` asks (none at all: recording says so itself)."""
    if needed is None or not actors or len(set(actors)) >= needed[0]:
        return None
    most, cite = needed
    return Problem(
        f"请至少选择{_COUNT.get(most, str(most))}名执法人员（{'、'.join(cite)}）", "actors",
        label="执法人员", kind="too_few",
    )  # fmt: skip


def read_act(
    user: User,
    spec: ActType,
    number: str,
    form: dict[str, str],
    zone: tzinfo,
    now: datetime,
    needed: Needed,
) -> ActInput:
    """The act a page form asks to record, or every problem with it at once: text that cannot
    be read as its field's kind, what recording it would refuse (a required field left
    empty, no officer) and fewer officers than ``needed``, so the officer corrects the form once.

    Local times in the form are read in the instance's zone (``LIUHEN_TIMEZONE``).
    """
    values, problems = forms.parse(spec, form, zone)
    typed = form.get("occurred_at", "").strip()  # left empty: said so, not "invalid"
    inp = ActInput(
        spec.code, forms.local_datetime(typed, zone) if typed else "", case=number,
        actors=forms.actors(form), place=form.get("place") or None, fields=values,
        recorded_by=user.actor,
    )  # fmt: skip
    alone = too_few(needed, inp.actors)
    if alone is not None:
        problems.append(alone)
    if problems:
        unread = {p.field for p in problems}
        try:
            build_draft(inp, now)
        except ValidationError as exc:  # what else is wrong; an unread field is not "empty"
            problems += [p for p in exc.problems if p.field not in unread]
        except LiuhenError:
            pass  # a refusal of the whole act is given once the form reads
        raise ValidationError(f"“{spec.label}”的记录有 {len(problems)} 处问题", problems)
    return inp


def with_files(
    app: App,
    uploads: list[attachments.Upload],
    read: Callable[[], ActInput],
    kinds: list[str] | None = None,
) -> ActInput:
    """The act ``read`` gives, with the chosen files stored and attached (holding ``kinds``:
    邮寄回执, 书面公告…, as the form ticks them); a file that is not a
    PDF, JPEG or PNG by its content, or too big, refuses the act (LH148) before anything is
    stored, together with the form's own problems so the officer corrects the form once."""
    try:
        checked, refused = attachments.check(uploads, app.settings.attachment_max), None
    except AttachmentRefused as exc:
        checked, refused = [], exc
    try:
        inp = read()
    except ValidationError as exc:
        if refused is not None:
            exc.problems = [*exc.problems, *refused.problems]
        raise
    if refused is not None:
        raise refused
    wrong = [k for k in kinds or [] if k not in ATTACHMENT_KINDS]
    if wrong:
        told = f"附件类别应为：{'、'.join(ATTACHMENT_KINDS)}"
        raise ValidationError(
            "附件类别有误", [Problem(told, attachments.KIND_FIELD, label="附件类别")]
        )
    inp.attachments = attachments.store(app, checked, kinds)
    return inp


def record_from_form(
    app: App,
    templates: Jinja2Templates,
    awaits_approver: workflow.AwaitsApprover,
    officers_needed: OfficersNeeded,
    request: Request,
    user: User,
    spec: ActType,
    number: str,
    form: dict[str, str],
    page: str,
    uploads: list[attachments.Upload] | None = None,
    kinds: list[str] | None = None,
) -> Response:
    """Record one act from a page form; a refusal re-renders the form with what was typed
    (``page`` is the case number the form was shown for, empty when opening a case). The
    chosen files (``uploads``, holding ``kinds``) are stored and attached only when the act is
    recorded; a draft keeps none."""
    answer = draft_answer(app, templates, request, user, spec, page, form)
    if answer is not None:
        return answer
    form = act_defaults.serve_chosen(app, number, spec, form)
    needed = officers_needed(app, act_defaults.case_unit(app, number), spec.code)
    try:
        inp = with_files(
            app,
            uploads or [],
            lambda: read_act(
                user, spec, number, form, app.settings.timezone, app.clock.now(), needed
            ),
            kinds,
        )
        where = workflow.record_and_continue(app, user, number, inp, awaits_approver)
    except LiuhenError as exc:
        issued = issued_numbers(app, page, spec)
        if kinds:  # the ticked boxes come back ticked (the files must be chosen again)
            form = {**form, attachments.KIND_FIELD: "\n".join(kinds)}
        return act_page(app, user, templates, request, page, spec, form, exc, issued)
    drafts.discard(app.engine, user.username, form_url(page, spec.code))
    return RedirectResponse(where, status_code=303)


# Four routers, so that the composer can include them where the app has always matched these
# routes (``/cases/new`` before ``/cases/{number}``, which comes last of all the pages).


def api_router(app: App, judge: cases.Judge) -> APIRouter:
    """Reading cases through the API."""
    r = APIRouter(tags=["案件"])

    @r.get("/api/v1/cases", summary="案件列表（分页，可搜索、筛选、排序）", response_model=CasePage,
           response_model_exclude_unset=True)  # fmt: skip
    def api_cases(
        user: SignedIn,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, Query(ge=1, le=cases.MAX_PAGE_SIZE)] = 50,
        q: Annotated[str | None, Query(description=SEARCH_HELP)] = None,
        stage: Annotated[str | None, Query(description="环节代码，如 investigation")] = None,
        status: Annotated[str | None, Query(description="open、closed、archived 等")] = None,
        unit: Annotated[str | None, Query(description="承办单位代码（可查看的单位）")] = None,
        procedure: Annotated[str | None, Query(description="summary 或 ordinary")] = None,
        overdue: Annotated[bool, Query(description="只列出有期限已过而未办结的案件")] = False,
        violations: Annotated[bool, Query(description="只列出有违规的案件")] = False,
        mine: Annotated[bool, Query(description="只列出我是承办人员的案件")] = False,
        sort: Annotated[str | None, Query(description=SORT_HELP)] = None,
    ) -> CasePage:
        query = cases.read_query({
            "q": q, "stage": stage, "status": status, "unit": unit, "procedure": procedure,
            "overdue": str(overdue), "violations": str(violations), "mine": str(mine),
            "sort": sort,
        })  # fmt: skip
        return cases.visible_cases(app, user, judge, query, page=page, per_page=per_page)

    @r.get("/api/v1/parties", summary="查找以往案件的当事人（姓名、名称或证件号码）",
           response_model=PartiesFound)  # fmt: skip
    def api_parties(
        user: SignedIn,
        q: Annotated[str, Query(description="姓名、名称或证件号码（部分匹配）", max_length=200)],
    ) -> PartiesFound:
        """Only parties of cases the user may see, so a new case or act names them again."""
        return PartiesFound(items=parties.find(app, user, q))

    @r.get("/api/v1/cases/{number}", summary="一个案件的完整记录", response_model=CaseRecord,
           response_model_exclude_unset=True)  # fmt: skip
    def api_case(number: str, user: SeeCase) -> CaseRecord:
        return cases.open_case(app, user, number, "接口调阅案件记录")

    return r


def list_router(
    app: App,
    templates: Jinja2Templates,
    awaits_approver: workflow.AwaitsApprover,
    judge: cases.Judge,
    officers_needed: OfficersNeeded,
) -> APIRouter:
    """The case list (the home page: search, filters, sort) and opening a case."""
    r = APIRouter()

    @r.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page_cases(
        request: Request,
        user: SignedIn,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    ) -> Response:
        raw = {k: request.query_params.get(k) for k in LIST_PARAMS}
        units = cases.unit_choices(app, user)
        error: LiuhenError | None = None
        try:
            query = cases.read_query(raw)
            result = cases.visible_cases(app, user, judge, query, page=page, per_page=20,
                                         units=units)  # fmt: skip
        except LiuhenError as exc:  # the form keeps what was typed, the problems beside it
            error, query = exc, cases.CaseQuery(q=(raw.get("q") or "")[: cases.MAX_QUERY])
            result = CasePage(items=[], total=0, page=1, per_page=20)
        pages = max(1, (result.total + result.per_page - 1) // result.per_page)
        return templates.TemplateResponse(
            request,
            "cases.html",
            {"result": result, "pages": pages, "query": query, "raw": raw, "error": error,
             "units": units, "choices": cases.LIST_CHOICES, "may_mine": bool(user.cert_no)},
            status_code=error.http_status if error else 200,
        )  # fmt: skip

    @r.get("/cases/new", response_class=HTMLResponse, include_in_schema=False)
    def new_case_form(
        request: Request, user: Recorder, act: str = "initiation.ex_officio"
    ) -> Response:
        spec = workflow.opening_for(user, act)
        now = app.clock.now().strftime("%Y-%m-%dT%H:%M")
        form, draft = restored(app, user, "", spec, act_defaults.opening_form(user, spec, now))
        return act_page(app, user, templates, request, "", spec, form, draft=draft)

    @r.post("/cases/new", include_in_schema=False)
    async def new_case_submit(
        request: Request, user: Recorder, act: str = "initiation.ex_officio"
    ) -> Response:
        form = await posted_form(request)
        form.pop(attachments.FIELD, None)  # the files: not text, not kept in a draft
        form.pop(attachments.KIND_FIELD, None)
        uploads = await attachments.posted(request)
        kinds = await attachments.posted_kinds(request)
        spec = workflow.opening_for(user, act)
        answer = draft_answer(app, templates, request, user, spec, "", form)
        if answer is not None:
            return answer
        unit = form.get("f_unit", "").strip() or user.unit or ""  # the new case's
        needed = officers_needed(app, unit, spec.code)
        try:  # the number is the agency's next, issued with the entry (kernel.numbering)
            inp = with_files(app, uploads, lambda: read_act(
                user, spec, numbering.PENDING_CHAIN, form, app.settings.timezone,
                app.clock.now(), needed), kinds)  # fmt: skip
            entry = numbering.open_case(app, inp)
        except LiuhenError as exc:
            return act_page(app, user, templates, request, "", spec, form, exc)
        drafts.discard(app.engine, user.username, form_url("", spec.code))
        where = workflow.next_step(app, user, entry.chain, act, entry.seq, awaits_approver)
        return RedirectResponse(where, status_code=303)

    return r


def recording_router(
    app: App,
    templates: Jinja2Templates,
    awaits_approver: workflow.AwaitsApprover,
    file_dossier: workflow.FileDossier,
    officers_needed: OfficersNeeded,
) -> APIRouter:
    """Recording in a case: an act from its form or through the API, and 立卷归档."""
    r = APIRouter()

    @r.get("/cases/{number}/record", response_class=HTMLResponse, include_in_schema=False)
    def record_form(request: Request, number: str, act: str, user: RecordCase) -> Response:
        spec = workflow.act_for(app, user, number, act)
        now = app.clock.now().strftime("%Y-%m-%dT%H:%M")
        defaults = act_defaults.case_form(app, user, number, spec, now)
        for f in spec.fields:  # the act a link names (补充附件 of record 12: ?act_seq=12)
            named = request.query_params.get(f.name, "")
            if f.kind is FieldKind.SEQ and named.isascii() and named.isdigit():
                defaults[f"f_{f.name}"] = named
        form, draft = restored(app, user, number, spec, defaults)
        issued = issued_numbers(app, number, spec)
        return act_page(app, user, templates, request, number, spec, form, None, issued, draft)

    @r.post("/cases/{number}/record", include_in_schema=False)
    async def record_submit(request: Request, number: str, act: str, user: RecordCase) -> Response:
        form = await posted_form(request)
        form.pop(attachments.FIELD, None)  # the files: not text, not kept in a draft
        form.pop(attachments.KIND_FIELD, None)
        uploads = await attachments.posted(request)
        kinds = await attachments.posted_kinds(request)
        spec = workflow.act_for(app, user, number, act)
        return record_from_form(
            app, templates, awaits_approver, officers_needed, request, user, spec, number, form,
            number, uploads, kinds,
        )  # fmt: skip

    @r.post("/cases/{number}/archive", include_in_schema=False)
    async def archive_submit(request: Request, number: str, user: RecordCase) -> Response:
        """立卷归档 from the case page: the dossier PDF is built and filed as ``liuhen archive``
        does, so no 归档 entry can claim pages and volumes that storage does not hold."""
        await posted_form(request)
        seq = await anyio.to_thread.run_sync(
            lambda: workflow.archive(app, user, number, file_dossier)
        )
        return RedirectResponse(f"/cases/{quote(number)}#seq-{seq}", status_code=303)

    @r.post("/api/v1/cases/{number}/acts", status_code=201, tags=["案件"],
            summary="记录一个事项", response_model=ActRecorded)  # fmt: skip
    def api_record(number: str, body: ActBody, user: RecordCase) -> ActRecorded:
        entry = workflow.record_in_case(app, user, number, ActInput(
            body.act, body.occurred_at, case=number, actors=body.actors, place=body.place,
            fields=body.fields, corrects=body.corrects, recorded_by=user.actor,
        ))  # fmt: skip
        return ActRecorded(seq=entry.seq, case=number, act=body.act)

    @r.post("/api/v1/cases/{number}/acts/{seq}/supplement", status_code=201, tags=["案件"],
            summary="为已记录的事项补充附件", response_model=ActRecorded)  # fmt: skip
    async def api_supplement(request: Request, number: str, seq: int, user: RecordCase) -> (
        ActRecorded
    ):  # fmt: skip
        """多部分表单：``attachments``（一个或多个 PDF、JPEG、PNG 文件）、``attachment_kinds``
        （附件所含材料的类别，可重复，如“邮寄回执”）、``note``（补充说明）。补充附件记入日志，
        记录人为登录用户，合规检查把它计为所指事项留存的材料。"""
        form = await request.form()
        uploads = attachments.chosen(list(form.getlist(attachments.FIELD)))
        kinds = await attachments.posted_kinds(request)
        note = str(form.get("note") or "")
        workflow.act_for(app, user, number, workflow.SUPPLEMENT)
        inp = with_files(
            app,
            uploads,
            lambda: workflow.supplement_input(app, user.actor, number, seq, note),
            kinds,
        )
        entry = workflow.record_in_case(app, user, number, inp)
        return ActRecorded(seq=entry.seq, case=number, act=workflow.SUPPLEMENT)

    return r


def case_router(app: App, templates: Jinja2Templates, evaluate: workflow.Evaluate) -> APIRouter:
    """The case page: its record, findings and what the user may record next."""
    r = APIRouter()

    @r.get("/cases/{number}", response_class=HTMLResponse, include_in_schema=False)
    def page_case(request: Request, number: str, user: SeeCase) -> Response:
        view = workflow.case_view(app, user, number, evaluate)
        return templates.TemplateResponse(request, "case.html", view.context())

    @r.get("/cases/{number}/attachments/{digest}", response_class=Response,
           include_in_schema=False)  # fmt: skip
    def attachment(request: Request, number: str, digest: str, user: FileUser) -> Response:
        """A file attached to an act, to those who may see the case and the act's marks (the
        file guard), served inline only if a browser runs no script in it (``web.files``)."""
        found = cases.open_attachment(app, user, number, digest)
        name = str(found.get("name") or "附件")
        return serve_blob(app, digest, str(found.get("media_type") or ""), request, name)

    @r.get("/cases/{number}/views", response_class=HTMLResponse, include_in_schema=False)
    def page_views(
        request: Request,
        number: str,
        user: SeeCase,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    ) -> Response:
        """Every 调阅记录 of the case, newest first, a page at a time (the case page shows the
        latest few); opening it is itself a viewing, journaled once."""
        views = workflow.views_page(app, user, number, page)
        return templates.TemplateResponse(request, "case_views.html", views.context())

    return r
