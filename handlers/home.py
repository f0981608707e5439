"""The App Home tab: the member's own dashboard, published on open and after changes."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.home import service
from bot.features.home.views import HOME_CAPS, home_view
from bot.services import Services
from handlers import kit

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
    view = home_view(board)
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed for %s: %s", user_id, exc.response.get("error"))


# Every feature refreshes Home through the kit; this is the Home feature's answer.
kit.provide_home_refresher(publish_home)
