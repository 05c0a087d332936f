"""Account events: who created, closed, unlocked, re-passworded or re-roled an account.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Credentials stay working state outside the journal, but changes to them must be traceable:
``account_event`` is append-only, and the same triggers that guard the journal refuse UPDATE
and DELETE on it. Policy: a migration never rewrites or deletes journal_entry, merkle_node,
checkpoint or account_event rows. Run on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

from liuhen.kernel.db import triggers

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
TABLES = ["account_event"]  # fixed here, whatever models.AUDIT_TABLES later becomes


def upgrade() -> None:
    op.create_table(
        "account_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(100), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_account_event"),
    )
    for col in ("at", "action", "target"):
        op.create_index(f"ix_account_event_{col}", "account_event", [col])
    sqlite = op.get_bind().dialect.name == "sqlite"
    tables = TABLES
    for sql in triggers.sqlite_create(tables) if sqlite else triggers.postgresql_create(tables):
        op.execute(sql)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    tables = TABLES
    statements = triggers.sqlite_drop(tables) if sqlite else triggers.postgresql_drop(tables, False)
    for sql in statements:
        op.execute(sql)
    op.drop_table("account_event")
