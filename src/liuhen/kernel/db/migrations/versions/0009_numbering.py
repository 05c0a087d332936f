"""Agency settings and number counters: numbers the system issues, not typed by hand.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

Both tables are projections of the journal: ``agency_settings`` from each agency's latest
``registry.agency_settings`` entry, ``number_counter`` from the ``issued`` field of the entries
that used a number. The projection rules version rises with them, so ``liuhen serve`` rebuilds
the projections of an upgraded instance once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_settings",
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("short_name", sa.String(50), nullable=False),
        sa.Column("case_pattern", sa.String(200), nullable=False),
        sa.Column("document_patterns", sa.Text(), nullable=False),
        sa.Column("review_body", sa.String(200), nullable=True),
        sa.Column("court", sa.String(200), nullable=True),
        sa.Column("act_types", sa.Text(), nullable=False),
        sa.Column("numbers_used", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("agency", name=op.f("pk_agency_settings")),
    )
    op.create_table(
        "number_counter",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_number_counter")),
    )
    op.create_index(op.f("ix_number_counter_agency"), "number_counter", ["agency"])


def downgrade() -> None:
    op.drop_index(op.f("ix_number_counter_agency"), table_name="number_counter")
    op.drop_table("number_counter")
    op.drop_table("agency_settings")
