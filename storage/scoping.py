"""Rows loaded by id only when they belong to a workspace.

One deployment serves many workspaces, and ids arrive in payloads (button values, a
modal's private_metadata, command text) that a request from any workspace can carry. A
use case that loads a row by such an id loads it through one of these: one query, joined
up to the row that carries `team_id`, so another workspace's row is simply not found.
Each returns None then, exactly as for an id that does not exist, so the caller's "gone"
answer is the same either way and never tells whether the id exists elsewhere.

Ownership: searches, interview events and negotiation plans carry `team_id`; a draft
belongs to a team through its search, its versions, written feedback and feedback
requests through the draft, a debrief through its event, and a plan's legs and
compensation through the plan (load the plan, then its parts by the plan's id).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.councils import Council
from storage.debriefs import Debrief, InterviewEvent
from storage.fit import FitStatement, FitSuggestion, FitTwoPager
from storage.missions import FeedbackRequest, MissionDraft, MissionVersion, WrittenFeedback
from storage.negotiation import NegotiationPlan
from storage.searches import Search


def search_in_team(session: Session, *, search_id: int, team_id: str) -> Search | None:
    return session.exec(
        select(Search).where(Search.id == search_id, Search.team_id == team_id)
    ).first()


def draft_in_team(
    session: Session, *, draft_id: int, team_id: str, lock: bool = False
) -> MissionDraft | None:
    """The draft, if its search is `team_id`'s; `lock` locks the draft row (PostgreSQL)."""
    query = (
        select(MissionDraft)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(MissionDraft.id == draft_id, Search.team_id == team_id)
    )
    if lock:
        query = query.with_for_update(of=MissionDraft)
    return session.exec(query).first()


def version_in_team(session: Session, *, version_id: int, team_id: str) -> MissionVersion | None:
    return session.exec(
        select(MissionVersion)
        .join(MissionDraft, col(MissionDraft.id) == MissionVersion.draft_id)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(MissionVersion.id == version_id, Search.team_id == team_id)
    ).first()


def request_in_team(session: Session, *, request_id: int, team_id: str) -> FeedbackRequest | None:
    """The review request, if it is `team_id`'s."""
    return session.exec(
        select(FeedbackRequest).where(
            FeedbackRequest.id == request_id, FeedbackRequest.team_id == team_id
        )
    ).first()


def event_in_team(session: Session, *, event_id: int, team_id: str) -> InterviewEvent | None:
    return session.exec(
        select(InterviewEvent).where(
            InterviewEvent.id == event_id, InterviewEvent.team_id == team_id
        )
    ).first()


def debrief_in_team(session: Session, *, debrief_id: int, team_id: str) -> Debrief | None:
    """The debrief, if its event is `team_id`'s."""
    return session.exec(
        select(Debrief)
        .join(InterviewEvent, col(InterviewEvent.id) == Debrief.event_id)
        .where(Debrief.id == debrief_id, InterviewEvent.team_id == team_id)
    ).first()


def plan_in_team(session: Session, *, plan_id: int, team_id: str) -> NegotiationPlan | None:
    return session.exec(
        select(NegotiationPlan).where(
            NegotiationPlan.id == plan_id, NegotiationPlan.team_id == team_id
        )
    ).first()


def council_in_team(
    session: Session, *, council_id: int, team_id: str, channel_id: str | None = None
) -> Council | None:
    """The council, if it is `team_id`'s (and, given `channel_id`, that channel's)."""
    query = select(Council).where(Council.id == council_id, Council.team_id == team_id)
    if channel_id is not None:
        query = query.where(Council.channel_id == channel_id)
    return session.exec(query).first()


# --- written feedback and back-channel checklists ------------------------------------------------
# (Kept apart from the block above: written feedback belongs to a team through its version's
# draft's search; a back-channel checklist carries `team_id`, its people belong through it.)


def feedback_in_team(session: Session, *, feedback_id: int, team_id: str) -> WrittenFeedback | None:
    """The written feedback, if its version's draft's search is `team_id`'s."""
    return session.exec(
        select(WrittenFeedback)
        .join(MissionVersion, col(MissionVersion.id) == WrittenFeedback.version_id)
        .join(MissionDraft, col(MissionDraft.id) == MissionVersion.draft_id)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(WrittenFeedback.id == feedback_id, Search.team_id == team_id)
    ).first()


def checklist_in_team(
    session: Session, *, checklist_id: int, team_id: str
) -> BackchannelChecklist | None:
    return session.exec(
        select(BackchannelChecklist).where(
            BackchannelChecklist.id == checklist_id, BackchannelChecklist.team_id == team_id
        )
    ).first()


def person_in_team(
    session: Session, *, person_id: int, team_id: str
) -> tuple[BackchannelPerson, BackchannelChecklist] | None:
    """The back-channel person with their checklist, if the checklist is `team_id`'s."""
    found = session.exec(
        select(BackchannelPerson, BackchannelChecklist)
        .join(BackchannelChecklist, col(BackchannelChecklist.id) == BackchannelPerson.checklist_id)
        .where(BackchannelPerson.id == person_id, BackchannelChecklist.team_id == team_id)
    ).first()
    return None if found is None else (found[0], found[1])


# --- `/fit`: Two-Pager versions, statements, suggestions (each carries `team_id`) ----------------


def two_pager_in_team(session: Session, *, two_pager_id: int, team_id: str) -> FitTwoPager | None:
    return session.exec(
        select(FitTwoPager).where(FitTwoPager.id == two_pager_id, FitTwoPager.team_id == team_id)
    ).first()


def statement_in_team(session: Session, *, statement_id: int, team_id: str) -> FitStatement | None:
    return session.exec(
        select(FitStatement).where(FitStatement.id == statement_id, FitStatement.team_id == team_id)
    ).first()


def suggestion_in_team(
    session: Session, *, suggestion_id: int, team_id: str
) -> FitSuggestion | None:
    return session.exec(
        select(FitSuggestion).where(
            FitSuggestion.id == suggestion_id, FitSuggestion.team_id == team_id
        )
    ).first()
