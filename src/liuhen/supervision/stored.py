"""The stored anomalies as other features' caches read them: a cheap stamp of what the
``anomaly`` table holds and each case's explanations, read as stored, never detecting first.

Search keeps the anomaly explanations as texts of each case (the composer's ``anomaly_source``)
and must know on every search whether they changed. Paging through ``list_anomalies`` to hash
them cost 4.4 s a search at 4,931 anomalies (each page read and sorted the whole table again),
and a read of the list is where detection catches up: a search must not run a detection.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select

from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.supervision.detectors.model import SEVERITY_LABELS, Severity
from liuhen.supervision.detectors.run import BY_CODE

ANOMALY = store.T["anomaly"]
RANK = {Severity.HIGH.value: 0, Severity.MEDIUM.value: 1, Severity.LOW.value: 2}


@dataclass(frozen=True, slots=True)
class Explanation:
    """One stored anomaly as a case's text: its kind's and severity's names and explanation."""

    kind_label: str
    severity_label: str
    explanation: str


def stamp(app: App) -> str:
    """What the table holds, in one aggregate query: how many anomalies, the latest first found
    and the total length of their kinds, severities, explanations and references. A pass that
    stores a new anomaly, or changes one's severity, references or the length of its
    explanation, changes it; one re-worded to exactly the same length does not (its cases'
    texts are collected again when they are next indexed)."""
    length = func.length
    q = select(
        func.count(), func.max(ANOMALY.c.found_at),
        func.coalesce(func.sum(length(ANOMALY.c.kind) + length(ANOMALY.c.severity)), 0),
        func.coalesce(func.sum(length(ANOMALY.c.explanation)), 0),
        func.coalesce(func.sum(length(ANOMALY.c.refs)), 0),
    )  # fmt: skip
    with app.engine.connect() as conn:
        row = conn.execute(q).one()
    return "|".join(str(v) for v in row)


def by_case(app: App, numbers: Collection[str]) -> dict[str, list[Explanation]]:
    """The explanations of the anomalies referring to each of ``numbers`` (those no longer
    found too: the list shows them), in the list's order, as stored: no detection first."""
    wanted = set(numbers)
    out: dict[str, list[Explanation]] = {n: [] for n in numbers}
    columns = (ANOMALY.c.key, ANOMALY.c.kind, ANOMALY.c.severity, ANOMALY.c.explanation,
               ANOMALY.c.refs, ANOMALY.c.active)  # fmt: skip
    with app.engine.connect() as conn:
        rows = list(conn.execute(select(*columns)))
    order = {k: i for i, k in enumerate(BY_CODE)}
    rows.sort(key=lambda r: (not r.active, RANK.get(r.severity, 3), order.get(r.kind, 99), r.key))
    for r in rows:
        cases = [n for n in dict.fromkeys(str(ref.get("case")) for ref in json.loads(r.refs))
                 if n in wanted]  # fmt: skip
        if not cases:
            continue
        kind = BY_CODE.get(r.kind)
        text = Explanation(
            kind.label if kind else r.kind, SEVERITY_LABELS[Severity(r.severity)], r.explanation
        )
        for n in cases:
            out[n].append(text)
    return out
