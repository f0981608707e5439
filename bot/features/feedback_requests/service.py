"""Use cases of "Request feedback by <deadline>": store, schedule, nudge, digest. No Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.features.errors import NotAllowed
from bot.features.feedback_requests.rules import (
    DIGEST_KIND,
    NUDGE_KIND,
    OwedReview,
    nudge_key,
    nudge_time,
)
from bot.features.missions import service as missions_service
from bot.features.missions.rules import Tally
from bot.features.reviewable import NOT_REVIEWABLE, ONLY_THE_AUTHOR, OWN_SUBJECT, REVIEWABLE
from bot.reminders.engine import schedule
from storage import reviews as notes_store
from storage.db import session_scope
from storage.feedback_requests import (
    add_request,
    asked_members,
    mark_answered,
    named_responders,
    note_nudge,
    owed_reviews,
    responders,
    take_open_nudges,
)
from storage.missions import (
    SUBJECT_CMF,
    SUBJECT_DRAFT,
    SUBJECT_NEGOTIATION_PLAN,
    SUBJECT_TWO_PAGER,
    FeedbackAsk,
    FeedbackRequest,
    MissionDraft,
    written_feedback_of,
)
from storage.scoping import (
    plan_in_team,
    request_in_team,
    statement_in_team,
    two_pager_in_team,
)
from storage.searches import Search
from storage.types import require_id, require_row


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What a nudge or a digest needs to say, read when it is sent (not when planned)."""

    request_id: int
    draft_id: int
    author_id: str
    company: str
    role: str
    deadline: datetime
    channel_id: str
    message_ts: str | None


@dataclass(frozen=True, slots=True)
class WrittenNote:
    author: str | None  # None when posted without a name
    strong: str
    unclear: str
    missing: str
    suggested_key_result: str


@dataclass(frozen=True, slots=True)
class Digest:
    context: RequestContext
    tally: Tally
    asked: list[str]
    responded: list[str]
    written: list[WrittenNote]


@dataclass(frozen=True, slots=True)
class Planned:
    request_id: int
    channel_id: str
    message_ts: str | None
    asked: list[str]
    nudges: dict[str, datetime | None]  # per member; None: no daytime slot left


def create_request(
    engine: Engine,
    *,
    team_id: str,
    draft_id: int,
    author_id: str,
    deadline: datetime,
    asked: list[str],
    zones: dict[str, str],
    now: datetime,
) -> Planned:
    """Store the request and schedule every reminder in one transaction."""
    # The draft must be the author's, live, and in the requesting workspace.
    snap = missions_service.author_draft(
        engine, draft_id=draft_id, team_id=team_id, user_id=author_id
    )
    with session_scope(engine) as session:
        return _store(
            session,
            FeedbackRequest(
                team_id=team_id,
                subject_kind=SUBJECT_DRAFT,
                subject_id=draft_id,
                author_id=author_id,
                channel_id=snap.channel_id,
                message_ts=snap.message_ts,
                draft_id=draft_id,
                deadline=deadline,
            ),
            asked=asked,
            zones=zones,
            now=now,
        )


def _store(
    session: Session,
    request: FeedbackRequest,
    *,
    asked: list[str],
    zones: dict[str, str],
    now: datetime,
) -> Planned:
    """Store a request with who it asks and schedule its nudges and digest, in the caller's
    transaction; what the handler announces."""
    add_request(session, request, asked=asked)
    request_id = require_id(request)
    nudges = _schedule(
        session,
        request_id=request_id,
        team_id=request.team_id,
        author_id=request.author_id,
        deadline=request.deadline,
        asked=asked,
        zones=zones,
        now=now,
    )
    return Planned(
        request_id=request_id,
        channel_id=request.channel_id,
        message_ts=request.message_ts,
        asked=asked,
        nudges=nudges,
    )


