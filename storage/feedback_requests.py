"""Queries for feedback requests (the tables live with the other mission tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, func, update
from sqlmodel import Session, col, select

from storage.missions import (
    SUBJECT_DRAFT,
    FeedbackAsk,
    FeedbackRequest,
    MissionDraft,
    MissionVersion,
    ReactionFeedback,
    WrittenFeedback,
    written_feedback_givers,
    written_feedback_of,
)
from storage.searches import Search
from storage.types import require_id


def add_request(session: Session, request: FeedbackRequest, *, asked: list[str]) -> FeedbackRequest:
    """Store a review request and who it asks (a request naming only its draft is about
    that draft: storage.missions fills in the rest)."""
    session.add(request)
    session.flush()
    request_id = require_id(request)
    for user_id in asked:
        session.add(FeedbackAsk(request_id=request_id, user_id=user_id))
    session.flush()
    return request


def asked_members(session: Session, *, request_id: int) -> list[str]:
    rows = session.exec(
        select(FeedbackAsk.user_id)
        .where(FeedbackAsk.request_id == request_id)
        .order_by(col(FeedbackAsk.user_id))
    ).all()
    return list(rows)


def withdraw_open_asks(
    session: Session, *, team_id: str, channel_id: str, user_id: str
) -> list[int]:
    """Take a member off the open review requests in one council channel (they left it);
    the ids of the requests they were on. Closed requests keep their history."""
    request_ids = list(
        session.exec(
            select(FeedbackAsk.request_id)
            .join(FeedbackRequest, col(FeedbackRequest.id) == FeedbackAsk.request_id)
            .where(
                FeedbackRequest.team_id == team_id,
                FeedbackRequest.channel_id == channel_id,
                FeedbackRequest.status == "open",
                FeedbackAsk.user_id == user_id,
            )
            .order_by(col(FeedbackAsk.request_id))
        ).all()
    )
    if request_ids:
        session.exec(
            delete(FeedbackAsk).where(
                col(FeedbackAsk.request_id).in_(request_ids), col(FeedbackAsk.user_id) == user_id
            )
        )
    return request_ids


def reactors(session: Session, *, draft_id: int) -> set[str]:
    """Members whose legend reaction is currently on any version of the draft."""
    versions = select(MissionVersion.id).where(MissionVersion.draft_id == draft_id)
    return set(
        session.exec(
            select(ReactionFeedback.user_id).where(
                col(ReactionFeedback.version_id).in_(versions), col(ReactionFeedback.present)
            )
        ).all()
    )


def responders(session: Session, *, draft_id: int) -> set[str]:
    """Members who reacted or wrote, anonymous writers included: for deciding who still
    needs a nudge. Never show this set to anyone: it would unmask anonymous feedback."""
    return reactors(session, draft_id=draft_id) | written_feedback_givers(
        session, draft_id=draft_id
    )


def named_responders(session: Session, *, draft_id: int) -> set[str]:
    """Members who reacted or wrote under their name: safe to show the author."""
    named_writers = {
        feedback.user_id
        for feedback, _version in written_feedback_of(session, draft_id=draft_id)
        if not feedback.anonymous
    }
    return reactors(session, draft_id=draft_id) | named_writers


def owed_requests(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int
) -> tuple[list[tuple[FeedbackRequest, MissionDraft, Search]], int]:
    """Open requests naming `user_id`, deadline still ahead, on drafts not withdrawn, that
    the member has not answered (no reaction and no written feedback, anonymous included,
    on any version of the draft): the `limit` due soonest, and how many there are in all.

    One query however many requests there are: who responded is a correlated NOT EXISTS,
    not a query per request, and the total a window count taken before the limit. Named
    feedback is matched there by its writer's id; anonymous feedback holds its writer only
    encrypted, so the drafts the member answered anonymously are found first, in Python
    (`_answered_anonymously`).
    """
    reacted = exists().where(
        col(ReactionFeedback.version_id) == MissionVersion.id,
        col(MissionVersion.draft_id) == MissionDraft.id,
        col(ReactionFeedback.user_id) == user_id,
        col(ReactionFeedback.present),
    )
    wrote = exists().where(
        col(WrittenFeedback.version_id) == MissionVersion.id,
        col(MissionVersion.draft_id) == MissionDraft.id,
        col(WrittenFeedback.user_id) == user_id,
    )
    answered = _answered_anonymously(session, team_id=team_id, user_id=user_id)
    rows = session.exec(
        select(FeedbackRequest, MissionDraft, Search, func.count().over())
        .join(FeedbackAsk, col(FeedbackAsk.request_id) == FeedbackRequest.id)
        .join(MissionDraft, col(MissionDraft.id) == FeedbackRequest.draft_id)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(
            FeedbackAsk.user_id == user_id,
            Search.team_id == team_id,
            FeedbackRequest.status == "open",
            MissionDraft.status != "withdrawn",
            col(FeedbackRequest.deadline) > now,
            ~reacted,
            ~wrote,
            col(MissionDraft.id).not_in(sorted(answered)),
        )
        .order_by(col(FeedbackRequest.deadline), col(FeedbackRequest.id))
        .limit(max(limit, 1))
    ).all()
    return [(request, draft, search) for request, draft, search, _ in rows][:limit], (
        int(rows[0][3]) if rows else 0
    )


def _answered_anonymously(session: Session, *, team_id: str, user_id: str) -> set[int]:
    """Drafts with an open request naming `user_id` that the member answered with anonymous
    feedback. Its writer is encrypted (storage.missions.WrittenFeedback), so SQL cannot
    compare it: the anonymous feedback on just those drafts is read and decrypted here, in
    Python. A member is asked on a few drafts at a time, each with a handful of pieces.
    """
    asked_on = (
        select(FeedbackRequest.draft_id)
        .join(FeedbackAsk, col(FeedbackAsk.request_id) == FeedbackRequest.id)
        .join(MissionDraft, col(MissionDraft.id) == FeedbackRequest.draft_id)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(
            FeedbackAsk.user_id == user_id,
            Search.team_id == team_id,
            FeedbackRequest.status == "open",
        )
    )
    rows = session.exec(
        select(MissionVersion.draft_id, WrittenFeedback.author_sealed)
        .join(MissionVersion, col(MissionVersion.id) == WrittenFeedback.version_id)
        .where(col(WrittenFeedback.anonymous), col(MissionVersion.draft_id).in_(asked_on))
    ).all()
    return {draft_id for draft_id, sealed in rows if sealed == user_id}


def note_nudge(
    session: Session, *, request_id: int, user_id: str, channel_id: str, message_ts: str
) -> None:
    """Remember where the member's nudge was posted (so it can be closed later)."""
    ask = session.get(FeedbackAsk, (request_id, user_id))
    if ask is not None:
        ask.nudge_channel, ask.nudge_ts = channel_id, message_ts
        session.flush()


