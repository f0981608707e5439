"""`/fit` tables and use cases on SQLite and PostgreSQL: versions numbered per member and
kept, loading only within the workspace and for the author, suggestions decided once, the
member's export and erase, and the workspace purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.features.errors import NotAllowed
from bot.features.fit import service
from bot.features.fit.rules import StatementInput, TwoPagerInput
from storage import fit as store
from storage import purge
from storage.fit import FitStatement, FitSuggestion, FitTwoPager

T, OTHER, LENA, NOOR = "T1", "T2", "U0LENA0002", "U0NOOR0001"
NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)
LISTS = TwoPagerInput(wants=("A team that ships",), dont_wants=("On-call",))
CMF = StatementInput(
    attributes={"stage": "Seed", "industry": "Health", "role": "PM", "culture": ""},
    sentence="A PM for seed-stage health startups",
)


def posted_two_pager(engine: Engine, *, team: str = T, user: str = LENA) -> int:
    saved = service.save_two_pager(engine, team_id=team, user_id=user, data=LISTS, now=NOW)
    service.record_two_pager_post(
        engine, two_pager_id=saved.id, team_id=team, channel_id="C1", message_ts="1.5"
    )
    return saved.id


def test_every_save_is_a_new_version_numbered_per_member(engine: Engine) -> None:
    for _ in range(2):
        service.save_statement(engine, team_id=T, user_id=LENA, data=CMF, now=NOW)
    service.save_statement(engine, team_id=T, user_id=NOOR, data=CMF, now=NOW)
    service.save_statement(engine, team_id=OTHER, user_id=LENA, data=CMF, now=NOW)
    history = service.history(engine, team_id=T, user_id=LENA)
    assert [s.number for s in history.statements] == [2, 1]
    current = service.current(engine, team_id=T, user_id=LENA)
    assert current.statement is not None and current.statement.number == 2
    assert current.two_pager is None


def test_ids_load_only_within_the_workspace_and_for_the_author(engine: Engine) -> None:
    two_pager = posted_two_pager(engine)
    with pytest.raises(NotAllowed, match="can't find"):
        service.posted_two_pager(engine, two_pager_id=two_pager, team_id=OTHER)
    with pytest.raises(NotAllowed, match="Only its author"):
        service.own_two_pager(engine, two_pager_id=two_pager, team_id=T, user_id=NOOR)
    with pytest.raises(NotAllowed, match="your own"):
        service.suggest(
            engine,
            two_pager_id=two_pager,
            team_id=T,
            user_id=LENA,
            list_key="wants",
            item="x",
            now=NOW,
        )
    with pytest.raises(NotAllowed, match="can't find"):
        service.suggest(
            engine,
            two_pager_id=two_pager,
            team_id=OTHER,
            user_id=NOOR,
            list_key="wants",
            item="x",
            now=NOW,
        )


def test_a_suggestion_is_decided_once_by_the_author(engine: Engine) -> None:
    two_pager = posted_two_pager(engine)
    suggestion = service.suggest(
        engine,
        two_pager_id=two_pager,
        team_id=T,
        user_id=NOOR,
        list_key="dont_wants",
        item="Long commutes",
        now=NOW,
    )
    with pytest.raises(NotAllowed):
        service.decide(
            engine, suggestion_id=suggestion.id, team_id=T, user_id=NOOR, accept=True, now=NOW
        )
    with pytest.raises(NotAllowed):
        service.decide(
            engine, suggestion_id=suggestion.id, team_id=OTHER, user_id=LENA, accept=True, now=NOW
        )
    later = NOW + timedelta(hours=1)
    decision = service.decide(
        engine, suggestion_id=suggestion.id, team_id=T, user_id=LENA, accept=True, now=later
    )
    assert decision.two_pager is not None
    assert decision.two_pager.dont_wants == ("On-call", "Long commutes")
    assert (decision.two_pager.number, decision.two_pager.message_ts) == (2, "1.5")
    with pytest.raises(NotAllowed, match="already answered"):
        service.decide(
            engine, suggestion_id=suggestion.id, team_id=T, user_id=LENA, accept=False, now=later
        )


def test_export_holds_versions_and_suggestions_given_and_erase_takes_them(
    engine: Engine,
) -> None:
    lenas = posted_two_pager(engine)
    service.save_statement(engine, team_id=T, user_id=LENA, data=CMF, now=NOW)
    nooras = posted_two_pager(engine, user=NOOR)
    for owner, suggester in ((lenas, NOOR), (nooras, LENA)):
        service.suggest(
            engine,
            two_pager_id=owner,
            team_id=T,
            user_id=suggester,
            list_key="wants",
            item=f"From {suggester}",
            now=NOW,
        )
    with Session(engine) as session:
        exported = store.export_member(session, team_id=T, user_id=LENA)
    assert [v["wants"] for v in exported["two_pager_versions"]] == [["A team that ships"]]
    assert [s["sentence"] for s in exported["cmf_statements"]] == [CMF.sentence]
    assert [s["item"] for s in exported["two_pager_suggestions_given"]] == [f"From {LENA}"]

    with Session(engine) as session:
        steps = purge.purge_member(session, team_id=T, user_id=LENA)
        session.commit()
    # Her versions, her suggestion on Noor's and Noor's on hers.
    assert steps["fit"] == {"fit_suggestions": 2, "fit_two_pagers": 1, "fit_statements": 1}
    with Session(engine) as session:
        assert [t.user_id for t in session.exec(select(FitTwoPager)).all()] == [NOOR]
        assert session.exec(select(FitSuggestion)).all() == []
        assert session.exec(select(FitStatement)).all() == []


def test_the_workspace_purge_takes_every_fit_row(engine: Engine) -> None:
    two_pager = posted_two_pager(engine)
    service.suggest(
        engine,
        two_pager_id=two_pager,
        team_id=T,
        user_id=NOOR,
        list_key="wants",
        item="x",
        now=NOW,
    )
    service.save_statement(engine, team_id=T, user_id=LENA, data=CMF, now=NOW)
    kept = posted_two_pager(engine, team=OTHER)
    with Session(engine) as session:
        counts = purge.purge_team(session, team_id=T)
        session.commit()
    assert counts["fit_two_pagers"] == 1 and counts["fit_suggestions"] == 1
    assert counts["fit_statements"] == 1
    with Session(engine) as session:
        assert [t.id for t in session.exec(select(FitTwoPager)).all()] == [kept]


def test_of_two_answers_at_once_only_one_finds_the_suggestion_pending(engine: Engine) -> None:
    two_pager = posted_two_pager(engine)
    suggestion = service.suggest(
        engine,
        two_pager_id=two_pager,
        team_id=T,
        user_id=NOOR,
        list_key="wants",
        item="x",
        now=NOW,
    )
    with Session(engine) as session:
        # Both answers loaded it pending; the conditional UPDATE lets one through.
        first = store.claim_decision(
            session, suggestion_id=suggestion.id, team_id=T, status="accepted", now=NOW
        )
        second = store.claim_decision(
            session, suggestion_id=suggestion.id, team_id=T, status="declined", now=NOW
        )
        elsewhere = store.claim_decision(
            session, suggestion_id=suggestion.id, team_id=OTHER, status="declined", now=NOW
        )
        session.commit()
    assert (first, second, elsewhere) == (True, False, False)
    with Session(engine) as session:
        assert [s.status for s in session.exec(select(FitSuggestion)).all()] == ["accepted"]
