"""Queries for feedback requests (the tables live with the other mission tables)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    MissionVersion,
    ReactionFeedback,
    written_feedback_givers,
    written_feedback_of,
)
from storage.types import require_id


def add_request(session: Session, request: FeedbackRequest, *, asked: list[str]) -> FeedbackRequest:
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
