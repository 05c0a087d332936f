"""Statistics: ``stats_officer_month`` and ``stats_unit_month``, the acts summed per month.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

The officers' figures of a year joined every act of the year with who took part (8.5 million
rows at 100,000 cases) and summed them per officer and case; the sums per month are about a
sixteenth as many rows, so a period's whole months add those and only its partial months read
the acts. ``stats_unit_month`` does the same for the acts themselves (per case, month, agency
and unit: about a twentieth of the acts), which the headline figures, the rates and the units'
table counted. Which acts must be recorded on audio-video comes from the agencies' rule packs,
which a migration does not read: the tables start empty and the first report fills them from the
fact tables (``stats.rollup.ensure``: one INSERT … SELECT … GROUP BY), stamping the acts it counted
per agency in ``stats_rollup_rules``. A cache like the other fact tables: dropping it loses
nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_officer_month",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("acts", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("media", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "officer", "case_number", "agency", name=op.f("pk_stats_officer_month")
        ),
    )
    op.create_index(
        op.f("ix_stats_officer_month_case_number"), "stats_officer_month", ["case_number"]
    )
    op.create_table(
        "stats_unit_month",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("acts", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("media", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "case_number", "agency", "unit", name=op.f("pk_stats_unit_month")
        ),
    )
    op.create_index(op.f("ix_stats_unit_month_case_number"), "stats_unit_month", ["case_number"])
    op.create_table(
        "stats_rollup_rules",
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("acts", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("agency", name=op.f("pk_stats_rollup_rules")),
    )


def downgrade() -> None:
    op.drop_table("stats_rollup_rules")
    op.drop_index(op.f("ix_stats_unit_month_case_number"), table_name="stats_unit_month")
    op.drop_table("stats_unit_month")
    op.drop_index(op.f("ix_stats_officer_month_case_number"), table_name="stats_officer_month")
    op.drop_table("stats_officer_month")
