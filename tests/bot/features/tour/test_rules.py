"""The Listening Tour's rules without Slack: validation, progress, the thanks reminder's time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features.tour.rules import (
    FIELD_DATE,
    FIELD_HEARD,
    FIELD_KIND,
    FIELD_NAME,
    FIELD_TAKEAWAY,
    TARGET,
    ConversationInput,
    Progress,
    RawConversation,
    member_today,
    month_later,
    monthly_due,
    parse_target,
    snoozed_until,
    thanks_dedupe_key,
    thanks_time,
    validate_conversation,
)

BERLIN = "Europe/Berlin"
TODAY = date(2026, 3, 10)


def raw(**changes: object) -> RawConversation:
    values: dict[str, object] = {
        "name": "  Sam   Okafor ",
        "kind": "network",
        "held_on": "2026-03-09",
        "heard": "Go where the problem is hard.\r\nNot where it is easy.",
        "takeaway": " Look at infrastructure teams ",
        "thanks": True,
    }
    values.update(changes)
    return RawConversation(**values)  # type: ignore[arg-type]


def test_a_valid_conversation_is_cleaned() -> None:
    checked = validate_conversation(raw(), today=TODAY)
    assert checked == ConversationInput(
        name="Sam Okafor",
        kind="network",
        held_on=date(2026, 3, 9),
        heard="Go where the problem is hard.\nNot where it is easy.",
        takeaway="Look at infrastructure teams",
        thanks=True,
    )


def test_today_is_fine_and_what_was_heard_is_optional() -> None:
    checked = validate_conversation(raw(held_on=TODAY.isoformat(), heard=None), today=TODAY)
    assert isinstance(checked, ConversationInput) and checked.heard == ""


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"name": ""}, FIELD_NAME, "Who did you talk to"),
        ({"name": "\u200b\u2060"}, FIELD_NAME, "Who did you talk to"),
        ({"name": "n" * 81}, FIELD_NAME, "80 characters (81 now)"),
        ({"name": "Sam\x00"}, FIELD_NAME, "hidden character"),
        ({"kind": "friend"}, FIELD_KIND, "which kind"),
        ({"kind": None}, FIELD_KIND, "which kind"),
        ({"held_on": "2026-03-11"}, FIELD_DATE, "in the future"),
        ({"held_on": "yesterday"}, FIELD_DATE, "the day you talked"),
        ({"held_on": None}, FIELD_DATE, "the day you talked"),
        ({"heard": "h" * 2001}, FIELD_HEARD, "2000 characters"),
        ({"takeaway": ""}, FIELD_TAKEAWAY, "One line"),
        ({"takeaway": "t" * 201}, FIELD_TAKEAWAY, "200 characters"),
    ],
)
def test_bad_input_is_an_error_by_field(changes: dict[str, object], field: str, says: str) -> None:
    errors = validate_conversation(raw(**changes), today=TODAY)
    assert isinstance(errors, dict) and set(errors) == {field}
    assert says in errors[field]


def test_every_bad_field_is_reported_at_once() -> None:
    errors = validate_conversation(
        RawConversation(held_on="2030-01-01", heard="x" * 2001), today=TODAY
    )
    assert isinstance(errors, dict)
    assert set(errors) == {FIELD_NAME, FIELD_KIND, FIELD_DATE, FIELD_HEARD, FIELD_TAKEAWAY}


def test_progress_counts_kinds_and_suggests_the_cmf_two_before_the_target() -> None:
    assert TARGET == 12
    progress = Progress(counts={"reverse_exit": 4, "network": 5})
    assert progress.total == 9 and progress.count_of("recruiter") == 0
    assert not progress.suggest_cmf
    assert Progress(counts={"network": 10}).suggest_cmf
    assert not Progress(counts={"network": 11}).reached and Progress(counts={"x": 12}).reached


def test_the_members_today_is_in_their_zone() -> None:
    late = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 00:30 on the 10th in Berlin
    assert member_today(BERLIN, late) == date(2026, 3, 10)
    assert member_today("America/Los_Angeles", late) == date(2026, 3, 9)


def _local(when: datetime) -> datetime:
    return when.astimezone(ZoneInfo(BERLIN))


def test_thanks_come_a_day_later_at_the_same_wall_time_across_dst() -> None:
    # Sat 28 March 2026, 15:00 CET; the clocks go forward that night.
    logged = datetime(2026, 3, 28, 14, 0, tzinfo=UTC)
    due = _local(thanks_time(logged, tz=BERLIN))
    assert (due.date(), due.hour, due.minute) == (date(2026, 3, 29), 15, 0)
    assert due.utcoffset() != _local(logged).utcoffset()


@pytest.mark.parametrize(
    ("logged_local", "due_local"),
    [
        (datetime(2026, 3, 10, 22, 30), datetime(2026, 3, 12, 8, 0)),  # 22:30 is quiet
        (datetime(2026, 3, 10, 6, 15), datetime(2026, 3, 11, 8, 0)),  # 06:15 is quiet
        (datetime(2026, 3, 10, 20, 59), datetime(2026, 3, 11, 20, 59)),
    ],
)
def test_thanks_are_never_due_in_quiet_hours(logged_local: datetime, due_local: datetime) -> None:
    logged = logged_local.replace(tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)
    due = _local(thanks_time(logged, tz=BERLIN))
    assert due.replace(tzinfo=None) == due_local


def test_one_thanks_reminder_per_conversation() -> None:
    assert thanks_dedupe_key(7) == thanks_dedupe_key(7) != thanks_dedupe_key(8)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # the month's last day when it is shorter
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # across the year
        (date(2026, 3, 10), date(2026, 4, 10)),
    ],
)
def test_a_month_later_is_the_same_day_or_the_months_last(day: date, expected: date) -> None:
    assert month_later(day) == expected


def test_the_monthly_prompt_is_at_ten_in_the_members_zone_across_dst() -> None:
    logged = datetime(2026, 3, 10, 21, 30, tzinfo=UTC)  # 22:30 in Berlin (CET)
    due = monthly_due(logged, tz=BERLIN).astimezone(ZoneInfo(BERLIN))
    assert (due.date(), due.hour, due.minute) == (date(2026, 4, 10), 10, 0)  # CEST by then
    again = snoozed_until(datetime(2026, 4, 10, 8, 0, tzinfo=UTC), tz=BERLIN)
    local = again.astimezone(ZoneInfo(BERLIN))
    assert (local.date(), local.hour) == (date(2026, 4, 17), 10)


@pytest.mark.parametrize(("words", "expected"), [(("12",), 12), (("3",), 3), (("40",), 40)])
def test_a_target_between_three_and_forty_is_taken(words: tuple[str, ...], expected: int) -> None:
    assert parse_target(words) == expected


@pytest.mark.parametrize("words", [(), ("0",), ("2",), ("41",), ("-5",), ("twelve",)])
def test_any_other_target_is_explained(words: tuple[str, ...]) -> None:
    said = parse_target(words)
    assert isinstance(said, str) and "between 3 and 40" in said
