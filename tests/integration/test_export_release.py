"""Export as a release outside the agency: demo cases, imported history, confidentiality marks.

001 第二十一、二十三条 (release only with the head's approval), 001 第二十条 and 002 第三十五条
(marked records withheld), 003 第二十五条 (exported to a medium).
"""

from __future__ import annotations

import json
import subprocess
import sys

import bagit
import pytest

from liuhen.archive.bag_verify import verify_bag
from liuhen.demo import seed as demo
from liuhen.disclosure import service as disclosure
from tests.integration.test_disclosure import (
    HEAD,
    _ask,
    _pdf_digest,
    case_with_document,
    mark_records,
)
from tests.integration.test_documents import CASE

__all__ = ["case_with_document"]  # the fixture, shared with the disclosure tests


def _withheld(bag) -> dict[str, str]:
    doc = json.loads((bag / "data" / "withheld.json").read_text("utf-8"))
    return {f["digest"]: f["reason"] for f in doc["files"]}


def _lines(bag) -> dict[int, dict]:
    text = (bag / "data" / "journal" / "entries.jsonl").read_text("utf-8")
    return {row["seq"]: row for row in map(json.loads, text.splitlines())}


def _standalone(bag) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", str(bag / "verify_bag.py"), str(bag)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def _forge_leaf(bag, seq: int) -> None:
    """Change a withheld entry's leaf hash and re-seal the manifests, as a forger would."""
    path = bag / "data" / "journal" / "entries.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    for row in rows:
        if row["seq"] == seq:
            row["leaf_hash"] = "00" * 32
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    bagit.Bag(str(bag)).save(manifests=True)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_demo_case_exports_and_verifies(app, run, tmp_path):
    demo.seed(app)
    number = "某文旅罚〔2026〕3号"
    bag = tmp_path / "demo-bag"
    printed = run("export", number, "--out", str(bag))
    assert "已导出" in printed
    bagit.Bag(str(bag)).validate()
    report = verify_bag(bag)
    assert report.ok, [p.render() for p in report.problems]
    assert report.case == number
    reasons = set(_withheld(bag).values())
    assert reasons <= {"导入的历史记录：原件由来源系统保存，不在本系统存储中"}
    assert "通过" in run("verify-bag", str(bag))


def test_marked_files_leave_only_with_an_approval_naming_them(case_with_document, run, tmp_path):
    app, doc_seq = case_with_document
    digest = _pdf_digest(app, doc_seq)
    mark_records(app, [str(doc_seq)], "商业秘密", reason="含经营数据")
    withheld_bag = tmp_path / "withheld"
    printed = run("export", CASE, "--out", str(withheld_bag))
    assert "未经负责人审批明确准予对外提供" in printed
    assert _withheld(withheld_bag) == {digest: "已标记为商业秘密，未经负责人审批明确准予对外提供"}
    assert not list((withheld_bag / "data").glob("documents/*"))
    assert not (withheld_bag / "data" / "dossier.pdf").exists()  # it would carry the pages
    lines = _lines(withheld_bag)
    assert set(lines[doc_seq]) == {"seq", "chain", "chain_seq", "leaf_hash", "withheld"}
    assert all("canonical" in line for seq, line in lines.items() if seq != doc_seq)
    report = verify_bag(withheld_bag)
    assert report.ok and any(f"序号 {doc_seq} 的记录内容不予提供" in n for n in report.notes)
    assert _standalone(withheld_bag).returncode == 0
    bagit.Bag(str(withheld_bag)).validate()
    _forge_leaf(withheld_bag, doc_seq)  # a stub cannot claim another leaf: the proof fails
    # the proof no longer reaches the signed root, and the next entry's prev no longer matches
    assert {p.code for p in verify_bag(withheld_bag).problems} == {"LH416", "LH415", "LH423"}
    forged = _standalone(withheld_bag)
    assert forged.returncode == 1 and "LH416" in forged.stdout and "LH415" in forged.stdout

    req = _ask(app, ["全部"])
    broad = disclosure.decide(app, CASE, req.seq, decision="同意", reason="法院调取",
                              materials=None, by=HEAD)  # fmt: skip
    still = tmp_path / "broad"
    run("export", CASE, "--out", str(still), "--approval", str(broad.seq))
    assert digest in _withheld(still)  # "全部" does not release a marked record

    named_req = _ask(app, [str(doc_seq)])
    named = disclosure.decide(app, CASE, named_req.seq, decision="同意", reason="法院调取证据",
                              materials=[str(doc_seq)], by=HEAD)  # fmt: skip
    released = tmp_path / "released"
    run("export", CASE, "--out", str(released), "--approval", str(named.seq))
    assert _withheld(released) == {}
    assert len(list((released / "data" / "documents").iterdir())) == 1
    assert "canonical" in _lines(released)[doc_seq]
    assert verify_bag(released).ok

    refused = disclosure.decide  # a refusal is no approval to export
    no_req = _ask(app, [str(doc_seq)])
    no = refused(app, CASE, no_req.seq, decision="不同意", reason="涉密", materials=None, by=HEAD)
    out = run("export", CASE, "--out", str(tmp_path / "no"), "--approval", str(no.seq), code=2)
    assert "LH461" in out and not (tmp_path / "no").exists()
    out = run("export", CASE, "--out", str(tmp_path / "x"), "--approval", "1", code=2)
    assert "LH104" in out
