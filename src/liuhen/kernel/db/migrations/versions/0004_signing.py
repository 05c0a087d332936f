"""Signing: the people's current signing certificates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Policy: a migration never rewrites or deletes journal_entry, merkle_node or checkpoint rows;
projection tables may be rebuilt with ``liuhen journal rebuild``. Run on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_key",
        sa.Column("cert_no", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("not_before", sa.String(40), nullable=False),
        sa.Column("not_after", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("cert_no", name="pk_signing_key"),
    )
    op.create_index("ix_signing_key_fingerprint", "signing_key", ["fingerprint"])


def downgrade() -> None:
    op.drop_table("signing_key")
