"""Workspace-level events: keep members' cached time zones fresh."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.members import remember_tz
from bot.services import Services


def register(app: App, services: Services) -> None:
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
