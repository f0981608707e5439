"""`/backchannel` end to end: signed requests in, the reminder engine on the app's clock,
what Slack received and the database holds out.

Lena (Europe/Berlin in the demo workspace) keeps a checklist about a hiring manager in her
DM with the bot, ticks people off, records their answers, gets one follow-up, and shares a
summary with her council.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.features.backchannel import service
from bot.features.backchannel.rules import REMINDER_FOLLOWUP, PersonInput, followup_time
from bot.features.backchannel.views import (
    ACTION_ADD,
    ACTION_ANSWER,
    ACTION_CLOSE,
    ACTION_MANAGER,
    ACTION_OPEN,
    ACTION_REMOVE,
    ACTION_REOPEN,
    ACTION_SHARE,
    asked_action_id,
)
from bot.platform.mrkdwn import escape
from bot.reminders.engine import Reminder, ReminderStatus
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.councils import Council
from storage.searches import Search
from tests.handlers.conftest import post_draft
from tests.plugins.slack import Slack

BERLIN = "Europe/Berlin"


# --- helpers --------------------------------------------------------------------------------------


def eventually(check: Callable[[], bool], *, timeout: float = 5.0) -> None:
    waited = 0.0
    while not check():
        if waited > timeout:
            raise AssertionError("condition not reached in time")
        threading.Event().wait(0.02)
        waited += 0.02


def mrkdwn_of(message: ApiCall | dict[str, Any]) -> str:
    """Everything Slack parses for mentions: the top-level text and every mrkdwn object."""
    args = message.args if isinstance(message, ApiCall) else message
    found: list[str] = [str(args.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(args.get("blocks"))
    return "\n".join(found)


def text_of(message: ApiCall | dict[str, Any]) -> str:
    args = message.args if isinstance(message, ApiCall) else message
    return json.dumps({"text": args.get("text"), "blocks": args.get("blocks")})


def last_call(slack: Slack, method: str, seen: int) -> ApiCall:
    found = slack.standin.wait_for(method, count=seen + 1)
    call = found[-1] if isinstance(found, list) else found
    assert call.ok, call.describe()
    return call


def count(slack: Slack, method: str) -> int:
    return len(slack.standin.calls_to(method))


def row(slack: Slack, checklist_id: int) -> BackchannelChecklist:
    with Session(slack.engine) as session:
        found = session.get(BackchannelChecklist, checklist_id)
        assert found is not None
        return found


def people(slack: Slack, checklist_id: int) -> list[BackchannelPerson]:
    with Session(slack.engine) as session:
        return list(
            session.exec(
                select(BackchannelPerson)
                .where(BackchannelPerson.checklist_id == checklist_id)
                .order_by(BackchannelPerson.id)  # type: ignore[arg-type]
            ).all()
        )


def checklist_message(slack: Slack, checklist_id: int) -> dict[str, Any]:
    """The checklist as it stands in Lena's DM now."""
    current = row(slack, checklist_id)
    assert current.channel_id and current.message_ts
    return slack.workspace.get_message(current.channel_id, current.message_ts)


def dms_to(slack: Slack, user: str) -> list[ApiCall]:
    """Successful chat.postMessage calls into the bot's DM with `user`."""
    dm = slack.workspace.im_for(user)
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] in ((dm.id if dm else None), user)
    ]


def channel_posts(slack: Slack) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == slack.council
    ]


def start_values(
    company: str | None = None, manager: str | None = None, search_id: int | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "bc_company": {"bc_company": payloads.plain(company)},
        "bc_manager": {"bc_manager": payloads.plain(manager)},
    }
    if search_id is not None:
        values["bc_search"] = {"bc_search": payloads.static_select(str(search_id))}
    return values


def open_start_modal(slack: Slack, user: str, channel: str) -> dict[str, Any]:
    seen = count(slack, "views.open")
    answer = slack.driver.command(user=user, channel=channel, command="/backchannel")
    assert answer.status == 200
    opened = last_call(slack, "views.open", seen)
    assert opened.args["view"]["callback_id"] == "backchannel_start"
    # The form opens first; the channel check after it may update the form (a council).
    slack.settle()
    view_id = opened.response["view"]["id"]
    updates = [c for c in slack.standin.calls_to("views.update") if c.args["view_id"] == view_id]
    return dict(updates[-1].response["view"] if updates else opened.response["view"])


