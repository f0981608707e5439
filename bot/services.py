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
    # The reminder engine, once built (bot.reminders.ReminderEngine); None in pure
    # request/response tests that schedule nothing.
    reminders: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
