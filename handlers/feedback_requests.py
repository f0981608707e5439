""" "Request feedback by <deadline>": the author asks the council; nudges and a digest follow.

The nudge and digest are reminders (bot.reminders.engine): rows in the database, claimed before
they are sent, so they survive restarts and are never sent twice.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.errors import NotAllowed
from bot.features.feedback_requests import service
from bot.features.feedback_requests.rules import (
    ANONYMOUS_OPTION,
    DIGEST_KIND,
    FIELD_NOTE_ANONYMOUS,
    FIELD_NOTE_TEXT,
    NUDGE_KIND,
    DeadlineProblem,
    members_to_ask,
    parse_deadline,
    validate_note,
)
from bot.features.feedback_requests.views import (
    BLOCK_DATE,
    BLOCK_MEMBERS,
    BLOCK_TIME,
    CALLBACK_NOTE,
    CALLBACK_REQUEST,
    CALLBACK_REVIEW,
    confirmation,
    digest_message,
    note_modal,
    note_post,
    note_saved_text,
    nudge_answered_message,
    nudge_message,
    request_modal,
    review_digest,
    review_modal,
    review_nudge,
    review_thread_ask,
    thread_ask,
)
from bot.features.missions import service as missions_service
from bot.features.missions.views import ACTION_REQUEST
from bot.features.reviewable import NOT_REVIEWABLE, SUBJECT_DRAFT, parse_subject
from bot.platform.timezones import format_local, local_now
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Reminder
from bot.services import Services
from bot.ui.blocks import channel_problem_reason, notice_modal, state_selected, state_value
from bot.ui.metadata import DraftRef, ModalMetadata
from bot.ui.review import ACTION_NOTE, ACTION_REVIEW
from handlers import kit
from handlers.common import (
    channel_members,
    council_channel_problem,
    fail_fast,
    is_channel_member,
    on_answer,
    on_message_reaction,
    tell,
    tz_of,
)

log = logging.getLogger("council_bot.feedback_requests")

# A nudge is still worth sending a while after its time (the bot was down), but only
# before the deadline, which the sender checks; a digest is worth it for days.
NUDGE_GRACE = timedelta(hours=12)
DIGEST_GRACE = timedelta(days=3)
# A note not yet in its thread is still worth posting a week later (the bot was down).
NOTE_POST_GRACE = timedelta(days=7)


listeners = kit.Listeners()


def register(app: App, services: Services) -> None:
    if services.reminders is not None:
        services.reminders.register(
            NUDGE_KIND,
            slack_sender(lambda r: _send_nudge(services, services.slack_for(r.team_id), r)),
            grace=NUDGE_GRACE,
        )
        services.reminders.register(
            DIGEST_KIND,
            slack_sender(lambda r: _send_digest(services, services.slack_for(r.team_id), r)),
            grace=DIGEST_GRACE,
        )
        services.reminders.register(
            service.NOTE_POST_KIND,
            slack_sender(lambda r: _post_note_later(services, services.slack_for(r.team_id), r)),
            grace=NOTE_POST_GRACE,
        )
    listeners.register(app)


@listeners.action(ACTION_REQUEST)
def open_request(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    draft_id = kit.action_id_value(body)
    try:
        snap = missions_service.author_draft(
            services.engine, draft_id=draft_id, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return
    # Before the modal (it shows times in the member's zone), so without 429 retries: the
    # click's trigger_id lasts only 3 s, and a zone Slack won't give now falls back to UTC.
    tz = tz_of(services, fail_fast(client), team_id=team_id, user_id=user_id)
    tomorrow = local_now(tz, services.clock()) + timedelta(days=1)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=request_modal(
            draft_id=draft_id,
            company=snap.mission.company,
            role=snap.mission.role,
            initial_date=tomorrow.date().isoformat(),
            initial_time="18:00",
            tz=tz,
        ),
    )


class SubjectRef(ModalMetadata):
    """The review-request and feedback modals: what they are about (checked again on
    submit)."""

    kind: str
    subject: int


def _clicked(
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    *,
    check: Callable[..., service.Subject],
    team_id: str,
    user_id: str,
) -> service.Subject | None:
    """The subject a button names, through `check`; None once its NotAllowed was told to
    the member privately."""
    parsed = parse_subject(kit.action_value(body))
    try:
        if parsed is None:
            raise NotAllowed(NOT_REVIEWABLE)
        return check(kind=parsed[0], subject_id=parsed[1], team_id=team_id, user_id=user_id)
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return None


@listeners.action(ACTION_REVIEW)
def open_review(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """ "Request feedback by…" on a posted negotiation plan, Two-Pager or statement."""
    ack()
    services, user_id, team_id = kit.caller(context)
    subject = _clicked(
        body,
        client,
        respond,
        check=functools.partial(service.own_subject, services.engine),
        team_id=team_id,
        user_id=user_id,
    )
    if subject is None:
        return
    tz = tz_of(services, fail_fast(client), team_id=team_id, user_id=user_id)
    tomorrow = local_now(tz, services.clock()) + timedelta(days=1)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=review_modal(
            kind=subject.kind,
            private_metadata=SubjectRef(kind=subject.kind, subject=subject.subject_id).encode(),
            initial_date=tomorrow.date().isoformat(),
            initial_time="18:00",
            tz=tz,
        ),
    )


@listeners.view(CALLBACK_REVIEW)
def submit_review(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    values = view["state"]["values"]
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    now = services.clock()
    deadline = _deadline(values, tz=tz, now=now)
    if isinstance(deadline, dict):
        ack(response_action="errors", errors=deadline)
        return
    meta = SubjectRef.decode(view["private_metadata"])
    try:
        subject = service.own_subject(
            services.engine,
            kind=meta.kind,
            subject_id=meta.subject,
            team_id=team_id,
            user_id=user_id,
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={BLOCK_DATE: str(exc)})
        return
    asked, outsiders = _asked(
        values, client, channel_id=subject.channel_id, user_id=user_id, context=context
    )
    if not asked:
        ack(response_action="errors", errors={BLOCK_MEMBERS: PICK_SOMEONE})
        return
    ack()
    zones = {u: tz_of(services, client, team_id=team_id, user_id=u) for u in asked}
    try:
        planned = service.create_review(
            services.engine,
            team_id=team_id,
            kind=subject.kind,
            subject_id=subject.subject_id,
            author_id=user_id,
            deadline=deadline,
            asked=asked,
            zones=zones,
            now=now,
        )
    except NotAllowed as exc:  # withdrawn between the form's check and now
        client.chat_postEphemeral(channel=subject.channel_id, user=user_id, text=str(exc))
        return
    text, blocks = review_thread_ask(
        kind=subject.kind,
        author_id=user_id,
        asked=asked,
        deadline=deadline,
        fallback=format_local(deadline, tz),
    )
    _announce(
        services,
        client,
        planned,
        team_id=team_id,
        user_id=user_id,
        tz=tz,
        deadline=deadline,
        outsiders=outsiders,
        text=text,
        blocks=blocks,
    )


PICK_SOMEONE = "Pick at least one council member (other than you)."


NOT_IN_COUNCIL = "Only members of this council channel can give feedback here."


@listeners.action(ACTION_NOTE)
def open_note(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """ "Give feedback" on a posted plan, Two-Pager or statement: any channel member but the
    author. The modal first (its trigger lasts 3 s), then the membership check."""
    ack()
    services, user_id, team_id = kit.caller(context)
    subject = _clicked(
        body,
        client,
        respond,
        check=functools.partial(service.commentable, services.engine),
        team_id=team_id,
        user_id=user_id,
    )
    if subject is None:
        return
    meta = SubjectRef(kind=subject.kind, subject=subject.subject_id).encode()
    shown = client.views_open(
        trigger_id=body["trigger_id"], view=note_modal(kind=subject.kind, private_metadata=meta)
    )["view"]
    if not is_channel_member(client, channel_id=subject.channel_id, user_id=user_id):
        client.views_update(
            view_id=shown["id"], view=notice_modal(NOT_IN_COUNCIL, title="Give feedback")
        )


@listeners.view(CALLBACK_NOTE)
def submit_note(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    values = view["state"]["values"]
    text = validate_note(state_value(values, FIELD_NOTE_TEXT))
    if isinstance(text, dict):
        ack(response_action="errors", errors=text)
        return
    anonymous = ANONYMOUS_OPTION in state_selected(values, FIELD_NOTE_ANONYMOUS)
    meta = SubjectRef.decode(view["private_metadata"])
    try:
        subject = service.commentable(
            services.engine,
            kind=meta.kind,
            subject_id=meta.subject,
            team_id=team_id,
            user_id=user_id,
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={FIELD_NOTE_TEXT: str(exc)})
        return
    # Slack's word now, before anything is stored (the modal waits on it, so a 429 is
    # answered, never slept out): the writer is in the channel, and it is still private to
    # the council (a note, maybe unsigned, must not land in a channel made public).
    quick = fail_fast(client)
    try:
        member = is_channel_member(quick, channel_id=subject.channel_id, user_id=user_id)
        problem = council_channel_problem(services, quick, channel_id=subject.channel_id)
    except SlackApiError as exc:
        log.warning("note on %s not taken: %s", subject.kind, exc.response.get("error"))
        ack(response_action="errors", errors={FIELD_NOTE_TEXT: CHANNEL_UNREACHABLE})
        return
    if not member:
        ack(response_action="errors", errors={FIELD_NOTE_TEXT: NOT_IN_COUNCIL})
        return
    if problem is not None:
        ack(response_action="errors", errors={FIELD_NOTE_TEXT: channel_problem_reason(problem)})
        return
    try:
        note_id, subject = service.write_note(
            services.engine,
            team_id=team_id,
            kind=meta.kind,
            subject_id=meta.subject,
            user_id=user_id,
            text=text,
            anonymous=anonymous,
            now=services.clock(),
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={FIELD_NOTE_TEXT: str(exc)})
        return
    ack()
    # Stored with the intent to post it (a reminder): if this post fails, or the process
    # dies before it, the reminder engine posts it and retries until Slack takes it.
    posted = False
    try:
        _post_note(services, client, note_id=note_id, team_id=team_id)
        posted = True
    except SlackApiError as exc:
        log.warning("note %s not posted yet: %s", note_id, exc.response.get("error"))
    client.chat_postEphemeral(
        channel=subject.channel_id, user=user_id, text=note_saved_text(posted=posted)
    )
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


CHANNEL_UNREACHABLE = (
    "I can't reach this council's channel right now, so I can't take your feedback yet. "
    "Please try again in a little while."
)


class ChannelNotFit(RuntimeError):
    """The channel is no longer private to its council: the note is held, not posted."""


def _post_note(services: Services, client: WebClient, *, note_id: int, team_id: str) -> None:
    """Post a stored note in its subject's thread unless it is there already (a refusal
    propagates: the reminder engine tries again)."""
    note = service.unposted_note(services.engine, note_id=note_id, team_id=team_id)
    if note is None:
        return
    if council_channel_problem(services, client, channel_id=note.channel_id) is not None:
        raise ChannelNotFit("the council channel is not private to the council now")
    text, blocks = note_post(writer=note.writer, text=note.text)
    answer = client.chat_postMessage(
        channel=note.channel_id, thread_ts=note.thread_ts, text=text, blocks=blocks
    )
    service.note_posted(
        services.engine, note_id=note_id, team_id=team_id, message_ts=str(answer["ts"])
    )


def _post_note_later(services: Services, client: WebClient, reminder: Reminder) -> None:
    _post_note(services, client, note_id=int(reminder.data["note"]), team_id=reminder.team_id)


def _deadline(values: dict[str, Any], *, tz: str, now: datetime) -> datetime | dict[str, str]:
    """The form's deadline, or its inline error."""
    deadline = parse_deadline(
        day=values.get(BLOCK_DATE, {}).get(BLOCK_DATE, {}).get("selected_date"),
        at=values.get(BLOCK_TIME, {}).get(BLOCK_TIME, {}).get("selected_time"),
        tz=tz,
        now=now,
    )
    if isinstance(deadline, DeadlineProblem):
        return {BLOCK_DATE if deadline.field == "date" else BLOCK_TIME: deadline.message}
    return deadline


