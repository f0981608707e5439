"""The council's rhythm end to end (`/council setup`, check-ins, the agenda, pause, landed):
signed requests in; the reminder engine on the app's clock; what Slack received and the
database holds out, on SQLite and PostgreSQL.

Lena (Europe/Berlin) sets the council up to meet at 18:00 her time. Noor is in New York,
Arjun in Kolkata (24 h before is 22:30 there: his check-in waits for 08:00), Maya in Los
Angeles (3 h before is 06:00 there: her nudge waits for 08:00).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.features.council.ritual_rules import (
    REMINDER_AGENDA,
    REMINDER_CHECKIN,
    REMINDER_NUDGE,
    REMINDER_ROSTER,
)
from bot.features.council.ritual_views import ACTION_CHECKIN
from bot.platform.timezones import to_utc
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.councils import get_council
from storage.debriefs import Debrief, InterviewEvent
from storage.fit import FitStatement, FitTwoPager
from storage.negotiation import NegotiationCompensation, NegotiationPlan
from storage.reminders import Reminder, ReminderStatus
from storage.rituals import CouncilCheckin, CouncilMeeting, CouncilRitual
from storage.searches import Search
from storage.tour import TourConversation, TourShare
from storage.types import require_id
from tests.handlers.conftest import post_draft
from tests.plugins.intruder import answers, assert_nothing_shown, intruder, quiet, rows, sent
from tests.plugins.slack import Slack, mrkdwn_of, running_slack, text_of

BERLIN = ZoneInfo("Europe/Berlin")
AT = time(18, 0)


# --- helpers --------------------------------------------------------------------------------------


def first_day(slack: Slack, days: int = 3) -> date:
    return slack.clock.now.astimezone(BERLIN).date() + timedelta(days=days)


def setup_values(
    *,
    day: date,
    at: str = "18:00",
    rhythm: str = "fast",
    weekdays: tuple[str, ...] = (),
    length: str = "60",
    moderator: str | None = None,
    link: str | None = "https://meet.example.org/council",
    name: str = "Thursday <!channel> council",
    lead: str | None = None,
) -> dict[str, Any]:
    lead_field = {"ritual_checkin_lead": {"ritual_checkin_lead": payloads.static_select(lead)}}
    return (lead_field if lead is not None else {}) | {
        "ritual_name": {"ritual_name": payloads.plain(name)},
        "ritual_rhythm": {"ritual_rhythm": payloads.static_select(rhythm)},
        "ritual_weekdays": {"ritual_weekdays": payloads.checkboxes(list(weekdays))},
        "ritual_interval": {"ritual_interval": payloads.static_select("1")},
        "ritual_date": {"ritual_date": payloads.datepicker(day.isoformat())},
        "ritual_time": {"ritual_time": payloads.timepicker(at)},
        "ritual_length": {"ritual_length": payloads.number(length)},
        "ritual_moderator": {"ritual_moderator": payloads.user(moderator)},
        "ritual_link": {"ritual_link": payloads.plain(link)},
    }


def open_setup(slack: Slack, user: str, channel: str | None = None) -> dict[str, Any]:
    """`/council setup` and the modal as it stands after the channel check."""
    seen = len(slack.standin.calls_to("views.open"))
    answer = slack.driver.command(
        user=user, channel=channel or slack.council, command="/council", text="setup"
    )
    assert answer.status == 200
    found = slack.standin.wait_for("views.open", count=seen + 1)
    opened = found[-1] if isinstance(found, list) else found
    assert opened.ok, opened.describe()
    slack.settle()
    view_id = opened.response["view"]["id"]
    updates = [c for c in slack.standin.calls_to("views.update") if c.args["view_id"] == view_id]
    return dict(updates[-1].response["view"] if updates else opened.response["view"])


def submit_setup(slack: Slack, user: str, values: dict[str, Any]) -> dict[str, Any]:
    view = open_setup(slack, user)
    answer = slack.driver.view_submission(user=user, view_id=view["id"], values=values)
    assert answer.status == 200
    slack.settle()
    return answer.json or {}


def set_up(slack: Slack, **overrides: Any) -> datetime:
    """Lena sets the council up (fast, 18:00 Berlin, 60 min); the first meeting's start."""
    day = overrides.pop("day", first_day(slack))
    answer = submit_setup(
        slack, slack.lena, setup_values(day=day, moderator=slack.lena, **overrides)
    )
    assert not answer.get("errors"), answer
    return to_utc(day, AT, "Europe/Berlin")


def ephemerals_to(slack: Slack, user: str) -> list[str]:
    """What the bot told `user` privately (ephemerals to them, and the answers through
    response_urls, which are the command's caller's), in order."""
    return [
        text_of(c)
        for c in slack.standin.calls
        if (c.method == "chat.postEphemeral" and c.args.get("user") == user)
        or c.method == "response_url"
    ]


def dms_to(slack: Slack, user: str) -> list[ApiCall]:
    dm = slack.workspace.im_for(user)
    if dm is None:
        return []
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] in (dm.id, user)
    ]


def channel_posts(slack: Slack) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == slack.council
    ]


def forward_to(slack: Slack, when: datetime) -> None:
    slack.fast_forward(max(when - slack.clock.now, timedelta(0)))
    slack.fast_forward(timedelta(0))  # what the first pass scheduled for now


def reminders_of(slack: Slack, kind: str) -> dict[str, Reminder]:
    with Session(slack.engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.kind == kind)).all()
    return {r.user_id: r for r in rows}


def meetings(slack: Slack) -> list[CouncilMeeting]:
    with Session(slack.engine) as session:
        return list(
            session.exec(select(CouncilMeeting).order_by(CouncilMeeting.starts_at)).all()  # type: ignore[arg-type]
        )


