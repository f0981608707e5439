"""Mission use cases over a real database: reactions as state, under concurrency too."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.features.missions import service
from bot.features.missions.rules import MissionInput, Objective
from storage.councils import upsert_council
from storage.db import session_scope
from storage.missions import ReactionFeedback

MISSION = MissionInput(
    company="Acme",
    role="Head of Product",
    stage="interviewing",
    mission="Make robots easy to deploy.",
    objectives=(Objective("Cut deployment time", ("5 days, down from 30",)),),
)


def posted_draft(engine: Engine) -> int:
    with session_scope(engine) as session:
        council = upsert_council(session, team_id="T1", channel_id="C1", name="council")
        assert council.id is not None
        council_id = council.id
    draft_id = service.create_draft(
        engine,
        team_id="T1",
        council_id=council_id,
        channel_id="C1",
        author_id="UAUTHOR",
        mission=MISSION,
    )
    service.attach_message(engine, team_id="T1", draft_id=draft_id, message_ts="100.000001")
    return draft_id


def react(engine: Engine, *, ts: str, added: bool = True, event_id: str | None = None) -> object:
    return service.record_reaction(
        engine,
        team_id="T1",
        event_id=event_id,
        channel_id="C1",
        message_ts="100.000001",
        user_id="UFRIEND",
        emoji="+1",
        added=added,
        event_ts=ts,
        bot_user="UBOT",
    )


def stored(engine: Engine) -> list[tuple[bool, str]]:
    with Session(engine) as session:
        return [(r.present, r.event_ts) for r in session.exec(select(ReactionFeedback)).all()]


def test_racing_events_for_one_reaction_keep_the_newest(engine: Engine) -> None:
    posted_draft(engine)
    stamps = [f"200.{n:06d}" for n in range(1, 17)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda pair: react(engine, ts=pair[1], added=pair[0] % 2 == 0), enumerate(stamps)
            )
        )
    # The newest event (index 15: a removal) wins, whatever order they were applied in.
    assert stored(engine) == [(False, stamps[-1])]


def test_the_same_event_id_applies_once(engine: Engine) -> None:
    posted_draft(engine)
    assert react(engine, ts="300.000001", event_id="Ev1") is not None
    assert react(engine, ts="300.000002", added=False, event_id="Ev1") is None
    assert stored(engine) == [(True, "300.000001")]


def test_an_older_event_never_undoes_a_newer_one(engine: Engine) -> None:
    posted_draft(engine)
    react(engine, ts="400.000002", added=False)
    assert react(engine, ts="400.000001", added=True) is None
    assert stored(engine) == [(False, "400.000002")]
