"""`/debrief` end to end: signed requests in, the reminder engine on the app's clock, what
Slack received and the database holds out.

Lena (Europe/Berlin in the demo workspace) logs her interviews; `slack.fast_forward`
moves the app's clock and lets the reminder engine send what fell due.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.features.debriefs.rules import REMINDER_FOLLOWUP, REMINDER_GRATITUDE, REMINDER_PROMPT
from bot.features.debriefs.views import (
    ACTION_CANCEL,
    ACTION_GRATITUDE,
    ACTION_GRATITUDE_REMOVE,
    ACTION_MOVE,
    ACTION_REPOST,
    ACTION_WRITE,
)
from bot.platform.timezones import format_local, to_utc
from bot.reminders.engine import Reminder, ReminderStatus
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.debriefs import Debrief, GratitudePerson, InterviewEvent
from storage.searches import Search
from tests.handlers.conftest import post_draft
from tests.plugins.slack import Slack, eventually, mrkdwn_of, text_of

BERLIN = "Europe/Berlin"


# --- helpers --------------------------------------------------------------------------------------


def slot(
    slack: Slack, *, days: int = 2, at: time = time(14, 0), tz: str = BERLIN
) -> tuple[str, str, datetime]:
    """A wall time `days` from the app's today in `tz`: (date str, time str, UTC instant)."""
    day: date = slack.clock.now.astimezone(ZoneInfo(tz)).date() + timedelta(days=days)
    return day.isoformat(), f"{at.hour:02d}:{at.minute:02d}", to_utc(day, at, tz)


def event_values(
    *,
    day: str,
    at: str,
    company: str | None = "Globex",
    search_id: int | None = None,
    kind: str = "interview",
    with_whom: str = "",
    partners: tuple[str, ...] = (),
    nudge: str | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "company": {"company": payloads.plain(company)},
        "kind": {"kind": payloads.static_select(kind)},
        "date": {"date": payloads.datepicker(day)},
        "time": {"time": payloads.timepicker(at)},
        "with_whom": {"with_whom": payloads.plain(with_whom or None)},
        "partners": {"partners": payloads.users(list(partners))},
    }
    if search_id is not None:
        values["search"] = {"search": payloads.static_select(str(search_id))}
    if nudge is not None:
        values["nudge"] = {"nudge": payloads.static_select(nudge)}
    return values


def open_event_modal(slack: Slack, user: str) -> dict[str, Any]:
    seen = len(slack.standin.calls_to("views.open"))
    answer = slack.driver.command(user=user, channel=slack.council, command="/debrief")
    assert answer.status == 200
    opened = slack.standin.wait_for("views.open", count=seen + 1)
    call = opened[-1] if isinstance(opened, list) else opened
    assert call.ok, call.describe()
    # The form opens first; the channel check and the member's zone then update it.
    slack.settle()
    view_id = call.response["view"]["id"]
    updates = [c for c in slack.standin.calls_to("views.update") if c.args["view_id"] == view_id]
    return dict(updates[-1].response["view"] if updates else call.response["view"])


def submit_event(slack: Slack, user: str, values: dict[str, Any]) -> dict[str, Any]:
    view = open_event_modal(slack, user)
    answer = slack.driver.view_submission(user=user, view_id=view["id"], values=values)
    assert answer.status == 200
    return answer.json or {}


def log_event(slack: Slack, user: str | None = None, **kwargs: Any) -> int:
    """Log an event through `/debrief` and its modal; the event's id."""
    user = user or slack.lena
    ephemerals = len(slack.standin.calls_to("chat.postEphemeral"))
    answer = submit_event(slack, user, event_values(**kwargs))
    assert not answer.get("errors"), answer
    slack.standin.wait_for("chat.postEphemeral", count=ephemerals + 1)
    with Session(slack.engine) as session:
        events = session.exec(select(InterviewEvent).where(InterviewEvent.user_id == user)).all()
    assert events
    return max(e.id or 0 for e in events)


def dms_to(slack: Slack, user: str) -> list[ApiCall]:
    """Successful chat.postMessage calls into the bot's DM with `user`."""
    dm = slack.workspace.im_for(user)
    if dm is None:
        return []
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] in (dm.id, user)  # a user id means the DM too
    ]


