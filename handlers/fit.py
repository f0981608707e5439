"""`/fit`: the Two-Pager and the Candidate-Market Fit statement.

Listeners only translate: Slack payload in, one `bot.features.fit.service` call, Block Kit
out. `/fit` answers privately wherever it is typed; posting goes only to the channel the
private view was shown in, checked right before (handlers.common.post_share: private, not
shared outside, the member in it), so a DM or a public channel gets a private "why not".
A suggestion reaches its Two-Pager's author privately (a DM with Accept / Decline); only
an accepted one changes the posted message. The council signs a statement off with one
legend reaction: its reaction listeners are matched only for that emoji on a posted
statement, ahead of the missions feature's (Bolt runs the first matching listener only).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.features.errors import NotAllowed
from bot.features.fit import service
from bot.features.fit.rules import (
    FIELD_SENTENCE,
    FIELD_SUGGEST_ITEM,
    FIELD_WANTS,
    SIGNOFF_EMOJI,
    SignOff,
    Statement,
    TwoPager,
    count_signoff,
    validate_statement,
    validate_suggestion,
    validate_two_pager,
)
from bot.features.fit.views import (
    ACTION_ACCEPT,
    ACTION_DECLINE,
    ACTION_EDIT_STATEMENT,
    ACTION_EDIT_TWO_PAGER,
    ACTION_POST_STATEMENT,
    ACTION_POST_TWO_PAGER,
    ACTION_SUGGEST,
    CALLBACK_STATEMENT,
    CALLBACK_SUGGEST,
    CALLBACK_TWO_PAGER,
    NEW,
    answered_text,
    decided_dm,
    fit_message,
    help_blocks,
    history_blocks,
    notice_modal,
    posted_text,
    read_statement_form,
    read_suggest_form,
    read_two_pager_form,
    saved_text,
    statement_modal,
    statement_post,
    suggest_modal,
    suggested_text,
    suggestion_dm,
    two_pager_modal,
    two_pager_post,
)
from bot.platform.mrkdwn import escape
from bot.services import Services
from bot.ui.blocks import section
from bot.ui.metadata import ModalMetadata
from handlers import kit
from handlers.common import (
    channel_members,
    council_channel_problem,
    dm,
    is_channel_member,
    message_reacted,
    open_modal_first,
    post_share,
    tell,
)

log = logging.getLogger("council_bot.fit")

COMMAND = "/fit"
TWO_PAGER_WORDS = ("twopager", "two-pager", "wants")
CMF_WORDS = ("cmf", "statement")
HISTORY_WORDS = ("history", "versions")

NOT_A_MEMBER = "You're not in that council's channel, so you can't suggest on its Two-Pagers."


class FormRef(ModalMetadata):
    """A Two-Pager or statement form: where the private `/fit` view it came from can be
    refreshed once it is saved (`replace`: the view was the ephemeral one with the button)."""

    response_url: str | None = None
    replace: bool = False


class SuggestRef(ModalMetadata):
    """The suggestion form: the Two-Pager version it is about."""

    two_pager: int


listeners = kit.Listeners()
commands = kit.Subcommands(command=COMMAND, help_title="How /fit works", help_blocks=help_blocks)
commands.register(listeners)


def register(app: App, services: Services) -> None:
    """Every listener of `/fit`. Its reaction listeners take only the legend emoji on a
    posted statement, so they are registered before missions' (handlers/__init__.py)."""
    listeners.register(app)


# --- the command --------------------------------------------------------------------------------


@commands.bare
def show(call: kit.CommandCall) -> None:
    text, blocks = _fit(call.services, team_id=call.team_id, user_id=call.user_id)
    call.respond(text=text, blocks=blocks)


@commands.on(*TWO_PAGER_WORDS)
def two_pager_from_command(call: kit.CommandCall) -> None:
    now = service.current(call.services.engine, team_id=call.team_id, user_id=call.user_id)
    meta = FormRef(response_url=call.command.get("response_url")).encode()
    view = two_pager_modal(initial=now.two_pager, private_metadata=meta)
    open_modal_first(call.client, call.command, call.respond, view=view)


@commands.on(*CMF_WORDS)
def statement_from_command(call: kit.CommandCall) -> None:
    now = service.current(call.services.engine, team_id=call.team_id, user_id=call.user_id)
    meta = FormRef(response_url=call.command.get("response_url")).encode()
    view = statement_modal(initial=now.statement, private_metadata=meta)
    open_modal_first(call.client, call.command, call.respond, view=view)


@commands.on(*HISTORY_WORDS)
def history(call: kit.CommandCall) -> None:
    found = service.history(call.services.engine, team_id=call.team_id, user_id=call.user_id)
    call.respond(
        text="Your earlier versions", blocks=history_blocks(found.two_pagers, found.statements)
    )


