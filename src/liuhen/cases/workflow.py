"""What a user may record next in a case, and where a recorded step continues.

The rules the case pages follow (which acts a role may record here, which act may open a case,
who records a party's request, where an approval step goes next), kept out of the routes so
the pages, the JSON API and the CLI apply the same ones.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from liuhen.access.policy import User, can_record
from liuhen.accounts import service as access
from liuhen.accounts.service import Forbidden
from liuhen.cases import menu
from liuhen.cases import service as cases
from liuhen.cases.menu import Menu
from liuhen.cases.presentation import (
    ActView,
    Card,
    Context,
    DocView,
    MediaView,
    Timeline,
    card,
    timeline,
)
from liuhen.cases.schemas import CaseRecord, Entry
from liuhen.disclosure import service as disclosure
from liuhen.documents import DOC_TYPES, DocType
from liuhen.documents.service import bare_approval_refusal
from liuhen.errors import NotFoundError
from liuhen.evidence.service import list_media
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput, build_draft
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import ACT_TYPES, CASE_STAGES, ActType, Role, Stage, act_type
from liuhen.rules.findings import SEVERITY_LABELS, Evaluation, Finding
from liuhen.web.templates import when

# recorded from elsewhere: documents by their form, media by upload, views by viewing,
# 归档 only with its dossier (``archive``)
NOT_BY_FORM = (
    "general.document", "general.media", "general.review_access", "archiving.archive",
    "general.approval_returned",  # only from the approval page, on the document it returns
    "general.content_check",  # only from its check form, against the pack's checklist
)  # fmt: skip
CONTENT_CHECK = "general.content_check"  # 审看核对记录, against the pack's checklist
SUPPLEMENT = "general.supplement"  # 补充附件: files that complete an act already recorded
# an approval step is confirmed by signing the record it produced (opinion, signature, time)
SIGNED_RECORD = {
    # 立案 is approved by the head on its 立案审批表: the officer issues it with his opinion,
    # then it waits in the head's inbox (``documents.approvals``)
    "initiation.ex_officio": "filing_approval",
    # a drafted decision goes to the head on its 案件处理审批表, the same way
    "decision.draft": "case_handling_approval",
    "decision.legal_review": "legal_review_opinion",
    "decision.collective_discussion": "collective_discussion_record",
}

Evaluate = Callable[[App, str], Evaluation]  # compliance.evaluate_case, above cases
AwaitsApprover = Callable[[App, str], bool]  # a document of the case waits for the head's block
FileDossier = Callable[[App, str, str], Any]  # archiving.archive(app, number, cert_no)


def recordable(user: User) -> list[ActType]:
    """The acts ``user``'s roles may record in a case from its page."""
    roles = {r for r in user.roles if r != Role.ADMIN}
    return [
        a for a in ACT_TYPES
        if a.stage in (*CASE_STAGES, Stage.GENERAL) and not a.opens_case
        and {r.value for r in a.roles} & roles
        and a.code not in NOT_BY_FORM
    ]  # fmt: skip


def agency_acts(app: App, number: str) -> frozenset[str] | None:
    """The acts the case's agency lets its officers record (its settings' list), None when it
    sets none: then every act but those needing a power by law that only some agencies have."""
    settings = access.case_agency_settings(app, number)
    return settings.allowed if settings else None


def case_menu(app: App, user: User, number: str, allowed: Collection[str] | None = None) -> Menu:
    """The 记录事项 menu of a case for ``user``: what his roles may record (``recordable``)
    that fits the case where it stands (``menu.offered``); ``allowed`` is the agency's acts
    (``agency_acts``, read when not given)."""
    if not can_record(user):
        return Menu(None, [])
    if allowed is None:
        allowed = agency_acts(app, number)
    state = cases.case_state(app, number)
    return menu.offered(
        recordable(user), stage=state.stage, status=state.status, category=state.category,
        procedure=state.procedure, done=state.done, allowed=allowed,
    )  # fmt: skip