def start(
    slack: Slack,
    *,
    user: str | None = None,
    channel: str | None = None,
    company: str | None = "Acme Robotics",
    manager: str | None = "Dana Reyes",
    search_id: int | None = None,
) -> int:
    """`/backchannel`, the start modal, the checklist in the DM; the checklist id."""
    user = user or slack.lena
    view = open_start_modal(slack, user, channel or slack.council)
    published = count(slack, "views.publish")
    answer = slack.driver.view_submission(
        user=user, view_id=view["id"], values=start_values(company, manager, search_id)
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    settle(slack, published)
    with Session(slack.engine) as session:
        rows = session.exec(
            select(BackchannelChecklist).where(BackchannelChecklist.user_id == user)
        ).all()
    checklist = max(rows, key=lambda r: r.updated_at)
    assert checklist.id is not None and checklist.message_ts
    return checklist.id


def settle(slack: Slack, published: int) -> None:
    """Wait for the Home refresh every change ends with: the app is quiet again."""
    slack.standin.wait_for("views.publish", count=published + 1)


def press(slack: Slack, checklist_id: int, action_id: str, **kwargs: Any) -> None:
    """Lena uses an element of her checklist message."""
    current = row(slack, checklist_id)
    slack.driver.block_action(
        user=current.user_id,
        action_id=action_id,
        channel=current.channel_id,
        message_ts=current.message_ts,
        **kwargs,
    )


def add_person_modal(slack: Slack, checklist_id: int) -> str:
    seen = count(slack, "views.open")
    press(slack, checklist_id, ACTION_ADD)
    opened = last_call(slack, "views.open", seen)
    assert opened.args["view"]["callback_id"] == "backchannel_add_person"
    return str(opened.response["view"]["id"])


def person_values(
    version: int, name: str | None, relation: str | None = None, user: str | None = None
) -> dict[str, Any]:
    return {
        f"bc_name_{version}": {f"bc_name_{version}": payloads.plain(name)},
        f"bc_relation_{version}": {f"bc_relation_{version}": payloads.plain(relation)},
        f"bc_user_{version}": {f"bc_user_{version}": payloads.user(user)},
    }


def add_people(slack: Slack, checklist_id: int, *who: tuple[str, str]) -> list[int]:
    """Add people through one "add someone" modal (it comes back empty after each)."""
    view_id = add_person_modal(slack, checklist_id)
    for version, (name, relation) in enumerate(who, start=1):
        published = count(slack, "views.publish")
        answer = slack.driver.view_submission(
            user=slack.lena, view_id=view_id, values=person_values(version, name, relation)
        )
        settle(slack, published)
        assert answer.json is not None and answer.json.get("response_action") == "update", (
            answer.body
        )
        assert escape(name) in json.dumps(answer.json["view"])  # "Added <name>", escaped
    return [p.id or 0 for p in people(slack, checklist_id)][-len(who) :]


def tick(slack: Slack, checklist_id: int, *person_ids: int) -> None:
    """Tick exactly these people in the first "who have you asked" group."""
    published = count(slack, "views.publish")
    press(
        slack,
        checklist_id,
        asked_action_id(0),
        selected_options=[str(p) for p in person_ids],
    )
    settle(slack, published)


def answer_modal(slack: Slack, checklist_id: int, person_id: int) -> str:
    seen = count(slack, "views.open")
    press(slack, checklist_id, ACTION_ANSWER, value=str(person_id))
    opened = last_call(slack, "views.open", seen)
    assert opened.args["view"]["callback_id"] == "backchannel_answer"
    return str(opened.response["view"]["id"])


def answer_values(status: str = "answered", signal: str | None = None, notes: str | None = None):
    return {
        "bc_status": {"bc_status": payloads.radio(status)},
        "bc_signal": {"bc_signal": payloads.radio(signal)},
        "bc_notes": {"bc_notes": payloads.plain(notes)},
    }


def record(
    slack: Slack, checklist_id: int, person_id: int, signal: str, notes: str = ""
) -> dict[str, Any]:
    view_id = answer_modal(slack, checklist_id, person_id)
    published = count(slack, "views.publish")
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=answer_values("answered", signal, notes or None)
    )
    assert answer.status == 200
    if not (answer.json or {}).get("errors"):
        settle(slack, published)
    return answer.json or {}


def share(
    slack: Slack,
    checklist_id: int,
    *,
    names: bool = False,
    ask: str | None = None,
    user: str | None = None,
) -> tuple[dict[str, Any], ApiCall | None]:
    """`user` (Lena by default) shares the checklist's summary in the council channel."""
    seen = count(slack, "views.open")
    press(slack, checklist_id, ACTION_SHARE)
    opened = last_call(slack, "views.open", seen)
    assert opened.args["view"]["callback_id"] == "backchannel_share"
    with Session(slack.engine) as session:
        council = session.exec(select(Council).where(Council.channel_id == slack.council)).one()
    posts = len(channel_posts(slack))
    updates = count(slack, "views.update")
    answer = slack.driver.view_submission(
        user=user or slack.lena,
        view_id=opened.response["view"]["id"],
        values={
            "bc_council": {"bc_council": payloads.static_select(str(council.id))},
            "bc_include": {"bc_include": payloads.checkboxes(["names"] if names else [])},
            "bc_ask": {"bc_ask": payloads.plain(ask)},
        },
    )
    assert answer.status == 200
    if (answer.json or {}).get("response_action") == "errors":
        return answer.json or {}, None
    # "Sharing…" at once, then the outcome through views.update (after Slack answered).
    assert answer.json is not None and "Posting your summary" in json.dumps(answer.json["view"])
    outcome = last_call(slack, "views.update", updates)
    posted = channel_posts(slack)
    return {"view": outcome.args["view"]}, posted[-1] if len(posted) > posts else None


