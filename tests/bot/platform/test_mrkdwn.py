"""Member text made inert for mrkdwn: no mention, link or broadcast can survive escaping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.platform.mrkdwn import escape, mention, truncate


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here|here>", "&lt;!here|here&gt;"),
        ("<@U0LENA0002>", "&lt;@U0LENA0002&gt;"),
        ("<https://x.example|click>", "&lt;https://x.example|click&gt;"),
        ("R&D", "R&amp;D"),
        ("&lt;", "&amp;lt;"),  # already-escaped text stays as typed
    ],
)
def test_control_characters_are_escaped(typed: str, sent: str) -> None:
    assert escape(typed) == sent


@given(st.text())
def test_escaped_text_never_contains_angle_brackets(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped


def test_mention_only_accepts_slack_ids() -> None:
    assert mention("U0LENA0002") == "<@U0LENA0002>"
    with pytest.raises(ValueError):
        mention("U1> <!channel")


def test_truncate_marks_the_cut() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"
