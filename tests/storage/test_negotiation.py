"""Negotiation tables and use cases on SQLite and PostgreSQL: one plan per search, legs tied
to the objectives of the current mission version, the private numbers, ownership."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.features.missions import service as missions_service
from bot.features.missions.rules import MissionInput
from bot.features.missions.rules import Objective as ObjectiveInput
from bot.features.negotiation import service
from bot.features.negotiation.rules import (
    ASKED,
    COMMITTED,
    DECLINED,
    Compensation,
    LegInput,
    PickInput,
)
from bot.platform.councils import register_council
from storage.missions import KeyResult, Objective
from storage.negotiation import (
    NegotiationCompensation,
    NegotiationLeg,
    NegotiationPlan,
)
from storage.searches import Search

T, LENA, MAYA = "T1", "U0LENA0002", "U0MAYA0004"
NOW = datetime(2026, 3, 3, 9, tzinfo=UTC)


def mission(*objectives: str, company: str = "Acme Robotics") -> MissionInput:
    return MissionInput(
        company=company,
        role="Head of Product",
        stage="offer",
        mission="Make warehouse robots easy to deploy.",
        objectives=tuple(
            ObjectiveInput(text=o, key_results=("Ship in 5 days",)) for o in objectives
        ),
    )


def draft(engine: Engine, *objectives: str, user: str = LENA) -> int:
    council = register_council(engine, team_id=T, channel_id="C0COUNCIL01", name="council")
    return missions_service.create_draft(
        engine,
        team_id=T,
        council_id=council,
        channel_id="C0COUNCIL01",
        author_id=user,
        mission=mission(*objectives),
    )


def open_plan(engine: Engine, company: str = "Acme Robotics", user: str = LENA, **kw: object):
    return service.open_plan(
        engine,
        team_id=T,
        user_id=user,
        pick=PickInput(search_id=None, company=company),
        council_id=kw.get("council_id"),  # type: ignore[arg-type]
        channel_id=kw.get("channel_id"),  # type: ignore[arg-type]
        now=NOW,
    )


def test_one_plan_per_search_with_a_row_per_leg(migrated_engine: Engine) -> None:
    first = open_plan(migrated_engine)
    again = open_plan(migrated_engine, company="acme   ROBOTICS")
    assert first.plan_id == again.plan_id
    assert [leg.key for leg in first.legs] == ["resources", "team", "mentorship"]
    with Session(migrated_engine) as session:
        assert len(session.exec(select(NegotiationPlan)).all()) == 1
        assert len(session.exec(select(NegotiationLeg)).all()) == 3
        assert len(session.exec(select(Search)).all()) == 1
        search_id = session.exec(select(Search)).one().id
        session.add(NegotiationPlan(team_id=T, user_id=LENA, search_id=search_id or 0))
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_leg_exists_once_per_plan(migrated_engine: Engine) -> None:
    plan = open_plan(migrated_engine)
    with Session(migrated_engine) as session:
        session.add(NegotiationLeg(plan_id=plan.plan_id, leg="team"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_legs_are_tied_to_objectives_of_the_current_version(migrated_engine: Engine) -> None:
    draft_id = draft(migrated_engine, "Cut deployment time", "Make releases boring")
    plan = open_plan(migrated_engine)
    assert plan.mission_version == 1
    assert [o.text for o in plan.objectives] == ["Cut deployment time", "Make releases boring"]
    assert plan.channel_id == "C0COUNCIL01"  # from the mission draft: opened outside a council
    deploy = plan.objectives[0]
    saved = service.save_leg(
        migrated_engine,
        team_id=T,
        plan_id=plan.plan_id,
        user_id=LENA,
        leg="resources",
        data=LegInput("A budget for legacy deploys", deploy.id, ASKED),
        now=NOW,
    )
    assert saved.leg("resources").objective_text == "Cut deployment time"
    # A revision brings new objective rows; the link follows the same words.
    missions_service.revise(
        migrated_engine,
        team_id=T,
        draft_id=draft_id,
        editor_id=LENA,
        mission=mission("Cut deployment time", "Grow the partner channel"),
        now=NOW + timedelta(days=1),
    )
    revised = service.plan(migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA)
    assert revised.mission_version == 2
    assert [o.text for o in revised.objectives] == [
        "Cut deployment time",
        "Grow the partner channel",
    ]
    assert revised.objectives[0].id != deploy.id
    assert revised.leg("resources").objective_id == deploy.id  # the row it was tied to
    # A withdrawn draft no longer offers objectives.
    missions_service.withdraw(migrated_engine, team_id=T, draft_id=draft_id, user_id=LENA, now=NOW)
    assert (
        service.plan(migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA).objectives
        == ()
    )


def test_removing_an_objective_row_keeps_the_ask(migrated_engine: Engine) -> None:
    draft(migrated_engine, "Cut deployment time")
    plan = open_plan(migrated_engine)
    objective_id = plan.objectives[0].id
    service.save_leg(
        migrated_engine,
        team_id=T,
        plan_id=plan.plan_id,
        user_id=LENA,
        leg="team",
        data=LegInput("Two SREs", objective_id, COMMITTED),
        now=NOW,
    )
    with Session(migrated_engine) as session:  # as `missions_service.discard` does
        for kr in session.exec(select(KeyResult).where(KeyResult.objective_id == objective_id)):
            session.delete(kr)
        session.flush()
        session.delete(session.get(Objective, objective_id))
        session.commit()
    leg = service.plan(migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA).leg("team")
    assert leg.ask == "Two SREs" and leg.objective_id is None and leg.status == COMMITTED


def test_the_numbers_are_stored_and_read_only_when_asked_for(migrated_engine: Engine) -> None:
    plan = open_plan(migrated_engine)
    big = 3_500_000_000  # above a 32-bit integer: some currencies count salaries in billions
    service.save_compensation(
        migrated_engine,
        team_id=T,
        plan_id=plan.plan_id,
        user_id=LENA,
        data=Compensation(big, big + 250_000_000, "IDR"),
        now=NOW,
    )
    own = service.plan(migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA)
    assert own.compensation == Compensation(big, big + 250_000_000, "IDR")
    shared = service.plan(
        migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA, with_numbers=False
    )
    assert shared.compensation is None
    with Session(migrated_engine) as session:
        row = session.get(NegotiationCompensation, plan.plan_id)
        assert row is not None and row.offer == big
    service.save_compensation(
        migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA, data=Compensation(), now=NOW
    )
    assert service.plan(
        migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA
    ).compensation == (Compensation(None, None, "USD"))


def test_only_the_owner_can_read_or_change_a_plan(migrated_engine: Engine) -> None:
    plan = open_plan(migrated_engine)
    with pytest.raises(service.NotAllowed):
        service.plan(migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=MAYA)
    with pytest.raises(service.NotAllowed):
        service.save_leg(
            migrated_engine,
            team_id=T,
            plan_id=plan.plan_id,
            user_id=MAYA,
            leg="team",
            data=LegInput("x", None, ASKED),
            now=NOW,
        )
    with pytest.raises(service.NotAllowed):
        service.save_compensation(
            migrated_engine,
            team_id=T,
            plan_id=plan.plan_id,
            user_id=MAYA,
            data=Compensation(1, 2),
            now=NOW,
        )
    with pytest.raises(service.NotAllowed):
        service.set_checklist(
            migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=MAYA, ticked=["live"], now=NOW
        )
    maya_search = open_plan(migrated_engine, user=MAYA).search_id
    with pytest.raises(service.NotAllowed):  # someone else's search, picked by id
        service.open_plan(
            migrated_engine,
            team_id=T,
            user_id=LENA,
            pick=PickInput(search_id=maya_search, company="Acme Robotics"),
            council_id=None,
            channel_id=None,
            now=NOW,
        )


def test_checklist_and_sharing_are_remembered(migrated_engine: Engine) -> None:
    council = register_council(migrated_engine, team_id=T, channel_id="C0COUNCIL01", name="c")
    plan = open_plan(migrated_engine, council_id=council, channel_id="C0COUNCIL01")
    assert plan.channel_id == "C0COUNCIL01" and plan.council_id == council
    kept = service.set_checklist(
        migrated_engine,
        team_id=T,
        plan_id=plan.plan_id,
        user_id=LENA,
        ticked=["order", "bogus", "live", "live"],
        now=NOW,
    )
    assert kept == ("live", "order")
    service.mark_shared(
        migrated_engine,
        team_id=T,
        plan_id=plan.plan_id,
        user_id=LENA,
        channel_id="C0COUNCIL01",
        message_ts="1.000100",
        now=NOW,
    )
    again = service.plan(migrated_engine, team_id=T, plan_id=plan.plan_id, user_id=LENA)
    assert again.checklist == ("live", "order") and again.shared_at == NOW


def test_plans_list_red_flags_first(migrated_engine: Engine) -> None:
    calm = open_plan(migrated_engine, company="Globex")
    flagged = open_plan(migrated_engine, company="Initech")
    open_plan(migrated_engine, company="Hooli", user=MAYA)
    for leg in ("resources", "team"):
        service.save_leg(
            migrated_engine,
            team_id=T,
            plan_id=flagged.plan_id,
            user_id=LENA,
            leg=leg,
            data=LegInput("ask", None, DECLINED),
            now=NOW,
        )
    service.save_leg(
        migrated_engine,
        team_id=T,
        plan_id=calm.plan_id,
        user_id=LENA,
        leg="team",
        data=LegInput("ask", None, ASKED),
        now=NOW + timedelta(hours=1),
    )
    summaries = service.plans(migrated_engine, team_id=T, user_id=LENA)
    assert [s.company for s in summaries] == ["Initech", "Globex"]
    assert summaries[0].red_flag and not summaries[1].red_flag
    assert not summaries[0].has_numbers