def forward_to(slack: Slack, when: datetime) -> Any:
    return slack.fast_forward(max(when - slack.clock.now, timedelta(0)))


def followups(slack: Slack, person_id: int) -> list[Reminder]:
    with Session(slack.engine) as session:
        return list(
            session.exec(
                select(Reminder).where(Reminder.subject == f"backchannel_person:{person_id}")
            ).all()
        )


def followup_dms(slack: Slack) -> list[ApiCall]:
    return [c for c in dms_to(slack, slack.lena) if "Heard back from" in str(c.args["text"])]


# --- starting and opening -------------------------------------------------------------------------


def _dm_note(slack: Slack) -> str:
    (note,) = [c for c in slack.standin.calls_to("response_url") if "in our DM" in text_of(c)]
    return str(note.args["text"])


def test_the_started_note_links_to_the_checklist_in_the_dm(slack: Slack) -> None:
    start(slack)
    slack.settle()
    (posted,) = dms_to(slack, slack.lena)
    (asked,) = [
        c
        for c in slack.standin.calls_to("chat.getPermalink")
        if c.args["message_ts"] == (posted.response["ts"])
    ]
    assert f"<{asked.response['permalink']}|in our DM>" in _dm_note(slack)


def test_without_a_permalink_the_started_note_links_to_the_dm_itself(slack: Slack) -> None:
    slack.standin.fail_next("chat.getPermalink", kind="server_error", times=5)
    start(slack)
    slack.settle()
    link = f"slack://app?team={slack.workspace.team_id}&amp;id={slack.workspace.app_id}"
    assert f"<{link}&amp;tab=messages|in our DM>" in _dm_note(slack)


def test_a_checklist_starts_from_the_council_channel_and_lives_in_the_dm(slack: Slack) -> None:
    checklist_id = start(slack, company="Acme Robotics", manager="Dana Reyes")
    (posted,) = dms_to(slack, slack.lena)
    assert posted.args["channel"] == slack.lena  # chat.postMessage to the user id
    dm = slack.workspace.im_for(slack.lena)
    assert dm is not None and posted.response["channel"] == dm.id
    sent = text_of(posted)
    assert "Acme Robotics" in sent and "Dana Reyes" in sent and "No one yet" in sent
    assert "work with this person again" in sent  # the prompts, right there
    current = row(slack, checklist_id)
    assert current.channel_id == dm.id and current.message_ts == posted.response["ts"]
    assert current.manager_name == "Dana Reyes" and current.council_id is not None
    with Session(slack.engine) as session:
        search = session.get(Search, current.search_id)
        assert search is not None and search.company == "Acme Robotics"  # a new search
    # A private pointer where the command was typed; nothing in the channel itself.
    note = slack.standin.wait_for("response_url")
    assert "in our DM" in text_of(note) and note.args.get("response_type") == "ephemeral"
    assert channel_posts(slack) == []


def test_the_modal_offers_the_members_searches_and_reopens_the_same_checklist(
    slack: Slack,
) -> None:
    post_draft(slack, author=slack.lena, channel=slack.council)
    with Session(slack.engine) as session:
        search = session.exec(select(Search).where(Search.user_id == slack.lena)).one()
    view = open_start_modal(slack, slack.lena, slack.council)
    assert "Acme Robotics" in json.dumps(view["blocks"])
    published = count(slack, "views.publish")
    slack.driver.view_submission(
        user=slack.lena, view_id=view["id"], values=start_values(None, None, search.id)
    )
    settle(slack, published)
    first = row(slack, _only_checklist(slack))
    assert first.search_id == search.id
    # Opening it again from our DM posts a fresh copy and points the old one to it.
    dm = slack.workspace.im_for(slack.lena)
    assert dm is not None
    again = start(slack, channel=dm.id, company=None, manager=None, search_id=search.id)
    assert again == first.id
    second = row(slack, again)
    assert second.message_ts != first.message_ts
    old = slack.workspace.get_message(dm.id, first.message_ts or "")
    assert "moved to a newer message" in text_of(old)
    with Session(slack.engine) as session:
        assert len(session.exec(select(Search)).all()) == 1


def _only_checklist(slack: Slack) -> int:
    with Session(slack.engine) as session:
        (only,) = session.exec(select(BackchannelChecklist)).all()
        assert only.id is not None
        return only.id


# --- people, asking, answering --------------------------------------------------------------------


