"""Debriefs and the Gratitude House: the rules, in plain Python (no Slack imports).

A member logs an upcoming interview, negotiation or offer call. Three private reminders
follow from it:

1. a Gratitude House nudge before it (default 60 minutes): recall the people who helped
   you get here, so you walk in confident;
2. a debrief prompt after it (1 hour after it starts): people misjudge how they did, and
   the council helps separate what happened from the inner critic;
3. one gentle follow-up 24 hours after the prompt, only if no debrief was posted.

Times are stored in UTC. The date and time a member types are wall time in their own IANA
zone (bot.platform.timezones.to_utc, DST-safe); the delays above are plain UTC arithmetic. Quiet
hours (21:00-08:00 local) hold the reminders back:

- the nudge moves later, to the end of quiet hours, when that still leaves at least
  MIN_NUDGE_LEAD before the event; otherwise (an event at 07:30, or at 23:00) it keeps its
  time: the member is up for the event anyway, and a nudge after it would be useless;
- the prompt and the follow-up wait for the morning (bot.platform.timezones.out_of_quiet_hours).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.features.searches.rules import (
    PICK_COMPANY,
    PICK_SEARCH,
    company_key,
    pick_company,
)
from bot.features.text import multiline, one_line, unstorable
from bot.platform.timezones import format_local, local_now, out_of_quiet_hours, to_utc, valid_tz

# --- event kinds --------------------------------------------------------------------------------

KINDS: tuple[tuple[str, str], ...] = (
    ("interview", "Interview"),
    ("negotiation", "Negotiation"),
    ("offer_call", "Offer call"),
    ("other", "Other"),
)
KIND_INTERVIEW = "interview"
DEFAULT_KIND = KIND_INTERVIEW
_KIND_LABELS = dict(KINDS)

EVENT_SCHEDULED = "scheduled"
EVENT_CANCELLED = "cancelled"
EVENT_DONE = "done"  # debriefed

# --- reminders ----------------------------------------------------------------------------------

REMINDER_GRATITUDE = "debrief.gratitude"
REMINDER_PROMPT = "debrief.prompt"
REMINDER_FOLLOWUP = "debrief.followup"
REMINDER_KINDS = (REMINDER_GRATITUDE, REMINDER_PROMPT, REMINDER_FOLLOWUP)

DEFAULT_NUDGE_MINUTES = 60
NUDGE_CHOICES: tuple[tuple[int, str], ...] = (
    (15, "15 minutes before"),
    (30, "30 minutes before"),
    (60, "1 hour before"),
    (120, "2 hours before"),
    (0, "No nudge this time"),
)
# A nudge needs a few quiet minutes before the event to be worth anything.
MIN_NUDGE_LEAD = timedelta(minutes=10)
PROMPT_AFTER = timedelta(hours=1)
FOLLOWUP_AFTER = timedelta(hours=24)

# How long past its due time each reminder is still worth sending (the engine expires it
# after that). A nudge is useless once the event starts; its sender checks that exactly.
GRACE: dict[str, timedelta] = {
    REMINDER_GRATITUDE: timedelta(minutes=60),
    REMINDER_PROMPT: timedelta(hours=12),
    REMINDER_FOLLOWUP: timedelta(hours=12),
}

# --- limits -------------------------------------------------------------------------------------

COMPANY_MAX = 100  # storage.missions.Search.company
WITH_WHOM_MAX = 150
MAX_PARTNERS = 8
MAX_AHEAD = timedelta(days=366)
ANSWER_MAX = 1500
GRATITUDE_NAME_MAX = 80
GRATITUDE_NOTE_MAX = 200
GRATITUDE_MAX_PEOPLE = 40
NUDGE_NAMES = 3

RATINGS: tuple[tuple[int, str], ...] = (
    (1, "Rough"),
    (2, "Shaky"),
    (3, "Mixed"),
    (4, "Good"),
    (5, "Great"),
)
_RATING_LABELS = dict(RATINGS)

# --- form field keys (the modals' block ids; bot.features.debriefs.views reuses them)

FIELD_SEARCH = "search"
FIELD_COMPANY = "company"
FIELD_KIND = "kind"
FIELD_DATE = "date"
FIELD_TIME = "time"
FIELD_WITH = "with_whom"
FIELD_PARTNERS = "partners"
FIELD_NUDGE = "nudge"

FIELD_RATING = "rating"
FIELD_WENT_WELL = "went_well"
FIELD_WORRIES = "worries"
FIELD_ASKED = "asked"
FIELD_CRITIC = "inner_critic"
FIELD_EVIDENCE = "evidence"
FIELD_WANTS = "wants"
FIELD_PRIVATE = "private"
PRIVATE_VALUE = "private"

FIELD_GRATITUDE_NAME = "gratitude_name"
FIELD_GRATITUDE_NOTE = "gratitude_note"

# The debrief's text answers, in the order the form and the message show them.
ANSWERS: tuple[tuple[str, str], ...] = (
    (FIELD_WENT_WELL, "What went well"),
    (FIELD_WORRIES, "What worries me"),
    (FIELD_ASKED, "What they asked"),
    (FIELD_CRITIC, "What my inner critic says"),
    (FIELD_EVIDENCE, "What the evidence says"),
    (FIELD_WANTS, "What I'd like from the council"),
)


def _pick_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """The company picker's errors, keyed by this modal's block ids."""
    fields = {PICK_SEARCH: FIELD_SEARCH, PICK_COMPANY: FIELD_COMPANY}
    return {fields[key]: text for key, text in errors.items()}


def kind_label(kind: str) -> str:
    return _KIND_LABELS.get(kind, kind.replace("_", " ").capitalize() or "Event")


def rating_label(rating: int) -> str:
    return _RATING_LABELS.get(rating, str(rating))


def _one_line(text: str | None) -> str:
    return one_line(text)


def _too_long(what: str, limit: int, actual: int) -> str:
    return f"Please keep {what} to {limit:,} characters or fewer (it has {actual:,} now)."


# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventForm:
    """Raw values from the event modal, before any cleaning."""

    search_id: str = ""
    company: str = ""
    kind: str = ""
    date: str = ""  # YYYY-MM-DD, from the datepicker
    time: str = ""  # HH:mm, from the timepicker
    with_whom: str = ""
    partners: Sequence[str] = ()
    nudge: str = ""


@dataclass(frozen=True, slots=True)
class EventInput:
    """A validated event. `search_id` is one of the member's searches, or None and
    `company` names a new one."""

    search_id: int | None
    company: str
    kind: str
    starts_at: datetime  # UTC
    with_whom: str
    partners: tuple[str, ...]
    nudge_minutes: int


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None


def _parse_time(text: str) -> time | None:
    try:
        hours, minutes = (text or "").strip().split(":")[:2]
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return None


def validate_event(
    form: EventForm,
    *,
    tz: str,
    now: datetime,
    searches: Mapping[int, str],
    user_id: str,
) -> EventInput | dict[str, str]:
    """Clean the event modal's input, or return friendly errors keyed by its block ids.

    `searches` maps the member's own search ids to company names (what the select showed).
    The date and time are wall time in `tz`; an event must lie in the future.
    """
    errors: dict[str, str] = {}

    search_id: int | None = None
    company = ""
    picked = pick_company(
        search_id=form.search_id,
        company=form.company,
        searches=searches,
        missing=(
            "Which company is it with? Pick one of your searches or type the name."
            if searches
            else "Which company is it with? Type the name."
        ),
    )
    if isinstance(picked, dict):
        errors.update(_pick_errors(picked))
    else:
        search_id, company = picked.search_id, picked.company

    kind = (form.kind or "").strip()
    if kind not in _KIND_LABELS:
        errors[FIELD_KIND] = "Please pick what kind of conversation it is."

    starts_at: datetime | None = None
    day = _parse_date(form.date)
    at = _parse_time(form.time)
    if day is None:
        errors[FIELD_DATE] = "Please pick the date."
    if at is None:
        errors[FIELD_TIME] = "Please pick the time it starts."
    if day is not None and at is not None:
        starts_at = to_utc(day, at, tz)
        here = local_now(tz, now)
        if starts_at <= now:
            if day < here.date():
                errors[FIELD_DATE] = (
                    "That date has already passed. Pick the day it's coming up "
                    f"(today is {format_local(now, tz).split(',')[0]} where you are)."
                )
            else:
                errors[FIELD_TIME] = (
                    "That time has already passed. Pick when it starts "
                    f"(it's {here.hour:02d}:{here.minute:02d} now in {valid_tz(tz)})."
                )
        elif starts_at - now > MAX_AHEAD:
            errors[FIELD_DATE] = "That's more than a year away. Please pick a nearer date."

    with_whom = _one_line(form.with_whom)
    if (problem := unstorable(with_whom, "Who it is with")) is not None:
        errors[FIELD_WITH] = problem
    elif len(with_whom) > WITH_WHOM_MAX:
        errors[FIELD_WITH] = _too_long("who it is with", WITH_WHOM_MAX, len(with_whom))

    partners: list[str] = []
    for partner in form.partners or ():
        if partner and partner != user_id and partner.isalnum() and partner not in partners:
            partners.append(partner)
    if len(partners) > MAX_PARTNERS:
        errors[FIELD_PARTNERS] = (
            f"Please pick up to {MAX_PARTNERS} debrief partners "
            f"(there are {len(partners)}). A few people you trust is plenty."
        )

    nudge_minutes = DEFAULT_NUDGE_MINUTES
    raw_nudge = (form.nudge or "").strip()
    if raw_nudge:
        try:
            nudge_minutes = int(raw_nudge)
        except ValueError:
            nudge_minutes = -1
        if nudge_minutes not in dict(NUDGE_CHOICES):
            errors[FIELD_NUDGE] = "Please pick when the Gratitude House nudge should come."

    if errors:
        return errors
    if starts_at is None:  # a missing date or time is a form error above
        raise RuntimeError("event form: no start time, yet no error")
    return EventInput(
        search_id=search_id,
        company=company,
        kind=kind,
        starts_at=starts_at,
        with_whom=with_whom,
        partners=tuple(partners),
        nudge_minutes=nudge_minutes,
    )


# --- reminder times -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """When each reminder of an event is due (UTC); no nudge when `gratitude` is None."""

    gratitude: datetime | None
    prompt: datetime
    followup: datetime

    def due(self) -> dict[str, datetime | None]:
        return {
            REMINDER_GRATITUDE: self.gratitude,
            REMINDER_PROMPT: self.prompt,
            REMINDER_FOLLOWUP: self.followup,
        }


def _in_quiet_hours(when: datetime, tz: str) -> bool:
    return out_of_quiet_hours(when, tz) != when


def nudge_time(
    starts_at: datetime, *, tz: str, now: datetime, minutes: int = DEFAULT_NUDGE_MINUTES
) -> datetime | None:
    """When the Gratitude House nudge is due, or None (switched off, or no time left)."""
    if minutes <= 0:
        return None
    lead = timedelta(minutes=minutes)
    due = starts_at - lead
    if _in_quiet_hours(due, tz):
        morning = out_of_quiet_hours(due, tz)
        if morning <= starts_at - MIN_NUDGE_LEAD:
            due = morning
        # else: the event itself is early or late; the member is up for it, keep the time.
    if due < now:
        # Logged at short notice: nudge right away if there is still a moment for it.
        return now if starts_at - now >= MIN_NUDGE_LEAD else None
    return due


def prompt_time(starts_at: datetime, *, tz: str, now: datetime) -> datetime:
    """When to ask how it went: an hour after it starts, held back by quiet hours."""
    return max(out_of_quiet_hours(starts_at + PROMPT_AFTER, tz), now)


def followup_time(prompt_at: datetime, *, tz: str) -> datetime:
    """The one follow-up: 24 hours after the prompt, held back by quiet hours."""
    return out_of_quiet_hours(prompt_at + FOLLOWUP_AFTER, tz)


def plan_reminders(
    *, starts_at: datetime, tz: str, now: datetime, nudge_minutes: int = DEFAULT_NUDGE_MINUTES
) -> ReminderPlan:
    prompt = prompt_time(starts_at, tz=tz, now=now)
    return ReminderPlan(
        gratitude=nudge_time(starts_at, tz=tz, now=now, minutes=nudge_minutes),
        prompt=prompt,
        followup=followup_time(prompt, tz=tz),
    )


def nudge_is_moot(starts_at: datetime, now: datetime) -> bool:
    """A nudge that would arrive as the event starts (or after) helps nobody."""
    return starts_at - now < MIN_NUDGE_LEAD / 2


def reminder_dedupe_key(event_id: int, kind: str, revision: int) -> str:
    """One reminder of each kind per event and revision (a move makes a new revision)."""
    return f"event:{event_id}:{kind}:r{revision}"


def event_subject(event_id: int) -> str:
    return f"event:{event_id}"


# --- debriefs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DebriefForm:
    """Raw values from the debrief modal."""

    rating: str = ""
    went_well: str = ""
    worries: str = ""
    asked: str = ""
    inner_critic: str = ""
    evidence: str = ""
    wants: str = ""
    private: bool = False


@dataclass(frozen=True, slots=True)
class DebriefInput:
    rating: int
    went_well: str
    worries: str
    asked: str
    inner_critic: str
    evidence: str
    wants: str
    private: bool

    def answers(self) -> list[tuple[str, str]]:
        """(label, text) of each answer given, in the form's order."""
        values = {
            FIELD_WENT_WELL: self.went_well,
            FIELD_WORRIES: self.worries,
            FIELD_ASKED: self.asked,
            FIELD_CRITIC: self.inner_critic,
            FIELD_EVIDENCE: self.evidence,
            FIELD_WANTS: self.wants,
        }
        return [(label, values[field]) for field, label in ANSWERS if values[field]]


