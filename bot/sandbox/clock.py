"""The sandbox's one clock, shared by the Slack stand-in and the app.

The stand-in wants epoch seconds (`time.time` style); the app's `Services.clock` and the
reminder engine want aware UTC datetimes. Both read the same `ShiftedClock`, so moving it
forward ("fast-forward") moves the whole sandbox: trigger ids, message timestamps, what the
app thinks "now" is, and which reminders are due.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sandbox.standin.state import ShiftedClock

#: The longest single jump the page offers (a bigger one is refused as a typo).
MAX_JUMP_SECONDS = 60 * 24 * 60 * 60


class SandboxClock:
    """Real time plus an offset that only grows."""

    def __init__(self, shifted: ShiftedClock | None = None) -> None:
        self.shifted = shifted if shifted is not None else ShiftedClock()

    def epoch(self) -> float:
        """Now in epoch seconds (the stand-in workspace's clock)."""
        return self.shifted()

    def utcnow(self) -> datetime:
        """Now as an aware UTC datetime (`Services.clock`, the reminder engine)."""
        return datetime.fromtimestamp(self.shifted(), UTC)

    @property
    def offset_seconds(self) -> float:
        return self.shifted.offset

    def advance(self, seconds: float) -> datetime:
        """Move forward; returns the new now. Going back in time is not offered."""
        if seconds <= 0:
            raise ValueError("fast-forward needs a positive amount of time")
        if seconds > MAX_JUMP_SECONDS:
            raise ValueError("fast-forward at most 60 days at a time")
        self.shifted.advance(seconds)
        return self.utcnow()

    def advance_to(self, when: datetime) -> datetime:
        """Move forward to `when` (a moment already past leaves the clock alone)."""
        gap = (when - self.utcnow()).total_seconds()
        if gap > 0:
            self.shifted.advance(gap)
        return self.utcnow()