def check_in(slack: Slack, user: str, **answers: str) -> dict[str, Any]:
    """`user` clicks Check in on their DM and sends the modal."""
    dm = dms_to(slack, user)[-1]
    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=user,
        action_id=ACTION_CHECKIN,
        channel=dm.response["channel"],
        message_ts=dm.response["ts"],
    )
    found = slack.standin.wait_for("views.open", count=seen + 1)
    opened = found[-1] if isinstance(found, list) else found
    assert opened.ok, opened.describe()
    slack.settle()
    values = {
        field: {field: payloads.plain(answers.get(field))}
        for field in ("checkin_where", "checkin_needs", "checkin_win")
    }
    answer = slack.driver.view_submission(
        user=user, view_id=opened.response["view"]["id"], values=values
    )
    slack.settle()
    return answer.json or {}


# --- setup ----------------------------------------------------------------------------------------


def test_setup_stores_the_rhythm_and_plans_the_first_meeting(slack: Slack) -> None:
    start = set_up(slack)
    with Session(slack.engine) as session:
        ritual = session.exec(select(CouncilRitual)).one()
    assert ritual.moderator_id == slack.lena and ritual.tz == "Europe/Berlin"
    assert ritual.rhythm == "fast" and ritual.length_minutes == 60
    assert [m.starts_at for m in meetings(slack)] == [start]
    # Addressed to the channel: the moderator's erase does not stop the council's rhythm.
    roster, agenda = reminders_of(slack, REMINDER_ROSTER), reminders_of(slack, REMINDER_AGENDA)
    assert roster[slack.council].due_at == start - timedelta(hours=26)
    assert agenda[slack.council].due_at == start - timedelta(minutes=10)
    said = " ".join(ephemerals_to(slack, slack.lena))
    assert "is set up" in said and "&lt;!channel&gt;" in said and "<!channel>" not in said


def test_council_shows_the_rhythm_and_next_meeting_in_the_callers_own_zone(slack: Slack) -> None:
    start = set_up(slack)
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council")
    slack.settle()
    shown = ephemerals_to(slack, slack.noor)[-1]
    local = start.astimezone(ZoneInfo("America/New_York"))
    assert f"{local.hour:02d}:{local.minute:02d} E" in shown  # EST or EDT
    assert "Fast (twice a week)" in shown and slack.lena in shown


def test_help_lists_every_subcommand(slack: Slack) -> None:
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="help")
    slack.settle()
    shown = ephemerals_to(slack, slack.noor)[-1]
    for word in ("setup", "pause", "back", "landed", "export", "erase", "help"):
        assert f"/council {word}" in shown, word


def test_only_the_moderator_can_change_the_setup(slack: Slack) -> None:
    set_up(slack)
    opened = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="setup")
    slack.settle()
    assert len(slack.standin.calls_to("views.open")) == opened  # no form for noor
    assert "Only the council's moderator" in ephemerals_to(slack, slack.noor)[-1]
    # Lena hands over to Maya; then only Maya can change it.
    answer = submit_setup(
        slack, slack.lena, setup_values(day=first_day(slack), moderator=slack.maya)
    )
    assert not answer.get("errors"), answer
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="setup")
    slack.settle()
    assert "Only the council's moderator" in ephemerals_to(slack, slack.lena)[-1]


def test_setup_is_refused_in_a_public_channel_and_a_dm(slack: Slack) -> None:
    for channel in (slack.public_channel, slack.workspace.open_im(slack.noor)[0].id):
        open_setup(slack, slack.noor, channel=channel)
    with Session(slack.engine) as session:
        assert session.exec(select(CouncilRitual)).first() is None
    said = " ".join(ephemerals_to(slack, slack.noor))
    assert "private" in said


def test_bad_input_gets_inline_errors(slack: Slack) -> None:
    day = first_day(slack)
    cases = [
        (setup_values(day=day, length="0", moderator=slack.lena), "ritual_length"),
        (setup_values(day=day, length="241", moderator=slack.lena), "ritual_length"),
        (setup_values(day=day, moderator="U0OUTSIDER1"), "ritual_moderator"),
        (setup_values(day=day, rhythm="custom", moderator=slack.lena), "ritual_weekdays"),
        (setup_values(day=day, link="http://plain.example", moderator=slack.lena), "ritual_link"),
        (
            setup_values(day=first_day(slack, -1), moderator=slack.lena),
            "ritual_date",
        ),
    ]
    for values, field in cases:
        answer = submit_setup(slack, slack.lena, values)
        assert answer.get("response_action") == "errors", (field, answer)
        assert field in answer["errors"], (field, answer)
    with Session(slack.engine) as session:
        assert session.exec(select(CouncilRitual)).first() is None


def test_the_moderator_picks_how_long_before_the_meeting_checkins_go_out(slack: Slack) -> None:
    view = open_setup(slack, slack.lena)
    lead_block = next(b for b in view["blocks"] if b["block_id"] == "ritual_checkin_lead")
    assert lead_block["element"]["initial_option"]["value"] == "24"  # the default
    start = set_up(slack, lead="6")
    with Session(slack.engine) as session:
        assert session.exec(select(CouncilRitual)).one().checkin_lead_hours == 6
    assert reminders_of(slack, REMINDER_ROSTER)[slack.council].due_at == start - timedelta(hours=8)
    assert "6 hours before" in ephemerals_to(slack, slack.lena)[-1]  # the saved note
    reopened = open_setup(slack, slack.lena)
    lead_block = next(b for b in reopened["blocks"] if b["block_id"] == "ritual_checkin_lead")
    assert lead_block["element"]["initial_option"]["value"] == "6"
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council")
    slack.settle()
    assert "Check-ins:* 6 hours before" in ephemerals_to(slack, slack.noor)[-1]

    forward_to(slack, start - timedelta(hours=8))
    assert reminders_of(slack, REMINDER_CHECKIN)[slack.lena].due_at == start - timedelta(hours=6)
    forward_to(slack, start - timedelta(hours=7))
    assert dms_to(slack, slack.lena) == []
    forward_to(slack, start - timedelta(hours=6))
    assert len(dms_to(slack, slack.lena)) == 1


