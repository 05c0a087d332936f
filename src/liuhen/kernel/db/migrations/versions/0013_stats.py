"""Statistics for supervision and evaluation (评议考核): fact tables caught up from the journal.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

A cache, not a record: ``stats_case`` (one row per case with its dimensions), ``stats_act`` and
``stats_act_officer`` (one row per case entry and per officer in it) and ``stats_finding`` (what
the rules found in each case) are derived from the journal up to ``stats_position.seq`` and
caught up before each read. ``liuhen journal rebuild`` empties them; the next read fills them
again, and ``liuhen stats verify`` compares them with a fresh replay. Nothing is lost by
dropping them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_case",
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(64), nullable=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("procedure", sa.String(16), nullable=False),
        sa.Column("source_act", sa.String(64), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("officers", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_on", sa.String(10), nullable=False),
        sa.Column("closed_on", sa.String(10), nullable=True),
        sa.Column("archived_on", sa.String(10), nullable=True),
        sa.Column("decided_on", sa.String(10), nullable=True),
        sa.Column("decision_kinds", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_stats_case")),
    )
    for column in ("agency", "unit", "opened_on", "closed_on", "decided_on"):
        op.create_index(op.f(f"ix_stats_case_{column}"), "stats_case", [column])
    op.create_table(
        "stats_act",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(64), nullable=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("on_date", sa.String(10), nullable=False),
        sa.Column("av_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_stats_act")),
    )
    for column in ("case_number", "agency", "unit", "act", "on_date"):
        op.create_index(op.f(f"ix_stats_act_{column}"), "stats_act", [column])
    op.create_table(
        "stats_act_officer",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", "officer", name=op.f("pk_stats_act_officer")),
    )
    op.create_table(
        "stats_finding",
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("code", sa.String(140), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("on_date", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("case_number", "n", name=op.f("pk_stats_finding")),
    )
    op.create_index(op.f("ix_stats_finding_rule"), "stats_finding", ["rule"])
    op.create_index(op.f("ix_stats_finding_on_date"), "stats_finding", ["on_date"])
    op.create_table(
        "stats_position",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("caught_up_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_position")),
    )


def downgrade() -> None:
    for table in ("stats_position", "stats_finding", "stats_act_officer", "stats_act"):
        op.drop_table(table)
    op.drop_table("stats_case")
