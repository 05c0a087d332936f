"""001 第十条第五项 (and 003's 根据实际情况 list): "其他容易引发争议的行政执法过程" are the
agency's to name. It does so in its own pack (``$LIUHEN_DATA_DIR/packs/名称.yaml``), extending
001 and restating ``av.disputable``'s ``acts`` with its additions (a key overridden is replaced
whole); the additions are then hinted like the listed acts, citing the agency's own rule.
"""

from __future__ import annotations

from pathlib import Path

from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.procedure.fields import parse_datetime
from liuhen.rules.calendar import WorkingCalendar

CASE = (
    Path(__file__).parents[1]
    / "scenarios"
    / "003"
    / "execution.confiscation_recorded"
    / "destroyed_before_closing.json"
)  # 12月30日年底集中销毁没收的烧烤炉（第3条），没有音像记录
OURS = """\
pack: ours
title: 某局行政执法全过程记录规则
extends: "001"
version: 1
sources:
  本局规定: 《某局容易引发争议的行政执法过程目录》
rules:
  av.disputable:
    acts:
      - investigation.inspection
      - investigation.inquiry
      - investigation.sampling
      - investigation.preservation
      - investigation.hearing
      - service.lodged
      - service.public_notice
      - execution.confiscation_handling
    cite: [001 第十条第二项, 001 第十条第三项, 001 第十条第四项, 001 第十条第五项]
    cite_by_act:
      investigation.inspection: [001 第十条第二项]
      investigation.inquiry: [001 第十条第二项]
      investigation.sampling: [001 第十条第二项]
      investigation.preservation: [001 第十条第二项]
      investigation.hearing: [001 第十条第三项]
      service.lodged: [001 第十条第四项]
      service.public_notice: [001 第十条第四项]
      execution.confiscation_handling: [001 第十条第五项, 本局规定 第三条]
"""


def findings(
    pack_name: str, data_dir: Path, rule: str, text: str | None = None
) -> list[tuple[str, list[int], tuple[str, ...]]]:
    """One rule's findings (code, entries, citations) on the case ``text`` (the scenario's
    by default), judged under a pack of ``data_dir`` after the case has closed."""
    now = parse_datetime("2027-01-10T12:00:00+08:00")
    assert now is not None
    pack = packs.load_pack(pack_name, data_dir)
    case = CASE.read_text("utf-8") if text is None else text
    ev = compliance.evaluate_file(case, pack, now, WorkingCalendar.default([]), {})
    return [(f.code, list(f.seqs), f.cite) for f in ev.findings if f.rule == rule]


def _disputable(pack_name: str, data_dir: Path) -> list[tuple[str, list[int], tuple[str, ...]]]:
    return findings(pack_name, data_dir, "av.disputable")


def test_an_agency_pack_adds_its_disputable_processes_to_001s_list(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "ours.yaml").write_text(OURS, "utf-8")
    assert "ours" in packs.available(tmp_path)
    assert packs.validate_file(tmp_path / "packs" / "ours.yaml").name == "ours"

    assert _disputable("001", tmp_path) == []  # 001 lists no 没收财物处理
    assert _disputable("ours", tmp_path) == [
        (
            "av.disputable:unrecorded",
            [3],
            (
                "《行政执法全过程记录制度》第十条第五项",
                "《某局容易引发争议的行政执法过程目录》第三条",
            ),
        )
    ]
    inherited = packs.load_pack("ours", tmp_path).rule("av.disputable")
    assert inherited.level == "circumstances" and inherited.unsuitable_excepted  # kept from 001
