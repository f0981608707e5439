"""Rules for feedback requests: deadlines in the author's zone, nudge times, who is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.features.feedback_requests.rules import (
    DeadlineProblem,
    members_to_ask,
    nudge_time,
    parse_deadline,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_deadline_is_read_in_the_authors_zone() -> None:
    deadline = parse_deadline(day="2026-11-27", at="18:00", tz="Europe/Berlin", now=NOW)
    assert deadline == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def test_a_past_deadline_is_a_problem_on_the_date() -> None:
    problem = parse_deadline(day="2026-11-25", at="09:00", tz="UTC", now=NOW)
    assert isinstance(problem, DeadlineProblem) and problem.field == "date"


def test_a_deadline_within_the_hour_is_too_soon() -> None:
    problem = parse_deadline(day="2026-11-25", at="15:30", tz="UTC", now=NOW)
    assert isinstance(problem, DeadlineProblem) and problem.field == "time"


def test_missing_date_or_time_is_a_problem() -> None:
    assert isinstance(parse_deadline(day=None, at="10:00", tz="UTC", now=NOW), DeadlineProblem)
    assert isinstance(parse_deadline(day="2026-11-27", at=None, tz="UTC", now=NOW), DeadlineProblem)


def test_nudge_goes_a_day_before_when_that_is_daytime() -> None:
    deadline = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    assert nudge_time(now=NOW, deadline=deadline, tz="Europe/London") == deadline - timedelta(
        days=1
    )


def test_a_night_nudge_moves_to_eight_in_the_morning() -> None:
    deadline = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # a day before: midnight in Berlin
    when = nudge_time(now=NOW, deadline=deadline, tz="Europe/Berlin")
    assert when is not None
    assert when.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d %H:%M") == "28 08:00"


def test_no_nudge_when_no_daytime_slot_is_left() -> None:
    # Deadline at 07:00 Berlin; halfway falls at night and 08:00 comes after the deadline.
    now = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    deadline = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert nudge_time(now=now, deadline=deadline, tz="Europe/Berlin") is None


@given(
    hours_ahead=st.integers(min_value=2, max_value=24 * 20),
    tz=st.sampled_from(
        ["Asia/Kolkata", "America/Los_Angeles", "Pacific/Auckland", "Europe/Berlin", "UTC"]
    ),
)
def test_a_nudge_is_never_at_night_and_always_before_the_deadline(
    hours_ahead: int, tz: str
) -> None:
    deadline = NOW + timedelta(hours=hours_ahead)
    when = nudge_time(now=NOW, deadline=deadline, tz=tz)
    if when is not None:
        local = when.astimezone(ZoneInfo(tz))
        assert 8 <= local.hour < 21
        assert NOW <= when < deadline


def test_nobody_chosen_asks_everyone_but_the_author_and_the_bot() -> None:
    asked, outsiders = members_to_ask(
        chosen=[], channel_members=["A", "B", "BOT", "C"], author="A", bot_user="BOT"
    )
    assert asked == ["B", "C"] and outsiders == []


def test_chosen_people_outside_the_channel_are_reported_not_asked() -> None:
    asked, outsiders = members_to_ask(
        chosen=["B", "X", "A"], channel_members=["A", "B"], author="A", bot_user=None
    )
    assert asked == ["B"] and outsiders == ["X"]
