"""Payload translation shared by every feature: the council-channel gate, member time zones."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.councils import ChannelFacts, ChannelProblem, channel_problem, register_council
from bot.members import member_tz
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
    )


def council_for_command(
    services: Services, client: WebClient, command: dict[str, Any]
) -> tuple[int | None, ChannelProblem | None]:
    """(council id, None) when the command came from a council channel, else (None, why)."""
    facts = channel_facts(
        client, channel_id=command["channel_id"], channel_name=command.get("channel_name", "")
    )
    problem = channel_problem(facts)
    if problem is not None:
        return None, problem
    council_id = register_council(
        services.engine,
        team_id=command["team_id"],
        channel_id=command["channel_id"],
        name=command.get("channel_name", ""),
    )
    return council_id, None


def tz_of(services: Services, client: WebClient, *, team_id: str, user_id: str) -> str:
    """The member's IANA zone (cached; users.info when unknown or stale)."""

    def fetch(user: str) -> str | None:
        try:
            return client.users_info(user=user)["user"].get("tz")
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user, exc.response.get("error"))
            return None

    return member_tz(
        services.engine, team_id=team_id, user_id=user_id, now=services.clock(), fetch=fetch
    )


def is_channel_member(client: WebClient, *, channel_id: str, user_id: str) -> bool:
    """Whether a user is in the channel (pages through conversations.members)."""
    cursor: str | None = None
    while True:
        page = client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
        if user_id in page["members"]:
            return True
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return False
