"""the writer of anonymous feedback is stored only encrypted (written_feedback.author_sealed;
user_id holds ""), and shared back-channel summaries are remembered (backchannel_shares) so
an erase can delete them from the channel

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types
from storage import crypto

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `written_feedback.user_id` of anonymous rows once sealed (storage.missions.ANONYMOUS_AUTHOR,
# copied: a migration must not change when the code does).
_ANONYMOUS_AUTHOR = ""


def _need_key() -> None:
    if not crypto.is_configured():
        raise crypto.DataKeyError(
            "DATA_KEY is needed to encrypt existing data: set it (or let the bot "
            "create its key file) before migrating"
        )


def upgrade() -> None:
    with op.batch_alter_table("written_feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_sealed", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, user_id FROM written_feedback "
            "WHERE anonymous = :yes AND author_sealed IS NULL AND user_id <> :none"
        ),
        {"yes": True, "none": _ANONYMOUS_AUTHOR},
    ).all()
    if rows:
        _need_key()
    for row_id, user_id in rows:
        bind.execute(
            sa.text(
                "UPDATE written_feedback SET author_sealed = :sealed, user_id = :none "
                "WHERE id = :id"
            ),
            {"sealed": crypto.encrypt(str(user_id)), "none": _ANONYMOUS_AUTHOR, "id": row_id},
        )

    op.create_table(
        "backchannel_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_id"], ["backchannel_checklists.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("backchannel_shares", schema=None) as batch_op:
        batch_op.create_index("ix_backchannel_shares_owner", ["team_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("backchannel_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_backchannel_shares_owner")
    op.drop_table("backchannel_shares")

    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, author_sealed FROM written_feedback WHERE author_sealed IS NOT NULL")
    ).all()
    if rows:
        _need_key()
    for row_id, sealed in rows:
        bind.execute(
            sa.text(
                "UPDATE written_feedback SET user_id = :user_id, author_sealed = NULL "
                "WHERE id = :id"
            ),
            {"user_id": crypto.decrypt(str(sealed)), "id": row_id},
        )
    with op.batch_alter_table("written_feedback", schema=None) as batch_op:
        batch_op.drop_column("author_sealed")
