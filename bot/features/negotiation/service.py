"""Use cases of `/negotiate`: plans, their legs, the private numbers, sharing.

No Slack here: handlers call these with plain values and render what comes back. Every
use case that changes a plan checks that it is the member's own (NotAllowed otherwise).
The compensation row is read only by the use cases that show the member their own
numbers, or share them because the member ticked the box.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.features.errors import NotAllowed
from bot.features.negotiation.rules import (
    LEG_KEYS,
    Leg,
    LegInput,
    ObjectiveOption,
    PickInput,
    Plan,
    PlanSummary,
    clean_checklist,
)
from bot.features.negotiation.rules import Compensation as CompensationData
from storage import negotiation as store
from storage.db import session_scope
from storage.missions import Objective
from storage.negotiation import NegotiationLeg, NegotiationPlan
from storage.scoping import council_in_team, plan_in_team
from storage.searches import Search, find_or_create_search, searches_of
from storage.types import require_id, require_row

# --- reading ------------------------------------------------------------------------------------


def company_searches(engine: Engine, *, team_id: str, user_id: str) -> dict[int, str]:
    """The member's searches (id -> company), most recent first, for the company select."""
    with session_scope(engine) as session:
        rows = searches_of(session, team_id=team_id, user_id=user_id)
        return {row.id or 0: row.company for row in rows}


def _own(session: Session, *, plan_id: int, team_id: str, user_id: str) -> NegotiationPlan:
    # Another workspace's plan is answered as someone else's: the id says nothing here.
    row = plan_in_team(session, plan_id=plan_id, team_id=team_id)
    if row is None or row.user_id != user_id:
        raise NotAllowed("That negotiation plan isn't one of yours.")
    return row


def _legs(session: Session, row: NegotiationPlan) -> tuple[Leg, ...]:
    stored = store.legs_of(session, plan_id=require_id(row))
    linked = [r.objective_id for r in stored.values() if r.objective_id is not None]
    texts: dict[int, str] = {}
    if linked:
        objectives = session.exec(select(Objective).where(col(Objective.id).in_(linked))).all()
        texts = {o.id or 0: o.text for o in objectives}
    return ordered_legs((leg, texts.get(leg.objective_id or 0)) for leg in stored.values())


def ordered_legs(stored: Iterable[tuple[NegotiationLeg, str | None]]) -> tuple[Leg, ...]:
    """A plan's legs in the feature's order, from stored legs with their objective's text;
    a leg not stored yet is an empty one."""
    by_key = {leg.leg: (leg, text) for leg, text in stored}
    legs: list[Leg] = []
    for key in LEG_KEYS:
        if key not in by_key:
            legs.append(Leg(key=key))
            continue
        leg, text = by_key[key]
        legs.append(
            Leg(
                key=key,
                ask=leg.ask,
                objective_id=leg.objective_id,
                objective_text=text or "",
                status=leg.status,
            )
        )
    return tuple(legs)


def _checklist(row: NegotiationPlan) -> tuple[str, ...]:
    try:
        value = json.loads(row.checklist or "[]")
    except ValueError:
        return ()
    return clean_checklist([str(v) for v in value]) if isinstance(value, list) else ()


def _compensation(session: Session, plan_id: int) -> CompensationData:
    row = store.compensation_of(session, plan_id=plan_id)
    if row is None:
        return CompensationData()
    return CompensationData(offer=row.offer, target=row.target, currency=row.currency)


def _snapshot(session: Session, row: NegotiationPlan, *, with_numbers: bool) -> Plan:
    plan_id = require_id(row)
    search = require_row(session.get(Search, row.search_id), f"search of plan {plan_id}")
    version, objectives = store.current_objectives(session, search=search)
    council_id, channel_id = row.council_id, row.channel_id
    if not channel_id:
        council_id, channel_id = store.draft_channel(session, search=search)
    return Plan(
        plan_id=plan_id,
        user_id=row.user_id,
        search_id=row.search_id,
        company=search.company,
        legs=_legs(session, row),
        compensation=_compensation(session, plan_id) if with_numbers else None,
        checklist=_checklist(row),
        objectives=tuple(
            ObjectiveOption(id=o.id or 0, position=o.position, text=o.text) for o in objectives
        ),
        mission_version=version,
        council_id=council_id,
        channel_id=channel_id,
        shared_at=row.shared_at,
        updated_at=row.updated_at,
    )


