"""Payload translation shared by every feature: the council-channel gate, member time zones."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.platform.councils import ChannelFacts, ChannelProblem, channel_problem, register_council
from bot.platform.members import member_tz
from bot.services import Services

log = logging.getLogger("council_bot.handlers")

# Slack's answers that mean "this channel is not visible to the bot".
_INVISIBLE = {
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
    )


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
    council_id = register_council(
        services.engine,
        team_id=command["team_id"],
        channel_id=command["channel_id"],
        name=facts.name,
    )
    return council_id, None


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


def is_channel_member(client: WebClient, *, channel_id: str, user_id: str) -> bool:
    """Whether a user is in the channel."""
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
