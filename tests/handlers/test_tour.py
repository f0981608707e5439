"""`/tour` end to end: signed requests in, the reminder engine on the app's clock, what Slack
received and the database holds out.

Lena (Europe/Berlin in the demo workspace) logs the conversations of her Listening Tour,
privately, from our DM or her council channel; gets one reminder to send thanks the next
day; brings one takeaway to her council, with only what she ticked; and sees her progress
on App Home, with a nudge toward her Candidate-Market Fit statement near the target.
"""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.features.tour import service
from bot.features.tour.rules import (
    GOLDEN_QUESTION,
    REMINDER_MONTHLY,
    REMINDER_THANKS,
    TARGET,
    ConversationInput,
    thanks_dedupe_key,
)
from bot.features.tour.views import (
    ACTION_EDIT,
    ACTION_LOG,
    ACTION_MONTHLY_OFF,
    ACTION_MONTHLY_SNOOZE,
    ACTION_PROMPTS,
    ACTION_SHARE,
)
from bot.platform.councils import register_council
from bot.platform.mrkdwn import escape
from bot.platform.timezones import to_utc
from bot.reminders.engine import Reminder, ReminderStatus
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.councils import Council
from storage.tour import TourConversation, TourSettings, TourShare
from storage.types import require_id
from tests.plugins.intruder import answers, assert_nothing_shown, intruder, quiet, sent
from tests.plugins.slack import Slack

BERLIN = "Europe/Berlin"
PERSON = "Zqx Quillfeather"
HEARD = "Zqx-Secretheard she would never hire a generalist"
TAKEAWAY = "People see me as a builder more than a manager"


# --- helpers --------------------------------------------------------------------------------------


def text_of(message: ApiCall | dict[str, Any]) -> str:
    args = message.args if isinstance(message, ApiCall) else message
    return json.dumps({"text": args.get("text"), "blocks": args.get("blocks")}, ensure_ascii=False)


def everything(calls: list[ApiCall]) -> str:
    return json.dumps([c.args for c in calls], ensure_ascii=False, default=str)


def count(slack: Slack, method: str) -> int:
    return len(slack.standin.calls_to(method))


def last_call(slack: Slack, method: str, seen: int) -> ApiCall:
    found = slack.standin.wait_for(method, count=seen + 1)
    call = found[-1] if isinstance(found, list) else found
    assert call.ok, call.describe()
    return call


def berlin_today(slack: Slack) -> date:
    return slack.clock.now.astimezone(ZoneInfo(BERLIN)).date()


def at_berlin(slack: Slack, wall: time) -> None:
    """Move the app's clock on to the next `wall` time in Berlin."""
    day = berlin_today(slack)
    target = to_utc(day, wall, BERLIN)
    if target <= slack.clock.now:
        target = to_utc(day + timedelta(days=1), wall, BERLIN)
    slack.clock.advance(target - slack.clock.now)


def dm_channel(slack: Slack, user: str) -> str:
    channel, _ = slack.workspace.open_im(user)
    return channel.id


def show_tour(slack: Slack, *, user: str | None = None, channel: str | None = None) -> ApiCall:
    """`/tour` (in Lena's DM with the bot by default): the private answer."""
    user = user or slack.lena
    seen = count(slack, "response_url")
    answer = slack.driver.command(
        user=user, channel=channel or dm_channel(slack, user), command="/tour"
    )
    assert answer.status == 200
    return last_call(slack, "response_url", seen)


def tour_view(slack: Slack, user: str | None = None) -> dict[str, Any]:
    """The latest `/tour` view shown to the member (an ephemeral message)."""
    found = [
        e
        for e in slack.workspace.ephemerals_for(user or slack.lena)
        if "Your Listening Tour" in text_of(e)
    ]
    assert found, slack.workspace.ephemerals_for(user or slack.lena)
    return found[-1]


def press(slack: Slack, message: dict[str, Any], action_id: str, **kwargs: Any) -> None:
    slack.driver.block_action(
        user=message["user"],
        action_id=action_id,
        channel=message["channel"],
        message_ts=message["ts"],
        **kwargs,
    )


def open_log(slack: Slack, user: str | None = None) -> dict[str, Any]:
    """`/tour`, then *Log a conversation*: the modal as Slack shows it."""
    user = user or slack.lena
    show_tour(slack, user=user)
    seen = count(slack, "views.open")
    press(slack, tour_view(slack, user), ACTION_LOG)
    opened = last_call(slack, "views.open", seen)
    assert opened.args["view"]["callback_id"] == "tour_log"
    return dict(opened.response["view"])


def log_values(
    *,
    name: str | None = PERSON,
    kind: str | None = "reverse_exit",
    held_on: str | None = None,
    heard: str | None = HEARD,
    takeaway: str | None = TAKEAWAY,
    thanks: bool = False,
) -> dict[str, Any]:
    return {
        "tour_name": {"tour_name": payloads.plain(name)},
        "tour_kind": {"tour_kind": payloads.radio(kind)},
        "tour_date": {"tour_date": payloads.datepicker(held_on)},
        "tour_heard": {"tour_heard": payloads.plain(heard)},
        "tour_takeaway": {"tour_takeaway": payloads.plain(takeaway)},
        "tour_thanks": {"tour_thanks": payloads.checkboxes(["thanks"] if thanks else [])},
    }