def plan(
    engine: Engine, *, plan_id: int, team_id: str, user_id: str, with_numbers: bool = True
) -> Plan:
    """The member's plan; without its numbers when `with_numbers` is False (sharing)."""
    with session_scope(engine) as session:
        row = _own(session, plan_id=plan_id, team_id=team_id, user_id=user_id)
        return _snapshot(session, row, with_numbers=with_numbers)


def plans(engine: Engine, *, team_id: str, user_id: str) -> list[PlanSummary]:
    """The member's plans for `/negotiate list` and Home: red flags first, then most recent."""
    with session_scope(engine) as session:
        rows = store.plans_of(session, team_id=team_id, user_id=user_id)
        summaries: list[PlanSummary] = []
        for row in rows:
            plan_id = require_id(row)
            search = session.get(Search, row.search_id)
            money = store.compensation_of(session, plan_id=plan_id)
            summaries.append(
                PlanSummary(
                    plan_id=plan_id,
                    company=search.company if search is not None else "",
                    legs=_legs(session, row),
                    has_numbers=money is not None
                    and (money.offer is not None or money.target is not None),
                    shared_at=row.shared_at,
                )
            )
    return sorted(summaries, key=lambda s: not s.red_flag)  # stable: recency kept within


# --- changing -----------------------------------------------------------------------------------


def open_plan(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    pick: PickInput,
    council_id: int | None,
    channel_id: str | None,
    now: datetime,
) -> Plan:
    """The plan for the picked search (created with the search when new).

    Opened from a council channel, the plan remembers it: that is where it is shared and
    where its negotiation call is debriefed.
    """
    with session_scope(engine) as session:
        if pick.search_id is not None:
            search = session.get(Search, pick.search_id)
            if search is None or search.user_id != user_id or search.team_id != team_id:
                raise NotAllowed("That search isn't one of yours.")
        else:
            search = find_or_create_search(
                session, team_id=team_id, user_id=user_id, company=pick.company
            )
        row = store.get_or_add_plan(session, search=search, legs=LEG_KEYS, now=now)
        # From the form's metadata: only this workspace's council is remembered (the plan
        # is shared there), so another workspace's channel never receives it.
        if (
            council_id is not None
            and channel_id
            and council_in_team(
                session, council_id=council_id, team_id=team_id, channel_id=channel_id
            )
            is not None
        ):
            row.council_id, row.channel_id = council_id, channel_id
        session.flush()
        return _snapshot(session, row, with_numbers=True)


def save_leg(
    engine: Engine,
    *,
    plan_id: int,
    team_id: str,
    user_id: str,
    leg: str,
    data: LegInput,
    now: datetime,
) -> Plan:
    if leg not in LEG_KEYS:
        raise NotAllowed("That part of the plan doesn't exist.")
    with session_scope(engine) as session:
        row = _own(session, plan_id=plan_id, team_id=team_id, user_id=user_id)
        stored: NegotiationLeg = store.leg_row(session, plan_id=plan_id, leg=leg, now=now)
        stored.ask, stored.objective_id, stored.status = data.ask, data.objective_id, data.status
        stored.updated_at = now
        row.updated_at = now
        session.flush()
        return _snapshot(session, row, with_numbers=True)


def save_compensation(
    engine: Engine,
    *,
    plan_id: int,
    team_id: str,
    user_id: str,
    data: CompensationData,
    now: datetime,
) -> Plan:
    with session_scope(engine) as session:
        row = _own(session, plan_id=plan_id, team_id=team_id, user_id=user_id)
        store.set_compensation(
            session,
            plan_id=plan_id,
            offer=data.offer,
            target=data.target,
            currency=data.currency,
            now=now,
        )
        row.updated_at = now
        session.flush()
        return _snapshot(session, row, with_numbers=True)


def set_checklist(
    engine: Engine, *, plan_id: int, team_id: str, user_id: str, ticked: list[str], now: datetime
) -> tuple[str, ...]:
    """Store the ticked items of the before-the-call checklist; the cleaned list."""
    keys = clean_checklist(ticked)
    with session_scope(engine) as session:
        row = _own(session, plan_id=plan_id, team_id=team_id, user_id=user_id)
        row.checklist = json.dumps(list(keys))
        row.updated_at = now
    return keys


def mark_shared(
    engine: Engine,
    *,
    plan_id: int,
    team_id: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
    now: datetime,
) -> None:
    with session_scope(engine) as session:
        row = _own(session, plan_id=plan_id, team_id=team_id, user_id=user_id)
        row.shared_channel_id, row.shared_ts, row.shared_at = channel_id, message_ts, now
