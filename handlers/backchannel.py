"""`/backchannel`: a private checklist of back-channel reference conversations.

Listeners only translate: Slack payload in, `bot.features.backchannel.service` call, Block Kit out.
The checklist is one message in the member's DM with the bot, posted with
chat.postMessage to the member's user id and kept current with chat.update. The follow-up
reminder kind is registered here with the reminder engine; its sender uses
`services.slack_for(team)` and reports through `bot.reminders.delivery.slack_sender`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.features.backchannel import service
from bot.features.backchannel.rules import (
    FIELD_COMPANY,
    FIELD_COUNCIL,
    FIELD_MANAGER,
    FIELD_NAME,
    FIELD_NOTES,
    GRACE,
    REMINDER_FOLLOWUP,
    Checklist,
    asked_changes,
    followup_is_moot,
    validate_answer,
    validate_manager,
    validate_person,
    validate_share_ask,
    validate_start,
)
from bot.features.backchannel.views import (
    ACTION_ADD,
    ACTION_ANSWER,
    ACTION_ASKED,
    ACTION_CLOSE,
    ACTION_MANAGER,
    ACTION_OPEN,
    ACTION_REMOVE,
    ACTION_REOPEN,
    ACTION_SHARE,
    BLOCK_ASKED,
    CALLBACK_ADD,
    CALLBACK_ANSWER,
    CALLBACK_MANAGER,
    CALLBACK_SHARE,
    CALLBACK_START,
    answer_modal,
    checklist_message,
    followup_message,
    help_blocks,
    list_message,
    manager_modal,
    moved_message,
    no_council_text,
    not_sent_text,
    notice_modal,
    opened_note,
    person_modal,
    prompts_blocks,
    read_answer_form,
    read_manager,
    read_person_form,
    read_share_form,
    read_start_form,
    removed_modal,
    share_modal,
    shared_modal,
    sharing_modal,
    start_modal,
    summary_message,
    versioned,
)
from bot.features.errors import NotAllowed
from bot.platform.councils import council_of
from bot.platform.mrkdwn import escape
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Delivered, Reminder
from bot.services import Services
from bot.ui.blocks import app_dm_link, section
from bot.ui.metadata import ModalMetadata
from handlers import kit
from handlers.common import (
    council_for_command,
    is_channel_member,
    open_modal_first,
    permalink_of,
    post_share,
    slack_reason,
    tell,
    tz_of,
)

log = logging.getLogger("council_bot.backchannel")

COMMAND = "/backchannel"
# The first word of each is the one shown in usage lists; the others are accepted too.
LIST_WORDS = ("list", "ls", "open")
PROMPT_WORDS = ("prompts", "prompt", "questions", "tips")

# chat.update errors after which the checklist message is simply posted again.
_MESSAGE_GONE = {
    "message_not_found",
    "cant_update_message",
    "channel_not_found",
    "edit_window_closed",
}


class StartRef(ModalMetadata):
    """The start modal: the council channel it was typed in, and where to answer."""

    council: int | None = None
    channel: str | None = None
    response_url: str | None = None


class ChecklistRef(ModalMetadata):
    """The checklist a modal is about (manager, share)."""

    checklist: int


class PersonFormRef(ModalMetadata):
    """The add-a-person modal: its checklist, and which copy of the form is on screen."""

    checklist: int
    version: int = 1


class AnswerRef(ModalMetadata):
    """The answer modal: the person, the follow-up DM it came from, the member's zone."""

    person: int
    prompt: list[str | None] | None = None
    tz: str | None = None


listeners = kit.Listeners()
commands = kit.Subcommands(
    command=COMMAND, help_title="How /backchannel works", help_blocks=help_blocks
)


def register(app: App, services: Services) -> None:
    """Every listener of the back-channel feature, and its reminder sender."""
    if services.reminders is not None:
        register_senders(services)
    listeners.register(app)


commands.register(listeners)


@commands.on(*LIST_WORDS)
def list_checklists(call: kit.CommandCall) -> None:
    checklists = service.open_checklists(
        call.services.engine, team_id=call.team_id, user_id=call.user_id
    )
    call.respond(text="Your open back-channel checklists", blocks=list_message(checklists))


@commands.on(*PROMPT_WORDS)
def prompts(call: kit.CommandCall) -> None:
    call.respond(text="What to ask in a back-channel conversation", blocks=prompts_blocks())


