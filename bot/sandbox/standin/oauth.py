"""Slack's OAuth v2 install flow for the stand-in's app, across its workspaces.

:class:`OAuthApp` (``standin.oauth``) is the app's OAuth client at Slack and everything
Slack issued for it:

- the authorize step (``slack.com/oauth/v2/authorize`` in the browser): a member of a
  workspace allows (a one-time ``code``) or denies (``error=access_denied``), and Slack
  redirects the browser back to the app's ``redirect_uri`` with the ``state`` it was given;
- ``oauth.v2.access``: the code (or, with token rotation, a refresh token) exchanged for a
  bot token of that workspace, with Slack's errors for every way that goes wrong;
- revocation: a revoked token is answered ``token_revoked``, an expired one ``token_expired``.

Times are the stand-in's clock (its first workspace's), so tests expire codes and tokens by
moving a ``ShiftedClock`` on.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.sandbox.standin.state import StandInError, Workspace

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "CODE_TTL_SECONDS",
    "Grant",
    "IssuedToken",
    "OAuthApp",
]

#: The stand-in app's credentials (its Basic Information page at Slack).
CLIENT_ID = "1000000001.2000000002"
CLIENT_SECRET = "standin-client-secret"
#: Slack's authorization codes are good for ten minutes, once.
CODE_TTL_SECONDS = 10 * 60
#: Slack's lifetime of a rotating access token (twelve hours).
DEFAULT_TOKEN_EXPIRES_IN = 43200


@dataclass
class Grant:
    """One allowed authorize step: ``user_id`` of ``team_id`` granted ``scope``."""

    code: str
    client_id: str
    team_id: str
    user_id: str
    scope: str
    redirect_uri: str
    issued_at: float
    used: bool = False


@dataclass
class IssuedToken:
    """A bot token ``oauth.v2.access`` issued (``expires_at`` ``None``: it never expires)."""

    token: str
    team_id: str
    scope: str
    installer: str
    expires_at: float | None = None
    refresh_token: str | None = None


class OAuthApp:
    """The app's OAuth client at Slack, and the codes and tokens Slack issued for it.

    ``workspaces`` is the stand-in's live mapping (team id -> workspace); issued bot
    tokens are added to their workspace's ``bot_tokens``, revoked ones removed. Thread-safe.
    """

    def __init__(
        self,
        workspaces: Mapping[str, Workspace],
        *,
        clock: Callable[[], float],
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        token_rotation: bool = False,
        token_expires_in: int = DEFAULT_TOKEN_EXPIRES_IN,
    ) -> None:
        self.lock = threading.RLock()
        self.workspaces = workspaces
        self.clock = clock
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_rotation = token_rotation
        self.token_expires_in = token_expires_in
        #: Every allowed authorize step, oldest first (the scopes each member granted).
        self.grants: list[Grant] = []
        #: Every token ``oauth.v2.access`` issued, by token.
        self.tokens: dict[str, IssuedToken] = {}
        #: Tokens that were valid and were revoked: answered ``token_revoked``.
        self.revoked: set[str] = set()
        self._codes: dict[str, Grant] = {}
        self._refresh: dict[str, IssuedToken] = {}  # live refresh token -> what it renews
        self._serial = itertools.count(1)

    def configure(
        self,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        token_rotation: bool = False,
        token_expires_in: int = DEFAULT_TOKEN_EXPIRES_IN,
    ) -> None:
        """Set the app's credentials and token rotation (what was issued stays issued)."""
        if token_expires_in < 1:
            raise ValueError("token_expires_in must be at least one second")
        with self.lock:
            self.client_id = client_id
            self.client_secret = client_secret
            self.token_rotation = token_rotation
            self.token_expires_in = token_expires_in

    # ------------------------------------------------------------- authorize
    def authorize(
        self,
        *,
        client_id: str,
        scope: str,
        state: str,
        redirect_uri: str,
        team_id: str | None = None,
        user_id: str | None = None,
        allow: bool = True,
    ) -> str:
        """The authorize step; returns where Slack redirects the browser.

        ``redirect_uri?code=...&state=...`` when ``user_id`` (default: the team's first
        member) of ``team_id`` (default: the first workspace) allows, else
        ``redirect_uri?error=access_denied&state=...``. Raises :class:`StandInError`
        where Slack shows an error page instead: ``invalid_client_id``,
        ``bad_redirect_uri`` (none given), ``invalid_scope`` (none asked for),
        ``team_not_found``, ``user_not_found``.
        """
        with self.lock:
            if client_id != self.client_id:
                raise StandInError("invalid_client_id")
            if not redirect_uri:
                raise StandInError("bad_redirect_uri")
            scopes = [s.strip() for s in scope.split(",") if s.strip()]
            if not scopes:
                raise StandInError("invalid_scope")
            workspace = self._workspace(team_id)
            member = self._member(workspace, user_id)
            if not allow:
                return _with_query(redirect_uri, {"error": "access_denied", "state": state})
            serial = next(self._serial)
            code = f"{serial}.{serial * 7919 % 10**10}.{secrets.token_hex(32)}"
            grant = Grant(
                code=code,
                client_id=client_id,
                team_id=workspace.team_id,
                user_id=member,
                scope=",".join(scopes),
                redirect_uri=redirect_uri,
                issued_at=self.clock(),
            )
            self._codes[code] = grant
            self.grants.append(grant)
            return _with_query(redirect_uri, {"code": code, "state": state})

    def _workspace(self, team_id: str | None) -> Workspace:
        if team_id is None:
            return next(iter(list(self.workspaces.values())))
        workspace = self.workspaces.get(team_id)
        if workspace is None:
            raise StandInError("team_not_found")
        return workspace

    @staticmethod
    def _member(workspace: Workspace, user_id: str | None) -> str:
        with workspace.lock:
            if user_id is None:
                for user in workspace.users.values():
                    if not user.is_bot and not user.deleted:
                        return user.id
                raise StandInError("user_not_found")
            chosen = workspace.users.get(user_id)
            if chosen is None or chosen.is_bot or chosen.deleted:
                raise StandInError("user_not_found")
            return chosen.id

    # -------------------------------------------------------- oauth.v2.access
    def access(
        self, args: Mapping[str, Any], *, basic: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """Answer ``oauth.v2.access``: the client (HTTP Basic auth, or ``client_id`` and
        ``client_secret`` fields), then a ``code`` or a ``refresh_token``."""
        client_id, client_secret = basic or (
            str(args.get("client_id") or ""),
            str(args.get("client_secret") or ""),
        )
        with self.lock:
            if not client_id or client_id != self.client_id:
                raise StandInError("invalid_client_id")
            if client_secret != self.client_secret:
                raise StandInError("bad_client_secret")
            grant_type = str(args.get("grant_type") or "authorization_code")
            if grant_type == "refresh_token":
                return self._refresh_grant(str(args.get("refresh_token") or ""))
            if grant_type != "authorization_code":
                raise StandInError("invalid_grant_type")
            return self._code_grant(str(args.get("code") or ""), args.get("redirect_uri"))

    def _code_grant(self, code: str, redirect_uri: Any) -> dict[str, Any]:
        grant = self._codes.get(code)
        if grant is None or grant.used or grant.client_id != self.client_id:
            raise StandInError("invalid_code")
        if self.clock() - grant.issued_at > CODE_TTL_SECONDS:
            raise StandInError("invalid_code")
        # The redirect_uri of the authorize step, if it had one, must be sent again verbatim.
        if grant.redirect_uri and str(redirect_uri or "") != grant.redirect_uri:
            raise StandInError("bad_redirect_uri")
        grant.used = True
        issued = self._issue(grant.team_id, scope=grant.scope, installer=grant.user_id)
        return self._token_body(issued)

    def _refresh_grant(self, refresh_token: str) -> dict[str, Any]:
        renewed = self._refresh.pop(refresh_token, None)
        if renewed is None:
            raise StandInError("invalid_refresh_token")
        # The access token issued before keeps working until its own expiry.
        issued = self._issue(renewed.team_id, scope=renewed.scope, installer=renewed.installer)
        return self._token_body(issued)

    def _issue(self, team_id: str, *, scope: str, installer: str) -> IssuedToken:
        workspace = self._workspace(team_id)
        if self.token_rotation:
            issued = IssuedToken(
                token=f"xoxe.xoxb-1-{secrets.token_hex(24)}",
                team_id=team_id,
                scope=scope,
                installer=installer,
                expires_at=self.clock() + self.token_expires_in,
                refresh_token=f"xoxe-1-{secrets.token_hex(24)}",
            )
            self._refresh[issued.refresh_token or ""] = issued
        else:
            issued = IssuedToken(
                token=f"xoxb-{next(self._serial)}-{secrets.token_hex(12)}",
                team_id=team_id,
                scope=scope,
                installer=installer,
            )
        self.tokens[issued.token] = issued
        with workspace.lock:
            workspace.bot_tokens.add(issued.token)
        return issued

    def _token_body(self, issued: IssuedToken) -> dict[str, Any]:
        workspace = self._workspace(issued.team_id)
        body: dict[str, Any] = {
            "ok": True,
            "app_id": workspace.app_id,
            "authed_user": {"id": issued.installer},
            "scope": issued.scope,
            "token_type": "bot",
            "access_token": issued.token,
            "bot_user_id": workspace.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if issued.refresh_token is not None:
            body["refresh_token"] = issued.refresh_token
            body["expires_in"] = self.token_expires_in
        return body

    # ------------------------------------------------------------- revoking
    def expired(self, token: str) -> bool:
        """Whether ``token`` is an issued token past its expiry by the clock."""
        with self.lock:
            issued = self.tokens.get(token)
            expires_at = issued.expires_at if issued is not None else None
            return expires_at is not None and self.clock() >= expires_at

    def revoke(self, token: str) -> None:
        """Revoke a bot or app-level token of any workspace (preset or issued), or a
        refresh token; it is answered ``token_revoked`` afterwards. ``KeyError`` if no
        workspace knows it."""
        with self.lock:
            known = self._refresh.pop(token, None) is not None
            # An app-level token is the app's, so every workspace holding it lets go of it.
            for workspace in list(self.workspaces.values()):
                with workspace.lock:
                    if token in workspace.bot_tokens or token in workspace.app_tokens:
                        workspace.bot_tokens.discard(token)
                        workspace.app_tokens.discard(token)
                        known = True
            if not known:
                raise KeyError(token)
            self.revoked.add(token)

    def scope_of(self, token: str) -> str | None:
        """The scopes granted with an issued token (``None``: not issued by OAuth)."""
        with self.lock:
            issued = self.tokens.get(token)
            return issued.scope if issued is not None else None

    def uninstall(self, team_id: str) -> None:
        """The app is uninstalled from ``team_id``: all its bot tokens and refresh tokens
        are revoked (app-level tokens belong to the app, not the workspace, and stay)."""
        with self.lock:
            workspace = self.workspaces[team_id]
            for refresh, renewed in list(self._refresh.items()):
                if renewed.team_id == team_id:
                    del self._refresh[refresh]
                    self.revoked.add(refresh)
            with workspace.lock:
                self.revoked.update(workspace.bot_tokens)
                workspace.bot_tokens.clear()


def _with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` added to its query (empty values left out)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((key, value) for key, value in params.items() if value)
    return urlunsplit(parts._replace(query=urlencode(query)))
