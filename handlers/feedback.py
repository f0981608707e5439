""" "Give feedback" on a job mission draft: the button, the modal, the post in the thread.

Listeners only translate: Slack payload in, `bot.features.feedback.service` call, Block Kit out.
The button sits on the draft's channel message and on the App Home tab (feedback owed).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.errors import NotAllowed
from bot.features.feedback import service
from bot.features.feedback.views import (
    BLOCK_STRONG,
    CALLBACK_FEEDBACK,
    FeedbackRef,
    channel_unreachable_text,
    feedback_message,
    feedback_modal,
    not_member_text,
    post_failed_text,
    post_held_text,
    posted_text,
    read_feedback_form,
    refusal_text,
)
from bot.features.missions.views import ACTION_FEEDBACK
from bot.platform.mrkdwn import escape
from bot.reminders.delivery import slack_sender
from bot.reminders.engine import Reminder
from bot.services import Services
from bot.ui.blocks import channel_problem_reason
from handlers import kit
from handlers.common import (
    INVISIBLE_CHANNEL_ERRORS,
    answered,
    council_channel_problem,
    dm,
    fail_fast,
    is_channel_member,
    tell,
    tell_in_channel,
)

log = logging.getLogger("council_bot.feedback")


listeners = kit.Listeners()


def register(app: App, services: Services) -> None:
    """Every listener of the written-feedback feature, and the sender of posts that failed."""
    reminders = services.reminders
    if reminders is not None and service.POST_KIND not in reminders.kinds:
        reminders.register(
            service.POST_KIND,
            slack_sender(lambda r: _post_later(services, services.slack_for(r.team_id), r)),
            grace=POST_GRACE,
        )
    listeners.register(app)


# Feedback not yet in its thread is still worth posting a week later (the bot was down).
POST_GRACE = timedelta(days=7)


class ChannelNotFit(RuntimeError):
    """The draft's channel is no longer private to its council: nothing is posted there."""


def _post_later(services: Services, client: WebClient, reminder: Reminder) -> None:
    """Post stored feedback whose first post failed (or never ran); a refusal propagates,
    so the engine retries it."""
    # Only feedback of the reminder's own workspace: its client is that workspace's.
    stored = service.unposted(
        services.engine, feedback_id=int(reminder.data["feedback"]), team_id=reminder.team_id
    )
    if stored is None or stored.thread_ts is None:
        log.info("feedback post %s is moot (posted, or no thread to post in)", reminder.id)
        return
    if council_channel_problem(services, client, channel_id=stored.channel_id) is not None:
        # Made public or shared outside since: held, and tried again with the engine's
        # backoff (about 40 minutes in all), in case it is private again by then.
        raise ChannelNotFit("the council channel is not private to the council now")
    text, blocks = feedback_message(
        giver_id=stored.giver_id, answers=stored.answers, version=stored.version
    )
    response = client.chat_postMessage(
        channel=stored.channel_id, thread_ts=stored.thread_ts, text=text, blocks=blocks
    )
    service.mark_posted(
        services.engine,
        feedback_id=stored.feedback_id,
        team_id=reminder.team_id,
        message_ts=response["ts"],
    )


@listeners.action(ACTION_FEEDBACK)
def give_feedback(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    draft_id = kit.action_id_value(body)
    # Another workspace's draft is not found: the ordinary "gone" answer, nothing checked.
    target = service.target(services.engine, draft_id=draft_id, team_id=team_id)
    if target is not None:
        try:
            # Checked before the modal shows the draft (a removed member must not see it),
            # so without 429 retries: the click's trigger_id lasts only 3 s.
            member = is_channel_member(
                fail_fast(client), channel_id=target.channel_id, user_id=user_id
            )
        except SlackApiError as exc:
            log.warning(
                "conversations.members failed for draft %s: %s",
                draft_id,
                exc.response.get("error"),
            )
            tell(client, body, respond, channel_unreachable_text())
            return
        if not member:
            # Not in the (private) channel: an ephemeral there would never reach them.
            dm(client, user_id=user_id, text=not_member_text())
            return
    reason = service.refusal(target, user_id=user_id)
    if reason is not None or target is None:
        tell(client, body, respond, refusal_text(reason or service.Refusal.GONE))
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=feedback_modal(
            draft_id=target.draft_id,
            author_id=target.author_id,
            company=target.company,
            role=target.role,
            version=target.version,
            origin=(body.get("channel") or {}).get("id"),  # None from the Home tab
        ),
    )


