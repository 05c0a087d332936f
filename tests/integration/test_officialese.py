"""Decisions and notices read as correct officialese (issue 13): the evidence numbered once
whatever the officer typed, "违反了《…》第…条的规定，依据《…》第…条的规定" built from the
provisions (one or several, no empty 《》), the form asking for a provision rather than printing
a broken sentence, and every date of every printed form in Chinese (2026年3月30日)."""

from __future__ import annotations

import re
import subprocess

import pytest

from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.documents.format import provisions, unnumbered
from liuhen.documents.render import render_html
from liuhen.errors import ValidationError

LAW = "《营业性演出管理条例》"


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True)  # fmt: skip
    return out.stdout.decode()


def decision(**overrides: object) -> dict[str, object]:
    values = dict(DOC_TYPES["penalty_decision"].sample)
    values.update({
        "violated": [f"{LAW}第六条", f"{LAW}第十三条"],
        "legal_basis": [f"{LAW}第四十三条第一款"],
        "evidence": ["1.询问笔录（2026年3月1日）", "2、现场检查笔录", "（3）现场照片6张",
                     "执法记录视频2段"],
        "decided_on": "2026-03-30",
    })  # fmt: skip
    values.update(overrides)
    return values


def test_the_decision_pdf_reads_as_officialese():
    pdf = documents.render_pdf("penalty_decision", decision(), agency="某区文化和旅游局",
                               number="某文旅罚决〔2026〕1号")  # fmt: skip
    text = pdf_text(pdf)
    flat = re.sub(r"\s+", "", text)
    assert (f"违反了{LAW}第六条、第十三条的规定，依据{LAW}第四十三条第一款的规定") in flat
    assert "《》" not in flat and "违反了法律规定" not in flat
    # each item numbered once, in order, with no number the officer typed left over
    numbers = re.findall(r"^\s*(\d+)\.\s*(\S+)", text, re.M)
    items = [(n, t[:4]) for n, t in numbers if t[:2] in ("询问", "现场", "执法")]
    assert items == [("1", "询问笔录"), ("2", "现场检查"), ("3", "现场照片"), ("4", "执法记录")]
    assert not re.search(r"\d+\.\s*\d+[.、]", text)
    assert "2026年3月30日" in flat
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


@pytest.mark.parametrize(
    ("violated", "problem"),
    [
        (["法律规定"], "fields.violated"),
        ([f"{LAW}"], "fields.violated"),
        (["《》第六条"], "fields.violated"),
    ],
)
def test_a_decision_with_a_broken_provision_is_refused(violated, problem):
    with pytest.raises(ValidationError) as refused:
        documents.validate("penalty_decision", decision(violated=violated))
    assert [p.field for p in refused.value.problems] == [problem]


def test_a_decision_without_the_provisions_broken_is_refused():
    values = decision()
    del values["violated"]
    with pytest.raises(ValidationError) as refused:
        documents.validate("penalty_decision", values)
    assert "fields.violated" in [p.field for p in refused.value.problems]


def test_provisions_name_a_law_once_for_its_articles():
    assert provisions([f"{LAW}第六条"]) == f"{LAW}第六条"
    assert provisions([f"{LAW}第六条", f"{LAW}第十三条", "《行政处罚法》第二十八条"]) == (
        f"{LAW}第六条、第十三条、《行政处罚法》第二十八条"
    )
    assert unnumbered("1.询问笔录") == unnumbered("（1）询问笔录") == "询问笔录"
    assert unnumbered("1.5吨货物") == "1.5吨货物"


# 卷内文件目录 writes its dates as eight digits (20260310), as the archival standard's index does
@pytest.mark.parametrize("code", sorted(set(DOC_TYPES) - {"dossier_index"}))
def test_every_printed_form_writes_its_dates_in_chinese(code):
    doc = DOC_TYPES[code]
    signers = [{"role": "officer", "name": "张伟", "cert_no": "31010001", "date": "2026-03-01"}]
    page = render_html(code, doc.sample, agency="某区文化和旅游局", number="某文旅〔2026〕1号",
                       signers=signers if "officer" in doc.signers else None)  # fmt: skip
    shown = re.sub(r"<[^>]+>", "", re.sub(r"<style.*?</style>", "", page, flags=re.S))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", shown), code
    assert not re.search(r"\d{4}-\d{2}-\d{2}", shown), code
