"""Initial schema: the journal, its Merkle nodes and checkpoints, and the first projections.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Policy: a migration never rewrites or deletes journal_entry, merkle_node or checkpoint rows;
projection tables may be rebuilt with ``liuhen journal rebuild``. Run on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

from liuhen.kernel.db import triggers

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("hash_alg", sa.String(16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instance"),
    )
    op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal_head"),
    )
    op.create_table(
        "journal_entry",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chain", sa.String(100), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.String(40), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("actors", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(), nullable=True),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.Column("canonical", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_journal_entry"),
        sa.UniqueConstraint("chain", "chain_seq", name="uq_journal_entry_chain"),
    )
    op.create_index("ix_journal_entry_act", "journal_entry", ["act"])
    op.create_table(
        "merkle_node",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_merkle_node"),
    )
    op.create_table(
        "checkpoint",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name="pk_checkpoint"),
    )
    op.create_table(
        "agency",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(200), nullable=True),
        sa.Column("rule_pack", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_agency"),
    )
    op.create_table(
        "unit",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_unit"),
    )
    op.create_index("ix_unit_agency", "unit", ["agency"])
    op.create_table(
        "officer",
        sa.Column("cert_no", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("cert_no", name="pk_officer"),
    )
    op.create_index("ix_officer_unit", "officer", ["unit"])
    op.create_table(
        "case_record",
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("cause", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("procedure", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("officers", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.String(40), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_act", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_case_record"),
    )
    for col in ("category", "unit", "stage", "status", "opened_at"):
        op.create_index(f"ix_case_record_{col}", "case_record", [col])
    bind = op.get_bind()
    statements = (
        triggers.sqlite_create() if bind.dialect.name == "sqlite" else triggers.postgresql_create()
    )
    for sql in statements:
        op.execute(sql)


def downgrade() -> None:
    bind = op.get_bind()
    statements = (
        triggers.sqlite_drop() if bind.dialect.name == "sqlite" else triggers.postgresql_drop()
    )
    for sql in statements:
        op.execute(sql)
    for table in (
        "case_record",
        "officer",
        "unit",
        "agency",
        "checkpoint",
        "merkle_node",
        "journal_entry",
        "journal_head",
        "instance",
    ):
        op.drop_table(table)
