"""Early warning (预警): ``warning_card``, the yellow and red cards on cases' time limits, and an
optional e-mail address on each account (``app_user.email``) the cards are sent to.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

Cards are working state like the accounts, not a cache: when a card was raised, cleared and
e-mailed is known nowhere else, so ``liuhen journal rebuild`` leaves the table alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
    op.create_table(
        "warning_card",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("anchor", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(140), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("cite", sa.Text(), nullable=False),
        sa.Column("due_at", sa.String(40), nullable=False),
        sa.Column("raised_at", sa.String(40), nullable=False),
        sa.Column("cleared_at", sa.String(40), nullable=True),
        sa.Column("cleared_by", sa.String(16), nullable=True),
        sa.Column("handlers", sa.Text(), nullable=False),
        sa.Column("emailed_at", sa.String(40), nullable=True),
        sa.Column("recipients", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_warning_card"),
        sa.UniqueConstraint(
            "case_number", "rule", "anchor", "level", name="uq_warning_card_case_number"
        ),
    )
    for column in ("case_number", "unit", "raised_at", "cleared_at"):
        op.create_index(f"ix_warning_card_{column}", "warning_card", [column])


def downgrade() -> None:
    for column in ("cleared_at", "raised_at", "unit", "case_number"):
        op.drop_index(f"ix_warning_card_{column}", table_name="warning_card")
    op.drop_table("warning_card")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("email")
