"""What uninstalling, leaving a council and the passing of time do to data. No Slack here.

- Uninstall: `app_uninstalled`, or `tokens_revoked` naming the bot's token, deletes
  everything held about the workspace (storage.purge).
- Leaving the council channel: the member is taken off that council's open feedback
  requests (no nudge, not counted or named in the digest); their own data stays.
- Retention: withdrawn drafts, closed checklists and finished reminders go after
  RETENTION_DAYS, processed-event ids after a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

DEFAULT_RETENTION_DAYS = 90
# Slack retries an event within minutes; its id is worth keeping a day, no longer.
EVENTS_RETENTION = timedelta(days=1)
# How often the retention deletes run (in every bot process; they are idempotent).
RETENTION_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """What is older than these goes."""

    before: datetime  # withdrawn drafts, closed checklists, finished reminders
    events_before: datetime  # processed-event ids


def retention_cutoffs(*, now: datetime, days: int) -> Cutoffs:
    if days < 1:
        raise ValueError("the retention period is at least a day")
    return Cutoffs(before=now - timedelta(days=days), events_before=now - EVENTS_RETENTION)


def revokes_bot_token(tokens: Mapping[str, Any] | None, *, bot_user_id: str | None) -> bool:
    """Whether a `tokens_revoked` event takes the bot's own token (not only user tokens).

    The event lists revoked tokens by the user they belong to: `{"oauth": [...], "bot":
    [...]}`. The app asks for no user tokens, so any bot entry is its bot token; when the
    bot's user id is known it must be among them.
    """
    bots = [str(user) for user in (tokens or {}).get("bot") or []]
    if not bots:
        return False
    return bot_user_id is None or bot_user_id in bots


def counts_line(counts: Mapping[str, int]) -> str:
    """The counts of a purge for its one log line: a total, then the tables that lost rows."""
    total = sum(counts.values())
    parts = " ".join(f"{table}={n}" for table, n in sorted(counts.items()) if n)
    return f"{total} rows" + (f" ({parts})" if parts else "")