def _asked(
    values: dict[str, Any],
    client: WebClient,
    *,
    channel_id: str,
    user_id: str,
    context: BoltContext,
) -> tuple[list[str], list[str]]:
    chosen = values.get(BLOCK_MEMBERS, {}).get(BLOCK_MEMBERS, {}).get("selected_users") or []
    return members_to_ask(
        chosen=chosen,
        channel_members=channel_members(client, channel_id=channel_id),
        author=user_id,
        bot_user=context.bot_user_id,
    )


def _announce(
    services: Services,
    client: WebClient,
    planned: service.Planned,
    *,
    team_id: str,
    user_id: str,
    tz: str,
    deadline: datetime,
    outsiders: list[str],
    text: str,
    blocks: list[dict],
) -> None:
    """The thread message naming who is asked, the author's private confirmation, and the
    asked members' Homes."""
    posted = client.chat_postMessage(
        channel=planned.channel_id, thread_ts=planned.message_ts, text=text, blocks=blocks
    )
    service.attach_thread(
        services.engine, request_id=planned.request_id, team_id=team_id, thread_ts=posted["ts"]
    )
    client.chat_postEphemeral(
        channel=planned.channel_id,
        user=user_id,
        text=confirmation(
            asked=planned.asked,
            deadline_local=format_local(deadline, tz),
            nudges=planned.nudges,
            missed=outsiders,
        ),
    )
    for member in planned.asked:
        kit.refresh_home(services, client, team_id=team_id, user_id=member)


