"""Rules for asking the council for feedback by a deadline. No Slack here.

The author names a deadline (entered in their own time zone) and, optionally, which
members to ask. Before the deadline, each asked member who has neither reacted nor
written gets one private nudge, never at night in their own zone; at the deadline the
author gets a digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.features.text import multiline, unstorable
from bot.platform.timezones import out_of_quiet_hours, to_utc

# A deadline closer than this leaves the council no real time to read and respond.
MIN_LEAD = timedelta(hours=1)
MAX_LEAD = timedelta(days=30)
# The nudge goes a day before the deadline, or halfway there for shorter requests.
NUDGE_BEFORE = timedelta(hours=24)

NUDGE_KIND = "mission.feedback_nudge"
DIGEST_KIND = "mission.feedback_digest"

# What a council reviews besides drafts, and how: bot/features/reviewable.py.


def nudge_key(request_id: int, user_id: str) -> str:
    """The dedupe key of one member's nudge about one request."""
    return f"request:{request_id}:nudge:{user_id}"


@dataclass(frozen=True, slots=True)
class OwedReview:
    """A review request on a plan, Two-Pager or statement that asks this member and that
    they have not reacted to yet (App Home)."""

    request_id: int
    kind: str
    author_id: str
    deadline: datetime
    channel_id: str  # the council channel: shown only while the member is in it


@dataclass(frozen=True, slots=True)
class DeadlineProblem:
    field: str  # "date" or "time"
    message: str


def parse_deadline(
    *, day: str | None, at: str | None, tz: str, now: datetime
) -> datetime | DeadlineProblem:
    """The deadline in UTC from the modal's date ("YYYY-MM-DD") and time ("HH:MM")."""
    if not day:
        return DeadlineProblem("date", "Pick the day you'd like feedback by.")
    if not at:
        return DeadlineProblem("time", "Pick a time of day.")
    try:
        local_day = date.fromisoformat(day)
        hour, minute = (int(part) for part in at.split(":", 1))
        local_time = time(hour, minute)
    except ValueError:
        return DeadlineProblem("date", "That date or time doesn't look right.")
    deadline = to_utc(local_day, local_time, tz)
    if deadline <= now:
        return DeadlineProblem("date", "That moment has already passed. Pick a time ahead.")
    if deadline - now < MIN_LEAD:
        return DeadlineProblem("time", "Give your council at least an hour to respond.")
    if deadline - now > MAX_LEAD:
        return DeadlineProblem("date", "Pick a deadline within the next 30 days.")
    return deadline


def nudge_time(*, now: datetime, deadline: datetime, tz: str) -> datetime | None:
    """When to nudge one member, in UTC; None when no daytime slot is left before the
    deadline (a nudge at night is worse than none)."""
    planned = deadline - NUDGE_BEFORE
    if planned <= now:
        planned = now + (deadline - now) / 2
    moved = out_of_quiet_hours(planned, tz)
    return moved if moved < deadline else None


def members_to_ask(
    *, chosen: list[str], channel_members: list[str], author: str, bot_user: str | None
) -> tuple[list[str], list[str]]:
    """(who to ask, chosen people who are not in the council channel).

    With nobody chosen, everyone in the channel but the author and the bot is asked.
    """
    members = set(channel_members)
    excluded = {author} | ({bot_user} if bot_user else set())
    if chosen:
        outsiders = [user for user in chosen if user not in members]
        asked = [user for user in dict.fromkeys(chosen) if user in members and user not in excluded]
        return asked, outsiders
    return [user for user in channel_members if user not in excluded], []


# --- written feedback on the other subjects -----------------------------------------------------

NOTE_MAX = 1500
FIELD_NOTE_TEXT = "review_note_text"
FIELD_NOTE_ANONYMOUS = "review_note_anonymous"
ANONYMOUS_OPTION = "anonymous"
NOTE_EMPTY = "Write a few words: what works, what you'd change, what's missing."


def validate_note(raw: str | None) -> str | dict[str, str]:
    """The note to store, or its inline error."""
    text = multiline(raw)
    if not text:
        return {
            FIELD_NOTE_TEXT: "Write a few words: what works, what you'd change, what's missing."
        }
    if len(text) > NOTE_MAX:
        return {FIELD_NOTE_TEXT: f"Please keep it to {NOTE_MAX} characters ({len(text)} now)."}
    if problem := unstorable(text, "Your feedback"):
        return {FIELD_NOTE_TEXT: problem}
    return text