def _schedule(
    session: Session,
    *,
    request_id: int,
    team_id: str,
    author_id: str,
    deadline: datetime,
    asked: list[str],
    zones: dict[str, str],
    now: datetime,
) -> dict[str, datetime | None]:
    """Each asked member's nudge (when a daytime slot is left) and the author's digest at
    the deadline, in the caller's transaction; when each nudge goes."""
    nudges: dict[str, datetime | None] = {}
    for user_id in asked:
        when = nudge_time(now=now, deadline=deadline, tz=zones.get(user_id, "UTC"))
        nudges[user_id] = when
        if when is not None:
            schedule(
                session,
                kind=NUDGE_KIND,
                team_id=team_id,
                user_id=user_id,
                due_at=when,
                payload={"request": request_id},
                subject=f"request:{request_id}",
                dedupe_key=nudge_key(request_id, user_id),
            )
    schedule(
        session,
        kind=DIGEST_KIND,
        team_id=team_id,
        user_id=author_id,
        due_at=deadline,
        payload={"request": request_id},
        subject=f"request:{request_id}",
        dedupe_key=f"request:{request_id}:digest",
    )
    return nudges


def attach_thread(engine: Engine, *, request_id: int, team_id: str, thread_ts: str) -> None:
    with session_scope(engine) as session:
        request = request_in_team(session, request_id=request_id, team_id=team_id)
        if request is not None:
            request.thread_ts = thread_ts


def nudge_for(
    engine: Engine, *, request_id: int, team_id: str, user_id: str, now: datetime
) -> RequestContext | None:
    """The nudge to send, or None when it became moot (responded, withdrawn, past) or the
    request is not `team_id`'s."""
    with session_scope(engine) as session:
        context = _context(session, request_id, team_id=team_id)
        if context is None or context.deadline <= now:
            return None
        if user_id in responders(session, draft_id=context.draft_id):
            return None
        return context


@dataclass(frozen=True, slots=True)
class OpenNudge:
    """A DM nudge still showing its buttons, and what it was about."""

    channel_id: str
    message_ts: str
    author_id: str
    company: str
    role: str


def nudge_sent(
    engine: Engine,
    *,
    request_id: int,
    team_id: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
) -> None:
    """Remember the nudge's message, to close it once the member has answered."""
    with session_scope(engine) as session:
        if request_in_team(session, request_id=request_id, team_id=team_id) is None:
            return
        note_nudge(
            session,
            request_id=request_id,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
        )


def answered(engine: Engine, *, draft_id: int, user_id: str) -> list[OpenNudge]:
    """The member answered on the draft (wrote, or reacted): the nudges of theirs to close,
    each handed out once."""
    with session_scope(engine) as session:
        taken = take_open_nudges(session, draft_id=draft_id, user_id=user_id)
        if not taken:
            return []
        draft = require_row(session.get(MissionDraft, draft_id), f"draft {draft_id}")
        search = require_row(session.get(Search, draft.search_id), f"search of draft {draft_id}")
        return [
            OpenNudge(
                channel_id=channel_id,
                message_ts=message_ts,
                author_id=draft.author_id,
                company=search.company,
                role=search.role,
            )
            for _request_id, channel_id, message_ts in taken
        ]


def digest_of(
    engine: Engine, *, request_id: int, team_id: str, bot_user: str | None
) -> Digest | None:
    """How the request went, for its digest; None when it is gone or already closed.

    Reads only: the request is closed by `close_request` once the digest reached the author,
    so a failed send (a 500, a 429, the process killed mid-post) leaves it open and the
    reminder engine's retry sends it then.
    """
    with session_scope(engine) as session:
        context = _context(session, request_id, team_id=team_id)
        if context is None:
            return None
        asked = asked_members(session, request_id=request_id)
        # Only people who showed their name are named; anonymous notes stay anonymous
        # (and their writers are not singled out as "not heard from" either).
        named = named_responders(session, draft_id=context.draft_id)
        written = [
            WrittenNote(
                author=None if row.anonymous else row.user_id,
                strong=row.strong,
                unclear=row.unclear,
                missing=row.missing,
                suggested_key_result=row.suggested_key_result,
            )
            for row, _version in written_feedback_of(session, draft_id=context.draft_id)
        ]
    snap = missions_service.snapshot(
        engine, draft_id=context.draft_id, team_id=team_id, bot_user=bot_user
    )
    return Digest(
        context=context,
        tally=snap.tally if snap is not None else Tally(),
        asked=asked,
        responded=sorted(named & set(asked)) + sorted(named - set(asked)),
        written=written,
    )


