"""The debrief rules without Slack: validation, reminder times (DST, quiet hours), the
Gratitude House; and the Block Kit views checked against the stand-in's validator."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.debriefs import rules, views
from bot.features.debriefs.rules import (
    FIELD_COMPANY,
    FIELD_DATE,
    FIELD_GRATITUDE_NAME,
    FIELD_KIND,
    FIELD_NUDGE,
    FIELD_PARTNERS,
    FIELD_RATING,
    FIELD_SEARCH,
    FIELD_TIME,
    FIELD_WENT_WELL,
    DebriefForm,
    DebriefInput,
    EventForm,
    EventInput,
    EventSummary,
    GratitudeEntry,
    PastEvent,
    names_for_nudge,
    nudge_time,
    plan_reminders,
    validate_debrief,
    validate_event,
    validate_gratitude,
)
from bot.platform.timezones import to_utc

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def form(**overrides: Any) -> EventForm:
    values: dict[str, Any] = {
        "company": "Globex",
        "kind": "interview",
        "date": "2026-03-05",
        "time": "14:00",
    }
    values.update(overrides)
    return EventForm(**values)


NOW = utc(2026, 3, 3, 9)  # 10:00 in Berlin


def check(f: EventForm, *, now: datetime = NOW, tz: str = BERLIN, **kw: Any) -> Any:
    return validate_event(f, tz=tz, now=now, searches=kw.pop("searches", {}), user_id="U1", **kw)


# --- validating an event ------------------------------------------------------------------------


def test_a_valid_event_is_wall_time_in_the_members_zone() -> None:
    result = check(form(with_whom="  Dana,   the hiring manager "))
    assert isinstance(result, EventInput)
    assert result.starts_at == utc(2026, 3, 5, 13)  # 14:00 CET
    assert result.company == "Globex" and result.search_id is None
    assert result.with_whom == "Dana, the hiring manager"
    assert result.nudge_minutes == 60


def test_a_date_in_the_past_is_an_error_on_the_date() -> None:
    result = check(form(date="2026-03-02"))
    assert isinstance(result, dict) and set(result) == {FIELD_DATE}
    assert "passed" in result[FIELD_DATE]


def test_earlier_today_is_an_error_on_the_time_in_the_members_zone() -> None:
    # 09:00 UTC is 10:00 in Berlin: 09:45 there has passed, though 09:45 UTC has not.
    result = check(form(date="2026-03-03", time="09:45"))
    assert isinstance(result, dict) and set(result) == {FIELD_TIME}
    assert "10:00" in result[FIELD_TIME] and BERLIN in result[FIELD_TIME]
    assert isinstance(check(form(date="2026-03-03", time="10:15")), EventInput)


def test_missing_fields_each_get_an_error() -> None:
    result = check(EventForm())
    assert isinstance(result, dict)
    assert set(result) == {FIELD_COMPANY, FIELD_KIND, FIELD_DATE, FIELD_TIME}


def test_more_than_a_year_ahead_is_refused() -> None:
    result = check(form(date="2027-06-01"))
    assert isinstance(result, dict) and "year" in result[FIELD_DATE]


def test_picking_a_search_or_typing_a_company() -> None:
    searches = {7: "Acme Robotics", 9: "Initech"}
    picked = check(form(company="", search_id="7"), searches=searches)
    assert isinstance(picked, EventInput) and picked.search_id == 7 and picked.company == ""
    same = check(form(company=" acme  robotics", search_id="7"), searches=searches)
    assert isinstance(same, EventInput) and same.search_id == 7
    typed = check(form(company="INITECH"), searches=searches)  # a known one, typed
    assert isinstance(typed, EventInput) and typed.search_id == 9
    # A company typed wins over the select (bot.features.searches.rules.pick_company).
    both = check(form(company="Globex", search_id="7"), searches=searches)
    assert isinstance(both, EventInput) and (both.search_id, both.company) == (None, "Globex")
    neither = check(form(company=""), searches=searches)
    assert isinstance(neither, dict) and "Pick one" in neither[FIELD_COMPANY]
    foreign = check(form(company="", search_id="8"), searches=searches)  # not hers
    assert isinstance(foreign, dict) and set(foreign) == {FIELD_SEARCH}


def test_partners_are_deduplicated_without_the_member_and_capped() -> None:
    result = check(form(partners=("U2", "U1", "U2", "U3", "not an id!")))
    assert isinstance(result, EventInput) and result.partners == ("U2", "U3")
    many = check(form(partners=tuple(f"U{i}X" for i in range(2, 12))))
    assert isinstance(many, dict) and set(many) == {FIELD_PARTNERS}


def test_the_nudge_choice() -> None:
    off = check(form(nudge="0"))
    assert isinstance(off, EventInput) and off.nudge_minutes == 0
    odd = check(form(nudge="45"))
    assert isinstance(odd, dict) and set(odd) == {FIELD_NUDGE}


def test_a_wall_time_in_the_spring_forward_gap_moves_to_the_end_of_the_gap() -> None:
    result = check(form(date="2026-03-29", time="02:30"), now=utc(2026, 3, 20))
    assert isinstance(result, EventInput)
    assert result.starts_at == utc(2026, 3, 29, 1)  # 03:00 CEST


# --- reminder times -----------------------------------------------------------------------------


def test_the_three_reminders_by_default() -> None:
    start = utc(2026, 3, 5, 13)  # 14:00 Berlin
    plan = plan_reminders(starts_at=start, tz=BERLIN, now=utc(2026, 3, 3, 9))
    assert plan.gratitude == start - timedelta(minutes=60)
    assert plan.prompt == start + timedelta(hours=1)
    assert plan.followup == start + timedelta(hours=25)


@pytest.mark.parametrize(
    ("tz", "day", "created"),
    [
        # The day after Europe's spring-forward change (29 March 2026), logged before it.
        (BERLIN, date(2026, 3, 30), utc(2026, 3, 27, 12)),
        # On the day itself, after the change.
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 27, 12)),
        # The day after the US change (8 March 2026).
        (NEW_YORK, date(2026, 3, 9), utc(2026, 3, 6, 15)),
        # The day after autumn's fall-back (25 October 2026).
        (BERLIN, date(2026, 10, 26), utc(2026, 10, 23, 12)),
    ],
)
def test_an_interview_at_0930_local_across_a_dst_change(
    tz: str, day: date, created: datetime
) -> None:
    result = check(form(date=day.isoformat(), time="09:30"), now=created, tz=tz)
    assert isinstance(result, EventInput)
    start = result.starts_at
    assert local(start, tz).replace(tzinfo=None) == datetime.combine(day, time(9, 30))
    assert local(start, tz).utcoffset() != local(created, tz).utcoffset()  # crossed the change
    plan = plan_reminders(starts_at=start, tz=tz, now=created)
    assert plan.gratitude is not None
    assert local(plan.gratitude, tz).time() == time(8, 30)
    assert local(plan.prompt, tz).time() == time(10, 30)
    assert plan.followup - plan.prompt == timedelta(hours=24)


def test_the_spring_forward_case_in_utc() -> None:
    start = to_utc(date(2026, 3, 30), time(9, 30), BERLIN)
    assert start == utc(2026, 3, 30, 7, 30)  # CEST, +02:00
    plan = plan_reminders(starts_at=start, tz=BERLIN, now=utc(2026, 3, 27, 12))
    assert plan.gratitude == utc(2026, 3, 30, 6, 30)
    assert plan.prompt == utc(2026, 3, 30, 8, 30)


@pytest.mark.parametrize(
    ("wall", "nudge_wall"),
    [
        (time(8, 30), time(8, 0)),  # 07:30 is quiet: 08:00 still leaves 30 minutes
        (time(8, 5), time(7, 5)),  # 08:00 would leave 5 minutes: she's up anyway
        (time(23, 0), time(22, 0)),  # a late call: the nudge keeps its time
        (time(9, 0), time(8, 0)),  # 08:00 is not quiet
        (time(12, 0), time(11, 0)),
    ],
)
def test_the_nudge_and_quiet_hours(wall: time, nudge_wall: time) -> None:
    start = to_utc(date(2026, 3, 5), wall, BERLIN)
    due = nudge_time(start, tz=BERLIN, now=utc(2026, 3, 1))
    assert due is not None and local(due, BERLIN).time() == nudge_wall


def test_prompt_and_follow_up_wait_for_the_morning() -> None:
    start = to_utc(date(2026, 3, 5), time(20, 30), BERLIN)
    plan = plan_reminders(starts_at=start, tz=BERLIN, now=utc(2026, 3, 1))
    assert local(plan.prompt, BERLIN) == datetime(2026, 3, 6, 8, 0, tzinfo=ZoneInfo(BERLIN))
    assert local(plan.followup, BERLIN) == datetime(2026, 3, 7, 8, 0, tzinfo=ZoneInfo(BERLIN))


def test_a_nudge_at_short_notice() -> None:
    now = utc(2026, 3, 5, 12)
    assert nudge_time(now + timedelta(minutes=30), tz="UTC", now=now) == now  # right away
    assert nudge_time(now + timedelta(minutes=5), tz="UTC", now=now) is None  # no time left
    assert nudge_time(now + timedelta(hours=5), tz="UTC", now=now, minutes=0) is None  # off
    assert nudge_time(now + timedelta(hours=5), tz="UTC", now=now, minutes=120) == now + timedelta(
        hours=3
    )


def test_a_nudge_is_moot_once_the_event_is_about_to_start() -> None:
    start = utc(2026, 3, 5, 12)
    assert not rules.nudge_is_moot(start, start - timedelta(minutes=30))
    assert rules.nudge_is_moot(start, start - timedelta(minutes=2))
    assert rules.nudge_is_moot(start, start + timedelta(minutes=1))


def test_grace_windows_per_kind() -> None:
    assert rules.GRACE[rules.REMINDER_GRATITUDE] <= timedelta(minutes=60)
    assert rules.GRACE[rules.REMINDER_PROMPT] >= timedelta(hours=6)
    assert set(rules.GRACE) == set(rules.REMINDER_KINDS)


ZONES = sorted(
    z for z in available_timezones() if "/" in z and not z.startswith(("Etc", "SystemV"))
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
    lead=st.timedeltas(min_value=timedelta(minutes=11), max_value=timedelta(days=30)),
    minutes=st.sampled_from([15, 30, 60, 120]),
)
def test_reminder_order_holds_in_every_zone(
    zone: str, start: datetime, lead: timedelta, minutes: int
) -> None:
    starts_at = start.replace(tzinfo=UTC)
    now = starts_at - lead
    plan = plan_reminders(starts_at=starts_at, tz=zone, now=now, nudge_minutes=minutes)
    if plan.gratitude is not None:
        assert now <= plan.gratitude <= starts_at - rules.MIN_NUDGE_LEAD
        assert plan.gratitude >= starts_at - timedelta(minutes=minutes)
    assert starts_at < plan.prompt < plan.followup
    for due in (plan.prompt, plan.followup):
        wall = local(due, zone).time()
        assert not (wall >= time(21, 0) or wall < time(8, 0)), (zone, due)


# --- the debrief form ---------------------------------------------------------------------------


def test_a_debrief_needs_a_rating_and_for_the_council_some_words() -> None:
    errors = validate_debrief(DebriefForm())
    assert isinstance(errors, dict) and set(errors) == {FIELD_RATING, FIELD_WENT_WELL}
    private = validate_debrief(DebriefForm(rating="2", private=True))
    assert isinstance(private, DebriefInput) and private.rating == 2 and private.answers() == []
    shared = validate_debrief(DebriefForm(rating="4", evidence="  They asked for references "))
    assert isinstance(shared, DebriefInput)
    assert shared.answers() == [("What the evidence says", "They asked for references")]
    too_long = validate_debrief(DebriefForm(rating="9", worries="x" * 1501))
    assert isinstance(too_long, dict) and set(too_long) == {FIELD_RATING, "worries"}


# --- the Gratitude House ------------------------------------------------------------------------


def test_adding_someone_to_the_gratitude_house() -> None:
    people = [GratitudeEntry(1, "Ana Ruiz")]
    assert validate_gratitude("  Ben  Okafor ", " my first manager ", existing=people) == (
        "Ben Okafor",
        "my first manager",
    )
    duplicate = validate_gratitude("ana  ruiz", "", existing=people)
    assert isinstance(duplicate, dict) and "already" in duplicate[FIELD_GRATITUDE_NAME]
    assert isinstance(validate_gratitude(" ", "", existing=people), dict)
    full = [GratitudeEntry(i, f"P{i}") for i in range(rules.GRATITUDE_MAX_PEOPLE)]
    assert isinstance(validate_gratitude("One more", "", existing=full), dict)


def test_nudges_rotate_through_the_list() -> None:
    people = [GratitudeEntry(i, f"P{i}") for i in range(1, 8)]
    first = names_for_nudge(people, seed=1)
    second = names_for_nudge(people, seed=2)
    assert len(first) == 3 and len({p.id for p in first}) == 3
    assert first != second
    assert names_for_nudge(people[:2], seed=5) and len(names_for_nudge(people[:2], seed=5)) == 2
    assert names_for_nudge([], seed=1) == []


# --- views --------------------------------------------------------------------------------------

HOSTILE = "<!channel> <@U0MAYA0004> & <https://evil.example|x> *bold*"


def summary(**overrides: Any) -> EventSummary:
    values: dict[str, Any] = {
        "event_id": 3,
        "user_id": "U0LENA0002",
        "company": HOSTILE,
        "kind": "interview",
        "starts_at": utc(2026, 3, 5, 13),
        "tz": BERLIN,
        "with_whom": HOSTILE,
        "partners": ("U0NOOR0001", "U0ARJUN003"),
    }
    values.update(overrides)
    return EventSummary(**values)


def mrkdwn(blocks: Any) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


@pytest.fixture
def blockkit() -> Any:
    return pytest.importorskip("bot.sandbox.standin.blockkit")


def test_every_view_validates_and_member_text_is_inert(blockkit: Any) -> None:
    now = utc(2026, 3, 6, 9)
    event = summary()
    answers = DebriefInput(
        rating=3,
        went_well=HOSTILE * 20,
        worries=HOSTILE,
        asked="",
        inner_critic=HOSTILE,
        evidence=HOSTILE,
        wants=HOSTILE,
        private=False,
    )
    plan = plan_reminders(starts_at=event.starts_at, tz=BERLIN, now=utc(2026, 3, 1))
    people = [GratitudeEntry(i, HOSTILE, HOSTILE) for i in range(1, 4)]
    messages = [
        views.confirmation(event, plan, tz=BERLIN),
        views.gratitude_nudge(event, people, total=10),
        views.gratitude_nudge(event, [], total=0),
        views.debrief_prompt(event),
        views.debrief_prompt(event, follow_up=True),
        views.debrief_message(event=event, answers=answers, in_thread=True),
        views.private_debrief_message(event=event, answers=answers),
        views.post_failed(1, "not_in_channel"),
        views.prompt_done(event, private=True),
    ]
    for text, blocks in messages:
        assert blockkit.validate_message(text=text, blocks=blocks) == []
        sent = text + mrkdwn(blocks)
        for dangerous in ("<!channel>", "<@U0MAYA0004>", "<https://evil"):
            assert dangerous not in sent
    for blocks in (
        views.list_message([event, summary(event_id=4)] * 10, tz=BERLIN, now=now),
        # The fullest list: every upcoming slot, every past slot, a note, both "more" lines.
        views.list_message(
            [event, summary(event_id=4)] * 10,
            tz=BERLIN,
            now=now,
            note=":wastebasket: Cancelled.",
            past=[PastEvent(event=event, rating=4), PastEvent(event=event)] * 10,
            past_total=40,
        ),
        views.help_blocks(),
    ):
        assert blockkit.validate_message(text="fallback", blocks=blocks) == []
        assert "<!channel>" not in mrkdwn(blocks)
    home = views.home_section([event] * 10, gratitude_count=4, now=now)
    assert blockkit.validate_view({"type": "home", "blocks": home}) == []
    modals = [
        views.event_modal(
            callback_id=views.CALLBACK_EVENT_NEW,
            searches=[(i, f"Company {i}") for i in range(150)],
            tz=BERLIN,
            now=now,
            private_metadata="{}",
        ),
        views.event_modal(
            callback_id=views.CALLBACK_EVENT_EDIT,
            searches=[],
            tz=BERLIN,
            now=now,
            private_metadata="{}",
            initial=event,
        ),
        views.debrief_modal(event=event, private_metadata="{}"),
        views.gratitude_modal(
            people=[GratitudeEntry(i, HOSTILE, HOSTILE) for i in range(1, 41)],
            version=2,
            private_metadata="{}",
        ),
        views.gratitude_modal(people=[], version=1, private_metadata="{}"),
    ]
    for modal in modals:
        assert blockkit.validate_view(modal) == []
        assert "<!channel>" not in mrkdwn(modal["blocks"])


def test_the_event_modal_shows_times_in_the_members_zone() -> None:
    event = summary(company="Globex", with_whom="")
    modal = views.event_modal(
        callback_id=views.CALLBACK_EVENT_EDIT,
        searches=[],
        tz=BERLIN,
        now=utc(2026, 3, 1, 9),
        private_metadata="{}",
        initial=event,
    )
    flat = json.dumps(modal)
    assert '"initial_date": "2026-03-05"' in flat and '"initial_time": "14:00"' in flat
    assert BERLIN in flat and "10:00 there now" in flat


def test_reading_the_forms_back() -> None:
    values = {
        "search": {"search": {"type": "static_select", "selected_option": {"value": "7"}}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "negotiation"}}},
        "date": {"date": {"type": "datepicker", "selected_date": "2026-03-05"}},
        "time": {"time": {"type": "timepicker", "selected_time": "09:30"}},
        "partners": {"partners": {"type": "multi_users_select", "selected_users": ["U2"]}},
    }
    read = views.read_event_form(values)
    assert (read.search_id, read.kind, read.date, read.time, tuple(read.partners)) == (
        "7",
        "negotiation",
        "2026-03-05",
        "09:30",
        ("U2",),
    )
    debrief = views.read_debrief_form(
        {
            "rating": {"rating": {"type": "radio_buttons", "selected_option": {"value": "4"}}},
            "private": {
                "private": {"type": "checkboxes", "selected_options": [{"value": "private"}]}
            },
        }
    )
    assert debrief.rating == "4" and debrief.private
