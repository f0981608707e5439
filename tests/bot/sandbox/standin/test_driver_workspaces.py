"""driver.for_workspace: Slack's requests on behalf of another workspace of the stand-in,
received by a real Bolt app that authorizes each team with its own token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.socket_driver import SocketModeDriver
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, ShiftedClock, Workspace, seed_demo
from tests.bot.sandbox.standin.conftest import SIGNING_SECRET
from tests.bot.sandbox.standin.test_driver import Seen, mission_modal

SECOND = "T0SECOND"


@pytest.fixture
def second(standin: SlackStandIn, clock: ShiftedClock) -> Workspace:
    return standin.add_workspace(
        seed_demo(
            clock=clock,
            team_id=SECOND,
            team_name="Second Council",
            team_domain="second",
            id_prefix="S",
        )
    )


@pytest.fixture
def teams_app(standin: SlackStandIn, second: Workspace) -> App:
    """A Bolt app serving every workspace, each with its own bot token (as after installs)."""

    def authorize(team_id: str | None, **_: Any) -> AuthorizeResult:
        workspace = standin.workspaces[team_id or ""]
        return AuthorizeResult(
            enterprise_id=None,
            team_id=workspace.team_id,
            bot_token=workspace.bot_token,
            bot_user_id=workspace.bot_user_id,
            bot_id=workspace.bot_id,
        )

    return App(
        signing_secret=SIGNING_SECRET,
        authorize=authorize,
        client=WebClient(base_url=standin.api_url),
    )


@pytest.fixture
def drivers(
    standin: SlackStandIn, teams_app: App, serve_app: Callable[[App], str]
) -> tuple[SlackDriver, SlackDriver]:
    first = SlackDriver(
        app_url=serve_app(teams_app), signing_secret=SIGNING_SECRET, standin=standin
    )
    return first, first.for_workspace(SECOND)


def test_for_workspace_sends_that_workspaces_team_users_and_channels(
    teams_app: App,
    drivers: tuple[SlackDriver, SlackDriver],
    standin: SlackStandIn,
    second: Workspace,
) -> None:
    seen = Seen()

    @teams_app.command("/mission")
    def mission(ack: Ack, body: dict, client: WebClient, context: dict) -> None:
        ack()
        seen.add((body, context["token"]))
        client.views_open(trigger_id=body["trigger_id"], view=mission_modal())

    first, other = drivers
    noor, council = second.find_user("noor").id, second.find_channel("council-demo").id
    answer = other.command(user=noor, channel=council, command="/mission")
    assert answer.status == 200
    [(body, token)] = seen.wait()
    assert (body["team_id"], body["team_domain"]) == (SECOND, "second")
    assert (body["user_id"], body["channel_id"]) == (noor, council)
    assert token == second.bot_token
    opened = standin.wait_for("views.open")
    assert opened.ok and opened.token == second.bot_token, opened.describe()
    assert second.modal_stack(noor)[0]["team_id"] == SECOND

    assert first.workspace is standin.workspace, "the original driver still means the first"
    first.command(user="U0NOOR0001", channel=DEMO_COUNCIL_CHANNEL, command="/mission")
    assert seen.wait(2)[1][0]["team_id"] == "T0COUNCIL"


def test_for_workspace_envelopes_carry_its_team_in_authorizations(
    teams_app: App, drivers: tuple[SlackDriver, SlackDriver], second: Workspace
) -> None:
    _, other = drivers
    envelope = other.envelope({"type": "app_home_opened", "user": "US0NOOR0001"})
    assert envelope["team_id"] == envelope["context_team_id"] == SECOND
    assert envelope["api_app_id"] == second.app_id
    assert envelope["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": SECOND,
            "user_id": second.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]


def test_block_actions_of_another_workspace_respond_into_it(
    teams_app: App, drivers: tuple[SlackDriver, SlackDriver], second: Workspace
) -> None:
    seen = Seen()

    @teams_app.action("ready")
    def ready(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        respond(text="noted")
        seen.add(body)

    council = second.find_channel("council-demo").id
    lena = second.find_user("lena").id
    button = {
        "type": "actions",
        "block_id": "b",
        "elements": [
            {
                "type": "button",
                "action_id": "ready",
                "text": {"type": "plain_text", "text": "Ready"},
            }
        ],
    }
    posted = second.add_message(council, text="Ready?", as_bot=True, blocks=[button])
    _, other = drivers
    other.block_action(user=lena, action_id="ready", channel=council, message_ts=posted.ts)
    [body] = seen.wait()
    assert body["team"] == {"id": SECOND, "domain": "second"}
    assert body["user"]["team_id"] == SECOND
    assert [e["text"] for e in second.ephemerals_for(lena)] == ["noted"]


def test_uninstall_then_app_uninstalled_and_tokens_revoked_events_reach_the_app(
    teams_app: App,
    drivers: tuple[SlackDriver, SlackDriver],
    standin: SlackStandIn,
    second: Workspace,
) -> None:
    seen = Seen()

    @teams_app.event("app_uninstalled")
    def uninstalled(body: dict) -> None:
        seen.add(body)

    @teams_app.event("tokens_revoked")
    def revoked(body: dict) -> None:
        seen.add(body)

    _, other = drivers
    standin.uninstall(SECOND)
    assert other.tokens_revoked().status == 200
    assert other.app_uninstalled().status == 200
    tokens, gone = seen.wait(2)
    assert tokens["event"]["tokens"] == {"oauth": [], "bot": [second.bot_user_id]}
    assert tokens["team_id"] == gone["team_id"] == SECOND
    assert gone["event"]["type"] == "app_uninstalled"


def test_for_workspace_of_an_unknown_team_is_a_key_error(
    drivers: tuple[SlackDriver, SlackDriver],
) -> None:
    with pytest.raises(KeyError):
        drivers[0].for_workspace("T0NOBODY")


def test_a_socket_mode_driver_for_another_workspace_stays_a_socket_mode_driver(
    standin: SlackStandIn, second: Workspace
) -> None:
    other = SocketModeDriver(standin).for_workspace(SECOND)
    assert isinstance(other, SocketModeDriver) and other.workspace is second
    assert other.envelope({"type": "app_uninstalled"})["team_id"] == SECOND
