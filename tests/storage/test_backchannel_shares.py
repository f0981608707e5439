"""Where shared back-channel summaries were posted: kept past their checklist's retention
(so an erase can still delete the message), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from storage.backchannel import BackchannelChecklist, add_share, shares_of
from storage.purge import purge_expired
from storage.searches import Search
from storage.types import require_id

OLD = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_share_outlives_its_closed_checklists_retention_without_its_link(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        search = Search(team_id="T1", user_id="U1", company="Acme", company_key="acme")
        session.add(search)
        session.flush()
        checklist = BackchannelChecklist(
            team_id="T1",
            user_id="U1",
            search_id=require_id(search),
            status="closed",
            created_at=OLD,
            updated_at=OLD,
        )
        session.add(checklist)
        session.flush()
        add_share(
            session,
            team_id="T1",
            user_id="U1",
            checklist_id=require_id(checklist),
            channel_id="G1",
            message_ts="1.2",
            now=OLD,
        )
        checklist_id = require_id(checklist)
        session.commit()
    with Session(engine) as session:
        counts = purge_expired(
            session, before=OLD + timedelta(days=91), events_before=OLD + timedelta(days=91)
        )
        session.commit()
    assert counts.get("backchannel_checklists") == 1
    with Session(engine) as session:
        assert session.get(BackchannelChecklist, checklist_id) is None
        (share,) = shares_of(session, team_id="T1", user_id="U1")
        assert (share.checklist_id, share.channel_id, share.message_ts) == (None, "G1", "1.2")
