"""council rhythm, meetings, check-ins, pauses (issue 15)

Reserved so parallel work can chain its revisions; filled in by that work.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:50:00
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
