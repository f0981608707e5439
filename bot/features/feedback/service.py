"""Written feedback on a job mission draft: the rules and the use cases over storage.

A council member presses "Give feedback" on a draft and answers up to four prompts (what
is strong, what is unclear, what is missing, a key result they would suggest), with or
without their name. The feedback is stored against the draft's current version and
posted in the draft's thread.

No Slack here: handlers call these with plain values and render what comes back. Who may
give feedback is split in two: membership of the council channel is a Slack question (the
handler asks `conversations.members`); everything else (the draft is live, the giver is
not its author) is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Engine
from sqlmodel import Session

from bot.features.text import multiline, unstorable
from bot.reminders.engine import schedule
from storage.db import session_scope
from storage.missions import (
    MissionDraft,
    MissionVersion,
    WrittenFeedback,
    add_written_feedback,
    get_version,
    set_written_feedback_ts,
    written_feedback_givers,
    written_feedback_of,
)
from storage.scoping import draft_in_team, feedback_in_team
from storage.searches import Search
from storage.types import require_id, require_row

# --- the prompts and their limits -------------------------------------------------------

FIELD_STRONG = "strong"
FIELD_UNCLEAR = "unclear"
FIELD_MISSING = "missing"
FIELD_SUGGESTED_KR = "suggested_key_result"
# In the order the modal asks them and the thread message shows them.
FIELDS: tuple[str, ...] = (FIELD_STRONG, FIELD_UNCLEAR, FIELD_MISSING, FIELD_SUGGESTED_KR)

ANSWER_MAX = 1000
SUGGESTED_KR_MAX = 500
LIMITS: dict[str, int] = {
    FIELD_STRONG: ANSWER_MAX,
    FIELD_UNCLEAR: ANSWER_MAX,
    FIELD_MISSING: ANSWER_MAX,
    FIELD_SUGGESTED_KR: SUGGESTED_KR_MAX,
}


@dataclass(frozen=True, slots=True)
class FeedbackAnswers:
    """The four answers; any of them may be empty (but not all, once validated)."""

    strong: str = ""
    unclear: str = ""
    missing: str = ""
    suggested_key_result: str = ""

    def get(self, field: str) -> str:
        if field not in FIELDS:
            raise KeyError(field)
        return str(getattr(self, field))

    def given(self) -> list[tuple[str, str]]:
        """(field, answer) for the non-empty answers, in prompt order."""
        return [(field, self.get(field)) for field in FIELDS if self.get(field).strip()]

    @property
    def is_empty(self) -> bool:
        return not self.given()


@dataclass(frozen=True, slots=True)
class FeedbackForm:
    """What the modal sent, unvalidated."""

    answers: FeedbackAnswers
    anonymous: bool = False


def _clean(text: str) -> str:
    return multiline(text)


def validate_answers(answers: FeedbackAnswers) -> FeedbackAnswers | dict[str, str]:
    """Clean answers, or errors keyed by field (the modal's block ids).

    Slack's client enforces each input's max_length, but a request can carry anything, so
    the limits are checked here too.
    """
    cleaned = {field: _clean(answers.get(field)) for field in FIELDS}
    errors: dict[str, str] = {}
    for field in FIELDS:
        limit = LIMITS[field]
        if (problem := unstorable(cleaned[field], "This answer")) is not None:
            errors[field] = problem
        elif len(cleaned[field]) > limit:
            errors[field] = (
                f"Please keep this to {limit} characters (it has {len(cleaned[field])}). "
                "The most useful feedback is often the shortest."
            )
    if not errors and not any(cleaned.values()):
        errors[FIELDS[0]] = (
            "Please answer at least one of the prompts: even one sentence helps your council."
        )
    if errors:
        return errors
    return FeedbackAnswers(**cleaned)


# --- who may give feedback ------------------------------------------------------------


class Refusal(Enum):
    """Why a member may not give feedback on a draft (channel membership aside)."""

    GONE = "gone"  # no such draft (never posted, or discarded)
    WITHDRAWN = "withdrawn"
    OWN_DRAFT = "own_draft"


class FeedbackRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FeedbackTarget:
    """The draft a member wants to give feedback on, as the button and modal need it."""

    draft_id: int
    author_id: str
    channel_id: str
    message_ts: str | None
    status: str
    version: int
    company: str
    role: str


def refusal(target: FeedbackTarget | None, *, user_id: str) -> Refusal | None:
    """None when `user_id` may give feedback on the draft (given channel membership)."""
    if target is None:
        return Refusal.GONE
    if target.status == "withdrawn":
        return Refusal.WITHDRAWN
    if target.author_id == user_id:
        return Refusal.OWN_DRAFT
    return None


def target(engine: Engine, *, draft_id: int, team_id: str) -> FeedbackTarget | None:
    """The draft to give feedback on; None when it does not exist in `team_id`'s workspace
    (another workspace's draft is answered as a gone one)."""
    with session_scope(engine) as session:
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        return None if draft is None else _target(session, draft)


# --- storing and posting ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredFeedback:
    """A stored piece of feedback and where it belongs; `giver_id` is None when anonymous."""

    feedback_id: int
    draft_id: int
    version: int
    author_id: str
    channel_id: str
    thread_ts: str | None  # the draft's message, under which the feedback is posted
    giver_id: str | None
    answers: FeedbackAnswers

    @property
    def anonymous(self) -> bool:
        return self.giver_id is None


def record(
    engine: Engine,
    *,
    draft_id: int,
    team_id: str,
    user_id: str,
    answers: FeedbackAnswers,
    anonymous: bool,
    now: datetime,
) -> StoredFeedback:
    """Store validated feedback for the draft's current version; FeedbackRefused otherwise.

    The giver's id is stored even when anonymous (to count who responded), but then only
    encrypted (storage.missions.WrittenFeedback), and it is never handed back for display:
    `StoredFeedback.giver_id` is None then.
    """
    if answers.is_empty:
        raise ValueError("validate the answers first: all four are empty")
    with session_scope(engine) as session:
        # Another workspace's draft is refused as a gone one: the id says nothing there.
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        if draft is None:
            raise FeedbackRefused(Refusal.GONE)
        found = _target(session, draft)
        reason = refusal(found, user_id=user_id)
        if reason is not None:
            raise FeedbackRefused(reason)
        version = require_row(
            get_version(session, draft_id=draft_id, number=draft.current_version),
            f"version {draft.current_version} of draft {draft_id}",
        )
        row = add_written_feedback(
            session,
            version_id=require_id(version),
            user_id=user_id,
            anonymous=anonymous,
            strong=answers.strong,
            unclear=answers.unclear,
            missing=answers.missing,
            suggested_key_result=answers.suggested_key_result,
            created_at=now,
        )
        feedback_id = require_id(row)
        # The post is an intent recorded with the feedback: if the post below fails, or the
        # process dies before it, the reminder engine posts it (and retries until Slack
        # takes it); a post that went through makes it moot.
        schedule(
            session,
            kind=POST_KIND,
            team_id=team_id,  # the draft's search's, as draft_in_team found it
            # The post goes to the channel, not to this member. For anonymous feedback the
            # reminder row (and its log lines) must not name its writer next to the
            # feedback's id: it is filed under the draft's author, whom it is for.
            user_id=draft.author_id if anonymous else user_id,
            due_at=now + POST_RETRY_AFTER,
            payload={"feedback": feedback_id},
            subject=f"draft:{draft_id}:feedback",
            dedupe_key=f"feedback:{feedback_id}:post",
        )
        return _stored(
            feedback_id,
            found,
            version=version.number,
            giver_id=None if anonymous else user_id,
            answers=answers,
        )


POST_KIND = "feedback.post"
POST_RETRY_AFTER = timedelta(minutes=2)


def unposted(engine: Engine, *, feedback_id: int, team_id: str) -> StoredFeedback | None:
    """Stored feedback not yet in its thread, to post; None once posted (or gone, or its
    draft withdrawn: then there is no thread to post it in), or when it is not `team_id`'s
    (a reminder of another workspace naming it)."""
    with session_scope(engine) as session:
        row = feedback_in_team(session, feedback_id=feedback_id, team_id=team_id)
        if row is None or row.message_ts is not None:
            return None
        version = session.get(MissionVersion, row.version_id)
        draft = session.get(MissionDraft, version.draft_id) if version is not None else None
        if version is None or draft is None or draft.id is None or draft.status == "withdrawn":
            return None
        return _stored(
            feedback_id,
            _target(session, draft),
            version=version.number,
            giver_id=None if row.anonymous else row.user_id,
            answers=FeedbackAnswers(
                strong=row.strong,
                unclear=row.unclear,
                missing=row.missing,
                suggested_key_result=row.suggested_key_result,
            ),
        )


def _stored(
    feedback_id: int,
    found: FeedbackTarget,
    *,
    version: int,
    giver_id: str | None,
    answers: FeedbackAnswers,
) -> StoredFeedback:
    return StoredFeedback(
        feedback_id=feedback_id,
        draft_id=found.draft_id,
        version=version,
        author_id=found.author_id,
        channel_id=found.channel_id,
        thread_ts=found.message_ts,
        giver_id=giver_id,
        answers=answers,
    )


def mark_posted(engine: Engine, *, feedback_id: int, team_id: str, message_ts: str) -> None:
    """Remember the thread message that carries this feedback (if it is `team_id`'s)."""
    with session_scope(engine) as session:
        if feedback_in_team(session, feedback_id=feedback_id, team_id=team_id) is None:
            return
        set_written_feedback_ts(session, feedback_id=feedback_id, message_ts=message_ts)


# --- reading it back (digests, Home, counts) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    """One piece of stored feedback, safe to show: `giver_id` is None when anonymous."""

    feedback_id: int
    version: int
    giver_id: str | None
    answers: FeedbackAnswers
    message_ts: str | None
    created_at: datetime

    @property
    def anonymous(self) -> bool:
        return self.giver_id is None

    @property
    def posted(self) -> bool:
        return self.message_ts is not None


def feedback_on(
    engine: Engine, *, draft_id: int, version: int | None = None
) -> list[FeedbackEntry]:
    """Written feedback on a draft (one version, or all of them), oldest first."""
    with session_scope(engine) as session:
        rows = written_feedback_of(session, draft_id=draft_id, version_number=version)
        return [_entry(row, shown.number) for row, shown in rows]


def givers(engine: Engine, *, draft_id: int, since: datetime | None = None) -> frozenset[str]:
    """Everyone who wrote feedback on a draft (since a time), anonymous givers included.

    For counts and for "feedback you owe" only; never render these ids next to feedback.
    """
    with session_scope(engine) as session:
        return frozenset(written_feedback_givers(session, draft_id=draft_id, since=since))


def _entry(row: WrittenFeedback, version: int) -> FeedbackEntry:
    return FeedbackEntry(
        feedback_id=require_id(row),
        version=version,
        giver_id=None if row.anonymous else row.user_id,
        answers=FeedbackAnswers(
            strong=row.strong,
            unclear=row.unclear,
            missing=row.missing,
            suggested_key_result=row.suggested_key_result,
        ),
        message_ts=row.message_ts,
        created_at=row.created_at,
    )


def _target(session: Session, draft: MissionDraft) -> FeedbackTarget:
    draft_id = require_id(draft)
    search = require_row(session.get(Search, draft.search_id), f"search of draft {draft_id}")
    version = get_version(session, draft_id=draft_id, number=draft.current_version)
    return FeedbackTarget(
        draft_id=draft_id,
        author_id=draft.author_id,
        channel_id=draft.channel_id,
        message_ts=draft.message_ts,
        status=draft.status,
        version=draft.current_version,
        company=search.company,
        role=version.role if version is not None else search.role,
    )