def channel_posts(slack: Slack) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == slack.council
    ]


def forward_to(slack: Slack, when: datetime) -> Any:
    return slack.fast_forward(max(when - slack.clock.now, timedelta(0)))


def reminders_of(slack: Slack, event_id: int) -> dict[str, list[Reminder]]:
    with Session(slack.engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.subject == f"event:{event_id}")).all()
    found: dict[str, list[Reminder]] = {}
    for row in rows:
        found.setdefault(row.kind, []).append(row)
    return found


def debrief_values(rating: str = "4", private: bool = False, **answers: str) -> dict[str, Any]:
    values: dict[str, Any] = {"rating": {"rating": payloads.radio(rating)}}
    for field in ("went_well", "worries", "asked", "inner_critic", "evidence", "wants"):
        values[field] = {field: payloads.plain(answers.get(field))}
    values["private"] = {"private": payloads.checkboxes(["private"] if private else [])}
    return values


def press_in_dm(slack: Slack, user: str, call: ApiCall, action_id: str) -> None:
    slack.driver.block_action(
        user=user,
        action_id=action_id,
        channel=call.response["channel"],
        message_ts=call.response["ts"],
    )


def open_debrief_form(slack: Slack, user: str, prompt: ApiCall) -> str:
    seen = len(slack.standin.calls_to("views.open"))
    press_in_dm(slack, user, prompt, ACTION_WRITE)
    opened = slack.standin.wait_for("views.open", count=seen + 1)
    call = opened[-1] if isinstance(opened, list) else opened
    assert call.ok, call.describe()
    assert call.args["view"]["callback_id"] == "debrief_form"
    return str(call.response["view"]["id"])


def add_gratitude(slack: Slack, user: str, *names: tuple[str, str]) -> None:
    with Session(slack.engine) as session:
        for name, note in names:
            session.add(
                GratitudePerson(team_id=slack.workspace.team_id, user_id=user, name=name, note=note)
            )
        session.commit()


def last_list(slack: Slack, user: str) -> dict[str, Any]:
    listing = [
        e for e in slack.workspace.ephemerals_for(user) if "upcoming interviews" in text_of(e)
    ]
    assert listing, slack.workspace.ephemerals_for(user)
    return listing[-1]


def show_list(slack: Slack, user: str) -> dict[str, Any]:
    seen = len(slack.standin.calls_to("response_url"))
    slack.driver.command(user=user, channel=slack.council, command="/debrief", text="list")
    slack.standin.wait_for("response_url", count=seen + 1)
    return last_list(slack, user)


# --- logging an event -----------------------------------------------------------------------------


def test_logging_an_interview_confirms_the_time_in_the_members_zone(slack: Slack) -> None:
    day, at, starts_at = slot(slack, at=time(14, 0))
    event_id = log_event(slack, day=day, at=at, company="Globex", with_whom="Dana (hiring manager)")
    note = slack.standin.wait_for("chat.postEphemeral")
    assert note.args["user"] == slack.lena and note.args["channel"] == slack.council
    sent = text_of(note)
    assert format_local(starts_at, BERLIN) in sent  # e.g. "Thu 5 Mar, 14:00 CET"
    assert "14:00" in sent and "(your time)" in sent
    assert format_local(starts_at - timedelta(hours=1), BERLIN) in sent  # the nudge
    assert format_local(starts_at + timedelta(hours=1), BERLIN) in sent  # the prompt
    assert "follow-up" in sent
    pending = reminders_of(slack, event_id)
    assert set(pending) == {REMINDER_GRATITUDE, REMINDER_PROMPT, REMINDER_FOLLOWUP}
    assert pending[REMINDER_GRATITUDE][0].due_at == starts_at - timedelta(hours=1)
    assert pending[REMINDER_PROMPT][0].due_at == starts_at + timedelta(hours=1)
    assert pending[REMINDER_FOLLOWUP][0].due_at == starts_at + timedelta(hours=25)
    with Session(slack.engine) as session:
        event = session.get(InterviewEvent, event_id)
        assert event is not None and event.tz == BERLIN and event.starts_at == starts_at
        search = session.get(Search, event.search_id)
        assert search is not None and search.company == "Globex"  # a new search


