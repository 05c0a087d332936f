"""What a user may record next in a case, and where a recorded step continues.

The rules the case pages follow (which acts a role may record here, which act may open a case,
who records a party's request, where an approval step goes next), kept out of the routes so
the pages, the JSON API and the CLI apply the same ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from liuhen.access.policy import User, can_record
from liuhen.accounts.service import Forbidden
from liuhen.cases.schemas import CaseRecord
from liuhen.cases.service import Folded, fold_views, open_case
from liuhen.disclosure import service as disclosure
from liuhen.documents import DOC_TYPES, DocType
from liuhen.evidence.schemas import MediaRow
from liuhen.evidence.service import list_media
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput, build_draft
from liuhen.procedure.catalog import ACT_TYPES, CASE_STAGES, ActType, Role, Stage, act_type
from liuhen.rules.findings import SEVERITY_LABELS, Evaluation, Finding

# recorded from elsewhere: documents by their form, media by upload, views by viewing,
# 归档 only with its dossier (``archive``)
NOT_BY_FORM = ("general.document", "general.media", "general.review_access", "archiving.archive")
# an approval step is confirmed by signing the record it produced (opinion, signature, time)
SIGNED_RECORD = {
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


def act_for(user: User, code: str) -> ActType:
    """The act ``code`` if ``user`` may record it in a case, else refused."""
    spec = act_type(code)
    if spec is None or spec not in recordable(user):
        raise Forbidden(f"不能在此记录“{code}”")
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
    if inp.act not in disclosure.VIA_SERVICE:
        return record.record(app, inp)
    if not user.cert_no:
        raise Forbidden("查阅、复制申请的受理和审批须以本人执法证号办理")
    draft = build_draft(inp, app.clock.now())  # field and role checks, all problems at once
    return disclosure.record_values(app, number, inp.act, draft.body["fields"], user.cert_no)


def record_in_case(app: App, user: User, number: str, inp: ActInput) -> Appended:
    """Record an act ``user`` may record in a case from outside its page (the JSON API)."""
    act_for(user, inp.act)
    return record_act(app, user, number, inp)


def next_step(
    app: App, user: User, number: str, act: str, seq: int, awaits_approver: AwaitsApprover
) -> str:
    """Where a recorded approval step continues so that it has opinion, signature and time:
    the legal review to its 法制审核意见书 signed in the reviewer's block, a collective
    discussion to its 集体讨论记录 signed by host and recorder; the head's
    approval to his inbox when a document of the case still waits for his block."""
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
    each stage's entries with runs of views folded (by stage code), the evaluation and its
    findings by the entry they concern, what he may record, the documents each act may produce
    and the case's media by digest."""

    case: CaseRecord
    groups: dict[str, list[Folded]]
    evaluation: Evaluation
    findings_by_seq: dict[int, list[Finding]]
    recordable: list[ActType]
    doc_types_for: dict[str, list[DocType]]
    media: dict[str, MediaRow]

    def context(self) -> dict[str, object]:
        """The template's context: each field by its name, and the findings' severity labels."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "severity_labels": SEVERITY_LABELS
        }


def case_view(app: App, user: User, number: str, evaluate: Evaluate) -> CaseView:
    """What the case page shows; opening it is journaled as a viewing (``open_case``)."""
    case = open_case(app, user, number, "在线调阅案件记录")
    evaluation = evaluate(app, number)
    by_seq: dict[int, list[Finding]] = {}
    for f in evaluation.findings:
        for seq in f.seqs[:1]:
            by_seq.setdefault(seq, []).append(f)
    media = list_media(app, case_number=number, per_page=200).items
    return CaseView(
        case=case,
        # every view is an entry: runs of them fold into one line
        groups={st.stage: fold_views(st.entries) for st in case.stages},
        evaluation=evaluation,
        findings_by_seq=by_seq,
        recordable=recordable(user) if can_record(user) else [],
        doc_types_for=docs_by_act(),
        media={m.digest: m for m in media},
    )
