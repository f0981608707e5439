"""What makes a channel a council: private, with the bot in it."""

from __future__ import annotations

from bot.platform.councils import ChannelFacts, ChannelProblem, channel_problem


def test_a_private_channel_with_the_bot_is_a_council() -> None:
    assert channel_problem(ChannelFacts(is_private=True, bot_is_member=True)) is None


def test_a_channel_the_bot_cannot_see_needs_the_bot_invited() -> None:
    assert channel_problem(None) is ChannelProblem.BOT_NOT_IN_CHANNEL


def test_a_public_channel_is_refused_even_with_the_bot_in_it() -> None:
    facts = ChannelFacts(is_private=False, bot_is_member=True)
    assert channel_problem(facts) is ChannelProblem.PUBLIC


def test_a_public_channel_without_the_bot_asks_for_the_bot_first() -> None:
    assert channel_problem(ChannelFacts(bot_is_member=False)) is ChannelProblem.BOT_NOT_IN_CHANNEL


def test_direct_and_group_messages_are_not_councils() -> None:
    assert channel_problem(ChannelFacts(is_im=True)) is ChannelProblem.DIRECT_MESSAGE
    assert channel_problem(ChannelFacts(is_mpim=True)) is ChannelProblem.DIRECT_MESSAGE