def test_changing_the_checkin_lead_replans_the_dms_not_sent_yet_and_sends_each_once(
    slack: Slack,
) -> None:
    day = first_day(slack)
    start = set_up(slack, day=day)  # a day before
    forward_to(slack, start - timedelta(hours=26))  # the roster is read: DMs planned at -24 h
    assert reminders_of(slack, REMINDER_CHECKIN)[slack.lena].due_at == start - timedelta(hours=24)
    answer = submit_setup(slack, slack.lena, setup_values(day=day, moderator=slack.lena, lead="6"))
    assert not answer.get("errors"), answer
    assert [m.starts_at for m in meetings(slack) if m.status == "scheduled"] == [start]
    forward_to(slack, start - timedelta(hours=24))
    assert dms_to(slack, slack.lena) == []  # the old time passed without a DM
    forward_to(slack, start - timedelta(hours=6))
    assert len(dms_to(slack, slack.lena)) == 1
    # 6 h before is 06:00 in New York: Noor's DM waits for 08:00 there, 4 h before.
    assert dms_to(slack, slack.noor) == []
    forward_to(slack, start - timedelta(hours=4))
    assert len(dms_to(slack, slack.noor)) == 1
    with Session(slack.engine) as session:
        checkins = session.exec(
            select(Reminder).where(
                Reminder.kind == REMINDER_CHECKIN, Reminder.user_id == slack.lena
            )
        ).all()
    assert [(r.status, r.due_at) for r in checkins] == [
        (ReminderStatus.SENT, start - timedelta(hours=6))
    ]
    # Back to a day before once the DMs went out: nobody is asked again.
    submit_setup(slack, slack.lena, setup_values(day=day, moderator=slack.lena, lead="24"))
    forward_to(slack, start - timedelta(minutes=31))
    assert len([c for c in dms_to(slack, slack.lena) if "Check in before" in text_of(c)]) == 1


def bot_joins(slack: Slack, channel: str, *, event_id: str = "Ev0JOIN0001") -> None:
    event = {
        "type": "member_joined_channel",
        "user": slack.workspace.bot_user_id,
        "channel": channel,
        "channel_type": "G",
    }
    assert slack.driver.event(event, event_id=event_id).status == 200
    slack.settle()


def posts_in(slack: Slack, channel: str) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == channel
    ]


