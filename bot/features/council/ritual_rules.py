"""The council's rhythm as a domain: setup, when meetings fall, when each member hears of
one, the agenda's time boxes, who is away. No Slack here.

From the method (*Never Search Alone*): fast seekers (out of work) meet about twice a week,
slow seekers (searching while employed) about every two weeks; a good meeting opens with a
check-in round and keeps time boxes; members stay until they land.

Times: the meeting's wall time is kept in the zone it was typed in (the organiser's), and
each occurrence is computed with `to_utc` on its own day, so it stays 18:30 across
daylight-saving changes. Each member hears of it in their own zone, never in their quiet
hours (21:00-08:00).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.features.text import multiline, one_line, unstorable
from bot.platform.timezones import QUIET_START, out_of_quiet_hours, to_utc, zone

# Mirrors storage.rituals' values, for handlers (which do not import storage).
MEETING_SCHEDULED = "scheduled"
MEETING_POSTED = "posted"
STATE_PAUSED = "paused"
STATE_LANDED = "landed"

RHYTHM_FAST = "fast"
RHYTHM_SLOW = "slow"
RHYTHM_CUSTOM = "custom"
RHYTHMS = (RHYTHM_FAST, RHYTHM_SLOW, RHYTHM_CUSTOM)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

LENGTH_MAX = 240
NAME_MAX = 80
LINK_MAX = 500
INTERVAL_MAX = 4

# Form fields (block ids; each input's action id is the same).
FIELD_NAME = "ritual_name"
FIELD_RHYTHM = "ritual_rhythm"
FIELD_WEEKDAYS = "ritual_weekdays"
FIELD_INTERVAL = "ritual_interval"
FIELD_TIME = "ritual_time"
FIELD_DATE = "ritual_date"
FIELD_LENGTH = "ritual_length"
FIELD_MODERATOR = "ritual_moderator"
FIELD_LINK = "ritual_link"
FIELD_LEAD = "ritual_checkin_lead"

# How long before a meeting each member's check-in DM goes out (the setup's choice).
CHECKIN_LEADS = (6, 12, 24, 48)
CHECKIN_LEAD_DEFAULT = 24

CHECKIN_WHERE = "checkin_where"
CHECKIN_NEEDS = "checkin_needs"
CHECKIN_WIN = "checkin_win"
CHECKIN_MAX = 600

# Reminder kinds, and how late each may still go out after downtime.
REMINDER_ROSTER = "council.roster"  # who is in the council: schedules each member's DMs
REMINDER_CHECKIN = "council.checkin"
REMINDER_NUDGE = "council.checkin_nudge"
REMINDER_AGENDA = "council.agenda"
REMINDER_ACTION_ITEM = "council.action_item"  # a private reminder of an action item
REMINDER_FIRST_90 = "council.first_90"  # a landed member's "first 90 days" check-in
REMINDER_DRIFT = "council.drift"  # a kind word to a member quiet for two meetings in a row
REMINDER_DRIFT_MODERATOR = "council.drift_moderator"  # the moderator's heads-up: who, only
GRACE: dict[str, timedelta] = {
    REMINDER_ROSTER: timedelta(days=2),
    REMINDER_CHECKIN: timedelta(hours=20),
    REMINDER_NUDGE: timedelta(hours=3),
    # Long: the agenda's reminder also schedules the next meeting, so the rhythm survives
    # a long outage (a meeting already over gets no agenda, but the next one is planned).
    REMINDER_AGENDA: timedelta(days=30),
    REMINDER_FIRST_90: timedelta(days=7),
    REMINDER_ACTION_ITEM: timedelta(days=2),
    REMINDER_DRIFT: timedelta(days=2),
    REMINDER_DRIFT_MODERATOR: timedelta(days=2),
}

NUDGE_LEAD = timedelta(hours=3)
AGENDA_LEAD = timedelta(minutes=10)
ROSTER_AHEAD = timedelta(hours=2)  # the roster is read this long before the check-in lead
LAST_CALL = timedelta(minutes=30)  # no nudge later than this before the meeting
EVENING = time(20, 0)  # the last hour before quiet hours, for a DM that cannot wait


def meeting_subject(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


FIRST_90_DAYS = 90
FIRST_90_AT = time(10, 0)


def dedupe_key(kind: str, meeting_id: int, user_id: str = "") -> str:
    return f"{kind}:{meeting_id}:{user_id}" if user_id else f"{kind}:{meeting_id}"


# --- setup ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RitualInput:
    name: str
    rhythm: str
    weekdays: tuple[int, ...]
    interval_weeks: int
    meeting_time: time
    first_date: date
    length_minutes: int
    moderator_id: str
    video_link: str
    checkin_lead_hours: int = CHECKIN_LEAD_DEFAULT


def roster_due(starts_at: datetime, lead_hours: int) -> datetime:
    """When the council's member list is read for a meeting: a little before the check-in
    lead. A member whose DM would fall earlier still (the evening before, for a lead in
    their quiet hours) gets it as soon as the roster is read, out of quiet hours."""
    return starts_at - timedelta(hours=lead_hours) - ROSTER_AHEAD


def rhythm_days(rhythm: str, picked: Iterable[int], first: date) -> tuple[tuple[int, ...], int]:
    """(weekdays, interval in weeks) of a rhythm. Fast: the weekdays picked when two or
    more are, else the first date's and three days later (Monday and Thursday); slow: the
    first date's weekday every other week; custom: what was picked."""
    days = tuple(sorted(set(picked)))
    if rhythm == RHYTHM_FAST:
        if len(days) >= 2:
            return days, 1
        start = first.weekday()
        return tuple(sorted({start, (start + 3) % 7})), 1
    if rhythm == RHYTHM_SLOW:
        return (first.weekday(),), 2
    return days, 1


