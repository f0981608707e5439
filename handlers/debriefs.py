"""`/debrief`: log interviews, nudge before, prompt after, debrief with the council.

Listeners only translate: Slack payload in, `bot.features.debriefs.service` call, Block Kit out.
The three reminder kinds are registered here with the reminder engine; their senders
make their Slack calls with `services.slack_for(team)` (a client that leaves 429s to the
engine) and report outcomes through `bot.reminders.delivery.slack_sender`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.features.debriefs import service
from bot.features.debriefs.rules import (
    EVENT_SCHEDULED,
    FIELD_DATE,
    FIELD_GRATITUDE_NAME,
    FIELD_RATING,
    GRACE,
    KIND_INTERVIEW,
    REMINDER_FOLLOWUP,
    REMINDER_GRATITUDE,
    REMINDER_PROMPT,
    EventSummary,
    names_for_nudge,
    nudge_is_moot,
    validate_debrief,
    validate_event,
    validate_gratitude,
)
from bot.features.debriefs.views import (
    ACTION_CANCEL,
    ACTION_GRATITUDE,
    ACTION_GRATITUDE_REMOVE,
    ACTION_MOVE,
    ACTION_REPOST,
    ACTION_WRITE,
    CALLBACK_DEBRIEF,
    CALLBACK_EVENT_EDIT,
    CALLBACK_EVENT_NEW,
    CALLBACK_GRATITUDE,
    LIST_MAX_PAST,
    cancelled_text,
    confirmation,
    debrief_message,
    debrief_modal,
    debrief_prompt,
    event_modal,
    gratitude_block_id,
    gratitude_kept_on_close,
    gratitude_modal,
    gratitude_not_kept_on_close,
    gratitude_nudge,
    help_blocks,
    list_message,
    post_failed,
    posted_confirmation,
    private_debrief_message,
    prompt_done,
    read_debrief_form,
    read_event_form,
    read_gratitude_form,
)
from bot.features.errors import NotAllowed
from bot.features.missions import service as missions_service
from bot.platform.members import known_tz
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Delivered, Reminder
from bot.services import Services
from bot.ui.blocks import channel_problem_reason, section
from bot.ui.metadata import ModalMetadata
from handlers import kit
from handlers.common import (
    council_channel_problem,
    council_or_explain,
    dm,
    open_modal_first,
    tell,
    tell_in_channel,
    tz_of,
)

log = logging.getLogger("council_bot.debriefs")

COMMAND = "/debrief"
# The first word is the one shown in usage lists; the others are accepted too.
GRATITUDE_WORDS = ("gratitude", "gratitude-house", "thanks", "house")


class NewEventMeta(ModalMetadata):
    """The new-event modal (also opened by `/negotiate`): where it was logged, and the tz."""

    council: int | None = None
    channel: str
    tz: str


class EditEventMeta(ModalMetadata):
    """The move modal: which event, the tz, and where to follow up privately."""

    event: int
    tz: str
    response_url: str | None = None


class DebriefMeta(ModalMetadata):
    """The debrief modal: which event, and the DM prompt it answers ([channel, ts])."""

    event: int
    prompt: list[str] | None = None


class GratitudeMeta(ModalMetadata):
    """The gratitude modal: its version (block ids change with it to clear the inputs)."""

    version: int = 1


F = TypeVar("F", bound=Callable[..., Any])


class _Listeners(kit.Listeners):
    """The kit's listeners, plus a modal's `view_closed` (handed off like a submission:
    acked at once, the work after)."""

    def view_closed(self, callback_id: str) -> Callable[[F], F]:
        return self._add("view", {"type": "view_closed", "callback_id": callback_id})


listeners = _Listeners()
commands = kit.Subcommands(
    command=COMMAND, help_title="How /debrief works", help_blocks=help_blocks
)


def register(app: App, services: Services) -> None:
    """Every listener of the debrief feature, and its reminder senders."""
    if services.reminders is not None:
        register_senders(services)
    listeners.register(app)


commands.register(listeners)


@commands.on("list")
def list_events(call: kit.CommandCall) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    tz = tz_of(services, call.client, team_id=team_id, user_id=user_id)
    call.respond(
        text="Your upcoming interviews and debriefs",
        blocks=_list_blocks(services, team_id=team_id, user_id=user_id, tz=tz),
    )


def _list_blocks(
    services: Services, *, team_id: str, user_id: str, tz: str, note: str | None = None
) -> list[dict]:
    """`/debrief list`: what is coming up or waiting for a debrief, then the past."""
    now = services.clock()
    events = service.upcoming(services.engine, team_id=team_id, user_id=user_id, now=now)
    past, past_total = service.past(
        services.engine, team_id=team_id, user_id=user_id, now=now, limit=LIST_MAX_PAST
    )
    return list_message(events, tz=tz, now=now, note=note, past=past, past_total=past_total)


@commands.on(*GRATITUDE_WORDS)
def gratitude_command(call: kit.CommandCall) -> None:
    _open_gratitude(
        call.services,
        call.client,
        trigger_id=call.command["trigger_id"],
        team_id=call.team_id,
        user_id=call.user_id,
    )


@commands.bare
def new_event(call: kit.CommandCall) -> None:
    _open_new_event(call.services, call.client, call.command, call.respond)


@listeners.view(CALLBACK_EVENT_NEW)
def submit_new_event(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = NewEventMeta.decode(view["private_metadata"])
    tz, now = meta.tz, services.clock()
    searches = _searches(services, team_id=team_id, user_id=user_id)
    result = validate_event(
        read_event_form(view["state"]["values"]),
        tz=tz,
        now=now,
        searches=searches,
        user_id=user_id,
    )
    if isinstance(result, dict):
        ack(response_action="errors", errors=result)
        return
    try:
        event, plan = service.create_event(
            services.engine,
            team_id=team_id,
            user_id=user_id,
            council_id=meta.council,
            channel_id=meta.channel,
            data=result,
            tz=tz,
            now=now,
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={FIELD_DATE: str(exc)})
        return
    ack()
    if event.kind == KIND_INTERVIEW and event.search_id is not None:
        # Two interviews in: the mission feature suggests sharing the draft live.
        missions_service.plan_share_live(
            services.engine,
            team_id=team_id,
            user_id=user_id,
            search_id=event.search_id,
            interviews_logged=service.interviews_logged(
                services.engine, team_id=team_id, user_id=user_id, search_id=event.search_id
            ),
            interview_starts_at=event.starts_at,
            tz=tz,
        )
    text, blocks = confirmation(event, plan, tz=tz)
    tell_in_channel(client, user_id=user_id, channel_id=meta.channel, text=text, blocks=blocks)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_MOVE)
def move(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    event = _own_open_event(services, client, body, respond, team_id=team_id, user_id=user_id)
    if event is None:
        return
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    searches = _searches(services, team_id=team_id, user_id=user_id)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=event_modal(
            callback_id=CALLBACK_EVENT_EDIT,
            searches=list(searches.items()),
            tz=tz,
            now=services.clock(),
            initial=event,
            search_id=event.search_id,
            private_metadata=EditEventMeta(
                event=event.event_id, tz=tz, response_url=body.get("response_url")
            ).encode(),
        ),
    )


@listeners.view(CALLBACK_EVENT_EDIT)
def submit_edit_event(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = EditEventMeta.decode(view["private_metadata"])
    tz, now = meta.tz, services.clock()
    done, saved = kit.submit_form(
        ack,
        validate=lambda: validate_event(
            read_event_form(view["state"]["values"]),
            tz=tz,
            now=now,
            searches=_searches(services, team_id=team_id, user_id=user_id),
            user_id=user_id,
        ),
        save=lambda data: service.update_event(
            services.engine,
            event_id=meta.event,
            team_id=team_id,
            user_id=user_id,
            data=data,
            tz=tz,
            now=now,
        ),
        error_block=FIELD_DATE,
    )
    if not done or saved is None:
        return
    event, plan = saved
    text, blocks = confirmation(event, plan, tz=tz, moved=True)
    if meta.response_url:
        _respond_url(meta.response_url, text=text, blocks=blocks)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_CANCEL)
def cancel(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    now = services.clock()
    try:
        event = service.cancel_event(
            services.engine,
            event_id=kit.action_id_value(body),
            team_id=team_id,
            user_id=user_id,
            now=now,
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    if body.get("response_url"):
        tz = tz_of(services, client, team_id=team_id, user_id=user_id)
        note = f":wastebasket: {cancelled_text(event, tz)}"
        respond(
            text=note,
            blocks=_list_blocks(services, team_id=team_id, user_id=user_id, tz=tz, note=note),
            replace_original=True,
            response_type="ephemeral",
        )
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_WRITE)
def write(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    event = _own_open_event(services, client, body, respond, team_id=team_id, user_id=user_id)
    if event is None:
        return
    container = body.get("container") or {}
    prompt = None
    if (
        container.get("type") == "message"
        and not container.get("is_ephemeral")
        and str(container.get("channel_id", "")).startswith("D")
    ):
        prompt = [container["channel_id"], container["message_ts"]]
    client.views_open(
        trigger_id=body["trigger_id"],
        view=debrief_modal(
            event=event,
            private_metadata=DebriefMeta(event=event.event_id, prompt=prompt).encode(),
        ),
    )


@listeners.view(CALLBACK_DEBRIEF)
def submit_debrief(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = DebriefMeta.decode(view["private_metadata"])
    done, debrief_id = kit.submit_form(
        ack,
        validate=lambda: validate_debrief(read_debrief_form(view["state"]["values"])),
        save=lambda answers: service.save_debrief(
            services.engine,
            event_id=meta.event,
            team_id=team_id,
            user_id=user_id,
            answers=answers,
            now=services.clock(),
        ),
        error_block=FIELD_RATING,
    )
    if not done or debrief_id is None:
        return
    # Stored and acked: from here on nothing the member wrote can be lost.
    permalink = _post_debrief(
        services, client, debrief_id=debrief_id, team_id=team_id, user_id=user_id
    )
    if meta.prompt:
        _mark_prompt_done(services, client, meta.prompt, debrief_id, team_id, permalink)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_REPOST)
def repost(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    debrief_id = kit.action_id_value(body)
    if not service.owns_debrief(
        services.engine, debrief_id=debrief_id, team_id=team_id, user_id=user_id
    ):
        tell(client, body, respond, "That debrief isn't one of yours.")
        return
    snap = service.debrief(services.engine, debrief_id=debrief_id, team_id=team_id)
    if snap is not None and snap.message_ts:
        text = posted_confirmation(snap.event, None)
    else:
        posted = _post_debrief(
            services, client, debrief_id=debrief_id, team_id=team_id, user_id=user_id
        )
        if posted is None or snap is None:
            return  # _post_debrief told the member again (or the debrief is gone)
        text = posted_confirmation(snap.event, posted or None)
    if body.get("response_url"):
        respond(text=text, blocks=[section(text).to_dict()], replace_original=True)


@listeners.action(ACTION_GRATITUDE)
def gratitude_open(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    _open_gratitude(
        kit.services_of(context),
        client,
        trigger_id=body["trigger_id"],
        team_id=kit.team_of(context),
        user_id=kit.user_of(context),
    )


@listeners.view(CALLBACK_GRATITUDE)
def submit_gratitude(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    version = GratitudeMeta.decode(view["private_metadata"]).version
    engine = services.engine
    people = service.gratitude(engine, team_id=team_id, user_id=user_id)
    name, note = read_gratitude_form(view["state"]["values"], version)
    result = validate_gratitude(name, note, existing=people)
    if isinstance(result, dict):
        errors = {gratitude_block_id(field, version): text for field, text in result.items()}
        ack(response_action="errors", errors=errors)
        return
    service.add_gratitude(
        engine,
        team_id=team_id,
        user_id=user_id,
        name=result[0],
        note=result[1],
        now=services.clock(),
    )
    people = service.gratitude(engine, team_id=team_id, user_id=user_id)
    ack(
        response_action="update",
        view=gratitude_modal(
            people=people,
            version=version + 1,
            private_metadata=GratitudeMeta(version=version + 1).encode(),
        ),
    )
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.view_closed(CALLBACK_GRATITUDE)
def close_gratitude(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Done pressed with a name still typed in: add them (what Add would have done), and
    say so in the DM, so nothing typed is silently thrown away."""
    ack()
    services, user_id, team_id = kit.caller(context)
    version = GratitudeMeta.decode(view.get("private_metadata")).version
    name, note = read_gratitude_form((view.get("state") or {}).get("values") or {}, version)
    if not name.strip() and not note.strip():
        return  # nothing typed: Done just closes
    engine = services.engine
    people = service.gratitude(engine, team_id=team_id, user_id=user_id)
    result = validate_gratitude(name, note, existing=people)
    if isinstance(result, dict):
        problem = (
            "the note needs a name with it."
            if FIELD_GRATITUDE_NAME in result and not name.strip()
            else " ".join(result.values())
        )
        client.chat_postMessage(channel=user_id, text=gratitude_not_kept_on_close(problem))
        return
    service.add_gratitude(
        engine,
        team_id=team_id,
        user_id=user_id,
        name=result[0],
        note=result[1],
        now=services.clock(),
    )
    client.chat_postMessage(channel=user_id, text=gratitude_kept_on_close(result[0]))
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_GRATITUDE_REMOVE)
def gratitude_remove(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    view = body["view"]
    service.remove_gratitude(
        services.engine,
        team_id=team_id,
        user_id=user_id,
        person_id=kit.action_id_value(body),
    )
    people = service.gratitude(services.engine, team_id=team_id, user_id=user_id)
    version = GratitudeMeta.decode(view.get("private_metadata")).version
    # Same block ids: whatever is typed in the "Add someone" box stays there.
    client.views_update(
        view_id=view["id"],
        view=gratitude_modal(
            people=people, version=version, private_metadata=view["private_metadata"]
        ),
    )
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


# --- reminder senders ---------------------------------------------------------------------------


def register_senders(services: Services) -> None:
    """Register the three debrief reminder kinds with the engine."""
    engine = services.reminders
    if engine is None:
        return
    for kind, sender in senders(services).items():
        if kind not in engine.kinds:  # an app rebuilt on the same services keeps its senders
            engine.register(kind, sender, grace=GRACE[kind])


def senders(services: Services) -> dict[str, Callable[[Reminder], Any]]:
    def send_dm(reminder: Reminder, *, text: str, blocks: list[dict[str, Any]]) -> None:
        """Post to the member's DM with their own workspace's token. Unlike
        handlers.common.dm it raises: the engine turns a failure into a retry."""
        client = services.slack_for(reminder.team_id)
        channel = str(client.conversations_open(users=reminder.user_id)["channel"]["id"])
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)

    def current(reminder: Reminder) -> EventSummary | None:
        """The event as it is now, or None when the reminder is moot (logged)."""
        # Only the reminder's own workspace's event: its client speaks for that one.
        event = service.reminder_target(
            services.engine, event_id=int(reminder.data.get("event", 0)), team_id=reminder.team_id
        )
        if event is None or event.status != EVENT_SCHEDULED or event.debriefed:
            log.info(
                "reminder %s (%s): event %s is %s, nothing to send",
                reminder.id,
                reminder.kind,
                reminder.data.get("event"),
                "gone" if event is None else "debriefed" if event.debriefed else event.status,
            )
            return None
        return event

    @slack_sender
    def send_gratitude(reminder: Reminder) -> Any:
        event = current(reminder)
        if event is None:
            return Delivered()
        if nudge_is_moot(event.starts_at, services.clock()):
            log.info(
                "reminder %s: event %s has started, nudge dropped", reminder.id, event.event_id
            )
            return Delivered()
        people = service.gratitude(
            services.engine, team_id=reminder.team_id, user_id=reminder.user_id
        )
        chosen = names_for_nudge(people, seed=event.event_id)
        text, blocks = gratitude_nudge(event, chosen, total=len(people))
        send_dm(reminder, text=text, blocks=blocks)
        return None

    def prompt_sender(follow_up: bool) -> Callable[[Reminder], Any]:
        @slack_sender
        def send(reminder: Reminder) -> Any:
            event = current(reminder)
            if event is None:
                return Delivered()
            text, blocks = debrief_prompt(event, follow_up=follow_up)
            send_dm(reminder, text=text, blocks=blocks)
            return None

        return send

    return {
        REMINDER_GRATITUDE: send_gratitude,
        REMINDER_PROMPT: prompt_sender(False),
        REMINDER_FOLLOWUP: prompt_sender(True),
    }


