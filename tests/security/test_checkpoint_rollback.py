"""Finding 11 of issue 11: a checkpoint is never signed over a journal that went backwards.

Once a tree head is signed, every later checkpoint must extend it. After the journal's tail was
cut (or cut and regrown with other entries) by someone with database access, ``liuhen journal
checkpoint`` refuses with LH301 and exit 1 instead of signing the forged tree, and ``liuhen
verify`` names the damage.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from liuhen.archive import verify
from liuhen.errors import CheckpointRollback
from liuhen.kernel import proofs
from liuhen.kernel.instance import App
from tests.integration import factory
from tests.integration.tamper import bypass


@pytest.fixture
def signed(app: App) -> App:
    """Registry (5 entries), one case with 3 entries, and a checkpoint of size 8."""
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    factory.inquiry(app, who="刘某")
    assert proofs.checkpoint(app).tree_size == 8
    return app


def cut_tail(app: App, keep: int) -> None:
    """Delete entries after ``keep`` and the Merkle nodes that covered them, as an attacker."""
    with bypass(app) as conn:
        conn.execute(text("DELETE FROM journal_entry WHERE seq > :k"), {"k": keep})
        for level in range(0, 8):
            conn.execute(
                text("DELETE FROM merkle_node WHERE level = :l AND (idx + 1) * :w > :k"),
                {"l": level, "w": 1 << level, "k": keep},
            )
        conn.execute(text("UPDATE journal_head SET size = :k WHERE id = 1"), {"k": keep})


def checkpoint_count(app: App) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM checkpoint")).scalar() or 0)


def test_a_cut_tail_is_not_signed(signed: App, run) -> None:
    cut_tail(signed, 6)
    with pytest.raises(CheckpointRollback) as refused:
        proofs.checkpoint(signed)
    assert refused.value.code == "LH301"
    assert "8" in refused.value.message and "6" in refused.value.message
    output = run("journal", "checkpoint", code=1)
    assert "LH301" in output and "拒绝签署" in output
    assert checkpoint_count(signed) == 1  # nothing was signed
    report = run("verify", code=1)
    assert "检查点" in report and "大小 8" in report


def test_a_cut_and_regrown_journal_is_not_signed(signed: App, run) -> None:
    """Cut to 6, then append three other entries: size 9 > 8, but not an extension of it."""
    cut_tail(signed, 6)
    for who in ("赵某", "钱某", "孙某"):
        factory.inquiry(signed, who=who)
    with pytest.raises(CheckpointRollback) as refused:
        proofs.checkpoint(signed)
    assert "不一致" in refused.value.message
    assert "LH301" in run("journal", "checkpoint", code=1)
    assert checkpoint_count(signed) == 1
    assert not verify.verify(signed).ok


def test_a_replaced_tail_of_the_same_size_is_not_signed(signed: App) -> None:
    """Cut to 7 and append one other entry: the size is the signed one, the root is not."""
    cut_tail(signed, 7)
    factory.inquiry(signed, who="周某")
    with pytest.raises(CheckpointRollback):
        proofs.checkpoint(signed)


def test_an_honest_journal_keeps_signing(signed: App, run) -> None:
    factory.inquiry(signed, who="吴某")
    assert proofs.checkpoint(signed).tree_size == 9
    assert proofs.checkpoint(signed).tree_size == 9  # unchanged tree: the same checkpoint
    factory.inquiry(signed, who="郑某")
    assert "\n10\n" in run("journal", "checkpoint")
    assert verify.verify(signed).ok
