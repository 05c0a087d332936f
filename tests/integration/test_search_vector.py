"""PostgreSQL ranks search results from the stored weighted tsvector (migration 0018): the
generated column holds each row's words, the title's weighted A and the text's B, under the GIN
index; the search query reads it and computes no tsvector. SQLite (FTS5) has no such column."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.dialects import postgresql

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.entrypoints.web import SEARCH_SOURCES
from liuhen.kernel.record import record
from liuhen.search import query
from liuhen.search import service as search
from tests.integration import factory

A = "某文旅罚〔2026〕1号"


def test_the_rank_reads_the_stored_weighted_vector(app, backend) -> None:
    factory.register(app)
    factory.open_case(app, A)
    inquiry = factory.inquiry_input(A)
    inquiry.fields["transcript"] = "答：二楼包厢内设置了三台未经备案的点歌设备。"
    record(app, inquiry)
    head: User = access.create_user(app, "fuzeren", "mima-12345678", ["head"], "负责人", "wl-zd1")
    page = search.search(app, head, "点歌设备", SEARCH_SOURCES)
    assert [(h.case_number, h.kind) for h in page.items] == [(A, "act")]
    columns = {c["name"] for c in inspect(app.engine).get_columns("search_doc")}
    if backend != "postgres":
        assert "search_vector" not in columns  # FTS5 ranks by bm25 on SQLite
        return
    assert "search_vector" in columns
    with app.engine.connect() as conn:
        generated = conn.execute(text(
            "SELECT is_generated FROM information_schema.columns "
            "WHERE table_name = 'search_doc' AND column_name = 'search_vector'"
        )).scalar()  # fmt: skip
        assert generated == "ALWAYS"
        assert conn.execute(text(
            "SELECT count(*) FROM search_doc WHERE search_vector IS NULL"
        )).scalar() == 0  # fmt: skip
        # the act's title (询问) weighted A, its text B
        weights = conn.execute(text(
            "SELECT search_vector::text FROM search_doc WHERE kind = 'act'"
        )).scalar()  # fmt: skip
        assert ":1A" in weights and "B" in weights
        index = conn.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_doc_fts'"
        )).scalar()  # fmt: skip
        assert "gin (search_vector)" in index
    joined, cond, rank = query.conditions("postgresql", ["点歌"], head, None, ["act"])
    pool = query.pool("postgresql", joined, cond, rank, 1001, (0, 10))
    ranks = query.ranks(["点歌"], [1, 2])
    sql = " ".join(str(s.compile(dialect=postgresql.dialect())) for s in (pool, ranks))
    assert "ts_rank(search_doc.search_vector" in sql and "to_tsvector" not in sql
