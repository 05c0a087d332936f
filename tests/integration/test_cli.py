"""The ``liuhen`` commands, run through Typer's runner against real databases and files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import text

import liuhen
from liuhen.hashing import get_alg
from liuhen.journal import checkpoint as notes
from liuhen.journal import merkle
from tests.integration import factory
from tests.integration.tamper import bypass

GOOD = Path(__file__).parent / "cases" / "good.json"


@pytest.fixture
def seeded(run, app):
    factory.register(app)
    run("case", "import", str(GOOD))
    factory.open_case(app)
    factory.inquiry(app)
    return app


def test_checkpoint_proof_consistency(run, seeded):
    note = run("journal", "checkpoint")
    cp = notes.parse(note)[0]
    assert cp.size == 10
    proof = json.loads(run("journal", "proof", "7"))
    assert set(proof) >= {"seq", "tree_size", "leaf_hash", "path", "root"}
    assert proof["tree_size"] == 10 and proof["root"] == cp.root.hex()
    alg = get_alg("sha256")
    merkle.verify_inclusion(
        alg,
        6,
        10,
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(p) for p in proof["path"]],
        cp.root,
    )
    older = json.loads(run("journal", "proof", "3", "--size", "5"))
    assert older["tree_size"] == 5
    cons = json.loads(run("journal", "consistency", "5", "10"))
    merkle.verify_consistency(
        alg,
        5,
        10,
        bytes.fromhex(cons["old_root"]),
        cp.root,
        [bytes.fromhex(p) for p in cons["path"]],
    )
    assert "LH104" in run("journal", "proof", "11", code=2)
    assert "LH100" in run("journal", "consistency", "9", "4", code=2)


def test_export_verifies_offline_with_only_the_public_key(run, seeded, tmp_path):
    out = tmp_path / "journal.jsonl"
    run("journal", "export", "--out", str(out))
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    *entries, last = lines
    assert [e["seq"] for e in entries] == list(range(1, 11))
    alg = get_alg("sha256")
    leaves = []
    for e in entries:
        data = base64.b64decode(e["canonical"])
        assert merkle.leaf_hash(alg, data).hex() == e["leaf_hash"]
        assert json.loads(data)["seq"] == e["seq"]
        leaves.append(bytes.fromhex(e["leaf_hash"]))
    assert last["tree_size"] == 10
    assert merkle.root_of(alg, leaves).hex() == last["root"]
    with seeded.engine.connect() as conn:
        key = Ed25519PublicKey.from_public_bytes(
            conn.execute(text("SELECT public_key FROM instance")).scalar_one()
        )
    assert notes.verify(last["note"], seeded.origin, key).root.hex() == last["root"]


def test_verify_exit_codes_and_report(run, seeded):
    run("journal", "checkpoint")
    assert run("verify").startswith("完好：10 条记录")
    with bypass(seeded) as conn:
        conn.execute(
            text("UPDATE journal_entry SET occurred_at = '2026-01-01T00:00:00+08:00' WHERE seq = 7")
        )
    report = run("verify", code=1)
    assert "序号 7" in report and "某文旅罚〔2025〕88号" in report and "发生时间" in report


def test_case_list_and_show(run, seeded):
    listed = json.loads(run("case", "list", "--json"))
    assert listed["total"] == 2
    assert {c["number"] for c in listed["items"]} == {"某文旅罚〔2025〕88号", "某文旅罚〔2026〕1号"}
    assert "案件（共 2 件，第 1/1 页）" in run("case", "list")
    assert listed["items"][0]["cause"] == "未经许可擅自从事营业性演出"  # newest first
    shown = json.loads(run("case", "show", "某文旅罚〔2025〕88号", "--json"))
    assert [s["stage"] for s in shown["stages"]] == ["initiation", "investigation", "general"]
    text_out = run("case", "show", "某文旅罚〔2025〕88号")
    assert "【程序启动】" in text_out and "依职权立案" in text_out
    assert "LH104" in run("case", "show", "没有这个案件", code=2)


def test_import_errors_are_reported_in_chinese_with_code(run, app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "liuhen-case/1", "entries": []}', "utf-8")
    output = run("case", "import", str(bad), code=2)
    assert "LH120" in output and "source" in output and "第 1 行" in output
    assert "LH120" in run("case", "import", str(tmp_path / "missing.json"), code=2)


def test_db_commands(run, app):
    versions = Path(liuhen.__file__).parent / "kernel" / "db" / "migrations" / "versions"
    head = max(p.name[:4] for p in versions.glob("0*.py"))  # the newest migration's number
    assert head in run("db", "upgrade")
    assert head in run("db", "current")
    assert "一致" in run("db", "check")


def test_catalog_lists_every_act_type(run):
    from liuhen.procedure.catalog import ACT_TYPES

    listed = json.loads(run("catalog", "--json"))
    assert [a["code"] for a in listed] == [a.code for a in ACT_TYPES]


def test_commands_refuse_an_uninitialised_instance(run):
    assert "liuhen init" in run("verify", code=2)
