"""The anomaly detection's indexed state, so new entries are judged against their neighbours
only: officers' presence intervals, capture positions, recording lags, the cameras each case
used, each transcript's current text with its rare 4-grams (postings) and the 4-grams' document
frequencies, and which cases each stored anomaly rests on.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

A cache like ``anomaly`` (migration 0012): ``liuhen journal rebuild`` empties it and the next
catch-up runs a full scan that fills it again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "anomaly_presence",
        _id(),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("t0", sa.BigInteger(), nullable=False),
        sa.Column("t1", sa.BigInteger(), nullable=False),
        sa.Column("start", sa.String(40), nullable=False),
        sa.Column("end", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anomaly_presence"),
    )
    op.create_index("ix_anomaly_presence_officer", "anomaly_presence", ["officer", "agency", "t0"])
    op.create_index("ix_anomaly_presence_case_number", "anomaly_presence", ["case_number"])
    op.create_table(
        "anomaly_fix",
        _id(),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("t0", sa.BigInteger(), nullable=False),
        sa.Column("start", sa.String(40), nullable=False),
        sa.Column("until", sa.String(40), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anomaly_fix"),
    )
    op.create_index("ix_anomaly_fix_officer", "anomaly_fix", ["officer", "agency", "t0"])
    op.create_index("ix_anomaly_fix_case_number", "anomaly_fix", ["case_number"])
    op.create_table(
        "anomaly_act",
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("occurred", sa.String(40), nullable=False),
        sa.Column("recorded", sa.String(40), nullable=False),
        sa.Column("t_recorded", sa.BigInteger(), nullable=False),
        sa.Column("lag", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("case_number", "seq", name="pk_anomaly_act"),
    )
    op.create_index("ix_anomaly_act_who", "anomaly_act", ["who", "agency", "t_recorded"])
    op.create_index("ix_anomaly_act_who_lag", "anomaly_act", ["who", "agency", "lag"])
    op.create_index("ix_anomaly_act_unit_lag", "anomaly_act", ["unit", "agency", "lag"])
    op.create_table(
        "anomaly_device_use",
        sa.Column("device_no", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("device_no", "case_number", name="pk_anomaly_device_use"),
    )
    op.create_index("ix_anomaly_device_use_case_number", "anomaly_device_use", ["case_number"])
    op.create_table(
        "anomaly_text",
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("party", sa.String(200), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_number", "seq", name="pk_anomaly_text"),
    )
    op.create_table(
        "anomaly_posting",
        _id(),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("shingle", sa.BigInteger(), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anomaly_posting"),
    )
    op.create_index("ix_anomaly_posting_shingle", "anomaly_posting", ["agency", "shingle"])
    op.create_index("ix_anomaly_posting_text", "anomaly_posting", ["case_number", "seq"])
    op.create_table(
        "anomaly_shingle",
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("shingle", sa.BigInteger(), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "shingle", name="pk_anomaly_shingle"),
    )
    op.create_table(
        "anomaly_ref",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("key", "case_number", name="pk_anomaly_ref"),
    )
    op.create_index("ix_anomaly_ref_case_number", "anomaly_ref", ["case_number"])
    op.create_index("ix_anomaly_officer", "anomaly", ["officer"])


def downgrade() -> None:
    op.drop_index("ix_anomaly_officer", table_name="anomaly")
    tables = ("anomaly_ref", "anomaly_shingle", "anomaly_posting", "anomaly_text",
              "anomaly_device_use", "anomaly_act", "anomaly_fix", "anomaly_presence")  # fmt: skip
    for table in tables:
        op.drop_table(table)