# --- helpers ------------------------------------------------------------------------------------


def _searches(services: Services, *, team_id: str, user_id: str) -> dict[int, str]:
    options = service.searches(services.engine, team_id=team_id, user_id=user_id)
    return {o.search_id: o.company for o in options}


def _open_new_event(
    services: Services, client: WebClient, command: dict[str, Any], respond: Respond
) -> None:
    """Open the form first (its trigger lasts 3 s), then check the channel and the zone."""
    team_id, user_id = command["team_id"], command["user_id"]
    guess = known_tz(services.engine, team_id=team_id, user_id=user_id, now=services.clock())

    def modal(tz: str, council_id: int | None) -> dict[str, Any]:
        searches = _searches(services, team_id=team_id, user_id=user_id)
        meta = NewEventMeta(council=council_id, channel=command["channel_id"], tz=tz)
        return event_modal(
            callback_id=CALLBACK_EVENT_NEW,
            searches=list(searches.items()),
            tz=tz,
            now=services.clock(),
            private_metadata=meta.encode(),
        )

    intro = (
        "Debriefs are shared with your council, so `/debrief` works in your council's "
        "private channel. (`/debrief list`, `/debrief gratitude` and `/debrief help` work "
        "anywhere.)"
    )
    opened = open_modal_first(client, command, respond, view=modal(guess or "UTC", None))
    if opened is None:
        return
    council_id = council_or_explain(
        services, client, command, respond, shown=opened, problem_title="Debrief", intro=intro
    )
    if council_id is None:
        return
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    # The council (and a zone that was not known yet) go into the open form.
    client.views_update(view_id=opened["id"], view=modal(tz, council_id))


