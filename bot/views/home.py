"""The App Home tab, assembled from each feature's section."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.debriefs import EventSummary
from bot.missions import DraftSummary, OwedFeedback
from bot.views.common import context
from bot.views.debriefs import home_section as debriefs_home_section
from bot.views.missions import home_section


def home_view(
    *,
    drafts: Sequence[DraftSummary],
    owed: Sequence[OwedFeedback],
    events: Sequence[EventSummary] = (),
    gratitude_count: int = 0,
    now: datetime | None = None,
) -> dict:
    """`now` given: the debriefs section (upcoming events, the Gratitude House) too."""
    debriefs: list[dict] = []
    if now is not None:
        debriefs = [
            {"type": "divider"},
            *debriefs_home_section(events, gratitude_count=gratitude_count, now=now),
        ]
    blocks = [
        *home_section(drafts, owed),
        *debriefs,
        {"type": "divider"},
        context(
            ":lock: Only you can see this page. Type `/mission help` in your council "
            "channel to see what I can do."
        ).to_dict(),
    ]
    return {"type": "home", "blocks": blocks}
