"""Workspace-level listeners: members' cached time zones, link buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.platform.members import remember_tz
from bot.services import Services
from bot.ui.blocks import ACTION_OPEN_LINK


def register(app: App, services: Services) -> None:
    @app.action(ACTION_OPEN_LINK)
    def link_opened(ack: Ack) -> None:
        ack()  # Slack opens the URL itself; it only needs to hear back in time

    @app.event("user_change")
    def user_changed(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user") or {}
        if not user.get("id"):
            return
        remember_tz(
            services.engine,
            team_id=body.get("team_id") or user.get("team_id") or "",
            user_id=user["id"],
            tz=user.get("tz"),
            now=services.clock(),
        )
