"""The writer of anonymous written feedback, stored only encrypted: the queries that need
the writer, migration 0010 moving existing rows both ways, and key rotation. On SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from storage import crypto
from storage.councils import Council
from storage.feedback_requests import add_request, owed_requests, responders
from storage.migrate import alembic_config
from storage.missions import (
    FeedbackRequest,
    MissionDraft,
    MissionVersion,
    WrittenFeedback,
    add_written_feedback,
    written_by,
    written_feedback_givers,
)
from storage.searches import Search
from storage.types import require_id

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TEAM = "T0SEALED1"


def _draft(session: Session, *, author: str = "UAUTHOR", team: str = TEAM) -> MissionVersion:
    council = Council(team_id=team, channel_id=f"G{team}")
    search = Search(team_id=team, user_id=author, company="Acme", company_key="acme")
    session.add_all([council, search])
    session.flush()
    draft = MissionDraft(
        search_id=require_id(search),
        council_id=require_id(council),
        author_id=author,
        channel_id=council.channel_id,
        message_ts="1.0",
    )
    session.add(draft)
    session.flush()
    version = MissionVersion(draft_id=require_id(draft), number=1, mission="m")
    session.add(version)
    session.flush()
    return version


def _give(session: Session, version: MissionVersion, user: str, *, anonymous: bool) -> int:
    row = add_written_feedback(
        session,
        version_id=require_id(version),
        user_id=user,
        anonymous=anonymous,
        strong=f"from {user}",
        unclear="",
        missing="",
        suggested_key_result="",
        created_at=NOW,
    )
    return require_id(row)


def test_anonymous_writers_are_sealed_yet_found_by_every_query_that_needs_them(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        version = _draft(session)
        draft_id = version.draft_id
        request = add_request(
            session,
            FeedbackRequest(draft_id=draft_id, deadline=NOW + timedelta(days=2)),
            asked=["UANON", "UNAMED", "UQUIET"],
        )
        anonymous = _give(session, version, "UANON", anonymous=True)
        named = _give(session, version, "UNAMED", anonymous=False)
        session.commit()
        assert request.id is not None

    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, user_id FROM written_feedback")).all())
        sealed = connection.execute(
            text("SELECT author_sealed FROM written_feedback WHERE id = :id"), {"id": anonymous}
        ).scalar_one()
    assert rows == {anonymous: "", named: "UNAMED"}
    assert "UANON" not in str(sealed) and crypto.decrypt(str(sealed)) == "UANON"

    with Session(engine) as session:
        assert written_feedback_givers(session, draft_id=draft_id) == {"UANON", "UNAMED"}
        assert responders(session, draft_id=draft_id) == {"UANON", "UNAMED"}
        versions = select(MissionVersion.id).where(MissionVersion.draft_id == draft_id)
        assert [r.id for r in written_by(session, user_id="UANON", version_ids=versions)] == [
            anonymous
        ]
        assert [r.id for r in written_by(session, user_id="UNAMED", version_ids=versions)] == [
            named
        ]
        assert written_by(session, user_id="UQUIET", version_ids=versions) == []
        assert written_by(session, user_id="", version_ids=versions) == []
        owed = {
            user: owed_requests(session, team_id=TEAM, user_id=user, now=NOW, limit=5)[1]
            for user in ("UANON", "UNAMED", "UQUIET")
        }
    assert owed == {"UANON": 0, "UNAMED": 0, "UQUIET": 1}


def test_the_migration_seals_existing_anonymous_writers_and_its_downgrade_restores_them(
    empty_engine: Engine,
) -> None:
    config = alembic_config()
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with Session(empty_engine) as session:
        version = _draft(session)
        anonymous = _give(session, version, "UANON", anonymous=True)
        named = _give(session, version, "UNAMED", anonymous=False)
        session.commit()
    query = text("SELECT id, user_id FROM written_feedback ORDER BY id")

    with empty_engine.begin() as connection:  # back to before 0010: the ids in plain text
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    with empty_engine.connect() as connection:
        assert connection.execute(query).all() == [(anonymous, "UANON"), (named, "UNAMED")]

    with empty_engine.begin() as connection:  # and forward: sealed again
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    with empty_engine.connect() as connection:
        assert connection.execute(query).all() == [(anonymous, ""), (named, "UNAMED")]
        sealed = connection.execute(
            text("SELECT author_sealed FROM written_feedback WHERE id = :id"), {"id": anonymous}
        ).scalar_one()
        assert crypto.decrypt(str(sealed)) == "UANON"
        assert (
            connection.execute(
                text("SELECT author_sealed FROM written_feedback WHERE id = :id"), {"id": named}
            ).scalar_one()
            is None
        )


def test_rotating_the_key_re_encrypts_sealed_writers(engine: Engine) -> None:
    saved = crypto._keys
    try:
        old = crypto.new_key()
        crypto.configure([old])
        with Session(engine) as session:
            version = _draft(session)
            anonymous = _give(session, version, "UANON", anonymous=True)
            session.commit()
        new = crypto.new_key()
        crypto.configure([new, old])
        assert crypto.reencrypt_all(engine) == 1
        crypto.configure([new])  # the old key is gone: the writer still reads
        with Session(engine) as session:
            row = session.get(WrittenFeedback, anonymous)
            assert row is not None and row.author_sealed == "UANON"
    finally:
        crypto._keys = saved