def test_adding_people_ticking_and_answering(slack: Slack) -> None:
    checklist_id = start(slack)
    sam, ines = add_people(
        slack,
        checklist_id,
        ("Sam Okafor", "reported to Dana at Initech"),
        ("Ines Alvarez", "peer on the platform team"),
    )
    shown = checklist_message(slack, checklist_id)
    assert "Sam Okafor" in text_of(shown) and "peer on the platform team" in text_of(shown)
    assert [p.status for p in people(slack, checklist_id)] == ["to_ask", "to_ask"]

    tick(slack, checklist_id, sam)
    eventually(lambda: people(slack, checklist_id)[0].status == "asked")
    (pending,) = followups(slack, sam)
    assert pending.status == ReminderStatus.PENDING and pending.kind == REMINDER_FOLLOWUP
    assert pending.due_at == followup_time(slack.clock.now, tz=BERLIN)
    ticked = checklist_message(slack, checklist_id)
    assert "waiting to hear back" in text_of(ticked)

    answer = record(slack, checklist_id, sam, "would_work_again", "Shields the team from chaos")
    assert not answer.get("errors"), answer
    sam_row = people(slack, checklist_id)[0]
    assert (sam_row.status, sam_row.signal) == ("answered", "would_work_again")
    assert sam_row.notes == "Shields the team from chaos" and sam_row.answered_at is not None
    assert [r.status for r in followups(slack, sam)] == [ReminderStatus.CANCELLED]
    answered = text_of(checklist_message(slack, checklist_id))
    assert "Would work with them again" in answered and "Shields the team" in answered
    assert "1 answered" in answered
    assert ines  # still to ask
    assert channel_posts(slack) == []  # all of it private


def test_the_follow_up_comes_once_three_days_later(slack: Slack) -> None:
    checklist_id = start(slack)
    (sam,) = add_people(slack, checklist_id, ("Sam Okafor", "reported to Dana"))
    tick(slack, checklist_id, sam)
    eventually(lambda: len(followups(slack, sam)) == 1)
    due = followups(slack, sam)[0].due_at
    local = due.astimezone(ZoneInfo(BERLIN))
    assert (local.hour, local.minute) == (10, 0)
    assert timedelta(days=2) < due - slack.clock.now < timedelta(days=4)

    forward_to(slack, due - timedelta(minutes=1))
    assert followup_dms(slack) == []
    report = forward_to(slack, due)
    assert report.sent == 1
    (followup,) = followup_dms(slack)
    assert "Sam Okafor" in text_of(followup) and "Acme Robotics" in text_of(followup)
    for days in (1, 3, 7):
        forward_to(slack, due + timedelta(days=days))
    assert len(followup_dms(slack)) == 1
    assert [r.status for r in followups(slack, sam)] == [ReminderStatus.SENT]

    # Answering from the follow-up itself: the modal opens, and the DM says thanks.
    seen = count(slack, "views.open")
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_ANSWER,
        channel=followup.response["channel"],
        message_ts=followup.response["ts"],
    )
    opened = last_call(slack, "views.open", seen)
    slack.driver.view_submission(
        user=slack.lena,
        view_id=opened.response["view"]["id"],
        values=answer_values("answered", "mixed", None),
    )
    thanked = slack.standin.wait_for(
        "chat.update", predicate=lambda c: c.args["ts"] == followup.response["ts"]
    )
    assert "Noted" in text_of(thanked)
    assert people(slack, checklist_id)[0].signal == "mixed"


def test_no_follow_up_once_they_answered(slack: Slack) -> None:
    checklist_id = start(slack)
    (sam,) = add_people(slack, checklist_id, ("Sam Okafor", ""))
    tick(slack, checklist_id, sam)
    eventually(lambda: len(followups(slack, sam)) == 1)
    due = followups(slack, sam)[0].due_at
    forward_to(slack, due - timedelta(days=1))
    record(slack, checklist_id, sam, "would_not", "Micromanages")
    forward_to(slack, due + timedelta(days=2))
    assert followup_dms(slack) == []
    assert [r.status for r in followups(slack, sam)] == [ReminderStatus.CANCELLED]


def test_unticking_calls_the_follow_up_off(slack: Slack) -> None:
    checklist_id = start(slack)
    sam, ines = add_people(slack, checklist_id, ("Sam", ""), ("Ines", ""))
    tick(slack, checklist_id, sam, ines)
    eventually(lambda: [p.status for p in people(slack, checklist_id)] == ["asked", "asked"])
    tick(slack, checklist_id, ines)  # Sam unticked
    eventually(lambda: people(slack, checklist_id)[0].status == "to_ask")
    assert [r.status for r in followups(slack, sam)] == [ReminderStatus.CANCELLED]
    forward_to(slack, followups(slack, ines)[0].due_at)
    (only,) = followup_dms(slack)
    assert "Ines" in text_of(only)


