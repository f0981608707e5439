"""feedback requests review any subject: a job-mission draft (as before), a negotiation
plan's shared summary, a Two-Pager or a Candidate-Market Fit statement; each request carries
its workspace, author and the message reviewed (existing rows are filled from their draft)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


_ASKS = "SELECT request_id, user_id, nudge_channel, nudge_ts FROM feedback_asks"


def _asks_aside() -> list[sa.Row[tuple[int, str, str | None, str | None]]]:
    """SQLite rebuilds the table to change a column's NULL rule (copy, drop, rename), and
    with foreign keys on (storage.db) it may not drop rows `feedback_asks` points at: the
    asks step aside for the rebuild and come back after it, in the same transaction."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    rows = list(bind.execute(sa.text(_ASKS)).all())
    bind.execute(sa.text("DELETE FROM feedback_asks"))
    return rows  # type: ignore[return-value]


def _asks_back(rows: list[sa.Row[tuple[int, str, str | None, str | None]]]) -> None:
    if rows:
        op.get_bind().execute(
            sa.text(
                "INSERT INTO feedback_asks (request_id, user_id, nudge_channel, nudge_ts) "
                "VALUES (:request_id, :user_id, :nudge_channel, :nudge_ts)"
            ),
            [dict(row._mapping) for row in rows],
        )


def upgrade() -> None:
    with op.batch_alter_table("feedback_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", _string(32), nullable=True))
        batch_op.add_column(sa.Column("subject_kind", _string(24), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("author_id", _string(32), nullable=True))
        batch_op.add_column(sa.Column("channel_id", _string(32), nullable=True))
        batch_op.add_column(sa.Column("message_ts", _string(32), nullable=True))
    # Every existing request is about a draft: its workspace (the draft's search's), author
    # and channel come from the draft; its message is the draft's.
    op.execute(
        sa.text(
            "UPDATE feedback_requests SET "
            "subject_kind = 'draft', subject_id = draft_id, "
            "team_id = (SELECT s.team_id FROM mission_drafts d JOIN searches s "
            "ON s.id = d.search_id WHERE d.id = feedback_requests.draft_id), "
            "author_id = (SELECT d.author_id FROM mission_drafts d "
            "WHERE d.id = feedback_requests.draft_id), "
            "channel_id = (SELECT d.channel_id FROM mission_drafts d "
            "WHERE d.id = feedback_requests.draft_id), "
            "message_ts = (SELECT d.message_ts FROM mission_drafts d "
            "WHERE d.id = feedback_requests.draft_id)"
        )
    )
    asks = _asks_aside()
    with op.batch_alter_table("feedback_requests", schema=None) as batch_op:
        batch_op.alter_column("team_id", existing_type=_string(32), nullable=False)
        batch_op.alter_column("subject_kind", existing_type=_string(24), nullable=False)
        batch_op.alter_column("subject_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("author_id", existing_type=_string(32), nullable=False)
        batch_op.alter_column("channel_id", existing_type=_string(32), nullable=False)
        batch_op.alter_column("draft_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            "ix_feedback_requests_subject", ["team_id", "subject_kind", "subject_id"], unique=False
        )
    _asks_back(asks)


def downgrade() -> None:
    # Requests about anything but a draft have no place in the old table.
    op.execute(
        sa.text(
            "DELETE FROM feedback_asks WHERE request_id IN (SELECT id FROM "
            "feedback_requests WHERE subject_kind <> 'draft')"
        )
    )
    op.execute(sa.text("DELETE FROM feedback_requests WHERE subject_kind <> 'draft'"))
    asks = _asks_aside()
    with op.batch_alter_table("feedback_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_requests_subject")
        batch_op.alter_column("draft_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("message_ts")
        batch_op.drop_column("channel_id")
        batch_op.drop_column("author_id")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject_kind")
        batch_op.drop_column("team_id")
    _asks_back(asks)
