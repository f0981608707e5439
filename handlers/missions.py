"""`/mission`: draft a job mission with OKRs, post it to the council, take feedback.

Listeners only translate: Slack payload in, `bot.features.missions.service` call, Block Kit out.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.debriefs import service as debriefs_service
from bot.features.errors import NotAllowed
from bot.features.missions import service
from bot.features.missions.rules import (
    interview_questions,
    quality_notes,
    share_live_suggestion,
    validate,
)
from bot.features.missions.views import (
    ACTION_ADD_OBJECTIVE,
    ACTION_EDIT,
    ACTION_MARK_SHARED,
    ACTION_POST_AGAIN,
    ACTION_QUESTIONS,
    ACTION_VERSIONS,
    ACTION_WITHDRAW,
    BLOCK_COMPANY,
    CALLBACK_EDIT,
    CALLBACK_NEW,
    CALLBACK_WITHDRAW,
    channel_changed_message,
    draft_message,
    help_blocks,
    list_message,
    mission_modal,
    post_failed_message,
    quality_blocks,
    questions_message,
    read_form,
    share_live_message,
    versions_message,
    withdraw_modal,
    withdrawn_message,
    withdrawn_text,
)
from bot.platform.councils import council_of
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Reminder
from bot.services import Services
from bot.ui.blocks import channel_problem_text
from bot.ui.metadata import DraftRef, ModalMetadata
from handlers import kit
from handlers.common import (
    answered,
    council_channel_problem,
    council_for_command,
    dm,
    is_channel_member,
    message_reacted,
    open_then_check,
    tell,
    tell_in_channel,
)

log = logging.getLogger("council_bot.missions")

COMMAND = "/mission"
# The suggestion is still welcome a day late (the bot was down); after that, let it go.
SHARE_LIVE_GRACE = timedelta(days=1)


class NewDraftRef(ModalMetadata):
    """The new-draft modal: the channel the draft will be posted in (its council is looked
    up at submission: the modal opens before the channel is checked)."""

    channel: str


listeners = kit.Listeners()
commands = kit.Subcommands(
    command=COMMAND, help_title="How /mission works", help_blocks=help_blocks
)


def register(app: App, services: Services) -> None:
    """Every listener of the mission feature, and its reminder sender."""
    reminders = services.reminders
    if reminders is not None and service.SHARE_LIVE_KIND not in reminders.kinds:
        reminders.register(
            service.SHARE_LIVE_KIND,
            slack_sender(lambda r: _send_share_live(services, services.slack_for(r.team_id), r)),
            grace=SHARE_LIVE_GRACE,
        )
    if reminders is not None and service.RERENDER_KIND not in reminders.kinds:
        reminders.register(
            service.RERENDER_KIND,
            slack_sender(lambda r: _rerender(services, services.slack_for(r.team_id), r)),
            grace=RERENDER_GRACE,
        )
    listeners.register(app)


commands.register(listeners)


@commands.on("list")
def list_drafts(call: kit.CommandCall) -> None:
    drafts = service.list_drafts(call.services.engine, team_id=call.team_id, user_id=call.user_id)
    call.respond(
        text="Your job missions", blocks=list_message([service.summary(d) for d in drafts])
    )


@commands.bare
def new_draft(call: kit.CommandCall) -> None:
    _open_new_draft(call.services, call.client, call.command, call.respond)


@listeners.action(ACTION_MARK_SHARED)
def mark_shared(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    draft_id = kit.action_id_value(body)
    try:
        service.mark_shared(
            services.engine,
            draft_id=draft_id,
            team_id=team_id,
            user_id=user_id,
            now=services.clock(),
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    _render(services, client, draft_id=draft_id, team_id=team_id, bot_user=None, post=False)
    tell(
        client,
        body,
        respond,
        "Marked as shared with the hiring manager. Well done for having that conversation.",
    )
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_ADD_OBJECTIVE)
def add_objective(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    view = body["view"]
    client.views_update(
        view_id=view["id"],
        hash=view["hash"],
        view=mission_modal(
            callback_id=view["callback_id"],
            objective_slots=kit.action_id_value(body),
            initial=read_form(view["state"]["values"]),
            private_metadata=view["private_metadata"],
        ),
    )


@listeners.view(CALLBACK_NEW)
def submit_new(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    result = validate(read_form(view["state"]["values"]))
    if isinstance(result, dict):
        ack(response_action="errors", errors=result)
        return
    services, user_id, team_id = kit.caller(context)
    meta = NewDraftRef.decode(view["private_metadata"])
    council_id = _council(services, client, team_id=team_id, channel_id=meta.channel)
    if council_id is None:
        ack(response_action="errors", errors={BLOCK_COMPANY: NOT_A_COUNCIL})
        return
    # Keyed by the modal: submitting it again (an ack that reached Slack late) finds this
    # draft, and the post below happens once per draft.
    saved = service.submit_draft(
        services.engine,
        team_id=team_id,
        council_id=council_id,
        channel_id=meta.channel,
        author_id=user_id,
        mission=result,
        submission_key=view["id"],
    )
    ack()  # saved: the modal closes now; Slack's answers (and retries) come after
    # A draft this call made is posted from what the use case returned; one an earlier
    # submission of the modal made is read again under the render lock (it may be posted).
    if not _post_saved(
        services,
        client,
        draft_id=saved.snap.draft_id,
        team_id=team_id,
        user_id=user_id,
        fresh=saved.snap if saved.created else None,
    ):
        return
    notes = quality_notes(result)
    if notes:
        client.chat_postEphemeral(
            channel=meta.channel,
            user=user_id,
            text="A few gentle suggestions for your draft",
            blocks=quality_blocks(notes),
        )
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_POST_AGAIN)
def post_again(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    draft_id = kit.action_id_value(body)
    try:
        service.author_draft(services.engine, draft_id=draft_id, team_id=team_id, user_id=user_id)
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    if _post_saved(services, client, draft_id=draft_id, team_id=team_id, user_id=user_id):
        tell(client, body, respond, "Posted to your council channel.")
        kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


def _council(services: Services, client: WebClient, *, team_id: str, channel_id: str) -> int | None:
    """The council the modal was opened in. The check after opening registers it; a
    submission that outruns that check (a fast member, a slow Slack) makes it here."""
    council_id = council_of(services.engine, team_id=team_id, channel_id=channel_id)
    if council_id is not None:
        return council_id
    try:
        council_id, _problem = council_for_command(
            services, client, {"team_id": team_id, "channel_id": channel_id}
        )
    except SlackApiError as exc:
        log.info("channel %s not checked: %s", channel_id, exc.response.get("error"))
        return None
    return council_id


def _post_saved(
    services: Services,
    client: WebClient,
    *,
    draft_id: int,
    team_id: str,
    user_id: str,
    fresh: service.DraftSnapshot | None = None,
) -> bool:
    """Post a saved draft unless it is posted already; tell its author when Slack refuses,
    or when the channel is no longer fit for a council (made public, shared outside).
    `fresh`: the snapshot of a draft just made by this request (nobody else can have
    posted it), so it is not read again."""
    snap = fresh or service.snapshot(
        services.engine, draft_id=draft_id, team_id=team_id, bot_user=None
    )
    problem = (
        council_channel_problem(services, client, channel_id=snap.channel_id)
        if snap is not None
        else None
    )
    if problem is not None:
        log.warning("draft %s not posted: the channel is %s", draft_id, problem.value)
        text, blocks = channel_changed_message(
            draft_id=draft_id, reason=channel_problem_text(problem)
        )
        dm(client, user_id=user_id, text=text, blocks=blocks)
        return False
    try:
        _render(
            services,
            client,
            draft_id=draft_id,
            team_id=team_id,
            bot_user=None,
            post=False,
            fresh=fresh,
        )
    except SlackApiError as exc:
        reason = str(exc.response.get("error", "an error"))
        log.warning("draft %s not posted: %s", draft_id, reason)
        text, blocks = post_failed_message(draft_id=draft_id, reason=reason)
        if snap is not None:
            tell_in_channel(
                client, channel_id=snap.channel_id, user_id=user_id, text=text, blocks=blocks
            )
        return False
    return True


@listeners.action(ACTION_EDIT)
def edit(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    draft_id = kit.action_id_value(body)
    try:
        snap = service.author_draft(
            services.engine, draft_id=draft_id, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=mission_modal(
            callback_id=CALLBACK_EDIT,
            objective_slots=len(snap.mission.objectives),
            initial=snap.mission,
            private_metadata=DraftRef(draft=draft_id).encode(),
        ),
    )


@listeners.view(CALLBACK_EDIT)
def submit_edit(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    draft_id = DraftRef.decode(view["private_metadata"]).draft
    done, _ = kit.submit_form(
        ack,
        validate=lambda: validate(read_form(view["state"]["values"])),
        save=lambda mission: service.revise(
            services.engine,
            draft_id=draft_id,
            team_id=team_id,
            editor_id=user_id,
            mission=mission,
            now=services.clock(),
        ),
        error_block=BLOCK_COMPANY,
    )
    if not done:
        return
    _render(services, client, draft_id=draft_id, team_id=team_id, bot_user=None, post=False)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_WITHDRAW)
def withdraw(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Refuse anyone but the author at once; ask the author to confirm, saying what
    withdrawing does (a confirm dialog on the button would show everyone that first)."""
    ack()
    services, user_id, team_id = kit.caller(context)
    draft_id = kit.action_id_value(body)
    try:
        snap = service.author_draft(
            services.engine, draft_id=draft_id, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=withdraw_modal(
            draft_id=draft_id, company=snap.mission.company, role=snap.mission.role
        ),
    )


