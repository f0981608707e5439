"""the Listening Tour log (`/tour`): a member's tour conversations (who, kind, date, what
was heard and the takeaway, the three texts encrypted at rest) and the takeaways they
shared in a council channel

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "tour_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("person_name", sa.Text(), nullable=False),
        sa.Column("kind", _string(16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("heard", sa.Text(), nullable=False),
        sa.Column("takeaway", sa.Text(), nullable=False),
        sa.Column("thanks", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tour_conversations", schema=None) as batch_op:
        batch_op.create_index("ix_tour_conversations_owner", ["team_id", "user_id"], unique=False)
    op.create_table(
        "tour_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", _string(32), nullable=False),
        sa.Column("message_ts", _string(32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["tour_conversations.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tour_shares", schema=None) as batch_op:
        batch_op.create_index("ix_tour_shares_owner", ["team_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tour_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_tour_shares_owner")
    op.drop_table("tour_shares")
    with op.batch_alter_table("tour_conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_tour_conversations_owner")
    op.drop_table("tour_conversations")
