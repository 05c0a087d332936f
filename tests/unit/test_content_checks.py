"""The ``content_check`` rule kind and its result lines (审看、核对记录), without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from liuhen.compliance import packs
from liuhen.rules import content
from liuhen.rules import pack as P
from liuhen.rules.calendar import WorkingCalendar
from liuhen.rules.checks import Context, content_check
from liuhen.rules.findings import Severity
from liuhen.rules.record import CaseRecord, Entry

T0 = datetime(2026, 10, 16, 12, 0, tzinfo=UTC)
PACK_001 = packs.load_pack("001")
PACK_003 = packs.load_pack("003")
CTX = Context(T0 + timedelta(days=30), WorkingCalendar.default())


def _e(seq: int, act: str, **fields: object) -> Entry:
    return Entry(seq, act, T0 + timedelta(hours=seq), (), fields)


def _check(seq: int, subject: int, checklist: str, *lines: str) -> Entry:
    return _e(seq, content.ACT, subject_seq=subject, checklist=checklist, results=list(lines))


def _rec(*entries: Entry) -> CaseRecord:
    return CaseRecord("测试〔2026〕1号", "ordinary", "penalty", list(entries))


def test_result_lines_round_trip_and_odd_lines_are_skipped() -> None:
    line = content.ItemResult("现场环境", "不符合", "未拍摄全景").line()
    assert line == "现场环境：不符合：未拍摄全景"
    assert content.parse_line(line) == content.ItemResult("现场环境", "不符合", "未拍摄全景")
    assert content.parse_line("起止时间:符合") == content.ItemResult("起止时间", "符合")
    assert content.parse_line("起止时间：大致符合") is None
    assert content.parse_line("没有冒号") is None


def test_problems_ask_every_item_a_note_for_a_failure_and_no_unknown_item() -> None:
    rule = PACK_003.rule("content.paper_marks")
    assert content.problems(rule, {"更改处手印": ("不适用", ""), "骑缝手印": ("符合", "")}) == []
    found = content.problems(rule, {"骑缝手印": ("不符合", " "), "印章": ("符合", "")})
    assert found == [
        ("印章", "核对清单中没有“印章”一项"),
        ("更改处手印", "请选择“更改处手印”的核对结果：符合、不符合或不适用"),
        ("骑缝手印", "“骑缝手印”不符合的，须说明情况"),
    ]


def test_paper_checklist_applies_only_to_party_records_without_a_system_pdf() -> None:
    rule = PACK_003.rule("content.paper_marks")
    paper = _e(3, "general.document", doc_type="inquiry_record")
    made = _e(4, "general.document", doc_type="inquiry_record", digest="sha256:ab")
    decision = _e(5, "general.document", doc_type="penalty_decision")
    assert [e.seq for e in content.subjects(rule, _rec(paper, made, decision))] == [3]
    assert set(content.checklists(PACK_003, paper)) == {"content.paper_marks"}
    assert content.checklists(PACK_003, _e(6, "general.media", kind="video")) == {
        "content.av_focus": PACK_003.rule("content.av_focus")
    }


def test_a_failed_item_cites_its_own_paragraph_and_a_later_check_supersedes() -> None:
    rule = PACK_001.rule("content.av_focus")
    assert isinstance(rule, P.ContentCheck)
    clip = _e(2, "general.media", kind="video", device_no="ZFJLY-0231")
    bad = _check(3, 2, "content.av_focus", "证据：不符合：未拍摄涉案电脑屏幕", "起止时间：符合")
    (f,) = content_check("content.av_focus", rule, _rec(clip, bad), CTX)
    assert (f.code, f.severity, f.cite, f.seqs) == (
        "content.av_focus:nonconforming",
        Severity.VIOLATION,
        ("001 第十一条第四项",),
        (2, 3),
    )
    assert "录像（第2号记录，设备 ZFJLY-0231）" in f.message and "未拍摄涉案电脑屏幕" in f.message
    good = _check(4, 2, "content.av_focus", "证据：符合")
    assert list(content_check("content.av_focus", rule, _rec(clip, bad, good), CTX)) == []
    other = _check(4, 2, "content.written_record", "证据：符合")  # another checklist: no effect
    assert len(list(content_check("content.av_focus", rule, _rec(clip, bad, other), CTX))) == 1


def test_unchecked_records_are_one_hint_once_the_case_reaches_review() -> None:
    rule = PACK_001.rule("content.written_record")
    d1 = _e(2, "general.document", doc_type="inquiry_record")
    d2 = _e(3, "general.document", doc_type="inspection_record")
    checked = _check(4, 3, "content.written_record", "规范用语：符合", "记录清晰：符合")
    assert list(content_check("content.written_record", rule, _rec(d1, d2, checked), CTX)) == []
    review = _e(5, "decision.legal_review")
    (f,) = content_check("content.written_record", rule, _rec(d1, d2, checked, review), CTX)
    assert (f.code, f.severity, f.seqs) == ("content.written_record:unchecked", Severity.WARNING,
                                            (2, 5))  # fmt: skip
    assert "《询问笔录》（纸质）（第2号记录）" in f.message
    later = _e(6, "general.document", doc_type="inquiry_record")  # after review: not asked
    assert len(list(content_check("content.written_record", rule,
                                  _rec(d1, d2, checked, review, later), CTX))) == 1  # fmt: skip