def test_the_bot_added_to_a_new_private_channel_offers_the_setup_once(slack: Slack) -> None:
    bot = slack.workspace.bot_user_id
    new = slack.workspace.add_channel(
        name="council-two", members=[bot, slack.lena, slack.noor], is_private=True
    ).id
    bot_joins(slack, new)
    bot_joins(slack, new)  # Slack's retry of the same event
    [offer] = posts_in(slack, new)
    assert "Set up the council" in json.dumps(offer.args["blocks"])
    assert "meeting zero" in mrkdwn_of(offer).lower()

    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.noor,
        action_id="council_setup_open",
        channel=new,
        message_ts=offer.response["ts"],
    )
    found = slack.standin.wait_for("views.open", count=seen + 1)
    opened = found[-1] if isinstance(found, list) else found
    assert opened.ok and opened.response["view"]["callback_id"] == "council_setup"
    slack.settle()
    answer = slack.driver.view_submission(
        user=slack.noor,
        view_id=opened.response["view"]["id"],
        values=setup_values(day=first_day(slack), moderator=slack.noor, name="Second council"),
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.json
    slack.settle()
    with Session(slack.engine) as session:
        ritual = session.exec(select(CouncilRitual)).one()
        council = get_council(session, team_id=slack.workspace.team_id, channel_id=new)
    assert council is not None and ritual.council_id == council.id
    assert ritual.moderator_id == slack.noor and ritual.name == "Second council"


def test_no_offer_in_a_public_channel_for_a_member_joining_or_a_council_with_a_rhythm(
    slack: Slack,
) -> None:
    set_up(slack)
    before = len(slack.standin.calls_to("chat.postMessage"))
    bot_joins(slack, slack.public_channel, event_id="Ev0JOIN0002")  # councils stay unseen
    bot_joins(slack, slack.council, event_id="Ev0JOIN0003")  # added back: it has its rhythm
    joined = {"type": "member_joined_channel", "user": slack.maya, "channel": slack.council}
    assert slack.driver.event(joined).status == 200
    slack.settle()
    assert len(slack.standin.calls_to("chat.postMessage")) == before


# --- check-ins and the agenda ---------------------------------------------------------------------


def test_checkins_go_to_each_member_in_their_zone_with_one_nudge(slack: Slack) -> None:
    start = set_up(slack)
    forward_to(slack, start - timedelta(hours=26))
    checkins = reminders_of(slack, REMINDER_CHECKIN)
    assert set(checkins) == {slack.noor, slack.lena, slack.arjun, slack.maya}  # no bot
    assert checkins[slack.lena].due_at == start - timedelta(hours=24)
    assert checkins[slack.noor].due_at == start - timedelta(hours=24)
    # 24 h before is 22:30 in Kolkata: moved to 08:00 there, the morning of the meeting.
    arjun_local = checkins[slack.arjun].due_at.astimezone(ZoneInfo("Asia/Kolkata"))
    assert arjun_local.time() == time(8, 0) and checkins[slack.arjun].due_at < start
    nudges = reminders_of(slack, REMINDER_NUDGE)
    maya_local = nudges[slack.maya].due_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert maya_local.time() == time(8, 0)  # 06:00 there at 3 h before: after quiet hours
    assert nudges[slack.noor].due_at == start - timedelta(hours=3)

    forward_to(slack, start - timedelta(hours=24))
    assert len(dms_to(slack, slack.lena)) == 1 and len(dms_to(slack, slack.noor)) == 1
    assert dms_to(slack, slack.arjun) == []  # still night in Kolkata
    forward_to(slack, checkins[slack.arjun].due_at)
    assert len(dms_to(slack, slack.arjun)) == 1

    answer = check_in(slack, slack.noor, checkin_where="Two final rounds", checkin_win="An offer!")
    assert not answer.get("errors"), answer
    assert reminders_of(slack, REMINDER_NUDGE)[slack.noor].status == ReminderStatus.CANCELLED

    forward_to(slack, start - timedelta(minutes=31))
    slack.fast_forward(timedelta(0))
    for user in (slack.lena, slack.arjun, slack.maya):
        sent = dms_to(slack, user)
        assert len(sent) == 2, user  # the check-in and one nudge
        assert "gentle reminder" in text_of(sent[-1])
    noor = dms_to(slack, slack.noor)
    assert len(noor) == 2 and "your check-in is in" in text_of(noor[-1])  # the thanks only


def test_the_agenda_has_answers_time_boxes_the_link_and_the_next_meeting(slack: Slack) -> None:
    start = set_up(slack, length="90")
    forward_to(slack, start - timedelta(hours=24))
    check_in(
        slack,
        slack.lena,
        checkin_where="Applying to <!here> three roles",
        checkin_needs="Mock interview",
        checkin_win="Recruiter call",
    )
    forward_to(slack, start - timedelta(minutes=10))
    posts = channel_posts(slack)
    assert len(posts) == 1
    agenda = mrkdwn_of(posts[0])
    assert "Applying to &lt;!here&gt; three roles" in agenda and "<!here>" not in agenda
    assert "Mock interview" in agenda and "Recruiter call" in agenda
    assert agenda.count("no check-in yet") == 3
    assert "https://meet.example.org/council" in agenda
    minutes = [int(line.split(" min")[0]) for line in agenda.splitlines() if " min · " in line]
    assert minutes and sum(minutes) == 90
    assert "meeting zero" in agenda.lower()  # the council's first meeting
    # The rhythm goes on: fast = the first date's weekday and three days later, 18:00 Berlin.
    nxt = start.astimezone(BERLIN).date() + timedelta(days=3)
    assert [m.starts_at for m in meetings(slack)] == [start, to_utc(nxt, AT, "Europe/Berlin")]
    assert meetings(slack)[0].status == "posted"
    # Once: a second pass, or the same reminder again, posts nothing more.
    slack.fast_forward(timedelta(minutes=5))
    assert len(channel_posts(slack)) == 1
    with Session(slack.engine) as session:
        agendas = session.exec(select(Reminder).where(Reminder.kind == REMINDER_AGENDA)).all()
    assert len(agendas) == 2 and len({r.dedupe_key for r in agendas}) == 2


def _plant_private_data(slack: Slack) -> None:
    """A negotiation figure, a back-channel person's name, a private debrief and a public
    one, all Noor's, about a company her posted job mission names."""
    now = slack.clock.now
    team = slack.workspace.team_id
    with Session(slack.engine) as session:
        council = get_council(session, team_id=team, channel_id=slack.council)
        assert council is not None
        search = session.exec(select(Search).where(Search.user_id == slack.noor)).first()
        assert search is not None
        plan = NegotiationPlan(team_id=team, user_id=slack.noor, search_id=require_id(search))
        session.add(plan)
        session.flush()
        session.add(
            NegotiationCompensation(plan_id=require_id(plan), offer=187_345, target=201_777)
        )
        checklist = BackchannelChecklist(
            team_id=team, user_id=slack.noor, search_id=require_id(search), manager_name="Zed Q"
        )
        session.add(checklist)
        session.flush()
        session.add(BackchannelPerson(checklist_id=require_id(checklist), name="Quillon Brasswick"))
        for private, tag in ((True, "Hushhush"), (False, "Openly")):
            event = InterviewEvent(
                team_id=team,
                user_id=slack.noor,
                council_id=require_id(council),
                channel_id=slack.council,
                search_id=require_id(search),
                company=search.company,
                starts_at=now - timedelta(hours=2),
            )
            session.add(event)
            session.flush()
            session.add(
                Debrief(
                    event_id=require_id(event),
                    user_id=slack.noor,
                    rating=4,
                    went_well=f"{tag} went well",
                    private=private,
                    channel_id="D0NOORDM" if private else slack.council,
                    message_ts="1700000000.000100",
                    posted_at=now - timedelta(hours=1),
                )
            )
        session.add(
            InterviewEvent(
                team_id=team,
                user_id=slack.maya,
                council_id=require_id(council),
                channel_id=slack.council,
                company="Stealthcorp",
                starts_at=now + timedelta(days=5),
            )
        )
        session.commit()


def test_the_agenda_says_what_was_shared_since_and_nothing_private(slack: Slack) -> None:
    post_draft(slack, author=slack.noor, channel=slack.council)
    draft_ts = channel_posts(slack)[-1].response["ts"]
    slack.driver.react(user=slack.lena, channel=slack.council, ts=draft_ts, name="+1")
    slack.driver.react(user=slack.arjun, channel=slack.council, ts=draft_ts, name="bulb")
    slack.settle()
    _plant_private_data(slack)
    start = set_up(slack, day=first_day(slack, 1))
    forward_to(slack, start - timedelta(minutes=10))
    agenda = mrkdwn_of(channel_posts(slack)[-1])
    assert "posted a new job mission: *Acme Robotics*" in agenda
    assert ":+1: 1" in agenda and ":bulb: 1" in agenda
    assert agenda.count("shared a debrief") == 1  # the public one only
    assert "has an interview coming up" in agenda and "Stealthcorp" not in agenda
    every_call = json.dumps([c.args for c in slack.standin.calls])
    for secret in ("187345", "187,345", "201777", "Quillon", "Brasswick", "Hushhush", "Zed Q"):
        assert secret not in every_call, secret


def test_the_agenda_points_to_plans_takeaways_and_negotiations_without_their_contents(
    slack: Slack,
) -> None:
    post_draft(slack, author=slack.noor, channel=slack.council)
    _plant_private_data(slack)
    now, team = slack.clock.now, slack.workspace.team_id
    with Session(slack.engine) as session:
        council = get_council(session, team_id=team, channel_id=slack.council)
        assert council is not None
        plan = session.exec(select(NegotiationPlan)).one()
        plan.shared_channel_id, plan.shared_ts = slack.council, "1700000000.000200"
        plan.shared_at = now - timedelta(minutes=30)
        conversation = TourConversation(
            team_id=team,
            user_id=slack.arjun,
            person_name="Xylo Tourcontact",
            kind="recruiter",
            held_on=now.date(),
            heard="Xylo-heard-secret",
            takeaway="Xylo-takeaway-secret",
        )
        session.add(conversation)
        session.flush()
        for ts in ("1700000000.000300", "1700000000.000301"):
            session.add(
                TourShare(
                    team_id=team,
                    user_id=slack.arjun,
                    conversation_id=require_id(conversation),
                    channel_id=slack.council,
                    message_ts=ts,
                    created_at=now - timedelta(minutes=20),
                )
            )
        session.add(  # shared elsewhere: not this council's
            TourShare(
                team_id=team,
                user_id=slack.maya,
                channel_id="C0ELSEWHERE",
                message_ts="1700000000.000400",
                created_at=now - timedelta(minutes=20),
            )
        )
        session.add(
            InterviewEvent(
                team_id=team,
                user_id=slack.lena,
                council_id=require_id(council),
                channel_id=slack.council,
                company="Secretoffer Inc",
                kind="negotiation",
                starts_at=now + timedelta(days=4),
            )
        )
        for number in (1, 2):  # posted, then a version from an accepted suggestion
            session.add(
                FitTwoPager(
                    team_id=team,
                    user_id=slack.maya,
                    number=number,
                    wants='["Xylo-want-secret"]',
                    dont_wants="[]",
                    channel_id=slack.council,
                    message_ts="1700000000.000800",
                    created_at=now - timedelta(minutes=15 - number),
                )
            )
        session.add(
            FitStatement(
                team_id=team,
                user_id=slack.arjun,
                number=3,
                sentence="Xylo-sentence-secret",
                channel_id=slack.council,
                message_ts="1700000000.000900",
                signed=2,
                signers_of=3,
                created_at=now - timedelta(minutes=10),
            )
        )
        session.add(  # saved but never posted: the council has not seen it
            FitStatement(
                team_id=team,
                user_id=slack.noor,
                number=1,
                sentence="Xylo-unposted-secret",
                created_at=now - timedelta(minutes=10),
            )
        )
        session.commit()
    start = set_up(slack, day=first_day(slack, 1))
    forward_to(slack, start - timedelta(minutes=10))
    agenda = mrkdwn_of(channel_posts(slack)[-1])
    assert f"<@{slack.noor}> shared their negotiation plan for the council's review" in agenda
    assert f"<@{slack.arjun}> brought 2 Listening Tour takeaways to the channel" in agenda
    assert f"<@{slack.maya}> brought" not in agenda
    assert f"<@{slack.lena}> has a negotiation coming up" in agenda
    assert f"<@{slack.maya}> shared their Two-Pager (version 2)" in agenda
    assert agenda.count("shared their Two-Pager") == 1
    assert (
        f"<@{slack.arjun}> shared their Candidate-Market Fit statement (version 3) · "
        "signed off by 2 of 3" in agenda
    )
    assert f"<@{slack.noor}> shared their Candidate-Market Fit" not in agenda
    every_call = json.dumps([c.args for c in slack.standin.calls])
    for secret in ("187345", "201777", "Secretoffer", "Xylo", "recruiter"):
        assert secret not in every_call, secret


# --- pause and landed -----------------------------------------------------------------------------


def test_a_paused_member_gets_no_checkin_and_shows_as_away(slack: Slack) -> None:
    start = set_up(slack)
    until = first_day(slack, 5).isoformat()
    slack.driver.command(
        user=slack.maya, channel=slack.council, command="/council", text=f"pause until {until}"
    )
    slack.settle()
    assert "away through" in ephemerals_to(slack, slack.maya)[-1]
    forward_to(slack, start - timedelta(minutes=10))
    assert slack.maya not in reminders_of(slack, REMINDER_CHECKIN)
    assert dms_to(slack, slack.maya) == []
    agenda = mrkdwn_of(channel_posts(slack)[-1])
    assert f"<@{slack.maya}>: away this week" in agenda


def test_landed_celebrates_in_the_channel_and_stops_the_checkins(slack: Slack) -> None:
    start = set_up(slack)
    forward_to(slack, start - timedelta(hours=26))
    assert reminders_of(slack, REMINDER_CHECKIN)[slack.arjun].status == ReminderStatus.PENDING
    slack.driver.command(user=slack.arjun, channel=slack.council, command="/council", text="landed")
    slack.settle()
    celebration = [c for c in channel_posts(slack) if "landed a job" in text_of(c)]
    assert len(celebration) == 1 and f"<@{slack.arjun}>" in text_of(celebration[0])
    assert reminders_of(slack, REMINDER_CHECKIN)[slack.arjun].status == ReminderStatus.CANCELLED
    slack.driver.command(user=slack.arjun, channel=slack.council, command="/council", text="landed")
    slack.settle()
    assert len([c for c in channel_posts(slack) if "landed a job" in text_of(c)]) == 1  # once
    forward_to(slack, start - timedelta(minutes=10))
    assert dms_to(slack, slack.arjun) == []
    assert f"<@{slack.arjun}>: landed" in mrkdwn_of(channel_posts(slack)[-1])


def test_erase_takes_the_members_checkins_and_leaves_the_councils_rhythm(slack: Slack) -> None:
    start = set_up(slack)
    forward_to(slack, start - timedelta(hours=24))
    check_in(slack, slack.lena, checkin_where="Quietly looking")
    with Session(slack.engine) as session:
        assert session.exec(select(CouncilCheckin)).all()
    from bot.features.council import service

    # Her export holds it, and her pause.
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="pause")
    slack.settle()
    exported = service.export(
        slack.engine, team_id=slack.workspace.team_id, user_id=slack.lena, now=slack.clock.now
    )
    (mine,) = exported.document["council_checkins"]
    assert mine["where_now"] == "Quietly looking" and mine["channel_id"] == slack.council
    assert mine["meeting_starts_at"] == start.isoformat()
    assert [s["state"] for s in exported.document["council_status"]] == ["paused"]
    assert "Quietly looking" in exported.markdown
    other = service.export(
        slack.engine, team_id=slack.workspace.team_id, user_id=slack.noor, now=slack.clock.now
    )
    assert other.document["council_checkins"] == [] and "Quietly" not in other.json_text
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="back")
    slack.settle()
    # Lena, the moderator, erases her data: her check-in goes; the council's meeting stays.
    erased = service.erase(slack.engine, team_id=slack.workspace.team_id, user_id=slack.lena)
    assert isinstance(erased, service.Erased)
    assert any("check-in" in line for line in erased.counts.lines())
    with Session(slack.engine) as session:
        assert session.exec(select(CouncilCheckin)).all() == []
    assert reminders_of(slack, REMINDER_AGENDA)[slack.council].status == ReminderStatus.PENDING
    forward_to(slack, start - timedelta(minutes=10))
    assert len(channel_posts(slack)) == 1


