"""The Listening Tour: the rules, in plain Python (no Slack imports).

Before settling on a direction, a member holds about 10-15 conversations of three kinds:
*reverse exit interviews* with former colleagues and managers (what was it like to work
with me, where did I shine, where did I get in my way), the *wider network*, each asked
the golden question "If you were in my shoes, how would you approach this?", and
*recruiters*, who see where people like them land. Feedback is biased, so the council
helps interpret what was heard.

`/tour` keeps a private log of those conversations: who, which kind, when, what was heard
and a one-line takeaway; progress toward a target (12 by default); an optional reminder to
send thanks a day later (in the member's zone, held back by quiet hours, one per
conversation); and a way to bring one takeaway to the council, sharing only what the
member ticks (the takeaway always, the kind if ticked, the person's name only if ticked;
what was heard never). Close to the target, the bot suggests drafting the
Candidate-Market Fit statement.

A member picks their own target (`/tour target N`). Once they have logged a conversation,
a private monthly prompt brings a draft update note for their network (where the search
stands, their Candidate-Market Fit if they have one, how people can help), for them to
copy; snoozed for a week, or off, with one click.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.features.text import multiline, one_line, unstorable
from bot.platform.timezones import local_now, out_of_quiet_hours, to_utc

# --- the three kinds ----------------------------------------------------------------------------

KIND_REVERSE_EXIT = "reverse_exit"
KIND_NETWORK = "network"
KIND_RECRUITER = "recruiter"
KINDS: tuple[tuple[str, str], ...] = (
    (KIND_REVERSE_EXIT, "Reverse exit interview"),
    (KIND_NETWORK, "Wider network"),
    (KIND_RECRUITER, "Recruiter"),
)
KIND_LABELS: Mapping[str, str] = dict(KINDS)

GOLDEN_QUESTION = "If you were in my shoes, how would you approach this?"

# --- target and limits --------------------------------------------------------------------------

TARGET = 12  # the method says about 10-15 conversations
CMF_HINT_BEFORE = 2  # the Candidate-Market Fit hint shows from TARGET - 2 conversations
NAME_MAX = 80
HEARD_MAX = 2000
TAKEAWAY_MAX = 200
RECENT_MAX = 5  # conversations the /tour view lists
TARGET_MIN = 3
TARGET_MAX = 40

# --- the thanks reminder ------------------------------------------------------------------------

REMINDER_THANKS = "tour.thanks"
THANKS_AFTER = timedelta(days=1)
# A thank-you a couple of days late still counts; later than that, the moment has passed.
GRACE = timedelta(days=2)

# --- form field keys (the modals' block ids; views reuses them) ---------------------------------

FIELD_NAME = "tour_name"
FIELD_KIND = "tour_kind"
FIELD_DATE = "tour_date"
FIELD_HEARD = "tour_heard"
FIELD_TAKEAWAY = "tour_takeaway"
FIELD_THANKS = "tour_thanks"
FIELD_COUNCIL = "tour_council"
FIELD_INCLUDE = "tour_include"

THANKS_OPTION = "thanks"
INCLUDE_KIND = "kind"
INCLUDE_NAME = "name"


@dataclass(frozen=True, slots=True)
class RawConversation:
    """The log form as Slack sent it, before any checking."""

    name: str | None = None
    kind: str | None = None
    held_on: str | None = None  # YYYY-MM-DD from the date picker
    heard: str | None = None
    takeaway: str | None = None
    thanks: bool = False


@dataclass(frozen=True, slots=True)
class ConversationInput:
    """A checked conversation, ready to store."""

    name: str
    kind: str
    held_on: date
    heard: str
    takeaway: str
    thanks: bool


@dataclass(frozen=True, slots=True)
class Conversation:
    """A logged conversation as the feature shows it (private to its member)."""

    id: int
    team_id: str
    user_id: str
    name: str
    kind: str
    held_on: date
    heard: str
    takeaway: str
    thanks: bool

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the member's tour is: counts per kind, and the target."""

    counts: Mapping[str, int]
    target: int = TARGET

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count_of(self, kind: str) -> int:
        return int(self.counts.get(kind, 0))

    @property
    def suggest_cmf(self) -> bool:
        """Close enough to the target to draft the Candidate-Market Fit statement."""
        return self.total >= self.target - CMF_HINT_BEFORE

    @property
    def reached(self) -> bool:
        return self.total >= self.target


@dataclass(frozen=True, slots=True)
class ShareChoice:
    """What the member ticked to share with the takeaway (which is always shared)."""

    kind: bool = False
    name: bool = False


