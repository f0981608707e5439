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
from dataclasses import fields
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
        # Every pass, the background scheduler's included, adds to these totals under one
        # lock: a fast-forward reports what happened since it moved the clock, even when a
        # scheduled pass picked the reminders up before the fast-forward's own pass ran.
        self._passes = threading.Lock()
        self._total = DispatchReport()
        self._quiet_total = 0

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

    def dispatch_due(self) -> DispatchReport:
        with self._passes:
            self._pass.quiet = 0
            report = super().dispatch_due()
            self._total = self._total + report
            self._quiet_total += int(getattr(self._pass, "quiet", 0))
            return report

    def mark(self) -> tuple[DispatchReport, int]:
        """The totals so far (after any pass in flight): what `dispatch_counted` counts from."""
        with self._passes:
            return self._total, self._quiet_total

    def dispatch_counted(
        self, since: tuple[DispatchReport, int] | None = None
    ) -> tuple[DispatchReport, int]:
        """One dispatch pass now; then what every pass did since the `since` mark (this one
        only without it), and how many of its `sent` reminders posted nothing."""
        start = since if since is not None else self.mark()
        self.dispatch_due()
        total, quiet = self.mark()
        done = DispatchReport(
            **{f.name: getattr(total, f.name) - getattr(start[0], f.name) for f in fields(total)}
        )
        return done, quiet - start[1]