def validate_setup(
    values: Mapping[str, Any], *, tz: str, now: datetime
) -> RitualInput | dict[str, str]:
    """The setup form's values (read by the views), or inline errors by block id. The
    moderator's membership is the handler's to check (it asks Slack)."""
    errors: dict[str, str] = {}
    name = one_line(str(values.get(FIELD_NAME) or ""))
    if not name:
        errors[FIELD_NAME] = "Give the council a name (it heads every agenda)."
    elif len(name) > NAME_MAX:
        errors[FIELD_NAME] = f"Keep the name to {NAME_MAX} characters."
    elif problem := unstorable(name, "The name"):
        errors[FIELD_NAME] = problem
    rhythm = str(values.get(FIELD_RHYTHM) or "")
    if rhythm not in RHYTHMS:
        errors[FIELD_RHYTHM] = "Pick how often the council meets."
    picked = [int(d) for d in values.get(FIELD_WEEKDAYS) or [] if str(d).isdigit() and int(d) < 7]
    interval_raw = str(values.get(FIELD_INTERVAL) or "1")
    interval = int(interval_raw) if interval_raw.isdigit() else 0
    if rhythm == RHYTHM_CUSTOM:
        if not picked:
            errors[FIELD_WEEKDAYS] = "A custom rhythm needs at least one weekday."
        if not 1 <= interval <= INTERVAL_MAX:
            errors[FIELD_INTERVAL] = f"Every 1 to {INTERVAL_MAX} weeks."
    at = _parse_time(values.get(FIELD_TIME))
    if at is None:
        errors[FIELD_TIME] = "Pick the time the meeting starts."
    first = _parse_date(values.get(FIELD_DATE))
    if first is None:
        errors[FIELD_DATE] = "Pick the date of the first meeting."
    length_raw = str(values.get(FIELD_LENGTH) or "").strip()
    length = int(length_raw) if length_raw.isdigit() else -1
    if length <= 0 or length > LENGTH_MAX:
        errors[FIELD_LENGTH] = (
            f"A meeting lasts 1 to {LENGTH_MAX} minutes (4 hours); most councils take 60-90."
        )
    moderator = str(values.get(FIELD_MODERATOR) or "")
    if not moderator:
        errors[FIELD_MODERATOR] = "Pick the council's moderator."
    lead_raw = str(values.get(FIELD_LEAD) or CHECKIN_LEAD_DEFAULT)
    lead_hours = int(lead_raw) if lead_raw.isdigit() else 0
    if lead_hours not in CHECKIN_LEADS:
        errors[FIELD_LEAD] = "Pick when members get their check-in."
    link = one_line(str(values.get(FIELD_LINK) or ""))
    if link and (not link.lower().startswith("https://") or len(link) > LINK_MAX or " " in link):
        errors[FIELD_LINK] = "Paste the call's link starting with https:// (or leave it empty)."
    if errors:
        return errors
    assert at is not None and first is not None
    days, weeks = rhythm_days(rhythm, picked, first)
    if rhythm == RHYTHM_CUSTOM:
        weeks = interval
    data = RitualInput(
        name=name,
        rhythm=rhythm,
        weekdays=days,
        interval_weeks=weeks,
        meeting_time=at,
        first_date=first,
        length_minutes=length,
        moderator_id=moderator,
        video_link=link,
        checkin_lead_hours=lead_hours,
    )
    if to_utc(first, at, tz) <= now:
        field = FIELD_DATE if first < now.astimezone(zone(tz)).date() else FIELD_TIME
        return {field: "That first meeting would be in the past. Pick a later date or time."}
    return data


def _parse_time(raw: Any) -> time | None:
    try:
        hours, minutes = str(raw or "").split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _parse_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw or ""))
    except ValueError:
        return None


