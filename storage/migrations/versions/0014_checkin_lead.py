"""council check-in lead time: how many hours before a meeting the check-in DM goes out

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("council_rituals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("checkin_lead_hours", sa.Integer(), nullable=False, server_default="24")
        )


def downgrade() -> None:
    with op.batch_alter_table("council_rituals", schema=None) as batch_op:
        batch_op.drop_column("checkin_lead_hours")
