"""Records made up afterwards (后期制作): officers and units whose records lag their events far
more than usual, runs of records entered in one sitting long after the events they describe,
and records entered after the case's decision that change what the decision rests on."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import timedelta

from liuhen.supervision.detectors.model import (
    Anomaly,
    CaseFile,
    Corpus,
    Item,
    Ref,
    Severity,
    day,
    hours,
    span_text,
)
from liuhen.supervision.detectors.thresholds import Thresholds

LAG = "record_lag"
SESSION = "backfill_session"
AFTER_DECISION = "after_decision_change"
# Entries whose recording time says nothing about diligence: files arrive when uploaded, and a
# document is made from the act it records.
NOT_ACTS = ("general.media", "general.document", "general.review_access", "evidence.stored")
DECISIONS = ("decision.decision", "decision.summary")


def acts(case: CaseFile) -> list[Item]:
    """The case's entries whose recording time says how diligently they were entered."""
    return [e for e in case.entries if e.act not in NOT_ACTS and not e.act.startswith("registry.")]


def lag_of(e: Item) -> float:
    return (e.recorded_at - e.occurred_at).total_seconds()


def who_entered(e: Item) -> str:
    return e.recorded_by or (e.actors[0] if e.actors else "")


def worst(items: list[Item], n: int = 5) -> list[Item]:
    """The ``n`` most lagging entries (ties by entry, the same in a scan and a catch-up)."""
    return sorted(items, key=lambda e: (-lag_of(e), e.case, e.seq))[:n]


def lag(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """An officer (by the entries he entered) or a unit whose median lag is over the limit."""
    by_officer: dict[str, list[Item]] = defaultdict(list)
    by_unit: dict[str, list[Item]] = defaultdict(list)
    meta: dict[str, CaseFile] = {}
    for case in corpus.cases:
        for e in acts(case):
            who = who_entered(e)
            if who:
                by_officer[who].append(e)
            by_unit[case.unit].append(e)
            meta[case.number] = case
    found: list[Anomaly] = []
    for scope, groups in (("officer", by_officer), ("unit", by_unit)):
        for who, items in groups.items():
            if len(items) < t.lag_min_entries:
                continue
            median = statistics.median(lag_of(e) for e in items)
            top = worst(items)
            case = meta[top[0].case]
            a = lag_found(scope, who, len(items), median, top, (case.unit, case.agency),
                          corpus, t)  # fmt: skip
            if a is not None:
                found.append(a)
    return found


def lag_found(
    scope: str, who: str, count: int, median: float, top: list[Item],
    where: tuple[str, str], corpus: Corpus, t: Thresholds,
) -> Anomaly | None:  # fmt: skip
    """The anomaly of a group of ``count`` entries with this median lag and these worst ones
    (``where``: the unit and agency of the worst one's case), if the median is over the limit:
    the incremental path has the count, the median and the worst from its index."""
    if count < t.lag_min_entries or median <= t.lag_median_hours * 3600:
        return None
    subject = corpus.who(who) if scope == "officer" else f"执法机构{who}"
    return Anomaly(
        LAG, Severity.LOW,
        f"{subject}录入的 {count} 条记录，从事项发生到录入的时长中位数为"
        f" {hours(median)}（上限 {t.lag_median_hours} 小时）；滞后最久的"
        f"{'、'.join(f'{e.case}案{e.label}（{hours(lag_of(e))}）' for e in top[:3])}",
        tuple(Ref(e.case, e.seq) for e in top),
        unit=where[0] if scope == "officer" else who, agency=where[1],
        officer=who if scope == "officer" else "",
        detail={"scope": scope, "median_hours": round(median / 3600, 1), "entries": count},
    )  # fmt: skip


def sessions(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """Runs of acts one person entered within minutes of each other, each long after it
    happened, describing events days apart: written up together, not as they happened."""
    by_person: dict[str, list[Item]] = defaultdict(list)
    where = {c.number: (c.unit, c.agency) for c in corpus.cases}
    for case in corpus.cases:
        for e in acts(case):
            who = who_entered(e)
            if who:
                by_person[who].append(e)
    found: list[Anomaly] = []
    for who, items in by_person.items():
        found += sessions_of(who, items, where, corpus, t)
    return found


def sessions_of(
    who: str, items: list[Item], where: dict[str, tuple[str, str]], corpus: Corpus,
    t: Thresholds,
) -> list[Anomaly]:  # fmt: skip
    """The sittings among one person's entries (all of them, or a stretch of them bounded by
    pauses longer than a sitting's gap: a sitting never crosses such a pause)."""
    gap = timedelta(minutes=t.session_gap_minutes)
    items = sorted(items, key=lambda e: (e.recorded_at, e.seq))
    found: list[Anomaly] = []
    run: list[Item] = []
    pending: list[Item | None] = [*items, None]
    for nxt in pending:
        if nxt is not None and (not run or nxt.recorded_at - run[-1].recorded_at <= gap):
            run.append(nxt)
            continue
        late = [x for x in run if lag_of(x) >= t.session_lag_hours * 3600]
        if len(late) >= t.session_min_entries:
            first = min(x.occurred_at for x in late)
            last = max(x.occurred_at for x in late)
            if (last - first).total_seconds() >= t.session_span_hours * 3600:
                unit, agency = where[late[0].case]
                cases = sorted({x.case for x in late})
                found.append(Anomaly(
                    SESSION, Severity.MEDIUM,
                    f"{corpus.who(who)}于{span_text(late[0].recorded_at, late[-1].recorded_at)}"
                    f"一次录入 {len(late)} 条记录（{'、'.join(cases)}案），所记事项发生于"
                    f"{day(first)}至{day(last)}，每条均滞后 {t.session_lag_hours} 小时以上",
                    tuple(Ref(x.case, x.seq) for x in late),
                    unit=unit, agency=agency, officer=who,
                ))  # fmt: skip
        run = [nxt] if nxt is not None else []
    return found


def after_decision(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """Evidence or corrections entered after the decision, about things before it."""
    del t  # no threshold: any such entry is worth a look
    found: list[Anomaly] = []
    for case in corpus.cases:
        decisions = case.of(*DECISIONS)
        if not decisions:
            continue
        decision = min(decisions, key=lambda d: d.recorded_at)
        for e in case.entries:
            if e.recorded_at <= decision.recorded_at:
                continue
            target = case.entry(e.corrects) if e.corrects is not None else None
            about = target or e  # a correction is about the entry it corrects
            rests = about.act.startswith("investigation.") or about.act in (
                "general.media", "general.document", "decision.draft", "decision.legal_review",
            )  # fmt: skip
            if not rests or about.occurred_at >= decision.occurred_at:
                continue
            what = f"更正{target.label}" if target is not None else e.label
            found.append(Anomaly(
                AFTER_DECISION, Severity.HIGH,
                f"{case.number}案的处理决定录入于{span_text(decision.recorded_at)}，此后的"
                f"{span_text(e.recorded_at)}又录入了{what}（记载发生于"
                f"{span_text(about.occurred_at)}，在决定之前）：决定所依据的记录在决定后被改变",
                (Ref(case.number, e.seq), Ref(case.number, decision.seq)),
                unit=case.unit, agency=case.agency,
            ))  # fmt: skip
    return found
