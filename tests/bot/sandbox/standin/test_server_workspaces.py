"""Several workspaces in one stand-in: each token answered by its own workspace."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import (
    DEMO_COUNCIL_CHANNEL,
    ShiftedClock,
    Workspace,
    seed_demo,
)

SECOND = "T0SECOND"


def refusal(call: Callable[[], object]) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    data = refused.value.response.data
    assert isinstance(data, dict)
    return data


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


def client_for(standin: SlackStandIn, token: str) -> WebClient:
    return WebClient(token=token, base_url=standin.api_url, retry_handlers=[])


def test_the_first_workspace_stays_the_default_and_both_are_listed_by_team(
    standin: SlackStandIn, workspace: Workspace, second: Workspace
) -> None:
    assert standin.workspace is workspace and workspace.team_id == "T0COUNCIL"
    assert standin.workspaces == {"T0COUNCIL": workspace, SECOND: second}
    assert standin.bot_token == workspace.bot_token != second.bot_token


def test_a_second_demo_workspace_has_the_same_people_and_channels_under_its_own_ids(
    workspace: Workspace, second: Workspace
) -> None:
    assert second.find_user("noor").id == second.demo_id("U0NOOR0001") == "US0NOOR0001"
    council = second.find_channel("council-demo")
    assert council.id == second.demo_id(DEMO_COUNCIL_CHANNEL) != DEMO_COUNCIL_CHANNEL
    assert second.bot_user_id in council.members and second.bot_user_id != workspace.bot_user_id
    assert not set(second.users) & set(workspace.users)
    assert not set(second.channels) & set(workspace.channels)
    assert second.new_id("D") != workspace.new_id("D")


def test_a_workspace_whose_ids_are_already_taken_is_refused(standin: SlackStandIn) -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        standin.add_workspace(seed_demo(team_id="T0CLASH", id_prefix=""))
    with pytest.raises(ValueError, match="already served"):
        standin.add_workspace(seed_demo())


def test_each_token_is_answered_by_its_own_workspace(
    standin: SlackStandIn, workspace: Workspace, second: Workspace
) -> None:
    first_auth = client_for(standin, workspace.bot_token).auth_test()
    second_auth = client_for(standin, second.bot_token).auth_test()
    assert (first_auth["team_id"], first_auth["user_id"], first_auth["bot_id"]) == (
        "T0COUNCIL",
        workspace.bot_user_id,
        workspace.bot_id,
    )
    assert second_auth["team_id"] == SECOND and second_auth["team"] == "Second Council"
    assert second_auth["user_id"] == second.bot_user_id and second_auth["bot_id"] == second.bot_id
    assert second_auth["url"] == "https://second.slack.com/"

    council = second.find_channel("council-demo").id
    posted = client_for(standin, second.bot_token).chat_postMessage(channel=council, text="hi")
    assert posted["message"]["user"] == second.bot_user_id
    assert [m["text"] for m in second.messages_in(council)] == ["hi"]
    assert workspace.messages_in(DEMO_COUNCIL_CHANNEL) == []


def test_a_token_cannot_reach_another_workspaces_channels_or_people(
    standin: SlackStandIn, workspace: Workspace, second: Workspace
) -> None:
    client = client_for(standin, workspace.bot_token)
    council = second.find_channel("council-demo").id
    assert refusal(lambda: client.chat_postMessage(channel=council, text="x"))["error"] == (
        "channel_not_found"
    )
    noor = second.find_user("noor").id
    assert refusal(lambda: client.users_info(user=noor))["error"] == "user_not_found"


def test_a_token_no_workspace_knows_is_invalid_auth_and_none_is_not_authed(
    standin: SlackStandIn, second: Workspace
) -> None:
    unknown = client_for(standin, "xoxb-0000-nobody-issued-this")
    assert refusal(unknown.auth_test) == {"ok": False, "error": "invalid_auth"}
    anonymous = WebClient(base_url=standin.api_url, retry_handlers=[])
    assert refusal(anonymous.auth_test)["error"] == "not_authed"


def test_the_app_token_still_only_opens_socket_mode(
    standin: SlackStandIn, second: Workspace
) -> None:
    assert refusal(client_for(standin, standin.app_token).auth_test)["error"] == (
        "not_allowed_token_type"
    )
    client = client_for(standin, second.bot_token)
    opened = refusal(lambda: client.apps_connections_open(app_token=second.bot_token))
    assert opened["error"] == "not_allowed_token_type"


def test_uploads_and_response_urls_of_the_second_workspace_land_in_it(
    standin: SlackStandIn, second: Workspace
) -> None:
    council = second.find_channel("council-demo").id
    client = client_for(standin, second.bot_token)
    uploaded = client.files_upload_v2(channel=council, content="notes", filename="notes.txt")
    file_id = uploaded["files"][0]["id"]
    assert standin.file_content(file_id) == b"notes"
    assert file_id.startswith("FS") and second.files_in(council)

    lena = second.find_user("lena").id
    url = standin.mint_response_url(user=lena, channel=council, team_id=SECOND)
    assert WebhookClient(url).send(text="only you").status_code == 200
    assert [e["text"] for e in second.ephemerals_for(lena)] == ["only you"]


def test_uninstalling_one_workspace_revokes_its_tokens_and_leaves_the_other(
    standin: SlackStandIn, workspace: Workspace, second: Workspace
) -> None:
    revoked = second.bot_token
    standin.uninstall(SECOND)
    assert refusal(client_for(standin, revoked).auth_test)["error"] == "token_revoked"
    assert client_for(standin, workspace.bot_token).auth_test()["team_id"] == "T0COUNCIL"


def test_a_revoked_token_is_token_revoked_and_a_never_issued_one_stays_invalid_auth(
    standin: SlackStandIn, workspace: Workspace
) -> None:
    token = workspace.bot_token
    standin.revoke(token)
    assert refusal(client_for(standin, token).auth_test)["error"] == "token_revoked"
    never = client_for(standin, "xoxb-never-issued")
    assert refusal(never.auth_test)["error"] == "invalid_auth"
    with pytest.raises(KeyError):
        standin.revoke("xoxb-never-issued")


def test_a_revoked_app_token_opens_no_socket_in_any_workspace(
    standin: SlackStandIn, second: Workspace
) -> None:
    app_token = standin.app_token
    assert app_token in second.app_tokens, "app-level tokens are the app's, not a workspace's"
    standin.revoke(app_token)
    client = client_for(standin, app_token)
    opened = refusal(lambda: client.apps_connections_open(app_token=app_token))
    assert opened["error"] == "token_revoked"
