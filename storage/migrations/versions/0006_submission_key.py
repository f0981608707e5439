"""mission drafts remember the modal they were submitted from, so a resubmission of the same
modal (an ack that reached Slack too late) never makes a second draft or a second post

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mission_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_mission_drafts_submission_key", ["submission_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("mission_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_mission_drafts_submission_key")
        batch_op.drop_column("submission_key")
