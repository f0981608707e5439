"""What listeners need besides the Slack payload: the database, the clock, the reminder engine.

Handlers receive one `Services` at registration; tests and the sandbox build their own
(with a stand-in clock, a temporary database) without touching module globals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    engine: Engine
    clock: Callable[[], datetime] = system_clock
    # The reminder engine (bot.reminders.engine.ReminderEngine), built by bot.cli.build_runtime;
    # features register their reminder kinds with it in their `register(app, services)`.
    reminders: Any = None
    # The Web API client reminder senders use: it does not retry 429s itself, so the
    # engine can reschedule instead of holding a worker asleep (bot.reminders.delivery).
    delivery: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
