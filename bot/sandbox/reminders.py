"""The sandbox's reminder engine: it can tell a reminder that sent a message from one that
had nothing left to say.

A sender whose subject went away (the interview was cancelled or already debriefed, the
person was crossed off) reports Delivered without a Slack call, so the engine counts it as
sent. The clock panel must not say "1 reminder sent" for it. So each sender registered
with this engine is watched: did a message reach the stand-in while it ran? (The page's
own requests could land in that window too; at worst a moot reminder is called sent.)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.reminders.engine import Delivered, DispatchReport, Outcome, Reminder, ReminderEngine
from bot.reminders.engine import Sender as ReminderSender
from bot.sandbox.standin.server import SlackStandIn

#: Web API methods that put something in front of a member.
POSTING_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "chat.update",
        "views.publish",
        "views.open",
    }
)


def posts_to(standin: SlackStandIn) -> Callable[[], int]:
    """How many posting calls the stand-in has answered ok so far."""

    def count() -> int:
        return sum(1 for call in standin.calls if call.method in POSTING_METHODS and call.ok)

    return count


class SandboxReminderEngine(ReminderEngine):
    """A ReminderEngine that counts the Delivered reminders which posted nothing."""

    def __init__(self, *, posted: Callable[[], int], **settings: Any) -> None:
        super().__init__(**settings)
        self.posted = posted
        self._pass = threading.local()

    def register(self, kind: str, sender: ReminderSender, *, grace: timedelta) -> None:
        super().register(kind, self._watched(sender), grace=grace)

    def _watched(self, sender: ReminderSender) -> ReminderSender:
        @functools.wraps(sender)
        def watched(reminder: Reminder) -> Outcome:
            before = self.posted()
            outcome = sender(reminder)
            if isinstance(outcome, Delivered) and self.posted() == before:
                self._pass.quiet = getattr(self._pass, "quiet", 0) + 1
            return outcome

        return watched

    def dispatch_counted(self) -> tuple[DispatchReport, int]:
        """One dispatch pass, and how many of its `sent` reminders posted nothing."""
        self._pass.quiet = 0
        report = self.dispatch_due()
        return report, int(self._pass.quiet)