def submit_log(
    slack: Slack, view_id: str, *, user: str | None = None, **values: Any
) -> dict[str, Any]:
    values.setdefault("held_on", berlin_today(slack).isoformat())
    published = count(slack, "views.publish")
    answer = slack.driver.view_submission(
        user=user or slack.lena, view_id=view_id, values=log_values(**values)
    )
    assert answer.status == 200
    body = answer.json or {}
    if not body.get("errors"):
        slack.standin.wait_for("views.publish", count=published + 1)  # the Home refresh
        slack.settle()
    return body


def log(slack: Slack, **values: Any) -> int:
    """Log a conversation through the real flow; its id."""
    view = open_log(slack)
    body = submit_log(slack, view["id"], **values)
    assert not body.get("errors"), body
    with Session(slack.engine) as session:
        row = session.exec(
            select(TourConversation).order_by(TourConversation.id.desc())  # type: ignore[union-attr]
        ).first()
    assert row is not None and row.id is not None
    return row.id


def seed(slack: Slack, n: int, user: str | None = None) -> None:
    """`n` conversations logged straight through the use case (for counts)."""
    for i in range(n):
        service.log_conversation(
            slack.engine,
            team_id=slack.workspace.team_id,
            user_id=user or slack.lena,
            data=ConversationInput(
                name=f"Person {i}",
                kind=("reverse_exit", "network", "recruiter")[i % 3],
                held_on=berlin_today(slack),
                heard="",
                takeaway=f"Takeaway {i}",
                thanks=False,
            ),
            tz=BERLIN,
            now=slack.clock.now,
        )


def rows(slack: Slack) -> list[TourConversation]:
    """Every conversation, in the order logged (PostgreSQL keeps no order of its own)."""
    with Session(slack.engine) as session:
        return list(session.exec(select(TourConversation).order_by(col(TourConversation.id))).all())


def register(slack: Slack, channel: str, name: str) -> int:
    return register_council(
        slack.engine, team_id=slack.workspace.team_id, channel_id=channel, name=name
    )


def council_id(slack: Slack) -> int:
    return register(slack, slack.council, "council-demo")


def open_share(
    slack: Slack, conversation_id: int, user: str | None = None, *, forget: bool = False
) -> dict[str, Any]:
    """*Share takeaway* on the `/tour` view: the share modal once the councils are found."""
    user = user or slack.lena
    show_tour(slack, user=user)
    if forget:  # what follows is the share alone (the /tour view shows Lena her log)
        slack.settle()
        slack.standin.clear_calls()
    opened_before = count(slack, "views.open")
    press(slack, tour_view(slack, user), ACTION_SHARE, value=str(conversation_id))
    opened = last_call(slack, "views.open", opened_before)
    slack.settle()
    view_id = opened.response["view"]["id"]
    updates = [c for c in slack.standin.calls_to("views.update") if c.args["view_id"] == view_id]
    assert updates, "the share modal was never filled in"
    return dict(updates[-1].response["view"])


def share(
    slack: Slack,
    conversation_id: int,
    *,
    include: list[str] | None = None,
    council: int | None = None,
    forget: bool = False,
) -> tuple[dict[str, Any], ApiCall | None]:
    """Share the conversation's takeaway: (the final modal, the channel post or None);
    `forget`: record only the share's own Slack calls."""
    view = open_share(slack, conversation_id, forget=forget)
    assert view["callback_id"] == "tour_share" and view.get("submit"), view
    posts = len(channel_posts(slack))
    updates = count(slack, "views.update")
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view["id"],
        values={
            "tour_council": {
                "tour_council": payloads.static_select(str(council or council_id(slack)))
            },
            "tour_include": {"tour_include": payloads.checkboxes(include or [])},
        },
    )
    assert answer.status == 200
    if (answer.json or {}).get("response_action") == "errors":
        return answer.json or {}, None
    assert "Posting your takeaway" in json.dumps((answer.json or {}).get("view"))
    outcome = last_call(slack, "views.update", updates)
    slack.settle()
    posted = channel_posts(slack)
    return dict(outcome.args["view"]), posted[-1] if len(posted) > posts else None


def channel_posts(slack: Slack, channel: str | None = None) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == (channel or slack.council)
    ]


def thanks_reminders(slack: Slack) -> list[Reminder]:
    with Session(slack.engine) as session:
        return list(session.exec(select(Reminder).where(Reminder.kind == REMINDER_THANKS)).all())


def dms_to(slack: Slack, user: str) -> list[ApiCall]:
    dm = slack.workspace.im_for(user)
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] in ((dm.id if dm else None), user)
    ]


def thanks_dms(slack: Slack) -> list[ApiCall]:
    return [c for c in dms_to(slack, slack.lena) if "Time to thank" in str(c.args["text"])]