def test_the_modal_offers_the_members_searches_and_says_which_time_zone(slack: Slack) -> None:
    post_draft(slack, author=slack.lena, channel=slack.council)
    view = open_event_modal(slack, slack.lena)
    blocks = json.dumps(view["blocks"])
    assert "Acme Robotics" in blocks  # her search, in the select
    assert BERLIN in blocks  # the hint says the zone


def test_a_date_in_the_past_gets_an_inline_error_and_nothing_is_stored(slack: Slack) -> None:
    day, at, _ = slot(slack, days=-1)
    answer = submit_event(slack, slack.lena, event_values(day=day, at=at))
    assert answer["response_action"] == "errors"
    assert "passed" in answer["errors"]["date"]
    # Earlier today: the error sits on the time.
    slack.clock.advance(timedelta(hours=12) - _since_midnight(slack))  # noon in Berlin
    here = slack.clock.now.astimezone(ZoneInfo(BERLIN)) - timedelta(hours=2)
    answer = submit_event(
        slack,
        slack.lena,
        event_values(day=here.date().isoformat(), at=f"{here.hour:02d}:{here.minute:02d}"),
    )
    assert "passed" in answer["errors"]["time"] and "date" not in answer["errors"]
    with Session(slack.engine) as session:
        assert session.exec(select(InterviewEvent)).all() == []
        assert session.exec(select(Reminder)).all() == []


def _since_midnight(slack: Slack) -> timedelta:
    local = slack.clock.now.astimezone(ZoneInfo(BERLIN))
    return local - local.replace(hour=0, minute=0, second=0, microsecond=0)


def test_no_company_gets_an_inline_error(slack: Slack) -> None:
    day, at, _ = slot(slack)
    answer = submit_event(slack, slack.lena, event_values(day=day, at=at, company=None))
    assert "company" in answer["errors"]


# --- the reminders --------------------------------------------------------------------------------


def test_the_whole_flow_nudge_prompt_form_and_post_in_the_draft_thread(slack: Slack) -> None:
    draft = post_draft(slack, author=slack.lena, channel=slack.council)
    add_gratitude(slack, slack.lena, ("Grandma Ilse", "taught me to stand tall"))
    with Session(slack.engine) as session:
        search = session.exec(select(Search).where(Search.user_id == slack.lena)).one()
    day, at, starts_at = slot(slack, at=time(14, 0))
    event_id = log_event(
        slack,
        day=day,
        at=at,
        company=None,
        search_id=search.id,
        partners=(slack.noor, slack.arjun),
    )
    slack.standin.clear_calls()

    # An hour before: the Gratitude House nudge, naming someone from her list.
    forward_to(slack, starts_at - timedelta(hours=1, minutes=1))
    assert dms_to(slack, slack.lena) == []
    report = forward_to(slack, starts_at - timedelta(hours=1))
    assert report.sent == 1
    (nudge,) = dms_to(slack, slack.lena)
    assert "Grandma Ilse" in text_of(nudge) and "Acme Robotics" in text_of(nudge)
    assert slack.clock.now < starts_at

    # An hour after it starts: the prompt, with a button that opens the form.
    forward_to(slack, starts_at + timedelta(minutes=59))
    assert len(dms_to(slack, slack.lena)) == 1
    forward_to(slack, starts_at + timedelta(hours=1))
    prompt = dms_to(slack, slack.lena)[-1]
    assert "How did your interview" in text_of(prompt)
    view_id = open_debrief_form(slack, slack.lena, prompt)
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values=debrief_values(
            "2",
            went_well="Good rapport with Dana",
            inner_critic="I rambled",
            evidence="They asked for references",
            wants="Tell me if I'm overthinking",
        ),
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    posted = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == slack.council
    )
    assert posted.ok, posted.describe()
    assert posted.args.get("thread_ts") == draft.ts  # under her mission draft
    sent = mrkdwn_of(posted)
    assert "<@U0NOOR0001>" in sent and "<@U0ARJUN003>" in sent
    assert "I rambled" in sent and "They asked for references" in sent
    with Session(slack.engine) as session:
        debrief = session.exec(select(Debrief)).one()
        assert debrief.event_id == event_id and debrief.rating == 2 and not debrief.private
    eventually(lambda: _debrief_ts(slack) == posted.response["ts"])
    # The prompt turns into a thank-you; the follow-up never comes.
    update = slack.standin.wait_for(
        "chat.update", predicate=lambda c: c.args["ts"] == prompt.response["ts"]
    )
    assert "Write my debrief" not in text_of(update)
    before = len(dms_to(slack, slack.lena))
    forward_to(slack, starts_at + timedelta(days=3))
    assert len(dms_to(slack, slack.lena)) == before
    statuses = {k: [r.status for r in v] for k, v in reminders_of(slack, event_id).items()}
    assert statuses[REMINDER_FOLLOWUP] == [ReminderStatus.CANCELLED]


