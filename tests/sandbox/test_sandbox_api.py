"""The sandbox page's JSON API over real HTTP: each verb reaches the real app as Slack's
signed request, and the state the page polls shows what the app did."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.reminders.engine import Delivered, Reminder, schedule
from bot.sandbox.manifest import AppManifest, app_manifest
from bot.sandbox.reminders import SandboxReminderEngine
from bot.sandbox.runtime import Sandbox
from tests.sandbox.web_client import (
    COUNCIL,
    GENERAL,
    LENA,
    MAYA,
    NOOR,
    Web,
    channel_messages,
    mission_values,
    top_modal,
)


def _open_mission_modal(web: Web) -> dict:
    web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/mission"})
    return top_modal(web.wait(NOOR, top_modal))  # type: ignore[return-value]


def _post_draft(web: Web) -> dict:
    view = _open_mission_modal(web)
    answer = web.ok(
        "/api/submit", {"user": NOOR, "view_id": view["id"], "values": mission_values()}
    )
    assert "errors" not in answer
    snapshot = web.wait(NOOR, lambda s: channel_messages(s))
    return channel_messages(snapshot)[0]


# --------------------------------------------------------------------- the snapshot
def test_state_shows_the_member_their_conversations_and_the_clock(web: Web) -> None:
    snapshot = web.state(NOOR)
    assert snapshot["me"] == NOOR
    by_name = {c["name"]: c for c in snapshot["conversations"]}
    assert by_name["council-demo"]["is_private"] and by_name["council-demo"]["bot_is_member"]
    assert not by_name["general"]["bot_is_member"]
    assert "other-private" in by_name  # Noor is in it
    assert [c["kind"] for c in snapshot["conversations"]][-1] == "im"  # the bot's DM, last
    assert snapshot["members"][:2] == [NOOR, LENA]
    assert snapshot["users"][NOOR]["real_name"] == "Noor Haddad"
    assert snapshot["clock"]["offset_seconds"] == 0
    assert snapshot["clock"]["reminders_wired"] is True
    assert snapshot["modal"] == {"stack": [], "errors": {}}
    assert snapshot["reactions"][:4] == ["+1", "question", "bulb", "warning"]


def test_a_member_sees_only_their_own_conversations(web: Web) -> None:
    names = {c["name"] for c in web.state(MAYA)["conversations"]}
    assert "other-private" not in names
    assert {"council-demo", "general"} <= names


def test_an_unknown_member_is_refused(web: Web) -> None:
    status, answer = web.request("GET", "/api/state?user=U0NOBODY")
    assert status == 400
    assert "unknown member" in answer["error"]


def test_the_page_and_its_script_are_served(web: Web) -> None:
    status, html = web.request("GET", "/")
    assert status == 200 and "/static/app.js" in html
    status, script = web.request("GET", "/static/app.js")
    assert status == 200 and "/api/state" in script
    status, css = web.request("GET", "/static/style.css")
    assert status == 200 and ".modal" in css


# ---------------------------------------------------------------- slash commands
def test_a_command_answer_is_shown_only_to_the_member_who_typed_it(web: Web) -> None:
    web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/mission help"})
    snapshot = web.wait(NOOR, lambda s: s["ephemerals"])
    assert "/mission list" in json.dumps(snapshot["ephemerals"][0]["blocks"])
    assert snapshot["ephemerals"][0]["channel"] == COUNCIL
    assert web.state(LENA)["ephemerals"] == []


def test_a_dismissed_ephemeral_message_goes_away(web: Web) -> None:
    web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/mission help"})
    ephemeral = web.wait(NOOR, lambda s: s["ephemerals"])["ephemerals"][0]
    web.ok("/api/dismiss", {"user": NOOR, "channel": COUNCIL, "ts": ephemeral["ts"]})
    assert web.state(NOOR)["ephemerals"] == []


def test_mission_in_a_public_channel_explains_privately(web: Web) -> None:
    web.ok("/api/command", {"user": NOOR, "channel": GENERAL, "text": "/mission"})
    snapshot = web.wait(NOOR, lambda s: s["ephemerals"])
    assert "private channel" in json.dumps(snapshot["ephemerals"][0]["blocks"])
    # The form opened first (its trigger lasts 3 s) has become the explanation: no Submit.
    modal = top_modal(web.wait(NOOR, lambda s: "/invite" in json.dumps(top_modal(s) or {})))
    assert modal is not None and not modal.get("submit")


def test_negotiate_opens_the_private_plan_picker(web: Web) -> None:
    web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/negotiate"})
    modal = top_modal(web.wait(NOOR, top_modal))
    assert modal is not None and modal["callback_id"] == "negotiation_pick"
    assert web.state(NOOR)["ephemerals"] == []


@pytest.mark.parametrize("text", ["mission", "/", "/Mission!", "/" + "x" * 40])
def test_something_that_is_not_a_slash_command_is_refused(web: Web, text: str) -> None:
    status, answer = web.post("/api/command", {"user": NOOR, "channel": COUNCIL, "text": text})
    assert status == 400 and "not a slash command" in answer["error"]


def test_a_member_cannot_type_in_a_channel_they_are_not_in(web: Web) -> None:
    status, answer = web.post(
        "/api/command", {"user": MAYA, "channel": "C0OTHERPRV1", "text": "/mission"}
    )
    assert status == 400 and "not in conversation" in answer["error"]


def test_the_command_request_is_signed_and_reaches_the_app(sandbox: Sandbox, web: Web) -> None:
    web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/mission"})
    opened = sandbox.standin.wait_for("views.open")
    assert opened.ok  # the app verified the signature, took the trigger id, opened the modal


# ----------------------------------------------------------------------- modals
def test_submitting_an_empty_mission_shows_the_apps_errors_next_to_the_fields(web: Web) -> None:
    view = _open_mission_modal(web)
    empty = mission_values(company="", role="", mission="", objective_1="", krs_1="")
    answer = web.ok("/api/submit", {"user": NOOR, "view_id": view["id"], "values": empty})
    assert {"company", "role", "mission"} <= set(answer["errors"])
    snapshot = web.state(NOOR)
    assert top_modal(snapshot)["id"] == view["id"]  # type: ignore[index]
    assert snapshot["modal"]["errors"]["company"] == answer["errors"]["company"]


def test_a_valid_mission_closes_the_modal_and_posts_the_draft(web: Web) -> None:
    draft = _post_draft(web)
    assert "Job mission: Head of Product at Acme Robotics" in json.dumps(draft["blocks"])
    snapshot = web.state(NOOR)
    assert top_modal(snapshot) is None
    assert snapshot["modal"]["errors"] == {}
    # everyone in the council sees it
    assert channel_messages(web.state(LENA))[0]["ts"] == draft["ts"]


def test_a_button_in_the_modal_updates_it_and_keeps_what_was_typed(web: Web) -> None:
    view = _open_mission_modal(web)
    add = next(b for b in view["blocks"] if b["type"] == "actions")
    web.ok(
        "/api/action",
        {
            "user": NOOR,
            "view_id": view["id"],
            "action_id": add["elements"][0]["action_id"],
            "block_id": add["block_id"],
            "state": mission_values(company="Typed Co"),
        },
    )
    snapshot = web.wait(NOOR, lambda s: top_modal(s)["hash"] != view["hash"])
    updated = top_modal(snapshot)
    assert updated["id"] == view["id"]  # type: ignore[index]
    block_ids = [b.get("block_id") for b in updated["blocks"]]  # type: ignore[index]
    assert "objective_2" in block_ids
    company = next(b for b in updated["blocks"] if b.get("block_id") == "company")  # type: ignore[index]
    assert company["element"]["initial_value"] == "Typed Co"


def test_closing_the_modal_empties_the_stack(web: Web) -> None:
    view = _open_mission_modal(web)
    web.ok("/api/close", {"user": NOOR, "view_id": view["id"]})
    assert top_modal(web.state(NOOR)) is None


def test_another_member_cannot_submit_someone_elses_modal(web: Web) -> None:
    view = _open_mission_modal(web)
    status, answer = web.post(
        "/api/submit", {"user": LENA, "view_id": view["id"], "values": mission_values()}
    )
    assert status == 400 and "not open for this member" in answer["error"]


# ---------------------------------------------------------- buttons on messages
def test_a_button_on_the_draft_answers_the_member_privately(web: Web) -> None:
    draft = _post_draft(web)
    actions = next(b for b in draft["blocks"] if b["type"] == "actions")
    questions = next(e for e in actions["elements"] if e["action_id"] == "mission_questions")
    web.ok(
        "/api/action",
        {
            "user": NOOR,
            "channel": COUNCIL,
            "message_ts": draft["ts"],
            "action_id": questions["action_id"],
            "block_id": actions["block_id"],
        },
    )
    snapshot = web.wait(
        NOOR, lambda s: any("interview" in e["text"].lower() for e in s["ephemerals"])
    )
    assert snapshot["ephemerals"]
    assert not any("interview" in e["text"].lower() for e in web.state(LENA)["ephemerals"])


def test_an_action_on_an_element_that_is_not_there_is_refused(web: Web) -> None:
    draft = _post_draft(web)
    status, answer = web.post(
        "/api/action",
        {"user": NOOR, "channel": COUNCIL, "message_ts": draft["ts"], "action_id": "nope"},
    )
    assert status == 400 and "gone" in answer["error"]


# -------------------------------------------------------- reactions and threads
def test_reacting_adds_a_reaction_and_the_draft_shows_the_tally(web: Web) -> None:
    draft = _post_draft(web)
    answer = web.ok(
        "/api/react", {"user": LENA, "channel": COUNCIL, "ts": draft["ts"], "name": "+1"}
    )
    assert answer["added"] is True
    snapshot = web.wait(
        NOOR, lambda s: "1 council member reacted" in json.dumps(channel_messages(s)[0]["blocks"])
    )
    message = channel_messages(snapshot)[0]
    assert message["reactions"] == [{"name": "+1", "users": [LENA], "count": 1}]


def test_clicking_the_same_emoji_again_takes_the_reaction_back(web: Web) -> None:
    draft = _post_draft(web)
    body = {"user": LENA, "channel": COUNCIL, "ts": draft["ts"], "name": "bulb"}
    web.ok("/api/react", body)
    web.wait(NOOR, lambda s: "1 council member" in json.dumps(channel_messages(s)[0]["blocks"]))
    assert web.ok("/api/react", body)["added"] is False
    snapshot = web.wait(
        NOOR, lambda s: "No reactions yet" in json.dumps(channel_messages(s)[0]["blocks"])
    )
    assert "reactions" not in channel_messages(snapshot)[0]


def test_a_reaction_name_must_look_like_an_emoji(web: Web) -> None:
    draft = _post_draft(web)
    status, answer = web.post(
        "/api/react", {"user": LENA, "channel": COUNCIL, "ts": draft["ts"], "name": "<b>"}
    )
    assert status == 400 and "emoji" in answer["error"]


def test_a_reply_in_a_thread_shows_under_its_parent(web: Web) -> None:
    draft = _post_draft(web)
    web.ok(
        "/api/reply",
        {"user": LENA, "channel": COUNCIL, "text": "Love objective 1", "thread_ts": draft["ts"]},
    )
    message = channel_messages(web.state(NOOR))[0]
    assert message["reply_count"] == 1
    assert message["replies"][0]["text"] == "Love objective 1"
    assert message["replies"][0]["user"] == LENA
    assert len(channel_messages(web.state(NOOR))) == 1  # replies stay in the thread


def test_a_plain_message_is_posted_to_the_channel(web: Web) -> None:
    web.ok("/api/reply", {"user": MAYA, "channel": COUNCIL, "text": "Hello council"})
    assert channel_messages(web.state(NOOR))[-1]["text"] == "Hello council"


def test_an_empty_message_is_refused(web: Web) -> None:
    status, answer = web.post("/api/reply", {"user": MAYA, "channel": COUNCIL, "text": "  "})
    assert status == 400 and "empty" in answer["error"]


# ------------------------------------------------------------------- App Home
def test_opening_home_publishes_the_members_dashboard(web: Web) -> None:
    web.ok("/api/home", {"user": LENA})
    snapshot = web.wait(LENA, lambda s: s["home"])
    assert snapshot["home"]["type"] == "home"
    assert web.state(NOOR)["home"] is None


# ------------------------------------------------------------------ the clock
def test_fast_forward_moves_both_clocks(web: Web, sandbox: Sandbox) -> None:
    before = sandbox.services.clock()
    answer = web.ok("/api/fast-forward", {"minutes": 90})
    assert answer["note"].startswith("Fast-forwarded 1 hour 30 minutes.")
    assert "No reminder was due." in answer["note"]
    assert sandbox.services.clock() - before >= timedelta(minutes=90)
    assert sandbox.workspace.clock() - before.timestamp() >= 90 * 60
    snapshot = web.state(NOOR)
    assert snapshot["clock"]["offset_seconds"] == 90 * 60
    assert snapshot["notes"][0]["text"] == answer["note"]


def test_fast_forward_to_the_next_reminder_with_none_waiting(web: Web) -> None:
    assert web.ok("/api/fast-forward", {"next": True})["note"] == "No reminder is waiting."
    assert web.state(NOOR)["clock"]["offset_seconds"] == 0


@pytest.mark.parametrize("minutes", [0, -5, "ten", True, 61 * 24 * 60])
def test_fast_forward_refuses_nonsense(web: Web, minutes: object) -> None:
    status, answer = web.post("/api/fast-forward", {"minutes": minutes})
    assert status == 400, answer


def _register_demo_reminder(sandbox: Sandbox) -> None:
    """A reminder kind of the test's own: a DM through the stand-in, as features send them."""
    client = WebClient(token=sandbox.standin.bot_token, base_url=sandbox.standin.api_url)

    def send(reminder: Reminder) -> Delivered:
        client.chat_postMessage(channel=reminder.user_id, text="How did the interview go?")
        return Delivered()

    sandbox.reminders.register("sandbox_test_prompt", send, grace=timedelta(hours=2))