def last_home(slack: Slack, user: str) -> str:
    published = [c for c in slack.standin.calls_to("views.publish") if c.args["user_id"] == user]
    assert published
    return json.dumps(published[-1].args["view"], ensure_ascii=False)


# --- /tour ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["dm", "council"])
def test_tour_shows_progress_privately_anywhere(slack: Slack, where: str) -> None:
    channel = dm_channel(slack, slack.lena) if where == "dm" else slack.council
    reply = show_tour(slack, channel=channel)
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    shown = text_of(reply)
    assert f"0 of {TARGET}" in shown
    for kind in ("Reverse exit interview", "Wider network", "Recruiter"):
        assert f"{kind}: 0" in shown
    assert "Log a conversation" in shown and "Prompts" in shown
    assert GOLDEN_QUESTION in shown
    # Nothing in the channel, nothing in a modal: an answer only Lena sees.
    slack.settle()
    assert channel_posts(slack, channel) == []
    assert slack.standin.calls_to("views.open") == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("help", "/tour log"),
        ("prompts", "Recruiter"),
        ("zap", "I don't know `/tour zap`"),
    ],
)
def test_subcommands_answer_privately(slack: Slack, words: str, expected: str) -> None:
    slack.driver.command(
        user=slack.lena, channel=dm_channel(slack, slack.lena), command="/tour", text=words
    )
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    assert expected in text_of(reply)
    if words == "help":
        assert "/tour prompts" in text_of(reply) and GOLDEN_QUESTION in text_of(reply)
    if words == "zap":
        assert "`/tour log`" in text_of(reply) and "`/tour help`" in text_of(reply)
    slack.settle()
    assert slack.standin.calls_to("views.open") == []
    assert slack.standin.calls_to("chat.postMessage") == []


def test_the_log_subcommand_opens_the_form_with_the_members_today(slack: Slack) -> None:
    at_berlin(slack, time(0, 30))  # still yesterday in UTC: the form shows Berlin's today
    slack.driver.command(
        user=slack.lena, channel=dm_channel(slack, slack.lena), command="/tour", text="log"
    )
    opened = slack.standin.wait_for("views.open")
    assert opened.ok and opened.args["view"]["callback_id"] == "tour_log"
    assert berlin_today(slack).isoformat() in json.dumps(opened.args["view"])


# --- logging --------------------------------------------------------------------------------------


def test_logging_a_conversation_keeps_it_and_updates_the_view_and_home(slack: Slack) -> None:
    view = open_log(slack)
    body = submit_log(slack, view["id"], kind="network")
    assert not body.get("errors"), body
    (stored,) = rows(slack)
    assert (stored.person_name, stored.kind, stored.heard, stored.takeaway) == (
        PERSON,
        "network",
        HEARD,
        TAKEAWAY,
    )
    assert stored.held_on == berlin_today(slack) and stored.user_id == slack.lena
    assert stored.team_id == slack.workspace.team_id and stored.thanks is False
    # The /tour view it came from now shows it, privately, in place.
    shown = text_of(tour_view(slack))
    assert f"1 of {TARGET}" in shown and "Wider network: 1" in shown
    assert PERSON in shown and TAKEAWAY in shown and "Logged your conversation" in shown
    assert HEARD not in shown  # what was heard stays in the log, not on screen
    assert thanks_reminders(slack) == []
    home = last_home(slack, slack.lena)
    assert "Listening Tour" in home and f"1 of {TARGET}" in home
    # Again: the count grows.
    view = open_log(slack)
    submit_log(slack, view["id"], name="Dana", kind="recruiter")
    assert f"2 of {TARGET}" in text_of(tour_view(slack))
    assert "Recruiter: 1" in text_of(tour_view(slack))


def test_home_has_no_tour_line_before_a_conversation_is_logged(slack: Slack) -> None:
    published = count(slack, "views.publish")
    slack.driver.app_home_opened(user=slack.lena)
    slack.standin.wait_for("views.publish", count=published + 1)
    assert "Listening Tour" not in last_home(slack, slack.lena)


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"name": None}, "tour_name", "Who did you talk to"),
        ({"name": "x" * 81}, "tour_name", "80 characters"),
        ({"kind": None}, "tour_kind", "which kind"),
        ({"held_on": None}, "tour_date", "the day you talked"),
        ({"heard": "y" * 2001}, "tour_heard", "2000 characters"),
        ({"takeaway": None}, "tour_takeaway", "One line"),
        ({"takeaway": "z" * 201}, "tour_takeaway", "200 characters"),
        ({"name": "\u200b\u200b"}, "tour_name", "Who did you talk to"),
    ],
)
def test_bad_input_gets_an_inline_error_and_nothing_is_stored(
    slack: Slack, values: dict[str, Any], field: str, says: str
) -> None:
    view = open_log(slack)
    body = submit_log(slack, view["id"], **values)
    assert body.get("response_action") == "errors", body
    assert field in body["errors"] and says in body["errors"][field], body["errors"]
    assert rows(slack) == [] and thanks_reminders(slack) == []
    # The modal stays open with what was typed; the corrected form goes through.
    assert submit_log(slack, view["id"]).get("errors") is None
    assert len(rows(slack)) == 1