def test_without_a_draft_the_debrief_is_a_top_level_post(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at)
    forward_to(slack, starts_at + timedelta(hours=1))
    prompt = dms_to(slack, slack.lena)[-1]
    view_id = open_debrief_form(slack, slack.lena, prompt)
    slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=debrief_values("4", went_well="Went fine")
    )
    posted = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == slack.council
    )
    assert posted.ok and not posted.args.get("thread_ts")


def test_the_list_shows_a_debriefed_interview_under_past_most_recent_first(
    slack: Slack,
) -> None:
    first_day, first_at, first_start = slot(slack, days=1)
    second_day, second_at, second_start = slot(slack, days=2)
    log_event(slack, day=first_day, at=first_at, company="Initech")
    log_event(slack, day=second_day, at=second_at, company="Globex")
    for starts_at in (first_start, second_start):
        forward_to(slack, starts_at + timedelta(hours=1))
        prompt = dms_to(slack, slack.lena)[-1]
        view_id = open_debrief_form(slack, slack.lena, prompt)
        answer = slack.driver.view_submission(
            user=slack.lena, view_id=view_id, values=debrief_values("4", went_well="Went fine")
        )
        assert not (answer.json or {}).get("errors")
        slack.settle()
    listing = text_of(show_list(slack, slack.lena))
    assert "Nothing logged yet" not in listing
    assert "Past, most recent first" in listing
    assert listing.index("Globex") < listing.index("Initech")  # recent first
    assert listing.count("Debriefed: Good, shared with your council") == 2


def test_picking_one_company_and_typing_another_logs_the_typed_one(slack: Slack) -> None:
    # The same rule as /backchannel and /negotiate: a Slack select cannot be emptied once
    # picked, so what is typed wins (and the form says so under the box).
    day, at, _ = slot(slack, days=1)
    log_event(slack, day=day, at=at, company="Globex")
    with Session(slack.engine) as session:
        globex = session.exec(select(Search).where(Search.company == "Globex")).one()
    view = open_event_modal(slack, slack.lena)
    company_box = next(b for b in view["blocks"] if b.get("block_id") == "company")
    assert "used instead of the list above" in company_box["hint"]["text"]
    day, at, _ = slot(slack, days=2)
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view["id"],
        values=event_values(day=day, at=at, company="Initech", search_id=globex.id),
    )
    assert not (answer.json or {}).get("errors"), answer.json
    slack.settle()
    with Session(slack.engine) as session:
        events = session.exec(select(InterviewEvent).order_by(InterviewEvent.id)).all()
    assert [e.company for e in events] == ["Globex", "Initech"]


def test_an_empty_gratitude_house_gets_an_invitation_to_start_one(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at)
    forward_to(slack, starts_at - timedelta(hours=1))
    (nudge,) = dms_to(slack, slack.lena)
    assert "Start my Gratitude House" in text_of(nudge)


def test_a_private_debrief_never_touches_the_channel(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at, partners=(slack.noor,))
    slack.standin.clear_calls()  # the confirmation was ephemeral in the channel
    forward_to(slack, starts_at + timedelta(hours=1))
    prompt = dms_to(slack, slack.lena)[-1]
    view_id = open_debrief_form(slack, slack.lena, prompt)
    before = len(dms_to(slack, slack.lena))
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values=debrief_values("3", private=True, worries="The salary question"),
    )
    assert not (answer.json or {}).get("errors")
    eventually(lambda: len(dms_to(slack, slack.lena)) == before + 1)
    kept = dms_to(slack, slack.lena)[-1]
    assert "The salary question" in text_of(kept)
    threading.Event().wait(0.3)
    assert channel_posts(slack) == []
    assert all(
        c.args.get("channel") != slack.council
        for c in slack.standin.calls
        if c.method.startswith("chat.")
    )
    with Session(slack.engine) as session:
        debrief = session.exec(select(Debrief)).one()
        assert debrief.private and debrief.channel_id == kept.args["channel"]