@commands.bare
def start(call: kit.CommandCall) -> None:
    _open_start(call)


@listeners.view(CALLBACK_START)
def submit_start(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = StartRef.decode(view["private_metadata"])
    done, saved = kit.submit_form(
        ack,
        validate=lambda: validate_start(
            read_start_form(view["state"]["values"]),
            searches=service.searches(services.engine, team_id=team_id, user_id=user_id),
        ),
        save=lambda data: service.open_checklist(
            services.engine,
            team_id=team_id,
            user_id=user_id,
            data=data,
            council_id=meta.council,
            now=services.clock(),
        ),
        error_block=FIELD_COMPANY,
    )
    if not done or saved is None:
        return
    # Stored: Slack's answers (and retries) come after the 3-second limit.
    checklist, created = saved
    shown = _show(services, client, checklist.id, team_id=team_id, fresh=not created)
    if isinstance(shown, str):
        note = not_sent_text(shown)
        if meta.response_url:
            _respond_url(meta.response_url, text=note, blocks=[section(note).to_dict()])
        return
    dm_channel, permalink = shown
    if meta.response_url and meta.channel != dm_channel:
        note = opened_note(checklist, permalink, created=created, dm_link=_dm_link(body))
        _respond_url(meta.response_url, text=note, blocks=[section(note).to_dict()])
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_OPEN)
def open_again(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services = kit.services_of(context)
    checklist = _own_checklist(services, client, body, respond, context)
    if checklist is None:
        return
    if not checklist.is_open:
        service.reopen_checklist(
            services.engine,
            checklist_id=checklist.id,
            team_id=checklist.team_id,
            user_id=checklist.user_id,
            now=services.clock(),
        )
    shown = _show(services, client, checklist.id, team_id=checklist.team_id, fresh=True)
    if isinstance(shown, str):
        tell(client, body, respond, not_sent_text(shown))
        return
    dm_channel, permalink = shown
    container = body.get("container") or {}
    if body.get("response_url") and container.get("channel_id") != dm_channel:
        note = opened_note(checklist, permalink, created=False, dm_link=_dm_link(body))
        respond(text=note, blocks=[section(note).to_dict()], replace_original=False)
    _home(services, client, context)


@listeners.action(ACTION_ADD)
def add_open(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    checklist = _own_checklist(kit.services_of(context), client, body, respond, context)
    if checklist is None:
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=person_modal(
            checklist=checklist,
            version=1,
            private_metadata=PersonFormRef(checklist=checklist.id, version=1).encode(),
        ),
    )


@listeners.view(CALLBACK_ADD)
def submit_add(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    # Not `kit.submit_form`: a saved person is acked with the next copy of the form.
    services, user_id, team_id = kit.caller(context)
    meta = PersonFormRef.decode(view["private_metadata"])
    version = meta.version
    name_block = versioned(FIELD_NAME, version)
    try:
        checklist = service.own_checklist(
            services.engine, checklist_id=meta.checklist, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={name_block: str(exc)})
        return
    result = validate_person(
        read_person_form(view["state"]["values"], version),
        existing=checklist.people,
        user_id=user_id,
    )
    if isinstance(result, dict):
        errors = {versioned(field, version): text for field, text in result.items()}
        ack(response_action="errors", errors=errors)
        return
    try:
        person = service.add_person(
            services.engine,
            checklist_id=checklist.id,
            team_id=team_id,
            user_id=user_id,
            data=result,
            now=services.clock(),
        )
    except NotAllowed as exc:  # ChecklistFull included: a race with another add
        ack(response_action="errors", errors={name_block: str(exc)})
        return
    updated = service.own_checklist(
        services.engine, checklist_id=checklist.id, team_id=team_id, user_id=user_id
    )
    next_meta = PersonFormRef(checklist=checklist.id, version=version + 1).encode()
    ack(
        response_action="update",
        view=person_modal(
            checklist=updated,
            version=version + 1,
            private_metadata=next_meta,
            added=person.name,
        ),
    )
    shown = _show(services, client, checklist.id, team_id=checklist.team_id)
    if isinstance(shown, str):  # said in the modal, which is still open (same block ids)
        try:
            client.views_update(
                view_id=view["id"],
                view=person_modal(
                    checklist=updated,
                    version=version + 1,
                    private_metadata=next_meta,
                    added=person.name,
                    problem=shown,
                ),
            )
        except SlackApiError as exc:
            log.info("could not say so in the modal: %s", exc.response.get("error"))
    _home(services, client, context)


@listeners.action({"action_id": re.compile(rf"^{ACTION_ASKED}_\d+$")})
def asked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    action = body["actions"][0]
    try:
        checklist_id = int(str(action.get("block_id", "")).rsplit("_", 1)[-1])
        checklist = service.own_checklist(
            services.engine, checklist_id=checklist_id, team_id=team_id, user_id=user_id
        )
    except (ValueError, NotAllowed):
        tell(client, body, respond, "That checklist isn't one of yours.")
        return
    ticked = [int(o["value"]) for o in action.get("selected_options") or []]
    shown = _offered(body, action) or [p.id for p in checklist.people]
    changes = asked_changes({p.id: p for p in checklist.people}, shown=shown, ticked=ticked)
    if changes:
        service.set_statuses(
            services.engine,
            changes=changes,
            team_id=team_id,
            user_id=user_id,
            tz=tz_of(services, client, team_id=team_id, user_id=user_id),
            now=services.clock(),
        )
    problem = _show(services, client, checklist.id, team_id=checklist.team_id)
    if isinstance(problem, str):
        tell(client, body, respond, not_sent_text(problem))
    _home(services, client, context)


@listeners.action(ACTION_ANSWER)
def answer_open(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        person, checklist = service.own_person(
            services.engine, person_id=kit.action_id_value(body), team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        tell(client, body, respond, escape(str(exc)))
        return
    container = body.get("container") or {}
    prompt = None
    if (
        container.get("type") == "message"
        and not container.get("is_ephemeral")
        and container.get("message_ts") != checklist.message_ts
    ):
        prompt = [container.get("channel_id"), container.get("message_ts")]
    # The zone travels with the modal, so saving needs no Slack call before its ack.
    tz = tz_of(services, client, team_id=checklist.team_id, user_id=checklist.user_id)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=answer_modal(
            person=person,
            checklist=checklist,
            private_metadata=AnswerRef(person=person.id, prompt=prompt, tz=tz).encode(),
        ),
    )


@listeners.view(CALLBACK_ANSWER)
def submit_answer(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = AnswerRef.decode(view["private_metadata"])
    done, saved = kit.submit_form(
        ack,
        validate=lambda: validate_answer(read_answer_form(view["state"]["values"])),
        save=lambda data: service.record_answer(
            services.engine,
            person_id=meta.person,
            team_id=team_id,
            user_id=user_id,
            data=data,
            tz=meta.tz or "UTC",
            now=services.clock(),
        ),
        error_block=FIELD_NOTES,
    )
    if not done or saved is None:
        return
    person, checklist_id = saved  # stored
    _refresh_or_say(services, client, checklist_id, team_id=team_id, user_id=user_id)
    if meta.prompt:
        _settle_prompt(client, meta.prompt, person.name)
    _home(services, client, context)


@listeners.action(ACTION_REMOVE)
def remove(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        name, checklist_id = service.remove_person(
            services.engine,
            person_id=kit.action_id_value(body),
            team_id=team_id,
            user_id=user_id,
            now=services.clock(),
        )
    except NotAllowed as exc:
        tell(client, body, respond, escape(str(exc)))
        return
    view = body.get("view") or {}
    if view.get("id"):
        try:
            client.views_update(view_id=view["id"], view=removed_modal(name))
        except SlackApiError as exc:  # removed all the same; the checklist shows it
            log.info("could not update the answer modal: %s", exc.response.get("error"))
    problem = _show(services, client, checklist_id, team_id=team_id)
    if isinstance(problem, str):
        tell(client, body, respond, not_sent_text(problem))
    _home(services, client, context)


@listeners.action(ACTION_MANAGER)
def manager_open(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    checklist = _own_checklist(kit.services_of(context), client, body, respond, context)
    if checklist is None:
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=manager_modal(
            checklist=checklist, private_metadata=ChecklistRef(checklist=checklist.id).encode()
        ),
    )


@listeners.view(CALLBACK_MANAGER)
def submit_manager(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    done, checklist = kit.submit_form(
        ack,
        validate=lambda: validate_manager(read_manager(view["state"]["values"])),
        save=lambda name: service.set_manager(
            services.engine,
            checklist_id=ChecklistRef.decode(view["private_metadata"]).checklist,
            team_id=team_id,
            user_id=user_id,
            name=name,
            now=services.clock(),
        ),
        error_block=FIELD_MANAGER,
    )
    if not done or checklist is None:
        return
    # Stored.
    _refresh_or_say(
        services, client, checklist.id, team_id=checklist.team_id, user_id=checklist.user_id
    )
    _home(services, client, context)


@listeners.action(ACTION_SHARE)
def share_open(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services = kit.services_of(context)
    checklist = _own_checklist(services, client, body, respond, context)
    if checklist is None:
        return
    if not checklist.people:
        tell(
            client,
            body,
            respond,
            "There's nothing to share yet: add the people you'll ask first.",
        )
        return
    councils = _councils(services, client, team_id=checklist.team_id, user_id=checklist.user_id)
    if not councils:
        tell(client, body, respond, no_council_text())
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=share_modal(
            checklist=checklist,
            councils=[(c.council_id, c.channel_id, c.name) for c in councils],
            chosen=checklist.council_id,
            private_metadata=ChecklistRef(checklist=checklist.id).encode(),
        ),
    )


@listeners.view(CALLBACK_SHARE)
def submit_share(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    # Not `kit.submit_form`: the modal is acked with "sharing" before anything is done.
    services, user_id, team_id = kit.caller(context)
    meta = ChecklistRef.decode(view["private_metadata"])
    raw_council, include_names, raw_ask = read_share_form(view["state"]["values"])
    checked_ask = validate_share_ask(raw_ask)
    errors: dict[str, str] = dict(checked_ask) if isinstance(checked_ask, dict) else {}
    ask = "" if isinstance(checked_ask, dict) else checked_ask
    known = service.councils_for(services.engine, team_id=team_id, user_id=user_id)
    council = next((c for c in known if str(c.council_id) == raw_council), None)
    if council is None:
        errors[FIELD_COUNCIL] = "Please pick one of your council channels."
    if errors or council is None:
        ack(response_action="errors", errors=errors)
        return
    label = f"#{council.name}" if council.name else council.channel_id
    ack(response_action="update", view=sharing_modal(label))
    # Slack's answers (and its retries) come after the 3-second limit: the modal shows
    # the outcome, or comes back with the member's choices and what went wrong.
    try:
        checklist = service.own_checklist(
            services.engine, checklist_id=meta.checklist, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        client.views_update(view_id=view["id"], view=notice_modal(str(exc)))
        return

    def back(problem: str) -> None:
        councils = _councils(services, client, team_id=team_id, user_id=user_id)
        if not councils:
            client.views_update(view_id=view["id"], view=notice_modal(problem, title="Not shared"))
            return
        client.views_update(
            view_id=view["id"],
            view=share_modal(
                checklist=checklist,
                councils=[(c.council_id, c.channel_id, c.name) for c in councils],
                chosen=council.council_id,
                private_metadata=view["private_metadata"],
                include_names=include_names,
                ask=ask,
                problem=problem,
            ),
        )

    text, blocks = summary_message(checklist=checklist, include_names=include_names, ask=ask)
    posted = post_share(
        services,
        client,
        channel_id=council.channel_id,
        user_id=user_id,
        text=text,
        blocks=blocks,
        what=f"summary of checklist {checklist.id}",
    )
    if isinstance(posted, str):
        back(posted)
        return
    channel_id, ts = posted
    # Kept right away, so that an erase of the member's data deletes it from the channel.
    service.record_share(
        services.engine,
        team_id=team_id,
        user_id=user_id,
        checklist_id=checklist.id,
        channel_id=channel_id,
        message_ts=ts,
        now=services.clock(),
    )
    client.views_update(
        view_id=view["id"],
        view=shared_modal(
            channel_label=label,
            permalink=permalink_of(client, channel_id, ts),
            include_names=include_names,
        ),
    )


@listeners.action(ACTION_CLOSE)
@listeners.action(ACTION_REOPEN)
def close_or_reopen(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services = kit.services_of(context)
    checklist = _own_checklist(services, client, body, respond, context)
    if checklist is None:
        return
    change = (
        service.close_checklist
        if body["actions"][0]["action_id"] == ACTION_CLOSE
        else service.reopen_checklist
    )
    change(
        services.engine,
        checklist_id=checklist.id,
        team_id=checklist.team_id,
        user_id=checklist.user_id,
        now=services.clock(),
    )
    problem = _show(services, client, checklist.id, team_id=checklist.team_id)
    if isinstance(problem, str):
        tell(client, body, respond, not_sent_text(problem))
    _home(services, client, context)


# --- the reminder sender ------------------------------------------------------------------------


def register_senders(services: Services) -> None:
    engine = services.reminders
    if engine is None:
        return
    for kind, sender in senders(services).items():
        if kind not in engine.kinds:  # an app rebuilt on the same services keeps its sender
            engine.register(kind, sender, grace=GRACE)


def senders(services: Services) -> dict[str, Callable[[Reminder], Any]]:
    @slack_sender
    def send_followup(reminder: Reminder) -> Any:
        # Only a person of the reminder's own workspace: its client is that workspace's.
        person, checklist = service.followup_target(
            services.engine,
            person_id=int(reminder.data.get("person", 0)),
            team_id=reminder.team_id,
        )
        if followup_is_moot(checklist, person) or person is None or checklist is None:
            log.info(
                "reminder %s: person %s is gone, answered or not asked; nothing to send",
                reminder.id,
                reminder.data.get("person"),
            )
            return Delivered()
        text, blocks = followup_message(person=person, checklist=checklist)
        services.slack_for(reminder.team_id).chat_postMessage(
            channel=reminder.user_id, text=text, blocks=blocks
        )
        return None

    return {REMINDER_FOLLOWUP: send_followup}


# --- helpers ------------------------------------------------------------------------------------


def _open_start(call: kit.CommandCall) -> None:
    """The start modal, opened first (its trigger lasts 3 s); a council channel it was typed
    in is remembered for sharing, once the channel check after opening confirms it."""
    services, client, command = call.services, call.client, call.command
    team_id, user_id = call.team_id, call.user_id
    channel_id = command["channel_id"]
    known = council_of(services.engine, team_id=team_id, channel_id=channel_id)

    def modal(council_id: int | None) -> dict[str, Any]:
        searches = service.searches(services.engine, team_id=team_id, user_id=user_id)
        ref = StartRef(
            council=council_id, channel=channel_id, response_url=command.get("response_url")
        )
        return start_modal(searches=list(searches.items()), private_metadata=ref.encode())

    opened = open_modal_first(client, command, call.respond, view=modal(known))
    if opened is None:
        return
    council_id = None
    if command.get("channel_name") != "directmessage" and not channel_id.startswith("D"):
        try:
            council_id, _problem = council_for_command(services, client, command)
        except SlackApiError as exc:  # the checklist is private anyway: carry on without
            log.info("channel %s not checked: %s", channel_id, exc.response.get("error"))
            council_id = known
    if council_id != known:
        client.views_update(view_id=opened["id"], view=modal(council_id))


def _show(
    services: Services,
    client: WebClient,
    checklist_id: int,
    *,
    team_id: str,
    fresh: bool = False,
) -> tuple[str, str | None] | str:
    """Bring the checklist's DM message up to date: (DM channel, permalink or None), or
    Slack's error (the data is stored either way).

    `fresh` posts a new copy at the bottom of the DM and turns the old one into a pointer;
    a message the member deleted is posted again.
    """
    with service.rendering(checklist_id):
        checklist = service.checklist(services.engine, checklist_id=checklist_id, team_id=team_id)
        if checklist is None:
            return "checklist_not_found"
        text, blocks = checklist_message(checklist)
        old = (checklist.channel_id, checklist.message_ts)
        if old[0] and old[1] and not fresh:
            try:
                client.chat_update(channel=old[0], ts=old[1], text=text, blocks=blocks)
                return old[0], None
            except SlackApiError as exc:
                error = slack_reason(exc)
                if error not in _MESSAGE_GONE:
                    log.warning("checklist %s not updated: %s", checklist_id, error)
                    return error
                log.info("checklist %s message gone (%s): posting it again", checklist_id, error)
        try:
            answer = client.chat_postMessage(channel=checklist.user_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            error = slack_reason(exc)
            log.warning("checklist %s not posted: %s", checklist_id, error)
            return error
        channel, ts = str(answer["channel"]), str(answer["ts"])
        service.attach_message(
            services.engine,
            checklist_id=checklist_id,
            team_id=team_id,
            channel_id=channel,
            message_ts=ts,
        )
        if fresh and old[0] and old[1] and old[1] != ts:
            moved_text, moved_blocks = moved_message(checklist)
            try:
                client.chat_update(channel=old[0], ts=old[1], text=moved_text, blocks=moved_blocks)
            except SlackApiError as exc:
                log.info("old checklist message not updated: %s", exc.response.get("error"))
        return channel, permalink_of(client, channel, ts)


def _dm_link(body: dict[str, Any]) -> str:
    """The link to the member's DM with the app, from the request's team and app ids."""
    team = body.get("team") or {}
    team_id = str(team.get("id") if isinstance(team, dict) else "") or str(
        body.get("team_id") or ""
    )
    return app_dm_link(team_id=team_id, app_id=str(body.get("api_app_id") or ""))


def _own_checklist(
    services: Services,
    client: WebClient,
    body: dict[str, Any],
    respond: Respond,
    context: BoltContext,
) -> Checklist | None:
    """The member's checklist from a button's value; they are told when it isn't theirs."""
    try:
        return service.own_checklist(
            services.engine,
            checklist_id=kit.action_id_value(body),
            team_id=kit.team_of(context),
            user_id=kit.user_of(context),
        )
    except (ValueError, NotAllowed):
        tell(client, body, respond, "That checklist isn't one of yours.")
        return None


def _offered(body: dict[str, Any], action: dict[str, Any]) -> list[int]:
    """The person ids the clicked checkboxes offered, read from the message itself."""
    for block in (body.get("message") or {}).get("blocks") or []:
        if not str(block.get("block_id", "")).startswith(BLOCK_ASKED):
            continue
        for element in block.get("elements") or []:
            if element.get("action_id") == action.get("action_id"):
                return [
                    int(o["value"])
                    for o in element.get("options") or []
                    if str(o.get("value", "")).isdigit()
                ]
    return []


def _councils(
    services: Services, client: WebClient, *, team_id: str, user_id: str
) -> list[service.CouncilOption]:
    """Council channels the member may share to: known councils they are a member of."""
    found = []
    for council in service.councils_for(services.engine, team_id=team_id, user_id=user_id):
        try:
            if is_channel_member(client, channel_id=council.channel_id, user_id=user_id):
                found.append(council)
        except SlackApiError as exc:  # the bot left, or the channel is gone
            log.info("council %s not offered: %s", council.channel_id, exc.response.get("error"))
    return found


def _settle_prompt(client: WebClient, prompt: list[Any], name: str) -> None:
    """Turn the follow-up DM the member answered from into a short thank-you."""
    channel, ts = prompt[0], prompt[1]
    if not channel or not ts:
        return
    text = f":white_check_mark: Noted what {escape(name)} said. It's on your checklist."
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=[section(text).to_dict()])
    except SlackApiError as exc:
        log.info("could not update the follow-up: %s", exc.response.get("error"))


def _home(services: Services, client: WebClient, context: BoltContext) -> None:
    kit.refresh_home(services, client, team_id=kit.team_of(context), user_id=kit.user_of(context))


def _refresh_or_say(
    services: Services, client: WebClient, checklist_id: int, *, team_id: str, user_id: str
) -> None:
    """After a modal closed: refresh the checklist; if Slack refuses, say so in a DM (the
    change is stored either way)."""
    shown = _show(services, client, checklist_id, team_id=team_id)
    if not isinstance(shown, str):
        return
    text = not_sent_text(shown)
    try:
        client.chat_postMessage(channel=user_id, text=text, blocks=[section(text).to_dict()])
    except SlackApiError as exc:
        log.warning("could not tell %s about it either: %s", user_id, exc.response.get("error"))


def _respond_url(url: str, *, text: str, blocks: list[dict]) -> None:
    """A private follow-up through a response_url (it works for 30 minutes)."""
    try:
        WebhookClient(url).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
    except Exception:  # expired or spent: the checklist is in the DM anyway
        log.info("response_url follow-up failed", exc_info=True)
