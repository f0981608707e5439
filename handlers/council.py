"""`/council`: the council's rhythm (`setup`, the summary, check-ins, the agenda, `pause`,
`back`, `landed`) and a member's own data (`export`, `erase`).

The rhythm's reminder kinds are registered here (senders use `services.slack_for(team)`):
`council.roster` asks Slack who is in the channel and plans each member's check-in DM and
nudge in their own zone; `council.checkin` / `council.checkin_nudge` DM them;
`council.agenda` posts the agenda in the channel and plans the next meeting.

Added to a private channel that has no rhythm yet, the bot says what it does there and
offers the setup with one button (`offer_setup`, through `kit.on_bot_joined`).

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
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.views import View

from bot.features.council import ritual_service, service
from bot.features.council.ritual_rules import (
    CHECKIN_NEEDS,
    CHECKIN_WHERE,
    CHECKIN_WIN,
    FIELD_MODERATOR,
    FIELD_NAME,
    GRACE,
    ITEMS,
    MEETING_POSTED,
    MEETING_SCHEDULED,
    REMINDER_ACTION_ITEM,
    REMINDER_AGENDA,
    REMINDER_CHECKIN,
    REMINDER_DRIFT,
    REMINDER_DRIFT_MODERATOR,
    REMINDER_FIRST_90,
    REMINDER_NUDGE,
    REMINDER_ROSTER,
    STATE_LANDED,
    STATE_PAUSED,
    item_fields,
    parse_until,
    validate_checkin,
    validate_notes,
    validate_setup,
)
from bot.features.council.ritual_views import (
    ACTION_CHECKIN,
    ACTION_FIRST_90,
    ACTION_NOTES,
    ACTION_SETUP,
    ALREADY_LANDED,
    BACK_TEXT,
    CALLBACK_CHECKIN,
    CALLBACK_NOTES,
    CALLBACK_SETUP,
    CHECKIN_THANKS,
    COUNCIL_PAUSE_NEEDS_DATE,
    LANDED_TEXT,
    MEETING_GONE,
    NOT_A_MEMBER,
    NOT_IN_COUNCIL,
    NOT_MODERATOR_NOTES,
    OWNER_NOT_MEMBER,
    action_item_dm,
    agenda_message,
    checkin_dm,
    checkin_modal,
    council_paused_post,
    drift_dm,
    drift_heads_up,
    first_90_dm,
    first_90_set,
    landed_answer,
    landed_post,
    not_moderator_text,
    notes_message,
    notes_modal,
    paused_text,
    read_notes_form,
    read_setup_form,
    saved_text,
    setup_modal,
    setup_offer,
    summary_blocks,
)
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
from bot.features.errors import NotAllowed
from bot.platform import replays
from bot.platform.councils import ChannelProblem
from bot.platform.members import known_tz
from bot.platform.timezones import valid_tz, zone
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Delivered, Reminder
from bot.services import Services
from bot.ui.blocks import (
    MODAL_TITLE_MAX,
    channel_problem_blocks,
    channel_problem_text,
    plain,
    section,
    state_value,
)
from bot.ui.metadata import ModalMetadata
from handlers import kit
from handlers.common import (
    channel_members,
    council_channel_problem,
    council_for_command,
    council_or_explain,
    dm,
    is_channel_member,
    open_modal_first,
    tell,
    tell_in_channel,
    tz_of,
)

log = logging.getLogger("council_bot.council")

listeners = kit.Listeners()
commands = kit.Subcommands(
    command=COMMAND, help_title="How /council works", help_blocks=help_blocks
)
commands.register(listeners)


def register(app: App, services: Services) -> None:
    register_senders(services)
    listeners.register(app)
    kit.on_bot_joined(offer_setup)


@commands.bare
def bare(call: kit.CommandCall) -> None:
    _show_summary(call)


@commands.on("setup")
def setup_command(call: kit.CommandCall) -> None:
    _open_setup(call)


@commands.on("pause")
def pause_command(call: kit.CommandCall) -> None:
    _pause(call)


@commands.on("back")
def back_command(call: kit.CommandCall) -> None:
    _back(call)


@commands.on("landed")
def landed_command(call: kit.CommandCall) -> None:
    _landed(call)


@listeners.action(ACTION_SETUP)
def setup_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """ "Set up the council" on the bot's welcome: the same as `/council setup` there."""
    ack()
    channel = body.get("channel") or {}
    command = {
        "command": COMMAND,
        "channel_id": str(channel.get("id") or ""),
        "channel_name": str(channel.get("name") or ""),
        "team_id": kit.team_of(context),
        "user_id": kit.user_of(context),
        "trigger_id": str(body.get("trigger_id") or ""),
    }
    _open_setup(kit.CommandCall(command, client, respond, context, ()))


