"""encrypt council check-in answers at rest (where the member is, what they need, a win)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:15:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from storage import crypto

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns this revision encrypts (they were text already; only the values change).
ENCRYPTED_HERE = (
    ("council_checkins", "where_now"),
    ("council_checkins", "needs"),
    ("council_checkins", "win"),
)


def _rewrite(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    for table, column in ENCRYPTED_HERE:
        rows = bind.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
        ).all()
        if rows and not crypto.is_configured():
            raise crypto.DataKeyError(
                "DATA_KEY is needed to encrypt existing check-ins: set it (or let the bot "
                "create its key file) before migrating"
            )
        for row_id, value in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                {"value": change(str(value)), "id": row_id},
            )


def upgrade() -> None:
    _rewrite(crypto.encrypt)


def downgrade() -> None:
    _rewrite(crypto.decrypt)
