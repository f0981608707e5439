"""The App Home tab, assembled from each feature's section.

Each feature's `home_section` renders the items it is given. The Home hands it only what
fits (`HOME_CAPS`, the features' own Home limits, so no section cuts again) and adds the
"see all" line itself, from the totals the dashboard counted: "…and 142 more in
`/mission list`.", right under the section's items.
"""

from __future__ import annotations

from bot.features.backchannel.views import HOME_MAX as BACKCHANNEL_HOME_MAX
from bot.features.backchannel.views import home_section as backchannel_home_section
from bot.features.council.views import your_data_section
from bot.features.debriefs.views import HOME_MAX_EVENTS
from bot.features.debriefs.views import home_section as debriefs_home_section
from bot.features.feedback_requests.views import home_reviews
from bot.features.home.service import Caps, Dashboard
from bot.features.missions.views import HOME_MAX_DRAFTS, HOME_MAX_OWED, home_section
from bot.features.negotiation.views import HOME_MAX_PLANS
from bot.features.negotiation.views import home_section as negotiation_home_section
from bot.features.tour.views import home_line as tour_home_line
from bot.ui.blocks import context, section

HOME_CAPS = Caps(
    drafts=HOME_MAX_DRAFTS,
    owed=HOME_MAX_OWED,
    events=HOME_MAX_EVENTS,
    checklists=BACKCHANNEL_HOME_MAX,
    plans=HOME_MAX_PLANS,
)

# Where the missions section turns from the member's drafts to the feedback they owe.
_OWED_HEADING = section("*Feedback you owe*").to_dict()


def see_all(more: int, command: str) -> dict:
    """ "…and N more in `/mission list`.": what a section left out, and where it all is."""
    return context(f"…and {more} more in `{command}`.").to_dict()


def home_view(board: Dashboard) -> dict:
    """The member's Home tab: job missions, debriefs, back-channel checklists, negotiation
    plans; each section its most relevant items first, and a pointer to the rest; then
    "Your data" (export, erase), which reads nothing."""
    return {
        "type": "home",
        "blocks": [
            *_missions(board),
            *home_reviews(board.reviews.items, more=board.reviews.more),
            {"type": "divider"},
            *_debriefs(board),
            {"type": "divider"},
            *_tour(board),
            *backchannel_home_section(board.checklists.items),
            *(
                [see_all(board.checklists.more, "/backchannel list")]
                if board.checklists.more
                else []
            ),
            {"type": "divider"},
            *negotiation_home_section(board.negotiations.items),
            *(
                [see_all(board.negotiations.more, "/negotiate list")]
                if board.negotiations.more
                else []
            ),
            {"type": "divider"},
            *your_data_section(),
            {"type": "divider"},
            context(
                ":lock: Only you can see this page. Type `/mission help` in your council "
                "channel to see what I can do."
            ).to_dict(),
        ],
    }


def _missions(board: Dashboard) -> list[dict]:
    blocks = home_section(board.drafts.items, board.owed.items)
    if board.drafts.more:
        # Under the last draft, before the feedback the member owes.
        at = blocks.index(_OWED_HEADING) if _OWED_HEADING in blocks else len(blocks)
        blocks.insert(at, see_all(board.drafts.more, "/mission list"))
    if board.owed.more:
        # There is no list of requests: they come as DMs, and each shows here in turn.
        more = board.owed.more
        blocks.append(
            context(f"…and {more} more requests; they show here as you answer these.").to_dict()
        )
    return blocks


def _tour(board: Dashboard) -> list[dict]:
    """The Listening Tour line and its divider, once the member has logged a conversation."""
    line = tour_home_line(board.tour_count, board.tour_target)
    return [*line, {"type": "divider"}] if line else []


def _debriefs(board: Dashboard) -> list[dict]:
    blocks = debriefs_home_section(
        board.events.items, gratitude_count=board.gratitude_count, now=board.now
    )
    if board.events.more:
        # Under the last event; the section ends with the Gratitude House.
        blocks.insert(len(blocks) - 1, see_all(board.events.more, "/debrief list"))
    return blocks