def validate_debrief(form: DebriefForm) -> DebriefInput | dict[str, str]:
    """Clean the debrief form, or return errors keyed by its block ids.

    The 1-5 scale is required. A debrief for the council needs at least one written
    answer, so the council has something to respond to; a private one may be just the
    number.
    """
    errors: dict[str, str] = {}
    try:
        rating = int((form.rating or "").strip())
    except ValueError:
        rating = 0
    if rating not in _RATING_LABELS:
        errors[FIELD_RATING] = "How did it go, from 1 to 5? Your first instinct is fine."

    texts: dict[str, str] = {}
    for field, label in ANSWERS:
        text = multiline(getattr(form, field))
        if (problem := unstorable(text, f"“{label}”")) is not None:
            errors[field] = problem
        elif len(text) > ANSWER_MAX:
            errors[field] = _too_long(f"“{label}”", ANSWER_MAX, len(text))
        texts[field] = text
    if not form.private and not any(texts.values()) and FIELD_WENT_WELL not in errors:
        errors[FIELD_WENT_WELL] = (
            "Write a line in at least one of these boxes, so your council has something "
            "to respond to (or keep this debrief private)."
        )
    if errors:
        return errors
    return DebriefInput(rating=rating, private=bool(form.private), **texts)


# --- the Gratitude House ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GratitudeEntry:
    id: int
    name: str
    note: str = ""


