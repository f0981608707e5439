"""What listeners need besides the Slack payload: the database, the clock, the reminder engine.

Handlers receive one `Services` at registration; tests and the sandbox build their own
(with a stand-in clock, a temporary database) without touching module globals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

if TYPE_CHECKING:  # only for the annotations: keeps this module free of the engine's imports
    from slack_sdk import WebClient

    from bot.platform.oauth import WorkspaceTokens
    from bot.reminders.engine import ReminderEngine


def system_clock() -> datetime:
    return datetime.now(UTC)


class WorkspaceNotInstalled(LookupError):
    """Distribution mode: workspace `team_id` has no installation (it uninstalled the bot)."""


@dataclass
class Services:
    engine: Engine
    clock: Callable[[], datetime] = system_clock
    # The reminder engine, built by bot.cli.build_runtime; features register their
    # reminder kinds with it in their `register(app, services)`.
    reminders: ReminderEngine | None = None
    # The Web API client reminder senders use: it does not retry 429s itself, so the
    # engine can reschedule instead of holding a worker asleep (bot.reminders.delivery).
    delivery: WebClient | None = None
    # Distribution mode (one deployment, many workspaces) sets this: the client of one
    # workspace's own bot token. Senders reach it through `slack_for(reminder.team_id)`.
    delivery_for_team: Callable[[str], WebClient] | None = None
    # Distribution mode: the workspaces' installations as this process knows them (the
    # uninstall purge makes it forget one; the server asks whether a request's token is
    # known without reading the database).
    installations: WorkspaceTokens | None = None
    # RETENTION_DAYS: how long withdrawn drafts, closed checklists and finished reminders
    # are kept (bot.features.privacy); build_runtime copies it from the settings.
    retention_days: int = 90
    extras: dict[str, Any] = field(default_factory=dict)

    def slack_for(self, team_id: str) -> WebClient:
        """The Web API client for work done outside a request, in workspace `team_id`."""
        if self.delivery_for_team is not None:
            return self.delivery_for_team(team_id)
        if self.delivery is None:
            raise RuntimeError("services.delivery is not set (bot.cli.build_runtime sets it)")
        return self.delivery