def test_removing_someone_asks_for_confirmation_first(slack: Slack) -> None:
    checklist_id = start(slack)
    (sam,) = add_people(slack, checklist_id, ("Sam Okafor", ""))
    tick(slack, checklist_id, sam)
    view_id = answer_modal(slack, checklist_id, sam)
    modal = slack.workspace.get_view(view_id)
    remove = next(
        e
        for b in modal["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_REMOVE
    )
    assert remove.get("confirm"), "removing asks for confirmation first"
    updates = count(slack, "chat.update")
    modal_updates = count(slack, "views.update")
    slack.driver.block_action(user=slack.lena, action_id=ACTION_REMOVE, view_id=view_id)
    removed = last_call(slack, "views.update", modal_updates)
    assert removed.ok and "off your checklist" in json.dumps(removed.args["view"])
    slack.standin.wait_for("chat.update", count=updates + 1)
    assert people(slack, checklist_id) == []
    assert "Sam Okafor" not in text_of(checklist_message(slack, checklist_id))
    assert [r.status for r in followups(slack, sam)] == [ReminderStatus.CANCELLED]


def test_the_managers_name_can_be_changed(slack: Slack) -> None:
    checklist_id = start(slack, manager=None)
    assert "not noted yet" in text_of(checklist_message(slack, checklist_id))
    seen = count(slack, "views.open")
    press(slack, checklist_id, ACTION_MANAGER)
    opened = last_call(slack, "views.open", seen)
    view_id = opened.response["view"]["id"]
    too_long = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values={"bc_manager": {"bc_manager": payloads.plain("x" * 81)}},
    )
    assert too_long.json is not None and "bc_manager" in too_long.json["errors"]
    published = count(slack, "views.publish")
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values={"bc_manager": {"bc_manager": payloads.plain("Dana Reyes")}},
    )
    assert not (answer.json or {}).get("errors")
    settle(slack, published)
    assert row(slack, checklist_id).manager_name == "Dana Reyes"
    assert "Dana Reyes" in text_of(checklist_message(slack, checklist_id))


def test_closing_and_reopening(slack: Slack) -> None:
    checklist_id = start(slack)
    (sam,) = add_people(slack, checklist_id, ("Sam", ""))
    tick(slack, checklist_id, sam)
    updates = count(slack, "chat.update")
    press(slack, checklist_id, ACTION_CLOSE)
    slack.standin.wait_for("chat.update", count=updates + 1)
    assert row(slack, checklist_id).status == "closed"
    assert "Closed" in text_of(checklist_message(slack, checklist_id))
    assert [r.status for r in followups(slack, sam)] == [ReminderStatus.CANCELLED]
    listing = _list(slack)
    assert "None open" in text_of(listing)
    press(slack, checklist_id, ACTION_REOPEN)
    eventually(lambda: row(slack, checklist_id).status == "open")
    eventually(lambda: "Add someone to ask" in text_of(checklist_message(slack, checklist_id)))


# --- sharing --------------------------------------------------------------------------------------

PRIVATE_WORDS = (
    "Priya",
    "Natarajan",
    "Tom Becker",
    "Ines",
    "Dana Reyes",
    "reported to Dana",
    "peer at Initech",
    "roadmaps",
    "Burned out",
    "U0NOOR0001",
)


def answered_checklist(slack: Slack) -> int:
    checklist_id = start(slack, manager="Dana Reyes")
    view_id = add_person_modal(slack, checklist_id)
    for version, (name, relation, user) in enumerate(
        [
            ("Priya Natarajan", "reported to Dana", slack.noor),  # in this Slack, and the council
            ("Tom Becker", "peer at Initech", None),
            ("Ines Alvarez", "", None),
        ],
        start=1,
    ):
        published = count(slack, "views.publish")
        slack.driver.view_submission(
            user=slack.lena, view_id=view_id, values=person_values(version, name, relation, user)
        )
        settle(slack, published)
    priya, tom, ines = (p.id or 0 for p in people(slack, checklist_id))
    tick(slack, checklist_id, priya, tom, ines)
    record(slack, checklist_id, priya, "would_work_again", "Loves roadmaps, hates surprises")
    record(slack, checklist_id, tom, "would_not", "Burned out two leads")
    return checklist_id


def test_a_shared_summary_leaks_no_names_or_notes(slack: Slack) -> None:
    checklist_id = answered_checklist(slack)
    # In her own DM, Priya is a mention Lena can click; that is the only place.
    assert "<@U0NOOR0001>" in mrkdwn_of(checklist_message(slack, checklist_id))
    answer, posted = share(slack, checklist_id)
    assert "counts only" in json.dumps(answer["view"])
    assert posted is not None and posted.ok, posted and posted.describe()
    message = slack.workspace.get_message(slack.council, posted.response["ts"])
    sent = text_of(posted) + text_of(message)
    for word in PRIVATE_WORDS:
        assert word not in sent, word
    assert "Acme Robotics" in sent and "3 asked" in sent and "2 answered" in sent
    assert "Would work with them again: *1*" in sent
    assert "Would not work with them again: *1*" in sent
    assert "<@U0LENA0002>" in mrkdwn_of(posted)  # who shared it