def test_the_follow_up_comes_once_when_there_is_no_debrief(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at, nudge="0")  # no nudge: count prompts only
    forward_to(slack, starts_at + timedelta(hours=1))
    assert len(dms_to(slack, slack.lena)) == 1
    forward_to(slack, starts_at + timedelta(hours=24, minutes=59))
    assert len(dms_to(slack, slack.lena)) == 1
    forward_to(slack, starts_at + timedelta(hours=25))
    follow_up = dms_to(slack, slack.lena)
    assert len(follow_up) == 2 and "only reminder" in text_of(follow_up[-1])
    for days in (2, 3, 7):
        forward_to(slack, starts_at + timedelta(days=days))
    assert len(dms_to(slack, slack.lena)) == 2


def test_a_429_on_the_dm_reschedules_and_still_delivers_once(slack: Slack) -> None:
    add_gratitude(slack, slack.lena, ("Ada", ""))
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at)
    slack.standin.fail_next("chat.postMessage", kind="ratelimited", retry_after=20)
    report = forward_to(slack, starts_at - timedelta(hours=1))
    assert report.rate_limited == 1 and report.sent == 0
    assert dms_to(slack, slack.lena) == []
    assert slack.fast_forward(timedelta(seconds=10)).sent == 0
    assert slack.fast_forward(timedelta(seconds=11)).sent == 1
    slack.fast_forward(timedelta(minutes=5))
    nudges = dms_to(slack, slack.lena)
    assert len(nudges) == 1 and "Ada" in text_of(nudges[0])


# --- moving and cancelling ------------------------------------------------------------------------


def test_moving_the_event_moves_its_reminders(slack: Slack) -> None:
    day, at, starts_at = slot(slack, days=2)
    event_id = log_event(slack, day=day, at=at)
    listing = show_list(slack, slack.lena)
    assert "Globex" in text_of(listing)
    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_MOVE,
        value=str(event_id),
        channel=listing["channel"],
        message_ts=listing["ts"],
    )
    opened = slack.standin.wait_for("views.open", count=seen + 1)[-1]
    assert opened.ok, opened.describe()
    assert day in json.dumps(opened.args["view"])  # prefilled with the current date
    new_day, new_at, new_start = slot(slack, days=3, at=time(10, 30))
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=opened.response["view"]["id"],
        values=event_values(day=new_day, at=new_at),
    )
    assert not (answer.json or {}).get("errors"), answer.body
    eventually(
        lambda: (
            reminders_of(slack, event_id)[REMINDER_PROMPT][0].due_at
            != starts_at + timedelta(hours=1)
        )
    )
    moved = slack.standin.wait_for(
        "response_url", predicate=lambda c: "Updated" in str(c.args.get("text"))
    )
    assert format_local(new_start, BERLIN) in text_of(moved)

    # The old times send nothing...
    forward_to(slack, starts_at + timedelta(hours=2))
    assert dms_to(slack, slack.lena) == []
    # ...the new ones do.
    forward_to(slack, new_start - timedelta(hours=1))
    assert len(dms_to(slack, slack.lena)) == 1
    forward_to(slack, new_start + timedelta(hours=1))
    assert len(dms_to(slack, slack.lena)) == 2
    assert "How did your interview" in text_of(dms_to(slack, slack.lena)[-1])


