"""installations of the app in workspaces and OAuth states, for distribution mode ("Add to
Slack", one deployment serving many workspaces); bot tokens stored encrypted

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("app_id", sa.String(length=32), nullable=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("team_name", sa.String(length=255), nullable=False),
        sa.Column("bot_token", sa.Text(), nullable=False),
        sa.Column("bot_refresh_token", sa.Text(), nullable=True),
        sa.Column("bot_token_expires_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("bot_id", sa.String(length=32), nullable=False),
        sa.Column("bot_user_id", sa.String(length=32), nullable=False),
        sa.Column("bot_scopes", sa.Text(), nullable=False),
        sa.Column("installer_user_id", sa.String(length=32), nullable=True),
        sa.Column("installed_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "client_id", "enterprise_id", "team_id", name="uq_slack_installations_workspace"
        ),
    )
    op.create_index(
        "ix_slack_installations_team_id", "slack_installations", ["team_id"], unique=False
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("expire_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )


def downgrade() -> None:
    op.drop_table("slack_oauth_states")
    op.drop_index("ix_slack_installations_team_id", table_name="slack_installations")
    op.drop_table("slack_installations")
