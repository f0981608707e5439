"""a review request's asked member is marked answered when they react on the posted
message (for the subjects other than drafts, whose answers are reactions and written
feedback stored with the draft)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 12:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_asks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_asks", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
