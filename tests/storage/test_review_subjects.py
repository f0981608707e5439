"""Migration 0017: feedback requests review any subject. Requests made before it (all on
drafts) get their workspace, author, channel and message from their draft, both ways, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine, text

from storage.migrate import alembic_config

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _run(engine: Engine, step: str, target: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, step)(config, target)


def _seed_before_0017(engine: Engine) -> None:
    """A draft with a feedback request and an ask, written as the 0016 schema had them."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO councils (id, team_id, channel_id, name, created_at) "
                "VALUES (7, 'T0OLD', 'C0OLDCOUNCIL', 'old council', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO searches (id, team_id, user_id, company, company_key, role, "
                "stage, created_at) VALUES (8, 'T0OLD', 'U0AUTHOR', "
                "'Acme', 'acme', 'Head of Product', 'applied', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO mission_drafts (id, search_id, council_id, author_id, channel_id, "
                "message_ts, status, current_version, created_at, updated_at) VALUES "
                "(9, 8, 7, 'U0AUTHOR', 'C0OLDCOUNCIL', '1700000000.000500', 'posted', 1, "
                ":now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO feedback_requests (id, draft_id, deadline, thread_ts, status, "
                "created_at) VALUES (10, 9, :deadline, '1700000000.000600', 'open', :now)"
            ),
            {"deadline": NOW + timedelta(days=2), "now": NOW},
        )
        connection.execute(
            text("INSERT INTO feedback_asks (request_id, user_id) VALUES (10, 'U0PEER')")
        )


def test_existing_draft_requests_take_their_subject_from_the_draft_and_keep_it_on_downgrade(
    empty_engine: Engine,
) -> None:
    _run(empty_engine, "upgrade", "0016")
    _seed_before_0017(empty_engine)
    _run(empty_engine, "upgrade", "head")
    query = text(
        "SELECT team_id, subject_kind, subject_id, author_id, channel_id, message_ts, "
        "draft_id, thread_ts, status FROM feedback_requests"
    )
    with empty_engine.connect() as connection:
        assert connection.execute(query).all() == [
            (
                "T0OLD",
                "draft",
                9,
                "U0AUTHOR",
                "C0OLDCOUNCIL",
                "1700000000.000500",
                9,
                "1700000000.000600",
                "open",
            )
        ]
        # A request about something else, as the new code writes one.
        connection.execute(
            text(
                "INSERT INTO feedback_requests (id, team_id, subject_kind, subject_id, "
                "author_id, channel_id, message_ts, deadline, status, created_at) VALUES "
                "(11, 'T0OLD', 'negotiation_plan', 3, 'U0AUTHOR', 'C0OLDCOUNCIL', "
                "'1700000000.000700', :deadline, 'open', :now)"
            ),
            {"deadline": NOW + timedelta(days=2), "now": NOW},
        )
        connection.execute(
            text("INSERT INTO feedback_asks (request_id, user_id) VALUES (11, 'U0PEER')")
        )
        connection.commit()

    _run(empty_engine, "downgrade", "0016")  # the draft's request stays; the plan's goes
    with empty_engine.connect() as connection:
        assert connection.execute(
            text("SELECT id, draft_id, status FROM feedback_requests")
        ).all() == [(10, 9, "open")]
        assert connection.execute(text("SELECT request_id FROM feedback_asks")).all() == [(10,)]
    _run(empty_engine, "upgrade", "head")
    with empty_engine.connect() as connection:
        assert connection.execute(query).all()[0][:3] == ("T0OLD", "draft", 9)
