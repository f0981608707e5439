"""Each Slack request acts once, even when a signed request is replayed.

Slack signs a request with a timestamp, and Bolt accepts it for five minutes: a copy sent
again in that window (a proxy retrying, or someone replaying a captured request) would
create a second draft, event or note. Every interaction carries an id that is new for each
real one (a slash command's or click's `trigger_id`, a modal's view id with its `hash`),
so the first to claim it runs and copies are acknowledged and skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from storage.db import session_scope
from storage.events import claim_event, release_claim


def request_key(kind: str, body: Mapping[str, Any]) -> str | None:
    """The id that makes this request unique, or None when it has none to go by."""
    if kind == "view":
        view = body.get("view") or {}
        if view.get("id") and view.get("hash"):
            return f"view:{view['id']}:{view['hash']}"[:64]
        return None
    trigger = body.get("trigger_id")
    return f"{kind}:{trigger}"[:64] if trigger else None


def claim(engine: Engine, key: str) -> bool:
    """True for the first request with this key (across processes), False for a copy."""
    with session_scope(engine) as session:
        return claim_event(session, event_id=key)


def release(engine: Engine, key: str) -> None:
    """Let a request with this key run again: its first run was refused and changed nothing
    (a modal answered with inline errors stays open, and the member submits it again)."""
    with session_scope(engine) as session:
        release_claim(session, event_id=key)
