"""The App Home tab, assembled from each feature's section."""

from __future__ import annotations

from collections.abc import Sequence

from bot.missions import DraftSummary, OwedFeedback
from bot.views.common import context
from bot.views.missions import home_section


def home_view(*, drafts: Sequence[DraftSummary], owed: Sequence[OwedFeedback]) -> dict:
    blocks = [
        *home_section(drafts, owed),
        {"type": "divider"},
        context(
            ":lock: Only you can see this page. Type `/mission help` in your council "
            "channel to see what I can do."
        ).to_dict(),
    ]
    return {"type": "home", "blocks": blocks}