def test_a_date_in_the_future_where_the_member_is_gets_an_inline_error(slack: Slack) -> None:
    # 00:30 in Berlin is still yesterday in UTC: "today" is the member's own.
    at_berlin(slack, time(0, 30))
    today = berlin_today(slack)
    view = open_log(slack)
    body = submit_log(slack, view["id"], held_on=(today + timedelta(days=1)).isoformat())
    assert body.get("response_action") == "errors"
    assert "in the future" in body["errors"]["tour_date"]
    assert rows(slack) == []
    assert not submit_log(slack, view["id"], held_on=today.isoformat()).get("errors")
    assert rows(slack)[0].held_on == today


# --- the thanks reminder --------------------------------------------------------------------------


def test_the_thanks_reminder_comes_once_the_next_day_in_the_members_zone(slack: Slack) -> None:
    at_berlin(slack, time(15, 0))
    conversation_id = log(slack, thanks=True)
    (reminder,) = thanks_reminders(slack)
    local = reminder.due_at.astimezone(ZoneInfo(BERLIN))
    assert (local.date(), local.hour) == (berlin_today(slack) + timedelta(days=1), 15)
    assert reminder.user_id == slack.lena
    assert "remind you tomorrow" in text_of(tour_view(slack))

    slack.fast_forward(reminder.due_at - slack.clock.now - timedelta(minutes=1))
    assert thanks_dms(slack) == []
    assert slack.fast_forward(timedelta(minutes=1)).sent == 1
    (dm,) = thanks_dms(slack)
    assert PERSON in text_of(dm)
    assert TAKEAWAY not in text_of(dm) and HEARD not in text_of(dm)
    for days in (1, 3, 7):
        slack.fast_forward(timedelta(days=days))
    assert len(thanks_dms(slack)) == 1
    assert [r.status for r in thanks_reminders(slack)] == [ReminderStatus.SENT]
    # One per conversation, ever: its dedupe key.
    assert thanks_reminders(slack)[0].dedupe_key == thanks_dedupe_key(conversation_id)


def test_a_thanks_reminder_falling_in_quiet_hours_waits_for_the_morning(slack: Slack) -> None:
    at_berlin(slack, time(22, 30))
    log(slack, thanks=True)
    (reminder,) = thanks_reminders(slack)
    local = reminder.due_at.astimezone(ZoneInfo(BERLIN))
    assert (local.hour, local.minute) == (8, 0)
    assert local.date() == berlin_today(slack) + timedelta(days=2)


