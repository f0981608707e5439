"""Distribution mode end to end: the app with an OAuth client and no bot token, installed
into the stand-in's workspaces through the real "Add to Slack" redirect flow.

`Distribution.install(team_id)` plays the browser: it opens the app's install page, follows
its "Add to Slack" link to the stand-in's authorize step (where the installing member
allows, or denies), and brings Slack's redirect back to the app with the state cookie the
install page set, as a browser would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import Engine

from bot.platform.oauth import INSTALL_PATH, REDIRECT_PATH
from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.oauth import CLIENT_ID, CLIENT_SECRET
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import Workspace, seed_demo
from bot.settings import Settings
from tests.plugins.serving import free_port
from tests.plugins.slack import SIGNING_SECRET, Slack, serving

FIRST_TEAM = "T0COUNCIL"
SECOND_TEAM = "T0SECOND"


@dataclass
class Distribution:
    """The app serving many workspaces; `slack` is it as seen from the first one."""

    slack: Slack

    @property
    def standin(self) -> SlackStandIn:
        return self.slack.standin

    def workspace(self, team_id: str) -> Workspace:
        return self.standin.workspaces[team_id]

    def driver(self, team_id: str) -> SlackDriver:
        return self.slack.driver.for_workspace(team_id)

    def install_page(self, browser: httpx.Client) -> tuple[httpx.Response, str]:
        """The install page, and the authorize URL its "Add to Slack" button links to."""
        page = browser.get(self.slack.url + INSTALL_PATH)
        return page, install_link(page.text)

    def install(
        self,
        team_id: str,
        *,
        allow: bool = True,
        browser: httpx.Client | None = None,
        state: str | None = None,
    ) -> httpx.Response:
        """Install the app into `team_id` as its first member would; the last page shown.

        `state` replaces the authorize link's state (a forged or replayed one).
        """
        with _browser(browser) as client:
            page, authorize = self.install_page(client)
            # The state cookie is Secure: browsers send it to 127.0.0.1 over plain HTTP
            # (a secure context), httpx's jar does not, so it is carried by hand.
            cookie = page.headers.get("set-cookie", "").split(";")[0]
            query = parse_qs(urlsplit(authorize).query)
            redirect = self.standin.authorize(
                client_id=query["client_id"][0],
                scope=query["scope"][0],
                state=state if state is not None else query["state"][0],
                redirect_uri=query["redirect_uri"][0],
                team_id=team_id,
                allow=allow,
            )
            return client.get(redirect, headers={"Cookie": cookie} if cookie else {})


def install_link(page: str) -> str:
    """The authorize URL the install page's "Add to Slack" button links to."""
    match = re.search(r"href='([^']*oauth/v2/authorize[^']*)'", page)
    if match is None:
        raise AssertionError("the install page has no Add to Slack link")
    return unescape(match.group(1))


@contextmanager
def _browser(given: httpx.Client | None) -> Iterator[httpx.Client]:
    if given is not None:
        yield given
        return
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        yield client


@contextmanager
def running_distribution(
    engine: Engine,
    *,
    token_rotation: bool = False,
    token_expires_in: int = 43200,
    **settings: Any,
) -> Iterator[Distribution]:
    """The app in distribution mode, with two workspaces in the stand-in, none installed."""
    standin = SlackStandIn(seed_demo()).start()
    standin.add_workspace(
        seed_demo(
            team_id=SECOND_TEAM, team_name="Second Council", team_domain="second", id_prefix="S"
        )
    )
    standin.configure_oauth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        token_rotation=token_rotation,
        token_expires_in=token_expires_in,
    )
    port = free_port()
    app_settings = Settings(
        slack_client_id=CLIENT_ID,  # type: ignore[arg-type]
        slack_client_secret=CLIENT_SECRET,  # type: ignore[arg-type]
        slack_signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        slack_redirect_uri=f"http://127.0.0.1:{port}{REDIRECT_PATH}",
        slack_api_url=standin.api_url,
        _env_file=None,  # type: ignore[call-arg]
        **settings,
    )
    with serving(standin, app_settings, engine, port=port) as running:
        yield Distribution(slack=running)
