"""The App Home tab: the member's own dashboard, published on open and after changes."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.council.ritual_service import MemberMeeting
from bot.features.council.ritual_views import HomeMeeting
from bot.features.council.ritual_views import home_section as council_home_section
from bot.features.fit.views import home_section as fit_home_section
from bot.features.home import service
from bot.features.home.service import Dashboard
from bot.features.home.views import HOME_CAPS, home_view
from bot.services import Services
from handlers import kit
from handlers.common import MEMBER_COUNCILS_CHECKED, council_members

log = logging.getLogger("council_bot.home")


listeners = kit.Listeners()


def register(app: App, services: Services) -> None:
    listeners.register(app)


@listeners.event("app_home_opened")
def home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if event.get("tab", "home") != "home":
        return
    publish_home(
        kit.services_of(context), client, team_id=body.get("team_id", ""), user_id=event["user"]
    )


def publish_home(services: Services, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Render and publish one member's Home tab; a failure here never breaks the caller."""
    read = service.home_board(
        services.engine,
        team_id=team_id,
        user_id=user_id,
        now=services.clock(),
        caps=HOME_CAPS,
        councils_checked=MEMBER_COUNCILS_CHECKED,
    )
    view = home_view(still_in_council(services, client, read.dashboard, user_id=user_id))
    meetings = in_council_now(services, client, read.meetings, user_id=user_id)
    fit_now = read.fit
    fit_blocks = fit_home_section(fit_now.two_pager, fit_now.statement, pending=fit_now.pending)
    view["blocks"] = [*council_home_section(meetings), *fit_blocks, *view["blocks"]]
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed for %s: %s", user_id, exc.response.get("error"))


def still_in_council(
    services: Services, client: WebClient, board: Dashboard, *, user_id: str
) -> Dashboard:
    """The board without feedback owed in councils the member is no longer in: their
    departure may not have reached the bot (events get lost), and another member's draft is
    for its council only. Each channel's member list is cached briefly (handlers.common)."""

    def member_of(channel_id: str) -> bool:
        return user_id in (council_members(services, client, channel_id=channel_id) or ())

    kept = tuple(owed for owed in board.owed.items if member_of(owed.channel_id))
    reviews = tuple(r for r in board.reviews.items if member_of(r.channel_id))
    if len(kept) == len(board.owed.items) and len(reviews) == len(board.reviews.items):
        return board
    dropped = len(board.owed.items) - len(kept)
    owed = replace(board.owed, items=kept, total=max(len(kept), board.owed.total - dropped))
    left_out = len(board.reviews.items) - len(reviews)
    shown = replace(
        board.reviews, items=reviews, total=max(len(reviews), board.reviews.total - left_out)
    )
    return replace(board, owed=owed, reviews=shown)


def in_council_now(
    services: Services,
    client: WebClient,
    upcoming: list[MemberMeeting],
    *,
    user_id: str,
) -> list[HomeMeeting]:
    """The next meetings of the councils the member is in now (the channel's member list,
    cached briefly, says so)."""
    return [
        HomeMeeting(
            meeting_id=meeting.meeting_id,
            council_name=meeting.council_name,
            starts_at=meeting.starts_at,
            checked_in=meeting.checked_in,
            away=meeting.away,
        )
        for meeting in upcoming
        if user_id in (council_members(services, client, channel_id=meeting.channel_id) or ())
    ]


# Every feature refreshes Home through the kit; this is the Home feature's answer.
kit.provide_home_refresher(publish_home)
