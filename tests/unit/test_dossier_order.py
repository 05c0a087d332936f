"""The dossier's order, from plain entry documents: volumes, procedure, corrections, pages."""

from __future__ import annotations

from typing import Any

from liuhen.procedure.dossier import MAIN, SUB, directory, items, volumes_used

AGENCY = "某区文化和旅游局"


def entry(seq: int, act: str, when: str, **fields: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "act": act,
        "occurred_at": when,
        "actors": [{"cert_no": "31010001", "name": "张伟"}],
        "body": {"fields": fields, "attachments": []},
    }


def doc(seq: int, act_seq: int, doc_type: str, day: str, **extra: Any) -> dict[str, Any]:
    return entry(
        seq, "general.document", f"{day}T12:00:00+08:00", doc_type=doc_type, act_seq=act_seq,
        digest=f"sha256:{seq:064x}", issued_at=f"{day}T12:00:00+08:00",
        signatures=[{"role": "officer", "name": "张伟"}, {"role": "officer", "name": "李娜"}],
        **extra,
    )  # fmt: skip


def case_entries() -> list[dict[str, Any]]:
    return [
        entry(1, "initiation.ex_officio", "2026-11-02T09:00:00+08:00"),
        entry(2, "investigation.inquiry", "2026-11-03T10:00:00+08:00"),
        entry(3, "decision.decision", "2026-11-10T10:00:00+08:00"),
        # Issued late, out of procedural order: the decision first, then the approval form.
        doc(4, 3, "penalty_decision", "2026-11-11", number="某文旅罚决〔2026〕1号"),
        doc(5, 1, "filing_approval", "2026-11-11", number="某文旅立〔2026〕1号"),
        doc(6, 2, "inquiry_record", "2026-11-12"),
        doc(7, 2, "inquiry_record", "2026-11-13", supersedes=6),
        entry(
            8,
            "general.media",
            "2026-11-03T10:00:00+08:00",
            digest="sha256:" + "a" * 64,
            kind="video",
            device_no="DSJ-01",
            act_seq=2,
        ),
        doc(9, 3, "legal_review_opinion", "2026-11-09"),
        doc(10, 3, "dossier_index", "2026-11-20"),  # made with the dossier: not a case file
    ]


def test_main_volume_in_procedural_order_then_internal_papers():
    files = items(case_entries(), AGENCY, {"sha256:" + "a" * 64: "现场.mp4"})
    assert [(f.volume, f.seq) for f in files] == [
        (MAIN, 7), (MAIN, 8), (MAIN, 4), (SUB, 5), (SUB, 9),
    ]  # fmt: skip
    transcript, video, decision = files[0], files[1], files[2]
    assert transcript.title == "询问笔录" and transcript.responsible == "张伟、李娜"
    assert transcript.note == "更正后的版本"  # the superseded version (6) is not filed
    assert decision.responsible == AGENCY and decision.number == "某文旅罚决〔2026〕1号"
    assert video.kind == "media" and "现场.mp4" in video.title and video.day == "2026-11-03"


def test_a_clip_used_as_evidence_carries_its_statement_into_the_directory():
    """001 第十七条: the 说明 made when a clip becomes evidence is filed with it (附卷)."""
    clip = "sha256:" + "a" * 64
    use = entry(
        11, "general.evidence_use", "2026-11-15T09:00:00+08:00", digests=[clip],
        purpose="证明2026年11月3日当事人拒绝出示营业执照的经过", medium="DVD-R 光盘 WL-2026-017",
    )  # fmt: skip
    files = items([*case_entries(), use], AGENCY)
    video = next(f for f in files if f.kind == "media")
    assert video.note.endswith(
        "；作为证据使用（记录序号 11）：证明2026年11月3日当事人拒绝出示营业执照的经过，"
        "转存介质 DVD-R 光盘 WL-2026-017"
    )
    plain = next(f for f in items(case_entries(), AGENCY) if f.kind == "media")
    assert "作为证据" not in plain.note


def test_page_numbers_run_on_and_files_without_pages_keep_their_number():
    files = items(case_entries(), AGENCY)
    pages = {f.digest: n for f, n in zip(files, (3, 0, 2, 1, 2), strict=True) if n}
    rows = directory(files, pages)
    assert [r.position for r in rows] == [1, 2, 3, 4, 5]
    assert [r.pages for r in rows] == ["1–3", "", "4–5", "6", "7–8"]
    assert volumes_used(rows) == 2


def test_an_empty_case_has_an_empty_directory():
    rows = directory(items([entry(1, "initiation.ex_officio", "2026-11-02T09:00:00+08:00")],
                           AGENCY), {})  # fmt: skip
    assert rows == [] and volumes_used(rows) == 1