# --- once, across processes and restarts ----------------------------------------------------------


def test_two_apps_on_one_database_send_every_meeting_message_once(slack: Slack) -> None:
    """A second bot process (its own app and stand-in, the same database) dispatching at the
    same moments: each check-in, nudge and agenda goes out once in all, and after a restart
    (a new app on the database) the rhythm carries on."""
    start = set_up(slack)
    with running_slack(slack.engine) as other:
        apps = (slack, other)

        def both_to(when: datetime) -> None:
            for app in apps:
                app.clock.now = when
            for _ in range(2):  # what a first pass scheduled for now, too
                with ThreadPoolExecutor(2) as pool:
                    list(pool.map(lambda app: app.runtime.services.reminders.dispatch_due(), apps))

        def posts(method: str, channel: str | None = None) -> list[ApiCall]:
            return [
                c
                for app in apps
                for c in app.standin.calls_to(method)
                if c.ok and (channel is None or c.args["channel"] == channel)
            ]

        for when in (
            start - timedelta(hours=26),
            start - timedelta(hours=24),
            start - timedelta(hours=12),
            start - timedelta(hours=3),
            start - timedelta(hours=1),
            start - timedelta(minutes=10),
        ):
            both_to(when)
        # Each app's stand-in mints its own DM ids: count each member's DMs in both.
        by_user = {
            user: sum(len(dms_to(app, user)) for app in apps)
            for user in (slack.noor, slack.lena, slack.arjun, slack.maya)
        }
        assert by_user == dict.fromkeys(by_user, 2)  # a check-in and a nudge each, once
        assert len(posts("chat.postMessage", slack.council)) == 1  # one agenda
    assert len(meetings(slack)) == 2  # the next one, planned once
    # A restart: a new app on the same database posts the next agenda, once.
    with running_slack(slack.engine) as restarted:
        restarted.clock.now = meetings(slack)[1].starts_at - timedelta(minutes=10)
        restarted.runtime.services.reminders.dispatch_due()
        restarted.runtime.services.reminders.dispatch_due()
        agendas = [
            c
            for c in restarted.standin.calls_to("chat.postMessage")
            if c.args["channel"] == slack.council
        ]
        assert len(agendas) == 1 and "agenda" in text_of(agendas[0])
    assert len(meetings(slack)) == 3


