"""The compliance API's responses as named OpenAPI schemas, key for key what
``rules.findings`` and ``compliance.service`` return."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from liuhen.payloads import JsonObject


class Finding(BaseModel):
    """One finding of a rule on a case: what is wrong or due, and the article it rests on."""

    code: str
    rule: str
    severity: str
    severity_label: str
    title: str
    message: str
    cite: list[str]
    remedy: str
    seqs: list[int]
    due_at: str | None
    provisional: bool
    cite_short: list[str] = []  # the cites by the packs' short codes, for compact displays


class _OfCase(BaseModel):
    case: str


# Pydantic lays out the fields of the last base first: ``case`` leads and a finding's own keys
# follow in their order, as the report has always written them.
class CaseFinding(Finding, _OfCase):
    """A violation or due item in the agency-wide report, with the case it concerns."""


class Retention(BaseModel):
    """The case's retention class (保管期限) and the reasons for it."""

    label: str
    long_term: bool
    reasons: list[dict[str, Any]]


class CaseEvaluation(BaseModel):
    """One case checked against its agency's rule pack."""

    case: str
    pack: str
    evaluated_at: str
    counts: dict[str, int]
    findings: list[Finding]
    retention: Retention | None


class RuleCount(BaseModel):
    """How many cases one rule found at one severity."""

    rule: str
    title: str
    severity: str
    cite: list[str]
    count: int


class AgencyReport(BaseModel):
    """Every case checked against its agency's pack: counts, by rule, and the open items."""

    evaluated_at: str
    cases: int
    packs: dict[str, int]
    by_severity: dict[str, int]
    by_rule: list[RuleCount]
    items: list[CaseFinding]


class PackList(BaseModel):
    """The rule packs this instance can use, and the one used where none is chosen."""

    default: str
    packs: list[str]


class PackRules(BaseModel):
    """A rule pack with the packs it extends, and every rule as the pack defines it."""

    pack: str
    title: str
    version: int
    chain: list[str]
    rules: dict[str, JsonObject]  # each rule's keys depend on its kind
    sources: dict[str, str] = {}  # a cite's short code → the full title of the text it names
