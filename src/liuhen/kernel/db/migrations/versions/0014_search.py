"""The full-text search index (liuhen.search): ``search_doc``, ``search_state`` and, on SQLite,
the FTS5 table ``search_fts`` kept by triggers; on PostgreSQL a GIN index over ``to_tsvector``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

A cache, not a record: each row is a text of a case (its header, an entry's fields, the
compliance findings) segmented into words, with the strictest confidentiality mark covering it.
``search_state`` holds the last journal seq indexed; the next search indexes the entries after
it first. ``liuhen journal rebuild`` empties both tables (the triggers empty ``search_fts``);
the next search indexes the whole journal again. Nothing is lost by dropping them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_tokens, body_tokens, "
    "content='search_doc', content_rowid='id')",
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); END",
    "CREATE TRIGGER search_doc_au AFTER UPDATE OF title_tokens, body_tokens ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_doc_au",
    "DROP TRIGGER IF EXISTS search_doc_ad",
    "DROP TRIGGER IF EXISTS search_doc_ai",
    "DROP TABLE IF EXISTS search_fts",
)
PG_INDEX = (
    "CREATE INDEX ix_search_doc_fts ON search_doc USING gin "
    "(to_tsvector('simple', title_tokens || ' ' || body_tokens))"
)


def upgrade() -> None:
    op.create_table(
        "search_doc",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title_tokens", sa.Text(), nullable=False),
        sa.Column("body_tokens", sa.Text(), nullable=False),
        sa.Column("mark", sa.String(16), nullable=True),
        sa.Column("due_at", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_search_doc"),
    )
    op.create_index("ix_search_doc_case_number", "search_doc", ["case_number"])
    op.create_index("ix_search_doc_kind", "search_doc", ["kind"])
    op.create_table(
        "search_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_search_state"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_FTS:
            op.execute(sql)
    else:
        op.execute(PG_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_DROP:
            op.execute(sql)
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_doc_fts")
    op.drop_table("search_state")
    op.drop_index("ix_search_doc_kind", table_name="search_doc")
    op.drop_index("ix_search_doc_case_number", table_name="search_doc")
    op.drop_table("search_doc")
