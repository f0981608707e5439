"""The driver signs and sends what Slack sends; a real Bolt app receives it.

Each test registers listeners on a fresh Bolt ``App`` served over HTTP whose Web
API client points at the stand-in, then drives it like Slack would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient

from bot.sandbox.standin.driver import (
    SlackDriver,
    checkboxes,
    datepicker,
    number,
    plain,
    static_select,
)
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, Workspace

NOOR, LENA = "U0NOOR0001", "U0LENA0002"
STAGES = [
    {"text": {"type": "plain_text", "text": "Interviewing"}, "value": "interviewing"},
    {"text": {"type": "plain_text", "text": "Offer on the table"}, "value": "offer"},
]


def mission_modal(title: str = "Job mission", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "mission_draft",
        "private_metadata": "search-7",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "mission",
                "label": {"type": "plain_text", "text": "Mission"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            },
            {
                "type": "section",
                "block_id": "stage_block",
                "text": {"type": "mrkdwn", "text": "Where are you?"},
                "accessory": {
                    "type": "static_select",
                    "action_id": "stage",
                    "placeholder": {"type": "plain_text", "text": "Pick one"},
                    "options": STAGES,
                },
            },
        ],
        **extra,
    }


class Seen:
    """Collects what listeners received, and lets the test wait for it."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def add(self, item: Any) -> None:
        self.items.append(item)

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(self.items) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"listeners saw {len(self.items)} of {count} requests")
            time.sleep(0.01)
        return self.items


@pytest.fixture
def open_modal(client: WebClient, workspace: Workspace) -> Callable[..., dict[str, Any]]:
    """Open the mission modal for a user, as the app would after an interaction."""

    def open_for(user: str, **extra: Any) -> dict[str, Any]:
        trigger_id = workspace.mint_trigger_id(user)
        return client.views_open(trigger_id=trigger_id, view=mission_modal(**extra))["view"]

    return open_for


# ----------------------------------------------------------------- commands
def test_a_signed_slash_command_reaches_the_listener_with_slacks_fields(
    bolt_app: App, driver: SlackDriver, standin: SlackStandIn
) -> None:
    seen = Seen()

    @bolt_app.command("/mission")
    def mission(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        seen.add(body)
        client.views_open(trigger_id=body["trigger_id"], view=mission_modal())

    answer = driver.command(
        user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="help"
    )
    assert answer.status == 200
    [body] = seen.wait()
    assert body["command"] == "/mission" and body["text"] == "help"
    assert (body["user_id"], body["user_name"]) == (NOOR, "noor")
    assert (body["channel_id"], body["channel_name"]) == (DEMO_COUNCIL_CHANNEL, "privategroup")
    assert (body["team_id"], body["team_domain"]) == ("T0COUNCIL", "council-demo")
    assert body["api_app_id"] == standin.workspace.app_id
    assert body["is_enterprise_install"] == "false"
    assert body["response_url"].startswith(f"{standin.base_url}/response/")
    opened = standin.wait_for("views.open")
    assert opened.ok, "the minted trigger_id is good for views.open"
    assert standin.workspace.modal_stack(NOOR)[0]["callback_id"] == "mission_draft"


def test_a_command_in_the_bots_dm_reports_directmessage(
    bolt_app: App, driver: SlackDriver, workspace: Workspace
) -> None:
    seen = Seen()

    @bolt_app.command("/debrief")
    def debrief(ack: Ack, body: dict) -> None:
        ack()
        seen.add(body)

    dm, _ = workspace.open_im(LENA)
    driver.command(user=LENA, channel=dm.id, command="/debrief")
    assert seen.wait()[0]["channel_name"] == "directmessage"


def test_a_bad_signature_is_answered_401_and_no_listener_runs(
    bolt_app: App, driver: SlackDriver
) -> None:
    seen = Seen()

    @bolt_app.command("/mission")
    def mission(ack: Ack, body: dict) -> None:
        ack()
        seen.add(body)

    answer = driver.command(
        user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission", signature="bad"
    )
    assert answer.status == 401
    assert seen.items == []


def test_a_six_minute_old_timestamp_is_answered_401(bolt_app: App, driver: SlackDriver) -> None:
    @bolt_app.command("/mission")
    def mission(ack: Ack) -> None:
        ack()

    answer = driver.command(
        user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission", timestamp_offset=-360
    )
    assert answer.status == 401


def test_respond_in_a_command_listener_lands_as_an_ephemeral_for_the_user(
    bolt_app: App, driver: SlackDriver, standin: SlackStandIn, workspace: Workspace
) -> None:
    @bolt_app.command("/negotiate")
    def negotiate(ack: Ack, respond: Respond) -> None:
        ack()
        respond("Four legs: resources, team, mentorship, money.")

    driver.command(user=LENA, channel=DEMO_COUNCIL_CHANNEL, command="/negotiate")
    standin.wait_for("response_url")
    [ephemeral] = workspace.ephemerals_for(LENA)
    assert ephemeral["text"].startswith("Four legs")
    assert ephemeral["channel"] == DEMO_COUNCIL_CHANNEL


# ------------------------------------------------------------ interactivity
def test_a_block_action_on_a_message_carries_the_stored_message_and_a_response_url(
    bolt_app: App, driver: SlackDriver, standin: SlackStandIn, client: WebClient
) -> None:
    seen = Seen()

    @bolt_app.action("approve")
    def approve(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        seen.add(body)
        respond(text="Approved ✓", replace_original=True)

    posted = client.chat_postMessage(
        channel=DEMO_COUNCIL_CHANNEL,
        text="Approve the draft?",
        blocks=[
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "approve",
                        "text": {"type": "plain_text", "text": "Approve"},
                        "value": "draft-1",
                        "style": "primary",
                    }
                ],
            }
        ],
    )
    ts = posted["ts"]
    answer = driver.block_action(
        user=LENA, action_id="approve", channel=DEMO_COUNCIL_CHANNEL, message_ts=ts
    )
    assert answer.status == 200
    [body] = seen.wait()
    assert body["type"] == "block_actions"
    assert body["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": DEMO_COUNCIL_CHANNEL,
        "is_ephemeral": False,
    }
    assert body["message"]["ts"] == ts and body["message"]["text"] == "Approve the draft?"
    [action] = body["actions"]
    assert (action["type"], action["value"], action["style"]) == ("button", "draft-1", "primary")
    assert action["block_id"] == posted["message"]["blocks"][0]["block_id"]
    assert body["trigger_id"] and body["user"]["id"] == LENA
    standin.wait_for("response_url")
    assert standin.workspace.get_message(DEMO_COUNCIL_CHANNEL, ts)["text"] == "Approved ✓"


