"""The App Home use case: one member's dashboard, read in one unit of work.

The Home is opened often and a member's history only grows, so it is read with a fixed
number of queries whatever that history holds: each section asks for the few items it
shows (its `Caps`) and how many there are in all, in one query, and what those items
need besides (tallies, the people on a checklist, the legs of a plan) comes in one more
query per section, never one per item. What the Home does not show (a draft's
objectives and key results) is not read at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from bot.features.backchannel.rules import CHECKLIST_OPEN, Checklist
from bot.features.backchannel.service import person_of
from bot.features.council import ritual_service
from bot.features.council.ritual_service import MemberMeeting
from bot.features.debriefs.rules import EventSummary
from bot.features.debriefs.service import AWAITING_WINDOW, event_summary
from bot.features.feedback_requests import service as requests_service
from bot.features.feedback_requests.rules import OwedReview
from bot.features.fit import service as fit_service
from bot.features.fit.service import Current as FitNow
from bot.features.missions.rules import DraftSummary, OwedFeedback, tally
from bot.features.negotiation.rules import PlanSummary
from bot.features.negotiation.service import ordered_legs
from bot.features.tour import service as tour_service
from bot.features.tour.rules import TARGET as TOUR_TARGET
from bot.platform.councils import known_councils
from storage import backchannel as backchannel_store
from storage import debriefs as debriefs_store
from storage import feedback_requests as requests_store
from storage import missions as missions_store
from storage import negotiation as negotiation_store
from storage import tour as tour_store
from storage.db import unit_of_work
from storage.negotiation import NegotiationLeg
from storage.types import require_id

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Shown(Generic[T]):
    """The items of one Home section that fit, in order, and how many there are in all."""

    items: tuple[T, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        """How many the section leaves for the feature's `list` subcommand."""
        return max(self.total - len(self.items), 0)


