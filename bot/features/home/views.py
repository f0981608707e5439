"""The App Home tab, assembled from each feature's section."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.features.backchannel.rules import Checklist
from bot.features.backchannel.views import home_section as backchannel_home_section
from bot.features.debriefs.rules import EventSummary
from bot.features.debriefs.views import home_section as debriefs_home_section
from bot.features.missions.rules import DraftSummary, OwedFeedback
from bot.features.missions.views import home_section
from bot.features.negotiation.rules import PlanSummary
from bot.features.negotiation.views import home_section as negotiation_home_section
from bot.ui.blocks import context


def home_view(
    *,
    drafts: Sequence[DraftSummary],
    owed: Sequence[OwedFeedback],
    events: Sequence[EventSummary] = (),
    gratitude_count: int = 0,
    now: datetime | None = None,
    negotiations: Sequence[PlanSummary] | None = None,
    checklists: Sequence[Checklist] | None = None,
) -> dict:
    """`now` given: the debriefs section (upcoming events, the Gratitude House) too;
    `negotiations` given: the negotiation plans (red flags first);
    `checklists` given: the open back-channel checklists."""
    debriefs: list[dict] = []
    if now is not None:
        debriefs = [
            {"type": "divider"},
            *debriefs_home_section(events, gratitude_count=gratitude_count, now=now),
        ]
    backchannel: list[dict] = []
    if checklists is not None:
        backchannel = [{"type": "divider"}, *backchannel_home_section(checklists)]
    negotiation: list[dict] = []
    if negotiations is not None:
        negotiation = [{"type": "divider"}, *negotiation_home_section(negotiations)]
    blocks = [
        *home_section(drafts, owed),
        *debriefs,
        *backchannel,
        *negotiation,
        {"type": "divider"},
        context(
            ":lock: Only you can see this page. Type `/mission help` in your council "
            "channel to see what I can do."
        ).to_dict(),
    ]
    return {"type": "home", "blocks": blocks}
