"""Councils, members' cached time zones, and processed Events API ids, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.platform.members import member_tz
from storage.councils import upsert_council
from storage.db import session_scope
from storage.events import claim_event, forget_events_before

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_channel_is_one_council_however_often_it_is_registered(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = upsert_council(session, team_id="T1", channel_id="C1", name="council")
    with session_scope(engine) as session:
        again = upsert_council(session, team_id="T1", channel_id="C1", name="renamed")
    assert first.id == again.id
    assert again.name == "renamed"


def test_the_same_event_id_is_claimed_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert claim_event(session, event_id="Ev1") is True
    with session_scope(engine) as session:
        assert claim_event(session, event_id="Ev1") is False
        assert claim_event(session, event_id="Ev2") is True


def test_a_claim_rolled_back_with_failed_work_can_be_claimed_again(engine: Engine) -> None:
    try:
        with session_scope(engine) as session:
            assert claim_event(session, event_id="Ev-fails")
            raise RuntimeError("the listener failed after claiming")
    except RuntimeError:
        pass
    with session_scope(engine) as session:
        assert claim_event(session, event_id="Ev-fails") is True


def test_old_event_ids_are_pruned(engine: Engine) -> None:
    with session_scope(engine) as session:
        claim_event(session, event_id="Ev-old")
    with session_scope(engine) as session:
        assert forget_events_before(session, cutoff=datetime.now(UTC) + timedelta(seconds=1)) == 1


def test_member_time_zone_is_fetched_once_then_cached(engine: Engine) -> None:
    asked: list[str] = []

    def fetch(user: str) -> str:
        asked.append(user)
        return "Europe/Berlin"

    for _ in range(3):
        assert (
            member_tz(engine, team_id="T1", user_id="U1", now=NOW, fetch=fetch) == "Europe/Berlin"
        )
    assert asked == ["U1"]


def test_stale_time_zone_is_fetched_again(engine: Engine) -> None:
    member_tz(engine, team_id="T1", user_id="U1", now=NOW, fetch=lambda _u: "Europe/Berlin")
    later = NOW + timedelta(days=2)
    assert (
        member_tz(engine, team_id="T1", user_id="U1", now=later, fetch=lambda _u: "Asia/Tokyo")
        == "Asia/Tokyo"
    )


def test_unknown_time_zone_name_falls_back_to_utc(engine: Engine) -> None:
    assert (
        member_tz(engine, team_id="T1", user_id="U2", now=NOW, fetch=lambda _u: "Mars/Olympus")
        == "UTC"
    )
