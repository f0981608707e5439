"""encrypt compensation figures, back-channel people and notes, Gratitude House entries and
debrief answers at rest (storage/crypto.py): widen their columns to text, encrypt rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:40:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from storage import crypto

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns that were not text before, with their old types (for the downgrade).
_WIDENED: dict[tuple[str, str], sa.types.TypeEngine] = {
    ("negotiation_compensation", "offer"): sa.BigInteger(),
    ("negotiation_compensation", "target"): sa.BigInteger(),
    ("backchannel_checklists", "manager_name"): sa.String(length=80),
    ("backchannel_people", "name"): sa.String(length=80),
    ("backchannel_people", "relation"): sa.String(length=150),
    ("backchannel_people", "signal"): sa.String(length=16),
    ("gratitude_people", "name"): sa.String(length=80),
    ("gratitude_people", "note"): sa.String(length=200),
}
_KEYS = {"negotiation_compensation": "plan_id"}

# The encrypted columns as of this revision. A later revision that encrypts more columns
# adds them to storage.crypto.ENCRYPTED_COLUMNS; this one must not reach for their tables,
# which do not exist yet when it runs.
ENCRYPTED_HERE: tuple[tuple[str, str], ...] = (
    ("negotiation_compensation", "offer"),
    ("negotiation_compensation", "target"),
    ("backchannel_checklists", "manager_name"),
    ("backchannel_people", "name"),
    ("backchannel_people", "relation"),
    ("backchannel_people", "signal"),
    ("backchannel_people", "notes"),
    ("gratitude_people", "name"),
    ("gratitude_people", "note"),
    ("debriefs", "went_well"),
    ("debriefs", "worries"),
    ("debriefs", "asked"),
    ("debriefs", "inner_critic"),
    ("debriefs", "evidence"),
    ("debriefs", "wants"),
)


def _rewrite(change: Callable[[str], str]) -> None:
    """Apply `change` to every stored value of every encrypted column, row by row."""
    bind = op.get_bind()
    for table, column in ENCRYPTED_HERE:
        key = _KEYS.get(table, "id")
        rows = bind.execute(
            sa.text(f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL")
        ).all()
        if rows and not crypto.is_configured():
            raise crypto.DataKeyError(
                "DATA_KEY is needed to encrypt existing data: set it (or let the bot "
                "create its key file) before migrating"
            )
        for row_key, value in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :value WHERE {key} = :key"),
                {"value": change(str(value)), "key": row_key},
            )


def upgrade() -> None:
    for (table, column), _old in _WIDENED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                type_=sa.Text(),
                existing_nullable=column in ("offer", "target"),
                postgresql_using=f"{column}::text",
            )
    _rewrite(crypto.encrypt)


def downgrade() -> None:
    _rewrite(crypto.decrypt)
    for (table, column), old in _WIDENED.items():
        using = f"{column}::bigint" if isinstance(old, sa.BigInteger) else None
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                type_=old,
                existing_nullable=column in ("offer", "target"),
                postgresql_using=using,
            )