@listeners.view(CALLBACK_FEEDBACK)
def submit_feedback(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, user_id, team_id = kit.caller(context)
    form = read_feedback_form(view["state"]["values"])
    meta = FeedbackRef.decode(view["private_metadata"])
    done, stored = kit.submit_form(
        ack,
        validate=lambda: service.validate_answers(form.answers),
        save=lambda answers: service.record(
            services.engine,
            draft_id=_member_of_its_council(services, client, meta.draft, team_id, user_id),
            team_id=team_id,
            user_id=user_id,
            answers=answers,
            anonymous=form.anonymous,
            now=services.clock(),
        ),
        error_block=BLOCK_STRONG,
        # e.g. withdrawn while the modal was open: keep the member's text on screen.
        refused=(service.FeedbackRefused,),
    )
    if not done or stored is None:
        return
    posted_ts = _post(services, client, stored, team_id=team_id, user_id=user_id)
    if posted_ts is not None:
        _thank(client, stored, user_id=user_id, origin=meta.origin, posted_ts=posted_ts)
    answered(services, client, draft_id=stored.draft_id, user_id=user_id)
    kit.refresh_home(services, client, team_id=team_id, user_id=stored.author_id)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


def _member_of_its_council(
    services: Services, client: WebClient, draft_id: int, team_id: str, user_id: str
) -> int:
    """The draft id, once the writer is (still) in the draft's council channel: a modal
    opened before they left, or a forged draft id, is refused with the text kept (another
    workspace's draft is not found here, and the use case answers it as gone)."""
    target = service.target(services.engine, draft_id=draft_id, team_id=team_id)
    if target is None:
        return draft_id  # gone: the use case says so
    try:
        member = is_channel_member(fail_fast(client), channel_id=target.channel_id, user_id=user_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("membership not checked for draft %s: %s", draft_id, error)
        if error in INVISIBLE_CHANNEL_ERRORS:
            return draft_id  # the bot was removed: saved, and the member told it can't post
        raise NotAllowed(channel_unreachable_text()) from None
    if not member:
        raise NotAllowed(not_member_text())
    return draft_id


def _thank(
    client: WebClient,
    stored: service.StoredFeedback,
    *,
    user_id: str,
    origin: str | None,
    posted_ts: str,
) -> None:
    """Say privately that the feedback is posted, where the button was pressed: in the
    council channel, or else (a DM nudge, the Home tab) in the DM."""
    try:
        permalink = client.chat_getPermalink(channel=stored.channel_id, message_ts=posted_ts)
        link: str | None = str(permalink["permalink"])
    except SlackApiError:
        link = None
    text = posted_text(anonymous=stored.anonymous, permalink=link)
    if origin == stored.channel_id:
        tell_in_channel(client, channel_id=stored.channel_id, user_id=user_id, text=text)
    else:
        dm(client, user_id=user_id, text=text)


def _post(
    services: Services,
    client: WebClient,
    stored: service.StoredFeedback,
    *,
    team_id: str,
    user_id: str,
) -> str | None:
    """Post the stored feedback in the draft's thread (its ts); on failure it stays stored
    and the member is told privately (None)."""
    text, blocks = feedback_message(
        giver_id=stored.giver_id, answers=stored.answers, version=stored.version
    )
    if stored.thread_ts is None:
        log.warning("draft %s has no channel message to thread under", stored.draft_id)
        tell_in_channel(
            client, channel_id=stored.channel_id, user_id=user_id, text=post_failed_text()
        )
        return None
    problem = council_channel_problem(services, client, channel_id=stored.channel_id)
    if problem is not None:  # made public or shared outside since the modal opened
        log.warning("feedback %s held: the channel is %s", stored.feedback_id, problem.value)
        dm(client, user_id=user_id, text=post_held_text(channel_problem_reason(problem)))
        return None
    try:
        response = client.chat_postMessage(
            channel=stored.channel_id, thread_ts=stored.thread_ts, text=text, blocks=blocks
        )
    except SlackApiError as exc:
        reason = str(exc.response.get("error") or "an error")
        log.warning("posting feedback %s failed: %s", stored.feedback_id, reason)
        tell_in_channel(
            client,
            channel_id=stored.channel_id,
            user_id=user_id,
            text=post_failed_text(escape(reason)),
        )
        return None
    service.mark_posted(
        services.engine, feedback_id=stored.feedback_id, team_id=team_id, message_ts=response["ts"]
    )
    return str(response["ts"])