def test_moving_after_the_nudge_was_sent_sends_a_new_one(slack: Slack) -> None:
    add_gratitude(slack, slack.lena, ("Ada", ""))
    day, at, starts_at = slot(slack, days=2)
    event_id = log_event(slack, day=day, at=at)
    forward_to(slack, starts_at - timedelta(minutes=50))
    assert len(dms_to(slack, slack.lena)) == 1  # the nudge
    # Postponed at the last minute, to the next day.
    new_day, new_at, new_start = slot(slack, days=3)
    listing = show_list(slack, slack.lena)
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_MOVE,
        value=str(event_id),
        channel=listing["channel"],
        message_ts=listing["ts"],
    )
    opened = slack.standin.wait_for(
        "views.open", predicate=lambda c: c.args["view"]["callback_id"] == "debrief_event_edit"
    )
    view_id = opened.response["view"]["id"]
    slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=event_values(day=new_day, at=new_at)
    )
    eventually(lambda: len(reminders_of(slack, event_id)[REMINDER_GRATITUDE]) == 2)
    forward_to(slack, starts_at + timedelta(hours=2))
    assert len(dms_to(slack, slack.lena)) == 1  # no prompt for the old time
    forward_to(slack, new_start - timedelta(hours=1))
    assert len(dms_to(slack, slack.lena)) == 2
    assert "Ada" in text_of(dms_to(slack, slack.lena)[-1])


def test_cancelling_the_event_sends_nothing(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    event_id = log_event(slack, day=day, at=at)
    listing = show_list(slack, slack.lena)
    cancel = next(
        e
        for b in listing["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CANCEL
    )
    assert cancel.get("confirm"), "cancelling asks for confirmation first"
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_CANCEL,
        value=str(event_id),
        channel=listing["channel"],
        message_ts=listing["ts"],
    )
    eventually(
        lambda: all(
            r.status == ReminderStatus.CANCELLED
            for rows in reminders_of(slack, event_id).values()
            for r in rows
        )
    )
    eventually(lambda: "Cancelled" in text_of(last_list(slack, slack.lena)))
    for days in (1, 2, 3, 5):
        forward_to(slack, starts_at + timedelta(days=days) - timedelta(days=1))
    assert dms_to(slack, slack.lena) == []
    with Session(slack.engine) as session:
        event = session.get(InterviewEvent, event_id)
        assert event is not None and event.status == "cancelled"


def test_only_the_owner_can_move_or_cancel(slack: Slack) -> None:
    day, at, _ = slot(slack)
    event_id = log_event(slack, day=day, at=at)
    listing = show_list(slack, slack.lena)
    slack.standin.clear_calls()
    # Maya cannot see Lena's ephemeral list; a crafted click from a message of her own:
    slack.driver.command(user=slack.maya, channel=slack.council, command="/debrief", text="list")
    slack.standin.wait_for("response_url")
    assert listing
    dm, _ = slack.workspace.open_im(slack.maya)
    fake = slack.workspace.add_message(
        dm.id,
        text="x",
        as_bot=True,
        blocks=[
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ACTION_CANCEL,
                        "text": {"type": "plain_text", "text": "Cancel"},
                        "value": str(event_id),
                    }
                ],
            }
        ],
    )
    slack.driver.block_action(
        user=slack.maya, action_id=ACTION_CANCEL, channel=dm.id, message_ts=fake.ts
    )
    refusal = slack.standin.wait_for("response_url", count=2)[-1]
    assert "isn't one of yours" in str(refusal.args.get("text"))
    with Session(slack.engine) as session:
        event = session.get(InterviewEvent, event_id)
        assert event is not None and event.status == "scheduled"


# --- posting --------------------------------------------------------------------------------------


def test_channel_mentions_in_a_debrief_are_escaped(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    log_event(
        slack, day=day, at=at, company="<!channel> Corp", with_whom="<!here> and <@U0MAYA0004>"
    )
    forward_to(slack, starts_at + timedelta(hours=1))
    prompt = dms_to(slack, slack.lena)[-1]
    assert "<!channel>" not in mrkdwn_of(prompt)
    view_id = open_debrief_form(slack, slack.lena, prompt)
    slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values=debrief_values(
            "5", went_well="Hey <!channel> <!everyone> look <https://evil.example|here>"
        ),
    )
    posted = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == slack.council
    )
    assert posted.ok, posted.describe()
    sent = mrkdwn_of(posted)
    for dangerous in ("<!channel>", "<!everyone>", "<!here>", "<@U0MAYA0004>", "<https://evil"):
        assert dangerous not in sent
    assert "&lt;!channel&gt;" in sent


