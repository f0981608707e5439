"""written feedback on a shared negotiation plan, a posted Two-Pager or statement
(review_notes; the text and an anonymous writer encrypted at rest)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("subject_kind", _string(24), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("author_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("writer_sealed", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel_id", _string(32), nullable=False),
        sa.Column("message_ts", _string(32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_notes_subject", ["team_id", "subject_kind", "subject_id"], unique=False
        )
        batch_op.create_index("ix_review_notes_writer", ["team_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_review_notes_writer")
        batch_op.drop_index("ix_review_notes_subject")
    op.drop_table("review_notes")
