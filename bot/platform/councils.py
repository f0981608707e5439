"""What makes a channel a council, and registering councils as they are first used."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import Engine

from storage.councils import councils_of_team, get_council, upsert_council
from storage.db import session_scope
from storage.types import require_id


class ChannelProblem(Enum):
    """Why a command cannot run in the channel it was typed in."""

    DIRECT_MESSAGE = "dm"
    PUBLIC = "public"
    BOT_NOT_IN_CHANNEL = "not_in_channel"
    EXTERNALLY_SHARED = "ext_shared"
    MEMBER_NOT_IN_CHANNEL = "member_not_in_channel"


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    """What Slack says about the channel a command came from (None: not visible to the bot)."""

    is_im: bool = False
    is_mpim: bool = False
    is_private: bool = False
    bot_is_member: bool = False
    name: str = ""
    is_ext_shared: bool = False  # Slack Connect: people of another organisation are in it


def channel_problem(facts: ChannelFacts | None) -> ChannelProblem | None:
    """A council is a private channel the bot is in: job searches stay among the council.

    A public channel is refused even when the bot is there, because a slow seeker's search
    must never be visible to the rest of the workspace; a private channel shared with
    another organisation (Slack Connect) is refused too: its members are not the council's.
    """
    if facts is None:
        return ChannelProblem.BOT_NOT_IN_CHANNEL
    if facts.is_im or facts.is_mpim:
        return ChannelProblem.DIRECT_MESSAGE
    if not facts.bot_is_member:
        return ChannelProblem.BOT_NOT_IN_CHANNEL
    if not facts.is_private:
        return ChannelProblem.PUBLIC
    if facts.is_ext_shared:
        return ChannelProblem.EXTERNALLY_SHARED
    return None


def register_council(engine: Engine, *, team_id: str, channel_id: str, name: str) -> int:
    """The council's id, creating it on first use of the bot in that channel."""
    with session_scope(engine) as session:
        council = upsert_council(session, team_id=team_id, channel_id=channel_id, name=name)
        return require_id(council)


def council_of(engine: Engine, *, team_id: str, channel_id: str) -> int | None:
    """The id of the council in that channel, if the bot has registered one there."""
    with session_scope(engine) as session:
        council = get_council(session, team_id=team_id, channel_id=channel_id)
        return council.id if council is not None else None


def known_councils(engine: Engine, *, team_id: str, limit: int) -> list[str]:
    """The channel ids of the workspace's councils the bot knows, newest first (whether a
    member is in one, and whether it is still fit, is Slack's to say)."""
    with session_scope(engine) as session:
        return [c.channel_id for c in councils_of_team(session, team_id=team_id, limit=limit)]
