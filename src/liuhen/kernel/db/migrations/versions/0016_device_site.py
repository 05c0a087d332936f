"""Fixed cameras of an 执法办案场所: ``device.kind`` (执法记录仪 or 办案场所监控) and
``device.site`` (the site it watches), so the site's own surveillance recordings are media like
a body camera's (001 第九条第四项, 003 第十九条).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

Both are projected from ``registry.device`` entries: a rebuild fills them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("site", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.drop_column("site")
        batch.drop_column("kind")
