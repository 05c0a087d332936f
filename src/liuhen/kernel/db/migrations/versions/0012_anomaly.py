"""The supervisors' anomaly list: what the cross-case detectors last found (``anomaly``) and the
journal position the last scan reached (``anomaly_scan``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

A cache, not a record: a row says what ``liuhen anomalies scan`` found, keyed by a stable
identity of the anomaly (its kind and the entries it rests on), so a later scan finds the same
row again. A supervisor's conclusion is not kept here but journaled (``registry.anomaly_review``)
and read from the journal; ``liuhen journal rebuild`` empties both tables and the next scan
fills them again. Nothing is lost by dropping them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anomaly",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(64), nullable=True),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("officer", sa.String(64), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("found_at", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_anomaly"),
    )
    op.create_index("ix_anomaly_kind", "anomaly", ["kind"])
    op.create_index("ix_anomaly_severity", "anomaly", ["severity"])
    op.create_index("ix_anomaly_agency", "anomaly", ["agency"])
    op.create_index("ix_anomaly_unit", "anomaly", ["unit"])
    op.create_table(
        "anomaly_scan",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("scanned_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anomaly_scan"),
    )


def downgrade() -> None:
    op.drop_table("anomaly_scan")
    for column in ("unit", "agency", "severity", "kind"):
        op.drop_index(f"ix_anomaly_{column}", table_name="anomaly")
    op.drop_table("anomaly")
