"""The 听证笔录 page reads each hearing participant's pad (003 第十六条): his drawing, or
拒绝签字/中途退出 ticked with its note — one of the two; neither, both, or a tick without a
note is refused at his pad or note, each with a Chinese message."""

from __future__ import annotations

from liuhen.documents.issuing import Attendee, listed_attendees, read_attendees

AGENT = Attendee(1, "温志诚", "委托代理人")
THIRD = Attendee(2, "赵小梅", "第三人")


def test_a_drawing_or_a_noted_leaving_goes_into_participants() -> None:
    form = {"participant_png_1": "iVBOR", "participant_left_2": "1",
            "participant_note_2": " 听证中途退出 "}  # fmt: skip
    given, problems = read_attendees(form, [AGENT, THIRD])
    assert problems == []
    assert given == [
        {"name": "温志诚", "as": "委托代理人", "signature_png": "iVBOR"},
        {"name": "赵小梅", "as": "第三人", "note": "听证中途退出"},
    ]


def test_neither_both_or_a_tick_without_its_note_is_refused_at_the_pad() -> None:
    neither, problems = read_attendees({}, [AGENT])
    assert neither == []
    assert [(p.field, p.kind) for p in problems] == [("participant_png_1", "signature")]
    assert "委托代理人温志诚须核对笔录后在其签名板手写签名" in problems[0].message
    both = {"participant_png_1": "iVBOR", "participant_left_1": "1", "participant_note_1": "拒签"}
    _, problems = read_attendees(both, [AGENT])
    assert [p.field for p in problems] == ["participant_png_1"]
    _, problems = read_attendees({"participant_left_2": "1"}, [THIRD])
    assert [(p.field, p.kind) for p in problems] == [("participant_note_2", "required")]
    long = {"participant_left_2": "1", "participant_note_2": "退" * 501}
    _, problems = read_attendees(long, [THIRD])
    assert [(p.field, p.kind) for p in problems] == [("participant_note_2", "too_long")]


LISTED: list[object] = [
    {"name": "蒋卫东", "role": "听证申请人（当事人法定代表人）"},
    {"name": "温志诚", "role": "代理人"},
    {"name": "赵小梅", "role": "第三人"},
    {"name": "周立衡", "role": "案件承办人"},
    {"name": "温志诚", "role": "委托代理人"},
]


def test_each_listed_participant_but_the_party_and_the_officers_gets_a_pad() -> None:
    pads = listed_attendees(LISTED, "蒋卫东")  # the applicant signs as the party
    assert [(a.index, a.name, a.label) for a in pads] == [
        (1, "温志诚", "委托代理人"), (2, "赵小梅", "第三人"),
    ]  # fmt: skip
    # the party signs by another name (the company): the applicant signs on a pad of his own
    pads = listed_attendees(LISTED, "某区途远旅行社有限公司")
    assert [a.name for a in pads] == ["蒋卫东", "温志诚", "赵小梅"]
    # no party by name (he refused in the party's block): the applicant has no pad either
    assert [a.name for a in listed_attendees(LISTED, "")] == ["温志诚", "赵小梅"]