@listeners.view(CALLBACK_SETUP)
def setup_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    _submit_setup(ack, view, client, context)


@listeners.action(ACTION_CHECKIN)
def checkin_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    _open_checkin(body, client, respond, context)


@listeners.view(CALLBACK_CHECKIN)
def checkin_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    _submit_checkin(ack, view, client, context)


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


# --- the council's rhythm ------------------------------------------------------------------------


class SetupMeta(ModalMetadata):
    """The setup modal: the council (None until the channel check passed), its channel, and
    the zone the meeting time is typed in (the organiser's)."""

    council: int | None = None
    channel: str
    tz: str


class CheckinMeta(ModalMetadata):
    meeting: int


class NotesMeta(ModalMetadata):
    meeting: int


SETUP_TITLE = "Council setup"
SETUP_INTRO = "A council's rhythm is set up in its private channel: type `/council setup` there."


def _show_summary(call: kit.CommandCall) -> None:
    """`/council`: in a council channel, its rhythm and next meeting in the caller's zone;
    elsewhere, the guide."""
    services, client = call.services, call.client
    council_id, problem = council_for_command(services, client, call.command)
    if council_id is None or problem is not None:
        call.respond(text="How /council works", blocks=help_blocks())
        return
    tz = tz_of(services, client, team_id=call.team_id, user_id=call.user_id)
    found = ritual_service.summary(
        services.engine,
        team_id=call.team_id,
        channel_id=str(call.command["channel_id"]),
        now=services.clock(),
    )
    call.respond(
        text=found.name if found else "This council has no meeting rhythm yet.",
        blocks=summary_blocks(found, tz=tz),
    )


def offer_setup(
    services: Services, client: WebClient, *, team_id: str, channel_id: str, event_id: str
) -> None:
    """The bot was added to a channel: in a private one with no rhythm yet, say what the bot
    does and offer the setup, once (Slack's retry of the event has the same event id). In a
    public or shared channel it says nothing: a council's existence is its members' own."""
    if event_id and not replays.claim(services.engine, f"joined:{event_id}"):
        return
    if council_channel_problem(services, client, channel_id=channel_id) is not None:
        log.info("joined channel %s: not a council channel, no welcome", channel_id)
        return
    if ritual_service.summary(
        services.engine, team_id=team_id, channel_id=channel_id, now=services.clock()
    ):
        return  # added back to a council that has its rhythm
    text, blocks = setup_offer()
    client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
    log.info("joined channel %s: setup offered", channel_id)


def _open_setup(call: kit.CommandCall) -> None:
    services, client, command = call.services, call.client, call.command
    channel_id = str(command["channel_id"])
    moderator = ritual_service.moderator_of(
        services.engine, team_id=call.team_id, channel_id=channel_id
    )
    if moderator is not None and moderator != call.user_id:
        # No form to open: check the channel first, then say who can change it.
        council_id, problem = council_for_command(services, client, command)
        if problem is not None or council_id is None:
            problem = problem or ChannelProblem.BOT_NOT_IN_CHANNEL
            call.respond(text=channel_problem_text(problem), blocks=channel_problem_blocks(problem))
            return
        text = not_moderator_text(moderator)
        call.respond(text=text, blocks=[section(text).to_dict()])
        return
    now = services.clock()
    guess = known_tz(services.engine, team_id=call.team_id, user_id=call.user_id, now=now)
    current = ritual_service.summary(
        services.engine, team_id=call.team_id, channel_id=channel_id, now=now
    )

    def modal(tz: str, council_id: int | None) -> dict[str, Any]:
        meta = SetupMeta(council=council_id, channel=channel_id, tz=tz)
        return setup_modal(
            initial=current, caller=call.user_id, tz=tz, private_metadata=meta.encode()
        )

    opened = open_modal_first(client, command, call.respond, view=modal(guess or "UTC", None))
    if opened is None:
        return
    council_id = council_or_explain(
        services,
        client,
        command,
        call.respond,
        shown=opened,
        problem_title=SETUP_TITLE,
        intro=SETUP_INTRO,
    )
    if council_id is None:
        return
    tz = tz_of(services, client, team_id=call.team_id, user_id=call.user_id)
    client.views_update(view_id=opened["id"], view=modal(tz, council_id))


