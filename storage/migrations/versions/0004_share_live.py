"""mission drafts remember when the bot suggested sharing them live

Revision ID: 0004_share_live
Revises: 0003
Create Date: 2026-11-25 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004_share_live"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mission_drafts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("share_suggested_at", storage.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("mission_drafts", schema=None) as batch_op:
        batch_op.drop_column("share_suggested_at")
