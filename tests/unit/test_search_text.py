"""Segmentation, highlighting and what each record gives the search index (pure, no database)."""

from __future__ import annotations

from liuhen.search import segment, texts


def test_the_index_holds_a_long_word_and_the_words_inside_it():
    tokens = segment.index_tokens("某区星河文化传播有限公司未取得《营业性演出许可证》").split()
    assert {"有限公司", "有限", "公司", "许可证", "许可", "演出"} <= set(tokens)
    assert "《" not in tokens and "》" not in tokens  # punctuation is no word
    assert segment.index_tokens("ABC 公司") == "abc 公司"  # lower-cased as the query is
    assert segment.index_tokens("") == ""


def test_a_query_is_cut_into_its_words_once_each_without_punctuation():
    assert segment.query_terms("营业性演出许可证") == ["营业性", "演出", "许可证"]
    assert segment.query_terms("演出，演出！") == ["演出"]
    assert segment.query_terms("，。！ ") == []
    assert segment.query_terms("ABC") == ["abc"]
    assert len(segment.query_terms("演出 " * 40)) == 1
    assert (
        len(segment.query_terms("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"))
        <= segment.MAX_TERMS
    )


def _shown(parts: list[segment.Part]) -> str:
    return "".join(f"[{p.text}]" if p.hit else p.text for p in parts)


def test_highlight_marks_every_occurrence_and_merges_adjacent_ones():
    parts = segment.highlight("演出许可证与演出场所", ["演出", "许可"])
    assert _shown(parts) == "[演出许可]证与[演出]场所"
    assert _shown(segment.highlight("ABC公司", ["abc"])) == "[ABC]公司"  # case-insensitive
    assert _shown(segment.highlight("无关的文字", ["演出"])) == "无关的文字"


def test_a_snippet_is_cut_around_the_words_found_with_ellipses():
    text = "甲" * 300 + "未经备案的点歌设备" + "乙" * 300
    parts = segment.snippet(text, ["点歌", "设备"], width=60)
    shown = _shown(parts)
    assert shown.startswith("…") and shown.endswith("…")
    assert "[点歌设备]" in shown
    assert sum(len(p.text) for p in parts if p.text != "…") == 60
    short = segment.snippet("第一行\n第二行 点歌", ["点歌"])
    assert _shown(short) == "第一行 第二行 [点歌]"  # one line, nothing cut
    assert _shown(segment.snippet("乙" * 200, ["点歌"], width=50)) == "乙" * 50 + "…"


def test_the_header_holds_number_cause_parties_and_summary():
    parties = '[{"name": "某区星光KTV", "id_no": "91110105MA01XY2Z3Q", "address": "湖滨路1号"}]'
    t = texts.header("某文旅罚〔2026〕2号", "擅自变更演出节目", "巡查发现。", parties)
    assert t.kind == "case" and t.seq is None
    assert t.title == "某文旅罚〔2026〕2号 擅自变更演出节目"
    assert "某区星光KTV" in t.body and "91110105MA01XY2Z3Q" in t.body and "巡查发现。" in t.body
    assert "湖滨路" not in t.body  # an address is no name


def test_an_entry_gives_its_written_text_not_digests_times_or_signatures():
    body = {
        "fields": {
            "transcript": "问：是否知情？答：不知道。",
            "started_at": "2026-11-03T10:00:00+08:00",
            "subject": {"name": "陈某", "role": "负责人"},
            "digest": "sha256:" + "0" * 64,
        },
        "place": "某区滨江路18号",
    }
    t = texts.entry(7, "investigation.inquiry", body)
    assert t is not None and (t.kind, t.seq, t.title) == ("act", 7, "询问")
    assert "不知道" in t.body and "陈某" in t.body and "滨江路" in t.body
    assert "2026-11-03" not in t.body and "sha256" not in t.body
    assert texts.entry(8, "general.review_access", {"fields": {"purpose": "查看"}}) is None
    assert texts.entry(9, "general.confidentiality", {"fields": {"reason": "隐私"}}) is None
    assert texts.entry(10, "registry.officer", {"fields": {"name": "张伟"}}) is None


def test_a_document_is_titled_by_its_kind_and_number_and_holds_its_content():
    body = {"fields": {
        "doc_type": "inquiry_record", "number": "某文旅询〔2026〕5号",
        "content": {"transcript": "答：没有办理营业性演出许可证。"},
        "signatures": [{"name": "张伟", "role": "officer"}],
    }}  # fmt: skip
    t = texts.entry(11, "general.document", body)
    assert t is not None and t.kind == "document"
    assert t.title == "询问笔录 某文旅询〔2026〕5号"
    assert "营业性演出许可证" in t.body and "张伟" not in t.body


def test_words_and_long_numbers_match_as_prefixes_short_numbers_whole():
    from liuhen.search import query

    assert query._fts5(["许可", "3", "号"]) == '"许可"* AND "3" AND "号"*'
    assert query._fts5(['a"b']) == '"a""b"*'  # a quote stays literal
    assert query._tsquery(["许可", "3", "110105"]) == "'许可':* & '3' & '110105':*"