# --- another workspace ---------------------------------------------------------------------------

RHYTHM_TABLES = (CouncilRitual, CouncilMeeting, CouncilCheckin, Reminder)


def test_another_workspace_naming_a_meeting_is_told_it_is_gone_and_changes_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = set_up(slack)
    forward_to(slack, start - timedelta(hours=24))
    check_in(slack, slack.lena, checkin_where="Secretive Sprocket Inc final round")
    dm = dms_to(slack, slack.noor)[-1]
    # Noor opens her check-in in her workspace (its metadata names the meeting) ...
    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_CHECKIN,
        channel=dm.response["channel"],
        message_ts=dm.response["ts"],
    )
    found = slack.standin.wait_for("views.open", count=seen + 1)
    opened = (found[-1] if isinstance(found, list) else found).response["view"]
    before = rows(slack, *RHYTHM_TABLES)
    quiet(slack)
    with intruder(slack, monkeypatch):
        # ... a click and a submission claiming another workspace get the "gone" answers.
        slack.driver.block_action(
            user=slack.noor,
            action_id=ACTION_CHECKIN,
            channel=dm.response["channel"],
            message_ts=dm.response["ts"],
        )
        slack.standin.wait_for("response_url")
        answer = slack.driver.view_submission(
            user=slack.noor,
            view_id=opened["id"],
            values={"checkin_where": {"checkin_where": payloads.plain("Intruding")}},
        )
    assert answer.json is not None and answer.json["response_action"] == "errors"
    calls = sent(slack)
    assert "no longer planned" in answers(calls)
    assert_nothing_shown(calls, ("Secretive Sprocket",))
    assert rows(slack, *RHYTHM_TABLES) == before


def test_another_workspace_submitting_the_setup_form_changes_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(slack)
    view = open_setup(slack, slack.lena)
    assert '"council"' in view["private_metadata"]
    before = rows(slack, *RHYTHM_TABLES)
    quiet(slack)
    with intruder(slack, monkeypatch):
        answer = slack.driver.view_submission(
            user=slack.lena,
            view_id=view["id"],
            values=setup_values(day=first_day(slack, 4), moderator=slack.lena, name="Taken"),
        )
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "can't find this council" in json.dumps(answer.json["errors"])
    slack.settle()
    assert rows(slack, *RHYTHM_TABLES) == before


# --- drift ----------------------------------------------------------------------------------------


