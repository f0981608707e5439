"""The App Home tab: the member's own dashboard, published on open and after changes."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.council import ritual_service
from bot.features.council.ritual_views import HomeMeeting
from bot.features.council.ritual_views import home_section as council_home_section
from bot.features.fit import service as fit_service
from bot.features.fit.views import home_section as fit_home_section
from bot.features.home import service
from bot.features.home.service import Dashboard
from bot.features.home.views import HOME_CAPS, home_view
from bot.platform.councils import known_councils
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
    board = service.dashboard(
        services.engine, team_id=team_id, user_id=user_id, now=services.clock(), caps=HOME_CAPS
    )
    view = home_view(still_in_council(services, client, board, user_id=user_id))
    meetings = next_meetings(services, client, team_id=team_id, user_id=user_id)
    # `/fit`: the member's Two-Pager and statement, from its own use case (the dashboard's
    # statement budget is for the dashboard).
    fit_now = fit_service.current(services.engine, team_id=team_id, user_id=user_id)
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
    kept = tuple(
        owed
        for owed in board.owed.items
        if user_id in (council_members(services, client, channel_id=owed.channel_id) or ())
    )
    if len(kept) == len(board.owed.items):
        return board
    dropped = len(board.owed.items) - len(kept)
    owed = replace(board.owed, items=kept, total=max(len(kept), board.owed.total - dropped))
    return replace(board, owed=owed)


def next_meetings(
    services: Services, client: WebClient, *, team_id: str, user_id: str
) -> list[HomeMeeting]:
    """The next meeting of each council with a rhythm that the member is in now (the
    channel's member list, cached briefly, says so)."""
    channels = known_councils(services.engine, team_id=team_id, limit=MEMBER_COUNCILS_CHECKED)
    upcoming = ritual_service.next_meetings_for(
        services.engine,
        team_id=team_id,
        user_id=user_id,
        channel_ids=channels,
        now=services.clock(),
    )
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