@dataclass(frozen=True, slots=True)
class Caps:
    """How many items each section of the Home shows at most."""

    drafts: int
    owed: int
    events: int
    checklists: int
    plans: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the Home tab shows, as `home_view` takes it."""

    drafts: Shown[DraftSummary]  # live drafts, most recently changed first
    owed: Shown[OwedFeedback]  # feedback asked of the member, soonest deadline first
    events: Shown[EventSummary]  # waiting for a debrief, then coming up, soonest first
    gratitude_count: int
    now: datetime
    negotiations: Shown[PlanSummary]  # red flags first, then most recently changed
    checklists: Shown[Checklist]  # open ones, most recently changed first
    tour_count: int = 0  # Listening Tour conversations logged (`/tour`)
    tour_target: int = TOUR_TARGET  # the member's own target (`/tour target`)
    reviews: Shown[OwedReview] = Shown(items=(), total=0)  # plans, Two-Pagers, statements


@dataclass(frozen=True, slots=True)
class HomeBoard:
    """The whole Home as read for one publish: the dashboard, each council's next meeting
    (before the channel-membership check, which is Slack's), and the member's `/fit`."""

    dashboard: Dashboard
    meetings: list[MemberMeeting]
    fit: FitNow


def home_board(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    caps: Caps,
    councils_checked: int,
) -> HomeBoard:
    """Everything one Home publish reads, in one unit of work (one transaction): the
    features' own use cases join it (storage.db.unit_of_work)."""
    with unit_of_work(engine):
        board = dashboard(engine, team_id=team_id, user_id=user_id, now=now, caps=caps)
        channels = known_councils(engine, team_id=team_id, limit=councils_checked)
        meetings = ritual_service.next_meetings_for(
            engine, team_id=team_id, user_id=user_id, channel_ids=channels, now=now
        )
        return HomeBoard(
            dashboard=board,
            meetings=meetings,
            fit=fit_service.current(engine, team_id=team_id, user_id=user_id),
        )


def dashboard(
    engine: Engine, *, team_id: str, user_id: str, now: datetime, caps: Caps
) -> Dashboard:
    """One member's dashboard: every feature's part, in one session and one transaction,
    from a fixed number of queries however many drafts, requests, events and plans the
    member has."""
    with unit_of_work(engine) as session:
        owner = {"team_id": team_id, "user_id": user_id}
        return Dashboard(
            drafts=_drafts(session, **owner, now=now, limit=caps.drafts),
            owed=_owed(session, **owner, now=now, limit=caps.owed),
            events=_events(session, **owner, now=now, limit=caps.events),
            gratitude_count=debriefs_store.count_gratitude(session, **owner),
            now=now,
            negotiations=_plans(session, **owner, limit=caps.plans),
            checklists=_checklists(session, **owner, limit=caps.checklists),
            tour_count=tour_store.count_conversations(session, **owner),
            tour_target=tour_service.target_in(session, **owner),
            reviews=_reviews(session, **owner, now=now, limit=caps.owed),
        )


def _reviews(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int
) -> Shown[OwedReview]:
    items, total = requests_service.owed_reviews_in(
        session, team_id=team_id, user_id=user_id, now=now, limit=limit
    )
    return Shown(items=tuple(items), total=total)


# --- job missions: 3 queries ---------------------------------------------------------------------


def _drafts(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int
) -> Shown[DraftSummary]:
    rows, total = missions_store.recent_live_drafts(
        session, team_id=team_id, user_id=user_id, limit=limit
    )
    reactions = missions_store.present_reactions(
        session, version_ids=[require_id(version) for _, _, version in rows]
    )
    # Interviews that have happened, per search: the mission section suggests walking the
    # hiring manager through the draft live after a couple of them.
    interviews = (
        debriefs_store.count_interviews(session, team_id=team_id, user_id=user_id, before=now)
        if rows
        else {}
    )
    return Shown(
        items=tuple(
            DraftSummary(
                draft_id=require_id(draft),
                company=search.company,
                role=version.role,
                stage=version.stage,
                version=draft.current_version,
                status=draft.status,
                tally=tally(
                    reactions.get(require_id(version), ()), author=draft.author_id, bot_user=None
                ),
                interviews_logged=interviews.get(draft.search_id, 0),
            )
            for draft, search, version in rows
        ),
        total=total,
    )


def _owed(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int
) -> Shown[OwedFeedback]:
    rows, total = requests_store.owed_requests(
        session, team_id=team_id, user_id=user_id, now=now, limit=limit
    )
    return Shown(
        items=tuple(
            OwedFeedback(
                draft_id=require_id(draft),
                author_id=draft.author_id,
                company=search.company,
                role=search.role,
                deadline=request.deadline,
                channel_id=draft.channel_id,
            )
            for request, draft, search in rows
        ),
        total=total,
    )


# --- debriefs: 2 queries (the events, the Gratitude House count) --------------------------------


def _events(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int
) -> Shown[EventSummary]:
    rows, total = debriefs_store.open_events_of(
        session, team_id=team_id, user_id=user_id, since=now - AWAITING_WINDOW, now=now, limit=limit
    )
    return Shown(
        items=tuple(event_summary(event, debriefed=debriefed) for event, debriefed in rows),
        total=total,
    )


# --- negotiation: 2 queries (the plans with their money rows, every leg) ------------------------


def _plans(session: Session, *, team_id: str, user_id: str, limit: int) -> Shown[PlanSummary]:
    # Red flags come first, and whether a plan has one depends on its legs: every plan is
    # read (a member has one per company at most), in two queries.
    rows = negotiation_store.plans_with_money_of(session, team_id=team_id, user_id=user_id)
    legs: dict[int, list[tuple[NegotiationLeg, str | None]]] = {}
    if rows:
        for leg, objective_text in negotiation_store.legs_of_member(
            session, team_id=team_id, user_id=user_id
        ):
            legs.setdefault(leg.plan_id, []).append((leg, objective_text))
    summaries = [
        PlanSummary(
            plan_id=require_id(plan),
            company=search.company if search is not None else "",
            legs=ordered_legs(legs.get(require_id(plan), ())),
            has_numbers=money is not None and (money.offer is not None or money.target is not None),
            shared_at=plan.shared_at,
        )
        for plan, search, money in rows
    ]
    ordered = sorted(summaries, key=lambda s: not s.red_flag)  # stable: recency kept within
    return Shown(items=tuple(ordered[:limit]), total=len(ordered))


# --- back-channel: 2 queries (the checklists, their people) -------------------------------------


def _checklists(session: Session, *, team_id: str, user_id: str, limit: int) -> Shown[Checklist]:
    rows, total = backchannel_store.checklists_page(
        session, team_id=team_id, user_id=user_id, status=CHECKLIST_OPEN, limit=limit
    )
    people = backchannel_store.people_of_checklists(
        session, checklist_ids=[require_id(row) for row, _ in rows]
    )
    return Shown(
        items=tuple(
            Checklist(
                id=require_id(row),
                team_id=row.team_id,
                user_id=row.user_id,
                search_id=row.search_id,
                company=search.company,
                manager_name=row.manager_name,
                people=tuple(person_of(p) for p in people[require_id(row)]),
                status=row.status,
                council_id=row.council_id,
                channel_id=row.channel_id,
                message_ts=row.message_ts,
            )
            for row, search in rows
        ),
        total=total,
    )
