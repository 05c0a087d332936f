"""The case list names the deadline it shows: the title of the rule whose deadline is next.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

``case_summary`` is a cache (migration 0008): its rows are emptied here rather than filled,
and the next list recomputes them with the title. A closed case's next deadline is then shown
for what it is (归档, say) instead of a bare number of days.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM case_summary")
    with op.batch_alter_table("case_summary") as batch:
        batch.add_column(sa.Column("next_due_title", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_summary") as batch:
        batch.drop_column("next_due_title")
