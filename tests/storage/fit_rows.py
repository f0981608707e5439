"""The purge tests' workspace seed with a row in each `/fit` table too.

`tests/plugins/workspace_rows.seed_workspace` holds a row of every other table; the `/fit`
rows are added here (its owners may fold them in there), so the purge and uninstall tests
that need a row in every table import `seed_workspace` from this module.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from storage.fit import FitStatement, FitSuggestion, FitTwoPager, dump_items
from storage.types import require_id
from tests.plugins import workspace_rows
from tests.plugins.workspace_rows import table_counts

__all__ = ["seed_workspace", "table_counts"]


def seed_workspace(
    engine: Engine,
    *,
    team_id: str,
    channel_id: str,
    author: str,
    peer: str,
    now: datetime,
    event_id: str | None = None,
) -> None:
    """`workspace_rows.seed_workspace`, then the author's Two-Pager (posted, with the peer's
    suggestion) and statement."""
    workspace_rows.seed_workspace(
        engine,
        team_id=team_id,
        channel_id=channel_id,
        author=author,
        peer=peer,
        now=now,
        event_id=event_id,
    )
    with Session(engine) as session:
        two_pager = FitTwoPager(
            team_id=team_id,
            user_id=author,
            number=1,
            wants=dump_items(["A team that ships"]),
            dont_wants=dump_items(["Secret on-call"]),
            channel_id=channel_id,
            message_ts=f"{now.timestamp():.6f}",
            created_at=now,
        )
        session.add(two_pager)
        session.flush()
        session.add(
            FitSuggestion(
                team_id=team_id,
                two_pager_id=require_id(two_pager),
                owner_id=author,
                user_id=peer,
                list_key="wants",
                item="A mentor",
                created_at=now,
            )
        )
        session.add(
            FitStatement(
                team_id=team_id,
                user_id=author,
                number=1,
                stage="Series B",
                industry="Climate",
                role="Staff engineer",
                sentence="A staff engineer for climate startups",
                created_at=now,
            )
        )
        session.commit()