def close_request(engine: Engine, *, request_id: int, team_id: str) -> None:
    """The digest was delivered: the request is done (closing twice changes nothing)."""
    with session_scope(engine) as session:
        request = request_in_team(session, request_id=request_id, team_id=team_id)
        if request is not None:
            request.status = "closed"


def _context(session: Session, request_id: int, *, team_id: str) -> RequestContext | None:
    request = request_in_team(session, request_id=request_id, team_id=team_id)
    if request is None or request.status != "open" or request.id is None:
        return None
    draft = session.get(MissionDraft, request.draft_id)
    if draft is None or draft.status == "withdrawn" or draft.id is None:
        return None
    search = require_row(session.get(Search, draft.search_id), f"search of draft {draft.id}")
    return RequestContext(
        request_id=request.id,
        draft_id=draft.id,
        author_id=draft.author_id,
        company=search.company,
        role=search.role,
        deadline=request.deadline,
        channel_id=draft.channel_id,
        message_ts=draft.message_ts,
    )


# --- review requests about anything else put up for review -------------------------------------
#
# A negotiation plan's shared summary, a posted Two-Pager or Candidate-Market Fit statement:
# the same deadline, nudges and digest as a draft's. Who responded is who reacted on the
# posted message, which Slack knows (the handler asks it); nothing of the subject itself
# (a figure, a list item, the sentence) is read here or shown in a nudge or the digest.


@dataclass(frozen=True, slots=True)
class Subject:
    """What a review request is about, as the request stores it."""

    kind: str
    subject_id: int
    author_id: str
    channel_id: str
    message_ts: str


@dataclass(frozen=True, slots=True)
class ReviewContext:
    request_id: int
    kind: str
    author_id: str
    deadline: datetime
    channel_id: str
    message_ts: str | None


def _posted_subject(
    session: Session, *, kind: str, subject_id: int, team_id: str
) -> Subject | None:
    """The posted message of a subject of `team_id`, and its author; None when it is not
    (or no longer) posted, or another workspace's."""
    found: tuple[str, str | None, str | None] | None = None
    if kind == SUBJECT_NEGOTIATION_PLAN:
        plan = plan_in_team(session, plan_id=subject_id, team_id=team_id)
        if plan is not None:
            found = (plan.user_id, plan.shared_channel_id, plan.shared_ts)
    elif kind == SUBJECT_TWO_PAGER:
        two_pager = two_pager_in_team(session, two_pager_id=subject_id, team_id=team_id)
        if two_pager is not None:
            found = (two_pager.user_id, two_pager.channel_id, two_pager.message_ts)
    elif kind == SUBJECT_CMF:
        statement = statement_in_team(session, statement_id=subject_id, team_id=team_id)
        if statement is not None:
            found = (statement.user_id, statement.channel_id, statement.message_ts)
    if found is None or not found[1] or not found[2]:
        return None
    return Subject(kind, subject_id, found[0], str(found[1]), str(found[2]))


def _posted(session: Session, *, kind: str, subject_id: int, team_id: str) -> Subject:
    """The posted subject of a reviewable kind; NotAllowed when there is none."""
    subject = (
        _posted_subject(session, kind=kind, subject_id=subject_id, team_id=team_id)
        if kind in REVIEWABLE
        else None
    )
    if subject is None:
        raise NotAllowed(NOT_REVIEWABLE)
    return subject


def _authored(
    session: Session, *, kind: str, subject_id: int, team_id: str, user_id: str
) -> Subject:
    """The member's own posted subject (to ask the council about); NotAllowed otherwise."""
    subject = _posted(session, kind=kind, subject_id=subject_id, team_id=team_id)
    if subject.author_id != user_id:
        raise NotAllowed(ONLY_THE_AUTHOR)
    return subject


def _not_own(
    session: Session, *, kind: str, subject_id: int, team_id: str, user_id: str
) -> Subject:
    """Someone else's posted subject (to write feedback on); NotAllowed otherwise."""
    subject = _posted(session, kind=kind, subject_id=subject_id, team_id=team_id)
    if subject.author_id == user_id:
        raise NotAllowed(OWN_SUBJECT)
    return subject


