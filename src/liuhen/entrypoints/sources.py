"""Wiring between sibling features that may not import each other (one import-linter layer:
supervision, stats, search, warnings): the composer hands one feature's service to another.

``anomaly_source``: the supervision's anomaly explanations as a search ``Source``, so that a
supervisor or a head finds a case by the words of an anomaly found in it. Each stored anomaly
(the ``anomaly`` table as the last scan left it, including those no longer found: the list shows
them too) gives one text to every case it refers to; search shows it only in cases the reader
may see, and only to the roles who read anomalies. Whether they changed is told on every search
by a stamp of the table (``supervision.stored.stamp``, one aggregate query) and they are read as
stored (``supervision.stored.by_case``): a search never runs a detection.

``warning_groups``: the warnings feature's cards, grouped for the statistics' 期限预警 figures
(``stats.service.use_warnings``), counted by ``warnings.service.groups_by`` (all three groupings
from one read) as ``liuhen warnings rates`` counts them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.search import service as search
from liuhen.stats import service as stats
from liuhen.supervision import stored as anomalies
from liuhen.warnings import service as early_warning

ANOMALY = "anomaly"
ANOMALY_READERS = frozenset({Role.SUPERVISOR, Role.HEAD})  # as the anomaly pages


def anomaly_source() -> search.Source:
    """The anomaly explanations as a search source (kind ``anomaly``): collected again for every
    case whenever a scan changed what is stored (the key is the table's stamp)."""

    def collect(app: App, numbers: Sequence[str], now: datetime) -> dict[str, list[search.Found]]:
        return {
            n: [
                search.Found(f"执法记录异常：{a.kind_label}（{a.severity_label}）", a.explanation)
                for a in found
            ]
            for n, found in anomalies.by_case(app, numbers).items()
        }

    def key(app: App) -> str:
        return anomalies.stamp(app)

    return search.Source(ANOMALY, "执法记录异常", collect, key, ANOMALY_READERS)


def warning_groups(
    app: App, start: datetime, end: datetime, among: Collection[str]
) -> Mapping[str, Sequence[stats.WarningGroup]]:
    """The cards raised in [start, end) on the cases ``among``, per all, unit and officer."""
    return early_warning.groups_by(app, start, end, ("all", "unit", "officer"), among)
