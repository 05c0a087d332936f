"""001 第七条第五项: "法律、法规和规章规定的其他内容" are written records the agency's own
laws name, so no built-in list can hold them. The agency names them in its own pack
(``$LIUHEN_DATA_DIR/packs/名称.yaml``), extending 001 with a rule of its own that cites 第七条第五项
beside the provision that asks for the record; the record is then required like those the
article lists.
"""

from __future__ import annotations

import json
from pathlib import Path

from liuhen.compliance import packs
from tests.unit.test_agency_pack_disputable import CASE, findings

# CASE: 12月30日集中销毁没收的烧烤炉（第3条），没有留存处理记录
OURS = """\
pack: ours
title: 某局行政执法全过程记录规则
extends: "001"
version: 1
sources:
  罚没办法: 《某局罚没财物管理办法》
rules:
  documents.disposal_record:
    kind: kept
    title: 没收财物的处理应当形成处理记录（销毁、拍卖的清单和经手人签字）
    acts: [execution.confiscation_handling]
    what: 罚没财物处理记录
    kinds: [其他]
    cite: [001 第七条第五项, 罚没办法 第十二条]
    remedy: 将罚没财物处理记录（处理清单及经手人签字）的扫描件作为该事项的附件归入本案。
"""


def _records(pack_name: str, data_dir: Path, text: str) -> list[tuple[str, list[int], tuple]]:
    return findings(pack_name, data_dir, "documents.disposal_record", text)


def test_an_agency_pack_requires_a_record_its_own_rules_name(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "ours.yaml").write_text(OURS, "utf-8")
    assert packs.validate_file(tmp_path / "packs" / "ours.yaml").name == "ours"
    text = CASE.read_text("utf-8")

    assert _records("001", tmp_path, text) == []  # 001 itself names no such record
    (found,) = _records("ours", tmp_path, text)
    assert found[1] == [3]
    assert found[2] == (
        "《行政执法全过程记录制度》第七条第五项",
        "《某局罚没财物管理办法》第十二条",
    )
    assert packs.load_pack("ours", tmp_path).rule("documents.inquiry_record")  # 001's kept

    # the record kept with the act (a scan attached to it) satisfies the agency's rule
    case = json.loads(text)
    handling = next(e for e in case["entries"] if e["act"] == "execution.confiscation_handling")
    digest = "sha256:" + "ab" * 32
    handling["attachments"] = [
        {"digest": digest, "name": "处理记录.pdf", "media_type": "application/pdf",
         "size": 1024, "kinds": ["其他"]}
    ]  # fmt: skip
    assert _records("ours", tmp_path, json.dumps(case, ensure_ascii=False)) == []