# --- edit ---------------------------------------------------------------------------------------


def _form_ref(body: dict[str, Any]) -> str:
    """Saving refreshes the private view in place when the button was on it; from a
    posted message, it answers with a new private view instead."""
    ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
    return FormRef(response_url=body.get("response_url"), replace=ephemeral).encode()


@listeners.action(ACTION_EDIT_TWO_PAGER)
def edit_two_pager(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    value = kit.action_value(body)
    initial: TwoPager | None = None
    try:
        if value == NEW:
            initial = service.current(services.engine, team_id=team_id, user_id=user_id).two_pager
        else:
            initial = service.own_two_pager(
                services.engine, two_pager_id=int(value), team_id=team_id, user_id=user_id
            )
    except (ValueError, NotAllowed) as exc:
        tell(client, body, respond, escape(_reason(exc)))
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=two_pager_modal(initial=initial, private_metadata=_form_ref(body)),
    )


@listeners.action(ACTION_EDIT_STATEMENT)
def edit_statement(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    value = kit.action_value(body)
    initial: Statement | None = None
    try:
        if value == NEW:
            initial = service.current(services.engine, team_id=team_id, user_id=user_id).statement
        else:
            initial = service.own_statement(
                services.engine, statement_id=int(value), team_id=team_id, user_id=user_id
            )
    except (ValueError, NotAllowed) as exc:
        tell(client, body, respond, escape(_reason(exc)))
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=statement_modal(initial=initial, private_metadata=_form_ref(body)),
    )


