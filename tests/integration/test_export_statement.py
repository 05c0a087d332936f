"""The disc of a case's recordings says what each one is (003 第二十五条第二款): the bag, and the
ISO image burnt from it, carry a statement naming for every clip the act it records, its time,
place and method, the officers, the device and the digest, protected like any bag file."""

from __future__ import annotations

import json
import subprocess
import sys

import bagit
from sqlalchemy import text as sql

from liuhen.archive import bag_verify
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.test_export import (
    BAGIT,
    CASE,
    build_case,
    extract_iso,
    make_dock,
    run_standalone,
)

STATEMENT = "data/media-statement.txt"


def test_the_disc_states_each_recordings_matter_time_place_method_and_officers(app, tmp_path, run):
    facts = build_case(app, make_dock(tmp_path))
    used = record.record(app, ActInput(
        "general.evidence_use", app.clock.now().isoformat(), case=CASE, actors=["31010001"],
        recorded_by=factory.OFFICER,
        fields={"digests": [facts["clip"]], "purpose": "证明演出现场情况", "medium": "光盘 GP-07"},
    ))  # fmt: skip
    out, iso = tmp_path / "bag", tmp_path / "case.iso"
    run("export", CASE, "--out", str(out), "--iso", str(iso), "--by", "程慧敏")

    extracted = tmp_path / "from-disc"
    extract_iso(iso, extracted)
    text = (extracted / STATEMENT).read_text(encoding="utf-8")
    assert text == (out / STATEMENT).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == f"案件：{CASE}" and "共 1 个文件。" in lines
    clip = next(f for f in _index(out)["files"] if f["role"] == "media")
    assert f"1. {clip['path']}" in lines
    with app.engine.connect() as conn:
        inquiry = conn.execute(sql(
            "SELECT seq FROM journal_entry WHERE act = 'investigation.inquiry' AND chain = :c"
        ), {"c": CASE}).scalar()  # fmt: skip
    assert f"记录的事项：询问（日志序号 {inquiry}）" in lines
    assert "地　　点：某区滨江路18号" in lines
    assert "方　　式：录像" in lines
    assert "执法人员：张伟（执法证号 31010001）、李娜（执法证号 31010002）" in lines
    assert "记录设备编号：ZFJLY-07" in lines
    assert f"作为证据使用：是（日志序号 {used.seq}，转存介质 光盘 GP-07）" in lines
    assert f"文件摘要：{facts['clip']}" in lines
    assert any(line.startswith("时　　间：2026年11月3日10时10分00秒至10时10分") for line in lines)

    listed = [f for f in _index(out)["files"] if f["path"] == STATEMENT]
    assert listed and listed[0]["generated"] is True and listed[0]["role"] == "statement"
    assert listed[0]["name"] == "音像记录说明.txt"
    for bag in (out, extracted):  # both verifiers, and bagit.py, check it like any file
        report = bag_verify.verify_bag(bag)
        assert report.ok, report.problems
        assert any(STATEMENT in n for n in report.notes)
        assert run_standalone(bag).returncode == 0
        bagit.Bag(str(bag)).validate()

    (out / STATEMENT).write_text(text.replace("录像", "录音"), encoding="utf-8")
    assert not bag_verify.verify_bag(out).ok
    standalone = run_standalone(out)
    assert standalone.returncode != 0 and STATEMENT in standalone.stdout
    cli = subprocess.run([sys.executable, str(BAGIT), "--validate", str(out)],
                         capture_output=True, text=True)  # fmt: skip
    assert cli.returncode != 0


def test_a_case_without_recordings_carries_no_statement(app, tmp_path, run):
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    out = tmp_path / "bag"
    run("export", CASE, "--out", str(out))
    assert not (out / STATEMENT).exists()
    assert all(f["role"] != "statement" for f in _index(out)["files"])


def _index(bag) -> dict:
    return dict(json.loads((bag / "data/index.json").read_text(encoding="utf-8")))
