"""`/council`: council-wide words; first, a member's own data: `export` and `erase`.

The same two are the Home's "Your data" buttons. Whose data is always the signed request's
user in its workspace: a button's value and a modal's metadata name nobody, so no request
can export or erase another member's data.

- Export: the member's data as JSON and Markdown, uploaded the files.uploadV2 way
  (`WebClient.files_upload_v2`: files.getUploadURLExternal, the upload, then
  files.completeUploadExternal into the member's DM with the bot).
- Erase: a modal says exactly what will go (the erase itself, rolled back); confirming
  deletes it in one transaction (unless it changed meanwhile: then the modal shows the new
  counts), then deletes the bot's messages that showed it, re-renders the drafts that
  lose the member's feedback and republishes the Homes that change, theirs first.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.features.council import service
from bot.features.council.rules import export_filename
from bot.features.council.views import (
    ACTION_ERASE,
    ACTION_EXPORT,
    CALLBACK_ERASE,
    COMMAND,
    EXPORT_COMMENT,
    EXPORT_STARTED,
    NOTHING_HELD,
    EraseConfirm,
    erase_modal,
    erased_text,
    export_failed,
    help_blocks,
    nothing_modal,
)
from bot.services import Services
from handlers import kit
from handlers.common import dm

log = logging.getLogger("council_bot.council")

listeners = kit.Listeners()
commands = kit.Subcommands(
    command=COMMAND, help_title="How /council works", help_blocks=help_blocks
)
commands.register(listeners)


def register(app: App, services: Services) -> None:
    listeners.register(app)


@commands.bare
def bare(call: kit.CommandCall) -> None:
    call.respond(text="How /council works", blocks=help_blocks())


@commands.on("export")
def export_command(call: kit.CommandCall) -> None:
    call.respond(text=EXPORT_STARTED)
    send_export(call.services, call.client, team_id=call.team_id, user_id=call.user_id)


@commands.on("erase")
def erase_command(call: kit.CommandCall) -> None:
    _open_erase(
        call.services,
        call.client,
        team_id=call.team_id,
        user_id=call.user_id,
        trigger_id=str(call.command["trigger_id"]),
    )


@listeners.action(ACTION_EXPORT)
def export_clicked(ack: Ack, client: WebClient, context: BoltContext) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)  # the clicker, whatever the value says
    send_export(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_ERASE)
def erase_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    _open_erase(
        services, client, team_id=team_id, user_id=user_id, trigger_id=str(body["trigger_id"])
    )


def send_export(services: Services, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Upload the member's data into their DM with the bot; tell them if Slack refused."""
    export = service.export(services.engine, team_id=team_id, user_id=user_id, now=services.clock())
    document = export.document
    try:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
        client.files_upload_v2(
            file_uploads=[
                {
                    "content": export.json_text,
                    "filename": export_filename(document, "json"),
                    "title": "Your Council Bot data (JSON)",
                },
                {
                    "content": export.markdown,
                    "filename": export_filename(document, "md"),
                    "title": "Your Council Bot data",
                },
            ],
            channel=channel,
            initial_comment=EXPORT_COMMENT,
        )
    except SlackApiError as exc:
        reason = str(exc.response.get("error") or "an error")
        log.warning("export for %s not delivered: %s", user_id, reason)
        dm(client, user_id=user_id, text=export_failed(reason))
        return
    except SlackClientError as exc:  # the upload URL refused the bytes
        log.warning("export for %s not delivered: %s", user_id, type(exc).__name__)
        dm(client, user_id=user_id, text=export_failed("the upload failed"))
        return
    log.info("export delivered to %s", user_id)


def _open_erase(
    services: Services, client: WebClient, *, team_id: str, user_id: str, trigger_id: str
) -> None:
    counts = service.erase_preview(services.engine, team_id=team_id, user_id=user_id)
    view = erase_modal(counts) if counts.total else nothing_modal()
    client.views_open(trigger_id=trigger_id, view=view)


@listeners.view(CALLBACK_ERASE)
def erase_confirmed(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)  # who submitted: the only one erased
    expected = EraseConfirm.decode(view.get("private_metadata")).counts
    result = service.erase(services.engine, team_id=team_id, user_id=user_id, expected=expected)
    if not isinstance(result, service.Erased):  # it changed since the modal opened
        ack(
            response_action="update",
            view=erase_modal(result, changed=True) if result.total else nothing_modal(),
        )
        return
    ack()
    log.info(
        "member %s erased: %d rows, %d messages to delete, %d drafts to re-render",
        user_id,
        result.counts.total,
        len(result.messages),
        len(result.drafts),
    )
    deleted = kept = 0
    for channel, ts in result.messages:
        try:
            client.chat_delete(channel=channel, ts=ts)
            deleted += 1
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error != "message_not_found":  # already gone is what was wanted
                kept += 1
                log.warning("erase of %s: message in %s not deleted: %s", user_id, channel, error)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)
    for draft_id in result.drafts:
        try:
            kit.refresh_draft(services, client, draft_id=draft_id)
        except SlackApiError as exc:
            log.warning("draft %s not re-rendered: %s", draft_id, exc.response.get("error"))
    for other in sorted(result.homes):
        kit.refresh_home(services, client, team_id=team_id, user_id=other)
    if not result.scrubbed:
        log.warning("erase of %s: the database log could not be emptied yet", user_id)
    dm(
        client,
        user_id=user_id,
        text=erased_text(result.counts, deleted_messages=deleted, kept_messages=kept)
        if result.counts.total
        else NOTHING_HELD,
    )
