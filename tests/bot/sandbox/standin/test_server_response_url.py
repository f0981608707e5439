"""response_url posts (what Bolt's respond() sends), through slack_sdk's WebhookClient."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, ShiftedClock, Workspace

LENA = "U0LENA0002"


def test_a_response_defaults_to_an_ephemeral_for_the_user_who_interacted(
    standin: SlackStandIn, workspace: Workspace
) -> None:
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL)
    answer = WebhookClient(url).send(text="Only you can see this")
    assert answer.status_code == 200
    [ephemeral] = workspace.ephemerals_for(LENA)
    assert ephemeral["text"] == "Only you can see this"
    assert ephemeral["source"] == "response_url"
    call = standin.wait_for("response_url")
    assert call.args == {"text": "Only you can see this"} and call.token is None


def test_in_channel_response_posts_a_message_as_the_app(
    standin: SlackStandIn, workspace: Workspace
) -> None:
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL)
    WebhookClient(url).send(text="Shared with the council", response_type="in_channel")
    [message] = workspace.messages_in(DEMO_COUNCIL_CHANNEL)
    assert message["text"] == "Shared with the council"
    assert message["bot_id"] == workspace.bot_id
    assert workspace.ephemerals_for(LENA) == []


def test_replace_original_rewrites_the_message_the_action_came_from(
    standin: SlackStandIn, workspace: Workspace, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="Vote: pending")["ts"]
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL, message_ts=ts)
    WebhookClient(url).send(text="Vote: done", replace_original=True)
    assert workspace.get_message(DEMO_COUNCIL_CHANNEL, ts)["text"] == "Vote: done"
    assert len(workspace.messages_in(DEMO_COUNCIL_CHANNEL)) == 1


def test_delete_original_removes_the_message_the_action_came_from(
    standin: SlackStandIn, workspace: Workspace, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="Dismiss me")["ts"]
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL, message_ts=ts)
    WebhookClient(url).send_dict({"delete_original": True})
    assert workspace.messages_in(DEMO_COUNCIL_CHANNEL) == []


def test_replace_original_on_an_ephemeral_message_rewrites_that_ephemeral(
    standin: SlackStandIn, workspace: Workspace, client: WebClient
) -> None:
    ts = client.chat_postEphemeral(channel=DEMO_COUNCIL_CHANNEL, user=LENA, text="Step 1")[
        "message_ts"
    ]
    url = standin.mint_response_url(
        user=LENA, channel=DEMO_COUNCIL_CHANNEL, message_ts=ts, is_ephemeral=True
    )
    WebhookClient(url).send(text="Step 2", replace_original=True)
    assert [e["text"] for e in workspace.ephemerals_for(LENA)] == ["Step 2"]


def test_a_response_url_works_five_times_only(standin: SlackStandIn, workspace: Workspace) -> None:
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL)
    hook = WebhookClient(url)
    assert [hook.send(text=str(i)).status_code for i in range(5)] == [200] * 5
    sixth = hook.send(text="6")
    assert sixth.status_code == 404 and "used_url" in sixth.body


def test_a_response_url_expires_after_thirty_minutes(
    standin: SlackStandIn, clock: ShiftedClock
) -> None:
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL)
    clock.advance(31 * 60)
    answer = WebhookClient(url).send(text="too late")
    assert answer.status_code == 404 and "expired_url" in answer.body


def test_a_response_with_invalid_blocks_is_refused(
    standin: SlackStandIn, workspace: Workspace
) -> None:
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL)
    answer = WebhookClient(url).send(text="x", blocks=[{"type": "no_such_block"}])
    assert answer.status_code == 400 and "invalid_blocks" in answer.body
    assert workspace.ephemerals_for(LENA) == []


def test_response_url_faults_can_be_injected(standin: SlackStandIn) -> None:
    standin.fail_next("response_url", kind="server_error")
    url = standin.mint_response_url(user=LENA, channel=DEMO_COUNCIL_CHANNEL)
    assert WebhookClient(url).send(text="x").status_code == 500
