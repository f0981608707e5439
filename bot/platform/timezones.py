"""Time-zone rules: local wall-clock intentions to UTC instants and back. No Slack here.

Every stored time is UTC. A member's intention such as "remind me at 9:00" is a *wall
time* in their IANA zone and is converted with `zoneinfo` on the day it applies, so it
stays 9:00 across daylight-saving changes. Relative delays ("in 2 hours", "in 30
minutes") are plain UTC arithmetic and need nothing from this module.

DST rules, explicit:
- a wall time that does not exist (the spring-forward gap, e.g. 02:30 in New York on the
  second Sunday of March) moves forward to the first instant that exists, the end of the
  gap (03:00 local);
- a wall time that happens twice (the fall-back overlap, e.g. 01:30) means the first
  occurrence (PEP 495 fold=0).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "UTC"
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=1024)
def valid_tz(name: str | None) -> str:
    """`name` when it is a zone this machine knows, else "UTC" (Slack can send odd values)."""
    if not name or not isinstance(name, str):
        return DEFAULT_TZ
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return DEFAULT_TZ
    return name


def zone(tz_name: str | None) -> tzinfo:
    return ZoneInfo(valid_tz(tz_name))


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC)")


def wall_time_exists(local: datetime, tz_name: str) -> bool:
    """Whether the naive wall time `local` happens at all in the zone (not in a DST gap)."""
    tz = zone(tz_name)
    naive = local.replace(tzinfo=None)
    there = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return there.replace(tzinfo=None) == naive


def to_utc(local_date: date, local_time: time, tz_name: str | None) -> datetime:
    """The UTC instant of wall time `local_time` on `local_date` in the zone; DST-safe.

    A tzinfo on `local_time` is ignored: the zone is `tz_name`.
    """
    tz = zone(tz_name)
    naive = datetime.combine(local_date, local_time.replace(tzinfo=None))
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists; fold=0 is the first of two occurrences in an overlap
    return _end_of_gap(naive, tz)


def _end_of_gap(naive: datetime, tz: tzinfo) -> datetime:
    """The first instant that exists after a wall time that falls in a gap.

    Reading the gap time with the offset before the transition (fold=0) and with the
    offset after it (fold=1) gives two instants with the transition between them (the
    later offset is the larger one in a gap). Transitions fall on whole seconds, so a
    binary search over seconds finds it exactly.
    """
    with_old = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    with_new = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    target = with_old.astimezone(tz).utcoffset()  # the offset after the transition
    low = math.floor(min(with_old, with_new).timestamp())
    high = math.ceil(max(with_old, with_new).timestamp())
    # Invariant: the offset at `high` is the new one, at `low` it is not.
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def local_now(tz: str | None, now_utc: datetime) -> datetime:
    """`now_utc` as an aware datetime in the zone."""
    _require_aware(now_utc, "now_utc")
    return now_utc.astimezone(zone(tz))


def _is_quiet(wall: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start > end:  # wraps midnight, the usual 21:00-08:00
        return wall >= start or wall < end
    return start <= wall < end


def out_of_quiet_hours(
    when_utc: datetime,
    tz_name: str | None,
    *,
    start: time = QUIET_START,
    end: time = QUIET_END,
) -> datetime:
    """`when_utc` unchanged, or moved to `end` local time when it falls in quiet hours.

    With the defaults, 22:30 moves to 08:00 the next morning and 06:00 to 08:00 the same
    morning. Never earlier than `when_utc`. DST-safe: 08:00 is computed as wall time on
    the day it applies (and a missing 08:00, in a zone that skips it, becomes the first
    instant that exists).
    """
    _require_aware(when_utc, "when_utc")
    tz = zone(tz_name)
    result = when_utc.astimezone(UTC)
    for _ in range(4):  # a skipped day (Pacific/Apia 2011) needs a second step
        local = result.astimezone(tz)
        wall = local.time().replace(tzinfo=None)
        if not _is_quiet(wall, start, end):
            return result
        day = local.date()
        if start > end and wall >= start:
            day += timedelta(days=1)
        result = max(to_utc(day, end, valid_tz(tz_name)), result)
    return result


def format_local(when_utc: datetime, tz_name: str | None) -> str:
    """A short, locale-independent local rendering, e.g. "Tue 3 Mar, 09:00 CET"."""
    _require_aware(when_utc, "when_utc")
    local = when_utc.astimezone(zone(tz_name))
    abbreviation = local.tzname() or valid_tz(tz_name)
    return (
        f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}, "
        f"{local.hour:02d}:{local.minute:02d} {abbreviation}"
    )