def act_for(
    app: App, user: User, number: str, code: str, allowed: Collection[str] | None = None
) -> ActType:
    """The act ``code`` if the case's menu offers it to ``user``, else refused, saying why."""
    spec = act_type(code)
    if spec is None or spec not in recordable(user):
        raise Forbidden(f"不能在此记录“{code}”")
    if allowed is None:
        allowed = agency_acts(app, number)
    if code not in case_menu(app, user, number, allowed).codes:
        withheld = code in menu.NEEDS_SPECIAL_POWER if allowed is None else code not in allowed
        if withheld and spec.stage is not Stage.GENERAL:  # general acts are every agency's
            raise Forbidden(f"本机关没有实施“{spec.label}”的职权，不能记录")
        raise Forbidden(f"“{spec.label}”不适用于本案目前的环节和状态，不能在此记录")
    return spec


def opening_for(user: User, code: str) -> ActType:
    """The act ``code`` if it opens a case and ``user`` may record it, else refused."""
    spec = act_type(code)
    if (
        spec is None
        or not spec.opens_case
        or not can_record(user)
        or not ({r.value for r in spec.roles} & user.roles)
    ):
        raise Forbidden(f"不能以“{code}”启动案件")
    return spec


def record_act(app: App, user: User, number: str, inp: ActInput) -> Appended:
    """Record an act; requests and decisions go through their service's rules."""
    if inp.act == "decision.head_approval":  # not what a sent approval form decides
        refusal = bare_approval_refusal(app, number, inp.fields.get("subject_seq"))
        if refusal:
            raise Forbidden(refusal)
    if inp.act not in disclosure.VIA_SERVICE:
        return record.record(app, inp)
    if not user.cert_no:
        raise Forbidden("查阅、复制申请的受理和审批须以本人执法证号办理")
    draft = build_draft(inp, app.clock.now())  # field and role checks, all problems at once
    return disclosure.record_values(app, number, inp.act, draft.body["fields"], user.cert_no)


def record_in_case(app: App, user: User, number: str, inp: ActInput) -> Appended:
    """Record an act ``user`` may record in a case from outside its page (the JSON API),
    under the same rule as the page's menu (``act_for``)."""
    act_for(app, user, number, inp.act)
    return record_act(app, user, number, inp)


def supplement_input(
    app: App, by: dict[str, str], number: str, act_seq: int, note: str = ""
) -> ActInput:
    """A 补充附件 of the act ``act_seq`` by ``by`` (the signed-in user, or the officer the
    command line names), now; its files are attached by whoever stores them."""
    fields: FieldValues = {"act_seq": act_seq}
    if note.strip():
        fields["note"] = note.strip()
    actors = [by["id"]] if by.get("role") == Role.OFFICER else []
    return ActInput(SUPPLEMENT, app.clock.now().isoformat(), case=number, actors=actors,
                    fields=fields, recorded_by=by)  # fmt: skip


def next_step(
    app: App, user: User, number: str, act: str, seq: int, awaits_approver: AwaitsApprover
) -> str:
    """Where a recorded approval step continues so that it has opinion, signature and time:
    the legal review to its 法制审核意见书 signed in the reviewer's block, a collective
    discussion to its 集体讨论记录 signed by the recorder (the head hosting confirms it
    afterwards on the approval page); the head's approval to his inbox when a document of the
    case still waits for his block."""
    if act in SIGNED_RECORD:  # the participants confirm the record by signing it
        return (f"/cases/{quote(number)}/documents/new?act_seq={seq}"
                f"&doc_type={SIGNED_RECORD[act]}&after=1")  # fmt: skip
    if act == "decision.head_approval" and user.cert_no and awaits_approver(app, number):
        return "/inbox#sign-approver"
    return f"/cases/{quote(number)}#seq-{seq}"


