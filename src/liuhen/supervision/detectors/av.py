"""A record whose stated times the audio-video does not bear out: an act (or its 笔录) stated at
times its video does not cover, video made after the act it records ended, and video started
before the pre-use check of the camera that made it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from liuhen.supervision.detectors.model import (
    Anomaly,
    CaseFile,
    Corpus,
    Item,
    Ref,
    Severity,
    day,
    span_text,
)
from liuhen.supervision.detectors.presence import AV_KINDS
from liuhen.supervision.detectors.thresholds import Thresholds

OUTSIDE = "av_outside_time"
AFTER = "av_after_act"
BEFORE_CHECK = "av_before_check"
ON_SITE_RECORDS = ("inquiry_record", "inspection_record")  # signed where the act was done
# Acts whose stated time is not when anyone was filmed: a 公告送达 is dated by its publication,
# the posting of the notice at the party's address is filmed when it is done.
POSTED = ("service.public_notice",)


def _av(case: CaseFile) -> dict[int, list[tuple[Item, datetime, datetime]]]:
    """Each act's audio-video files with their times, by the act's seq."""
    out: dict[int, list[tuple[Item, datetime, datetime]]] = defaultdict(list)
    for m in case.of("general.media"):
        act, span = m.fields.get("act_seq"), m.span()
        if isinstance(act, int) and span and m.fields.get("kind") in AV_KINDS:
            out[act].append((m, *span))
    return out


def _uncovered(start: datetime, end: datetime, spans: list[tuple[datetime, datetime]]) -> float:
    """Minutes of [start, end] no span covers."""
    covered, cursor = 0.0, start
    for s, e in sorted(spans):
        s, e = max(s, cursor), min(e, end)
        if e > s:
            covered += (e - s).total_seconds()
            cursor = e
    return ((end - start).total_seconds() - covered) / 60


def _files(media: list[tuple[Item, datetime, datetime]]) -> str:
    return "、".join(f"{s:%H:%M}–{e:%H:%M}" for _, s, e in sorted(media, key=lambda m: m[1]))


def _check_act(case: CaseFile, act: Item, media: list[tuple[Item, datetime, datetime]],
               t: Thresholds) -> list[Anomaly]:  # fmt: skip
    tol = timedelta(minutes=t.av_tolerance_minutes)
    refs = (Ref(case.number, act.seq), *(Ref(case.number, m.seq) for m, _, _ in media))
    first, last = min(s for _, s, _ in media), max(e for _, _, e in media)
    span = act.span()
    if act.act in POSTED:
        return []
    if span is None:  # a point act: its video should start about when it was done
        if first - act.occurred_at > timedelta(minutes=t.point_av_minutes):
            return [Anomaly(
                AFTER, Severity.MEDIUM,
                f"{case.number}案{act.label}记载于{span_text(act.occurred_at)}，其音像记录却从"
                f"{span_text(first, last)}才开始拍摄",
                refs, unit=case.unit, agency=case.agency,
            )]  # fmt: skip
        return []
    start, end = span
    if first >= end + tol:
        return [Anomaly(
            AFTER, Severity.HIGH,
            f"{case.number}案{act.label}记载为{span_text(start, end)}，"
            f"其音像记录却在事项结束后才拍摄（{span_text(first, last)}）",
            refs, unit=case.unit, agency=case.agency,
        )]  # fmt: skip
    gap = _uncovered(start, end, [(s, e) for _, s, e in media])
    if gap > t.av_tolerance_minutes:
        return [Anomaly(
            OUTSIDE, Severity.HIGH,
            f"{case.number}案{act.label}记载为{span_text(start, end)}，音像记录为"
            f"{day(first)}{_files(media)}，其中 {gap:.0f} 分钟没有音像",
            refs, unit=case.unit, agency=case.agency, detail={"uncovered_minutes": round(gap)},
        )]  # fmt: skip
    return []


def _check_records(case: CaseFile, act: Item, media: list[tuple[Item, datetime, datetime]],
                   t: Thresholds) -> list[Anomaly]:  # fmt: skip
    """The act's 笔录 signed at a time the video shows nothing of."""
    tol = timedelta(minutes=t.av_tolerance_minutes)
    first, last = min(s for _, s, _ in media), max(e for _, _, e in media)
    out = []
    for doc in case.of("general.document"):
        issued = doc.time("issued_at")
        if (
            doc.fields.get("act_seq") != act.seq
            or doc.fields.get("doc_type") not in ON_SITE_RECORDS
        ):
            continue
        if issued is None or first - tol <= issued <= last + tol:
            continue
        out.append(Anomaly(
            OUTSIDE, Severity.MEDIUM,
            f"{case.number}案{act.label}的笔录签署于{span_text(issued)}，而该事项的音像记录为"
            f"{span_text(first, last)}：签署时不在现场记录之内",
            (Ref(case.number, doc.seq), Ref(case.number, act.seq),
             *(Ref(case.number, m.seq) for m, _, _ in media)),
            unit=case.unit, agency=case.agency,
        ))  # fmt: skip
    return out


def outside(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    found: list[Anomaly] = []
    for case in corpus.cases:
        for seq, media in _av(case).items():
            act = case.entry(seq)
            if act is None:
                continue
            found += _check_act(case, act, media, t)
            found += _check_records(case, act, media, t)
    return found


def before_check(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """Video from a camera whose pre-use check (in the same case, the same day) came later."""
    tol = timedelta(minutes=t.av_tolerance_minutes)
    found: list[Anomaly] = []
    for case in corpus.cases:
        checks: dict[tuple[str, object], Item] = {}
        for c in case.of("general.device_check"):
            key = (str(c.fields.get("device_no") or ""), c.occurred_at.date())
            if key not in checks or c.occurred_at < checks[key].occurred_at:
                checks[key] = c
        for m in case.of("general.media"):
            span = m.span()
            if span is None or m.fields.get("kind") not in AV_KINDS:
                continue
            check = checks.get((str(m.fields.get("device_no") or ""), span[0].date()))
            if check is None or check.occurred_at <= span[0] + tol:
                continue
            found.append(Anomaly(
                BEFORE_CHECK, Severity.MEDIUM,
                f"{case.number}案执法记录仪 {m.fields.get('device_no')} 的音像记录从"
                f"{span_text(*span)}开始，而该设备当天的使用前检查记载于"
                f"{span_text(check.occurred_at)}，晚于拍摄",
                (Ref(case.number, m.seq), Ref(case.number, check.seq)),
                unit=case.unit, agency=case.agency,
            ))  # fmt: skip
    return found
