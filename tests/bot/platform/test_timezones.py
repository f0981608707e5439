"""Wall-clock intentions to UTC and back, DST-safe, in explicit cases and over every zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.platform.timezones import (
    format_local,
    local_now,
    out_of_quiet_hours,
    to_utc,
    valid_tz,
    wall_time_exists,
)

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"
ZONES = sorted(available_timezones())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def wall(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


# --- explicit DST cases ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "clock", "expected"),
    [
        # An ordinary morning on either side of the change keeps its wall time.
        (NEW_YORK, date(2025, 3, 8), time(9), utc(2025, 3, 8, 14)),  # EST, UTC-5
        (NEW_YORK, date(2025, 3, 10), time(9), utc(2025, 3, 10, 13)),  # EDT, UTC-4
        (BERLIN, date(2025, 3, 29), time(9), utc(2025, 3, 29, 8)),  # CET
        (BERLIN, date(2025, 3, 31), time(9), utc(2025, 3, 31, 7)),  # CEST
        # Spring forward: 02:30 does not exist; the first instant that does is 03:00.
        (NEW_YORK, date(2025, 3, 9), time(2, 30), utc(2025, 3, 9, 7)),  # 03:00 EDT
        (BERLIN, date(2025, 3, 30), time(2, 30), utc(2025, 3, 30, 1)),  # 03:00 CEST
        (NEW_YORK, date(2025, 3, 9), time(2, 0), utc(2025, 3, 9, 7)),
        (NEW_YORK, date(2025, 3, 9), time(3, 0), utc(2025, 3, 9, 7)),
        # Fall back: 01:30 (New York) / 02:30 (Berlin) happen twice; the first counts.
        (NEW_YORK, date(2025, 11, 2), time(1, 30), utc(2025, 11, 2, 5, 30)),  # EDT
        (BERLIN, date(2025, 10, 26), time(2, 30), utc(2025, 10, 26, 0, 30)),  # CEST
        # After the overlap, standard time.
        (NEW_YORK, date(2025, 11, 2), time(9), utc(2025, 11, 2, 14)),
        (BERLIN, date(2025, 10, 26), time(9), utc(2025, 10, 26, 8)),
    ],
)
def test_to_utc_explicit_dst_cases(tz: str, day: date, clock: time, expected: datetime) -> None:
    assert to_utc(day, clock, tz) == expected


def test_a_skipped_day_moves_to_the_first_instant_after_it() -> None:
    # Samoa skipped 30 December 2011 entirely (UTC-10 -> UTC+14).
    result = to_utc(date(2011, 12, 30), time(9), "Pacific/Apia")
    assert wall(result, "Pacific/Apia") == datetime(2011, 12, 31, 0, 0)


def test_wall_time_exists() -> None:
    assert not wall_time_exists(datetime(2025, 3, 9, 2, 30), NEW_YORK)
    assert wall_time_exists(datetime(2025, 11, 2, 1, 30), NEW_YORK)
    assert wall_time_exists(datetime(2025, 3, 9, 3, 0), NEW_YORK)


@pytest.mark.parametrize(
    ("tz", "when", "expected"),
    [
        # 22:30 local moves to 08:00 the next morning.
        (BERLIN, utc(2026, 3, 3, 21, 30), utc(2026, 3, 4, 7)),
        # 06:00 local moves to 08:00 the same morning.
        (BERLIN, utc(2026, 3, 3, 5), utc(2026, 3, 3, 7)),
        # Exactly 21:00 is quiet; exactly 08:00 is not; midday is left alone.
        (BERLIN, utc(2026, 3, 3, 20), utc(2026, 3, 4, 7)),
        (BERLIN, utc(2026, 3, 3, 7), utc(2026, 3, 3, 7)),
        (BERLIN, utc(2026, 3, 3, 11, 15), utc(2026, 3, 3, 11, 15)),
        # Across the spring-forward night: 23:00 EST -> 08:00 EDT (12:00 UTC, not 13:00).
        (NEW_YORK, utc(2025, 3, 9, 4), utc(2025, 3, 9, 12)),
        # Across the fall-back night: 22:00 EDT -> 08:00 EST (13:00 UTC).
        (NEW_YORK, utc(2025, 11, 2, 2), utc(2025, 11, 2, 13)),
        # Berlin's nights of change too.
        (BERLIN, utc(2025, 3, 29, 22), utc(2025, 3, 30, 6)),
        (BERLIN, utc(2025, 10, 25, 21), utc(2025, 10, 26, 7)),
    ],
)
def test_out_of_quiet_hours(tz: str, when: datetime, expected: datetime) -> None:
    result = out_of_quiet_hours(when, tz)
    assert result == expected
    assert wall(result, tz).time() >= time(8) or result == when


def test_out_of_quiet_hours_with_a_window_that_does_not_wrap() -> None:
    lunch = {"start": time(12), "end": time(13)}
    assert out_of_quiet_hours(utc(2026, 3, 3, 12, 30), "UTC", **lunch) == utc(2026, 3, 3, 13)
    assert out_of_quiet_hours(utc(2026, 3, 3, 13), "UTC", **lunch) == utc(2026, 3, 3, 13)
    same = {"start": time(8), "end": time(8)}  # no quiet hours at all
    assert out_of_quiet_hours(utc(2026, 3, 3, 3), "UTC", **same) == utc(2026, 3, 3, 3)


def test_format_local() -> None:
    assert format_local(utc(2026, 3, 3, 8), BERLIN) == "Tue 3 Mar, 09:00 CET"
    assert format_local(utc(2026, 7, 14, 13, 5), NEW_YORK) == "Tue 14 Jul, 09:05 EDT"
    assert format_local(utc(2026, 3, 3, 8), "Not/AZone") == "Tue 3 Mar, 08:00 UTC"


def test_valid_tz_falls_back_to_utc() -> None:
    assert valid_tz(BERLIN) == BERLIN
    for bad in ("Nowhere/Else", "", None, "../../etc/passwd", "Europe/"):
        assert valid_tz(bad) == "UTC"
    assert to_utc(date(2026, 3, 3), time(9), "Nowhere/Else") == utc(2026, 3, 3, 9)


def test_local_now_and_naive_input() -> None:
    now = local_now(BERLIN, utc(2026, 3, 3, 23, 30))
    assert (now.date(), now.hour, now.utcoffset()) == (date(2026, 3, 4), 0, timedelta(hours=1))
    with pytest.raises(ValueError):
        local_now(BERLIN, datetime(2026, 3, 3))
    with pytest.raises(ValueError):
        out_of_quiet_hours(datetime(2026, 3, 3), BERLIN)


def test_tomorrow_at_nine_with_a_frozen_now() -> None:
    # Saturday 22:00 in New York, the night the clocks spring forward.
    frozen = datetime(2025, 3, 8, 22, 0, tzinfo=ZoneInfo(NEW_YORK))
    with time_machine.travel(frozen, tick=False):
        here = local_now(NEW_YORK, datetime.now(UTC))
        tomorrow_nine = to_utc(here.date() + timedelta(days=1), time(9), NEW_YORK)
        in_four_hours = datetime.now(UTC) + timedelta(hours=4)  # relative: plain UTC
    assert tomorrow_nine == utc(2025, 3, 9, 13)  # 09:00 EDT
    assert tomorrow_nine - frozen == timedelta(hours=10)  # 11 wall-clock hours, 10 real
    # Four real hours after 22:00 EST is 03:00 EDT: the wall clock skipped 02:00-03:00.
    assert in_four_hours - frozen == timedelta(hours=4)
    assert wall(in_four_hours, NEW_YORK) == datetime(2025, 3, 9, 3, 0)


# --- every zone --------------------------------------------------------------------------

zones = st.sampled_from(ZONES)
local_datetimes = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2037, 12, 31))
instants = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2037, 12, 30), timezones=st.just(UTC)
)


@cache
def transitions(zone: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants in `year` when the zone's offset changes (weekly scan, bisected)."""
    tz = ZoneInfo(zone)
    found = []
    step = datetime(year, 1, 1, tzinfo=UTC)
    while step.year == year:
        following = step + timedelta(days=7)
        if step.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            low, high = step, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(tz).utcoffset() == high.astimezone(tz).utcoffset():
                    high = middle
                else:
                    low = middle
            found.append(high)
        step = following
    return tuple(found)


