"""Drafts of forms (暂存): what a user typed into an act or document form, to finish later.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Working state, like ``upload``: not a record and not a projection. Nothing is journaled when a
draft is saved or discarded; ``liuhen journal rebuild`` leaves the table alone and ``liuhen
verify`` does not read it. A draft belongs to one user and one form page (its address), and is
deleted once that form is recorded.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_draft",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("username", "url", name=op.f("pk_form_draft")),
    )
    op.create_index(op.f("ix_form_draft_case_number"), "form_draft", ["case_number"])


def downgrade() -> None:
    op.drop_index(op.f("ix_form_draft_case_number"), table_name="form_draft")
    op.drop_table("form_draft")
