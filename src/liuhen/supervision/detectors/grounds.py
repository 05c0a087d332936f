"""A decision resting on evidence the record never collected, and acts in an order that cannot
be (a decision served before it was made, a decision made before its legal review)."""

from __future__ import annotations

import re
from datetime import date, datetime

from liuhen.procedure.catalog import act_type
from liuhen.supervision.detectors.model import (
    Anomaly,
    CaseFile,
    Corpus,
    Item,
    Ref,
    Severity,
    span_text,
)
from liuhen.supervision.detectors.thresholds import Thresholds

UNBACKED = "evidence_unbacked"
ORDER = "order_contradiction"
DECISIONS = ("decision.decision", "decision.summary")
# What an evidence item's words say it is, and the acts that would have produced it.
KINDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("现场检查笔录", "检查笔录", "核查笔录", "勘验笔录"), ("investigation.inspection",)),
    (("询问笔录", "调查笔录", "询问记录"), ("investigation.inquiry",)),
    (("抽样", "取样"), ("investigation.sampling",)),
    (("鉴定意见", "检测报告", "检验报告", "鉴定报告"), ("investigation.appraisal",)),
    (("先行登记保存",), ("investigation.preservation",)),
    (("查封",), ("investigation.seal",)),
    (("扣押",), ("investigation.seize",)),
    (("视听资料", "录像", "音像", "现场照片", "照片"), ("general.media",)),
    (("调取", "提供的", "出具的"), ("investigation.evidence_request",)),
)
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _items(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    if isinstance(value, str):
        return [p for p in re.split(r"[；;\n]", value) if p.strip()]
    return []


def _days(e: Item) -> set[date]:
    out = {e.occurred_at.date()}
    for name in ("started_at", "ended_at", "collected_at", "executed_at"):
        t = e.time(name)
        if t is not None:
            out.add(t.date())
    return out


def unbacked(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    del t
    found: list[Anomaly] = []
    for case in corpus.cases:
        for source in case.of("decision.draft", *DECISIONS):
            for text in _items(source.fields.get("evidence")):
                acts = next((a for words, a in KINDS if any(w in text for w in words)), None)
                if acts is None:
                    continue  # a kind of evidence no act records (书证 handed over, …)
                behind = [e for e in case.of(*acts) if e.occurred_at <= source.occurred_at]
                if "general.media" in acts:  # photos may be files the act itself carries
                    behind += [e for e in case.entries if e.attachments
                               and e.occurred_at <= source.occurred_at]  # fmt: skip
                m = DATE.search(text)
                if m:
                    try:
                        when = date(int(m[1]), int(m[2]), int(m[3]))
                    except ValueError:  # no such day: nothing can have been done on it
                        behind = []
                    else:
                        behind = [e for e in behind if when in _days(e)]
                if behind:
                    continue
                found.append(Anomaly(
                    UNBACKED, Severity.HIGH,
                    f"{case.number}案{source.label}列明的证据“{text.strip()}”，在本案记录中找不到"
                    f"与之对应的{'或'.join(_label(a) for a in acts)}"
                    f"{'（当日）' if m else ''}",
                    (Ref(case.number, source.seq),),
                    unit=case.unit, agency=case.agency, detail={"evidence": text.strip()},
                ))  # fmt: skip
    return found


def _label(act: str) -> str:
    spec = act_type(act)
    return spec.label if spec else act


def _order(case: CaseFile, early: Item, late: Item, early_at: datetime, late_at: datetime,
           why: str) -> Anomaly:  # fmt: skip
    return Anomaly(
        ORDER,
        Severity.HIGH,
        f"{case.number}案{early.label}记载于{span_text(early_at)}，早于{late.label}"
        f"（{span_text(late_at)}）：{why}",
        (Ref(case.number, early.seq), Ref(case.number, late.seq)),
        unit=case.unit,
        agency=case.agency,
    )


def order(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    del t
    found: list[Anomaly] = []
    for case in corpus.cases:
        decisions = case.of("decision.decision")
        reviews = case.of("decision.legal_review")
        for d in decisions:
            number = str(d.fields.get("document_no") or "")
            for s in case.entries:
                if not s.act.startswith("service.") or not number:
                    continue
                if s.fields.get("document_no") != number:
                    continue
                served = s.time("served_at") or s.occurred_at
                if served < d.occurred_at:
                    found.append(_order(case, s, d, served, d.occurred_at,
                                        "决定书在作出之前就已送达"))  # fmt: skip
            if reviews and all(r.occurred_at > d.occurred_at for r in reviews):
                r = min(reviews, key=lambda r: r.occurred_at)
                found.append(_order(case, d, r, d.occurred_at, r.occurred_at,
                                    "决定在法制审核之前就已作出"))  # fmt: skip
            for doc in case.of("general.document"):
                issued = doc.time("issued_at")
                if doc.fields.get("act_seq") != d.seq or issued is None or not reviews:
                    continue
                if all(r.occurred_at > issued for r in reviews):
                    r = min(reviews, key=lambda r: r.occurred_at)
                    found.append(_order(case, doc, r, issued, r.occurred_at,
                                        "决定书在法制审核之前就已签署"))  # fmt: skip
    return found
