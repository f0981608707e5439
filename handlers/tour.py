"""`/tour`: the Listening Tour log, private to the member.

Listeners only translate: Slack payload in, `bot.features.tour.service` call, Block Kit out.
`/tour` answers privately wherever it is typed (a DM with the bot included). The log and
share modals carry only ids and the member's zone in their metadata. Sharing one takeaway
goes only to a council channel the member shares with the bot (`handlers.common.member_councils`),
checked again before the post: never a public or externally shared channel. The thanks
and monthly-update reminder kinds are registered here with the reminder engine; the
monthly prompt is a DM to the member alone, in their zone, with snooze and off buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.features.errors import NotAllowed
from bot.features.tour import service
from bot.features.tour.rules import (
    FIELD_COUNCIL,
    FIELD_NAME,
    GRACE,
    MONTHLY_GRACE,
    REMINDER_MONTHLY,
    REMINDER_THANKS,
    Conversation,
    ConversationInput,
    MonthlyNote,
    member_today,
    parse_target,
    validate_conversation,
)
from bot.features.tour.views import (
    ACTION_EDIT,
    ACTION_LOG,
    ACTION_MONTHLY_OFF,
    ACTION_MONTHLY_ON,
    ACTION_MONTHLY_SNOOZE,
    ACTION_PROMPTS,
    ACTION_SHARE,
    CALLBACK_LOG,
    CALLBACK_SHARE,
    finding_modal,
    help_blocks,
    log_modal,
    logged_text,
    monthly_message,
    monthly_off_text,
    monthly_on_text,
    no_council_text,
    notice_modal,
    prompts_blocks,
    read_log_form,
    read_share_form,
    share_modal,
    shared_modal,
    sharing_modal,
    takeaway_message,
    target_set_text,
    thanks_message,
    tour_message,
)
from bot.platform.mrkdwn import escape
from bot.platform.timezones import format_local
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Delivered, Reminder
from bot.services import Services
from bot.ui.blocks import section
from bot.ui.metadata import ModalMetadata
from handlers import kit
from handlers.common import (
    dm,
    member_councils,
    open_modal_first,
    permalink_of,
    post_share,
    tell,
    tz_of,
)

log = logging.getLogger("council_bot.tour")

COMMAND = "/tour"
LOG_WORDS = ("log", "add", "new")
PROMPT_WORDS = ("prompts", "prompt", "questions")
UPDATE_WORDS = ("update", "monthly")


class LogRef(ModalMetadata):
    """The log modal: the member's zone (their today, the reminder's time) and where the
    `/tour` view it came from can be refreshed."""

    tz: str | None = None
    response_url: str | None = None
    replace: bool = False  # the response_url is a button's on the view: replace it
    conversation: int | None = None  # editing this one (checked again on save)


class ShareRef(ModalMetadata):
    """The share modal: the conversation whose takeaway is shared."""

    conversation: int


listeners = kit.Listeners()
commands = kit.Subcommands(command=COMMAND, help_title="How /tour works", help_blocks=help_blocks)
commands.register(listeners)


def register(app: App, services: Services) -> None:
    """Every listener of the Listening Tour, and its reminder sender."""
    if services.reminders is not None:
        register_senders(services)
    listeners.register(app)


@commands.bare
def show(call: kit.CommandCall) -> None:
    text, blocks = _tour(call.services, team_id=call.team_id, user_id=call.user_id)
    call.respond(text=text, blocks=blocks)


@commands.on(*PROMPT_WORDS)
def prompts(call: kit.CommandCall) -> None:
    call.respond(text="What to ask on your Listening Tour", blocks=prompts_blocks())


@commands.on("target")
def set_target(call: kit.CommandCall) -> None:
    target = parse_target(call.words)
    if isinstance(target, str):
        call.respond(text=target)
        return
    progress = service.set_target(
        call.services.engine,
        team_id=call.team_id,
        user_id=call.user_id,
        target=target,
        now=call.services.clock(),
    )
    call.respond(text=target_set_text(progress))
    kit.refresh_home(call.services, call.client, team_id=call.team_id, user_id=call.user_id)


@commands.on(*UPDATE_WORDS)
def update(call: kit.CommandCall) -> None:
    """`/tour update`: the draft now; `/tour update on|off`: the monthly prompt."""
    services = call.services
    word = call.words[0].lower() if call.words else ""
    if word in ("on", "off"):
        tz = tz_of(services, call.client, team_id=call.team_id, user_id=call.user_id)
        said, _note = _switch_monthly(services, call.team_id, call.user_id, word == "on", tz)
        call.respond(text=said)
        return
    if word:
        call.respond(text="Type `/tour update` for this month's draft, or `/tour update off`.")
        return
    note = service.monthly_note(services.engine, team_id=call.team_id, user_id=call.user_id)
    text, blocks = monthly_message(note, due=False)
    call.respond(text=text, blocks=blocks)


@listeners.action(ACTION_MONTHLY_SNOOZE)
def monthly_snooze(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    until, note = service.snooze_monthly(
        services.engine, team_id=team_id, user_id=user_id, tz=tz, now=services.clock()
    )
    text, blocks = monthly_message(
        note, due=True, snoozed_to=format_local(until, tz) if until else None
    )
    respond(text=text, blocks=blocks, replace_original=True)


@listeners.action(ACTION_MONTHLY_OFF)
@listeners.action(ACTION_MONTHLY_ON)
def monthly_switch(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    on = kit.action_value(body) == "on"
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    said, note = _switch_monthly(services, team_id, user_id, on, tz)
    _text, blocks = monthly_message(note, due=False)
    # What changed, above the draft (still there to copy) and the new button.
    respond(text=said, blocks=[section(said).to_dict(), *blocks[1:]], replace_original=True)


def _switch_monthly(
    services: Services, team_id: str, user_id: str, on: bool, tz: str
) -> tuple[str, MonthlyNote]:
    """Turn the prompt on or off: what to say, and the note as it stands."""
    upcoming, note = service.set_monthly(
        services.engine, team_id=team_id, user_id=user_id, on=on, tz=tz, now=services.clock()
    )
    if not on:
        return monthly_off_text(), note
    return monthly_on_text(format_local(upcoming, tz) if upcoming else None), note


@commands.on(*LOG_WORDS)
def log_from_command(call: kit.CommandCall) -> None:
    services = call.services
    tz = tz_of(services, call.client, team_id=call.team_id, user_id=call.user_id)
    view = log_modal(
        private_metadata=LogRef(tz=tz, response_url=call.command.get("response_url")).encode(),
        today=member_today(tz, services.clock()),
    )
    open_modal_first(call.client, call.command, call.respond, view=view)


@listeners.action(ACTION_LOG)
def log_open(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    # The zone travels with the modal, so saving needs no Slack call before its ack.
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=log_modal(
            private_metadata=LogRef(
                tz=tz, response_url=body.get("response_url"), replace=True
            ).encode(),
            today=member_today(tz, services.clock()),
        ),
    )


@listeners.action(ACTION_EDIT)
def edit_open(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        conversation = service.own_conversation(
            services.engine,
            conversation_id=kit.action_id_value(body),
            team_id=team_id,
            user_id=user_id,
        )
    except (ValueError, NotAllowed):
        tell(client, body, respond, escape(service.NOT_YOURS))
        return
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    meta = LogRef(
        tz=tz, response_url=body.get("response_url"), replace=True, conversation=conversation.id
    )
    client.views_open(
        trigger_id=body["trigger_id"],
        view=log_modal(
            private_metadata=meta.encode(),
            today=member_today(tz, services.clock()),
            initial=conversation,
        ),
    )


@listeners.view(CALLBACK_LOG)
def submit_log(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = LogRef.decode(view["private_metadata"])
    now = services.clock()
    editing = meta.conversation

    def save(data: ConversationInput) -> Conversation:
        if editing is None:
            return service.log_conversation(
                services.engine, team_id=team_id, user_id=user_id, data=data, tz=meta.tz, now=now
            )
        return service.edit_conversation(
            services.engine,
            conversation_id=editing,
            team_id=team_id,
            user_id=user_id,
            data=data,
            tz=meta.tz,
            now=now,
        )

    done, conversation = kit.submit_form(
        ack,
        validate=lambda: validate_conversation(
            read_log_form(view["state"]["values"]), today=member_today(meta.tz, now)
        ),
        save=save,
        error_block=FIELD_NAME,
    )
    if not done or conversation is None:
        return
    # Stored (with its reminder): Slack's answers come after the 3-second limit.
    overview = service.overview(services.engine, team_id=team_id, user_id=user_id)
    note = logged_text(
        conversation, overview.progress, thanks=conversation.thanks, edited=editing is not None
    )
    text, blocks = tour_message(overview.progress, overview.recent)
    blocks = [section(note).to_dict(), *blocks]
    url = meta.response_url
    if not (url and _respond_url(url, text=text, blocks=blocks, replace=meta.replace)):
        dm(client, user_id=user_id, text=text, blocks=blocks)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_PROMPTS)
def prompts_shown(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    tell(client, body, respond, "What to ask on your Listening Tour", blocks=prompts_blocks())


@listeners.action(ACTION_SHARE)
def share_open(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        conversation = service.own_conversation(
            services.engine,
            conversation_id=kit.action_id_value(body),
            team_id=team_id,
            user_id=user_id,
        )
    except (ValueError, NotAllowed):
        tell(client, body, respond, escape(service.NOT_YOURS))
        return
    # The modal first (its trigger lasts 3 s), then the channel checks, then the form.
    shown = client.views_open(trigger_id=body["trigger_id"], view=finding_modal())["view"]
    councils = _councils(services, client, team_id=team_id, user_id=user_id)
    if not councils:
        client.views_update(view_id=shown["id"], view=notice_modal(no_council_text()))
        return
    client.views_update(
        view_id=shown["id"],
        view=share_modal(
            conversation=conversation,
            councils=[(c.council_id, c.channel_id, c.name) for c in councils],
            private_metadata=ShareRef(conversation=conversation.id).encode(),
        ),
    )


@listeners.view(CALLBACK_SHARE)
def submit_share(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    # Not `kit.submit_form`: the modal is acked with "sharing" before anything is posted.
    services, user_id, team_id = kit.caller(context)
    meta = ShareRef.decode(view["private_metadata"])
    raw_council, choice = read_share_form(view["state"]["values"])
    council = (
        service.council_option(services.engine, council_id=int(raw_council), team_id=team_id)
        if raw_council.isdigit()
        else None
    )
    if council is None:
        ack(
            response_action="errors",
            errors={FIELD_COUNCIL: "Please pick one of your council channels."},
        )
        return
    label = f"#{council.name}" if council.name else council.channel_id
    ack(response_action="update", view=sharing_modal(label))
    try:
        conversation = service.own_conversation(
            services.engine, conversation_id=meta.conversation, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        client.views_update(view_id=view["id"], view=notice_modal(str(exc), title="Not shared"))
        return

    def back(problem: str) -> None:
        councils = _councils(services, client, team_id=team_id, user_id=user_id)
        if not councils:
            client.views_update(view_id=view["id"], view=notice_modal(problem, title="Not shared"))
            return
        client.views_update(
            view_id=view["id"],
            view=share_modal(
                conversation=conversation,
                councils=[(c.council_id, c.channel_id, c.name) for c in councils],
                private_metadata=view["private_metadata"],
                choice=choice,
                chosen=council.council_id,
                problem=problem,
            ),
        )

    text, blocks = takeaway_message(conversation=conversation, choice=choice, user_id=user_id)
    posted = post_share(
        services,
        client,
        channel_id=council.channel_id,
        user_id=user_id,
        text=text,
        blocks=blocks,
        what=f"takeaway {conversation.id}",
    )
    if isinstance(posted, str):
        back(posted)
        return
    channel_id, ts = posted
    service.record_share(
        services.engine,
        team_id=team_id,
        user_id=user_id,
        conversation_id=conversation.id,
        channel_id=channel_id,
        message_ts=ts,
        now=services.clock(),
    )
    client.views_update(
        view_id=view["id"],
        view=shared_modal(
            channel_label=label,
            permalink=permalink_of(client, channel_id, ts),
        ),
    )


# --- the reminder sender ------------------------------------------------------------------------


def register_senders(services: Services) -> None:
    engine = services.reminders
    if engine is None:
        return
    for kind, sender in senders(services).items():
        if kind not in engine.kinds:  # an app rebuilt on the same services keeps its sender
            engine.register(
                kind, sender, grace=MONTHLY_GRACE if kind == REMINDER_MONTHLY else GRACE
            )


def senders(services: Services) -> dict[str, Callable[[Reminder], Any]]:
    @slack_sender
    def send_thanks(reminder: Reminder) -> Any:
        # Only a conversation of the reminder's own workspace and member.
        conversation = service.thanks_target(
            services.engine,
            conversation_id=int(reminder.data.get("conversation", 0)),
            team_id=reminder.team_id,
        )
        if conversation is None or conversation.user_id != reminder.user_id:
            log.info("reminder %s: the conversation is gone; nothing to send", reminder.id)
            return Delivered()
        text, blocks = thanks_message(conversation)
        services.slack_for(reminder.team_id).chat_postMessage(
            channel=reminder.user_id, text=text, blocks=blocks
        )
        return None

    @slack_sender
    def send_monthly(reminder: Reminder) -> Any:
        client = services.slack_for(reminder.team_id)
        tz = tz_of(services, client, team_id=reminder.team_id, user_id=reminder.user_id)
        note = service.monthly_prompt(
            services.engine,
            team_id=reminder.team_id,
            user_id=reminder.user_id,
            tz=tz,
            now=services.clock(),
        )
        if note is None:
            log.info("reminder %s: monthly updates were turned off; nothing sent", reminder.id)
            return Delivered()
        text, blocks = monthly_message(note, due=True)
        client.chat_postMessage(channel=reminder.user_id, text=text, blocks=blocks)
        return None

    return {REMINDER_THANKS: send_thanks, REMINDER_MONTHLY: send_monthly}


# --- helpers ------------------------------------------------------------------------------------


def _tour(services: Services, *, team_id: str, user_id: str) -> tuple[str, list[dict]]:
    overview = service.overview(services.engine, team_id=team_id, user_id=user_id)
    return tour_message(overview.progress, overview.recent)


def _councils(
    services: Services, client: WebClient, *, team_id: str, user_id: str
) -> list[service.CouncilOption]:
    """Council channels the member shares with the bot now: private, not shared outside,
    the bot and the member in them."""
    channel_ids = member_councils(
        services, client, team_id=team_id, user_id=user_id, except_channel=""
    )
    return service.council_options(services.engine, team_id=team_id, channel_ids=channel_ids)


def _respond_url(url: str, *, text: str, blocks: list[dict], replace: bool) -> bool:
    """The `/tour` view, privately where the modal came from (`replace`: in place of the view
    whose button opened it; a response_url works for 30 minutes); False when it could not."""
    try:
        answer = WebhookClient(url).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=replace
        )
    except Exception:
        log.info("response_url follow-up failed", exc_info=True)
        return False
    return answer.status_code == 200
