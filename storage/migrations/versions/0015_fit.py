"""`/fit`: a member's Two-Pager versions (the two lists) and Candidate-Market Fit statement
versions (four attributes and the sentence, the council's counted sign-off), and the
additions council members suggest for a Two-Pager; member text encrypted at rest

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "fit_two_pagers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("wants", sa.Text(), nullable=False),
        sa.Column("dont_wants", sa.Text(), nullable=False),
        sa.Column("channel_id", _string(32), nullable=True),
        sa.Column("message_ts", _string(32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fit_two_pagers", schema=None) as batch_op:
        batch_op.create_index("ix_fit_two_pagers_owner", ["team_id", "user_id"], unique=False)
        batch_op.create_index(
            "ix_fit_two_pagers_message", ["team_id", "channel_id", "message_ts"], unique=False
        )
    op.create_table(
        "fit_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("industry", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("culture", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("channel_id", _string(32), nullable=True),
        sa.Column("message_ts", _string(32), nullable=True),
        sa.Column("signed", sa.Integer(), nullable=False),
        sa.Column("signers_of", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fit_statements", schema=None) as batch_op:
        batch_op.create_index("ix_fit_statements_owner", ["team_id", "user_id"], unique=False)
        batch_op.create_index(
            "ix_fit_statements_message", ["team_id", "channel_id", "message_ts"], unique=False
        )
    op.create_table(
        "fit_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("two_pager_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("list_key", _string(16), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("status", _string(16), nullable=False),
        sa.Column("dm_channel", _string(32), nullable=True),
        sa.Column("dm_ts", _string(32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["two_pager_id"], ["fit_two_pagers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fit_suggestions", schema=None) as batch_op:
        batch_op.create_index("ix_fit_suggestions_owner", ["team_id", "owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fit_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_fit_suggestions_owner")
    op.drop_table("fit_suggestions")
    with op.batch_alter_table("fit_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_fit_statements_message")
        batch_op.drop_index("ix_fit_statements_owner")
    op.drop_table("fit_statements")
    with op.batch_alter_table("fit_two_pagers", schema=None) as batch_op:
        batch_op.drop_index("ix_fit_two_pagers_message")
        batch_op.drop_index("ix_fit_two_pagers_owner")
    op.drop_table("fit_two_pagers")