@listeners.view(CALLBACK_REQUEST)
def submit_request(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    values = view["state"]["values"]
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    now = services.clock()
    deadline = _deadline(values, tz=tz, now=now)
    if isinstance(deadline, dict):
        ack(response_action="errors", errors=deadline)
        return
    draft_id = DraftRef.decode(view["private_metadata"]).draft
    try:
        snap = missions_service.author_draft(
            services.engine, draft_id=draft_id, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={BLOCK_DATE: str(exc)})
        return
    asked, outsiders = _asked(
        values, client, channel_id=snap.channel_id, user_id=user_id, context=context
    )
    if not asked:
        ack(response_action="errors", errors={BLOCK_MEMBERS: PICK_SOMEONE})
        return
    ack()
    zones = {u: tz_of(services, client, team_id=team_id, user_id=u) for u in asked}
    planned = service.create_request(
        services.engine,
        team_id=team_id,
        draft_id=draft_id,
        author_id=user_id,
        deadline=deadline,
        asked=asked,
        zones=zones,
        now=now,
    )
    text, blocks = thread_ask(
        author_id=user_id, asked=asked, deadline=deadline, fallback=format_local(deadline, tz)
    )
    _announce(
        services,
        client,
        planned,
        team_id=team_id,
        user_id=user_id,
        tz=tz,
        deadline=deadline,
        outsiders=outsiders,
        text=text,
        blocks=blocks,
    )


def _reacted(client: WebClient, *, channel_id: str, message_ts: str) -> dict[str, list[str]]:
    """Who reacted with what on a posted message, as Slack has it now."""
    message = (
        client.reactions_get(channel=channel_id, timestamp=message_ts, full=True).get("message")
        or {}
    )
    return {
        str(r.get("name")): [str(u) for u in r.get("users") or []]
        for r in message.get("reactions") or []
    }


def _send_review_nudge(services: Services, client: WebClient, reminder: Reminder) -> None:
    review = service.review_for(
        services.engine,
        request_id=int(reminder.data["request"]),
        team_id=reminder.team_id,
        now=services.clock(),
    )
    if review is None or not review.message_ts:
        log.info("nudge %s is moot (withdrawn or past)", reminder.id)
        return
    if reminder.user_id not in channel_members(client, channel_id=review.channel_id):
        log.info("nudge %s is moot (no longer in the council channel)", reminder.id)
        return
    answered = service.ask_answered(
        services.engine,
        request_id=review.request_id,
        team_id=reminder.team_id,
        user_id=reminder.user_id,
    )
    reacted = _reacted(client, channel_id=review.channel_id, message_ts=review.message_ts)
    if answered or any(reminder.user_id in users for users in reacted.values()):
        log.info("nudge %s is moot (responded)", reminder.id)
        return
    permalink = client.chat_getPermalink(channel=review.channel_id, message_ts=review.message_ts)[
        "permalink"
    ]
    tz = tz_of(services, client, team_id=reminder.team_id, user_id=reminder.user_id)
    text, blocks = review_nudge(
        review, permalink=permalink, fallback=format_local(review.deadline, tz)
    )
    client.chat_postMessage(channel=reminder.user_id, text=text, blocks=blocks)


def _send_review_digest(services: Services, client: WebClient, reminder: Reminder) -> None:
    request_id = int(reminder.data["request"])
    review = service.review_for(services.engine, request_id=request_id, team_id=reminder.team_id)
    if review is None or not review.message_ts:
        log.info("digest %s is moot (request gone, closed, or its subject withdrawn)", reminder.id)
        return
    asked = service.asked_of(services.engine, request_id=request_id, team_id=reminder.team_id)
    reacted = _reacted(client, channel_id=review.channel_id, message_ts=review.message_ts)
    notes = service.digest_notes(services.engine, request_id=request_id, team_id=reminder.team_id)
    text, blocks = review_digest(review, asked=asked, reactions=reacted, notes=notes)
    client.chat_postMessage(channel=reminder.user_id, text=text, blocks=blocks)
    service.close_request(services.engine, request_id=request_id, team_id=reminder.team_id)


def _send_nudge(services: Services, client: WebClient, reminder: Reminder) -> None:
    kind = service.kind_of(
        services.engine, request_id=int(reminder.data["request"]), team_id=reminder.team_id
    )
    if kind is not None and kind != SUBJECT_DRAFT:
        _send_review_nudge(services, client, reminder)
        return
    context = service.nudge_for(
        services.engine,
        request_id=int(reminder.data["request"]),
        team_id=reminder.team_id,
        user_id=reminder.user_id,
        now=services.clock(),
    )
    if context is None:
        log.info("nudge %s is moot (responded, withdrawn or past)", reminder.id)
        return
    # Asked members who left the council channel are taken off the request when Slack
    # says so (member_left_channel, handlers/privacy.py); Slack's word now covers an
    # event that never arrived.
    if reminder.user_id not in channel_members(client, channel_id=context.channel_id):
        log.info("nudge %s is moot (no longer in the council channel)", reminder.id)
        return
    permalink = None
    if context.message_ts:
        permalink = client.chat_getPermalink(
            channel=context.channel_id, message_ts=context.message_ts
        )["permalink"]
    tz = tz_of(services, client, team_id=reminder.team_id, user_id=reminder.user_id)
    text, blocks = nudge_message(
        context, permalink=permalink, fallback=format_local(context.deadline, tz)
    )
    posted = client.chat_postMessage(channel=reminder.user_id, text=text, blocks=blocks)
    # Remembered, so the nudge loses its buttons once they answer (close_nudges).
    service.nudge_sent(
        services.engine,
        request_id=context.request_id,
        team_id=reminder.team_id,
        user_id=reminder.user_id,
        channel_id=str(posted["channel"]),
        message_ts=str(posted["ts"]),
    )


@on_answer
def close_nudges(services: Services, client: WebClient, draft_id: int, user_id: str) -> None:
    """The member answered on the draft: each DM nudge of theirs about it that still shows
    its buttons becomes a thank-you without them (a failed update is only logged)."""
    for nudge in service.answered(services.engine, draft_id=draft_id, user_id=user_id):
        text, blocks = nudge_answered_message(nudge, permalink=None)
        try:
            client.chat_update(
                channel=nudge.channel_id, ts=nudge.message_ts, text=text, blocks=blocks
            )
        except SlackApiError as exc:
            log.info("nudge for draft %s not closed: %s", draft_id, exc.response.get("error"))


@on_message_reaction
def review_answered(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
) -> None:
    """A member reacted on a plan, Two-Pager or statement put up for review: their ask is
    answered, and their Home stops listing it."""
    if service.reacted_on(
        services.engine,
        team_id=team_id,
        channel_id=channel_id,
        message_ts=message_ts,
        user_id=user_id,
        now=services.clock(),
    ):
        kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


def _send_digest(services: Services, client: WebClient, reminder: Reminder) -> None:
    request_id = int(reminder.data["request"])
    kind = service.kind_of(services.engine, request_id=request_id, team_id=reminder.team_id)
    if kind is not None and kind != SUBJECT_DRAFT:
        _send_review_digest(services, client, reminder)
        return
    digest = service.digest_of(
        services.engine, request_id=request_id, team_id=reminder.team_id, bot_user=None
    )
    if digest is None:
        log.info("digest %s is moot (request gone or closed)", reminder.id)
        return
    text, blocks = digest_message(digest)
    client.chat_postMessage(channel=reminder.user_id, text=text, blocks=blocks)
    # Closed only once delivered: a failed post is retried by the engine with the request
    # still open. (Killed between the post and this line, the retry sends it again: a
    # second digest rather than none.)
    service.close_request(services.engine, request_id=request_id, team_id=reminder.team_id)
