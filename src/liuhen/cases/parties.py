"""Parties the agency already dealt with, found by name or ID number, so that a new case or act
names them from what an earlier case recorded instead of having them typed again.

Only parties of cases the user may see: his scope is a condition of the query (as the case
list's), and a case whose header a whole-case mark withholds from him gives nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, ColumnElement, cast, func, literal, or_, select, true
from sqlalchemy import case as sql_case

from liuhen.access.policy import User
from liuhen.accounts.service import case_scope, cases_in, redact_listing
from liuhen.errors import Problem, ValidationError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.web import persons_form

CASE = store.CASE
MAX_QUERY = 50
FOUND = 10  # parties an answer offers
CANDIDATES = 200  # (case, party) rows read for them, the newest cases first
PARTS = (*persons_form.EDITED, *persons_form.KEPT)


@dataclass
class _Header:
    """A found case as ``redact_listing`` reads and withholds it."""

    number: str
    officers: list[str]
    parties: list[Any] = field(default_factory=list)
    cause: str = ""
    summary: str = ""
    case_mark: str | None = None
    header_withheld: str | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _elements(dialect: str) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """The parties of each case as rows (each database's JSON functions): the table, and the
    name and ID number of a row (nothing for a party recorded as a bare name)."""
    if dialect == "postgresql":
        party = func.json_array_elements(cast(CASE.c.parties, JSON)).table_valued("value")
        party = party.alias("party")
        is_object = func.json_typeof(party.c.value) == "object"
        name = sql_case((is_object, party.c.value.op("->>")(literal("name"))), else_=None)
        id_no = sql_case((is_object, party.c.value.op("->>")(literal("id_no"))), else_=None)
        return party, name, id_no
    party = func.json_each(CASE.c.parties).table_valued("value", "type").alias("party")
    is_object = party.c.type == "object"
    name = sql_case((is_object, func.json_extract(party.c.value, "$.name")), else_=None)
    id_no = sql_case((is_object, func.json_extract(party.c.value, "$.id_no")), else_=None)
    return party, name, id_no


def find(app: App, user: User, q: str) -> list[dict[str, str]]:
    """Parties of the cases ``user`` may see whose name or ID number contains ``q``, the most
    recent case's record of each (by name and ID number), each with every part it recorded,
    its kind (``persons_form.TYPES``) and the case it comes from."""
    q = " ".join(q.split())
    if not q or len(q) > MAX_QUERY:
        raise ValidationError(
            "请输入当事人的姓名、名称或证件号码",
            [
                Problem(
                    f"查找当事人须填写 1–{MAX_QUERY} 个字",
                    "q",
                    kind="too_long" if q else "required",
                )
            ],
        )
    party, name, id_no = _elements(app.engine.dialect.name)
    pattern = _like(q)
    cond = [or_(name.ilike(pattern, escape="\\"), id_no.ilike(pattern, escape="\\"))]
    scoped = cases_in(case_scope(app, user))
    if scoped is not None:
        cond.append(scoped)
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(CASE.c.number, CASE.c.officers, party.c.value)
            .select_from(CASE.join(party, true()))  # each case with each of its parties
            .where(*cond)
            .order_by(CASE.c.opened_at.desc(), CASE.c.number)
            .limit(CANDIDATES)
        ).all()
    headers: dict[str, _Header] = {}
    for number, officers, value in rows:
        found = json.loads(value) if isinstance(value, str) else value
        header = headers.setdefault(number, _Header(number, json.loads(officers)))
        header.parties.append(found)
    redact_listing(app, list(headers.values()), user)  # a withheld header keeps no parties
    out: dict[tuple[str, str], dict[str, str]] = {}
    for header in headers.values():
        for p in header.parties:
            key = (str(p.get("name") or ""), str(p.get("id_no") or ""))
            if key in out or not key[0]:
                continue
            kind = persons_form.kind_of(p)
            parts = {k: str(p[k]) for k in PARTS if p.get(k) not in (None, "")}
            if kind != "citizen" and parts.get("role") == persons_form.TYPES[kind]:
                del parts["role"]  # the kind says it (as ``persons_form.as_form`` leaves it)
            out[key] = {**parts, "kind": kind, "case": header.number}
            if len(out) == FOUND:
                return list(out.values())
    return list(out.values())