def own_subject(
    engine: Engine, *, kind: str, subject_id: int, team_id: str, user_id: str
) -> Subject:
    """The member's own posted subject; NotAllowed otherwise."""
    with session_scope(engine) as session:
        return _authored(
            session, kind=kind, subject_id=subject_id, team_id=team_id, user_id=user_id
        )


def create_review(
    engine: Engine,
    *,
    team_id: str,
    kind: str,
    subject_id: int,
    author_id: str,
    deadline: datetime,
    asked: list[str],
    zones: dict[str, str],
    now: datetime,
) -> Planned:
    """Store a review request on a posted subject and schedule its nudges and digest, in
    one transaction (the same reminder kinds as a draft's: the senders tell them apart)."""
    with session_scope(engine) as session:
        subject = _authored(
            session, kind=kind, subject_id=subject_id, team_id=team_id, user_id=author_id
        )
        return _store(
            session,
            FeedbackRequest(
                team_id=team_id,
                subject_kind=kind,
                subject_id=subject_id,
                author_id=author_id,
                channel_id=subject.channel_id,
                message_ts=subject.message_ts,
                deadline=deadline,
                created_at=now,  # the app's clock: notes since then are the digest's
            ),
            asked=asked,
            zones=zones,
            now=now,
        )


def kind_of(engine: Engine, *, request_id: int, team_id: str) -> str | None:
    """What the request is about (`storage.missions.SUBJECT_*`), or None when it is gone."""
    with session_scope(engine) as session:
        request = request_in_team(session, request_id=request_id, team_id=team_id)
        return None if request is None else request.subject_kind


def review_for(
    engine: Engine, *, request_id: int, team_id: str, now: datetime | None = None
) -> ReviewContext | None:
    """An open review request on a subject still posted (and, with `now`, still before its
    deadline); None otherwise: its nudge or digest is moot."""
    with session_scope(engine) as session:
        request = request_in_team(session, request_id=request_id, team_id=team_id)
        if request is None or request.status != "open" or request.id is None:
            return None
        if now is not None and request.deadline <= now:
            return None
        subject = _posted_subject(
            session, kind=request.subject_kind, subject_id=request.subject_id, team_id=team_id
        )
        if subject is None or subject.message_ts != request.message_ts:
            return None  # withdrawn, erased, or posted again as a new message
        return ReviewContext(
            request_id=request.id,
            kind=request.subject_kind,
            author_id=request.author_id,
            deadline=request.deadline,
            channel_id=request.channel_id,
            message_ts=request.message_ts,
        )


def asked_of(engine: Engine, *, request_id: int, team_id: str) -> list[str]:
    with session_scope(engine) as session:
        if request_in_team(session, request_id=request_id, team_id=team_id) is None:
            return []
        return asked_members(session, request_id=request_id)


def reacted_on(
    engine: Engine,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    now: datetime,
) -> int:
    """A member reacted on a message: their open review asks on it are answered (App Home
    stops listing them); how many."""
    with session_scope(engine) as session:
        return mark_answered(
            session,
            team_id=team_id,
            channel_id=channel_id,
            message_ts=message_ts,
            user_id=user_id,
            now=now,
        )


def owed_reviews_in(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int
) -> tuple[list[OwedReview], int]:
    """For App Home, in its unit of work: the reviews the member still owes, soonest first."""
    rows, total = owed_reviews(session, team_id=team_id, user_id=user_id, now=now, limit=limit)
    return [
        OwedReview(
            request_id=require_id(r),
            kind=r.subject_kind,
            author_id=r.author_id,
            deadline=r.deadline,
            channel_id=r.channel_id,
        )
        for r in rows
    ], total


# --- written feedback on the other subjects ------------------------------------------------------


NOTE_POST_KIND = "review.note_post"
NOTE_POST_RETRY_AFTER = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class NoteView:
    """A note as the digest shows it: its writer only when posted under their name."""

    writer: str | None
    text: str


