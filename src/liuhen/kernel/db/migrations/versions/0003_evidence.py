"""Evidence: the media and device projections, and resumable uploads in progress.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Policy: a migration never rewrites or deletes journal_entry, merkle_node or checkpoint rows;
projection tables may be rebuilt with ``liuhen journal rebuild``. Run on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("device_no", sa.String(64), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("officer", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("device_no", name="pk_device"),
    )
    op.create_index("ix_device_unit", "device", ["unit"])
    op.create_index("ix_device_officer", "device", ["officer"])
    op.create_table(
        "media",
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("device_no", sa.String(64), nullable=True),
        sa.Column("officer", sa.String(64), nullable=True),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("started_at", sa.String(40), nullable=True),
        sa.Column("ended_at", sa.String(40), nullable=True),
        sa.Column("stored_at", sa.String(40), nullable=False),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("returned_at", sa.String(40), nullable=True),
        sa.Column("corrupt", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("info", sa.Text(), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=True),
        sa.Column("act_seq", sa.BigInteger(), nullable=True),
        sa.Column("party", sa.String(200), nullable=True),
        sa.Column("bound_seq", sa.BigInteger(), nullable=True),
        sa.Column("stored_seq", sa.BigInteger(), nullable=False),
        sa.Column("thumbnail", sa.String(80), nullable=True),
        sa.Column("proxy", sa.String(80), nullable=True),
        sa.Column("derived_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("digest", name="pk_media"),
    )
    for col in ("kind", "device_no", "officer", "unit", "stored_at", "case_number", "party"):
        op.create_index(f"ix_media_{col}", "media", [col])
    op.create_table(
        "upload",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("expected", sa.String(80), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(80), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_upload"),
    )
    op.create_index("ix_upload_status", "upload", ["status"])


def downgrade() -> None:
    op.drop_table("upload")
    op.drop_table("media")
    op.drop_table("device")