def test_a_slack_error_while_posting_keeps_the_debrief_and_tells_the_member(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at)
    forward_to(slack, starts_at + timedelta(hours=1))
    prompt = dms_to(slack, slack.lena)[-1]
    view_id = open_debrief_form(slack, slack.lena, prompt)
    council = slack.workspace.channels[slack.council]
    council.members.discard(slack.workspace.bot_user_id)  # someone removed the bot
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=debrief_values("3", worries="Kept safe")
    )
    assert not (answer.json or {}).get("errors")
    eventually(lambda: any("Try posting again" in text_of(c) for c in dms_to(slack, slack.lena)))
    with Session(slack.engine) as session:
        debrief = session.exec(select(Debrief)).one()
        assert debrief.worries == "Kept safe" and debrief.message_ts is None
    notice = next(c for c in dms_to(slack, slack.lena) if "Try posting again" in text_of(c))
    council.members.add(slack.workspace.bot_user_id)
    press_in_dm(slack, slack.lena, notice, ACTION_REPOST)
    posted = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.ok and c.args["channel"] == slack.council
    )
    assert "Kept safe" in text_of(posted)
    eventually(lambda: _debrief_ts(slack) == posted.response["ts"])


def _debrief_ts(slack: Slack) -> str | None:
    with Session(slack.engine) as session:
        return session.exec(select(Debrief)).one().message_ts


def test_an_empty_debrief_for_the_council_gets_an_inline_error(slack: Slack) -> None:
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at)
    forward_to(slack, starts_at + timedelta(hours=1))
    view_id = open_debrief_form(slack, slack.lena, dms_to(slack, slack.lena)[-1])
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=debrief_values("")
    )
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert {"rating", "went_well"} <= set(answer.json["errors"])
    with Session(slack.engine) as session:
        assert session.exec(select(Debrief)).all() == []


# --- subcommands, Home, the Gratitude House -------------------------------------------------------


@pytest.mark.parametrize("subcommand", ["help", "list"])
def test_help_and_list_work_privately_in_a_dm(slack: Slack, subcommand: str) -> None:
    dm, _ = slack.workspace.open_im(slack.lena)
    slack.driver.command(user=slack.lena, channel=dm.id, command="/debrief", text=subcommand)
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    assert "debrief" in text_of(reply).lower()


def test_an_unknown_subcommand_gets_help(slack: Slack) -> None:
    slack.driver.command(user=slack.lena, channel=slack.council, command="/debrief", text="zap")
    reply = slack.standin.wait_for("response_url")
    assert "zap" in reply.args["text"] and "/debrief list" in text_of(reply)


def test_logging_outside_a_council_channel_explains_where(slack: Slack) -> None:
    slack.driver.command(user=slack.lena, channel=slack.public_channel, command="/debrief")
    reply = slack.standin.wait_for("response_url")
    assert "private channel" in text_of(reply)
    # The form opened first (its trigger lasts 3 s) became the explanation: no Submit.
    slack.settle()
    replaced = slack.standin.calls_to("views.update")[-1].args["view"]
    assert "submit" not in replaced and "private channel" in json.dumps(replaced)


def test_the_gratitude_house_is_edited_privately_in_a_modal(slack: Slack) -> None:
    slack.driver.command(
        user=slack.lena, channel=slack.council, command="/debrief", text="gratitude"
    )
    opened = slack.standin.wait_for("views.open")
    assert opened.ok, opened.describe()
    view_id = opened.response["view"]["id"]
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values={
            "gratitude_name_1": {"gratitude_name_1": payloads.plain("Mr. <!channel> Okafor")},
            "gratitude_note_1": {"gratitude_note_1": payloads.plain("My first manager")},
        },
    )
    assert answer.json is not None and answer.json["response_action"] == "update", answer.body
    updated = json.dumps(answer.json["view"])
    assert "Okafor" in updated and "&lt;!channel&gt;" in updated
    assert "gratitude_name_2" in updated  # a fresh, empty input for the next person
    # A duplicate gets an inline error on the new input.
    again = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values={"gratitude_name_2": {"gratitude_name_2": payloads.plain("mr. <!channel>  okafor")}},
    )
    assert again.json is not None and "gratitude_name_2" in again.json["errors"]
    with Session(slack.engine) as session:
        (person,) = session.exec(select(GratitudePerson)).all()
    slack.driver.block_action(
        user=slack.lena, action_id=ACTION_GRATITUDE_REMOVE, value=str(person.id), view_id=view_id
    )
    removed = slack.standin.wait_for("views.update")
    assert removed.ok, removed.describe()
    assert "Okafor" not in json.dumps(removed.args["view"])
    with Session(slack.engine) as session:
        assert session.exec(select(GratitudePerson)).all() == []
    assert channel_posts(slack) == []
    assert slack.standin.calls_to("chat.postEphemeral") == []