def test_members_quiet_for_two_meetings_get_one_kind_nudge_and_the_moderator_a_heads_up(
    slack: Slack,
) -> None:
    """Lena checks in every time; the others never do and share nothing. After the second
    meeting's agenda each of them gets one kind DM (in their own waking hours) and Lena, the
    moderator, one heads-up naming them; a third quiet meeting sends nothing more."""
    first = set_up(slack)
    for number in (1, 2):
        start = meetings(slack)[-1].starts_at
        forward_to(slack, start - timedelta(hours=24))
        check_in(slack, slack.lena, checkin_where=f"Week {number}: networking")
        forward_to(slack, start - timedelta(minutes=10))
    assert meetings(slack)[1].starts_at == first + timedelta(days=3)

    def drift_dms(user: str) -> list[ApiCall]:
        return [c for c in dms_to(slack, user) if "heard from you" in text_of(c)]

    assert len(drift_dms(slack.noor)) == 1 and len(drift_dms(slack.maya)) == 1
    assert drift_dms(slack.lena) == []
    assert drift_dms(slack.arjun) == []  # 22:20 in Kolkata: it waits for the morning
    forward_to(slack, slack.clock.now + timedelta(hours=11))
    assert len(drift_dms(slack.arjun)) == 1
    heads_up = [c for c in dms_to(slack, slack.lena) if "heads-up" in text_of(c)]
    assert len(heads_up) == 1
    said = mrkdwn_of(heads_up[0])
    for user in (slack.noor, slack.arjun, slack.maya):
        assert f"<@{user}>" in said
    assert "networking" not in said

    start = meetings(slack)[-1].starts_at
    forward_to(slack, start - timedelta(minutes=10))
    forward_to(slack, start + timedelta(hours=12))
    for user in (slack.noor, slack.arjun, slack.maya):
        assert len(drift_dms(user)) == 1, user
    assert len([c for c in dms_to(slack, slack.lena) if "heads-up" in text_of(c)]) == 1


def test_what_the_home_can_show_each_member_next_meeting_and_their_checkin(slack: Slack) -> None:
    from bot.features.council import ritual_service

    start = set_up(slack)
    forward_to(slack, start - timedelta(hours=24))
    check_in(slack, slack.noor, checkin_where="Searching")

    def home(user: str, channels: list[str]) -> list[ritual_service.MemberMeeting]:
        return ritual_service.next_meetings_for(
            slack.engine,
            team_id=slack.workspace.team_id,
            user_id=user,
            channel_ids=channels,
            now=slack.clock.now,
        )

    (noor,) = home(slack.noor, [slack.council])
    assert noor.starts_at == start and noor.checked_in and not noor.away
    assert noor.meeting_id == meetings(slack)[0].id
    (lena,) = home(slack.lena, [slack.council])
    assert not lena.checked_in
    assert home(slack.lena, [slack.private_channel_without_bot]) == []
    assert home(slack.lena, []) == []


def test_the_moderator_pauses_the_whole_council_and_the_rhythm_resumes_after(
    slack: Slack,
) -> None:
    start = set_up(slack)
    until = first_day(slack, 4)
    slack.driver.command(
        user=slack.noor, channel=slack.council, command="/council", text=f"pause all until {until}"
    )
    slack.settle()
    assert "Only the council's moderator" in ephemerals_to(slack, slack.noor)[-1]
    assert [m.status for m in meetings(slack)] == ["scheduled"]
    slack.driver.command(
        user=slack.lena, channel=slack.council, command="/council", text=f"pause all until {until}"
    )
    slack.settle()
    first, resumed = meetings(slack)
    assert first.starts_at == start and first.status == "cancelled"
    # Fast: the first date's weekday and three days later, so the next is three days on.
    assert resumed.starts_at == start + timedelta(days=3) and resumed.status == "scheduled"
    note = [c for c in channel_posts(slack) if "paused the council" in text_of(c)]
    assert len(note) == 1 and str(until) in text_of(note[0])
    forward_to(slack, start + timedelta(hours=1))
    assert not [c for c in channel_posts(slack) if "agenda" in text_of(c).lower()]
    assert all(dms_to(slack, u) == [] for u in (slack.noor, slack.lena, slack.arjun, slack.maya))
    for before in (timedelta(hours=26), timedelta(hours=24), timedelta(minutes=10)):
        forward_to(slack, resumed.starts_at - before)
    assert len([c for c in channel_posts(slack) if "Agenda for" in text_of(c)]) == 1
    assert len(dms_to(slack, slack.maya)) >= 1  # check-ins resumed


def test_a_landed_member_can_ask_for_a_first_90_days_reminder(slack: Slack) -> None:
    from bot.features.council import ritual_service
    from bot.features.council.ritual_rules import REMINDER_FIRST_90
    from bot.features.council.ritual_views import ACTION_FIRST_90
    from bot.features.errors import NotAllowed

    set_up(slack)
    slack.driver.command(user=slack.arjun, channel=slack.council, command="/council", text="landed")
    slack.settle()
    answer = next(
        e for e in slack.workspace.ephemerals_for(slack.arjun) if ACTION_FIRST_90 in text_of(e)
    )
    for _ in range(2):  # asked twice: one reminder
        slack.driver.block_action(
            user=slack.arjun,
            action_id=ACTION_FIRST_90,
            channel=answer["channel"],
            message_ts=answer["ts"],
        )
        slack.settle()
    (reminder,) = reminders_of(slack, REMINDER_FIRST_90).values()
    kolkata = ZoneInfo("Asia/Kolkata")
    local = reminder.due_at.astimezone(kolkata)
    assert local.time() == time(10, 0)
    assert local.date() == slack.clock.now.astimezone(kolkata).date() + timedelta(days=90)
    assert "I'll remind you privately" in " ".join(ephemerals_to(slack, slack.arjun))
    with pytest.raises(NotAllowed):  # only for a member who landed in that council
        ritual_service.remind_first_90(
            slack.engine,
            team_id=slack.workspace.team_id,
            channel_id=slack.council,
            user_id=slack.noor,
            tz="UTC",
            now=slack.clock.now,
        )
    forward_to(slack, reminder.due_at)
    (dm,) = [c for c in dms_to(slack, slack.arjun) if "90 days" in text_of(c)]
    assert "&lt;!channel&gt;" in mrkdwn_of(dm)  # the council's name, escaped


