"""The App Home tab: the member's own dashboard, published on open and after changes."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.backchannel import service as backchannel_service
from bot.features.debriefs import service as debriefs_service
from bot.features.home.views import home_view
from bot.features.missions import service as missions_service
from bot.features.negotiation import service as negotiation_service
from bot.features.searches.rules import company_key
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
    engine = services.engine
    drafts = missions_service.list_drafts(engine, team_id=team_id, user_id=user_id)
    owed = missions_service.owed_feedback(
        engine, team_id=team_id, user_id=user_id, now=services.clock()
    )
    now = services.clock()
    # Interviews that have happened, per company: the mission section suggests walking
    # the hiring manager through the draft live after a couple of them.
    interviews = debriefs_service.interviews_per_company(
        engine, team_id=team_id, user_id=user_id, before=now
    )
    summaries = [
        replace(s, interviews_logged=interviews.get(company_key(s.company), 0))
        for s in (missions_service.summary(d) for d in drafts)
    ]
    view = home_view(
        drafts=summaries,
        owed=owed,
        events=debriefs_service.upcoming(engine, team_id=team_id, user_id=user_id, now=now),
        gratitude_count=len(debriefs_service.gratitude(engine, team_id=team_id, user_id=user_id)),
        now=now,
        negotiations=negotiation_service.plans(engine, team_id=team_id, user_id=user_id),
        checklists=backchannel_service.open_checklists(engine, team_id=team_id, user_id=user_id),
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed for %s: %s", user_id, exc.response.get("error"))


# Every feature refreshes Home through the kit; this is the Home feature's answer.
kit.provide_home_refresher(publish_home)
