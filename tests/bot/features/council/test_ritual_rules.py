"""The council's rhythm without Slack: when meetings fall (DST-safe), when each member hears
of one (never in their quiet hours), time boxes that sum to the meeting, the setup form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.features.council.ritual_rules import (
    FIELD_DATE,
    FIELD_LEAD,
    FIELD_LENGTH,
    FIELD_LINK,
    FIELD_MODERATOR,
    FIELD_NAME,
    FIELD_RHYTHM,
    FIELD_TIME,
    FIELD_WEEKDAYS,
    MEETING_ZERO_SECTIONS,
    SECTIONS,
    Rhythm,
    RitualInput,
    checkin_due,
    is_away,
    next_meeting,
    nudge_due,
    parse_until,
    rhythm_days,
    roster_due,
    time_boxes,
    validate_setup,
)
from bot.platform.timezones import to_utc

BERLIN = "Europe/Berlin"


def test_slow_meets_every_other_week_at_the_same_wall_time_across_dst() -> None:
    # 2026-10-25: Berlin leaves summer time. Tuesday 20 Oct, then Tuesday 3 Nov, 18:00.
    rhythm = Rhythm((1,), 2, time(18, 0), date(2026, 10, 20), BERLIN)
    first = next_meeting(rhythm, after=datetime(2026, 10, 1, tzinfo=UTC))
    assert first == datetime(2026, 10, 20, 16, 0, tzinfo=UTC)  # CEST, UTC+2
    second = next_meeting(rhythm, after=first)
    assert second == datetime(2026, 11, 3, 17, 0, tzinfo=UTC)  # CET, UTC+1
    assert second is not None
    assert second.astimezone(ZoneInfo(BERLIN)).time() == time(18, 0)


def test_fast_meets_twice_a_week() -> None:
    days, weeks = rhythm_days("fast", [], date(2026, 12, 7))  # a Monday
    assert days == (0, 3) and weeks == 1
    assert rhythm_days("fast", [1, 4], date(2026, 12, 7)) == ((1, 4), 1)
    assert rhythm_days("slow", [1, 4], date(2026, 12, 7)) == ((0,), 2)
    rhythm = Rhythm(days, weeks, time(9, 0), date(2026, 12, 7), BERLIN)
    starts = []
    after = datetime(2026, 12, 1, tzinfo=UTC)
    for _ in range(4):
        found = next_meeting(rhythm, after=after)
        assert found is not None
        starts.append(found.astimezone(ZoneInfo(BERLIN)).date())
        after = found
    assert starts == [date(2026, 12, 7), date(2026, 12, 10), date(2026, 12, 14), date(2026, 12, 17)]


def test_a_custom_interval_counts_weeks_from_the_first_date() -> None:
    rhythm = Rhythm((2,), 3, time(12, 0), date(2026, 12, 2), BERLIN)  # Wednesdays, every 3
    found = next_meeting(rhythm, after=to_utc(date(2026, 12, 2), time(12, 0), BERLIN))
    assert found == to_utc(date(2026, 12, 23), time(12, 0), BERLIN)


@pytest.mark.parametrize(
    ("tz", "expected_local"),
    [
        ("Europe/Berlin", time(18, 0)),  # 24 h before is fine
        ("Asia/Kolkata", time(8, 0)),  # 22:30 the evening before: moved to 08:00
    ],
)
def test_the_checkin_dm_avoids_quiet_hours(tz: str, expected_local: time) -> None:
    start = to_utc(date(2026, 12, 10), time(18, 0), BERLIN)
    due = checkin_due(start, tz)
    assert due.astimezone(ZoneInfo(tz)).time() == expected_local
    assert due <= start - timedelta(hours=4)


def test_a_nudge_that_quiet_hours_would_push_past_the_meeting_goes_the_evening_before() -> None:
    # 18:00 in Berlin is 02:00 in Tokyo: 3 h before is 23:00 there, and 08:00 would be after
    # the meeting, so the nudge goes at 20:00 the evening before; the check-in at 08:00.
    start = to_utc(date(2026, 12, 10), time(18, 0), BERLIN)
    tokyo = ZoneInfo("Asia/Tokyo")
    due = checkin_due(start, "Asia/Tokyo")
    assert due.astimezone(tokyo) == datetime(2026, 12, 10, 8, 0, tzinfo=tokyo)
    nudge = nudge_due(start, "Asia/Tokyo", checkin_at=due)
    assert nudge is not None and nudge.astimezone(tokyo) == datetime(
        2026, 12, 10, 20, 0, tzinfo=tokyo
    )


def test_one_nudge_hours_before_out_of_quiet_hours() -> None:
    start = to_utc(date(2026, 12, 10), time(18, 0), BERLIN)
    la = "America/Los_Angeles"
    due = checkin_due(start, la)
    nudge = nudge_due(start, la, checkin_at=due)
    assert nudge is not None and nudge.astimezone(ZoneInfo(la)).time() == time(8, 0)
    assert nudge_due(start, BERLIN, checkin_at=checkin_due(start, BERLIN)) == start - timedelta(
        hours=3
    )
    # No time fits between a late check-in and half an hour before: no nudge.
    assert nudge_due(start, BERLIN, checkin_at=start - timedelta(hours=2)) is None


@pytest.mark.parametrize("length", [1, 2, 5, 15, 45, 60, 89, 90, 120, 240])
def test_time_boxes_sum_to_the_meeting(length: int) -> None:
    for sections in (SECTIONS, MEETING_ZERO_SECTIONS):
        boxes = time_boxes(length, sections)
        assert sum(n for _title, n in boxes) == length
        assert all(n > 0 for _title, n in boxes)
    assert time_boxes(60, SECTIONS)[0][0] == "Check-in round"


NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def _values(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        FIELD_NAME: "Our council",
        FIELD_RHYTHM: "custom",
        FIELD_WEEKDAYS: ["3"],
        "ritual_interval": "2",
        FIELD_TIME: "18:30",
        FIELD_DATE: "2026-12-10",
        FIELD_LENGTH: "75",
        FIELD_MODERATOR: "U0LENA0002",
        FIELD_LINK: "https://meet.example.org/x",
    }
    values.update(overrides)
    return values


def test_a_valid_setup() -> None:
    result = validate_setup(_values(), tz=BERLIN, now=NOW)
    assert result == RitualInput(
        name="Our council",
        rhythm="custom",
        weekdays=(3,),
        interval_weeks=2,
        meeting_time=time(18, 30),
        first_date=date(2026, 12, 10),
        length_minutes=75,
        moderator_id="U0LENA0002",
        video_link="https://meet.example.org/x",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({FIELD_LENGTH: "0"}, FIELD_LENGTH),
        ({FIELD_LENGTH: "241"}, FIELD_LENGTH),
        ({FIELD_LENGTH: "-5"}, FIELD_LENGTH),
        ({FIELD_WEEKDAYS: []}, FIELD_WEEKDAYS),
        ({FIELD_LINK: "http://meet.example.org"}, FIELD_LINK),
        ({FIELD_LINK: "javascript:alert(1)"}, FIELD_LINK),
        ({FIELD_NAME: "\u200b"}, FIELD_NAME),
        ({FIELD_MODERATOR: ""}, FIELD_MODERATOR),
        ({FIELD_DATE: "2026-12-01"}, FIELD_DATE),
        ({FIELD_DATE: "2026-12-03", FIELD_TIME: "08:30"}, FIELD_TIME),  # 07:30 UTC passed
        ({FIELD_LEAD: "5"}, FIELD_LEAD),  # not one of the offered leads
        ({FIELD_LEAD: "a day"}, FIELD_LEAD),
    ],
)
def test_bad_setup_input_names_its_field(overrides: dict[str, object], field: str) -> None:
    result = validate_setup(_values(**overrides), tz=BERLIN, now=NOW)
    assert isinstance(result, dict) and field in result


def test_the_checkin_lead_is_the_setups_choice_and_still_avoids_quiet_hours() -> None:
    for raw, hours in (("6", 6), ("48", 48), (None, 24)):  # None: an older form, the default
        result = validate_setup(_values(**{FIELD_LEAD: raw}), tz=BERLIN, now=NOW)
        assert isinstance(result, RitualInput) and result.checkin_lead_hours == hours
    start = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)  # 18:00 Berlin
    assert checkin_due(start, BERLIN, lead_hours=6) == start - timedelta(hours=6)
    assert checkin_due(start, BERLIN, lead_hours=48) == start - timedelta(hours=48)
    # 12 h before 18:00 Berlin is 06:00 there: moved to 08:00, still ten hours to answer.
    assert checkin_due(start, BERLIN, lead_hours=12) == start - timedelta(hours=10)
    assert roster_due(start, 6) == start - timedelta(hours=8)


def test_pause_dates_and_away() -> None:
    today = date(2026, 12, 3)
    assert parse_until([], today=today) is None
    assert parse_until(["until", "2026-12-24"], today=today) == date(2026, 12, 24)
    assert isinstance(parse_until(["24/12"], today=today), str)
    assert isinstance(parse_until(["2026-12-01"], today=today), str)
    assert is_away("paused", date(2026, 12, 24), on=date(2026, 12, 24))
    assert not is_away("paused", date(2026, 12, 24), on=date(2026, 12, 25))
    assert is_away("paused", None, on=date(2030, 1, 1))
    assert is_away("landed", None, on=today)
    assert not is_away(None, None, on=today)


def test_drift_is_two_quiet_meetings_in_a_row_once_per_quiet_spell() -> None:
    from bot.features.council.ritual_rules import drifting

    assert drifting([{"a", "b"}]) == set()  # one meeting is no pattern
    assert drifting([{"a", "b"}, {"b", "c"}]) == {"b"}
    assert drifting([{"a", "b"}, {"b", "c"}, {"c"}]) == {"b"}
    assert drifting([{"b"}, {"b"}, {"b"}]) == set()  # told already, a meeting ago


def test_notes_and_action_items() -> None:
    from bot.features.council.ritual_rules import (
        NOTES_FIELD,
        NotesInput,
        action_item_due,
        validate_notes,
    )

    assert NOTES_FIELD in validate_notes({})  # nothing at all
    errors = validate_notes({"item_task_2": "Do it"})
    assert isinstance(errors, dict) and "item_owner_2" in errors
    errors = validate_notes({"item_owner_1": "U1"})
    assert isinstance(errors, dict) and "item_task_1" in errors
    assert validate_notes(
        {NOTES_FIELD: "Good one", "item_owner_3": "U3", "item_task_3": " Go "}
    ) == (NotesInput("Good one", (("U3", "Go"),)))
    start = to_utc(date(2026, 12, 10), time(18, 0), BERLIN)
    now = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    due = action_item_due(start, after=now, tz="Asia/Kolkata")
    assert due.astimezone(ZoneInfo("Asia/Kolkata")) == datetime(
        2026, 12, 9, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")
    )
    assert action_item_due(None, after=now, tz=BERLIN) == to_utc(
        date(2026, 12, 9), time(10, 0), BERLIN
    )
    late = start - timedelta(hours=1)
    assert action_item_due(start, after=late, tz=BERLIN) == late  # never in the past
