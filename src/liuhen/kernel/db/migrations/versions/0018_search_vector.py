"""Search on PostgreSQL ranks by a stored weighted tsvector: ``search_doc.search_vector``, a
generated column (the title's words weighted A, the text's B), indexed by GIN.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

Before, the match went through a GIN index over ``to_tsvector(title || ' ' || body)`` and the
rank computed two more tsvectors (one per weight) for every matched row at each search; now the
match and ``ts_rank`` read the one stored vector. PostgreSQL computes the column when a row is
written, so the indexer writes nothing new. SQLite is unchanged (FTS5 ranks by ``bm25`` with
the title weighted ten times). Dropping the column loses nothing: it is computed from the row.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

VECTOR = (
    "setweight(to_tsvector('simple', title_tokens), 'A') || "
    "setweight(to_tsvector('simple', body_tokens), 'B')"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"ALTER TABLE search_doc ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_search_doc_fts")
    op.execute("CREATE INDEX ix_search_doc_fts ON search_doc USING gin (search_vector)")
    op.execute("ANALYZE search_doc")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_doc_fts")
    op.execute("ALTER TABLE search_doc DROP COLUMN IF EXISTS search_vector")
    op.execute(
        "CREATE INDEX ix_search_doc_fts ON search_doc USING gin "
        "(to_tsvector('simple', title_tokens || ' ' || body_tokens))"
    )
