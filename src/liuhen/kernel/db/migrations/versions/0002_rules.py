"""Rules: journaled instance settings (default rule pack) and imported holiday calendars.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Policy: a migration never rewrites or deletes journal_entry, merkle_node or checkpoint rows;
projection tables may be rebuilt with ``liuhen journal rebuild``. Run on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_setting"),
    )
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.Text(), nullable=False),
        sa.Column("workdays", sa.Text(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_calendar_year"),
    )


def downgrade() -> None:
    op.drop_table("calendar_year")
    op.drop_table("setting")
