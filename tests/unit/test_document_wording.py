"""An agency's wording of a document (003 第十二条) is checked before it is journaled: only the
blocks the format lets vary, a required block never empty, the remedy still naming 行政复议
and 行政诉讼, each within its bound — every problem at once, under a stable code."""

from __future__ import annotations

import pytest

from liuhen.documents import DOC_TYPES, render, wording
from liuhen.errors import TemplateBlockRequired, TemplateBlockTooLong, TemplateBlockUnknown


def test_the_blocks_by_name_or_chinese_alias_trimmed() -> None:
    given = {"标题": " 当场行政处罚决定书 ", "header": "某区文化和旅游局（某区文化市场综合执法队）",
             "页脚": "联系电话：0571-87000000", "告知": ""}  # fmt: skip
    assert wording.check("summary_decision", given) == {
        "title": "当场行政处罚决定书",
        "header": "某区文化和旅游局（某区文化市场综合执法队）",
        "footer": "联系电话：0571-87000000",
    }  # an optional block set empty is dropped: the built-in wording (none) stands


def test_the_remedy_is_a_block_only_where_the_format_tells_it() -> None:
    assert "penalty_decision" in wording.remedy_docs()
    assert "inquiry_record" not in wording.remedy_docs()
    with pytest.raises(TemplateBlockUnknown) as err:
        wording.check("inquiry_record", {"救济途径": "……行政复议……行政诉讼……", "字段": "x"})
    assert err.value.code == "LH560"
    assert [(p.field, p.kind) for p in err.value.problems] == [
        ("救济途径", "unknown"), ("字段", "unknown"),
    ]  # fmt: skip
    assert "可调整：header（抬头（机关名称））" in err.value.problems[0].message


def test_a_required_block_left_empty_or_stripped_of_the_law_is_refused() -> None:
    with pytest.raises(TemplateBlockRequired) as err:
        wording.check("penalty_decision", {
            "标题": "", "抬头": "某区\n文化和旅游局",
            "救济途径": "当事人如不服本决定，可以向{复议机关}申请复查。",
        })  # fmt: skip
    assert err.value.code == "LH561"
    assert [(p.field, p.kind) for p in err.value.problems] == [
        ("title", "required"), ("header", "format"), ("remedy", "rule"),
    ]  # fmt: skip
    assert "须载明行政复议和行政诉讼的途径" in err.value.problems[2].message


def test_over_long_text_is_refused_with_its_bound() -> None:
    with pytest.raises(TemplateBlockTooLong) as err:
        wording.check("penalty_decision", {"页脚": "电" * 301})
    assert err.value.code == "LH562"
    assert err.value.problems[0].message == "页脚（联系方式等）不得超过 300 字（现有 301 字）"


def test_the_rendered_document_reads_the_agencys_blocks() -> None:
    blocks = {
        "header": "某区文化市场综合行政执法队", "title": "行政处罚决定书（文化市场）",
        "remedy": "{当事人}不服本决定的，可于六十日内向{复议机关}申请行政复议，"
                  "或于六个月内向{人民法院}提起行政诉讼。",
        "notice": "本决定书一式两份。", "footer": "执法队地址：某区文华路8号",
    }  # fmt: skip
    checked = wording.check("penalty_decision", blocks)
    html = render.render_html("penalty_decision", _sample(), agency="某区文化和旅游局",
                              wording=wording.Wording(7, checked).context())  # fmt: skip
    assert "某区文化市场综合行政执法队" in html and "行政处罚决定书（文化市场）" in html
    assert "当事人不服本决定的，可于六十日内向某区人民政府申请行政复议" in html
    assert "本决定书一式两份。" in html and "执法队地址：某区文华路8号" in html
    assert "可以在收到本决定书之日起六十日内" not in html  # the built-in remedy gave way
    builtin = render.render_html("penalty_decision", _sample(), agency="某区文化和旅游局")
    assert "可以在收到本决定书之日起六十日内" in builtin and "执法队地址" not in builtin


def _sample() -> dict[str, object]:
    return dict(DOC_TYPES["penalty_decision"].sample)
