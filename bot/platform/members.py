"""Members' time zones: cached from Slack's users.info, refreshed on `user_change`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from storage.councils import cached_tz, save_tz
from storage.db import session_scope


def usable_tz(name: str | None) -> str:
    """An IANA name zoneinfo knows, or UTC (Slack may send names tzdata lacks)."""
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def member_tz(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    fetch: Callable[[str], str | None],
) -> str:
    """The member's zone from the cache, asking Slack (`fetch`) when it is missing or stale."""
    with session_scope(engine) as session:
        tz = cached_tz(session, team_id=team_id, user_id=user_id, now=now)
    if tz is not None:
        return tz
    tz = usable_tz(fetch(user_id))
    remember_tz(engine, team_id=team_id, user_id=user_id, tz=tz, now=now)
    return tz


def remember_tz(
    engine: Engine, *, team_id: str, user_id: str, tz: str | None, now: datetime
) -> None:
    with session_scope(engine) as session:
        save_tz(session, team_id=team_id, user_id=user_id, tz=usable_tz(tz), now=now)


def known_tz(engine: Engine, *, team_id: str, user_id: str, now: datetime) -> str | None:
    """The member's zone if the cache holds a fresh one; never asks Slack."""
    with session_scope(engine) as session:
        return cached_tz(session, team_id=team_id, user_id=user_id, now=now)
