"""The app factory: one Bolt `App`, its Web API client, every feature's listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.platform import logs
from bot.platform.oauth import BOT_SCOPES, WorkspaceClients, oauth_flow
from bot.platform.slack_client import make_client
from bot.platform.work import WorkPools
from bot.reminders.delivery import engine_client
from bot.services import Services
from bot.settings import Settings
from handlers import register_all

log = logging.getLogger("council_bot")

SORRY = (
    "Sorry, something went wrong on my side and I could not finish that. "
    "Nothing you typed was shared. Please try again in a minute; if it keeps happening, "
    "tell your council's organiser."
)

# What a member reads when their workspace has no installation (never installed, or
# uninstalled): only they see it, as the answer to their command.
NOT_INSTALLED = (
    "The council bot is not installed in this workspace (or it was removed, and everything "
    "it held here was deleted). A workspace admin can add it again from the bot's install "
    "page."
)


def build_app(
    *,
    settings: Settings,
    services: Services,
    client: WebClient | None = None,
    socket_mode: bool = False,
    work: WorkPools | None = None,
    offloaded: bool = False,
) -> App:
    """Build the Bolt app; Socket Mode needs no signing secret (its requests are not signed).

    `work` runs what listeners do after their ack (bot.platform.work); the caller owns it
    and closes it at shutdown. Without one, the app gets pools of the settings' sizes.
    `offloaded`: the app of a work process (bot.platform.offload), which dispatches requests
    the serving process received and verified (a queued one may be older than Slack's
    5-minute signature window by the time it runs).
    """
    flow: OAuthFlow | None = None
    authorize: Authorize | None = None
    if settings.distribution and not socket_mode:
        # Many workspaces: each request's token comes from its workspace's installation.
        if client is None:
            client = make_client(token="", base_url=settings.slack_api_url)
        flow, authorize = oauth_flow(
            engine=services.engine,
            client_id=settings.secret("SLACK_CLIENT_ID"),
            client_secret=settings.secret("SLACK_CLIENT_SECRET"),
            scopes=BOT_SCOPES,
            redirect_uri=settings.slack_redirect_uri,
            authorization_url=settings.authorize_url,
            client=client,
        )
        if services.installations is None:
            services.installations = authorize.tokens
        if services.delivery_for_team is None:
            # Reminders and digests: the reminder's workspace's token, without 429 retries
            # (the engine reschedules; one workspace's limit never holds up another's).
            services.delivery_for_team = WorkspaceClients(
                tokens=authorize.tokens,
                make=lambda token: engine_client(token=token, base_url=settings.slack_api_url),
            )
    elif client is None:
        client = make_client(
            token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url
        )
    app = App(
        client=client,
        oauth_flow=flow,
        user_facing_authorize_error_message=NOT_INSTALLED if flow is not None else None,
        # Bolt takes an Authorize instance (it checks isinstance); its hint says Callable.
        authorize=authorize,  # type: ignore[arg-type]
        signing_secret="" if socket_mode else settings.secret("SLACK_SIGNING_SECRET"),
        request_verification_enabled=not offloaded,
        # Listeners are the kit's wrappers (handlers/kit.py): they ack at once and hand the
        # work to bounded pools, so Bolt can answer from the dispatching thread itself,
        # without its listener executor and its 10 ms polls for the ack.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("council_bot.bolt"),
    )
    # Bolt logs the whole request body of a badly signed request at INFO; bodies carry
    # member text about their job search, which has no place in logs.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    logs.install()  # nor do exception texts or Slack bodies, at any level (bot.platform.logs)
    app.error(report_error)
    if work is None:
        work = work_pools(settings, inline=offloaded)
    register_all(app, services, work=work, report=report_error)
    return app


def work_pools(settings: Settings, *, inline: bool = False) -> WorkPools:
    return WorkPools(
        inline=inline,
        workers=settings.work_threads,
        queue_limit=settings.work_queue,
        form_workers=settings.form_threads,
        # Serving many workspaces, one of them (a burst, a rate limit) holds at most half
        # of each pool; the rest stays for the others.
        # A work process takes what the serving process admitted: it never refuses.
        owner_share=0.5 if settings.distribution and not inline else 1.0,
    )


def _where(body: dict[str, Any]) -> dict[str, str | None]:
    """Identifiers of the failing request for the log line; never member-typed text."""
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    event = body.get("event") or {}
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    return {
        "team": body.get("team_id") or (body.get("team") or {}).get("id"),
        "user": user or event.get("user"),
        "channel": channel or event.get("channel"),
        "kind": body.get("command") or body.get("type"),
        "detail": event.get("type")
        or ((body.get("actions") or [{}])[0].get("action_id"))
        or (body.get("view") or {}).get("callback_id"),
    }


def report_error(error: BaseException, body: dict[str, Any], client: WebClient) -> None:
    """Log with context, then tell the member (privately) instead of failing silently."""
    where = _where(body)
    # The exception's own text may quote member text (a database error names the failing
    # row): its class, identifiers and frames only.
    log.error(
        "listener failed: %s\n%s",
        " ".join(f"{k}={v}" for k, v in where.items()),
        logs.scrubbed_traceback(error),
    )
    user, channel = where["user"], where["channel"]
    if not user or where["kind"] == "event_callback":
        return  # nobody is waiting on an event; the log line is the report
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=SORRY)
        else:
            client.chat_postMessage(channel=user, text=SORRY)
    except SlackApiError as exc:
        log.warning("could not tell %s about the failure: %s", user, exc.response.get("error"))