def test_a_block_action_in_a_modal_carries_the_stored_view(
    bolt_app: App,
    driver: SlackDriver,
    standin: SlackStandIn,
    workspace: Workspace,
    open_modal: Callable[..., dict[str, Any]],
) -> None:
    seen = Seen()

    @bolt_app.action("stage")
    def stage(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        seen.add(body)
        view = body["view"]
        client.views_update(
            view_id=view["id"], hash=view["hash"], view=mission_modal("Offer stage")
        )

    view = open_modal(NOOR)
    driver.block_action(user=NOOR, action_id="stage", view_id=view["id"], selected_option="offer")
    [body] = seen.wait()
    assert body["container"] == {"type": "view", "view_id": view["id"]}
    assert body["view"]["id"] == view["id"] and body["view"]["hash"] == view["hash"]
    assert "response_url" not in body
    [action] = body["actions"]
    assert action["type"] == "static_select" and action["block_id"] == "stage_block"
    assert action["selected_option"] == STAGES[1]
    assert standin.wait_for("views.update").ok
    assert workspace.get_view(view["id"])["title"]["text"] == "Offer stage"


def test_a_view_submission_reaches_the_listener_with_the_stored_view_and_values(
    bolt_app: App,
    driver: SlackDriver,
    workspace: Workspace,
    open_modal: Callable[..., dict[str, Any]],
) -> None:
    seen = Seen()

    @bolt_app.view("mission_draft")
    def submit(ack: Ack, view: dict) -> None:
        ack()
        seen.add(view)

    opened = open_modal(NOOR)
    values = {
        "mission": {"text": plain("Lead the platform team to ship weekly")},
        "stage_block": {"stage": static_select("offer")},
    }
    answer = driver.view_submission(user=NOOR, view_id=opened["id"], values=values)
    assert answer.status == 200
    [view] = seen.wait()
    assert (view["id"], view["callback_id"]) == (opened["id"], "mission_draft")
    assert view["private_metadata"] == "search-7" and view["root_view_id"] == opened["id"]
    state = view["state"]["values"]
    assert state["mission"]["text"]["value"] == "Lead the platform team to ship weekly"
    assert state["stage_block"]["stage"]["selected_option"] == STAGES[1]
    assert workspace.modal_stack(NOOR) == [], "a plain ack() closes the modal"


def test_view_submission_errors_come_back_and_keep_the_modal_open(
    bolt_app: App,
    driver: SlackDriver,
    workspace: Workspace,
    open_modal: Callable[..., dict[str, Any]],
) -> None:
    @bolt_app.view("mission_draft")
    def submit(ack: Ack, view: dict) -> None:
        ack(response_action="errors", errors={"mission": "Write at least one sentence."})

    opened = open_modal(NOOR)
    answer = driver.view_submission(
        user=NOOR, view_id=opened["id"], values={"mission": {"text": plain(None)}}
    )
    assert answer.json == {
        "response_action": "errors",
        "errors": {"mission": "Write at least one sentence."},
    }
    assert [v["id"] for v in workspace.modal_stack(NOOR)] == [opened["id"]]


def test_view_submission_update_and_push_answers_change_the_modal_stack(
    bolt_app: App,
    driver: SlackDriver,
    workspace: Workspace,
    open_modal: Callable[..., dict[str, Any]],
) -> None:
    answers = iter(
        [
            {"response_action": "update", "view": mission_modal("Step 2")},
            {"response_action": "push", "view": mission_modal("Step 3")},
        ]
    )

    @bolt_app.view("mission_draft")
    def submit(ack: Ack) -> None:
        ack(**next(answers))

    opened = open_modal(NOOR)
    driver.view_submission(user=NOOR, view_id=opened["id"], values={})
    assert workspace.get_view(opened["id"])["title"]["text"] == "Step 2"
    driver.view_submission(user=NOOR, view_id=opened["id"], values={})
    titles = [v["title"]["text"] for v in workspace.modal_stack(NOOR)]
    assert titles == ["Step 2", "Step 3"]


def test_view_closed_is_sent_only_when_the_view_asked_for_it(
    bolt_app: App,
    driver: SlackDriver,
    workspace: Workspace,
    open_modal: Callable[..., dict[str, Any]],
) -> None:
    seen = Seen()

    @bolt_app.view_closed("mission_draft")
    def closed(ack: Ack, body: dict) -> None:
        ack()
        seen.add(body)

    quiet = open_modal(NOOR)
    assert driver.view_closed(user=NOOR, view_id=quiet["id"]) is None
    noisy = open_modal(NOOR, notify_on_close=True)
    answer = driver.view_closed(user=NOOR, view_id=noisy["id"])
    assert answer is not None and answer.status == 200
    assert seen.wait()[0]["view"]["id"] == noisy["id"]
    assert workspace.modal_stack(NOOR) == []


def test_state_value_builders_use_slacks_shapes() -> None:
    assert datepicker("2025-03-01") == {"type": "datepicker", "selected_date": "2025-03-01"}
    assert number(87) == {"type": "number_input", "value": "87"}
    assert checkboxes(["a"])["selected_options"][0]["value"] == "a"


def test_a_block_action_on_an_element_that_is_not_there_is_a_test_error(
    driver: SlackDriver, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="plain")["ts"]
    with pytest.raises(ValueError, match="action_id='ghost'"):
        driver.block_action(
            user=LENA, action_id="ghost", channel=DEMO_COUNCIL_CHANNEL, message_ts=ts
        )


# ------------------------------------------------------------------- events
def test_an_event_with_retry_headers_arrives_with_them(bolt_app: App, driver: SlackDriver) -> None:
    seen = Seen()

    @bolt_app.event("app_mention")
    def mention(event: dict, request: BoltRequest, body: dict) -> None:
        seen.add((event, request.headers, body))

    event = {
        "type": "app_mention",
        "user": NOOR,
        "text": "<@U0COUNCILBOT> help",
        "ts": "1700000000.000100",
        "channel": DEMO_COUNCIL_CHANNEL,
    }
    answer = driver.event(event, retry_num=2, retry_reason="http_timeout")
    assert answer.status == 200
    [(received, headers, body)] = seen.wait()
    assert received["text"] == "<@U0COUNCILBOT> help"
    assert headers["x-slack-retry-num"] == ["2"]
    assert headers["x-slack-retry-reason"] == ["http_timeout"]
    assert body["type"] == "event_callback" and body["event_id"].startswith("Ev")
    assert body["authorizations"][0]["user_id"] == "U0COUNCILBOT"


def test_redeliver_sends_the_very_same_envelope_as_a_retry(
    bolt_app: App, driver: SlackDriver
) -> None:
    seen = Seen()

    @bolt_app.event("app_mention")
    def mention(body: dict, request: BoltRequest) -> None:
        seen.add((body["event_id"], request.headers.get("x-slack-retry-num")))

    first = driver.event(
        {"type": "app_mention", "user": NOOR, "text": "hi", "ts": "1.000001", "channel": "C1"}
    )
    assert first.payload is not None
    driver.redeliver(first.payload)
    (first_id, no_retry), (second_id, retry) = seen.wait(2)
    assert first_id == second_id == first.payload["event_id"]
    assert (no_retry, retry) == (None, ["1"])


def test_react_and_unreact_change_state_and_send_reaction_events(
    bolt_app: App, driver: SlackDriver, client: WebClient, workspace: Workspace
) -> None:
    seen = Seen()

    @bolt_app.event("reaction_added")
    def added(event: dict) -> None:
        seen.add(event)

    @bolt_app.event("reaction_removed")
    def removed(event: dict) -> None:
        seen.add(event)

    ts = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="Mission draft v1")["ts"]
    driver.react(user=LENA, channel=DEMO_COUNCIL_CHANNEL, ts=ts, name="dart")
    assert workspace.get_message(DEMO_COUNCIL_CHANNEL, ts)["reactions"][0]["users"] == [LENA]
    driver.unreact(user=LENA, channel=DEMO_COUNCIL_CHANNEL, ts=ts, name="dart")
    added_event, removed_event = seen.wait(2)
    assert added_event["type"] == "reaction_added" and removed_event["type"] == "reaction_removed"
    assert added_event["item"] == {"type": "message", "channel": DEMO_COUNCIL_CHANNEL, "ts": ts}
    assert added_event["item_user"] == workspace.bot_user_id
    assert added_event["reaction"] == "dart" and added_event["user"] == LENA
    assert "reactions" not in workspace.get_message(DEMO_COUNCIL_CHANNEL, ts)