def record_and_continue(
    app: App, user: User, number: str, inp: ActInput, awaits_approver: AwaitsApprover
) -> str:
    """Record an act from a page form and say where the user continues (``next_step``): the
    page's one call, so the rule of what follows a step stays here, not in the route."""
    entry = record_act(app, user, number, inp)
    return next_step(app, user, number, inp.act, entry.seq, awaits_approver)


def archive(app: App, user: User, number: str, file_dossier: FileDossier) -> int:
    """立卷归档: only an archivist, under his own certificate number; ``file_dossier`` builds
    and files the dossier (so no 归档 entry claims pages storage does not hold). Returns the
    归档 entry's seq."""
    if Role.ARCHIVIST not in user.roles or not user.cert_no:
        raise Forbidden("立卷归档须由档案管理人员以本人证号办理")
    return int(file_dossier(app, number, user.cert_no).entry.seq)


def docs_by_act() -> dict[str, list[DocType]]:
    """Which documents record which act (for the links on the timeline)."""
    out: dict[str, list[DocType]] = {}
    for doc in DOC_TYPES.values():
        for act in doc.acts:
            out.setdefault(act, []).append(doc)
    return out


@dataclass(frozen=True, slots=True)
class CaseView:
    """What the case page shows (its template's names): the record as the user may read it,
    laid out for people (``timeline``: acts by stage with their documents and media inside,
    every field labelled), the latest views and how many there are, the evaluation and its
    findings by the entry they concern, the act menu, and the documents each act may produce."""

    case: CaseRecord
    timeline: Timeline
    parties: list[Card]
    unit_name: str
    views: list[Entry]
    view_total: int
    view_lines: dict[int, str]
    evaluation: Evaluation
    findings_by_seq: dict[int, list[Finding]]
    menu: Menu
    doc_types_for: dict[str, list[DocType]]

    def context(self) -> dict[str, object]:
        """The template's context: each field by its name, and the findings' severity labels."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "severity_labels": SEVERITY_LABELS,
            "recordable": bool(self.menu.groups or self.menu.suggested),
            # a 补充附件 (a 回执 come back) may be added to an act already recorded
            "supplementable": SUPPLEMENT in self.menu.codes,
            # checked record's seq -> its latest 审看核对记录, said beside the record
            "checked": {
                int(e.fields["subject_seq"]): e.seq
                for st in self.case.stages
                for e in st.entries
                if e.act == CONTENT_CHECK and isinstance((e.fields or {}).get("subject_seq"), int)
            },
        }


@dataclass(frozen=True, slots=True)
class ViewRow:
    """A 调阅记录 as people read it: when, who (role, unit), for what."""

    when: str
    who: str
    what: str

    @property
    def line(self) -> str:
        return f"{self.when} {self.who} {self.what}".strip()


def view_row(e: Entry, ctx: Context) -> ViewRow:
    f = e.fields or {}
    found = f.get("accessor")
    who: dict[str, Any] = found if isinstance(found, dict) else {}
    about = [str(who.get("role", ""))] if who.get("role") else []
    if who.get("unit"):
        about.append(ctx.unit_names.get(str(who["unit"]), str(who["unit"])))
    person = str(who.get("name", "")) + (f"（{'，'.join(about)}）" if about else "")
    what = str(f.get("purpose", ""))
    materials = [ctx.file_names.get(str(m), str(m)) for m in f.get("materials") or []]
    materials = [m for m in materials if not m.startswith("sha256:")]
    if materials and materials != ["案件记录"]:
        what += f"：{'、'.join(materials)}"
    return ViewRow(when(e.occurred_at), person, what + ("（复制）" if f.get("copied") else ""))


def view_line(e: Entry, ctx: Context) -> str:
    """A 调阅记录 as one sentence: when, who, for what (and whether copied)."""
    return view_row(e, ctx).line


def case_view(
    app: App, user: User, number: str, evaluate: Evaluate, purpose: str = "在线调阅案件记录"
) -> CaseView:
    """What the case page shows; opening it is journaled as a viewing (``open_page_case``).
    Only the latest views are read, so the page does not grow with the number of views."""
    page = cases.open_page_case(app, user, number, purpose)
    case = page.case
    evaluation = evaluate(app, number)
    by_seq: dict[int, list[Finding]] = {}
    for f in evaluation.findings:
        for seq in f.seqs[:1]:
            by_seq.setdefault(seq, []).append(f)
    media = {m.digest: m for m in list_media(app, case_number=number, per_page=200).items}
    entries = {e.seq: e for st in case.stages for e in st.entries}
    files = {m.digest: m.name for m in media.values()}
    for e in entries.values():
        for a in e.attachments or []:
            if isinstance(a, dict) and a.get("digest"):
                files[str(a["digest"])] = str(a.get("name") or "附件")
        digest = (e.fields or {}).get("digest")
        if e.act == "general.document" and isinstance(digest, str):
            doc = DOC_TYPES.get(str((e.fields or {}).get("doc_type", "")))
            files.setdefault(digest, doc.title if doc else "执法文书")
    units = {case.unit: page.unit_name}
    for v in page.views:
        who = (v.fields or {}).get("accessor")
        if isinstance(who, dict) and who.get("unit"):
            units.setdefault(str(who["unit"]), str(who["unit"]))
    ctx = Context(unit_names=cases.unit_names(app, units) | {case.unit: page.unit_name},
                  entries=entries, file_names=files)  # fmt: skip
    return CaseView(
        case=case,
        timeline=timeline(case.stages, ctx, media),
        parties=[card(p, ctx) for p in case.parties],
        unit_name=page.unit_name,
        views=page.views,
        view_total=page.view_total,
        view_lines={v.seq: view_line(v, ctx) for v in page.views},
        evaluation=evaluation,
        findings_by_seq=by_seq,
        menu=case_menu(app, user, number),
        doc_types_for=docs_by_act(),
    )


def act_in_place(
    app: App, user: User, number: str, seq: int, evaluate: Evaluate
) -> tuple[CaseView, ActView | DocView | MediaView]:
    """One entry as the case page shows it, for the live feed to open in place: an act with its
    documents, media and findings; a document or a clip within the act it records (the feed
    lists them as they are journaled); one no act claims on its own. Opening it is journaled
    as a viewing of the case, like the page."""
    view = case_view(app, user, number, evaluate, purpose="实时调阅执法事项")

    def within(a: ActView) -> ActView | None:
        held = [a.entry.seq, *(d.entry.seq for d in a.documents), *(m.entry.seq for m in a.media)]
        if seq in held:
            return a
        return next((found for b in a.bound if (found := within(b))), None)

    for stage in view.timeline.stages:
        for a in stage.acts:
            if found := within(a):
                return view, found
    loose: list[DocView | MediaView] = [*view.timeline.loose_documents, *view.timeline.loose_media]
    for item in loose:
        if item.entry.seq == seq:
            return view, item
    raise NotFoundError(f"案件“{number}”中没有可单独查看的第 {seq} 号记录")


@dataclass(frozen=True, slots=True)
class ViewsView:
    """The views page: a page of the case's 调阅记录 (rows by seq), newest first."""

    views: cases.ViewPage
    rows: dict[int, ViewRow]

    def context(self) -> dict[str, object]:
        return {"result": self.views, "rows": self.rows}


def views_page(app: App, user: User, number: str, page: int = 1) -> ViewsView:
    """Every view of a case, a page at a time; opening it is journaled (``open_case_views``)."""
    result = cases.open_case_views(app, user, number, page)
    units: set[str] = set()
    for v in result.views:
        who = (v.fields or {}).get("accessor")
        if isinstance(who, dict) and who.get("unit"):
            units.add(str(who["unit"]))
    ctx = Context(unit_names=cases.unit_names(app, units))
    return ViewsView(result, {v.seq: view_row(v, ctx) for v in result.views})
