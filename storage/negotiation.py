"""Tables and queries for negotiation plans (`/negotiate`): the four legs of an offer.

A plan belongs to one member's search at one company. Its three success-factor legs
(resources, team development, mentorship and professional development) are rows in
`negotiation_legs`, each optionally tied to an objective of the member's job mission.
The money leg lives in its own table, `negotiation_compensation`: it is private to the
member, so code that shares a plan reads it only when the member chose to include it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedInt
from storage.missions import MissionDraft, MissionVersion, Objective
from storage.searches import Search
from storage.types import UTCDateTime, require_id, utcnow


class NegotiationPlan(SQLModel, table=True):
    """One member's negotiation plan for one search (one plan per search)."""

    __tablename__ = "negotiation_plans"
    __table_args__ = (UniqueConstraint("search_id", name="uq_negotiation_plans_search_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32, index=True)
    search_id: int = Field(foreign_key="searches.id")
    # The council channel `/negotiate` was last used in for this plan: where a summary is
    # shared and where a scheduled negotiation call is debriefed. None until then.
    council_id: int | None = Field(default=None, foreign_key="councils.id")
    channel_id: str | None = Field(default=None, max_length=32)
    # Ticked items of the before-the-call checklist (a JSON list of keys).
    checklist: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # The last summary shared with the council (None until shared).
    shared_channel_id: str | None = Field(default=None, max_length=32)
    shared_ts: str | None = Field(default=None, max_length=32)
    shared_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class NegotiationLeg(SQLModel, table=True):
    """One success-factor ask of a plan: resources, team development or mentorship."""

    __tablename__ = "negotiation_legs"
    __table_args__ = (UniqueConstraint("plan_id", "leg", name="uq_negotiation_legs_plan_leg"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="negotiation_plans.id", index=True)
    leg: str = Field(max_length=20)  # resources | team | mentorship
    ask: str = Field(default="", max_length=300)
    # The job-mission objective the ask serves (a row of the draft's current version when
    # it was chosen). A draft that is discarded takes the link with it, not the ask.
    objective_id: int | None = Field(
        default=None, foreign_key="objectives.id", ondelete="SET NULL", index=True
    )
    status: str = Field(default="not_asked", max_length=16)  # not_asked|asked|committed|declined
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class NegotiationCompensation(SQLModel, table=True):
    """The money leg: the current offer and the number the member wants. Private."""

    __tablename__ = "negotiation_compensation"

    plan_id: int = Field(foreign_key="negotiation_plans.id", primary_key=True)
    # Whole units of `currency`, encrypted at rest (storage/crypto.py): any size of integer.
    offer: int | None = Field(default=None, sa_column=Column(EncryptedInt, nullable=True))
    target: int | None = Field(default=None, sa_column=Column(EncryptedInt, nullable=True))
    currency: str = Field(default="USD", max_length=3)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# --- plans --------------------------------------------------------------------------------------


def plan_for_search(session: Session, *, search_id: int) -> NegotiationPlan | None:
    return session.exec(
        select(NegotiationPlan).where(NegotiationPlan.search_id == search_id)
    ).first()


def get_or_add_plan(
    session: Session,
    *,
    search: Search,
    legs: Sequence[str],
    now: datetime,
) -> NegotiationPlan:
    """The plan for `search`, created (with an empty row per leg) when new.

    Two requests creating the same plan at once: the second sees the first's row.
    """
    search_id = require_id(search)
    found = plan_for_search(session, search_id=search_id)
    if found is not None:
        return found
    plan = NegotiationPlan(
        team_id=search.team_id,
        user_id=search.user_id,
        search_id=search_id,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(plan)
            session.flush()
            plan_id = require_id(plan)
            for leg in legs:
                session.add(NegotiationLeg(plan_id=plan_id, leg=leg, updated_at=now))
            session.flush()
    except IntegrityError:
        found = plan_for_search(session, search_id=search_id)
        if found is None:  # pragma: no cover - the winner rolled back meanwhile
            raise
        return found
    return plan


def plans_of(session: Session, *, team_id: str, user_id: str) -> list[NegotiationPlan]:
    """A member's plans, most recently changed first."""
    return list(
        session.exec(
            select(NegotiationPlan)
            .where(NegotiationPlan.team_id == team_id, NegotiationPlan.user_id == user_id)
            .order_by(col(NegotiationPlan.updated_at).desc(), col(NegotiationPlan.id).desc())
        ).all()
    )


def plans_with_money_of(
    session: Session, *, team_id: str, user_id: str
) -> list[tuple[NegotiationPlan, Search | None, NegotiationCompensation | None]]:
    """A member's plans, most recently changed first, each with its search and its money
    row (None when no numbers were saved), in one query."""
    rows = session.exec(
        select(NegotiationPlan, Search, NegotiationCompensation)
        .outerjoin(Search, col(Search.id) == NegotiationPlan.search_id)
        .outerjoin(
            NegotiationCompensation,
            col(NegotiationCompensation.plan_id) == NegotiationPlan.id,
        )
        .where(NegotiationPlan.team_id == team_id, NegotiationPlan.user_id == user_id)
        .order_by(col(NegotiationPlan.updated_at).desc(), col(NegotiationPlan.id).desc())
    ).all()
    return [(plan, search, money) for plan, search, money in rows]


def legs_of_member(
    session: Session, *, team_id: str, user_id: str
) -> list[tuple[NegotiationLeg, str | None]]:
    """Every leg of a member's plans with the text of the objective it is tied to (None:
    not tied, or the objective is gone), in one query."""
    rows = session.exec(
        select(NegotiationLeg, Objective.text)
        .join(NegotiationPlan, col(NegotiationPlan.id) == NegotiationLeg.plan_id)
        .outerjoin(Objective, col(Objective.id) == NegotiationLeg.objective_id)
        .where(NegotiationPlan.team_id == team_id, NegotiationPlan.user_id == user_id)
        .order_by(col(NegotiationLeg.plan_id), col(NegotiationLeg.id))
    ).all()
    return [(leg, text) for leg, text in rows]


# --- legs and compensation ----------------------------------------------------------------------


def legs_of(session: Session, *, plan_id: int) -> dict[str, NegotiationLeg]:
    rows = session.exec(select(NegotiationLeg).where(NegotiationLeg.plan_id == plan_id)).all()
    return {row.leg: row for row in rows}


def leg_row(session: Session, *, plan_id: int, leg: str, now: datetime) -> NegotiationLeg:
    """The plan's row for `leg`, added if missing (a leg added in a later version)."""
    row = session.exec(
        select(NegotiationLeg).where(NegotiationLeg.plan_id == plan_id, NegotiationLeg.leg == leg)
    ).first()
    if row is None:
        row = NegotiationLeg(plan_id=plan_id, leg=leg, updated_at=now)
        session.add(row)
        session.flush()
    return row


def compensation_of(session: Session, *, plan_id: int) -> NegotiationCompensation | None:
    return session.get(NegotiationCompensation, plan_id)


def set_compensation(
    session: Session,
    *,
    plan_id: int,
    offer: int | None,
    target: int | None,
    currency: str,
    now: datetime,
) -> NegotiationCompensation:
    row = session.get(NegotiationCompensation, plan_id)
    if row is None:
        row = NegotiationCompensation(plan_id=plan_id)
        session.add(row)
    row.offer, row.target, row.currency, row.updated_at = offer, target, currency, now
    session.flush()
    return row


# --- the job mission's objectives ---------------------------------------------------------------


def current_objectives(session: Session, *, search: Search) -> tuple[int | None, list[Objective]]:
    """(version number, objectives) of the member's live mission draft for this search.

    The latest draft that is not withdrawn, at its current version; (None, []) without one.
    """
    draft = session.exec(
        select(MissionDraft)
        .where(
            MissionDraft.search_id == search.id,
            MissionDraft.author_id == search.user_id,
            MissionDraft.status != "withdrawn",
        )
        .order_by(col(MissionDraft.id).desc())
    ).first()
    if draft is None:
        return None, []
    version = session.exec(
        select(MissionVersion).where(
            MissionVersion.draft_id == draft.id, MissionVersion.number == draft.current_version
        )
    ).first()
    if version is None:
        return None, []
    objectives = session.exec(
        select(Objective)
        .where(Objective.version_id == version.id)
        .order_by(col(Objective.position))
    ).all()
    return version.number, list(objectives)


def draft_channel(session: Session, *, search: Search) -> tuple[int | None, str | None]:
    """(council id, channel) of the member's latest live mission draft for this search."""
    draft = session.exec(
        select(MissionDraft)
        .where(
            MissionDraft.search_id == search.id,
            MissionDraft.author_id == search.user_id,
            MissionDraft.status != "withdrawn",
        )
        .order_by(col(MissionDraft.id).desc())
    ).first()
    if draft is None:
        return None, None
    return draft.council_id, draft.channel_id