@listeners.view(CALLBACK_WITHDRAW)
def confirm_withdraw(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()  # the modal closes; what follows is said in the channel
    services, user_id, team_id = kit.caller(context)
    try:
        snap = service.withdraw(
            services.engine,
            draft_id=DraftRef.decode(view["private_metadata"]).draft,
            team_id=team_id,
            user_id=user_id,
            now=services.clock(),
        )
    except NotAllowed as exc:  # withdrawn meanwhile (another window)
        dm(client, user_id=user_id, text=str(exc))
        return
    if snap.message_ts:
        # The message stays, as a short note: its thread holds the council's feedback,
        # which is theirs as much as the author's. (Deleting it would take the thread.)
        text, blocks = withdrawn_message()
        with service.rendering(snap.draft_id):  # after any tally update still in flight
            client.chat_update(
                channel=snap.channel_id, ts=snap.message_ts, text=text, blocks=blocks
            )
    tell_in_channel(
        client, channel_id=snap.channel_id, user_id=user_id, text=WITHDRAWN_CONFIRMATION
    )
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_VERSIONS)
def earlier_versions(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    draft_id = kit.action_id_value(body)
    snap = service.snapshot(services.engine, draft_id=draft_id, team_id=team_id, bot_user=None)
    if snap is None or snap.status == "withdrawn":
        tell(client, body, respond, withdrawn_text())
        return
    if snap.author_id != user_id and not is_channel_member(
        client, channel_id=snap.channel_id, user_id=user_id
    ):
        # A button only shows where its draft is, but a signed request can name any id.
        tell(client, body, respond, withdrawn_text())
        return
    blocks = versions_message(
        company=snap.mission.company,
        role=snap.mission.role,
        versions=service.versions(services.engine, draft_id=draft_id, team_id=team_id),
        current=snap.version,
        author_id=None if snap.author_id == user_id else snap.author_id,
    )
    tell(client, body, respond, "Earlier versions", blocks=blocks)


@listeners.action(ACTION_QUESTIONS)
def questions(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    try:
        snap = service.author_draft(
            services.engine, draft_id=kit.action_id_value(body), team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    blocks = questions_message(interview_questions(snap.mission))
    tell(client, body, respond, "Questions for your next interview", blocks=blocks)


@listeners.event("reaction_added")
def reaction_added(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    _on_reaction(
        kit.services_of(context), client, event, body, bot_user=context.bot_user_id, added=True
    )


@listeners.event("reaction_removed")
def reaction_removed(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    _on_reaction(
        kit.services_of(context), client, event, body, bot_user=context.bot_user_id, added=False
    )


# A re-render still helps days later (the bot was down); the message shows current state.
RERENDER_GRACE = timedelta(days=7)


def _rerender(services: Services, client: WebClient, reminder: Reminder) -> None:
    """Render a draft's message again; a refusal propagates, so the engine retries it."""
    draft_id = int(reminder.data["draft"])
    with service.rendering(draft_id):  # as every render: the newest state wins on screen
        # Only a draft of the reminder's own workspace: its client is that workspace's.
        snap = service.snapshot(
            services.engine, draft_id=draft_id, team_id=reminder.team_id, bot_user=None
        )
        if snap is None or snap.status == "withdrawn" or not snap.message_ts:
            log.info("re-render %s is moot", reminder.id)
            return
        if council_channel_problem(services, client, channel_id=snap.channel_id) is not None:
            log.info("re-render %s held: the channel is not the council's any more", reminder.id)
            return
        text, blocks = _message_of(snap)
        client.chat_update(channel=snap.channel_id, ts=snap.message_ts, text=text, blocks=blocks)


def _send_share_live(services: Services, client: WebClient, reminder: Reminder) -> None:
    """DM the suggestion to walk the hiring manager through the draft live, once, and only
    when two interviews with that company have happened."""
    data = reminder.data
    happened = debriefs_service.interviews_logged(
        services.engine,
        team_id=reminder.team_id,
        user_id=reminder.user_id,
        search_id=int(data["search"]),
        before=services.clock(),
    )
    snap = service.share_live_target(
        services.engine, draft_id=int(data["draft"]), team_id=reminder.team_id
    )
    if snap is None or not share_live_suggestion(happened):
        log.info("share-live suggestion %s is moot", reminder.id)
        return
    permalink = None
    if snap.message_ts:
        permalink = client.chat_getPermalink(channel=snap.channel_id, message_ts=snap.message_ts)[
            "permalink"
        ]
    text, blocks = share_live_message(
        draft_id=snap.draft_id,
        company=snap.mission.company,
        role=snap.mission.role,
        permalink=permalink,
    )
    client.chat_postMessage(channel=reminder.user_id, text=text, blocks=blocks)
    service.note_share_suggested(
        services.engine, draft_id=snap.draft_id, team_id=reminder.team_id, now=services.clock()
    )
    # Now it applies, the draft's message carries the reminder to share it live too (a
    # courtesy: the suggestion itself is sent, so a failure here is only logged).
    try:
        _render(
            services,
            client,
            draft_id=snap.draft_id,
            team_id=reminder.team_id,
            bot_user=None,
            post=False,
        )
    except SlackApiError as exc:
        log.info("draft %s not re-rendered: %s", snap.draft_id, exc.response.get("error"))


def _open_new_draft(
    services: Services, client: WebClient, command: dict[str, Any], respond: Respond
) -> None:
    metadata = NewDraftRef(channel=command["channel_id"]).encode()
    open_then_check(
        services,
        client,
        command,
        respond,
        view=mission_modal(
            callback_id=CALLBACK_NEW, objective_slots=1, initial=None, private_metadata=metadata
        ),
        problem_title="Job mission",
    )


def _on_reaction(
    services: Services,
    client: WebClient,
    event: dict[str, Any],
    body: dict[str, Any],
    *,
    bot_user: str | None,
    added: bool,
) -> None:
    item = event.get("item") or {}
    if item.get("type") != "message":
        return
    team_id = str(body.get("team_id") or "")
    changed = service.record_reaction(
        services.engine,
        event_id=body.get("event_id"),
        team_id=team_id,
        channel_id=item["channel"],
        message_ts=item["ts"],
        user_id=event["user"],
        emoji=event["reaction"],
        added=added,
        event_ts=event.get("event_ts", "0"),
        bot_user=bot_user,
    )
    if changed is not None:
        _render(
            services,
            client,
            draft_id=changed.draft_id,
            team_id=team_id,
            bot_user=bot_user,
            post=False,
        )
        kit.refresh_home(services, client, team_id=team_id, user_id=changed.author_id)
        if added:  # a legend reaction answers a request for feedback, as writing does
            answered(services, client, draft_id=changed.draft_id, user_id=event["user"])
    elif added:  # not a draft's message: perhaps another subject a member was asked about
        message_reacted(
            services,
            client,
            team_id=team_id,
            channel_id=item["channel"],
            message_ts=item["ts"],
            user_id=event["user"],
        )


def _message_of(snap: service.DraftSnapshot) -> tuple[str, list[dict]]:
    """The draft's channel message as it should read now."""
    return draft_message(
        draft_id=snap.draft_id,
        author_id=snap.author_id,
        mission=snap.mission,
        version=snap.version,
        revised=snap.revised,
        tally=snap.tally,
        live_tip=snap.live_tip,
    )


def _render(
    services: Services,
    client: WebClient,
    *,
    draft_id: int,
    team_id: str | None = None,
    bot_user: str | None,
    post: bool,
    fresh: service.DraftSnapshot | None = None,
) -> None:
    """Post the draft's message, or update it in place with the current version and tally.

    `team_id` is the requesting workspace's: a draft of another one is not rendered. Only
    the kit's draft refresher (a member's erase, with ids the bot found itself) leaves it
    out, and the draft's own workspace is used then. `fresh`: see `_post_saved`."""
    if team_id is None:
        team_id = service.team_of_draft(services.engine, draft_id=draft_id)
        if team_id is None:
            return
    with service.rendering(draft_id):
        snap = fresh or service.snapshot(
            services.engine, draft_id=draft_id, team_id=team_id, bot_user=bot_user
        )
        if snap is None or snap.status == "withdrawn":
            return
        problem = council_channel_problem(services, client, channel_id=snap.channel_id)
        if problem is not None:  # made public or shared outside: say nothing more there
            log.warning("draft %s not rendered: the channel is %s", draft_id, problem.value)
            return
        text, blocks = _message_of(snap)
        if post or not snap.message_ts:
            response = client.chat_postMessage(channel=snap.channel_id, text=text, blocks=blocks)
            service.attach_message(
                services.engine, draft_id=draft_id, team_id=team_id, message_ts=response["ts"]
            )
        else:
            try:
                client.chat_update(
                    channel=snap.channel_id, ts=snap.message_ts, text=text, blocks=blocks
                )
            except SlackApiError as exc:
                # Slack refused past its retries: the tally (or the edit) would stay stale
                # on screen until the next reaction. Render it again through the engine.
                log.warning(
                    "draft %s not updated (%s): rendering again later",
                    draft_id,
                    exc.response.get("error"),
                )
                service.plan_rerender(
                    services.engine, draft_id=draft_id, team_id=team_id, now=services.clock()
                )


WITHDRAWN_CONFIRMATION = (
    "Your draft is withdrawn. Its message in the channel now says you withdrew it, and the "
    "thread under it, with your council's feedback, stays. The draft stays in "
    "`/mission list` for your own records."
)

NOT_A_COUNCIL = (
    "I can't find a council in that channel any more. Please close this, then type "
    "/mission in your council's private channel. (Copy your text first.)"
)
