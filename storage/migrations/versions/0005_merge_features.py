"""merge the back-channel, negotiation and share-live branches

Revision ID: 0005
Revises: 0004_backchannel, 0004_negotiation, 0004_share_live
Create Date: 2026-11-25 19:45:00
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = (
    "0004_backchannel",
    "0004_negotiation",
    "0004_share_live",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # a merge point only: each branch created its own tables


def downgrade() -> None:
    pass
