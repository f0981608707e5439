"""Thin Bolt listeners, one module per feature, each with `register(app, services)`.

Each module declares its listeners at module level on the kit (`handlers/kit.py`); this is
the one place they are added to the app, after the middleware that gives them `Services`.
"""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.platform.work import WorkPools
from bot.services import Services
from handlers import kit


def register_all(app: App, services: Services, *, work: WorkPools, report: kit.Reporter) -> None:
    from handlers import (
        backchannel,
        council,
        debriefs,
        feedback,
        feedback_requests,
        fit,
        home,
        meta,
        missions,
        negotiation,
        privacy,
        tour,
    )

    kit.install(app, services, work=work, report=report)
    if services.delivery is None:  # an app built without build_runtime (tests, benchmarks)
        services.delivery = app.client
    # `fit` before `missions`: its reaction listeners match only a posted statement's legend
    # emoji, and Bolt runs the first matching listener (missions' take every reaction).
    for feature in (
        meta,
        fit,
        missions,
        feedback,
        feedback_requests,
        home,
        debriefs,
        backchannel,
        negotiation,
        privacy,
        council,
        tour,
    ):
        feature.register(app, services)
    kit.route(app)  # Bolt gets one listener per kind; the kit finds the feature's by name
    # A posted draft's message is the missions feature's: others re-render it through the
    # kit (a member's erase takes their feedback off other members' drafts).
    kit.provide_draft_refresher(_refresh_draft)


def _refresh_draft(services: Services, client: WebClient, *, draft_id: int) -> None:
    from handlers import missions

    missions._render(services, client, draft_id=draft_id, bot_user=None, post=False)
