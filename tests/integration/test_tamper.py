"""Every kind of tampering with stored rows is detected by ``verify`` and named."""

from __future__ import annotations

import json
from typing import cast

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from liuhen.archive import verify
from liuhen.journal import checkpoint as notes
from liuhen.kernel import proofs, rebuild
from tests.integration import factory
from tests.integration.tamper import bypass

CASE = "某文旅罚〔2026〕1号"


@pytest.fixture
def journal(app):
    """Registry (5 entries), two cases with 3 and 2 entries, and a signed checkpoint."""
    factory.register(app)
    factory.open_case(app)  # seq 6
    factory.inquiry(app)  # 7
    factory.open_case(app, "某文旅罚〔2026〕2号")  # 8
    factory.inquiry(app, who="刘某")  # 9
    factory.inquiry(app, "某文旅罚〔2026〕2号")  # 10
    proofs.checkpoint(app)
    assert verify.verify(app).ok
    return app


def damages(app) -> list[str]:
    report = verify.verify(app)
    assert not report.ok
    return [d.render() for d in report.damages]


def test_changed_field_is_named(journal):
    with bypass(journal) as conn:
        conn.execute(
            text("UPDATE journal_entry SET body = replace(body, '陈某', '赵某') WHERE seq = 7")
        )
    found = damages(journal)
    assert any("序号 7" in d and CASE in d and "fields" in d for d in found), found


def test_one_changed_byte_of_canonical_text_is_named(journal):
    with journal.engine.connect() as conn:
        canonical = conn.execute(text("SELECT canonical FROM journal_entry WHERE seq = 9")).scalar()
        data = bytearray(cast(bytes, canonical))
    data[len(data) // 2] ^= 0x01
    with bypass(journal) as conn:
        conn.execute(
            text("UPDATE journal_entry SET canonical = :d WHERE seq = 9"), {"d": bytes(data)}
        )
    found = damages(journal)
    assert any("序号 9" in d and "叶哈希" in d for d in found), found


def test_deleted_row_is_named(journal):
    with bypass(journal) as conn:
        conn.execute(text("DELETE FROM journal_entry WHERE seq = 8"))
    found = damages(journal)
    assert any("缺少序号 8" in d for d in found), found
    assert any("序号 10" in d and "案件链断裂" in d for d in found), found
    assert any("检查点" in d for d in found), found


def test_two_swapped_rows_are_named(journal):
    cols = (
        "chain, chain_seq, act, occurred_at, recorded_at, actors, body, prev_hash, leaf_hash,"
        " canonical"
    )
    with bypass(journal) as conn:
        a = conn.execute(text(f"SELECT {cols} FROM journal_entry WHERE seq = 7")).mappings().one()
        b = conn.execute(text(f"SELECT {cols} FROM journal_entry WHERE seq = 9")).mappings().one()
        conn.execute(text("DELETE FROM journal_entry WHERE seq IN (7, 9)"))
        insert = text(
            f"INSERT INTO journal_entry (seq, {cols}) VALUES (:seq, "
            + ", ".join(":" + c.strip() for c in cols.split(","))
            + ")"
        )
        conn.execute(insert, {**dict(b), "seq": 7})
        conn.execute(insert, {**dict(a), "seq": 9})
    found = damages(journal)
    assert any("序号 7" in d and "序号" in d.split("：", 1)[1] for d in found), found
    assert any(d.startswith("序号 9") for d in found), found


def test_row_inserted_out_of_sequence_is_named(journal):
    with bypass(journal) as conn:
        conn.execute(
            text(
                "INSERT INTO journal_entry (seq, chain, chain_seq, act, occurred_at, recorded_at,"
                " actors, body, prev_hash, leaf_hash, canonical) SELECT 14, chain, chain_seq + 1,"
                " act, occurred_at, recorded_at, actors, body, leaf_hash, leaf_hash, canonical"
                " FROM journal_entry WHERE seq = 10"
            )
        )
    found = damages(journal)
    assert any("缺少序号 11–13" in d for d in found), found
    assert any(d.startswith("序号 14") for d in found), found


def test_forged_checkpoint_is_named(journal):
    forger = Ed25519PrivateKey.generate()
    root = b"\x42" * 32
    note = notes.sign(notes.Checkpoint(journal.origin, 10, root), journal.origin, forger)
    with bypass(journal) as conn:
        conn.execute(text("DELETE FROM checkpoint"))
        conn.execute(
            text(
                "INSERT INTO checkpoint (tree_size, root, note, signed_at) "
                "VALUES (10, :r, :n, '2026-11-26T00:00:00+08:00')"
            ),
            {"r": root, "n": note},
        )
    found = damages(journal)
    assert any("检查点（大小 10）签名无效" in d for d in found), found


def test_rewritten_entry_with_consistent_hashes_is_caught_by_the_checkpoint(journal):
    """An attacker who recomputes the leaf hash still cannot match the signed root."""
    from liuhen.journal.entry import column_texts, entry_document, seal

    with journal.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM journal_entry WHERE seq = 10")).mappings().one()
    body = json.loads(row["body"])
    body["fields"]["transcript"] = "问：……\n答：（被改写）"
    doc = entry_document(
        seq=10,
        chain=row["chain"],
        chain_seq=row["chain_seq"],
        act=row["act"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        actors=json.loads(row["actors"]),
        body=body,
        prev_hash=bytes(row["prev_hash"]),
    )
    data, leaf = seal(journal.alg, doc)
    _, body_text = column_texts(doc)
    with bypass(journal) as conn:
        conn.execute(
            text(
                "UPDATE journal_entry SET body = :b, canonical = :c, leaf_hash = :l WHERE seq = 10"
            ),
            {"b": body_text, "c": data, "l": leaf},
        )
    found = damages(journal)
    assert any("检查点（大小 10）不符" in d for d in found), found


def test_tampered_projection_is_named_and_rebuild_restores_it(journal):
    with journal.engine.begin() as conn:
        conn.execute(
            text("UPDATE case_record SET stage = 'execution' WHERE number = :n"), {"n": CASE}
        )
    found = damages(journal)
    assert any("case_record" in d and CASE in d and "stage" in d for d in found), found
    rebuild.rebuild(journal)
    assert verify.verify(journal).ok


def test_parallel_row_checks_report_the_same_damages(journal):
    """The worker-process path (used on large journals) finds exactly what the inline path finds."""
    with bypass(journal) as conn:
        conn.execute(
            text("UPDATE journal_entry SET body = replace(body, '陈某', '赵某') WHERE seq = 7")
        )
        conn.execute(text("DELETE FROM journal_entry WHERE seq = 8"))
        canonical = conn.execute(text("SELECT canonical FROM journal_entry WHERE seq = 9")).scalar()
        data = bytearray(cast(bytes, canonical))
        data[5] ^= 0x01
        conn.execute(
            text("UPDATE journal_entry SET canonical = :d WHERE seq = 9"), {"d": bytes(data)}
        )
    inline = [d.render() for d in verify.verify(journal, workers=0).damages]
    parallel = [d.render() for d in verify.verify(journal, workers=1).damages]
    assert sorted(inline) == sorted(parallel)
    assert any("序号 7" in d and "fields" in d for d in parallel)
    assert any("缺少序号 8" in d for d in parallel)
    assert any("序号 9" in d and "叶哈希" in d for d in parallel)