def test_the_same_submission_twice_logs_once_and_reminds_once(slack: Slack) -> None:
    view = open_log(slack)
    values = log_values(thanks=True, held_on=berlin_today(slack).isoformat())
    first = slack.driver.view_submission(user=slack.lena, view_id=view["id"], values=values)
    assert first.status == 200 and not (first.json or {}).get("errors")
    slack.settle()
    # Slack re-sends the very same signed request: nothing more is stored or scheduled.
    assert first.payload is not None
    again = slack.driver.send(
        urlencode({"payload": json.dumps(first.payload)}),
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status == 200
    slack.settle()
    assert len(rows(slack)) == 1 and len(thanks_reminders(slack)) == 1
    for _ in range(3):
        slack.fast_forward(timedelta(days=1))
    assert len(thanks_dms(slack)) == 1


def test_a_thanks_reminder_of_another_workspace_sends_nothing(slack: Slack) -> None:
    conversation_id = log(slack, thanks=True)
    with Session(slack.engine) as session:
        session.add(
            Reminder(
                kind=REMINDER_THANKS,
                team_id="T0INTRUDER",
                user_id=slack.lena,
                due_at=slack.clock.now,
                payload=json.dumps({"conversation": conversation_id}),
            )
        )
        session.commit()
    slack.fast_forward(timedelta(seconds=1))
    assert thanks_dms(slack) == []


# --- prompts --------------------------------------------------------------------------------------


def test_the_prompts_button_shows_the_golden_question_per_kind(slack: Slack) -> None:
    show_tour(slack)
    seen = count(slack, "response_url")
    press(slack, tour_view(slack), ACTION_PROMPTS)
    reply = last_call(slack, "response_url", seen)
    shown = text_of(reply)
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    for kind in ("Reverse exit interview", "Wider network", "Recruiter"):
        assert kind in shown
    assert shown.count(GOLDEN_QUESTION) >= 4  # once on top, once per kind
    assert "council" in shown  # bring what you heard to the council to interpret


# --- sharing a takeaway ---------------------------------------------------------------------------


def test_a_shared_takeaway_carries_nothing_unticked(slack: Slack) -> None:
    conversation_id = log(slack)
    council_id(slack)
    final, posted = share(slack, conversation_id, forget=True)
    assert posted is not None, final
    assert "Posted to" in json.dumps(final)
    shown = text_of(posted)
    assert escape(TAKEAWAY) in shown and f"<@{slack.lena}>" in shown
    assert "interpret" in shown
    assert "Reverse exit interview".lower() not in shown.lower()
    # Nothing unticked in any Slack call of the whole share, the modals included.
    calls = everything(list(slack.standin.calls))
    for secret in (PERSON, "Quillfeather", HEARD, "Secretheard"):
        assert secret not in calls, secret
    with Session(slack.engine) as session:
        (record,) = session.exec(select(TourShare)).all()
    assert (record.conversation_id, record.channel_id) == (conversation_id, slack.council)
    assert record.message_ts == posted.response["ts"] and record.user_id == slack.lena


def test_a_takeaway_with_kind_and_name_ticked_still_without_what_was_heard(slack: Slack) -> None:
    conversation_id = log(slack, kind="recruiter", name="<!channel> Sam")
    council_id(slack)
    _, posted = share(slack, conversation_id, include=["kind", "name"], forget=True)
    assert posted is not None
    shown = text_of(posted)
    assert "recruiter" in shown and escape("<!channel> Sam") in shown
    assert "<!channel>" not in json.dumps(posted.args)  # escaped: nobody is pinged
    assert HEARD not in everything(list(slack.standin.calls))


def test_only_council_channels_the_member_shares_with_the_bot_are_offered(slack: Slack) -> None:
    conversation_id = log(slack)
    council_id(slack)
    register(slack, slack.public_channel, "general")
    register(slack, slack.private_channel_without_bot, "other-private")
    view = open_share(slack, conversation_id)
    offered = json.dumps(view)
    assert "#council-demo" in offered
    assert "#general" not in offered and "#other-private" not in offered


def test_without_a_council_nothing_is_shared_and_the_member_is_told(slack: Slack) -> None:
    conversation_id = log(slack)
    view = open_share(slack, conversation_id)
    assert not view.get("submit") and "Nothing has been shared" in json.dumps(view)
    assert channel_posts(slack) == []


@pytest.mark.parametrize("change", ["public", "ext_shared"])
def test_a_council_made_public_or_shared_outside_gets_no_takeaway(
    slack: Slack, change: str
) -> None:
    conversation_id = log(slack)
    council_id(slack)
    view = open_share(slack, conversation_id)
    channel = slack.workspace.channels[slack.council]
    if change == "public":
        channel.is_private = False
    else:
        channel.is_ext_shared = True
    slack.runtime.services.extras.pop("council_channel_facts", None)  # as an event would
    posts = len(channel_posts(slack))
    updates = count(slack, "views.update")
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view["id"],
        values={
            "tour_council": {"tour_council": payloads.static_select(str(council_id(slack)))},
            "tour_include": {"tour_include": payloads.checkboxes(["name"])},
        },
    )
    assert answer.status == 200
    outcome = last_call(slack, "views.update", updates)
    slack.settle()
    assert len(channel_posts(slack)) == posts
    assert "Not shared" in json.dumps(outcome.args["view"]) or ":warning:" in json.dumps(
        outcome.args["view"]
    )
    with Session(slack.engine) as session:
        assert session.exec(select(TourShare)).all() == []


def test_a_council_of_another_workspace_is_refused_inline(slack: Slack) -> None:
    conversation_id = log(slack)
    council_id(slack)
    view = open_share(slack, conversation_id)
    with Session(slack.engine) as session:
        elsewhere = Council(team_id="T0INTRUDER", channel_id="C0ELSEWHERE", name="elsewhere")
        session.add(elsewhere)
        session.commit()
        session.refresh(elsewhere)
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view["id"],
        values={
            "tour_council": {"tour_council": payloads.static_select(str(elsewhere.id))},
            "tour_include": {"tour_include": payloads.checkboxes([])},
        },
    )
    assert (answer.json or {}).get("response_action") == "errors"
    assert "tour_council" in (answer.json or {})["errors"]
    slack.settle()
    assert channel_posts(slack) == [] and count(slack, "chat.postMessage") == 0


def test_only_the_owner_can_share_a_conversation(slack: Slack) -> None:
    lenas = log(slack)
    council_id(slack)
    seed(slack, 1, user=slack.maya)  # Maya's own view has a Share button
    show_tour(slack, user=slack.maya)
    maya_view = tour_view(slack, slack.maya)
    slack.settle()
    slack.standin.clear_calls()
    press(slack, maya_view, ACTION_SHARE, value=str(lenas))  # Lena's id on Maya's button
    reply = slack.standin.wait_for("response_url")
    slack.settle()
    assert "isn't in your Listening Tour" in text_of(reply)
    assert slack.standin.calls_to("views.open") == []
    shown = everything(list(slack.standin.calls))
    for secret in (PERSON, TAKEAWAY, HEARD):
        assert secret not in shown, secret


