"""Appending: gap-free sequence, per-case chains, corrections, refusals, concurrency."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from liuhen.archive import verify
from liuhen.cases import service as cases
from liuhen.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from liuhen.kernel import proofs, record
from liuhen.kernel.record import ActInput
from tests.integration import factory


def test_entries_form_gap_free_sequence_and_case_chains(app):
    factory.register(app)
    first = factory.open_case(app)
    second = factory.inquiry(app)
    other = factory.open_case(app, "某文旅罚〔2026〕2号")
    assert [first.seq, second.seq, other.seq] == [6, 7, 8]
    assert (first.chain_seq, second.chain_seq, other.chain_seq) == (1, 2, 1)
    with app.engine.connect() as conn:
        prev = conn.execute(text("SELECT prev_hash FROM journal_entry WHERE seq = 7")).scalar()
    assert bytes(prev) == first.leaf_hash
    assert verify.verify(app).ok


def test_case_projection_follows_the_record(app):
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    case = cases.show_case(app, "某文旅罚〔2026〕1号")
    assert case.stage == "investigation"
    assert case.entry_count == 2
    assert case.officer_names == {"31010001": "张伟", "31010002": "李娜"}
    assert [s.stage for s in case.stages] == ["initiation", "investigation"]
    entry = case.stages[1].entries[0]
    assert entry.actors == [
        {"cert_no": "31010001", "name": "张伟"},
        {"cert_no": "31010002", "name": "李娜"},
    ]


def test_correction_is_a_new_entry_and_updates_the_header(app):
    factory.register(app)
    opened = factory.open_case(app)
    fixed = record.record(
        app,
        ActInput(
            "general.correction",
            "2026-11-04T09:00:00+08:00",
            case="某文旅罚〔2026〕1号",
            actors=["31010001"],
            corrects=opened.seq,
            recorded_by=factory.OFFICER,
            fields={
                "reason": "当事人地址笔误",
                "changes": {"parties": [{"name": "某区夜色酒吧", "address": "某区滨江路28号"}]},
            },
        ),
    )
    case = cases.show_case(app, "某文旅罚〔2026〕1号")
    assert case.parties[0]["address"] == "某区滨江路28号"
    opening = case.stages[0].entries[0]
    assert opening.fields["parties"][0]["address"] == "某区滨江路18号"  # original kept
    assert opening.corrected_by == fixed.seq
    assert verify.verify(app).ok


def test_correction_changes_are_checked_against_the_corrected_act(app):
    factory.register(app)
    opened = factory.open_case(app)
    with pytest.raises(ValidationError) as err:
        record.record(
            app,
            ActInput(
                "general.correction",
                "2026-11-04T09:00:00+08:00",
                case="某文旅罚〔2026〕1号",
                actors=["31010001"],
                corrects=opened.seq,
                recorded_by=factory.OFFICER,
                fields={"reason": "笔误", "changes": {"category": "nonsense", "colour": "红"}},
            ),
        )
    fields = {p.field for p in err.value.problems}
    assert fields == {"fields.changes.category", "fields.changes.colour"}
    with pytest.raises(NotFoundError):
        record.record(
            app,
            ActInput(
                "general.correction",
                "2026-11-04T09:00:00+08:00",
                case="某文旅罚〔2026〕1号",
                actors=["31010001"],
                corrects=1,
                recorded_by=factory.OFFICER,  # a registry entry
                fields={"reason": "笔误", "changes": {"cause": "x"}},
            ),
        )


def test_refusals_name_the_problem_and_journal_nothing(app):
    factory.register(app)
    factory.open_case(app)
    before = verify.verify(app).entries
    with pytest.raises(ConflictError):
        factory.open_case(app)
    with pytest.raises(NotFoundError):
        factory.inquiry(app, number="不存在的案件")
    with pytest.raises(PermissionDenied):
        record.record(
            app,
            ActInput(
                "decision.legal_review",
                "2026-11-04T09:00:00+08:00",
                case="某文旅罚〔2026〕1号",
                actors=["31010001"],
                recorded_by=factory.OFFICER,
                fields={},
            ),
        )
    with pytest.raises(ValidationError) as err:
        record.record(
            app,
            ActInput(
                "investigation.inquiry",
                "2099-01-01T00:00:00+08:00",
                case="某文旅罚〔2026〕1号",
                actors=["99999999"],
                recorded_by=factory.OFFICER,
                fields={"subject": "x"},
            ),
        )
    fields = {p.field for p in err.value.problems}
    assert "occurred_at" in fields and "fields.transcript" in fields
    with pytest.raises(ValidationError, match="99999999"):
        factory.inquiry(app, actors=["31010001", "99999999"])
    assert verify.verify(app).entries == before


def test_database_refuses_update_and_delete_of_journal_rows(app):
    factory.register(app)
    factory.open_case(app)
    proofs.checkpoint(app)
    for sql in (
        "UPDATE journal_entry SET act = 'x' WHERE seq = 1",
        "DELETE FROM journal_entry WHERE seq = 1",
        "UPDATE merkle_node SET hash = hash",
        "DELETE FROM checkpoint",
    ):
        with pytest.raises(Exception, match="append-only"), app.engine.begin() as conn:
            conn.execute(text(sql))
    assert verify.verify(app).ok


WRITERS = 32
PER_WRITER = 20


def test_32_concurrent_writers_lose_nothing_and_leave_no_gap(app):
    factory.register(app)
    numbers = [f"并发〔2026〕{i}号" for i in range(WRITERS)]
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: str) -> None:
        try:
            start.wait()
            factory.open_case(app, number)
            for _ in range(PER_WRITER - 1):
                factory.inquiry(app, number)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM journal_entry ORDER BY seq"))]
        per_case = conn.execute(
            text(
                "SELECT chain, COUNT(*), MAX(chain_seq) FROM journal_entry "
                "WHERE chain LIKE '并发%' GROUP BY chain"
            )
        ).all()
    total = 5 + WRITERS * PER_WRITER
    assert seqs == list(range(1, total + 1))
    assert len(per_case) == WRITERS
    assert all(count == PER_WRITER and top == PER_WRITER for _, count, top in per_case)
    report = verify.verify(app)
    assert report.ok, report.damages
