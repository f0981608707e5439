"""Scale-out in distribution mode: two `council-bot serve` processes on one database, as
behind a load balancer, share installations and install states.

An install started on one process (its install page issues the state) finishes on the
other (Slack's redirect lands there and consumes it); each workspace's commands are then
answered with its own token whichever process they reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.oauth import CLIENT_ID, CLIENT_SECRET
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import seed_demo
from storage import crypto
from tests.plugins.distribution import FIRST_TEAM, SECOND_TEAM, install_link
from tests.plugins.serving import free_port, serve, stop

SECRET = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(seed_demo()) as running:
        running.add_workspace(
            seed_demo(team_id=SECOND_TEAM, team_name="Second", team_domain="second", id_prefix="S")
        )
        running.configure_oauth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        yield running


def _install(
    standin: SlackStandIn, *, start_on: str, team_id: str, browser: httpx.Client
) -> httpx.Response:
    page = browser.get(start_on + "/slack/install")
    assert page.status_code == 200, page.text
    authorize = install_link(page.text)
    cookie = page.headers["set-cookie"].split(";")[0]
    query = parse_qs(urlsplit(authorize).query)
    redirect = standin.authorize(
        client_id=query["client_id"][0],
        scope=query["scope"][0],
        state=query["state"][0],
        redirect_uri=query["redirect_uri"][0],
        team_id=team_id,
    )
    return browser.get(redirect, headers={"Cookie": cookie})


def test_two_processes_share_installations_and_install_states(
    standin: SlackStandIn, empty_database_url: str, tmp_path: Path
) -> None:
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    env: dict[str, str | None] = {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        # Slack sends every installer back to the second process.
        "SLACK_REDIRECT_URI": urls[1] + "/slack/oauth_redirect",
        "DATABASE_URL": empty_database_url,
        "DATA_KEY": crypto.new_key(),
        "SLACK_BOT_TOKEN": None,
    }
    with ExitStack() as both:
        # The first migrates; the second starts once it answers (both would wait on the
        # migration lock anyway).
        first, second = (
            both.enter_context(serve(standin, secret=SECRET, cwd=tmp_path, env=env, port=port))
            for port in ports
        )
        with httpx.Client(timeout=10) as browser:
            # Started on the first process, finished on the second.
            installed = _install(standin, start_on=urls[0], team_id=FIRST_TEAM, browser=browser)
            assert installed.status_code == 200 and "Installed" in installed.text
            installed = _install(standin, start_on=urls[1], team_id=SECOND_TEAM, browser=browser)
            assert installed.status_code == 200 and "Installed" in installed.text

        issued = {
            call.response["team"]["id"]: call.response["access_token"]
            for call in standin.calls_to("oauth.v2.access")
            if call.ok
        }
        assert set(issued) == {FIRST_TEAM, SECOND_TEAM}
        # Each workspace's command, on the process that did not install it.
        for team_id, url in ((FIRST_TEAM, urls[1]), (SECOND_TEAM, urls[0])):
            workspace = standin.workspaces[team_id]
            driver = SlackDriver(
                app_url=url + "/slack/events", signing_secret=SECRET, standin=standin
            ).for_workspace(team_id)
            seen = len(standin.calls_to("views.open"))
            answer = driver.command(
                user=workspace.find_user("noor").id,
                channel=workspace.find_channel("council-demo").id,
                command="/mission",
            )
            assert answer.status == 200
            opened = standin.wait_for("views.open", count=seen + 1)
            call = opened[-1] if isinstance(opened, list) else opened
            assert call.ok and call.token == issued[team_id]
        outputs = [stop(first.process), stop(second.process)]
    for output in outputs:
        assert "Traceback" not in output, output
