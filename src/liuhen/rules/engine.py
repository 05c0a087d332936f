"""The compliance engine: (pack, case record, now) → findings. Pure and deterministic."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from liuhen.rules import checks, content, decisions
from liuhen.rules import pack as P
from liuhen.rules.calendar import WorkingCalendar
from liuhen.rules.checks import Context, retention_reasons
from liuhen.rules.findings import Evaluation, Finding, RetentionClass
from liuhen.rules.record import CaseRecord

CHECKS = {**checks.CHECKS, **decisions.CHECKS}


def applies(
    when: P.When | None, rec: CaseRecord, settings: Mapping[str, Decimal] | None = None
) -> bool:
    """Whether a rule's conditions hold; ``settings``: the agency's standards some rules
    take their amount from (a rule whose setting the agency has not made does not apply)."""
    if when is None:
        return True
    if when.fine_at_least_setting is not None:
        floor = (settings or {}).get(when.fine_at_least_setting)
        if floor is None or rec.max_amount() < floor:
            return False
    if when.procedure is not None and rec.procedure not in when.procedure:
        return False
    if when.category is not None and rec.category not in when.category:
        return False
    if when.any_act is not None and not rec.has(when.any_act):
        return False
    if when.no_act is not None and rec.has(when.no_act):
        return False
    if when.act_fields is not None:
        for code, wanted in when.act_fields.items():
            if not any(
                all(e.fields.get(k) in values for k, values in wanted.items())
                for e in rec.of([code])
            ):
                return False
    return not (when.fine_at_least is not None and rec.max_amount() < when.fine_at_least)


def evaluate(
    pack: P.Pack,
    rec: CaseRecord,
    now: datetime,
    calendar: WorkingCalendar,
    settings: Mapping[str, Decimal] | None = None,
) -> Evaluation:
    ctx = Context(now, calendar, pack.refusal_officers, settings or {})
    findings: list[Finding] = []
    retention: RetentionClass | None = None
    for rule_id, rule in pack.rules.items():
        if not applies(rule.when, rec, settings):
            continue
        findings.extend(CHECKS[rule.kind](rule_id, rule, rec, ctx))
        if isinstance(rule, P.Retention):
            reasons = [
                replace(r, cite=[pack.cite_text(c) for c in r.cite], cite_short=r.cite)
                for r in retention_reasons(rule, rec)
            ]
            retention = RetentionClass(
                "长期" if reasons else f"{rule.min_years}年以上",
                bool(reasons),
                tuple(reasons),
                rule.min_years,
            )
    findings = [
        replace(f, cite=tuple(pack.cite_text(c) for c in f.cite), cite_short=f.cite)
        for f in findings
    ]
    findings.sort(key=Finding.sort_key)
    counts = Counter(f.severity.value for f in findings)
    return Evaluation(
        case=rec.number,
        pack=pack.name,
        evaluated_at=now.isoformat(),
        findings=tuple(findings),
        retention=retention,
        counts={k: counts.get(k, 0) for k in ("violation", "warning", "due")},
        checkable=content.checkable(pack, rec),
    )