def _schedule_in(sandbox: Sandbox, delay: timedelta) -> None:
    with Session(sandbox.services.engine) as session:
        schedule(
            session,
            kind="sandbox_test_prompt",
            team_id=sandbox.workspace.team_id,
            user_id=NOOR,
            due_at=sandbox.clock.utcnow() + delay,
            payload=None,
        )
        session.commit()


def _dm(snapshot: dict) -> list[dict]:
    im = next(c for c in snapshot["conversations"] if c["kind"] == "im")
    return snapshot["messages"][im["id"]]


def test_fast_forward_makes_a_due_reminder_fire_now(web: Web, sandbox: Sandbox) -> None:
    _register_demo_reminder(sandbox)
    _schedule_in(sandbox, timedelta(hours=1))
    assert web.state(NOOR)["clock"]["next_due_at"] is not None
    web.ok("/api/fast-forward", {"minutes": 30})
    assert _dm(web.state(NOOR)) == []
    web.ok("/api/fast-forward", {"minutes": 31})
    snapshot = web.wait(NOOR, _dm)
    assert _dm(snapshot)[0]["text"] == "How did the interview go?"
    assert snapshot["clock"]["next_due_at"] is None


def test_skip_to_the_next_reminder_jumps_exactly_there(web: Web, sandbox: Sandbox) -> None:
    _register_demo_reminder(sandbox)
    _schedule_in(sandbox, timedelta(days=2, hours=3))
    answer = web.ok("/api/fast-forward", {"next": True})
    assert answer["note"].startswith("Fast-forwarded 2 days 3 hours.")
    assert _dm(web.wait(NOOR, _dm))[0]["text"] == "How did the interview go?"


