"""Each anomaly detector on a compliant record (nothing found) and on one planted anomaly
(found, explained in Chinese, resting on the planted entries). Pure: plain entry documents."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from liuhen.supervision.detectors import av, backfill, copies, grounds, presence
from liuhen.supervision.detectors.model import Assignment, Corpus, Ref, case_file
from liuhen.supervision.detectors.run import detect
from liuhen.supervision.detectors.thresholds import Thresholds, with_values

T = Thresholds()
DAY = datetime.fromisoformat("2026-11-03T09:00:00+08:00")
OFFICERS = {"11010001": "周立衡", "11010002": "韩晓雯", "11010003": "邓家明", "11010004": "沈若兰"}


def at(minutes: float, days: int = 0) -> str:
    return (DAY + timedelta(days=days, minutes=minutes)).isoformat()


def later(time: str, minutes: int) -> str:
    return (datetime.fromisoformat(time) + timedelta(minutes=minutes)).isoformat()


class Case:
    """A case's entry documents, built act by act (seq global, as the journal's)."""

    seq = 0

    def __init__(self, number: str, officers: tuple[str, str] = ("11010001", "11010002")):
        self.number, self.officers = number, officers
        self.docs: list[dict[str, Any]] = []
        self.add("initiation.ex_officio", at(0), fields={"parties": [{"name": f"{number}当事人"}]})

    def add(self, act: str, occurred: str, recorded: str | None = None, *,
            actors: tuple[str, ...] | None = None, corrects: int | None = None,
            **fields: Any) -> int:  # fmt: skip
        Case.seq += 1
        by = (actors or self.officers)[0] if (actors or self.officers) else "admin"
        self.docs.append({
            "seq": Case.seq, "act": act, "occurred_at": occurred,
            "recorded_at": recorded or later(occurred, 30),
            "actors": [{"cert_no": c} for c in (self.officers if actors is None else actors)],
            "body": {"fields": fields.pop("fields", fields), "corrects": corrects,
                     "recorded_by": {"id": by}},
        })  # fmt: skip
        return Case.seq

    def inquiry(self, start: float, end: float, days: int = 0, transcript: str = "") -> int:
        return self.add("investigation.inquiry", at(start, days), started_at=at(start, days),
                        ended_at=at(end, days), transcript=transcript or "问：你好")  # fmt: skip

    def video(self, act_seq: int, start: float, end: float, days: int = 0,
              device: str = "ZFJLY-01", digest: str = "") -> int:  # fmt: skip
        return self.add("general.media", at(start, days), actors=(self.officers[1],),
                        digest=digest or f"sha256:{Case.seq:064d}", kind="video",
                        device_no=device, act_seq=act_seq, started_at=at(start, days),
                        ended_at=at(end, days))  # fmt: skip

    def file(self) -> Any:
        return case_file(self.number, "zd1", "whlyj", self.docs)


def corpus(*cases: Case, **kw: Any) -> Corpus:
    return Corpus([c.file() for c in cases], officers=OFFICERS, **kw)


def kinds(found: list[Any]) -> list[str]:
    return [a.kind for a in found]


# 1. one officer in two places ------------------------------------------------------------


def test_overlap_of_two_cases_by_one_officer():
    a, b = Case("A"), Case("B", ("11010001", "11010003"))
    a.inquiry(60, 100)
    honest = corpus(a, b)
    b.inquiry(130, 170)  # after A's inquiry: no overlap
    assert presence.overlaps(corpus(a, b), T) == [] and presence.overlaps(honest, T) == []
    planted = b.add("investigation.inspection", at(80), started_at=at(80), ended_at=at(120))
    found = presence.overlaps(corpus(a, b), T)
    assert kinds(found) == ["officer_overlap"]
    assert found[0].officer == "11010001" and Ref("B", planted) in found[0].refs
    assert found[0].explanation.startswith(
        "执法人员周立衡（11010001）2026年11月3日10:00–10:40在A案"
    )
    assert "同时" in found[0].explanation and "B案现场检查" in found[0].explanation


def test_travel_too_fast_between_two_capture_positions():
    a, b = Case("A"), Case("B")
    va = a.video(a.inquiry(60, 100), 60, 100, digest="sha256:" + "a" * 64)
    vb = b.video(b.inquiry(110, 150), 110, 150, digest="sha256:" + "b" * 64)
    near = {"sha256:" + "a" * 64: (39.90, 116.40), "sha256:" + "b" * 64: (39.91, 116.41)}
    assert presence.travel(corpus(a, b, gps=near), T) == []
    far = {"sha256:" + "a" * 64: (39.90, 116.40), "sha256:" + "b" * 64: (31.23, 121.47)}
    found = presence.travel(corpus(a, b, gps=far), T)
    assert kinds(found) == ["officer_travel"] * 2  # both officers
    assert {Ref("A", va), Ref("B", vb)} == set(found[0].refs) and "千米" in found[0].explanation


def test_video_from_a_camera_assigned_to_someone_else():
    a = Case("A")
    a.video(a.inquiry(60, 100), 60, 100, device="ZFJLY-09")
    given = [Assignment("ZFJLY-09", "11010002", DAY - timedelta(days=30))]
    assert presence.devices(corpus(a, assignments=given), T) == []
    moved = [*given, Assignment("ZFJLY-09", "11010004", DAY - timedelta(days=1))]
    found = presence.devices(corpus(a, assignments=moved), T)
    assert kinds(found) == ["device_not_assigned"] and found[0].officer == "11010004"
    assert "沈若兰" in found[0].explanation and "ZFJLY-09" in found[0].explanation


# 2. times the audio-video does not bear out -------------------------------------------------


def test_inquiry_whose_video_runs_at_other_times():
    a = Case("A")
    a.video(a.inquiry(60, 100), 58, 101)
    assert av.outside(corpus(a), T) == []
    b = Case("B")
    b.video(b.inquiry(60, 100), 60, 75)  # 25 of the 40 minutes without video
    found = av.outside(corpus(b), T)
    assert kinds(found) == ["av_outside_time"] and "25 分钟没有音像" in found[0].explanation
    c = Case("C")
    c.video(c.inquiry(60, 100), 300, 320)  # the 10:00–10:40 with video 14:00–14:20
    found = av.outside(corpus(c), T)
    assert kinds(found) == ["av_after_act"] and "14:00–14:20" in found[0].explanation


def test_record_signed_outside_its_video():
    a = Case("A")
    act = a.inquiry(60, 100)
    a.video(act, 60, 100)
    a.add("general.document", at(100), doc_type="inquiry_record", act_seq=act, issued_at=at(100))
    assert av.outside(corpus(a), T) == []
    a.add("general.document", at(400), doc_type="inquiry_record", act_seq=act, issued_at=at(400))
    assert kinds(av.outside(corpus(a), T)) == ["av_outside_time"]


def test_video_before_the_cameras_check():
    a = Case("A")
    a.add("general.device_check", at(50), device_no="ZFJLY-01", works=True)
    a.video(a.inquiry(60, 100), 60, 100)
    assert av.before_check(corpus(a), T) == []
    b = Case("B")
    b.add("general.device_check", at(120), device_no="ZFJLY-01", works=True)
    v = b.video(b.inquiry(60, 100), 60, 100)
    found = av.before_check(corpus(b), T)
    assert kinds(found) == ["av_before_check"] and Ref("B", v) in found[0].refs


# 3. backfill --------------------------------------------------------------------------------


def test_an_officer_who_records_days_late():
    a = Case("A")
    for d in range(6):
        a.inquiry(60, 100, days=d)
    assert backfill.lag(corpus(a), T) == []
    b = Case("B", ("11010003", "11010004"))
    for d in range(6):
        b.add("investigation.inspection", at(60, d), at(60, d + 5), started_at=at(60, d),
              ended_at=at(100, d))  # fmt: skip
    found = backfill.lag(corpus(a, b), T)
    assert {(x.detail["scope"], x.officer) for x in found} == {("officer", "11010003")}
    assert "中位数" in found[0].explanation


def test_records_entered_in_one_sitting_long_after():
    a = Case("A")
    for d in range(5):
        a.inquiry(60, 100, days=d)
    assert backfill.sessions(corpus(a), T) == []
    b = Case("B", ("11010003", "11010004"))
    sitting = [
        b.add("investigation.inquiry", at(60, d), at(60 + 3 * d, 10), started_at=at(60, d),
              ended_at=at(100, d))
        for d in range(5)
    ]  # fmt: skip
    found = backfill.sessions(corpus(a, b), T)
    assert kinds(found) == ["backfill_session"] and {r.seq for r in found[0].refs} == set(sitting)
    assert "一次录入 5 条记录" in found[0].explanation


def test_evidence_entered_after_the_decision():
    a = Case("A")
    asked = a.inquiry(60, 100)
    a.add("decision.decision", at(0, 10), document_no="罚决1号")
    a.add("execution.compliance", at(0, 20))
    assert backfill.after_decision(corpus(a), T) == []
    late = a.add("investigation.inspection", at(60, 2), at(0, 12), started_at=at(60, 2),
                 ended_at=at(90, 2))  # fmt: skip
    fix = a.add("general.correction", at(0, 13), corrects=asked, changes={"transcript": "改了"})
    found = backfill.after_decision(corpus(a), T)
    assert kinds(found) == ["after_decision_change"] * 2
    assert {found[0].refs[0].seq, found[1].refs[0].seq} == {late, fix}


# 4. copies ----------------------------------------------------------------------------------

COPIED = (
    "问：你公司是否取得营业性演出许可证？答：没有取得，我们以为在自己租用的场地演出不需要办理许可。"
    "问：本次演出门票通过什么渠道销售，共售出多少张？答：通过某票务平台网络销售，一共卖出二百一十六张，"
    "票价分为一百二十元和一百八十元两档，收入全部进入公司账户。问：演出收入如何分配？答：扣除场地租金和"
    "乐队出场费后，剩余部分归公司所有，具体账目由财务人员负责保管，可以提供给你们核查。"
)


def test_transcripts_copied_between_cases():
    a, b = Case("A"), Case("B", ("11010003", "11010004"))
    sa = a.inquiry(60, 100, transcript=COPIED)
    other = (
        "问：你店铺的食品经营许可证是否在有效期内？答：许可证去年十二月到期，"
        "我们已经提交了延续申请，还在审批中。问：冷藏柜中的熟食是什么时候购进的？"
        "答：前天上午从批发市场进的货，进货单据在收银台抽屉里，我现在就可以拿给你们看。"
        "问：是否对员工进行过健康检查？答：三名员工都有健康证。"
    )
    b.inquiry(60, 100, transcript=other)
    assert copies.copies(corpus(a, b), T) == []
    c = Case("C", ("11010003", "11010004"))
    sc = c.inquiry(60, 100, transcript=COPIED.replace("二百一十六", "一百九十八"))
    found = copies.copies(corpus(a, b, c), T)
    assert kinds(found) == ["transcript_copy"] and set(found[0].refs) == {
        Ref("A", sa),
        Ref("C", sc),
    }
    shared = found[0].detail["passages"]
    assert shared and all(p["a_end"] > p["a_start"] for p in shared)
    first = shared[0]
    text_a, text_c = found[0].detail["a"]["text"], found[0].detail["b"]["text"]
    assert text_a[first["a_start"] : first["a_end"]] == text_c[first["b_start"] : first["b_end"]]


def test_copies_judged_in_journal_order_whatever_the_batches():
    """A text is judged against those before it, in journal order: streaming the versions in
    two batches over one store finds what one stream finds; a correction that rewrites the copy
    is a new version, and what was found about the old one goes."""
    a, c = Case("A"), Case("C", ("11010003", "11010004"))
    sa = a.inquiry(60, 100, transcript=COPIED)
    sc = c.inquiry(60, 100, transcript=COPIED.replace("二百一十六", "一百九十八"))
    versions = [v for case in (a, c) for v in copies.versions(case.file())]
    whole: dict[str, Any] = {}
    copies.stream(versions, copies.MemoryStore(), T, whole)
    store = copies.MemoryStore()
    split: dict[str, Any] = {}
    for part in (versions[:1], versions[1:]):
        copies.stream(part, store, T, split)
    assert set(split) == set(whole) and len(whole) == 1
    assert set(next(iter(whole.values())).refs) == {Ref("A", sa), Ref("C", sc)}

    own = "问：今天检查发现的问题你是否认可？答：认可，我们马上整改，以后严格按照要求进行经营。" * 3
    c.add(
        "general.correction", at(200), corrects=sc, reason="笔录记错", changes={"transcript": own}
    )
    fixed = [v for v in copies.versions(c.file()) if v.version > sc]
    assert [v.text for v in fixed] == [own]
    copies.stream(fixed, store, T, split)
    assert split == {} and copies.copies(corpus(a, c), T) == []


def test_candidates_by_the_shortest_posting_lists_are_those_counted_over_all():
    """Prefix filtering (only the shortest posting lists counted) finds exactly the texts that
    counting every rare 4-gram's list finds, whatever the lists' lengths and ``least``."""
    rng = random.Random(15)
    store = copies.MemoryStore()
    for i in range(300):  # 4-grams 0..59: a few common, most rare, as a scan meets them
        grams = {g for g in range(60) if rng.random() < (0.6 if g < 6 else 0.08)}
        store.put(copies.Version(f"C{i}", i, i, "investigation.inquiry", "transcript", "", "u",
                                 "a", ""), grams)  # fmt: skip
    store.drop("C7", 7)
    for _ in range(200):
        rare = {g for g in range(70) if rng.random() < 0.3}
        for least in (0, 1, 2, 3, 5, len(rare), len(rare) + 1):
            counted = Counter(k for g in rare for k in store.postings.get(("a", g), ()))
            want = {k for k, n in counted.items() if n >= least}
            assert store.candidates("a", rare, least, ("X", 0)) == want


# 5. grounds and order -----------------------------------------------------------------------


def test_evidence_named_with_nothing_behind_it():
    a = Case("A")
    a.inquiry(60, 100)
    a.add("decision.draft", at(0, 5), evidence=["询问笔录（2026年11月3日）", "营业执照复印件"])
    assert grounds.unbacked(corpus(a), T) == []
    a.add("decision.draft", at(0, 6), evidence=["现场检查笔录（2026年11月2日）"])
    found = grounds.unbacked(corpus(a), T)
    assert kinds(found) == ["evidence_unbacked"] and "现场检查笔录" in found[0].explanation


def test_service_before_decision_and_decision_before_review():
    a = Case("A")
    a.add("decision.legal_review", at(0, 4), actors=("11010004",), conclusion="同意")
    d = a.add("decision.decision", at(0, 5), document_no="罚决1号")
    a.add("service.direct", at(60, 5), document_no="罚决1号", served_at=at(60, 5))
    assert grounds.order(corpus(a), T) == []
    b = Case("B")
    d = b.add("decision.decision", at(0, 5), document_no="罚决2号")
    b.add("decision.legal_review", at(0, 6), actors=("11010004",), conclusion="同意")
    s = b.add("service.direct", at(0, 4), document_no="罚决2号", served_at=at(0, 4))
    found = grounds.order(corpus(b), T)
    assert sorted(kinds(found)) == ["order_contradiction"] * 2
    assert any(Ref("B", s) in x.refs and "送达" in x.explanation for x in found)
    assert any(Ref("B", d) in x.refs and "法制审核" in x.explanation for x in found)


# the whole run and the settings ---------------------------------------------------------------


def test_detect_runs_each_detector_once_and_keys_are_stable():
    a, b = Case("A"), Case("B", ("11010001", "11010003"))
    a.inquiry(60, 100)
    b.inquiry(70, 110)
    first, again = detect(corpus(a, b), T), detect(corpus(a, b), T)
    assert kinds(first) == ["officer_overlap"] and first[0].key == again[0].key


def test_thresholds_take_known_valid_values_only():
    t, bad = with_values(T, {"overlap_minutes": "15", "copy_similarity": "2", "nope": 1})
    assert t.overlap_minutes == 15 and t.copy_similarity == T.copy_similarity
    assert sorted(bad) == ["copy_similarity", "nope"]