def test_a_summary_with_names_when_chosen_still_without_notes(slack: Slack) -> None:
    checklist_id = answered_checklist(slack)
    answer, posted = share(slack, checklist_id, names=True, ask="Is one 'would not' a red flag?")
    assert posted is not None and not answer.get("errors")
    sent = text_of(posted)
    for word in ("Priya Natarajan", "Tom Becker", "Ines Alvarez", "Dana Reyes", "peer at Initech"):
        assert word in sent, word
    for word in ("roadmaps", "Burned out", "<@U0NOOR0001>", "U0NOOR0001"):
        assert word not in sent, word  # notes never; nobody on the list is pinged
    assert "red flag" in sent


def test_sharing_when_slack_refuses_keeps_everything_and_says_so(slack: Slack) -> None:
    checklist_id = answered_checklist(slack)
    slack.workspace.channels[slack.council].is_archived = True
    answer, posted = share(slack, checklist_id, names=True, ask="Keep this question")
    assert posted is None
    # The form comes back with what went wrong, and the member's choices kept.
    back = answer["view"]
    assert back["callback_id"] == "backchannel_share" and back["submit"]
    flat = json.dumps(back)
    assert "is_archived" in flat and "Nothing was shared" in flat
    assert "Keep this question" in flat and '"initial_options"' in flat
    assert len(people(slack, checklist_id)) == 3
    # Once Slack takes it again, sharing works.
    slack.workspace.channels[slack.council].is_archived = False
    _, posted = share(slack, checklist_id)
    assert posted is not None


def test_sharing_an_empty_checklist_or_without_a_council_explains(slack: Slack) -> None:
    dm, _ = slack.workspace.open_im(slack.lena)
    checklist_id = start(slack, channel=dm.id)  # no council known yet
    press(slack, checklist_id, ACTION_SHARE)
    nothing = slack.standin.wait_for("response_url")
    assert "nothing to share yet" in text_of(nothing)
    add_people(slack, checklist_id, ("Sam", ""))
    # The workspace's only council is offered (Lena is in it) once the bot knows of it.
    press(slack, checklist_id, ACTION_SHARE)
    no_council = slack.standin.wait_for("response_url", count=2)[-1]
    assert "council's channel" in text_of(no_council)
    opened = count(slack, "views.open")
    slack.driver.command(user=slack.noor, channel=slack.council, command="/backchannel", text="")
    last_call(slack, "views.open", opened)  # Noor's start modal, opened first
    slack.settle()  # then the channel check: the council is known now
    assert _council_known(slack)
    answer, posted = share(slack, checklist_id)
    assert posted is not None and not answer.get("errors")


def _council_known(slack: Slack) -> bool:
    with Session(slack.engine) as session:
        return (
            session.exec(select(Council).where(Council.channel_id == slack.council)).first()
            is not None
        )


# --- bad input ------------------------------------------------------------------------------------


def test_empty_and_oversized_inputs_get_inline_errors(slack: Slack) -> None:
    view = open_start_modal(slack, slack.lena, slack.council)
    empty = slack.driver.view_submission(
        user=slack.lena, view_id=view["id"], values=start_values(None, None)
    )
    assert empty.json is not None and "bc_company" in empty.json["errors"]
    long = slack.driver.view_submission(
        user=slack.lena, view_id=view["id"], values=start_values("c" * 101, "m" * 81)
    )
    assert long.json is not None and set(long.json["errors"]) == {"bc_company", "bc_manager"}
    checklist_id = start(slack)

    view_id = add_person_modal(slack, checklist_id)
    for values, field in (
        (person_values(1, None), "bc_name_1"),
        (person_values(1, "   "), "bc_name_1"),
        (person_values(1, "n" * 81), "bc_name_1"),
        (person_values(1, "Sam", "r" * 151), "bc_relation_1"),
        (person_values(1, "Sam", None, slack.lena), "bc_user_1"),
    ):
        answer = slack.driver.view_submission(user=slack.lena, view_id=view_id, values=values)
        assert answer.json is not None and answer.json["response_action"] == "errors"
        assert field in answer.json["errors"], (values, answer.json)
    assert people(slack, checklist_id) == []
    published = count(slack, "views.publish")
    slack.driver.view_submission(user=slack.lena, view_id=view_id, values=person_values(1, "Sam"))
    settle(slack, published)
    duplicate = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=person_values(2, " sam ")
    )
    assert duplicate.json is not None and "already" in duplicate.json["errors"]["bc_name_2"]

    (sam,) = (p.id or 0 for p in people(slack, checklist_id))
    answer_view = answer_modal(slack, checklist_id, sam)
    too_much = slack.driver.view_submission(
        user=slack.lena, view_id=answer_view, values=answer_values("answered", "mixed", "n" * 1001)
    )
    assert too_much.json is not None and "1,000" in too_much.json["errors"]["bc_notes"]
    contradiction = slack.driver.view_submission(
        user=slack.lena, view_id=answer_view, values=answer_values("to_ask", "would_not")
    )
    assert contradiction.json is not None and "bc_status" in contradiction.json["errors"]
    assert people(slack, checklist_id)[0].status == "to_ask"


