"""Thin Bolt listeners, one module per feature, each with `register(app, services)`."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services


def register_all(app: App, services: Services) -> None:
    from handlers import (
        backchannel,
        debriefs,
        feedback,
        feedback_requests,
        home,
        meta,
        missions,
        negotiation,
    )

    for feature in (
        meta,
        missions,
        feedback,
        feedback_requests,
        home,
        debriefs,
        backchannel,
        negotiation,
    ):
        feature.register(app, services)