def _submit_setup(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = SetupMeta.decode(view.get("private_metadata"))
    if meta.council is None:  # submitted before the channel check finished
        ack(response_action="errors", errors={FIELD_NAME: "One moment: checking this channel."})
        return
    now = services.clock()
    result = validate_setup(read_setup_form(view["state"]["values"]), tz=meta.tz, now=now)
    if isinstance(result, dict):
        ack(response_action="errors", errors=result)
        return
    if not _is_council_member(client, channel_id=meta.channel, user_id=result.moderator_id):
        ack(response_action="errors", errors={FIELD_MODERATOR: NOT_A_MEMBER})
        return
    done, saved = kit.submit_form(
        ack,
        validate=lambda: result,
        save=lambda data: ritual_service.save_setup(
            services.engine,
            team_id=team_id,
            council_id=meta.council or 0,
            user_id=user_id,
            data=data,
            tz=meta.tz,
            now=now,
        ),
        error_block=FIELD_MODERATOR,
    )
    if not done or saved is None:
        return
    text = saved_text(saved, tz=meta.tz)
    tell_in_channel(
        client,
        channel_id=meta.channel,
        user_id=user_id,
        text=text,
        blocks=[section(text).to_dict()],
    )


def _is_council_member(client: WebClient, *, channel_id: str, user_id: str) -> bool:
    """A person in the channel, not a bot nor a deactivated account (two Slack calls: the
    form waits for them)."""
    if not is_channel_member(client, channel_id=channel_id, user_id=user_id):
        return False
    try:
        info = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return False
    return not (info.get("is_bot") or info.get("deleted"))


def council_people(client: WebClient, *, channel_id: str) -> dict[str, str]:
    """The council's members (the channel's people, minus bots and deactivated accounts),
    each with their Slack time zone."""
    people: dict[str, str] = {}
    for user in channel_members(client, channel_id=channel_id):
        info = client.users_info(user=user)["user"]
        if info.get("is_bot") or info.get("deleted") or user == "USLACKBOT":
            continue
        people[user] = valid_tz(info.get("tz"))
    return people


def _channel_council(call: kit.CommandCall) -> bool:
    """Whether the command came from a council channel that has a rhythm (else answered)."""
    council_id, problem = council_for_command(call.services, call.client, call.command)
    if problem is not None or council_id is None:
        problem = problem or ChannelProblem.BOT_NOT_IN_CHANNEL
        call.respond(text=channel_problem_text(problem), blocks=channel_problem_blocks(problem))
        return False
    return True


def _pause(call: kit.CommandCall) -> None:
    if not _channel_council(call):
        return
    services = call.services
    tz = tz_of(services, call.client, team_id=call.team_id, user_id=call.user_id)
    today = services.clock().astimezone(zone(tz)).date()
    whole = bool(call.words) and call.words[0].lower() in ("all", "council")
    until = parse_until(call.words[1:] if whole else call.words, today=today)
    if whole and until is None:
        until = COUNCIL_PAUSE_NEEDS_DATE
    if isinstance(until, str):
        call.respond(text=until, blocks=[section(until).to_dict()])
        return
    if whole and until is not None:
        _pause_council(call, until=until, tz=tz)
        return
    ritual_service.set_state(
        services.engine,
        team_id=call.team_id,
        channel_id=str(call.command["channel_id"]),
        user_id=call.user_id,
        state=STATE_PAUSED,
        until=until,
        now=services.clock(),
    )
    text = paused_text(until)
    call.respond(text=text, blocks=[section(text).to_dict()])


def _pause_council(call: kit.CommandCall, *, until: date, tz: str) -> None:
    """The moderator skips the council's meetings through `until` (holidays)."""
    services, channel_id = call.services, str(call.command["channel_id"])
    try:
        next_start = ritual_service.pause_council(
            services.engine,
            team_id=call.team_id,
            channel_id=channel_id,
            user_id=call.user_id,
            until=until,
            now=services.clock(),
        )
    except NotAllowed as exc:
        call.respond(text=str(exc), blocks=[section(str(exc)).to_dict()])
        return
    text, blocks = council_paused_post(call.user_id, until, next_start, tz)
    call.client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)


