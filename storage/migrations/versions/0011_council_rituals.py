"""the council's own rhythm (`/council setup`): its setup, its meetings, members' check-ins
before a meeting, and members who paused or landed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "council_rituals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("name", _string(80), nullable=False),
        sa.Column("rhythm", _string(16), nullable=False),
        sa.Column("weekdays", _string(20), nullable=False),
        sa.Column("interval_weeks", sa.Integer(), nullable=False),
        sa.Column("meeting_time", _string(5), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("tz", _string(64), nullable=False),
        sa.Column("length_minutes", sa.Integer(), nullable=False),
        sa.Column("moderator_id", _string(32), nullable=False),
        sa.Column("video_link", _string(500), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["councils.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", name="uq_council_rituals_council"),
    )
    op.create_table(
        "council_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("length_minutes", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", _string(16), nullable=False),
        sa.Column("agenda_ts", _string(32), nullable=True),
        sa.Column("posted_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["councils.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", "starts_at", name="uq_council_meetings_start"),
    )
    with op.batch_alter_table("council_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_council_meetings_council_id"), ["council_id"], unique=False
        )
    op.create_table(
        "council_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("where_now", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("win", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["council_meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_council_checkins"),
    )
    with op.batch_alter_table("council_checkins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_council_checkins_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_council_checkins_user_id"), ["user_id"], unique=False)
    op.create_table(
        "council_member_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("state", _string(16), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["councils.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", "user_id", name="uq_council_member_states"),
    )
    with op.batch_alter_table("council_member_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_council_member_states_council_id"), ["council_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("council_member_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_member_states_council_id"))
    op.drop_table("council_member_states")
    with op.batch_alter_table("council_checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_checkins_user_id"))
        batch_op.drop_index(batch_op.f("ix_council_checkins_meeting_id"))
    op.drop_table("council_checkins")
    with op.batch_alter_table("council_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_meetings_council_id"))
    op.drop_table("council_meetings")
    op.drop_table("council_rituals")
