"""审看、核对记录: a person's check of one record of a case against the pack's checklist.

The texts say what a clip must show (001 第十一条、003 第二十一条), that a record be worded
properly and legible (001 第六条、第八条第二项), that the evidence a party handed in be complete
and valid (001 第八条第三项) and that a paper record carry the party's marks (003 第十四条); only a
person can see that. The checklist is the pack's (``content_check`` rules: the agencies word
their lists differently); the result is journaled as ``general.content_check`` and never changed,
a later check of the same record superseding an earlier one for display.

Who checks: the texts give this review to no one by name. The legal reviewer (法制审核 weighs the
evidence before a decision), the head (who approves it) and the archivist (who files the dossier
and checks it) may; so may an officer of the case — but not one who made or is in the record
(recorded it, or acted in it): a check by its own author is no check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from liuhen.access.policy import User, can_record, can_view_case
from liuhen.accounts import service as access
from liuhen.compliance import packs
from liuhen.compliance.service import case_record
from liuhen.errors import Forbidden, NotFoundError, Problem, ValidationError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput, record
from liuhen.procedure.catalog import Role
from liuhen.rules import content
from liuhen.rules import pack as P

CHECKERS = frozenset({Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST})
Given = Mapping[str, tuple[str, str]]  # item key -> (result, note)


@dataclass(frozen=True)
class Checklist:
    rule: str  # the pack's rule id, as the check records it
    title: str
    items: list[P.CheckItem]
    latest: dict[str, content.ItemResult] = field(default_factory=dict)  # the last check's
    latest_seq: int | None = None
    earlier: list[int] = field(default_factory=list)  # superseded checks, kept in the journal


@dataclass(frozen=True)
class Target:
    """One record of a case and the checklists of the pack in force that apply to it."""

    case: str
    seq: int
    what: str  # as findings name it
    digest: str | None
    checklists: list[Checklist]


def _pack(app: App, agency: str | None) -> P.Pack:
    return packs.load_pack(packs.pack_name_for(app, agency), app.settings.data_dir)


def target(app: App, number: str, seq: int) -> Target:
    """What can be checked of record ``seq`` of case ``number``; refused if nothing can."""
    rec, agency = case_record(app, number, views=False)
    entry = next((e for e in rec.entries if e.seq == seq), None)
    if entry is None:
        raise NotFoundError(f"案件“{number}”没有第{seq}号记录")
    found = content.checklists(_pack(app, agency), entry)
    if not found:
        raise ValidationError(
            f"本机关适用的规则没有对“{entry.label}”（第{seq}号记录）的审看核对清单",
            [Problem("该记录没有可用的核对清单", "seq")],
        )
    lists = []
    for rule_id, rule in found.items():
        checks = [c for c in rec.of([content.ACT]) if c.fields.get("subject_seq") == seq
                  and c.fields.get("checklist") == rule_id]  # fmt: skip
        last = checks[-1] if checks else None
        lists.append(Checklist(
            rule_id, rule.title, list(rule.items),
            content.results_of(last) if last else {}, last.seq if last else None,
            [c.seq for c in checks[:-1]],
        ))  # fmt: skip
    digest = entry.fields.get("digest")
    return Target(number, seq, content.describe(entry), str(digest) if digest else None, lists)


def _authors(app: App, number: str, seq: int) -> set[str]:
    """Who made record ``seq``: its recorder and the officers who acted in it."""
    t = store.ENTRY
    with app.engine.connect() as conn:
        data = conn.execute(
            select(t.c.canonical).where(t.c.chain == number, t.c.seq == seq)
        ).scalar()
    if data is None:
        return set()
    doc = json.loads(bytes(data))
    by = (doc.get("body") or {}).get("recorded_by") or {}
    return {str(a.get("cert_no")) for a in doc.get("actors") or []} | {str(by.get("id", ""))}


def refusal(app: App, user: User, number: str, seq: int) -> str | None:
    """Why ``user`` may not check record ``seq`` (None: he may). The web routes' guard has
    already seen to the case; the command has not, so the case's visibility is asked again."""
    header = access.case_header(app, number)
    if not can_view_case(user, header, access.unit_agency(app, header["unit"])):
        return "无权查看该案件"
    if user.machine or not can_record(user):
        return "审看核对记录限于法制审核人员、负责人、档案管理人员和本案执法人员"
    if user.roles & CHECKERS:
        return None
    if Role.OFFICER not in user.roles or not user.cert_no:
        return "审看核对记录限于法制审核人员、负责人、档案管理人员和本案执法人员"
    if user.cert_no not in (header.get("officers") or []):
        return "只有承办本案的执法人员可以审看核对本案的记录"
    if {user.cert_no, user.username} & _authors(app, number, seq):
        return "不能审看核对本人记录或参与的记录，请由本案其他执法人员、法制审核人员或负责人核对"
    return None


def record_check(
    app: App, user: User, number: str, seq: int, checklist: str, given: Given, note: str = ""
) -> Appended:
    """Journal ``user``'s check of record ``seq`` against ``checklist``; every problem with
    what was typed is given at once (``Problem.field`` is ``item:<key>``)."""
    why = refusal(app, user, number, seq)
    if why:
        raise Forbidden(why)
    found = target(app, number, seq)
    chosen = next((c for c in found.checklists if c.rule == checklist), None)
    if chosen is None:
        usable = "、".join(c.rule for c in found.checklists)
        raise ValidationError(
            f"“{checklist}”不是适用于该记录的核对清单",
            [Problem(f"可用的核对清单：{usable}", "checklist")],
        )
    _, agency = case_record(app, number, views=False)
    rule = _pack(app, agency).rule(checklist)
    wrong = content.problems(rule, given)
    if wrong:
        raise ValidationError(
            f"核对结果有 {len(wrong)} 处问题",
            [Problem(msg, f"item:{key}" if key else "results") for key, msg in wrong],
        )
    lines = [content.ItemResult(i.key, given[i.key][0], given[i.key][1].strip()).line()
             for i in rule.items]  # fmt: skip
    fields: dict[str, object] = {"subject_seq": seq, "checklist": checklist, "results": lines}
    if found.digest:
        fields["subject_digest"] = found.digest
    if note.strip():
        fields["note"] = note.strip()
    # recorded in the role that entitles him (a head who is also an officer checks as head)
    role = next((r for r in sorted(CHECKERS) if r in user.roles), Role.OFFICER)
    return record(app, ActInput(
        content.ACT, app.clock.now().isoformat(), case=number, fields=fields,
        recorded_by={"id": user.actor["id"], "role": role},
    ))  # fmt: skip
