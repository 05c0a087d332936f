"""Statistics: ``stats_act_month``, the acts counted per month, agency, unit and kind.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

The report's count of acts per kind read every act of the period (a year of 100,000 cases:
about 2.4 million rows); counted per month, agency, unit and kind they are some tens of
thousands. Acts are never changed once recorded, so the catch-up adds its new acts' counts
(``stats.rollup``); the first report fills the table from ``stats_act`` with the other monthly
sums. A cache like the other fact tables: dropping it loses nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_act_month",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "agency", "unit", "act", name=op.f("pk_stats_act_month")),
    )
    # an instance whose monthly sums were filled before this table existed fills them again
    op.execute("DELETE FROM stats_rollup_rules WHERE agency = '*'")


def downgrade() -> None:
    op.drop_table("stats_act_month")
