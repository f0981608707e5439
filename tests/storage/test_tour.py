"""Listening Tour tables and use cases on SQLite and PostgreSQL: a conversation and its thanks
reminder in one transaction, counts and order, loading only within the workspace and for
the owner, and the workspace purge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.features.errors import NotAllowed
from bot.features.tour import service
from bot.features.tour.rules import REMINDER_THANKS, ConversationInput, thanks_dedupe_key
from storage import purge
from storage import tour as store
from storage.councils import upsert_council
from storage.reminders import Reminder
from storage.tour import TourConversation, TourShare

T, OTHER, LENA, MAYA = "T1", "T2", "U0LENA0002", "U0MAYA0004"
BERLIN = "Europe/Berlin"
NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)  # Tue 16:00 in Berlin


def data(name: str = "Sam", kind: str = "network", **changes: object) -> ConversationInput:
    values: dict[str, object] = {
        "name": name,
        "kind": kind,
        "held_on": date(2026, 3, 2),
        "heard": "What they said",
        "takeaway": "The one line",
        "thanks": False,
    }
    values.update(changes)
    return ConversationInput(**values)  # type: ignore[arg-type]


def log(engine: Engine, *, team: str = T, user: str = LENA, **changes: object) -> int:
    return service.log_conversation(
        engine, team_id=team, user_id=user, data=data(**changes), tz=BERLIN, now=NOW
    ).id


def reminders(engine: Engine) -> list[Reminder]:
    with Session(engine) as session:
        return list(session.exec(select(Reminder).where(Reminder.kind == REMINDER_THANKS)).all())


def test_a_conversation_with_thanks_is_stored_with_one_reminder(engine: Engine) -> None:
    conversation_id = log(engine, thanks=True)
    (reminder,) = reminders(engine)
    assert reminder.dedupe_key == thanks_dedupe_key(conversation_id)
    assert (reminder.team_id, reminder.user_id) == (T, LENA)
    assert reminder.due_at == NOW + timedelta(days=1)  # 16:00 Berlin the next day
    assert reminder.data == {"conversation": conversation_id}
    log(engine, thanks=False)
    assert len(reminders(engine)) == 1


def test_counts_and_recent_conversations_are_the_members_own(engine: Engine) -> None:
    log(engine, kind="network", held_on=date(2026, 3, 1))
    log(engine, kind="recruiter", held_on=date(2026, 3, 2), name="Newest")
    log(engine, kind="network", held_on=date(2026, 2, 1))
    log(engine, user=MAYA, kind="recruiter")
    log(engine, team=OTHER, kind="recruiter")
    overview = service.overview(engine, team_id=T, user_id=LENA, limit=2)
    assert dict(overview.progress.counts) == {"network": 2, "recruiter": 1}
    assert overview.progress.total == 3
    assert [c.name for c in overview.recent] == ["Newest", "Sam"]
    with Session(engine) as session:
        assert store.count_conversations(session, team_id=T, user_id=LENA) == 3
        assert store.count_conversations(session, team_id=OTHER, user_id=LENA) == 1


def test_a_conversation_is_loaded_only_in_its_workspace_and_for_its_owner(engine: Engine) -> None:
    conversation_id = log(engine)
    found = service.own_conversation(
        engine, conversation_id=conversation_id, team_id=T, user_id=LENA
    )
    assert found.name == "Sam" and found.heard == "What they said"
    for team, user in ((OTHER, LENA), (T, MAYA)):
        with pytest.raises(NotAllowed):
            service.own_conversation(
                engine, conversation_id=conversation_id, team_id=team, user_id=user
            )
    assert service.thanks_target(engine, conversation_id=conversation_id, team_id=OTHER) is None
    assert service.thanks_target(engine, conversation_id=conversation_id, team_id=T) is not None
    with Session(engine) as session:
        assert (
            store.conversation_in_team(session, conversation_id=conversation_id, team_id=OTHER)
            is None
        )


def test_a_council_option_is_only_the_teams(engine: Engine) -> None:
    with Session(engine) as session:
        mine = upsert_council(session, team_id=T, channel_id="C1", name="council")
        theirs = upsert_council(session, team_id=OTHER, channel_id="C9", name="elsewhere")
        session.commit()
        mine_id, theirs_id = mine.id or 0, theirs.id or 0
    assert service.council_option(engine, council_id=theirs_id, team_id=T) is None
    option = service.council_option(engine, council_id=mine_id, team_id=T)
    assert option is not None and option.channel_id == "C1"
    options = service.council_options(engine, team_id=T, channel_ids=["C9", "C1"])
    assert [o.channel_id for o in options] == ["C1"]


def test_the_workspace_purge_takes_the_tour_and_its_shares(engine: Engine) -> None:
    conversation_id = log(engine, thanks=True)
    other_id = log(engine, team=OTHER)
    service.record_share(
        engine,
        team_id=T,
        user_id=LENA,
        conversation_id=conversation_id,
        channel_id="C1",
        message_ts="1.2",
        now=NOW,
    )
    with Session(engine) as session:
        purge.purge_team(session, team_id=T)
        session.commit()
    with Session(engine) as session:
        assert [c.id for c in session.exec(select(TourConversation)).all()] == [other_id]
        assert session.exec(select(TourShare)).all() == []
    assert [r.team_id for r in reminders(engine)] == []
