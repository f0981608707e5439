"""Uninstall and revocation, members leaving a council channel, and the retention job.

- `app_uninstalled`, and `tokens_revoked` naming the bot's token: everything held about
  the workspace is deleted (bot.features.privacy.service.purge_workspace), reminders
  included, and nothing more is sent for it; one log line with counts only.
- `member_left_channel` in a council channel: the member is taken off that council's open
  feedback requests and their nudges are cancelled; their Home no longer lists them.
  (The nudge sender also re-checks channel membership at send time, in case this event
  never arrived: handlers/feedback_requests.py.)
- `member_left_channel` / `member_joined_channel` drop the minute's cached member list of
  that channel (handlers.common.council_members), which Home reads before it shows
  feedback owed in a council. The bot's own join is handed to `kit.bot_joined` (the
  council feature offers its setup there).
- `channel_shared` / `channel_unshared`: what the bot last heard about the channel is
  forgotten, so the next post into it asks Slack again instead of trusting the minute's
  cache (handlers.common.council_channel_problem): a channel just shared with another
  organisation gets nothing more of a member's search.
- Every hour (and at start-up) the reminder engine's scheduler runs the retention deletes.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.features.privacy import service
from bot.features.privacy.rules import RETENTION_INTERVAL, counts_line, revokes_bot_token
from bot.services import Services
from handlers import kit
from handlers.common import forget_channel_facts, forget_council_members

log = logging.getLogger("council_bot.privacy")

RETENTION_JOB = "privacy: retention"

listeners = kit.Listeners()


def register(app: App, services: Services) -> None:
    listeners.register(app)
    if services.reminders is not None:
        services.reminders.every(
            RETENTION_INTERVAL, lambda: run_retention(services), name=RETENTION_JOB
        )


def run_retention(services: Services) -> dict[str, int] | None:
    """One round of the retention deletes; logs what went, by table, counts only."""
    counts = service.apply_retention(
        services.engine, now=services.clock(), days=services.retention_days
    )
    if counts:
        log.info("retention: deleted %s", counts_line(counts))
    return counts


def _team(body: dict[str, Any], context: BoltContext) -> str:
    return kit.team_of(context) or str(body.get("team_id") or "")


def _purge(body: dict[str, Any], context: BoltContext, *, why: str) -> None:
    team_id = _team(body, context)
    if not team_id:
        log.warning("%s without a team id: nothing purged", why)
        return
    services = kit.services_of(context)
    purged = service.purge_workspace(services.engine, team_id=team_id)
    if services.installations is not None:  # its installation went with the rest
        services.installations.forget(team_id)
    log.info("workspace purged after %s: deleted %s", why, counts_line(purged.counts))


@listeners.event("app_uninstalled")
def app_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
    _purge(body, context, why="app_uninstalled")


@listeners.event("tokens_revoked")
def tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    if not revokes_bot_token(event.get("tokens"), bot_user_id=_bot_user(body, context)):
        return  # user tokens only: the bot keeps working, nothing to delete
    _purge(body, context, why="tokens_revoked")


def _bot_user(body: dict[str, Any], context: BoltContext) -> str | None:
    """The bot's user id: from Bolt's authorization, else the event's authorizations."""
    if context.bot_user_id:
        return context.bot_user_id
    for authorization in body.get("authorizations") or []:
        if authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


@listeners.event("channel_shared")
@listeners.event("channel_unshared")
def channel_sharing_changed(event: dict[str, Any], context: BoltContext) -> None:
    channel_id = event.get("channel")
    if channel_id:
        forget_channel_facts(kit.services_of(context), channel_id=str(channel_id))
        log.info("channel %s: %s; asking Slack again before posting", channel_id, event["type"])


@listeners.event("member_left_channel")
def member_left_channel(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    user_id, channel_id = event.get("user"), event.get("channel")
    if not user_id or not channel_id:
        return
    services = kit.services_of(context)
    forget_council_members(services, channel_id=channel_id)
    if user_id == _bot_user(body, context):
        return
    team_id = str(event.get("team") or _team(body, context))
    departure = service.member_left(
        services.engine, team_id=team_id, channel_id=channel_id, user_id=user_id
    )
    if departure.requests:
        log.info(
            "member %s left channel %s: off %d open feedback request(s), %d nudge(s) cancelled",
            user_id,
            channel_id,
            len(departure.requests),
            departure.nudges_cancelled,
        )
        kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.event("member_joined_channel")
def member_joined_channel(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Someone joined a channel the bot is in: its member list is asked for again. The bot
    itself joining is passed on to the features that greet a new channel (kit.bot_joined)."""
    channel_id = event.get("channel")
    if not channel_id:
        return
    services = kit.services_of(context)
    forget_council_members(services, channel_id=channel_id)
    if event.get("user") and event.get("user") == _bot_user(body, context):
        kit.bot_joined(
            services,
            client,
            team_id=str(event.get("team") or _team(body, context)),
            channel_id=str(channel_id),
            event_id=str(body.get("event_id") or ""),
        )
