"""auth, tokens, conversations.*, users.info and reactions.get."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import (
    DEMO_COUNCIL_CHANNEL,
    DEMO_GENERAL_CHANNEL,
    DEMO_OTHER_PRIVATE_CHANNEL,
    Workspace,
)

NOOR, LENA, ARJUN, SAM = "U0NOOR0001", "U0LENA0002", "U0ARJUN003", "U0SAM00005"


def refusal(call: Callable[[], object]) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data  # type: ignore[return-value]


def test_auth_test_identifies_the_bot_and_team(client: WebClient, workspace: Workspace) -> None:
    answer = client.auth_test()
    assert answer["team_id"] == "T0COUNCIL"
    assert (answer["user_id"], answer["bot_id"]) == (workspace.bot_user_id, workspace.bot_id)
    assert answer["url"] == "https://council-demo.slack.com/"
    assert "chat:write" in answer.headers["X-OAuth-Scopes"]


def test_a_call_without_a_token_is_not_authed(standin: SlackStandIn) -> None:
    anonymous = WebClient(base_url=standin.api_url)
    assert refusal(anonymous.auth_test)["error"] == "not_authed"


def test_a_call_with_a_wrong_token_is_invalid_auth(standin: SlackStandIn) -> None:
    stranger = WebClient(token="xoxb-not-ours", base_url=standin.api_url)
    assert refusal(lambda: stranger.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")) == {
        "ok": False,
        "error": "invalid_auth",
    }
    assert standin.calls_to("chat.postMessage")[0].token == "xoxb-not-ours"


def test_an_unknown_method_is_unknown_method_with_http_200(
    client: WebClient, standin: SlackStandIn
) -> None:
    body = refusal(lambda: client.api_call("councils.summon"))
    assert body == {"ok": False, "error": "unknown_method"}
    assert standin.calls_to("councils.summon")[0].status == 200


def test_conversations_open_returns_the_dm_and_reports_already_open(
    client: WebClient, workspace: Workspace
) -> None:
    first = client.conversations_open(users=ARJUN)
    assert first["channel"]["id"].startswith("D") and "already_open" not in first.data
    second = client.conversations_open(users=[ARJUN], return_im=True)
    assert second["already_open"] is True and second["no_op"] is True
    assert second["channel"]["id"] == first["channel"]["id"]
    assert second["channel"]["is_im"] is True and second["channel"]["user"] == ARJUN


def test_conversations_open_with_a_deactivated_user_is_user_disabled(client: WebClient) -> None:
    assert refusal(lambda: client.conversations_open(users=SAM))["error"] == "user_disabled"


def test_conversations_open_with_an_unknown_user_is_user_not_found(client: WebClient) -> None:
    assert refusal(lambda: client.conversations_open(users="U0NOBODY"))["error"] == (
        "user_not_found"
    )


def test_conversations_info_describes_the_private_council_channel(client: WebClient) -> None:
    channel = client.conversations_info(channel=DEMO_COUNCIL_CHANNEL, include_num_members=True)[
        "channel"
    ]
    assert channel["name"] == "council-demo"
    assert channel["is_private"] is True and channel["is_member"] is True
    assert channel["num_members"] == 5


def test_conversations_info_on_a_public_channel_shows_the_bot_is_not_a_member(
    client: WebClient,
) -> None:
    channel = client.conversations_info(channel=DEMO_GENERAL_CHANNEL)["channel"]
    assert channel["is_member"] is False and channel["is_private"] is False


def test_conversations_info_on_a_private_channel_the_bot_is_not_in_is_channel_not_found(
    client: WebClient,
) -> None:
    body = refusal(lambda: client.conversations_info(channel=DEMO_OTHER_PRIVATE_CHANNEL))
    assert body["error"] == "channel_not_found"


def test_conversations_members_pages_with_limit_and_next_cursor(client: WebClient) -> None:
    pages: list[list[str]] = []
    cursor = None
    while True:
        answer = client.conversations_members(channel=DEMO_COUNCIL_CHANNEL, limit=2, cursor=cursor)
        pages.append(answer["members"])
        cursor = answer["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert [len(page) for page in pages] == [2, 2, 1]
    everyone = [member for page in pages for member in page]
    assert set(everyone) == {NOOR, LENA, ARJUN, "U0MAYA0004", "U0COUNCILBOT"}


def test_conversations_members_with_a_bad_cursor_is_invalid_cursor(client: WebClient) -> None:
    body = refusal(lambda: client.conversations_members(channel=DEMO_COUNCIL_CHANNEL, cursor="??"))
    assert body["error"] == "invalid_cursor"


def test_conversations_members_of_a_private_channel_the_bot_is_not_in_is_channel_not_found(
    client: WebClient,
) -> None:
    body = refusal(lambda: client.conversations_members(channel=DEMO_OTHER_PRIVATE_CHANNEL))
    assert body["error"] == "channel_not_found"


def test_users_info_reports_the_members_time_zone(client: WebClient) -> None:
    user = client.users_info(user=LENA)["user"]
    assert user["tz"] == "Europe/Berlin"
    assert user["tz_offset"] in (3600, 7200)
    assert user["tz_label"].startswith("Central European")
    assert user["deleted"] is False and user["profile"]["real_name"] == "Lena Vogel"


def test_users_info_of_a_deactivated_member_says_deleted(client: WebClient) -> None:
    assert client.users_info(user=SAM)["user"]["deleted"] is True


def test_users_info_of_an_unknown_user_is_user_not_found(client: WebClient) -> None:
    assert refusal(lambda: client.users_info(user="U0NOBODY"))["error"] == "user_not_found"


def test_reactions_get_lists_who_reacted(client: WebClient, workspace: Workspace) -> None:
    ts = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="draft")["ts"]
    workspace.add_reaction(DEMO_COUNCIL_CHANNEL, ts, LENA, "+1")
    answer = client.reactions_get(channel=DEMO_COUNCIL_CHANNEL, timestamp=ts)
    assert answer["type"] == "message"
    assert answer["message"]["reactions"] == [{"name": "+1", "users": [LENA], "count": 1}]