def test_the_26th_person_gets_an_inline_error(slack: Slack) -> None:
    checklist_id = start(slack)
    for i in range(24):
        service.add_person(
            slack.engine,
            checklist_id=checklist_id,
            team_id=slack.workspace.team_id,
            user_id=slack.lena,
            data=PersonInput(name=f"Person {i}", relation="", slack_user_id=None),
            now=slack.clock.now,
        )
    view_id = add_person_modal(slack, checklist_id)
    published = count(slack, "views.publish")
    twenty_fifth = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=person_values(1, "Number 25")
    )
    settle(slack, published)
    assert twenty_fifth.json is not None and twenty_fifth.json["response_action"] == "update"
    assert "room for 0 more" in json.dumps(twenty_fifth.json["view"])
    twenty_sixth = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=person_values(2, "Number 26")
    )
    assert twenty_sixth.json is not None and twenty_sixth.json["response_action"] == "errors"
    assert "25" in twenty_sixth.json["errors"]["bc_name_2"]
    assert len(people(slack, checklist_id)) == 25
    shown = checklist_message(slack, checklist_id)
    assert len(shown["blocks"]) <= 50 and "Number 25" in text_of(shown)


def test_channel_mentions_are_escaped(slack: Slack) -> None:
    checklist_id = start(slack, company="<!channel> Corp", manager="<!here> the boss")
    (sam,) = add_people(slack, checklist_id, ("<!everyone> Sam", "<@U0MAYA0004> knows"))
    tick(slack, checklist_id, sam)
    record(slack, checklist_id, sam, "mixed", "<https://evil.example|click> <!channel>")
    dangerous = ("<!channel>", "<!here>", "<!everyone>", "<@U0MAYA0004>", "<https://evil")
    shown = mrkdwn_of(checklist_message(slack, checklist_id))
    for word in dangerous:
        assert word not in shown
    assert "&lt;!channel&gt;" in shown
    _, posted = share(slack, checklist_id, names=True, ask="<!channel> thoughts?")
    assert posted is not None
    sent = mrkdwn_of(posted)
    for word in dangerous:
        assert word not in sent, word
    for call in dms_to(slack, slack.lena) + slack.standin.calls_to("chat.update"):
        for word in dangerous:
            assert word not in mrkdwn_of(call)


def test_a_deleted_checklist_message_is_posted_again(slack: Slack) -> None:
    checklist_id = start(slack)
    view_id = add_person_modal(slack, checklist_id)
    old = row(slack, checklist_id)
    slack.workspace.delete_message(old.channel_id or "", old.message_ts or "")  # by the member
    published = count(slack, "views.publish")
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=person_values(1, "Sam")
    )
    assert not (answer.json or {}).get("errors")
    settle(slack, published)
    new = row(slack, checklist_id)
    assert new.message_ts != old.message_ts
    assert "Sam" in text_of(checklist_message(slack, checklist_id))


def test_open_from_the_list_brings_the_checklist_back_to_the_bottom_of_the_dm(
    slack: Slack,
) -> None:
    checklist_id = start(slack)
    old = row(slack, checklist_id)
    listing = _list(slack)
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_OPEN,
        channel=listing["channel"],
        message_ts=listing["ts"],
    )
    eventually(lambda: row(slack, checklist_id).message_ts != old.message_ts)
    pointer = slack.standin.wait_for(
        "response_url", predicate=lambda c: "in our DM" in text_of(c), count=2
    )
    assert pointer
    moved = slack.workspace.get_message(old.channel_id or "", old.message_ts or "")
    assert "moved to a newer message" in text_of(moved)


def test_only_the_owner_can_touch_a_checklist(slack: Slack) -> None:
    checklist_id = start(slack)
    (sam,) = add_people(slack, checklist_id, ("Sam", ""))
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
                        "action_id": ACTION_ANSWER,
                        "text": {"type": "plain_text", "text": "Answer"},
                        "value": str(sam),
                    },
                    {
                        "type": "button",
                        "action_id": ACTION_SHARE,
                        "text": {"type": "plain_text", "text": "Share"},
                        "value": str(checklist_id),
                    },
                ],
            }
        ],
    )
    for action in (ACTION_ANSWER, ACTION_SHARE):
        slack.driver.block_action(
            user=slack.maya, action_id=action, channel=dm.id, message_ts=fake.ts
        )
    refusals = slack.standin.wait_for("response_url", count=3)  # 1: Lena's "in our DM"
    assert sum("isn't one of yours" in text_of(r) for r in refusals) == 2
    assert all(
        c.args["view"]["callback_id"] != "backchannel_answer"
        for c in slack.standin.calls_to("views.open")
    )