# --- after the meeting ----------------------------------------------------------------------------


def test_the_moderators_notes_go_to_the_thread_and_action_items_become_private_reminders(
    slack: Slack,
) -> None:
    from bot.features.council.ritual_rules import REMINDER_ACTION_ITEM
    from bot.features.council.ritual_views import ACTION_NOTES

    start = set_up(slack)
    forward_to(slack, start - timedelta(minutes=10))
    agenda = channel_posts(slack)[-1]
    ts = agenda.response["ts"]
    # Not the moderator: a private no.
    slack.driver.block_action(
        user=slack.noor, action_id=ACTION_NOTES, channel=slack.council, message_ts=ts
    )
    slack.settle()
    assert "Only the council's moderator" in ephemerals_to(slack, slack.noor)[-1]
    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.lena, action_id=ACTION_NOTES, channel=slack.council, message_ts=ts
    )
    found = slack.standin.wait_for("views.open", count=seen + 1)
    view = (found[-1] if isinstance(found, list) else found).response["view"]

    def values(**fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"notes_text": {"notes_text": payloads.plain(fields.get("notes"))}}
        for n in (1, 2, 3):
            owner, task = fields.get(f"owner{n}"), fields.get(f"task{n}")
            out[f"item_owner_{n}"] = {f"item_owner_{n}": payloads.user(owner)}
            out[f"item_task_{n}"] = {f"item_task_{n}": payloads.plain(task)}
        return out

    refused = slack.driver.view_submission(
        user=slack.lena, view_id=view["id"], values=values(task1="Orphan task")
    )
    assert refused.json is not None and "item_owner_1" in refused.json["errors"]
    refused = slack.driver.view_submission(
        user=slack.lena,
        view_id=view["id"],
        values=values(owner1="U0OUTSIDER1", task1="Someone else's"),
    )
    assert refused.json is not None and "item_owner_1" in refused.json["errors"]
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view["id"],
        values=values(
            notes="We practised <!channel> salary talk",
            owner1=slack.noor,
            task1="Send Lena the job description",
            owner2=slack.maya,
            task2="Book a mock interview <@U0LENA0002>",
        ),
    )
    assert not (answer.json or {}).get("errors"), answer.json
    slack.settle()
    (thread,) = [c for c in channel_posts(slack) if c.args.get("thread_ts") == ts]
    said = mrkdwn_of(thread)
    assert "We practised &lt;!channel&gt; salary talk" in said and "<!channel>" not in said
    assert f"<@{slack.noor}>: Send Lena the job description" in said
    items = reminders_of(slack, REMINDER_ACTION_ITEM)
    assert set(items) == {slack.noor, slack.maya}
    next_start = meetings(slack)[1].starts_at
    ny = items[slack.noor].due_at.astimezone(ZoneInfo("America/New_York"))
    assert ny.time() == time(10, 0)
    assert ny.date() == next_start.astimezone(ZoneInfo("America/New_York")).date() - timedelta(1)
    forward_to(slack, items[slack.maya].due_at)
    (dm,) = [c for c in dms_to(slack, slack.maya) if "action item" in text_of(c)]
    assert "Book a mock interview &lt;@U0LENA0002&gt;" in mrkdwn_of(dm)


def test_home_shows_the_next_meeting_and_checks_in_from_there(slack: Slack) -> None:
    from tests.handlers.test_home import open_home

    start = set_up(slack)
    forward_to(slack, start - timedelta(hours=24))
    slack.settle()

    home = open_home(slack, slack.lena).args["view"]
    text = json.dumps(home["blocks"][:3])
    assert "*Your council*" in text and f"<!date^{int(start.timestamp())}^" in text
    [button] = [
        block["accessory"]
        for block in home["blocks"]
        if block.get("accessory", {}).get("action_id") == ACTION_CHECKIN
    ]
    assert button["value"] == str(meetings(slack)[0].id)

    # The Home's button opens the same check-in form; once sent, the Home says it is in.
    seen = len(slack.standin.calls_to("views.open"))
    published = slack.workspace.home_view(slack.lena)
    assert published is not None
    slack.driver.block_action(
        user=slack.lena, action_id=ACTION_CHECKIN, value=button["value"], view_id=published["id"]
    )
    found = slack.standin.wait_for("views.open", count=seen + 1)
    opened = found[-1] if isinstance(found, list) else found
    assert opened.ok, opened.describe()
    slack.settle()
    values = {
        field: {field: payloads.plain("From the Home")}
        for field in ("checkin_where", "checkin_needs", "checkin_win")
    }
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=opened.response["view"]["id"], values=values
    )
    assert not (answer.json or {}).get("errors"), answer.json
    slack.settle()
    refreshed = open_home(slack, slack.lena).args["view"]
    assert "Your check-in is in" in json.dumps(refreshed["blocks"][:3])
    # Someone outside the council's channel sees no council on their Home.
    with slack.workspace.lock:
        slack.workspace.channels[slack.council].members.discard(slack.maya)
    slack.clock.advance(timedelta(minutes=2))  # past the cached member list
    assert "*Your council*" not in json.dumps(open_home(slack, slack.maya).args["view"])


def test_check_in_answers_are_stored_encrypted(slack: Slack) -> None:
    start = set_up(slack)
    forward_to(slack, start - timedelta(hours=24))
    check_in(
        slack,
        slack.lena,
        checkin_where="Zqx final round at Globex",
        checkin_needs="Zqx a mock interview",
        checkin_win="Zqx an offer call booked",
    )
    with slack.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT where_now, needs, win FROM council_checkins")
        ).all()
    assert len(stored) == 1
    assert not any("Zqx" in str(value) for value in stored[0])
    # and the agenda still reads them
    forward_to(slack, start - timedelta(minutes=5))
    assert any("Zqx final round at Globex" in json.dumps(c.args) for c in channel_posts(slack))
