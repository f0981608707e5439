"""Distribution mode: "Add to Slack" for any workspace, and each workspace's own bot token.

Bolt's OAuth flow runs the install page and the redirect (`OAuthFlow`), over the
installation and state stores in the bot's own database (storage/installations.py). What
is the bot's own here:

- `InstallationAuthorize` gives each request its workspace's token from the stored
  installation, without Bolt's `auth.test` per request (the installation already holds the
  bot's ids). With token rotation it refreshes a token about to expire, and does it under a
  row lock: refresh tokens are single use, so two processes refreshing the same one at once
  would leave one of them with a refused token and a failed request.
- `WorkspaceClients` gives work done outside a request (reminders, digests) the same token
  for a reminder's workspace.
- The pages a person installing the bot sees (bot.platform.oauth_pages).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine
from sqlmodel import select

from bot.platform import oauth_pages
from bot.services import WorkspaceNotInstalled
from storage.db import session_scope
from storage.installations import (
    SlackInstallation,
    SQLModelInstallationStore,
    SQLModelOAuthStateStore,
    find_installation_row,
    save_bot_row,
)

log = logging.getLogger("council_bot.oauth")
_BOLT_OAUTH_LOG = logging.getLogger("council_bot.bolt.oauth")

# The bot scopes "Add to Slack" asks for: manifest.yml's (tests/test_manifest.py checks).
BOT_SCOPES = (
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:read",
    "im:write",
    "reactions:read",
    "users:read",
)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# Refresh a rotating token this long before it expires (Bolt's default too).
REFRESH_BEFORE = timedelta(minutes=120)
# How long a process trusts the installation it read (WorkspaceTokens).
REMEMBER_SECONDS = 10.0


class InstallationAuthorize(Authorize):
    """Each request's workspace token, from its installation; refreshed when expiring."""

    def __init__(
        self,
        *,
        engine: Engine,
        client_id: str,
        client_secret: str,
        client: WebClient,
        refresh_before: timedelta = REFRESH_BEFORE,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.tokens = WorkspaceTokens(
            engine=engine,
            client_id=client_id,
            rotator=TokenRotator(client_id=client_id, client_secret=client_secret, client=client),
            refresh_before=refresh_before,
            now=now,
        )

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        if not team_id:
            return None  # org-wide installs are not offered
        bot = self.tokens.bot(team_id=team_id, enterprise_id=enterprise_id)
        if bot is None:
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            team=bot.team_name,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


class WorkspaceTokens:
    """A workspace's bot, its token refreshed first when it is about to expire.

    Each process keeps what it read for `remember` (monotonic seconds), so most requests
    are authorized without touching the database and can be answered on the event loop
    (bot.server). An uninstall forgets the workspace in the process that purges it; other
    processes stop using it within `remember`, by when Slack no longer sends its requests
    and refuses its token.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        client_id: str,
        rotator: TokenRotator,
        refresh_before: timedelta,
        now: Callable[[], datetime],
        remember: float = REMEMBER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.client_id = client_id
        self.rotator = rotator
        self.refresh_before = refresh_before
        self.now = now
        self.remember = remember
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[float, Bot]] = {}

    def _expiring(self, row: SlackInstallation) -> bool:
        return (
            row.bot_refresh_token is not None
            and row.bot_token_expires_at is not None
            and row.bot_token_expires_at - self.refresh_before <= self.now()
        )

    def _fresh(self, bot: Bot) -> bool:
        """Not within `refresh_before` of its expiry (a token that never expires is)."""
        if bot.bot_refresh_token is None or bot.bot_token_expires_at is None:
            return True
        expires = datetime.fromtimestamp(bot.bot_token_expires_at, UTC)
        return expires - self.refresh_before > self.now()

    def known(self, *, team_id: str, enterprise_id: str | None = None) -> Bot | None:
        """The bot this process read lately, still fresh; None means asking the database."""
        key = (enterprise_id or "", team_id)
        with self._lock:
            found = self._known.get(key)
        if found is None or self.monotonic() - found[0] > self.remember:
            return None
        return found[1] if self._fresh(found[1]) else None

    def forget(self, team_id: str) -> None:
        """Drop what this process knows of workspace `team_id` (its uninstall purge)."""
        with self._lock:
            for key in [key for key in self._known if key[1] == team_id]:
                del self._known[key]

    def _keep(self, bot: Bot | None, *, team_id: str, enterprise_id: str | None) -> Bot | None:
        key = (enterprise_id or "", team_id)
        with self._lock:
            if bot is None:
                self._known.pop(key, None)
            else:
                self._known[key] = (self.monotonic(), bot)
        return bot

    def bot(self, *, team_id: str, enterprise_id: str | None = None) -> Bot | None:
        known = self.known(team_id=team_id, enterprise_id=enterprise_id)
        if known is not None:
            return known
        with session_scope(self.engine) as session:
            row = find_installation_row(
                session, client_id=self.client_id, team_id=team_id, enterprise_id=enterprise_id
            )
            bot = None if row is None else row.to_bot()
            expiring = row is not None and self._expiring(row)
        if expiring:  # refreshed in a transaction of its own, holding the row
            bot = self._refresh(team_id=team_id, enterprise_id=enterprise_id)
        return self._keep(bot, team_id=team_id, enterprise_id=enterprise_id)

    def _refresh(self, *, team_id: str, enterprise_id: str | None) -> Bot | None:
        # One transaction holding the row: a second process waits here, then finds the
        # token its peer refreshed instead of spending the used refresh token again.
        with session_scope(self.engine) as session:
            row = session.exec(
                select(SlackInstallation)
                .where(
                    SlackInstallation.client_id == self.client_id,
                    SlackInstallation.enterprise_id == (enterprise_id or ""),
                    SlackInstallation.team_id == team_id,
                )
                .with_for_update()
            ).first()
            if row is None:
                return None
            if not self._expiring(row):
                return row.to_bot()
            minutes = int(self.refresh_before.total_seconds() // 60)
            try:
                refreshed = self.rotator.perform_bot_token_rotation(
                    bot=row.to_bot(), minutes_before_expiration=minutes
                )
            except SlackTokenRotationError as exc:
                error = getattr(getattr(exc, "api_error", None), "response", {}) or {}
                log.error(
                    "could not refresh the bot token of team=%s: %s",
                    team_id,
                    error.get("error") if hasattr(error, "get") else type(exc).__name__,
                )
                return None
            if refreshed is None:
                return row.to_bot()
            save_bot_row(session, client_id=self.client_id, bot=refreshed, installer=None)
            log.info("refreshed the bot token of team=%s", team_id)
            return refreshed


class WorkspaceClients:
    """`Services.delivery_for_team`: a Web API client on one workspace's own token."""

    def __init__(self, *, tokens: WorkspaceTokens, make: Callable[[str], WebClient]) -> None:
        self.tokens = tokens
        self.make = make

    def __call__(self, team_id: str) -> WebClient:
        bot = self.tokens.bot(team_id=team_id)
        if bot is None:
            raise WorkspaceNotInstalled(team_id)
        return self.make(bot.bot_token)


class CouncilOAuthFlow(OAuthFlow):
    """Bolt's flow with the bot's own install page."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return oauth_pages.install_page(authorize_url=url)


def oauth_flow(
    *,
    engine: Engine,
    client_id: str,
    client_secret: str,
    scopes: Sequence[str],
    redirect_uri: str | None,
    authorization_url: str,
    client: WebClient,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[CouncilOAuthFlow, InstallationAuthorize]:
    """The install flow and the authorize that reads what it stores, on one database."""
    authorize = InstallationAuthorize(
        engine=engine, client_id=client_id, client_secret=client_secret, client=client, now=now
    )
    settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes),
        user_scopes=[],
        redirect_uri=redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorization_url,
        installation_store=SQLModelInstallationStore(engine=engine, client_id=client_id),
        installation_store_bot_only=True,
        state_store=SQLModelOAuthStateStore(engine=engine),
        callback_options=CallbackOptions(
            success=oauth_pages.on_success, failure=oauth_pages.on_failure
        ),
        logger=_BOLT_OAUTH_LOG,
    )
    # Bolt's own authorize would not take the row lock; the App uses this one instead.
    settings.authorize = authorize
    flow = CouncilOAuthFlow(client=client, settings=settings, logger=_BOLT_OAUTH_LOG)
    return flow, authorize