def validate_gratitude(
    name: str, note: str, *, existing: Sequence[GratitudeEntry]
) -> tuple[str, str] | dict[str, str]:
    """A person to add: (name, note), or errors keyed by the modal's block ids."""
    errors: dict[str, str] = {}
    clean_name = _one_line(name)
    clean_note = _one_line(note)
    if not clean_name:
        errors[FIELD_GRATITUDE_NAME] = (
            "Type a name to add someone, or press Done to close your Gratitude House."
        )
    elif (problem := unstorable(clean_name, "The name")) is not None:
        errors[FIELD_GRATITUDE_NAME] = problem
    elif len(clean_name) > GRATITUDE_NAME_MAX:
        errors[FIELD_GRATITUDE_NAME] = _too_long("the name", GRATITUDE_NAME_MAX, len(clean_name))
    elif any(company_key(p.name) == company_key(clean_name) for p in existing):
        errors[FIELD_GRATITUDE_NAME] = f"{clean_name} is already in your Gratitude House."
    elif len(existing) >= GRATITUDE_MAX_PEOPLE:
        errors[FIELD_GRATITUDE_NAME] = (
            f"Your Gratitude House holds {GRATITUDE_MAX_PEOPLE} people. Remove someone "
            "to make room."
        )
    if (problem := unstorable(clean_note, "The note")) is not None:
        errors[FIELD_GRATITUDE_NOTE] = problem
    elif len(clean_note) > GRATITUDE_NOTE_MAX:
        errors[FIELD_GRATITUDE_NOTE] = _too_long("the note", GRATITUDE_NOTE_MAX, len(clean_note))
    if errors:
        return errors
    return clean_name, clean_note


