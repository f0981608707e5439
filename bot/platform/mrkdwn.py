"""Safe text for Slack's mrkdwn.

Members type company names, missions and feedback; none of it may become a mention,
a link or a broadcast. Slack only treats `<...>` sequences as special (`<!channel>`,
`<@U123>`, `<http://x|y>`), so escaping the three control characters is enough, provided
the bot never sends `link_names` or `parse=full` (it does not).
"""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Member-typed text, made inert for mrkdwn."""
    return text.translate(_ESCAPES)


def mention(user_id: str) -> str:
    """A deliberate mention of one user, built by the bot from an ID Slack gave it."""
    if not user_id.isalnum():
        raise ValueError(f"not a Slack user id: {user_id!r}")
    return f"<@{user_id}>"


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut text to `limit` characters for a Block Kit field, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis)] + ellipsis