# --- subcommands and Home -------------------------------------------------------------------------


def _list(slack: Slack) -> dict[str, Any]:
    seen = count(slack, "response_url")
    slack.driver.command(
        user=slack.lena, channel=slack.council, command="/backchannel", text="list"
    )
    slack.standin.wait_for("response_url", count=seen + 1)
    listing = [
        e
        for e in slack.workspace.ephemerals_for(slack.lena)
        if "open back-channel checklists" in text_of(e)
    ]
    assert listing
    return listing[-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", "/backchannel list"),
        ("list", "None open"),
        ("prompts", "outstanding"),
        ("zap", "zap"),
    ],
)
def test_subcommands_work_privately_in_a_dm(slack: Slack, text: str, expected: str) -> None:
    dm, _ = slack.workspace.open_im(slack.lena)
    slack.driver.command(user=slack.lena, channel=dm.id, command="/backchannel", text=text)
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    assert expected in text_of(reply)
    if text == "help":
        assert "work with this person again" in text_of(reply)  # the prompts
        assert "outstanding" in text_of(reply)  # the tip about your own references
    if text == "zap":  # one line naming the subcommands, not the whole guide
        assert "`/backchannel prompts`" in text_of(reply) and "`/backchannel help`" in (
            text_of(reply)
        )
        assert "work with this person again" not in text_of(reply)
    assert slack.standin.calls_to("views.open") == []


def test_list_and_home_show_open_checklists(slack: Slack) -> None:
    checklist_id = start(slack, company="Globex", manager="Hank Scorpio")
    add_people(slack, checklist_id, ("Sam", ""))
    listing = _list(slack)
    assert "Globex" in text_of(listing) and "Hank Scorpio" in text_of(listing)
    assert ACTION_OPEN in text_of(listing)
    slack.standin.clear_calls()
    slack.driver.app_home_opened(user=slack.lena)
    published = slack.standin.wait_for("views.publish")
    assert published.ok, published.describe()
    home = json.dumps(published.args["view"])
    assert "Back-channel checklists" in home and "Globex" in home and ACTION_OPEN in home
    assert "Sam" not in home  # no names on Home, just the counts
    before = row(slack, checklist_id).message_ts
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_OPEN,
        view_id=slack.workspace.home_view(slack.lena)["id"],
    )
    eventually(lambda: row(slack, checklist_id).message_ts != before)
    assert "Globex" in text_of(checklist_message(slack, checklist_id))


def test_when_slack_refuses_the_dm_the_checklist_is_kept_and_the_member_told(
    slack: Slack,
) -> None:
    view = open_start_modal(slack, slack.lena, slack.council)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)  # past retries
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view["id"], values=start_values("Acme Robotics", "Dana Reyes")
    )
    assert not (answer.json or {}).get("errors"), answer.body
    told = slack.standin.wait_for("response_url")  # privately, where the command was typed
    assert "saved" in text_of(told) and told.args.get("response_type") == "ephemeral"
    checklist_id = _only_checklist(slack)
    kept = row(slack, checklist_id)
    assert kept.manager_name == "Dana Reyes" and kept.message_ts is None
    # Opening it again later sends it.
    start(slack, company="Acme Robotics", manager=None)
    assert row(slack, checklist_id).message_ts is not None
    assert len(dms_to(slack, slack.lena)) == 1


def test_a_refresh_slack_refuses_is_saved_and_said(slack: Slack) -> None:
    checklist_id = start(slack)
    view_id = add_person_modal(slack, checklist_id)
    slack.standin.fail_next("chat.update", kind="server_error", times=3)
    published = count(slack, "views.publish")
    modal_updates = count(slack, "views.update")
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=person_values(1, "Sam Okafor")
    )
    assert answer.json is not None and answer.json["response_action"] == "update"
    said = last_call(slack, "views.update", modal_updates)  # into the modal, still open
    assert said.ok and "saved, but I couldn't refresh" in json.dumps(said.args["view"])
    settle(slack, published)
    assert [p.name for p in people(slack, checklist_id)] == ["Sam Okafor"]
    published = count(slack, "views.publish")
    slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=person_values(2, "Ines Alvarez")
    )
    settle(slack, published)
    caught_up = text_of(checklist_message(slack, checklist_id))
    assert "Sam Okafor" in caught_up and "Ines Alvarez" in caught_up