def names_for_nudge(
    people: Sequence[GratitudeEntry], *, seed: int, count: int = NUDGE_NAMES
) -> list[GratitudeEntry]:
    """Up to `count` people for one nudge, rotating through the list from event to event."""
    if not people:
        return []
    ordered = sorted(people, key=lambda p: p.id)
    start = (seed * count) % len(ordered)
    rotated = ordered[start:] + ordered[:start]
    return rotated[: min(count, len(ordered))]


# --- summaries for lists and the Home tab -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventSummary:
    """What the list, the Home tab and the reminders need about one event."""

    event_id: int
    user_id: str
    company: str
    kind: str
    starts_at: datetime
    tz: str
    search_id: int | None = None
    with_whom: str = ""
    partners: tuple[str, ...] = ()
    status: str = EVENT_SCHEDULED
    debriefed: bool = False
    nudge_minutes: int = DEFAULT_NUDGE_MINUTES

    def started(self, now: datetime) -> bool:
        return self.starts_at <= now

    @property
    def title(self) -> str:
        return f"{kind_label(self.kind)} at {self.company}"


@dataclass(frozen=True, slots=True)
class PastEvent:
    """An event that has happened, for the list: with how its debrief went, if written."""

    event: EventSummary
    rating: int | None = None  # None: no debrief written
    private: bool = False  # the debrief was kept to the member's DM
    shared: bool = False  # the debrief was posted in the council channel


def awaiting_debrief(event: EventSummary, now: datetime) -> bool:
    """Started, not cancelled, and not debriefed yet."""
    return event.status == EVENT_SCHEDULED and event.started(now) and not event.debriefed
