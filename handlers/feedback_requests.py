""" "Request feedback by <deadline>": the author asks the council; nudges and a digest follow.

The nudge and digest are reminders (bot.reminders.engine): rows in the database, claimed before
they are sent, so they survive restarts and are never sent twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.errors import NotAllowed
from bot.features.feedback_requests import service
from bot.features.feedback_requests.rules import (
    DIGEST_KIND,
    NUDGE_KIND,
    DeadlineProblem,
    members_to_ask,
    parse_deadline,
)
from bot.features.feedback_requests.views import (
    BLOCK_DATE,
    BLOCK_MEMBERS,
    BLOCK_TIME,
    CALLBACK_REQUEST,
    confirmation,
    digest_message,
    nudge_answered_message,
    nudge_message,
    request_modal,
    thread_ask,
)
from bot.features.missions import service as missions_service
from bot.features.missions.views import ACTION_REQUEST
from bot.platform.timezones import format_local, local_now
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Reminder
from bot.services import Services
from bot.ui.metadata import DraftRef
from handlers import kit
from handlers.common import channel_members, fail_fast, on_answer, tell, tz_of

log = logging.getLogger("council_bot.feedback_requests")

# A nudge is still worth sending a while after its time (the bot was down), but only
# before the deadline, which the sender checks; a digest is worth it for days.
NUDGE_GRACE = timedelta(hours=12)
DIGEST_GRACE = timedelta(days=3)


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


@listeners.view(CALLBACK_REQUEST)
def submit_request(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    values = view["state"]["values"]
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    now = services.clock()
    deadline = parse_deadline(
        day=values.get(BLOCK_DATE, {}).get(BLOCK_DATE, {}).get("selected_date"),
        at=values.get(BLOCK_TIME, {}).get(BLOCK_TIME, {}).get("selected_time"),
        tz=tz,
        now=now,
    )
    if isinstance(deadline, DeadlineProblem):
        block = BLOCK_DATE if deadline.field == "date" else BLOCK_TIME
        ack(response_action="errors", errors={block: deadline.message})
        return
    draft_id = DraftRef.decode(view["private_metadata"]).draft
    try:
        snap = missions_service.author_draft(
            services.engine, draft_id=draft_id, team_id=team_id, user_id=user_id
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={BLOCK_DATE: str(exc)})
        return
    chosen = values.get(BLOCK_MEMBERS, {}).get(BLOCK_MEMBERS, {}).get("selected_users") or []
    asked, outsiders = members_to_ask(
        chosen=chosen,
        channel_members=channel_members(client, channel_id=snap.channel_id),
        author=user_id,
        bot_user=context.bot_user_id,
    )
    if not asked:
        ack(
            response_action="errors",
            errors={BLOCK_MEMBERS: "Pick at least one council member (other than you)."},
        )
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
            asked=asked,
            deadline_local=format_local(deadline, tz),
            nudges=planned.nudges,
            missed=outsiders,
        ),
    )
    for member in asked:
        kit.refresh_home(services, client, team_id=team_id, user_id=member)


def _send_nudge(services: Services, client: WebClient, reminder: Reminder) -> None:
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


def _send_digest(services: Services, client: WebClient, reminder: Reminder) -> None:
    request_id = int(reminder.data["request"])
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
