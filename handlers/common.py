"""Payload translation shared by every feature: the council-channel gate, member time zones."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.platform.councils import (
    ChannelFacts,
    ChannelProblem,
    channel_problem,
    known_councils,
    register_council,
)
from bot.platform.members import member_tz
from bot.services import Services
from bot.ui.blocks import (
    channel_problem_blocks,
    channel_problem_modal,
    channel_problem_reason,
    channel_problem_text,
    council_pointer_blocks,
    council_pointer_text,
    section,
)

H = TypeVar("H", bound=Callable[..., None])

log = logging.getLogger("council_bot.handlers")

# Slack's answers that mean "this channel is not visible to the bot".
INVISIBLE_CHANNEL_ERRORS = _INVISIBLE = {
    "channel_not_found",
    "not_in_channel",
    "missing_scope",
    "method_not_supported_for_channel_type",
}


def channel_facts(
    client: WebClient, *, channel_id: str, channel_name: str = ""
) -> ChannelFacts | None:
    """What Slack tells the bot about a channel; None when the bot cannot see it."""
    if channel_name == "directmessage" or channel_id.startswith("D"):
        return ChannelFacts(is_im=True)
    if channel_name == "mpdm" or channel_name.startswith("mpdm-"):
        return ChannelFacts(is_mpim=True)
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as exc:
        if exc.response.get("error") in _INVISIBLE:
            return None
        raise
    return ChannelFacts(
        is_im=bool(channel.get("is_im")),
        is_mpim=bool(channel.get("is_mpim")),
        is_private=bool(channel.get("is_private") or channel.get("is_group")),
        bot_is_member=bool(channel.get("is_member")),
        name=str(channel.get("name") or ""),
        is_ext_shared=bool(channel.get("is_ext_shared") or channel.get("is_pending_ext_shared")),
    )


# How long what conversations.info said about a council channel is trusted before a post.
CHANNEL_FACTS_TTL = 60.0
_FACTS = "council_channel_facts"


def council_channel_problem(
    services: Services, client: WebClient, *, channel_id: str
) -> ChannelProblem | None:
    """Why the bot must not post council content in this channel right now, or None.

    Checked before every post and update of a draft, not only when the council was first
    used: a channel made public or shared with another organisation since then must not
    receive a member's search. Slack's answer is cached briefly per channel.
    """
    cache: dict[str, tuple[float, ChannelFacts | None]] = services.extras.setdefault(_FACTS, {})
    now = time.monotonic()
    cached = cache.get(channel_id)
    # Only a fit channel is trusted for the minute: one found wanting is asked about again
    # at the next post, so a channel made private again (or the bot re-invited) works at once.
    if cached is None or now - cached[0] > CHANNEL_FACTS_TTL or channel_problem(cached[1]):
        cached = (now, channel_facts(client, channel_id=channel_id))
        cache[channel_id] = cached
    return channel_problem(cached[1])


def forget_channel_facts(services: Services, *, channel_id: str) -> None:
    """Ask Slack again before the next post (the channel changed: an event said so)."""
    services.extras.setdefault(_FACTS, {}).pop(channel_id, None)


def council_for_command(
    services: Services, client: WebClient, command: dict[str, Any]
) -> tuple[int | None, ChannelProblem | None]:
    """(council id, None) when the command came from a council channel, else (None, why)."""
    facts = channel_facts(
        client, channel_id=command["channel_id"], channel_name=command.get("channel_name", "")
    )
    problem = channel_problem(facts)
    if problem is not None or facts is None:  # no facts is always a problem
        return None, problem or ChannelProblem.BOT_NOT_IN_CHANNEL
    # Slack sends a command only from a channel its user is in, but a signed request can
    # name any channel: the council's content is for its members only.
    user_id = command.get("user_id")
    if user_id and not is_channel_member(client, channel_id=command["channel_id"], user_id=user_id):
        return None, ChannelProblem.MEMBER_NOT_IN_CHANNEL
    council_id = register_council(
        services.engine,
        team_id=command["team_id"],
        channel_id=command["channel_id"],
        name=facts.name,
    )
    return council_id, None


SLACK_BUSY = (
    "Slack is very busy right now and I couldn't open the form in time. "
    "Nothing was lost: please type the command again in a moment."
)
# Answers after which a trigger_id-bound call cannot succeed by waiting.
SLACK_BUSY_ERRORS = {"ratelimited", "expired_trigger_id"}


def fail_fast(client: WebClient) -> WebClient:
    """The same client without its 429 retries: for calls bound to a trigger_id (it expires
    3 s after the click), where sleeping out a Retry-After only fails later."""
    quick = copy.copy(client)
    quick.retry_handlers = [
        h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)
    ]
    return quick


def open_modal_first(
    client: WebClient, command: dict[str, Any], respond: Respond, *, view: dict[str, Any]
) -> dict[str, Any] | None:
    """Open `view` for the command, before any other Slack call (its trigger_id lasts 3
    seconds from the command): the view as Slack shows it, or None when Slack is too busy
    (the member is told; a 429's Retry-After would outlast the trigger)."""
    try:
        return dict(
            fail_fast(client).views_open(trigger_id=command["trigger_id"], view=view)["view"]
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in SLACK_BUSY_ERRORS:
            raise
        log.info("views.open for %s: %s", command.get("command"), exc.response.get("error"))
        respond(text=SLACK_BUSY)
        return None


def open_then_check(
    services: Services,
    client: WebClient,
    command: dict[str, Any],
    respond: Respond,
    *,
    view: dict[str, Any],
    problem_title: str,
    intro: str | None = None,
) -> int | None:
    """Open `view`, then check the command came from a council channel: its council id.

    The modal goes first because its trigger_id lasts 3 seconds from the command and the
    channel check is a Slack call of its own. When the channel is not a council, the modal
    becomes the explanation (also sent privately, to keep) and None is returned.
    """
    shown = open_modal_first(client, command, respond, view=view)
    if shown is None:
        return None
    return council_or_explain(
        services, client, command, respond, shown=shown, problem_title=problem_title, intro=intro
    )


def council_or_explain(
    services: Services,
    client: WebClient,
    command: dict[str, Any],
    respond: Respond,
    *,
    shown: dict[str, Any],
    problem_title: str,
    intro: str | None = None,
) -> int | None:
    """The command's council id; or, when its channel is not a council, None after the
    open modal `shown` became the explanation (also sent privately, to keep)."""
    council_id, problem = council_for_command(services, client, command)
    if problem is None and council_id is not None:
        return council_id
    problem = problem or ChannelProblem.BOT_NOT_IN_CHANNEL
    # A member who has a council already is pointed there, not told to create one.
    councils = member_councils(
        services,
        client,
        team_id=str(command.get("team_id") or ""),
        user_id=str(command.get("user_id") or ""),
        except_channel=str(command.get("channel_id") or ""),
    )
    name = str(command.get("command") or "")
    client.views_update(
        view_id=shown["id"],
        hash=shown.get("hash"),
        view=channel_problem_modal(problem, title=problem_title, councils=councils, command=name),
    )
    if councils:
        blocks = council_pointer_blocks(problem, councils=councils, command=name)
        text = council_pointer_text(problem, councils=councils, command=name)
    else:
        blocks = channel_problem_blocks(problem)
        text = channel_problem_text(problem)
    if intro:
        blocks = [section(intro).to_dict(), *blocks]
        text = f"{intro} {text}"
    respond(text=text, blocks=blocks)
    return None


# How many of the workspace's known councils are checked for a member (newest first).
MEMBER_COUNCILS_CHECKED = 10


def member_councils(
    services: Services, client: WebClient, *, team_id: str, user_id: str, except_channel: str
) -> list[str]:
    """The council channels the member shares with the bot now: the councils the bot knows
    (bot.platform.councils.known_councils), each still a private channel with the bot in
    it (conversations.info) and the member among its members (conversations.members), so
    no new scope is needed. A channel Slack will not describe is left out."""
    if not team_id or not user_id:
        return []
    found: list[str] = []
    for channel_id in known_councils(
        services.engine, team_id=team_id, limit=MEMBER_COUNCILS_CHECKED
    ):
        if channel_id == except_channel:
            continue
        try:
            if channel_problem(channel_facts(client, channel_id=channel_id)) is not None:
                continue
            if is_channel_member(client, channel_id=channel_id, user_id=user_id):
                found.append(channel_id)
        except SlackApiError as exc:
            log.info("council %s not checked: %s", channel_id, exc.response.get("error"))
    return found


def tz_of(services: Services, client: WebClient, *, team_id: str, user_id: str) -> str:
    """The member's IANA zone (cached; users.info when unknown or stale)."""

    def fetch(user: str) -> str | None:
        try:
            tz = client.users_info(user=user)["user"].get("tz")
            return tz if isinstance(tz, str) else None
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user, exc.response.get("error"))
            return None

    return member_tz(
        services.engine, team_id=team_id, user_id=user_id, now=services.clock(), fetch=fetch
    )


def channel_members(client: WebClient, *, channel_id: str) -> list[str]:
    """Everyone in the channel (pages through conversations.members)."""
    members: list[str] = []
    cursor: str | None = None
    while True:
        page = client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
        members.extend(page["members"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return members


# How long a council channel's member list is trusted before it is asked for again; the
# member_left_channel / member_joined_channel events drop it at once (handlers/privacy.py).
MEMBERS_TTL = timedelta(seconds=60)
_MEMBERS = "council_channel_members"


def council_members(
    services: Services, client: WebClient, *, channel_id: str
) -> frozenset[str] | None:
    """Who is in the council channel now (cached briefly); None when Slack will not say,
    which shows nothing of that council."""
    cache: dict[str, tuple[datetime, frozenset[str]]] = services.extras.setdefault(_MEMBERS, {})
    now = services.clock()
    cached = cache.get(channel_id)
    if cached is not None and now - cached[0] <= MEMBERS_TTL:
        return cached[1]
    try:
        members = frozenset(channel_members(client, channel_id=channel_id))
    except SlackApiError as exc:
        log.info("members of %s not read: %s", channel_id, exc.response.get("error"))
        cache.pop(channel_id, None)
        return None
    cache[channel_id] = (now, members)
    return members


def forget_council_members(services: Services, *, channel_id: str) -> None:
    """Ask Slack again next time (someone joined or left: an event said so)."""
    services.extras.setdefault(_MEMBERS, {}).pop(channel_id, None)


def is_channel_member(client: WebClient, *, channel_id: str, user_id: str) -> bool:
    """Whether a user is in the channel: the check before showing or taking a council's
    content for an id a request names (a signed request may carry any id)."""
    return user_id in channel_members(client, channel_id=channel_id)


def tell(
    client: WebClient,
    body: dict[str, Any],
    respond: Respond,
    text: str,
    *,
    blocks: list[dict] | None = None,
) -> None:
    """A private answer to a button click: ephemeral in the channel, or a DM from Home."""
    if body.get("response_url"):
        respond(text=text, blocks=blocks, replace_original=False, response_type="ephemeral")
        return
    dm(client, user_id=body["user"]["id"], text=text, blocks=blocks)


def dm(client: WebClient, *, user_id: str, text: str, blocks: list[dict] | None = None) -> None:
    """A DM from the bot; a failure is logged, never raised (it is a courtesy message)."""
    try:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("could not DM %s: %s", user_id, exc.response.get("error"))


def tell_in_channel(
    client: WebClient, *, channel_id: str, user_id: str, text: str, blocks: list[dict] | None = None
) -> None:
    """An ephemeral note in the channel, or a DM when the channel cannot take one."""
    try:
        client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.info("ephemeral to %s failed (%s); sending a DM", user_id, exc.response.get("error"))
        dm(client, user_id=user_id, text=text, blocks=blocks)


# --- hooks between features --------------------------------------------------------------------


class Hooks:
    """What one feature registers and another feature's events run, so neither imports the
    other's handlers. A failing hook is logged, never raised: what triggered it (an answer,
    a reaction) is saved and shown already."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._hooks: list[Callable[..., None]] = []

    def add(self, hook: H) -> H:
        if hook not in self._hooks:
            self._hooks.append(hook)
        return hook

    def run(self, *args: Any, **kwargs: Any) -> None:
        for hook in list(self._hooks):
            try:
                hook(*args, **kwargs)
            except Exception:
                log.exception("%s hook %s failed", self._what, hook.__name__)


# A member answered on a draft (a counted reaction, written feedback): hooks get (services,
# client, draft id, member id); feedback requests close the member's nudges.
_answer_hooks = Hooks("answer")
# A member reacted on a message the bot posted that is not a draft's (a shared plan, a posted
# Two-Pager or statement): hooks get (services, client) and team_id, channel_id,
# message_ts, user_id by name; review requests mark the member's ask answered.
_message_reaction_hooks = Hooks("reaction")


def on_answer(hook: H) -> H:
    """Register `hook` to run whenever a member answers on a draft."""
    return _answer_hooks.add(hook)


def answered(services: Services, client: WebClient, *, draft_id: int, user_id: str) -> None:
    """`user_id` answered on the draft: run every registered hook."""
    _answer_hooks.run(services, client, draft_id, user_id)


def on_message_reaction(hook: H) -> H:
    return _message_reaction_hooks.add(hook)


def message_reacted(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
) -> None:
    """A member reacted on a message that is not a draft's: run every registered hook."""
    _message_reaction_hooks.run(
        services,
        client,
        team_id=team_id,
        channel_id=channel_id,
        message_ts=message_ts,
        user_id=user_id,
    )


# --- a member's share into their council channel ---------------------------------------------

SHARE_NOT_A_MEMBER = (
    "You're not in that channel, so I won't post there. Please pick your own council."
)


def share_failed(reason: str) -> str:
    """Plain text: why a share modal came back (it keeps the member's choices)."""
    return (
        f"I couldn't post to that channel just now (Slack said: {reason}). Nothing was "
        "shared; please try again in a moment, or pick another council."
    )


def slack_reason(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when there is none (a 5xx)."""
    error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
    return str(error or f"HTTP {exc.response.status_code}")


def permalink_of(client: WebClient, channel: str, ts: str) -> str | None:
    """The message's permalink, or None when Slack will not give one (the post stands)."""
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError:
        return None
    return str(link or "") or None


def post_share(
    services: Services,
    client: WebClient,
    *,
    channel_id: str,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]],
    what: str,
) -> tuple[str, str] | str:
    """Post what a member chose to share into a council channel, checked again right before:
    the channel first (its answer is cached, and a public one needs no member list), still
    private and not shared outside, then the member still in it. (channel, ts) of the post,
    or the sentence saying why nothing was posted. `what` names it in log lines (ids only).
    """
    problem = council_channel_problem(services, client, channel_id=channel_id)
    if problem is not None:  # made public or shared outside since: the share stays out
        log.warning("%s held: the channel is %s", what, problem.value)
        return channel_problem_reason(problem)
    try:
        member = is_channel_member(client, channel_id=channel_id, user_id=user_id)
    except SlackApiError as exc:
        return share_failed(slack_reason(exc))
    if not member:
        return SHARE_NOT_A_MEMBER
    try:
        posted = client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        reason = slack_reason(exc)
        log.warning("%s not posted: %s", what, reason)
        return share_failed(reason)
    return str(posted.get("channel") or channel_id), str(posted["ts"])