def test_another_workspace_cannot_share_or_see_a_conversation(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation_id = log(slack)
    council_id(slack)
    view = tour_view(slack)
    before = [r.model_dump() for r in rows(slack)]
    quiet(slack)
    with intruder(slack, monkeypatch):
        press(slack, view, ACTION_SHARE, value=str(conversation_id))
        slack.standin.wait_for("response_url")
        calls = sent(slack)
    assert "isn't in your Listening Tour" in answers(calls)
    assert_nothing_shown(calls, (PERSON, TAKEAWAY, HEARD, "Quillfeather"))
    assert [r.model_dump() for r in rows(slack)] == before
    with Session(slack.engine) as session:
        assert session.exec(select(TourShare)).all() == []


# --- editing a conversation ----------------------------------------------------------------------


def open_edit(slack: Slack, conversation_id: int, user: str | None = None) -> dict[str, Any]:
    """*Edit* under a conversation on the `/tour` view: the filled-in modal."""
    user = user or slack.lena
    show_tour(slack, user=user)
    seen = count(slack, "views.open")
    press(slack, tour_view(slack, user), ACTION_EDIT, value=str(conversation_id))
    opened = last_call(slack, "views.open", seen)
    return dict(opened.response["view"])


def test_editing_a_conversation_changes_it_in_place_and_plans_the_thanks_once(
    slack: Slack,
) -> None:
    conversation_id = log(slack, thanks=False)
    view = open_edit(slack, conversation_id)
    assert view["title"]["text"] == "Edit conversation"
    filled = json.dumps(view["blocks"], ensure_ascii=False)
    assert PERSON in filled and HEARD in filled and TAKEAWAY in filled
    kind = next(b for b in view["blocks"] if b["block_id"] == "tour_kind")
    assert kind["element"]["initial_option"]["value"] == "reverse_exit"

    yesterday = (berlin_today(slack) - timedelta(days=1)).isoformat()
    body = submit_log(
        slack,
        view["id"],
        name="Zqx Q. <!channel>",
        kind="recruiter",
        held_on=yesterday,
        takeaway="Recruiters read me as a staff engineer",
        thanks=True,
    )
    assert not body.get("errors"), body
    (row,) = rows(slack)  # changed, not added
    assert (row.id, row.person_name, row.kind, row.held_on.isoformat()) == (
        conversation_id,
        "Zqx Q. <!channel>",
        "recruiter",
        yesterday,
    )
    assert row.takeaway == "Recruiters read me as a staff engineer" and row.thanks
    assert [r.status for r in thanks_reminders(slack)] == [ReminderStatus.PENDING]
    shown = text_of(tour_view(slack))
    assert "Updated your conversation" in shown and "1 of" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown

    # Saved again with the same thanks: still one reminder; unticked: cancelled.
    submit_log(slack, open_edit(slack, conversation_id)["id"], thanks=True)
    assert len(thanks_reminders(slack)) == 1
    submit_log(slack, open_edit(slack, conversation_id)["id"], thanks=False)
    assert [r.status for r in thanks_reminders(slack)] == [ReminderStatus.CANCELLED]


def test_an_edit_gets_the_same_inline_errors_as_a_new_log(slack: Slack) -> None:
    conversation_id = log(slack)
    before = [r.model_dump() for r in rows(slack)]
    tomorrow = (berlin_today(slack) + timedelta(days=1)).isoformat()
    for values, field in (({"name": ""}, "tour_name"), ({"held_on": tomorrow}, "tour_date")):
        body = submit_log(slack, open_edit(slack, conversation_id)["id"], **values)
        assert body.get("response_action") == "errors" and field in body["errors"], body
    assert [r.model_dump() for r in rows(slack)] == before


def test_only_the_owner_can_edit_a_conversation(slack: Slack) -> None:
    lenas = log(slack)
    before = [r.model_dump() for r in rows(slack)]
    seed(slack, 1, user=slack.maya)  # Maya's own view has an Edit button
    show_tour(slack, user=slack.maya)
    maya_view = tour_view(slack, slack.maya)
    slack.settle()
    slack.standin.clear_calls()
    press(slack, maya_view, ACTION_EDIT, value=str(lenas))  # Lena's id on Maya's button
    reply = slack.standin.wait_for("response_url")
    slack.settle()
    assert "isn't in your Listening Tour" in text_of(reply)
    assert slack.standin.calls_to("views.open") == []
    for secret in (PERSON, TAKEAWAY, HEARD):
        assert secret not in everything(list(slack.standin.calls)), secret
    # Nor by submitting the form with Lena's id in its metadata (a forged request).
    (mayas,) = [r for r in rows(slack) if r.user_id == slack.maya]
    maya_form = open_edit(slack, require_id(mayas), user=slack.maya)
    forged = json.loads(maya_form["private_metadata"]) | {"conversation": lenas}
    slack.workspace.views[maya_form["id"]].private_metadata = json.dumps(forged)
    body = submit_log(slack, maya_form["id"], user=slack.maya, name="Maya was here")
    assert body.get("response_action") == "errors", body
    assert "isn't in your Listening Tour" in json.dumps(body["errors"])
    assert [r.model_dump() for r in rows(slack) if r.user_id == slack.lena] == before


# --- the member's target --------------------------------------------------------------------------


def tour_command(slack: Slack, words: str, user: str | None = None) -> str:
    seen = count(slack, "response_url")
    user = user or slack.lena
    answer = slack.driver.command(
        user=user, channel=dm_channel(slack, user), command="/tour", text=words
    )
    assert answer.status == 200
    reply = last_call(slack, "response_url", seen)
    slack.settle()
    return text_of(reply)


def test_a_member_sets_their_own_target_and_sees_progress_toward_it(slack: Slack) -> None:
    seed(slack, 2)
    assert f"2 of {TARGET}" in text_of(show_tour(slack))
    assert "target is now *15*" in tour_command(slack, "target 15")
    assert "2 of 15" in text_of(show_tour(slack))
    assert "2 of 15" in last_home(slack, slack.lena)
    seed(slack, 1, user=slack.noor)
    assert f"1 of {TARGET}" in text_of(show_tour(slack, user=slack.noor))  # hers, not Lena's
    for bad in ("target", "target 0", "target 99", "target twelve"):
        assert "between 3 and 40" in tour_command(slack, bad), bad
    assert "2 of 15" in text_of(show_tour(slack))  # unchanged by the bad ones


# --- the monthly update prompt --------------------------------------------------------------------


def monthly_reminders(slack: Slack) -> list[Reminder]:
    with Session(slack.engine) as session:
        return list(
            session.exec(
                select(Reminder).where(Reminder.kind == REMINDER_MONTHLY).order_by(Reminder.id)  # type: ignore[arg-type]
            ).all()
        )


def monthly_dms(slack: Slack) -> list[ApiCall]:
    return [c for c in dms_to(slack, slack.lena) if "monthly update" in str(c.args["text"])]


def pending(reminders: list[Reminder]) -> list[Reminder]:
    return [r for r in reminders if r.status == ReminderStatus.PENDING]


def test_the_monthly_update_comes_a_month_after_the_first_conversation_at_ten_her_time(
    slack: Slack,
) -> None:
    at_berlin(slack, time(22, 30))
    logged_on = berlin_today(slack)
    log(slack)
    log(slack, name="Another person", kind="recruiter")
    (reminder,) = monthly_reminders(slack)  # planned once, not per conversation
    local = reminder.due_at.astimezone(ZoneInfo(BERLIN))
    assert (local.month - logged_on.month) % 12 == 1 and local.day == logged_on.day
    assert (local.hour, local.minute) == (10, 0) and reminder.user_id == slack.lena

    slack.fast_forward(reminder.due_at - slack.clock.now - timedelta(minutes=1))
    assert monthly_dms(slack) == []
    slack.fast_forward(timedelta(minutes=1))
    (dm,) = monthly_dms(slack)
    shown = text_of(dm)
    assert "2 conversations on my listening tour" in shown and "1 with recruiters" in shown
    # Her own note, to copy: no names, nothing she heard.
    for secret in (PERSON, "Another person", HEARD):
        assert secret not in shown, secret
    (following,) = pending(monthly_reminders(slack))  # next month's, planned with the send
    assert following.due_at.astimezone(ZoneInfo(BERLIN)).hour == 10
    assert following.due_at - reminder.due_at >= timedelta(days=28)


def test_the_monthly_note_carries_her_cmf_sentence_escaped(slack: Slack) -> None:
    from storage.fit import FitStatement

    log(slack)
    with Session(slack.engine) as session:
        session.add(
            FitStatement(
                team_id=slack.workspace.team_id,
                user_id=slack.lena,
                number=1,
                stage="Series B",
                industry="climate",
                role="staff engineer",
                sentence="Staff engineer at a Series B climate company <!channel>",
            )
        )
        session.commit()
    shown = tour_command(slack, "update")
    assert "Staff engineer at a Series B climate company" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "Snooze a week" in shown and "Turn off monthly updates" in shown


def test_snoozing_brings_the_prompt_back_in_a_week_and_keeps_next_month(slack: Slack) -> None:
    log(slack)
    (first,) = monthly_reminders(slack)
    slack.fast_forward(first.due_at - slack.clock.now)
    (dm,) = monthly_dms(slack)
    seen = count(slack, "response_url")
    press(
        slack,
        {"user": slack.lena, "channel": dm.response["channel"], "ts": dm.response["ts"]},
        ACTION_MONTHLY_SNOOZE,
    )
    reply = last_call(slack, "response_url", seen)
    slack.settle()
    assert "Snoozed" in text_of(reply) and reply.args.get("replace_original") is True
    waiting = sorted(pending(monthly_reminders(slack)), key=lambda r: r.due_at)
    assert len(waiting) == 2  # the snoozed one and next month's
    snoozed = waiting[0].due_at.astimezone(ZoneInfo(BERLIN))
    assert snoozed.date() == first.due_at.astimezone(ZoneInfo(BERLIN)).date() + timedelta(days=7)
    assert (snoozed.hour, snoozed.minute) == (10, 0)
    slack.fast_forward(waiting[0].due_at - slack.clock.now)
    assert len(monthly_dms(slack)) == 2
    assert len(pending(monthly_reminders(slack))) == 1  # no extra month planned by the snooze


def test_turned_off_with_one_click_no_prompt_comes_until_turned_on_again(slack: Slack) -> None:
    log(slack)
    (first,) = monthly_reminders(slack)
    slack.fast_forward(first.due_at - slack.clock.now)
    (dm,) = monthly_dms(slack)
    seen = count(slack, "response_url")
    press(
        slack,
        {"user": slack.lena, "channel": dm.response["channel"], "ts": dm.response["ts"]},
        ACTION_MONTHLY_OFF,
        value="off",
    )
    reply = last_call(slack, "response_url", seen)
    slack.settle()
    assert "are off" in text_of(reply) and "Turn monthly updates on" in text_of(reply)
    assert pending(monthly_reminders(slack)) == []
    slack.fast_forward(timedelta(days=40))
    assert len(monthly_dms(slack)) == 1
    log(slack, name="After the switch")  # a new conversation does not turn it back on
    assert pending(monthly_reminders(slack)) == []
    assert "are on" in tour_command(slack, "update on")
    (again,) = pending(monthly_reminders(slack))
    slack.fast_forward(again.due_at - slack.clock.now)
    assert len(monthly_dms(slack)) == 2
    assert "are off" in tour_command(slack, "update off")
    assert pending(monthly_reminders(slack)) == []


# --- Candidate-Market Fit -------------------------------------------------------------------------


def test_near_the_target_the_view_suggests_the_cmf_statement(slack: Slack) -> None:
    seed(slack, TARGET - 3)
    assert "Candidate-Market Fit" not in text_of(show_tour(slack))
    log(slack)  # the (target - 2)th
    shown = text_of(tour_view(slack))
    assert f"{TARGET - 2} of {TARGET}" in shown and "Candidate-Market Fit" in shown
    assert "Candidate-Market Fit" in last_home(slack, slack.lena)


# --- encryption at rest ---------------------------------------------------------------------------


def test_the_name_what_was_heard_and_the_takeaway_are_not_stored_in_plain_text(
    slack: Slack,
) -> None:
    log(slack)
    (stored,) = rows(slack)
    assert (stored.person_name, stored.heard, stored.takeaway) == (PERSON, HEARD, TAKEAWAY)
    with slack.engine.connect() as connection:
        raw = connection.execute(
            text("SELECT person_name, heard, takeaway, kind FROM tour_conversations")
        ).one()
    assert all(str(value).startswith("gAAAA") for value in raw[:3])
    flat = " ".join(str(value) for value in raw)
    for secret in (PERSON, "Quillfeather", HEARD, "Secretheard", TAKEAWAY, "builder"):
        assert secret not in flat, secret
    if slack.engine.dialect.name == "sqlite":
        database = slack.engine.url.database
        assert database is not None
        slack.engine.dispose()
        blob = Path(database).read_bytes()
        wal = Path(database + "-wal")
        if wal.exists():
            blob += wal.read_bytes()
        for secret in ("Quillfeather", "Secretheard", "builder more than"):
            assert secret.encode() not in blob, secret


# --- the member's own data ---------------------------------------------------------------------


def test_export_holds_the_tour_and_erase_deletes_it_and_its_shared_takeaways(
    slack: Slack,
) -> None:
    from tests.handlers.test_council import _exported

    council_id(slack)
    conversation = log(slack)
    _view, posted = share(slack, conversation)
    assert posted is not None
    seed(slack, 2, user=slack.noor)  # another member's tour stays theirs
    tour_command(slack, "target 15")
    tour_command(slack, "target 9", user=slack.noor)

    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="export")
    document, markdown = _exported(slack, slack.lena)
    assert [(t["target"], t["monthly_update"]) for t in document["tour_settings"]] == [(15, True)]
    assert [c["kind"] for c in document["listening_tour"]] == [rows(slack)[0].kind]
    assert document["listening_tour"][0]["takeaway"] == rows(slack)[0].takeaway
    assert [s["message_ts"] for s in document["tour_shares"]] == [posted.response["ts"]]
    assert "Your Listening Tour" in markdown and "Takeaway 0" not in markdown

    opened = count(slack, "views.open")
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="erase")
    confirm = last_call(slack, "views.open", opened).response["view"]
    assert "Listening Tour conversation" in json.dumps(confirm)
    answer = slack.driver.view_submission(user=slack.lena, view_id=confirm["id"], values={})
    assert answer.status == 200
    slack.settle()

    assert [r.user_id for r in rows(slack)] == [slack.noor, slack.noor]
    with Session(slack.engine) as session:
        assert session.exec(select(TourShare)).all() == []
        settings = session.exec(select(TourSettings)).all()
    assert [(t.user_id, t.target) for t in settings] == [(slack.noor, 9)]
    deleted = {(c.args["channel"], c.args["ts"]) for c in slack.standin.calls_to("chat.delete")}
    assert (slack.council, posted.response["ts"]) in deleted
