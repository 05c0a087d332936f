"""A per-case summary of the compliance evaluation, so the case list can filter and sort by it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

A cache, not a record: each row says what the rule engine found for a case at the case's
``last_seq`` under the rules named in ``rules`` (pack, its digest, the calendar), and the
mark on the whole case then in force (so a search never matches a header the reader may not
see). A row whose case moved on or whose rules changed is recomputed when the list is next
read; ``liuhen journal rebuild`` empties the table and the list fills it again. Nothing is lost
by dropping it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_summary",
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("rules", sa.String(200), nullable=False),
        sa.Column("computed_at", sa.String(40), nullable=False),
        sa.Column("acts", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.String(40), nullable=False),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("next_due_at", sa.String(40), nullable=True),
        sa.Column("case_mark", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("number", name="pk_case_summary"),
    )
    op.create_index("ix_case_summary_next_due_at", "case_summary", ["next_due_at"])
    op.create_index("ix_case_summary_changed_at", "case_summary", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_case_summary_changed_at", table_name="case_summary")
    op.drop_index("ix_case_summary_next_due_at", table_name="case_summary")
    op.drop_table("case_summary")
