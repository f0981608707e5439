"""a feedback ask remembers the DM nudge it sent, so the nudge can be closed (its buttons
taken away, a thank-you in their place) once the member has answered

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_asks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nudge_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("nudge_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_asks", schema=None) as batch_op:
        batch_op.drop_column("nudge_ts")
        batch_op.drop_column("nudge_channel")
