"""Installations of the app in workspaces, and OAuth states (distribution mode).

One row per workspace that installed the app through "Add to Slack": its bot token (and,
with token rotation, its refresh token and expiry), stored encrypted like every other
secret (storage/crypto.py). slack_sdk's `InstallationStore` and `OAuthStateStore`
interfaces sit over these tables, so Bolt's OAuth flow and authorize use them directly
while Alembic owns the schema (migration 0009).

The app is bot-only: it never asks for user tokens, so an installation is its bot.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy import Column, Engine, Text, UniqueConstraint, delete
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedText
from storage.db import session_scope
from storage.types import UTCDateTime, utcnow

log = logging.getLogger("council_bot.installations")


class SlackInstallation(SQLModel, table=True):
    """The app's bot in one workspace, as "Add to Slack" installed it."""

    __tablename__ = "slack_installations"
    __table_args__ = (
        UniqueConstraint(
            "client_id", "enterprise_id", "team_id", name="uq_slack_installations_workspace"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64)
    app_id: str | None = Field(default=None, max_length=32)
    # "" rather than NULL for a workspace outside an Enterprise Grid: NULLs are never equal,
    # so the unique constraint would let one workspace hold two rows.
    enterprise_id: str = Field(default="", max_length=32)
    team_id: str = Field(max_length=32, index=True)
    team_name: str = Field(default="", max_length=255)
    bot_token: str = Field(sa_column=Column(EncryptedText, nullable=False))
    bot_refresh_token: str | None = Field(default=None, sa_column=Column(EncryptedText))
    bot_token_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    bot_id: str = Field(max_length=32)
    bot_user_id: str = Field(max_length=32)
    bot_scopes: str = Field(default="", sa_column=Column(Text, nullable=False))
    installer_user_id: str | None = Field(default=None, max_length=32)
    installed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    def to_bot(self) -> Bot:
        return Bot(
            app_id=self.app_id,
            enterprise_id=self.enterprise_id or None,
            team_id=self.team_id,
            team_name=self.team_name,
            bot_token=self.bot_token,
            bot_id=self.bot_id,
            bot_user_id=self.bot_user_id,
            bot_scopes=self.bot_scopes,
            bot_refresh_token=self.bot_refresh_token,
            bot_token_expires_at=(
                int(self.bot_token_expires_at.timestamp())
                if self.bot_token_expires_at is not None
                else None
            ),
            is_enterprise_install=False,
            installed_at=self.installed_at.timestamp(),
        )


class OAuthState(SQLModel, table=True):
    """A state handed to one browser on the install page, single use and short-lived."""

    __tablename__ = "slack_oauth_states"

    state: str = Field(primary_key=True, max_length=64)
    expire_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


def _expiry(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)


def find_installation_row(
    session: Session, *, client_id: str, team_id: str, enterprise_id: str | None = None
) -> SlackInstallation | None:
    return session.exec(
        select(SlackInstallation).where(
            SlackInstallation.client_id == client_id,
            SlackInstallation.enterprise_id == (enterprise_id or ""),
            SlackInstallation.team_id == team_id,
        )
    ).first()


def save_bot_row(session: Session, *, client_id: str, bot: Bot, installer: str | None) -> None:
    """Insert or update the workspace's row (a reinstall or a token refresh updates it)."""
    row = find_installation_row(
        session, client_id=client_id, team_id=bot.team_id or "", enterprise_id=bot.enterprise_id
    )
    if row is None:
        row = SlackInstallation(
            client_id=client_id,
            enterprise_id=bot.enterprise_id or "",
            team_id=bot.team_id or "",
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
        )
    row.app_id = bot.app_id
    row.team_name = bot.team_name or ""
    row.bot_token = bot.bot_token
    row.bot_id = bot.bot_id
    row.bot_user_id = bot.bot_user_id
    row.bot_scopes = ",".join(bot.bot_scopes or [])
    row.bot_refresh_token = bot.bot_refresh_token
    row.bot_token_expires_at = _expiry(bot.bot_token_expires_at)
    if installer is not None:
        row.installer_user_id = installer
    row.updated_at = utcnow()
    session.add(row)


def delete_workspace_installations(session: Session, *, team_id: str) -> int:
    """Every installation of workspace `team_id` (any client id): the uninstall purge."""
    result = session.execute(
        delete(SlackInstallation).where(col(SlackInstallation.team_id) == team_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class SQLModelInstallationStore(InstallationStore):
    """slack_sdk's installation store over `slack_installations` (bot tokens only)."""

    def __init__(self, *, engine: Engine, client_id: str) -> None:
        self.engine = engine
        self.client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        bot = installation.to_bot() if installation.bot_token else None
        if bot is None:  # a user-token-only grant: the bot asks for none
            return
        with session_scope(self.engine) as session:
            save_bot_row(session, client_id=self.client_id, bot=bot, installer=installation.user_id)

    def save_bot(self, bot: Bot) -> None:
        with session_scope(self.engine) as session:
            save_bot_row(session, client_id=self.client_id, bot=bot, installer=None)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        if not team_id:
            return None
        with session_scope(self.engine) as session:
            row = find_installation_row(
                session, client_id=self.client_id, team_id=team_id, enterprise_id=enterprise_id
            )
            return None if row is None else row.to_bot()

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or user_id is not None:
            return None  # no user tokens are ever stored
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            team_name=bot.team_name,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            bot_refresh_token=bot.bot_refresh_token,
            bot_token_expires_at=bot.bot_token_expires_at,
            user_id="",
            installed_at=bot.installed_at,
        )

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_all(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            self.delete_all(enterprise_id=enterprise_id, team_id=team_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if not team_id:
            return
        with session_scope(self.engine) as session:
            session.execute(
                delete(SlackInstallation).where(
                    col(SlackInstallation.client_id) == self.client_id,
                    col(SlackInstallation.enterprise_id) == (enterprise_id or ""),
                    col(SlackInstallation.team_id) == team_id,
                )
            )


class SQLModelOAuthStateStore(OAuthStateStore):
    """States in `slack_oauth_states`: shared by every process, consumed exactly once.

    `consume` is one DELETE: of two processes handed the same state (a replayed redirect),
    only the one whose DELETE removed the row accepts it.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        expiration_seconds: int = 600,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self.clock()
        with session_scope(self.engine) as session:
            # States nobody came back with are dropped as new ones are issued.
            session.execute(delete(OAuthState).where(col(OAuthState.expire_at) < now))
            session.add(
                OAuthState(state=state, expire_at=now + timedelta(seconds=self.expiration_seconds))
            )
        return state

    def consume(self, state: str) -> bool:
        if not state or len(state) > 64:
            return False
        with session_scope(self.engine) as session:
            result = session.execute(
                delete(OAuthState).where(
                    col(OAuthState.state) == state, col(OAuthState.expire_at) >= self.clock()
                )
            )
            return int(getattr(result, "rowcount", 0) or 0) == 1