def take_open_nudges(
    session: Session, *, draft_id: int, user_id: str
) -> list[tuple[int, str, str]]:
    """The member's nudges about a draft that still show their buttons, as (request id,
    channel, ts); each is handed out once (it is forgotten here, in the same transaction)."""
    asks = session.exec(
        select(FeedbackAsk)
        .join(FeedbackRequest, col(FeedbackRequest.id) == FeedbackAsk.request_id)
        .where(
            FeedbackRequest.draft_id == draft_id,
            FeedbackAsk.user_id == user_id,
            col(FeedbackAsk.nudge_ts).is_not(None),
        )
        .with_for_update()
    ).all()
    taken: list[tuple[int, str, str]] = []
    for ask in asks:
        if ask.nudge_channel and ask.nudge_ts:
            taken.append((ask.request_id, ask.nudge_channel, ask.nudge_ts))
        ask.nudge_channel = ask.nudge_ts = None
    session.flush()
    return taken


# --- review requests on other subjects ------------------------------------------------------


def mark_answered(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    now: datetime,
) -> int:
    """The member reacted on a message reviewed (not a draft's): their asks on its open
    requests are answered; how many."""
    requests = select(FeedbackRequest.id).where(
        FeedbackRequest.team_id == team_id,
        FeedbackRequest.channel_id == channel_id,
        FeedbackRequest.message_ts == message_ts,
        FeedbackRequest.subject_kind != SUBJECT_DRAFT,
        FeedbackRequest.status == "open",
    )
    result = session.exec(
        update(FeedbackAsk)
        .where(
            col(FeedbackAsk.request_id).in_(requests),
            col(FeedbackAsk.user_id) == user_id,
            col(FeedbackAsk.answered_at).is_(None),
        )
        .values(answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def owed_reviews(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int
) -> tuple[list[FeedbackRequest], int]:
    """Open review requests on subjects other than drafts that ask `user_id`, deadline
    ahead, not answered yet: the `limit` due soonest, and how many in all (one query)."""
    rows = session.exec(
        select(FeedbackRequest, func.count().over())
        .join(FeedbackAsk, col(FeedbackAsk.request_id) == FeedbackRequest.id)
        .where(
            FeedbackRequest.team_id == team_id,
            FeedbackRequest.subject_kind != SUBJECT_DRAFT,
            FeedbackRequest.status == "open",
            col(FeedbackRequest.deadline) > now,
            FeedbackAsk.user_id == user_id,
            col(FeedbackAsk.answered_at).is_(None),
        )
        .order_by(col(FeedbackRequest.deadline), col(FeedbackRequest.id))
        .limit(max(limit, 1))
    ).all()
    return [request for request, _ in rows][:limit], (int(rows[0][1]) if rows else 0)