def _back(call: kit.CommandCall) -> None:
    if not _channel_council(call):
        return
    ritual_service.set_state(
        call.services.engine,
        team_id=call.team_id,
        channel_id=str(call.command["channel_id"]),
        user_id=call.user_id,
        state=None,
        now=call.services.clock(),
    )
    call.respond(text=BACK_TEXT, blocks=[section(BACK_TEXT).to_dict()])


def _landed(call: kit.CommandCall) -> None:
    if not _channel_council(call):
        return
    services, client = call.services, call.client
    channel_id = str(call.command["channel_id"])
    changed = ritual_service.set_state(
        services.engine,
        team_id=call.team_id,
        channel_id=channel_id,
        user_id=call.user_id,
        state=STATE_LANDED,
        now=services.clock(),
    )
    if not changed:  # shared already: one celebration is enough
        call.respond(text=ALREADY_LANDED, blocks=[section(ALREADY_LANDED).to_dict()])
        return
    text, blocks = landed_post(call.user_id)
    client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
    call.respond(text=LANDED_TEXT, blocks=landed_answer())


@listeners.action(ACTION_FIRST_90)
def first_90_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """The landed member asks for the private 90-days reminder (the council is the channel
    the answer was shown in; the clicker is whoever clicked)."""
    ack()
    services, user_id, team_id = kit.caller(context)
    channel_id = str((body.get("channel") or {}).get("id") or "")
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    try:
        when = ritual_service.remind_first_90(
            services.engine,
            team_id=team_id,
            channel_id=channel_id,
            user_id=user_id,
            tz=tz,
            now=services.clock(),
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    tell(client, body, respond, first_90_set(when, tz))


def _open_checkin(
    body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    meeting_id = kit.action_id_value(body)
    found = ritual_service.meeting(services.engine, meeting_id=meeting_id, team_id=team_id)
    now = services.clock()
    if found is None or found.status != MEETING_SCHEDULED or found.starts_at <= now:
        tell(client, body, respond, MEETING_GONE)
        return
    initial = ritual_service.checkin_of(
        services.engine, team_id=team_id, meeting_id=meeting_id, user_id=user_id
    )
    opened = client.views_open(
        trigger_id=body["trigger_id"],
        view=checkin_modal(
            council_name=found.name,
            initial=initial,
            private_metadata=CheckinMeta(meeting=meeting_id).encode(),
        ),
    )
    if not is_channel_member(client, channel_id=found.channel_id, user_id=user_id):
        client.views_update(
            view_id=opened["view"]["id"],
            view=nothing_modal_with(NOT_IN_COUNCIL),
        )


def _submit_checkin(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    meeting_id = CheckinMeta.decode(view.get("private_metadata")).meeting
    found = ritual_service.meeting(services.engine, meeting_id=meeting_id, team_id=team_id)
    if found is None or not is_channel_member(client, channel_id=found.channel_id, user_id=user_id):
        ack(response_action="errors", errors={CHECKIN_WHERE: NOT_IN_COUNCIL})
        return
    done, _saved = kit.submit_form(
        ack,
        validate=lambda: validate_checkin(read_checkin_form(view["state"]["values"])),
        save=lambda data: ritual_service.save_checkin(
            services.engine,
            team_id=team_id,
            meeting_id=meeting_id,
            user_id=user_id,
            data=data,
            now=services.clock(),
        ),
        error_block=CHECKIN_WHERE,
    )
    if done:
        dm(client, user_id=user_id, text=CHECKIN_THANKS)


@listeners.action(ACTION_NOTES)
def notes_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """The agenda's "Notes & action items": the moderator's form, after the meeting."""
    ack()
    services, user_id, team_id = kit.caller(context)
    found = ritual_service.meeting(
        services.engine, meeting_id=kit.action_id_value(body), team_id=team_id
    )
    if found is None or found.status != MEETING_POSTED:
        tell(client, body, respond, MEETING_GONE)
        return
    if found.moderator_id != user_id:
        tell(client, body, respond, NOT_MODERATOR_NOTES)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=notes_modal(
            council_name=found.name,
            private_metadata=NotesMeta(meeting=found.meeting_id).encode(),
        ),
    )


@listeners.view(CALLBACK_NOTES)
def notes_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    meeting_id = NotesMeta.decode(view.get("private_metadata")).meeting
    found = ritual_service.meeting(services.engine, meeting_id=meeting_id, team_id=team_id)
    result = validate_notes(read_notes_form(view["state"]["values"]))
    if isinstance(result, dict):
        ack(response_action="errors", errors=result)
        return
    if found is None:
        ack(response_action="errors", errors={"notes_text": MEETING_GONE})
        return
    if result.items:
        members = set(channel_members(client, channel_id=found.channel_id))
        for n in range(1, ITEMS + 1):
            owner_field, _task = item_fields(n)
            owner = state_value(view["state"]["values"], owner_field)
            if owner and owner not in members:
                ack(response_action="errors", errors={owner_field: OWNER_NOT_MEMBER})
                return
    zones = {
        owner: tz_of(services, client, team_id=team_id, user_id=owner)
        for owner in {o for o, _t in result.items}
    }
    done, saved = kit.submit_form(
        ack,
        validate=lambda: result,
        save=lambda data: ritual_service.save_notes(
            services.engine,
            team_id=team_id,
            meeting_id=meeting_id,
            user_id=user_id,
            data=data,
            zones=zones,
            now=services.clock(),
        ),
        error_block="notes_text",
    )
    if not done or saved is None:
        return
    channel_id, thread_ts, _next = saved
    problem = council_channel_problem(services, client, channel_id=channel_id)
    if problem is not None:
        log.warning("meeting %s: notes not posted (%s)", meeting_id, problem.value)
        dm(client, user_id=user_id, text=channel_problem_text(problem))
        return
    text, blocks = notes_message(result.notes, result.items)
    client.chat_postMessage(channel=channel_id, thread_ts=thread_ts, text=text, blocks=blocks)


def nothing_modal_with(text: str) -> dict[str, Any]:
    return View(
        type="modal",
        title=plain("Check in", MODAL_TITLE_MAX),
        close=plain("Close", MODAL_TITLE_MAX),
        blocks=[section(text)],
    ).to_dict()


def read_checkin_form(state_values: dict[str, Any]) -> dict[str, str]:
    return {
        field: state_value(state_values, field)
        for field in (CHECKIN_WHERE, CHECKIN_NEEDS, CHECKIN_WIN)
    }


# --- reminder senders ----------------------------------------------------------------------------


def register_senders(services: Services) -> None:
    engine = services.reminders
    if engine is None:
        return
    for kind, sender in ritual_senders(services).items():
        if kind not in engine.kinds:  # an app rebuilt on the same services keeps its senders
            engine.register(kind, sender, grace=GRACE[kind])


def ritual_senders(services: Services) -> dict[str, Callable[[Reminder], Any]]:
    def current(reminder: Reminder) -> ritual_service.MeetingSnap | None:
        found = ritual_service.meeting(
            services.engine,
            meeting_id=int(reminder.data.get("meeting", 0)),
            team_id=reminder.team_id,
        )
        if found is None:
            log.info("reminder %s (%s): its meeting is gone", reminder.id, reminder.kind)
        return found

    @slack_sender
    def send_roster(reminder: Reminder) -> Any:
        found = current(reminder)
        now = services.clock()
        if found is None or found.status != MEETING_SCHEDULED or found.starts_at <= now:
            return Delivered()
        client = services.slack_for(reminder.team_id)
        people = council_people(client, channel_id=found.channel_id)
        planned = ritual_service.plan_member_reminders(
            services.engine,
            team_id=reminder.team_id,
            meeting_id=found.meeting_id,
            people=people,
            now=now,
        )
        log.info("meeting %s: check-ins planned for %d members", found.meeting_id, planned)
        return None

    def checkin_sender(nudge: bool) -> Callable[[Reminder], Any]:
        @slack_sender
        def send(reminder: Reminder) -> Any:
            found = current(reminder)
            if found is None or not ritual_service.checkin_wanted(
                services.engine,
                team_id=reminder.team_id,
                meeting_id=found.meeting_id,
                user_id=reminder.user_id,
                now=services.clock(),
                nudge=nudge,
            ):
                return Delivered()
            client = services.slack_for(reminder.team_id)
            text, blocks = checkin_dm(
                meeting_id=found.meeting_id,
                council_name=found.name,
                starts_at=found.starts_at,
                tz=str(reminder.data.get("tz") or found.tz),
                nudge=nudge,
            )
            channel = str(client.conversations_open(users=reminder.user_id)["channel"]["id"])
            client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            return None

        return send

    @slack_sender
    def send_agenda(reminder: Reminder) -> Any:
        found = current(reminder)
        if found is None:
            return Delivered()
        now = services.clock()
        ts: str | None = found.agenda_ts
        if found.status == MEETING_SCHEDULED:
            over = found.starts_at + timedelta(minutes=found.length_minutes) <= now
            client = services.slack_for(reminder.team_id)
            problem = council_channel_problem(services, client, channel_id=found.channel_id)
            if over or problem is not None:
                log.warning(
                    "meeting %s: agenda not posted (%s)",
                    found.meeting_id,
                    "over" if over else problem.value if problem else "",
                )
            else:
                people = council_people(client, channel_id=found.channel_id)
                content = ritual_service.agenda(
                    services.engine,
                    team_id=reminder.team_id,
                    meeting_id=found.meeting_id,
                    members=list(people),
                    now=now,
                )
                if content is None:
                    return Delivered()
                text, blocks = agenda_message(
                    council_name=found.name,
                    starts_at=found.starts_at,
                    tz=found.tz,
                    length=found.length_minutes,
                    meeting_zero=content.meeting_zero,
                    checkins=content.checkins,
                    activity=content.activity,
                    video_link=found.video_link,
                    moderator_id=found.moderator_id,
                    meeting_id=found.meeting_id,
                )
                posted = client.chat_postMessage(channel=found.channel_id, text=text, blocks=blocks)
                ts = str(posted["ts"])
                drifted = ritual_service.plan_drift(
                    services.engine,
                    team_id=reminder.team_id,
                    meeting_id=found.meeting_id,
                    people=people,
                    now=now,
                )
                if drifted:
                    log.info("meeting %s: %d members drifting", found.meeting_id, len(drifted))
        # Posted (or past): mark it, and the rhythm goes on with the next meeting.
        following = ritual_service.agenda_posted(
            services.engine, team_id=reminder.team_id, meeting_id=found.meeting_id, ts=ts, now=now
        )
        log.info("meeting %s done; next %s", found.meeting_id, following)
        return None

    def drift_sender(moderator: bool) -> Callable[[Reminder], Any]:
        @slack_sender
        def send(reminder: Reminder) -> Any:
            found = current(reminder)
            if found is None:
                return Delivered()
            if moderator:
                members = [str(u) for u in reminder.data.get("members") or []]
                text, blocks = drift_heads_up(found.name, members)
            else:
                text, blocks = drift_dm(found.name)
            client = services.slack_for(reminder.team_id)
            channel = str(client.conversations_open(users=reminder.user_id)["channel"]["id"])
            client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            return None

        return send

    @slack_sender
    def send_first_90(reminder: Reminder) -> Any:
        name = ritual_service.first_90_council(
            services.engine,
            team_id=reminder.team_id,
            council_id=int(reminder.data.get("council", 0)),
        )
        if name is None:
            return Delivered()
        text, blocks = first_90_dm(name)
        client = services.slack_for(reminder.team_id)
        channel = str(client.conversations_open(users=reminder.user_id)["channel"]["id"])
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return None

    @slack_sender
    def send_action_item(reminder: Reminder) -> Any:
        found = current(reminder)
        if found is None:
            return Delivered()
        upcoming = ritual_service.summary(
            services.engine,
            team_id=reminder.team_id,
            channel_id=found.channel_id,
            now=services.clock(),
        )
        tz = str(reminder.data.get("tz") or found.tz)
        text, blocks = action_item_dm(
            found.name,
            str(reminder.data.get("task") or ""),
            upcoming.next_start if upcoming else None,
            tz,
        )
        client = services.slack_for(reminder.team_id)
        channel = str(client.conversations_open(users=reminder.user_id)["channel"]["id"])
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return None

    return {
        REMINDER_ACTION_ITEM: send_action_item,
        REMINDER_FIRST_90: send_first_90,
        REMINDER_DRIFT: drift_sender(False),
        REMINDER_DRIFT_MODERATOR: drift_sender(True),
        REMINDER_ROSTER: send_roster,
        REMINDER_CHECKIN: checkin_sender(False),
        REMINDER_NUDGE: checkin_sender(True),
        REMINDER_AGENDA: send_agenda,
    }