@st.composite
def near_transitions(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a wall time within two hours of one of its offset changes (gaps, overlaps)."""
    zone = draw(zones)
    year = draw(st.integers(1970, 2037))
    changes = transitions(zone, year)
    if not changes:
        return zone, draw(local_datetimes)
    change = draw(st.sampled_from(changes))
    wall_before = (change - timedelta(seconds=1)).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    shift = draw(st.integers(-120 * 60, 120 * 60))
    return zone, wall_before + timedelta(seconds=shift + 1)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=zones, local=local_datetimes)
def test_to_utc_round_trips_the_wall_time_when_it_exists(zone: str, local: datetime) -> None:
    check_round_trip(zone, local)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=near_transitions())
def test_to_utc_round_trips_near_offset_changes(case: tuple[str, datetime]) -> None:
    check_round_trip(*case)


def check_round_trip(zone: str, local: datetime) -> None:
    result = to_utc(local.date(), local.time(), zone)
    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)
    back = result.astimezone(ZoneInfo(zone))
    if wall_time_exists(local, zone):
        assert back.replace(tzinfo=None) == local
        assert back.fold == 0  # the first occurrence
    else:
        # In a gap: moved forward to the first instant that exists, nothing in between.
        assert back.replace(tzinfo=None) > local
        just_before = (result - timedelta(seconds=1)).astimezone(ZoneInfo(zone))
        assert just_before.replace(tzinfo=None) < local


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=zones, when=instants)
def test_quiet_hours_output_is_never_between_21_and_8_local(zone: str, when: datetime) -> None:
    check_quiet_hours(zone, when)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=near_transitions(), evening=st.booleans())
def test_quiet_hours_near_offset_changes(case: tuple[str, datetime], evening: bool) -> None:
    zone, local = case
    # The night before a change, or the change itself: both move across it.
    moment = to_utc(local.date(), local.time(), zone)
    if evening:
        moment -= timedelta(hours=6)
    check_quiet_hours(zone, moment)


def check_quiet_hours(zone: str, when: datetime) -> None:
    result = out_of_quiet_hours(when, zone)
    local = result.astimezone(ZoneInfo(zone)).time()
    assert not (local >= time(21) or local < time(8))
    assert result >= when
    # At most the 11 wall-clock hours from 21:00 to 08:00, plus any offset change between.
    tz = ZoneInfo(zone)
    offset_change = abs(result.astimezone(tz).utcoffset() - when.astimezone(tz).utcoffset())  # type: ignore[operator]
    assert result - when <= timedelta(hours=11) + offset_change
    before = when.astimezone(ZoneInfo(zone)).time()
    if time(8) <= before < time(21):
        assert result == when
