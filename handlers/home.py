"""The App Home tab: the member's own dashboard, published on open and after changes."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import missions_service
from bot.services import Services
from bot.views.home import home_view

log = logging.getLogger("council_bot.home")


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(services, client, team_id=body.get("team_id", ""), user_id=event["user"])


def publish_home(services: Services, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Render and publish one member's Home tab; a failure here never breaks the caller."""
    engine = services.engine
    drafts = missions_service.list_drafts(engine, team_id=team_id, user_id=user_id)
    owed = missions_service.owed_feedback(
        engine, team_id=team_id, user_id=user_id, now=services.clock()
    )
    view = home_view(drafts=[missions_service.summary(d) for d in drafts], owed=owed)
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed for %s: %s", user_id, exc.response.get("error"))
