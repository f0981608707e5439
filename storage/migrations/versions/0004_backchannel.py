"""backchannel: reference checklists and the people to ask

Revision ID: 0004_backchannel
Revises: 0003
Create Date: 2026-11-25 19:20:35.310121
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0004_backchannel"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backchannel_checklists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=True),
        sa.Column("manager_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["councils.id"]),
        sa.ForeignKeyConstraint(["search_id"], ["searches.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("search_id", name="uq_backchannel_checklists_search_id"),
    )
    with op.batch_alter_table("backchannel_checklists", schema=None) as batch_op:
        batch_op.create_index(
            "ix_backchannel_checklists_owner", ["team_id", "user_id"], unique=False
        )

    op.create_table(
        "backchannel_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("signal", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["checklist_id"], ["backchannel_checklists.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("backchannel_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backchannel_people_checklist_id"), ["checklist_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("backchannel_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backchannel_people_checklist_id"))

    op.drop_table("backchannel_people")
    with op.batch_alter_table("backchannel_checklists", schema=None) as batch_op:
        batch_op.drop_index("ix_backchannel_checklists_owner")

    op.drop_table("backchannel_checklists")
