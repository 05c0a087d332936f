"""The 听证笔录 prints each participant's own hand, or why he did not sign (003 第十六条); no
other form takes more than the party's handwriting."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from liuhen.documents import DOC_TYPES
from liuhen.documents.render import render_html
from liuhen.errors import ValidationError


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (240, 80), "white").save(buf, "PNG")
    return buf.getvalue()


def _hearing(participants: list[dict[str, object]]) -> str:
    return render_html(
        "hearing_record", DOC_TYPES["hearing_record"].sample, agency="某区文化和旅游局",
        party_signature_png=_png(), participants=participants,
    )  # fmt: skip


def test_each_participant_signs_on_every_page_and_in_the_closing_block() -> None:
    html = _hearing([
        {"name": "钱律", "as": "委托代理人", "signature_png": _png(), "date": "2026-03-24"},
        {"name": "孙某", "as": "第三人", "note": "中途退出听证"},
    ])  # fmt: skip
    footer = html.split('<div class="confirmation">')[1].split("<header>")[0]
    assert "委托代理人钱律：<img" in footer and "第三人孙某：（中途退出听证）" in footer
    closing = html.split('<div class="closing">')[1]
    assert "委托代理人（签名）：" in closing and "2026年3月24日" in closing
    assert "第三人（签名）：" in closing and "孙某</span>　中途退出听证" in closing
    assert closing.count("data:image/png;base64,") == 2  # the applicant's and the agent's
    assert "margin: 25mm 22mm 54mm 28mm" in html  # room for the second footer line


@pytest.mark.parametrize(
    ("participant", "field"),
    [
        ({"name": "钱律", "as": "委托代理人"}, "participants[0].signature_png"),
        (
            {"name": "钱律", "signature_png": _png(), "note": "拒签"},
            "participants[0].signature_png",
        ),
        ({"name": "钱律", "signature_png": b"GIF89a"}, "participants[0].signature_png"),
        ({"signature_png": _png()}, "participants[0].name"),
        ({"name": "钱律", "note": "拒签", "seal": True}, "participants[0]"),
    ],
)
def test_a_participant_signs_or_is_noted_never_both_nor_neither(
    participant: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        _hearing([participant])
    assert field in {p.field for p in err.value.problems}


def test_other_forms_take_the_party_s_hand_alone() -> None:
    with pytest.raises(ValidationError) as err:
        render_html(
            "inquiry_record", DOC_TYPES["inquiry_record"].sample, agency="某区文化和旅游局",
            participants=[{"name": "钱律", "signature_png": _png()}],
        )  # fmt: skip
    assert {p.field for p in err.value.problems} == {"participants"}