def commentable(
    engine: Engine, *, kind: str, subject_id: int, team_id: str, user_id: str
) -> Subject:
    """The posted subject a council member may write feedback on: not their own, still
    posted in `team_id`; NotAllowed otherwise (channel membership is Slack's to say)."""
    with session_scope(engine) as session:
        return _not_own(session, kind=kind, subject_id=subject_id, team_id=team_id, user_id=user_id)


def write_note(
    engine: Engine,
    *,
    team_id: str,
    kind: str,
    subject_id: int,
    user_id: str,
    text: str,
    anonymous: bool,
    now: datetime,
) -> tuple[int, Subject]:
    """Store the note (checked again: still posted, not the writer's own) and answer their
    open asks on it, in one transaction; (the note's id, its subject)."""
    with session_scope(engine) as session:
        subject = _not_own(
            session, kind=kind, subject_id=subject_id, team_id=team_id, user_id=user_id
        )
        note = notes_store.add_note(
            session,
            team_id=team_id,
            subject_kind=kind,
            subject_id=subject_id,
            author_id=subject.author_id,
            writer=user_id,
            anonymous=anonymous,
            text=text,
            channel_id=subject.channel_id,
            now=now,
        )
        mark_answered(
            session,
            team_id=team_id,
            channel_id=subject.channel_id,
            message_ts=subject.message_ts,
            user_id=user_id,
            now=now,
        )
        note_id = require_id(note)
        # The post is an intent recorded with the note: if the handler's post fails, or the
        # process dies before it, the reminder engine posts it; a post that went through
        # makes it moot. An unsigned note's reminder is filed under the subject's author
        # (whom it is for), never next to its writer.
        schedule(
            session,
            kind=NOTE_POST_KIND,
            team_id=team_id,
            user_id=subject.author_id if anonymous else user_id,
            due_at=now + NOTE_POST_RETRY_AFTER,
            payload={"note": note_id},
            subject=f"review_note:{note_id}",
            dedupe_key=f"review_note:{note_id}:post",
        )
        return note_id, subject


@dataclass(frozen=True, slots=True)
class UnpostedNote:
    channel_id: str
    thread_ts: str
    writer: str | None  # None: posted without a name
    text: str


def unposted_note(engine: Engine, *, note_id: int, team_id: str) -> UnpostedNote | None:
    """A stored note not yet in its thread, to post; None once posted, when its subject is
    no longer posted where the note was written, or when it is not `team_id`'s."""
    with session_scope(engine) as session:
        note = session.get(notes_store.ReviewNote, note_id)
        if note is None or note.team_id != team_id or note.message_ts is not None:
            return None
        subject = _posted_subject(
            session, kind=note.subject_kind, subject_id=note.subject_id, team_id=team_id
        )
        if subject is None or subject.channel_id != note.channel_id:
            return None
        return UnpostedNote(
            channel_id=note.channel_id,
            thread_ts=subject.message_ts,
            writer=None if note.anonymous else note.user_id,
            text=note.text,
        )


def note_posted(engine: Engine, *, note_id: int, team_id: str, message_ts: str) -> None:
    with session_scope(engine) as session:
        note = session.get(notes_store.ReviewNote, note_id)
        if note is not None and note.team_id == team_id:
            note.message_ts = message_ts


def digest_notes(engine: Engine, *, request_id: int, team_id: str) -> list[NoteView]:
    """The notes written on a request's subject since it was made, for its digest."""
    with session_scope(engine) as session:
        request = request_in_team(session, request_id=request_id, team_id=team_id)
        if request is None:
            return []
        rows = notes_store.notes_on(
            session,
            team_id=team_id,
            subject_kind=request.subject_kind,
            subject_id=request.subject_id,
            since=request.created_at,
        )
        return [NoteView(writer=None if r.anonymous else r.user_id, text=r.text) for r in rows]


def ask_answered(engine: Engine, *, request_id: int, team_id: str, user_id: str) -> bool:
    """Whether the member already answered the request (reacted or wrote, as recorded)."""
    with session_scope(engine) as session:
        if request_in_team(session, request_id=request_id, team_id=team_id) is None:
            return False
        ask = session.get(FeedbackAsk, (request_id, user_id))
        return ask is not None and ask.answered_at is not None