def _open_gratitude(
    services: Services, client: WebClient, *, trigger_id: str, team_id: str, user_id: str
) -> None:
    people = service.gratitude(services.engine, team_id=team_id, user_id=user_id)
    client.views_open(
        trigger_id=trigger_id,
        view=gratitude_modal(
            people=people, version=1, private_metadata=GratitudeMeta(version=1).encode()
        ),
    )


def _own_open_event(
    services: Services,
    client: WebClient,
    body: dict[str, Any],
    respond: Respond,
    *,
    team_id: str,
    user_id: str,
) -> EventSummary | None:
    """The member's event from a button, if it can still be moved or debriefed."""
    try:
        event = service.own_event(
            services.engine, event_id=kit.action_id_value(body), team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return None
    if event.debriefed:
        tell(client, body, respond, "You've already written a debrief for this one. Thank you!")
        return None
    if event.status != EVENT_SCHEDULED:
        tell(
            client,
            body,
            respond,
            "That event was cancelled. Type `/debrief` in your council channel to log it again.",
        )
        return None
    return event


def _post_debrief(
    services: Services, client: WebClient, *, debrief_id: int, team_id: str, user_id: str
) -> str | None:
    """Post a stored debrief (channel, or DM when private); its permalink ("" if unknown).

    None when Slack refused: the debrief stays stored, and the member is told privately
    with a button to try again.
    """
    snap = service.debrief(services.engine, debrief_id=debrief_id, team_id=team_id)
    if snap is None:
        return None
    now = services.clock()
    if snap.answers.private:
        text, blocks = private_debrief_message(event=snap.event, answers=snap.answers)
        try:
            channel = str(client.conversations_open(users=user_id)["channel"]["id"])
            answer = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as exc:  # stored all the same; the member sees it on Home
            log.warning("private debrief %s not sent: %s", debrief_id, exc.response.get("error"))
            return None
        service.mark_posted(
            services.engine,
            debrief_id=debrief_id,
            team_id=team_id,
            channel_id=channel,
            message_ts=answer["ts"],
            thread_ts=None,
            now=now,
        )
        return ""
    problem = council_channel_problem(services, client, channel_id=snap.channel_id)
    if problem is not None:  # made public or shared outside: a member's debrief stays out
        log.warning("debrief %s held: the channel is %s", debrief_id, problem.value)
        held_text, held_blocks = post_failed(debrief_id, channel_problem_reason(problem), held=True)
        dm(client, user_id=user_id, text=held_text, blocks=held_blocks)
        return None
    text, blocks = debrief_message(
        event=snap.event, answers=snap.answers, in_thread=snap.thread_ts is not None
    )
    try:
        answer = client.chat_postMessage(
            channel=snap.channel_id, thread_ts=snap.thread_ts, text=text, blocks=blocks
        )
    except SlackApiError as exc:
        reason = str(exc.response.get("error") or "an error")
        log.warning("debrief %s could not be posted to %s: %s", debrief_id, snap.channel_id, reason)
        failed_text, failed_blocks = post_failed(debrief_id, reason)
        try:
            client.chat_postMessage(channel=user_id, text=failed_text, blocks=failed_blocks)
        except SlackApiError as dm_exc:
            log.warning(
                "could not tell %s about debrief %s: %s",
                user_id,
                debrief_id,
                dm_exc.response.get("error"),
            )
        return None
    service.mark_posted(
        services.engine,
        debrief_id=debrief_id,
        team_id=team_id,
        channel_id=snap.channel_id,
        message_ts=answer["ts"],
        thread_ts=snap.thread_ts,
        now=now,
    )
    try:
        link = client.chat_getPermalink(channel=snap.channel_id, message_ts=answer["ts"])
        return str(link.get("permalink") or "")
    except SlackApiError:
        return ""


def _mark_prompt_done(
    services: Services,
    client: WebClient,
    prompt: list[str],
    debrief_id: int,
    team_id: str,
    permalink: str | None,
) -> None:
    """Turn the DM prompt the member answered into a thank-you (its button gone)."""
    snap = service.debrief(services.engine, debrief_id=debrief_id, team_id=team_id)
    if snap is None or permalink is None:
        return  # not posted: the DM says so, with a button to try again
    text, blocks = prompt_done(snap.event, private=snap.answers.private)
    if not snap.answers.private:
        text = posted_confirmation(snap.event, permalink or None)
        blocks = [section(text).to_dict()]
    try:
        client.chat_update(channel=prompt[0], ts=prompt[1], text=text, blocks=blocks)
    except SlackApiError as exc:
        log.info("could not update the debrief prompt: %s", exc.response.get("error"))


def _respond_url(url: str, *, text: str, blocks: list[dict]) -> None:
    """A private follow-up through a response_url (it works for 30 minutes)."""
    try:
        WebhookClient(url).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
    except Exception:  # expired or spent: the Home tab shows the change anyway
        log.info("response_url follow-up failed", exc_info=True)
