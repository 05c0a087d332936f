"""Which projection rules wrote the projection tables, so an upgrade can rebuild them once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Projections are only replays of the journal; when the replay rules change (the case officers
now come only from the opening act and assignment), tables written by older rules disagree with
a fresh replay. The instance row remembers the rules version; ``liuhen serve`` rebuilds when it
differs. NULL means "written before this column existed", i.e. by older rules.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instance") as batch:
        batch.add_column(sa.Column("projection_rules", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("instance") as batch:
        batch.drop_column("projection_rules")