def test_without_a_reminder_engine_the_clock_still_moves_and_the_note_says_so(
    web: Web, sandbox: Sandbox
) -> None:
    engine, sandbox.services.reminders = sandbox.services.reminders, None
    try:
        answer = web.ok("/api/fast-forward", {"minutes": 15})
        assert "no reminder engine" in answer["note"]
        assert web.state(NOOR)["clock"]["reminders_wired"] is False
        status, refused = web.post("/api/fast-forward", {"next": True})
        assert status == 400 and "not wired" in refused["error"]
    finally:
        sandbox.services.reminders = engine


# ------------------------------------------------------------------ safety
def test_only_json_posts_are_taken(web: Web) -> None:
    status, _ = web.request(
        "POST",
        "/api/command",
        b"user=U0NOOR0001&channel=C0COUNCIL01&text=/mission",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415


def test_a_request_for_another_host_name_is_refused(web: Web) -> None:
    status, _ = web.request("GET", "/api/state", headers={"Host": "sandbox.example.org"})
    assert status == 403


def test_a_malformed_body_is_a_400(web: Web) -> None:
    status, answer = web.request(
        "POST", "/api/react", b"[1, 2]", headers={"Content-Type": "application/json"}
    )
    assert status == 400
    status, answer = web.post("/api/react", {"user": NOOR})
    assert status == 400 and "bad request" in answer["error"]


# --------------------------------------------- what Slack itself answers and forbids
def _im(sandbox: Sandbox, user: str) -> str:
    channel, _ = sandbox.workspace.open_im(user)
    return channel.id


def test_an_unknown_command_gets_slacks_own_answer_and_never_reaches_the_app(
    web: Web, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[object] = []
    monkeypatch.setattr(sandbox.driver, "command", lambda **kw: sent.append(kw))
    answer = web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/foo bar"})
    assert "error" not in answer  # no "dispatch_failed (HTTP 404)"
    [ephemeral] = web.state(NOOR)["ephemerals"]
    assert ephemeral["source"] == "slackbot"
    assert ephemeral["text"].startswith(
        '/foo is not a valid command. In Slack, all messages that start with the "/" '
        "character are interpreted as commands."
    )
    assert sent == []  # Slack sends an app only the commands its manifest declares


def test_without_a_manifest_a_command_the_app_lacks_still_gets_slacks_answer(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.sandbox.actions

    monkeypatch.setattr(bot.sandbox.actions, "app_manifest", lambda: AppManifest(commands=None))
    answer = web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/foo"})
    assert "error" not in answer
    [ephemeral] = web.state(NOOR)["ephemerals"]
    assert ephemeral["text"].startswith("/foo is not a valid command.")


def test_the_bots_messages_tab_is_read_only_as_the_manifest_says(
    web: Web, sandbox: Sandbox
) -> None:
    assert app_manifest().messages_tab_read_only  # manifest.yml
    im = _im(sandbox, NOOR)
    snapshot = web.state(NOOR)
    assert snapshot["app"]["messages_tab_read_only"] is True
    for path, body in (
        ("/api/reply", {"user": NOOR, "channel": im, "text": "hello bot"}),
        ("/api/command", {"user": NOOR, "channel": im, "text": "/mission"}),
    ):
        status, answer = web.post(path, body)
        assert status == 400
        assert answer["error"] == "Sending messages to this app has been turned off."
    assert _dm(web.state(NOOR)) == []


def test_the_composer_suggests_every_command_and_subcommand_of_the_manifest(web: Web) -> None:
    hints = web.state(NOOR)["commands"]
    for command, words in (app_manifest().commands or {}).items():
        assert command in hints
        assert all(f"{command} {word}" in hints for word in words)
    assert "/debrief gratitude" in hints


def _register_quiet_reminder(sandbox: Sandbox) -> None:
    """A sender whose subject went away: Delivered, and no message (as handlers do)."""

    def send(_reminder: Reminder) -> Delivered:
        return Delivered()

    sandbox.reminders.register("sandbox_test_moot", send, grace=timedelta(hours=2))
    with Session(sandbox.services.engine) as session:
        schedule(
            session,
            kind="sandbox_test_moot",
            team_id=sandbox.workspace.team_id,
            user_id=NOOR,
            due_at=sandbox.clock.utcnow() + timedelta(minutes=10),
            payload=None,
        )
        session.commit()


def test_a_reminder_with_nothing_left_to_say_is_not_called_sent(web: Web, sandbox: Sandbox) -> None:
    _register_quiet_reminder(sandbox)
    note = web.ok("/api/fast-forward", {"minutes": 15})["note"]
    assert "reminder sent" not in note
    assert "1 reminder came due but had nothing left to say" in note
    assert "nothing was sent" in note
    assert _dm(web.state(NOOR)) == []


def test_a_fast_forward_counts_what_the_scheduler_sent_after_the_clock_moved(
    sandbox: Sandbox,
) -> None:
    _register_quiet_reminder(sandbox)
    engine = sandbox.reminders
    assert isinstance(engine, SandboxReminderEngine)
    mark = engine.mark()
    sandbox.clock.advance(15 * 60)
    engine.dispatch_due()  # the background scheduler's pass gets there first
    report, quiet = engine.dispatch_counted(mark)
    assert (report.sent, quiet) == (1, 1)


def test_sent_and_moot_reminders_are_counted_apart(web: Web, sandbox: Sandbox) -> None:
    _register_quiet_reminder(sandbox)
    _register_demo_reminder(sandbox)
    _schedule_in(sandbox, timedelta(minutes=5))
    note = web.ok("/api/fast-forward", {"minutes": 15})["note"]
    assert note.startswith("Fast-forwarded 15 minutes. 1 reminder sent. 1 reminder came due")
    assert _dm(web.wait(NOOR, _dm))[0]["text"] == "How did the interview go?"