@listeners.view(CALLBACK_TWO_PAGER)
def submit_two_pager(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    done, saved = kit.submit_form(
        ack,
        validate=lambda: validate_two_pager(*read_two_pager_form(view["state"]["values"])),
        save=lambda data: service.save_two_pager(
            services.engine, team_id=team_id, user_id=user_id, data=data, now=services.clock()
        ),
        error_block=FIELD_WANTS,
    )
    if done and saved is not None:
        note = saved_text("Two-Pager", saved.number)
        _after_save(services, client, view, team_id=team_id, user_id=user_id, note=note)


@listeners.view(CALLBACK_STATEMENT)
def submit_statement(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    done, saved = kit.submit_form(
        ack,
        validate=lambda: validate_statement(*read_statement_form(view["state"]["values"])),
        save=lambda data: service.save_statement(
            services.engine, team_id=team_id, user_id=user_id, data=data, now=services.clock()
        ),
        error_block=FIELD_SENTENCE,
    )
    if done and saved is not None:
        note = saved_text("Candidate-Market Fit statement", saved.number)
        _after_save(services, client, view, team_id=team_id, user_id=user_id, note=note)


def _after_save(
    services: Services,
    client: WebClient,
    view: dict[str, Any],
    *,
    team_id: str,
    user_id: str,
    note: str,
) -> None:
    """Saved: the private view again, with the note, where the form came from (or a DM)."""
    meta = FormRef.decode(view.get("private_metadata"))
    text, blocks = _fit(services, team_id=team_id, user_id=user_id)
    blocks = [section(note).to_dict(), *blocks]
    url = meta.response_url
    if not (url and _respond_url(url, text=text, blocks=blocks, replace=meta.replace)):
        dm(client, user_id=user_id, text=text, blocks=blocks)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


# --- post to the council ------------------------------------------------------------------------


def _channel_of(body: dict[str, Any]) -> str:
    return str(
        (body.get("channel") or {}).get("id")
        or (body.get("container") or {}).get("channel_id")
        or ""
    )


@listeners.action(ACTION_POST_TWO_PAGER)
def post_two_pager(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        two_pager = service.own_two_pager(
            services.engine,
            two_pager_id=kit.action_id_value(body),
            team_id=team_id,
            user_id=user_id,
        )
    except (ValueError, NotAllowed) as exc:
        tell(client, body, respond, escape(_reason(exc)))
        return
    text, blocks = two_pager_post(two_pager)
    posted = post_share(
        services,
        client,
        channel_id=_channel_of(body),
        user_id=user_id,
        text=text,
        blocks=blocks,
        what=f"two-pager {two_pager.id}",
    )
    if isinstance(posted, str):
        tell(client, body, respond, _not_posted(posted))
        return
    channel_id, ts = posted
    service.record_two_pager_post(
        services.engine,
        two_pager_id=two_pager.id,
        team_id=team_id,
        channel_id=channel_id,
        message_ts=ts,
    )
    tell(client, body, respond, posted_text("Two-Pager"))
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_POST_STATEMENT)
def post_statement(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        statement = service.own_statement(
            services.engine,
            statement_id=kit.action_id_value(body),
            team_id=team_id,
            user_id=user_id,
        )
    except (ValueError, NotAllowed) as exc:
        tell(client, body, respond, escape(_reason(exc)))
        return
    channel_id = _channel_of(body)
    # Nobody has reacted to a new message: the tally starts at 0 of the others.
    problem = council_channel_problem(services, client, channel_id=channel_id)
    signoff = SignOff(0, 0)
    if problem is None:
        members = channel_members(client, channel_id=channel_id)
        signoff = count_signoff(
            reactors=[], members=members, author_id=user_id, bot_user=context.bot_user_id
        )
    text, blocks = statement_post(dataclasses.replace(statement, signoff=signoff))
    posted = post_share(
        services,
        client,
        channel_id=channel_id,
        user_id=user_id,
        text=text,
        blocks=blocks,
        what=f"statement {statement.id}",
    )
    if isinstance(posted, str):
        tell(client, body, respond, _not_posted(posted))
        return
    channel_id, ts = posted
    service.record_statement_post(
        services.engine,
        statement_id=statement.id,
        team_id=team_id,
        channel_id=channel_id,
        message_ts=ts,
        signoff=signoff,
    )
    tell(client, body, respond, posted_text("Candidate-Market Fit statement"))
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


# --- suggestions --------------------------------------------------------------------------------


@listeners.action(ACTION_SUGGEST)
def suggest_open(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        two_pager = service.posted_two_pager(
            services.engine, two_pager_id=kit.action_id_value(body), team_id=team_id
        )
        if two_pager.user_id == user_id:
            raise NotAllowed(service.OWN_TWO_PAGER)
    except (ValueError, NotAllowed) as exc:
        tell(client, body, respond, _reason(exc))
        return
    # The modal first (its trigger lasts 3 s), then the membership check.
    shown = client.views_open(
        trigger_id=body["trigger_id"],
        view=suggest_modal(
            owner_id=two_pager.user_id,
            private_metadata=SuggestRef(two_pager=two_pager.id).encode(),
        ),
    )["view"]
    if not _in_its_channel(client, two_pager, user_id):
        client.views_update(view_id=shown["id"], view=notice_modal(NOT_A_MEMBER))


@listeners.view(CALLBACK_SUGGEST)
def submit_suggestion(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = SuggestRef.decode(view.get("private_metadata"))

    def save(choice: tuple[str, str]) -> service.Suggestion:
        two_pager = service.posted_two_pager(
            services.engine, two_pager_id=meta.two_pager, team_id=team_id
        )
        if not _in_its_channel(client, two_pager, user_id):
            raise NotAllowed(NOT_A_MEMBER)
        return service.suggest(
            services.engine,
            two_pager_id=meta.two_pager,
            team_id=team_id,
            user_id=user_id,
            list_key=choice[0],
            item=choice[1],
            now=services.clock(),
        )

    done, suggestion = kit.submit_form(
        ack,
        validate=lambda: validate_suggestion(*read_suggest_form(view["state"]["values"])),
        save=save,
        error_block=FIELD_SUGGEST_ITEM,
    )
    if not done or suggestion is None:
        return
    text, blocks = suggestion_dm(suggestion)
    try:
        sent = client.chat_postMessage(channel=suggestion.owner_id, text=text, blocks=blocks)
        service.record_suggestion_dm(
            services.engine,
            suggestion_id=suggestion.id,
            team_id=team_id,
            channel_id=str(sent["channel"]),
            message_ts=str(sent["ts"]),
        )
    except SlackApiError as exc:
        log.warning("suggestion %s not sent: %s", suggestion.id, exc.response.get("error"))
    dm(client, user_id=user_id, text=suggested_text(suggestion.owner_id))
    kit.refresh_home(services, client, team_id=team_id, user_id=suggestion.owner_id)


@listeners.action(ACTION_ACCEPT)
def accept(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    _decide(body, client, respond, context, accept=True)


@listeners.action(ACTION_DECLINE)
def decline(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    _decide(body, client, respond, context, accept=False)


def _decide(
    body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext, *, accept: bool
) -> None:
    services, user_id, team_id = kit.caller(context)
    try:
        decision = service.decide(
            services.engine,
            suggestion_id=kit.action_id_value(body),
            team_id=team_id,
            user_id=user_id,
            accept=accept,
            now=services.clock(),
        )
    except (ValueError, NotAllowed) as exc:
        tell(client, body, respond, _reason(exc))
        return
    new = decision.two_pager
    text, blocks = decided_dm(decision.suggestion, version=new.number if new else None)
    channel, ts = _channel_of(body), str((body.get("message") or {}).get("ts") or "")
    if channel and ts:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    else:
        tell(client, body, respond, text, blocks=blocks)
    dm(client, user_id=decision.suggestion.user_id, text=answered_text(decision.suggestion))
    if new is not None and new.channel_id and new.message_ts:
        if council_channel_problem(services, client, channel_id=new.channel_id) is None:
            post_text, post_blocks = two_pager_post(new)
            client.chat_update(
                channel=new.channel_id, ts=new.message_ts, text=post_text, blocks=post_blocks
            )
        else:
            log.warning("two-pager %s not re-rendered: the channel is not a council's", new.id)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


# --- the council's sign-off ---------------------------------------------------------------------


def _on_posted_statement(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> bool:
    """Whether this reaction is the legend emoji on a posted statement of the workspace."""
    item = event.get("item") or {}
    if event.get("reaction") != SIGNOFF_EMOJI or item.get("type") != "message":
        return False
    return (
        service.statement_at(
            kit.services_of(context).engine,
            team_id=str(body.get("team_id") or ""),
            channel_id=str(item.get("channel") or ""),
            message_ts=str(item.get("ts") or ""),
        )
        is not None
    )


@listeners.event("reaction_added", matchers=[_on_posted_statement])
@listeners.event("reaction_removed", matchers=[_on_posted_statement])
def signoff_changed(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Count the sign-off again from Slack's own record of the reactions (so a retried or
    reordered event changes nothing), among the channel's members now, and re-render."""
    services = kit.services_of(context)
    team_id = str(body.get("team_id") or "")
    item = event.get("item") or {}
    statement = service.statement_at(
        services.engine,
        team_id=team_id,
        channel_id=str(item.get("channel") or ""),
        message_ts=str(item.get("ts") or ""),
    )
    if statement is None or not statement.channel_id or not statement.message_ts:
        return
    if event.get("type") == "reaction_added":  # a sign-off answers a review request too
        message_reacted(
            services,
            client,
            team_id=team_id,
            channel_id=statement.channel_id,
            message_ts=statement.message_ts,
            user_id=str(event.get("user") or ""),
        )
    with service.counting(statement.id):
        if council_channel_problem(services, client, channel_id=statement.channel_id):
            log.warning("statement %s: the channel is not a council's any more", statement.id)
            return
        message = client.reactions_get(channel=statement.channel_id, timestamp=statement.message_ts)
        reactors: list[str] = []
        for reaction in (message.get("message") or {}).get("reactions") or []:
            if reaction.get("name") == SIGNOFF_EMOJI:
                reactors = list(reaction.get("users") or [])
        signoff = count_signoff(
            reactors=reactors,
            members=channel_members(client, channel_id=statement.channel_id),
            author_id=statement.user_id,
            bot_user=context.bot_user_id,
        )
        updated = service.record_signoff(
            services.engine, statement_id=statement.id, team_id=team_id, signoff=signoff
        )
        if updated is None:
            return
        text, blocks = statement_post(updated)
        client.chat_update(
            channel=statement.channel_id, ts=statement.message_ts, text=text, blocks=blocks
        )
    kit.refresh_home(services, client, team_id=team_id, user_id=statement.user_id)


# --- helpers ------------------------------------------------------------------------------------


def _fit(services: Services, *, team_id: str, user_id: str) -> tuple[str, list[dict]]:
    now = service.current(services.engine, team_id=team_id, user_id=user_id)
    return fit_message(now.two_pager, now.statement, pending=now.pending)


def _reason(exc: Exception) -> str:
    """A use case's refusal (written for the member), or the gone answer for a bad id."""
    return str(exc) if isinstance(exc, NotAllowed) else service.GONE


def _not_posted(reason: str) -> str:
    return (
        f"Not posted: {reason} Type `/fit` in your council's private channel and post it "
        "from there."
    )


def _in_its_channel(client: WebClient, two_pager: TwoPager, user_id: str) -> bool:
    """A suggestion comes only from a member of the channel the Two-Pager was posted in."""
    if not two_pager.channel_id:
        return False
    try:
        return is_channel_member(client, channel_id=two_pager.channel_id, user_id=user_id)
    except SlackApiError:
        return False


def _respond_url(url: str, *, text: str, blocks: list[dict], replace: bool) -> bool:
    """The private view where the form came from (a response_url works for 30 minutes);
    False when it could not be sent."""
    try:
        answer = WebhookClient(url).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=replace
        )
    except Exception:
        log.info("response_url follow-up failed", exc_info=True)
        return False
    return answer.status_code == 200
