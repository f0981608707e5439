"""chat.* methods through the real slack_sdk WebClient: shapes, state, Slack's errors."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

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

NOOR, LENA, SAM = "U0NOOR0001", "U0LENA0002", "U0SAM00005"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Mission* draft"}}


def refusal(call: Callable[[], object]) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data  # type: ignore[return-value]


def test_post_message_answers_slacks_shape_and_stores_the_message(
    client: WebClient, workspace: Workspace
) -> None:
    answer = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="Draft", blocks=[SECTION])
    assert answer["channel"] == DEMO_COUNCIL_CHANNEL
    message = answer["message"]
    assert message["ts"] == answer["ts"]
    assert message["bot_id"] == workspace.bot_id
    assert message["user"] == workspace.bot_user_id
    assert message["blocks"][0]["block_id"], "Slack assigns block ids"
    assert workspace.get_message(DEMO_COUNCIL_CHANNEL, answer["ts"])["text"] == "Draft"


def test_post_message_to_a_user_id_lands_in_their_dm(
    client: WebClient, workspace: Workspace
) -> None:
    answer = client.chat_postMessage(channel=LENA, text="Gratitude House before Friday?")
    dm = workspace.im_for(LENA)
    assert dm is not None and answer["channel"] == dm.id and dm.id.startswith("D")
    assert [m["text"] for m in workspace.messages_in(dm.id)] == ["Gratitude House before Friday?"]


def test_post_to_a_public_channel_the_bot_is_not_in_is_not_in_channel(client: WebClient) -> None:
    body = refusal(lambda: client.chat_postMessage(channel=DEMO_GENERAL_CHANNEL, text="hi"))
    assert body == {"ok": False, "error": "not_in_channel"}


def test_post_to_a_private_channel_the_bot_is_not_in_is_channel_not_found(
    client: WebClient,
) -> None:
    body = refusal(lambda: client.chat_postMessage(channel=DEMO_OTHER_PRIVATE_CHANNEL, text="x"))
    assert body["error"] == "channel_not_found"


def test_post_to_an_unknown_channel_is_channel_not_found(client: WebClient) -> None:
    body = refusal(lambda: client.chat_postMessage(channel="C0NOPE", text="x"))
    assert body["error"] == "channel_not_found"


def test_dm_to_a_deactivated_user_is_user_disabled(client: WebClient) -> None:
    assert refusal(lambda: client.chat_postMessage(channel=SAM, text="x"))["error"] == (
        "user_disabled"
    )


def test_dm_channel_of_a_user_deactivated_later_is_user_disabled(
    client: WebClient, workspace: Workspace
) -> None:
    dm = client.chat_postMessage(channel=NOOR, text="hello")["channel"]
    workspace.deactivate_user(NOOR)
    assert refusal(lambda: client.chat_postMessage(channel=dm, text="x"))["error"] == (
        "user_disabled"
    )


def test_reply_with_thread_ts_bumps_the_parents_reply_count(
    client: WebClient, workspace: Workspace
) -> None:
    parent = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="Debrief thread")["ts"]
    reply = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="1", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    stored = workspace.get_message(DEMO_COUNCIL_CHANNEL, parent)
    assert stored["reply_count"] == 1 and stored["latest_reply"] == reply["ts"]


def test_update_replaces_content_and_marks_the_message_edited(
    client: WebClient, workspace: Workspace
) -> None:
    ts = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="v1", blocks=[SECTION])["ts"]
    answer = client.chat_update(channel=DEMO_COUNCIL_CHANNEL, ts=ts, text="v2")
    assert (answer["ts"], answer["text"]) == (ts, "v2")
    stored = workspace.get_message(DEMO_COUNCIL_CHANNEL, ts)
    assert stored["text"] == "v2" and stored["edited"]["user"] == workspace.bot_user_id
    assert stored["blocks"][0]["text"] == SECTION["text"], "omitted blocks are kept"
    client.chat_update(channel=DEMO_COUNCIL_CHANNEL, ts=ts, text="v3", blocks=[])
    assert "blocks" not in workspace.get_message(DEMO_COUNCIL_CHANNEL, ts)


def test_update_of_an_unknown_message_is_message_not_found(client: WebClient) -> None:
    body = refusal(lambda: client.chat_update(channel=DEMO_COUNCIL_CHANNEL, ts="1.2", text="x"))
    assert body["error"] == "message_not_found"


def test_update_of_a_message_the_bot_did_not_post_is_cant_update_message(
    client: WebClient, workspace: Workspace
) -> None:
    human = workspace.post_user_message(DEMO_COUNCIL_CHANNEL, LENA, "my own words")
    body = refusal(
        lambda: client.chat_update(channel=DEMO_COUNCIL_CHANNEL, ts=human["ts"], text="x")
    )
    assert body["error"] == "cant_update_message"


def test_ephemeral_to_a_member_is_stored_for_that_user_only(
    client: WebClient, workspace: Workspace
) -> None:
    answer = client.chat_postEphemeral(channel=DEMO_COUNCIL_CHANNEL, user=LENA, text="psst")
    [ephemeral] = workspace.ephemerals_for(LENA)
    assert ephemeral["ts"] == answer["message_ts"] and ephemeral["text"] == "psst"
    assert workspace.ephemerals_for(NOOR) == []
    assert workspace.messages_in(DEMO_COUNCIL_CHANNEL) == []


def test_ephemeral_to_a_non_member_is_user_not_in_channel(client: WebClient) -> None:
    body = refusal(
        lambda: client.chat_postEphemeral(channel=DEMO_COUNCIL_CHANNEL, user=SAM, text="x")
    )
    assert body["error"] == "user_not_in_channel"


def test_delete_removes_the_bots_message(client: WebClient, workspace: Workspace) -> None:
    ts = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="oops")["ts"]
    answer = client.chat_delete(channel=DEMO_COUNCIL_CHANNEL, ts=ts)
    assert (answer["channel"], answer["ts"]) == (DEMO_COUNCIL_CHANNEL, ts)
    assert workspace.messages_in(DEMO_COUNCIL_CHANNEL) == []
    assert refusal(lambda: client.chat_delete(channel=DEMO_COUNCIL_CHANNEL, ts=ts))["error"] == (
        "message_not_found"
    )


def test_delete_of_a_human_message_is_cant_delete_message(
    client: WebClient, workspace: Workspace
) -> None:
    human = workspace.post_user_message(DEMO_COUNCIL_CHANNEL, LENA, "mine")
    body = refusal(lambda: client.chat_delete(channel=DEMO_COUNCIL_CHANNEL, ts=human["ts"]))
    assert body["error"] == "cant_delete_message"


def test_permalink_points_at_the_message_and_its_thread(client: WebClient) -> None:
    parent = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="p")["ts"]
    reply = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="r", thread_ts=parent)["ts"]
    link = client.chat_getPermalink(channel=DEMO_COUNCIL_CHANNEL, message_ts=parent)["permalink"]
    assert link.endswith(f"/archives/{DEMO_COUNCIL_CHANNEL}/p{parent.replace('.', '')}")
    reply_link = client.chat_getPermalink(channel=DEMO_COUNCIL_CHANNEL, message_ts=reply)
    assert reply_link["permalink"].endswith(f"?thread_ts={parent}&cid={DEMO_COUNCIL_CHANNEL}")


def test_blocks_the_real_validator_rejects_are_invalid_blocks(
    client: WebClient, workspace: Workspace
) -> None:
    body = refusal(
        lambda: client.chat_postMessage(
            channel=DEMO_COUNCIL_CHANNEL, text="x", blocks=[{"type": "no_such_block"}]
        )
    )
    assert body["error"] == "invalid_blocks"
    assert body["errors"]
    assert all(m.startswith("[ERROR]") for m in body["response_metadata"]["messages"])
    assert workspace.messages_in(DEMO_COUNCIL_CHANNEL) == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_missing_text_and_blocks_is_no_text(client: WebClient) -> None:
    assert refusal(lambda: client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL))["error"] == (
        "no_text"
    )


def test_text_over_forty_thousand_characters_is_msg_too_long(client: WebClient) -> None:
    body = refusal(lambda: client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x" * 40_001))
    assert body["error"] == "msg_too_long"


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        (["no_text"], {"ok": False, "error": "no_text"}),
        (["msg_too_long"], {"ok": False, "error": "msg_too_long"}),
        (
            ["unsupported type: x [json-pointer:/blocks/0/type]"],
            {
                "ok": False,
                "error": "invalid_blocks",
                "errors": ["unsupported type: x [json-pointer:/blocks/0/type]"],
                "response_metadata": {
                    "messages": ["[ERROR] unsupported type: x [json-pointer:/blocks/0/type]"]
                },
            },
        ),
    ],
)
def test_validator_errors_map_to_slacks_error_codes(
    client: WebClient,
    fake_validator: Callable[..., None],
    errors: list[str],
    expected: dict,
) -> None:
    fake_validator(message=errors)
    assert refusal(lambda: client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")) == (
        expected
    )


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_attachments_alone_are_valid_content(client: WebClient) -> None:
    answer = client.chat_postMessage(
        channel=DEMO_COUNCIL_CHANNEL, attachments=[{"text": "legacy", "fallback": "legacy"}]
    )
    assert answer["message"]["attachments"][0]["text"] == "legacy"


def test_form_encoded_post_with_token_param_and_json_string_blocks_is_decoded(
    standin: SlackStandIn, workspace: Workspace
) -> None:
    form = urlencode(
        {
            "token": standin.bot_token,
            "channel": DEMO_COUNCIL_CHANNEL,
            "text": "form",
            "blocks": json.dumps([SECTION]),
        }
    ).encode()
    request = urllib.request.Request(f"{standin.api_url}chat.postMessage", data=form)
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert json.loads(answer.read())["ok"] is True
    call = standin.calls_to("chat.postMessage")[-1]
    assert call.token == standin.bot_token and "token" not in call.args
    assert call.args["blocks"] == [SECTION]


def test_get_with_query_params_is_answered(standin: SlackStandIn) -> None:
    query = urlencode({"token": standin.bot_token, "user": NOOR})
    with urllib.request.urlopen(f"{standin.api_url}users.info?{query}", timeout=5) as answer:
        assert json.loads(answer.read())["user"]["id"] == NOOR