def test_app_home_opened_lets_the_app_publish_and_carries_the_published_view(
    bolt_app: App, driver: SlackDriver, standin: SlackStandIn, workspace: Workspace
) -> None:
    seen = Seen()

    @bolt_app.event("app_home_opened")
    def home(event: dict, client: WebClient) -> None:
        seen.add(event)
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "Your searches"}}
                ],
            },
        )

    driver.app_home_opened(user=LENA)
    first = seen.wait()[0]
    assert first["tab"] == "home" and first["channel"].startswith("D") and "view" not in first
    standin.wait_for("views.publish")
    published = workspace.home_view(LENA)
    assert published is not None
    driver.app_home_opened(user=LENA)
    assert seen.wait(2)[1]["view"]["id"] == published["id"]


def test_reply_in_thread_posts_the_reply_and_sends_a_message_event(
    bolt_app: App, driver: SlackDriver, client: WebClient, workspace: Workspace
) -> None:
    seen = Seen()

    @bolt_app.event("message")
    def message(event: dict) -> None:
        seen.add(event)

    parent = client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="How did it go?")["ts"]
    driver.reply_in_thread(
        user=LENA, channel=DEMO_COUNCIL_CHANNEL, thread_ts=parent, text="Better than I feared"
    )
    [event] = seen.wait()
    assert event["thread_ts"] == parent and event["parent_user_id"] == workspace.bot_user_id
    assert event["channel_type"] == "group" and event["user"] == LENA
    assert workspace.get_message(DEMO_COUNCIL_CHANNEL, parent)["reply_count"] == 1


def test_url_verification_gets_the_challenge_echoed(driver: SlackDriver) -> None:
    answer = driver.url_verification()
    assert answer.status == 200 and answer.payload is not None
    assert answer.json == {"challenge": answer.payload["challenge"]}


def test_submitting_a_modal_that_is_no_longer_open_is_a_test_error(
    bolt_app: App, driver: SlackDriver, open_modal: Callable[..., dict[str, Any]]
) -> None:
    @bolt_app.view("mission_draft")
    def submit(ack: Ack) -> None:
        ack()

    opened = open_modal(NOOR)
    driver.view_submission(user=NOOR, view_id=opened["id"], values={})
    with pytest.raises(ValueError, match="not an open modal"):
        driver.view_submission(user=NOOR, view_id=opened["id"], values={})
    with pytest.raises(ValueError, match="belongs to"):
        driver.view_submission(user=LENA, view_id=open_modal(NOOR)["id"], values={})