def validate_conversation(
    raw: RawConversation, *, today: date
) -> ConversationInput | dict[str, str]:
    """A stored-ready conversation, or errors by field (the modal shows them inline).

    `today` is the member's own date: a conversation may not be in the future.
    """
    errors: dict[str, str] = {}
    name = one_line(raw.name)
    if not name:
        errors[FIELD_NAME] = "Who did you talk to? A first name or initials is enough."
    elif len(name) > NAME_MAX:
        errors[FIELD_NAME] = f"Please keep the name to {NAME_MAX} characters ({len(name)} now)."
    elif problem := unstorable(name, "The name"):
        errors[FIELD_NAME] = problem
    kind = raw.kind or ""
    if kind not in KIND_LABELS:
        errors[FIELD_KIND] = "Please pick which kind of conversation it was."
    held_on: date | None = None
    try:
        held_on = date.fromisoformat(raw.held_on or "")
    except ValueError:
        errors[FIELD_DATE] = "Please pick the day you talked."
    if held_on is not None and held_on > today:
        errors[FIELD_DATE] = (
            "That date is in the future. Log a conversation once it has happened "
            f"(today is {today.isoformat()} where you are)."
        )
    heard = multiline(raw.heard)
    if len(heard) > HEARD_MAX:
        errors[FIELD_HEARD] = (
            f"Please keep what you heard to {HEARD_MAX} characters ({len(heard)} now)."
        )
    elif problem := unstorable(heard, "What you heard"):
        errors[FIELD_HEARD] = problem
    takeaway = one_line(raw.takeaway)
    if not takeaway:
        errors[FIELD_TAKEAWAY] = "What is the one thing you take away from it? One line is enough."
    elif len(takeaway) > TAKEAWAY_MAX:
        errors[FIELD_TAKEAWAY] = (
            f"Please keep the takeaway to one line of {TAKEAWAY_MAX} characters "
            f"({len(takeaway)} now)."
        )
    elif problem := unstorable(takeaway, "The takeaway"):
        errors[FIELD_TAKEAWAY] = problem
    if errors or held_on is None:
        return errors
    return ConversationInput(
        name=name, kind=kind, held_on=held_on, heard=heard, takeaway=takeaway, thanks=raw.thanks
    )


def member_today(tz: str | None, now: datetime) -> date:
    """The member's date now, in their zone."""
    return local_now(tz, now).date()


def thanks_time(logged_at: datetime, *, tz: str | None) -> datetime:
    """A day after logging, at the same wall time in the member's zone (DST-safe), moved
    out of their quiet hours."""
    local = local_now(tz, logged_at)
    day = local.date() + THANKS_AFTER
    wall = local.time().replace(tzinfo=None, microsecond=0)
    return out_of_quiet_hours(to_utc(day, wall, tz), tz)


# --- the member's own target ---------------------------------------------------------------------


def parse_target(words: tuple[str, ...]) -> int | str:
    """`/tour target N`: the target, or what to say instead (bot text)."""
    raw = words[0] if words else ""
    if not raw.isdigit():
        return (
            f"How many conversations do you aim for? Type `/tour target 12` (between "
            f"{TARGET_MIN} and {TARGET_MAX}; the method suggests 10-15)."
        )
    target = int(raw)
    if not TARGET_MIN <= target <= TARGET_MAX:
        return (
            f"Pick a target between {TARGET_MIN} and {TARGET_MAX} conversations "
            "(the method suggests 10-15)."
        )
    return target


# --- the monthly update prompt -----------------------------------------------------------------

REMINDER_MONTHLY = "tour.monthly"
MONTHLY_AT = time(10, 0)  # the member's morning
SNOOZE = timedelta(days=7)
# A month's prompt a few days late is still useful; after that, the next month's comes.
MONTHLY_GRACE = timedelta(days=5)


@dataclass(frozen=True, slots=True)
class MonthlyNote:
    """What the monthly update prompt shows: the tour's progress, the member's current
    Candidate-Market Fit sentence ("" before they wrote one), and whether it is on."""

    progress: Progress
    cmf: str
    on: bool


def month_later(day: date) -> date:
    """The same day next month, or that month's last day (31 Jan -> 28/29 Feb)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monthly_due(after: datetime, *, tz: str | None) -> datetime:
    """A month after `after`, at 10:00 in the member's zone (never in quiet hours)."""
    day = month_later(local_now(tz, after).date())
    return out_of_quiet_hours(to_utc(day, MONTHLY_AT, tz), tz)


def snoozed_until(now: datetime, *, tz: str | None) -> datetime:
    """A week from now, at 10:00 in the member's zone."""
    day = local_now(tz, now).date() + SNOOZE
    return out_of_quiet_hours(to_utc(day, MONTHLY_AT, tz), tz)


def monthly_subject(team_id: str, user_id: str) -> str:
    """Every monthly prompt of one member (cancelled together when they turn it off)."""
    return f"tour_monthly:{team_id}:{user_id}"


def monthly_dedupe_key(team_id: str, user_id: str, due_at: datetime) -> str:
    """One prompt per member per due date: planning it twice plans it once."""
    return f"{monthly_subject(team_id, user_id)}:{due_at.date().isoformat()}"


def conversation_subject(conversation_id: int) -> str:
    return f"tour_conversation:{conversation_id}"


def thanks_dedupe_key(conversation_id: int) -> str:
    """One thanks reminder per conversation, ever."""
    return f"tour_conversation:{conversation_id}:thanks"
