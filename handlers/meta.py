"""Workspace-level listeners: members' cached time zones, link buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.platform.members import remember_tz
from bot.services import Services
from bot.ui.blocks import ACTION_OPEN_LINK
from handlers import kit

listeners = kit.Listeners()


def register(app: App, services: Services) -> None:
    listeners.register(app)


@listeners.action(ACTION_OPEN_LINK)
def link_opened(ack: Ack) -> None:
    ack()  # Slack opens the URL itself; it only needs to hear back in time


@listeners.event("user_change")
def user_changed(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    user = event.get("user") or {}
    if not user.get("id"):
        return
    services = kit.services_of(context)
    remember_tz(
        services.engine,
        team_id=body.get("team_id") or user.get("team_id") or "",
        user_id=user["id"],
        tz=user.get("tz"),
        now=services.clock(),
    )