# --- when meetings fall --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rhythm:
    weekdays: tuple[int, ...]
    interval_weeks: int
    meeting_time: time
    first_date: date
    tz: str


def next_meeting(rhythm: Rhythm, *, after: datetime) -> datetime | None:
    """The first meeting on the rhythm that starts after `after` (UTC), DST-safe in the
    rhythm's zone; None for a rhythm with no weekday."""
    if not rhythm.weekdays:
        return None
    week_zero = rhythm.first_date - timedelta(days=rhythm.first_date.weekday())
    start_day = max(rhythm.first_date, after.astimezone(zone(rhythm.tz)).date() - timedelta(1))
    interval = max(rhythm.interval_weeks, 1)
    for offset in range(7 * interval * 2 + 14):
        day = start_day + timedelta(days=offset)
        if day.weekday() not in rhythm.weekdays:
            continue
        if ((day - week_zero).days // 7) % interval:
            continue
        when = to_utc(day, rhythm.meeting_time, rhythm.tz)
        if when > after:
            return when
    return None  # pragma: no cover - a week with a weekday is always found


def describe_lead(hours: int) -> str:
    """The check-in lead in words, e.g. "a day before" (for the summary and the saved note)."""
    return {24: "a day", 48: "two days"}.get(hours, f"{hours} hours") + " before"


def describe_rhythm(rhythm: str, weekdays: Iterable[int], interval_weeks: int) -> str:
    days = [WEEKDAYS[d] + "s" for d in sorted(weekdays)]
    listed = " and ".join(days) if len(days) <= 2 else ", ".join(days[:-1]) + " and " + days[-1]
    every = (
        "every week"
        if interval_weeks == 1
        else "every other week"
        if interval_weeks == 2
        else f"every {interval_weeks} weeks"
    )
    kind = {
        RHYTHM_FAST: "Fast (twice a week)",
        RHYTHM_SLOW: "Slow (every two weeks)",
        RHYTHM_CUSTOM: "Custom",
    }.get(rhythm, "Custom")
    return f"{kind}: {listed}, {every}"


# --- when each member hears of a meeting ---------------------------------------------------------


def _evening_before(when: datetime, tz: str) -> datetime:
    """20:00 local on the evening at or before `when` (which falls in quiet hours)."""
    local = when.astimezone(zone(tz))
    day = local.date() if local.time() >= QUIET_START else local.date() - timedelta(days=1)
    return to_utc(day, EVENING, tz)


def checkin_due(
    starts_at: datetime, tz: str, *, lead_hours: int = CHECKIN_LEAD_DEFAULT
) -> datetime:
    """The check-in DM: `lead_hours` before (the council's choice), moved out of the
    member's quiet hours (later, or to the evening before when later would leave under four
    hours to answer)."""
    lead = starts_at - timedelta(hours=lead_hours)
    later = out_of_quiet_hours(lead, tz)
    if later == lead or later <= starts_at - timedelta(hours=4):
        return later
    return _evening_before(lead, tz)


def nudge_due(starts_at: datetime, tz: str, *, checkin_at: datetime) -> datetime | None:
    """The one nudge: a few hours before, out of quiet hours; None when no time fits
    between the check-in DM and half an hour before the meeting."""
    lead = starts_at - NUDGE_LEAD
    when = out_of_quiet_hours(lead, tz)
    if when > starts_at - LAST_CALL:
        when = _evening_before(lead, tz)
    if when <= checkin_at + timedelta(hours=1) or when > starts_at - LAST_CALL:
        return None
    return when


# --- away ----------------------------------------------------------------------------------------


def drifting(quiet: list[set[str]]) -> set[str]:
    """Who drifted, from who was quiet (no check-in, nothing shared) at the latest meetings,
    newest first: quiet at the last two, and not already at the one before (so the nudge
    comes once per quiet spell, not at every meeting after)."""
    if len(quiet) < 2:
        return set()
    found = quiet[0] & quiet[1]
    return found - quiet[2] if len(quiet) > 2 else found


def is_away(state: str | None, until: date | None, *, on: date) -> bool:
    """A paused member is away through `until` (inclusive; open-ended without one); one who
    landed is out of the check-ins for good."""
    if state == "landed":
        return True
    if state == "paused":
        return until is None or on <= until
    return False


def parse_until(words: Iterable[str], *, today: date) -> date | str | None:
    """`/council pause [until YYYY-MM-DD]`: the date, None (open-ended), or an error."""
    rest = [w for w in words if w.lower() != "until"]
    if not rest:
        return None
    try:
        until = date.fromisoformat(rest[0])
    except ValueError:
        return "I read dates as YYYY-MM-DD, e.g. `/council pause until 2026-12-24`."
    if until < today:
        return "That date has passed. Pick today or a later day."
    return until


# --- the check-in --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckinInput:
    where_now: str
    needs: str
    win: str


def validate_checkin(values: Mapping[str, Any]) -> CheckinInput | dict[str, str]:
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for field, what in (
        (CHECKIN_WHERE, "Where you are"),
        (CHECKIN_NEEDS, "What you need"),
        (CHECKIN_WIN, "Your win"),
    ):
        text = multiline(str(values.get(field) or ""))
        if len(text) > CHECKIN_MAX:
            errors[field] = f"Keep it to {CHECKIN_MAX} characters; the meeting has the rest."
        elif problem := unstorable(text, what):
            errors[field] = problem
        cleaned[field] = text
    if not errors and not cleaned[CHECKIN_WHERE]:
        errors[CHECKIN_WHERE] = "A line on where your search is this week, please."
    if errors:
        return errors
    return CheckinInput(cleaned[CHECKIN_WHERE], cleaned[CHECKIN_NEEDS], cleaned[CHECKIN_WIN])


# --- the agenda ----------------------------------------------------------------------------------

# (section, share of the meeting). The check-in round opens, as good moderators do.
SECTIONS: tuple[tuple[str, float], ...] = (
    ("Check-in round", 0.35),
    ("Since last time", 0.15),
    ("Asks and working session", 0.35),
    ("Commitments until next time", 0.15),
)
MEETING_ZERO_SECTIONS: tuple[tuple[str, float], ...] = (
    ("Life stories (a few minutes each)", 0.55),
    ("What each of us hopes for from the council", 0.25),
    ("How we will work together", 0.20),
)


def time_boxes(length: int, sections: tuple[tuple[str, float], ...]) -> list[tuple[str, int]]:
    """Whole minutes per section, summing to `length` exactly; sections of 0 minutes drop."""
    minutes = [int(length * share) for _title, share in sections]
    # What rounding down left goes to the longest sections first.
    order = sorted(range(len(sections)), key=lambda i: -sections[i][1])
    for i in range(length - sum(minutes)):
        minutes[order[i % len(order)]] += 1
    return [(title, n) for (title, _share), n in zip(sections, minutes, strict=True) if n]


@dataclass(frozen=True, slots=True)
class Activity:
    """One public fact from another feature, since the last meeting."""

    user_id: str
    text: str  # bot-written words around member text already escaped by the service


# --- after the meeting: notes and action items ---------------------------------------------------

NOTES_FIELD = "notes_text"
ITEMS = 3
NOTES_MAX = 2000
TASK_MAX = 300
ACTION_ITEM_AT = time(10, 0)  # the owner's time, the day before the next meeting


def item_fields(n: int) -> tuple[str, str]:
    return f"item_owner_{n}", f"item_task_{n}"


@dataclass(frozen=True, slots=True)
class NotesInput:
    notes: str
    items: tuple[tuple[str, str], ...]  # (owner, task)


def validate_notes(values: Mapping[str, Any]) -> NotesInput | dict[str, str]:
    """The moderator's notes form: notes and up to three (owner, task) items; an owner
    without a task or a task without an owner is an inline error."""
    errors: dict[str, str] = {}
    notes = multiline(str(values.get(NOTES_FIELD) or ""))
    if len(notes) > NOTES_MAX:
        errors[NOTES_FIELD] = f"Keep the notes to {NOTES_MAX} characters."
    elif problem := unstorable(notes, "The notes"):
        errors[NOTES_FIELD] = problem
    items: list[tuple[str, str]] = []
    for n in range(1, ITEMS + 1):
        owner_field, task_field = item_fields(n)
        owner = str(values.get(owner_field) or "")
        task = one_line(str(values.get(task_field) or ""))
        if task and not owner:
            errors[owner_field] = "Who owns this one?"
        elif owner and not task:
            errors[task_field] = "What is the action item?"
        elif len(task) > TASK_MAX:
            errors[task_field] = f"Keep it to {TASK_MAX} characters."
        elif problem := unstorable(task, "The action item"):
            errors[task_field] = problem
        elif owner and task:
            items.append((owner, task))
    if not errors and not notes and not items:
        errors[NOTES_FIELD] = "Write a few notes, or add an action item."
    if errors:
        return errors
    return NotesInput(notes, tuple(items))


def action_item_due(next_start: datetime | None, *, after: datetime, tz: str) -> datetime:
    """10:00 the owner's time the day before the next meeting (or two days on without one),
    never before `after`."""
    if next_start is None:
        day = after.astimezone(zone(tz)).date() + timedelta(days=2)
    else:
        day = next_start.astimezone(zone(tz)).date() - timedelta(days=1)
    return max(to_utc(day, ACTION_ITEM_AT, tz), after)