def _open_gratitude_house(slack: Slack) -> str:
    slack.driver.command(
        user=slack.lena, channel=slack.council, command="/debrief", text="gratitude"
    )
    opened = slack.standin.wait_for("views.open")
    assert opened.ok, opened.describe()
    return str(opened.response["view"]["id"])


def test_a_name_typed_into_the_gratitude_house_is_kept_when_done_is_pressed(
    slack: Slack,
) -> None:
    view_id = _open_gratitude_house(slack)
    slack.workspace.set_view_state(
        view_id,
        {
            "gratitude_name_1": {"gratitude_name_1": payloads.plain("Dana <!here>")},
            "gratitude_note_1": {"gratitude_note_1": payloads.plain("Mock interviews")},
        },
    )
    closed = slack.driver.view_closed(user=slack.lena, view_id=view_id)
    assert closed is not None and closed.status == 200  # Slack tells the app about Done
    slack.settle()
    with Session(slack.engine) as session:
        (person,) = session.exec(select(GratitudePerson)).all()
    assert (person.name, person.note) == ("Dana <!here>", "Mock interviews")
    (told,) = dms_to(slack, slack.lena)
    assert "I added" in told.args["text"] and "&lt;!here&gt;" in told.args["text"]
    assert "<!here>" not in mrkdwn_of(told)
    assert channel_posts(slack) == []


def test_done_with_nothing_typed_just_closes_the_gratitude_house(slack: Slack) -> None:
    view_id = _open_gratitude_house(slack)
    slack.driver.view_closed(user=slack.lena, view_id=view_id)
    slack.settle()
    with Session(slack.engine) as session:
        assert session.exec(select(GratitudePerson)).all() == []
    assert dms_to(slack, slack.lena) == []


def test_done_with_a_duplicate_typed_says_it_was_not_kept(slack: Slack) -> None:
    add_gratitude(slack, slack.lena, ("Ada", ""))
    view_id = _open_gratitude_house(slack)
    slack.workspace.set_view_state(
        view_id, {"gratitude_name_1": {"gratitude_name_1": payloads.plain("ada")}}
    )
    slack.driver.view_closed(user=slack.lena, view_id=view_id)
    slack.settle()
    (told,) = dms_to(slack, slack.lena)
    said = told.args["text"]
    assert "couldn't keep" in said and "already in your Gratitude House" in said
    with Session(slack.engine) as session:
        assert len(session.exec(select(GratitudePerson)).all()) == 1


def test_the_gratitude_note_label_says_optional_once(slack: Slack) -> None:
    _open_gratitude_house(slack)
    view = slack.standin.wait_for("views.open").args["view"]
    note = next(b for b in view["blocks"] if b.get("block_id") == "gratitude_note_1")
    assert note["optional"] is True  # Slack shows "(optional)" after the label itself
    assert "optional" not in note["label"]["text"].lower()


def test_home_shows_upcoming_events_and_the_gratitude_house_button(slack: Slack) -> None:
    day, at, _ = slot(slack)
    log_event(slack, day=day, at=at, company="Initech")
    slack.standin.clear_calls()
    slack.driver.app_home_opened(user=slack.lena)
    published = slack.standin.wait_for("views.publish")
    assert published.ok, published.describe()
    home = json.dumps(published.args["view"])
    assert "Initech" in home and ACTION_GRATITUDE in home and ACTION_MOVE in home
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_GRATITUDE,
        view_id=slack.workspace.home_view(slack.lena)["id"],
    )
    opened = slack.standin.wait_for("views.open")
    assert opened.ok and opened.args["view"]["callback_id"] == "debrief_gratitude"
