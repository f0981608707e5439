"""Helpers shared by every feature's Block Kit views, and the setup and error messages.

Member-typed text always goes through `esc` before it lands in mrkdwn; plain_text cannot
mention anyone, but still has to fit Slack's length limits (`plain`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    BlockElement,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)

from bot.platform.councils import ChannelProblem
from bot.platform.mrkdwn import escape, mention, truncate

# Slack's documented limits, as the views use them.
MESSAGE_MAX_BLOCKS = 50
MODAL_MAX_BLOCKS = 100
HOME_MAX_BLOCKS = 100
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
MODAL_TITLE_MAX = 24
BUTTON_TEXT_MAX = 75
OPTION_TEXT_MAX = 75
PLACEHOLDER_MAX = 150
CONTEXT_TEXT_MAX = 2000  # kept well under what a context element renders comfortably

ELLIPSIS = "…"


def esc(text: str, limit: int | None = None) -> str:
    """Member text made inert for mrkdwn, cut (before escaping) so the result fits `limit`.

    Cutting after escaping could split an entity such as ``&amp;``; cutting the raw text
    keeps every entity whole.
    """
    escaped = escape(text)
    if limit is None or len(escaped) <= limit:
        return escaped
    budget = limit - len(ELLIPSIS)
    out: list[str] = []
    used = 0
    for char in text:
        piece = escape(char)
        if used + len(piece) > budget:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out).rstrip() + ELLIPSIS


def plain(text: str, limit: int) -> PlainTextObject:
    """A plain_text object cut to `limit` characters."""
    return PlainTextObject(text=truncate(text, limit), emoji=True)


def md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(text, SECTION_TEXT_MAX))


def section(
    text: str, *, block_id: str | None = None, accessory: BlockElement | None = None
) -> SectionBlock:
    """A mrkdwn section; `text` must already be escaped where it holds member text."""
    return SectionBlock(text=md(text), block_id=block_id, accessory=accessory)


def fit_lines(items: list[str], limit: int, *, prefix: str = "", sep: str = "\n") -> str:
    """Escape member-text lines and join them, each cut evenly if the whole would not fit.

    `prefix` (bot text, already safe) goes before each line.
    """
    lines = [prefix + esc(item) for item in items]
    joined = sep.join(lines)
    if len(joined) <= limit or not items:
        return joined
    overhead = len(sep) * (len(items) - 1) + len(prefix) * len(items)
    share = max(len(ELLIPSIS) + 1, (limit - overhead) // len(items))
    return sep.join(prefix + esc(item, share) for item in items)


def context(*texts: str) -> ContextBlock:
    """A context block of mrkdwn snippets (already escaped), at most 10."""
    return ContextBlock(
        elements=[MarkdownTextObject(text=truncate(t, CONTEXT_TEXT_MAX)) for t in texts[:10]]
    )


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=plain(text, HEADER_TEXT_MAX))


def button(
    text: str,
    action_id: str,
    value: str,
    *,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    """A button with bot-written text cut to Slack's 75 characters."""
    return ButtonElement(
        text=plain(text, BUTTON_TEXT_MAX),
        action_id=action_id,
        value=value,
        style=style,
        confirm=confirm,
    )


# Slack sends block_actions for link buttons too and wants them acknowledged;
# handlers/meta.py acks this one action id for every feature's link buttons.
ACTION_OPEN_LINK = "open_link"


def link_button(text: str, url: str) -> ButtonElement:
    """A button that opens a URL (e.g. a message permalink) in Slack's client."""
    return ButtonElement(text=plain(text, BUTTON_TEXT_MAX), action_id=ACTION_OPEN_LINK, url=url)


def app_dm_link(*, team_id: str, app_id: str) -> str:
    """Slack's deep link to the member's DM with this app (its Messages tab): what to link
    when a message's own permalink is not known."""
    return f"slack://app?team={team_id}&id={app_id}&tab=messages"


def dicts(blocks: Sequence[Block]) -> list[dict]:
    return [block.to_dict() for block in blocks]


MAX_MENTIONS_PER_LINE = 10


def mentions(user_ids: Sequence[str], *, limit: int = MAX_MENTIONS_PER_LINE) -> str:
    """Mentions of Slack user ids, at most `limit`, then "and N more"."""
    shown = [mention(u) for u in user_ids[:limit]]
    more = len(user_ids) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def listing(
    items: Sequence[tuple[str, BlockElement | None]],
    *,
    empty: str,
    limit: int,
    more: str = "",
) -> list[Block]:
    """One section per item (already-escaped text, optional accessory), `empty` when there
    are none, and "…and N more<more>." past `limit` (lists and Home sections)."""
    if not items:
        return [section(empty)]
    blocks: list[Block] = [section(text, accessory=accessory) for text, accessory in items[:limit]]
    if len(items) > limit:
        blocks.append(context(f"…and {len(items) - limit} more{more}."))
    return blocks


def text_input(
    block_id: str,
    label: str,
    *,
    max_length: int,
    initial: str = "",
    multiline: bool = False,
    placeholder: str | None = None,
    hint: str | None = None,
    optional: bool = False,
) -> InputBlock:
    """A plain-text input whose action_id is its block_id (so errors key on either)."""
    return InputBlock(
        block_id=block_id,
        label=plain(label, 2000),
        element=PlainTextInputElement(
            action_id=block_id,
            max_length=max_length,
            multiline=multiline or None,
            initial_value=initial[:max_length] or None,
            placeholder=plain(placeholder, PLACEHOLDER_MAX) if placeholder else None,
        ),
        hint=plain(hint, 2000) if hint else None,
        optional=optional or None,
    )


def option(value: str, text: str, description: str | None = None) -> Option:
    """A select/radio/checkbox option with Slack's 75-character texts."""
    return Option(
        value=value,
        text=plain(text, OPTION_TEXT_MAX),
        description=plain(description, OPTION_TEXT_MAX) if description else None,
    )


# --- modal metadata and state ----------------------------------------------------------------

PRIVATE_METADATA_MAX = 3000


def metadata(**values: Any) -> str:
    """A modal's private_metadata: compact JSON within Slack's 3000 characters."""
    text = json.dumps(values, separators=(",", ":"))
    if len(text) > PRIVATE_METADATA_MAX:
        raise ValueError("private_metadata is longer than Slack's 3000 characters")
    return text


def state_element(state_values: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    """The input element of one block in Slack's `view.state.values` ({} when missing).

    Inputs here use their block_id as action_id; any other single element is read too.
    """
    block = state_values.get(block_id)
    if not isinstance(block, Mapping):
        return {}
    element = block.get(block_id)
    if isinstance(element, Mapping):
        return element
    return next((e for e in block.values() if isinstance(e, Mapping)), {})


def state_value(state_values: Mapping[str, Any], block_id: str) -> str:
    """What a single-value input holds, as a string ("" when empty): text, a date, a time,
    a selected option's value or a selected user."""
    element = state_element(state_values, block_id)
    for key in ("selected_date", "selected_time", "selected_user"):
        if key in element:
            return str(element.get(key) or "")
    if "selected_option" in element:
        selected = element.get("selected_option")
        return str(selected.get("value") or "") if isinstance(selected, Mapping) else ""
    return str(element.get("value") or "")


def state_selected(state_values: Mapping[str, Any], block_id: str) -> list[str]:
    """The values of the options ticked in a checkboxes or multi-select input."""
    options = state_element(state_values, block_id).get("selected_options") or []
    return [str(o.get("value")) for o in options if isinstance(o, Mapping)]


def date_token(timestamp: float, fallback: str) -> str:
    """Slack's date formatting, shown in each reader's own time zone."""
    return f"<!date^{int(timestamp)}^{{date_short}}|{escape(fallback)}>"


# --- setup and errors -------------------------------------------------------------------------

BOT_NAME = "Council Bot"


def setup_help_text() -> str:
    """Plain fallback of `setup_help()`."""
    return (
        "Let's set up a space for your council: create a private channel, invite me with "
        f"/invite @{BOT_NAME}, then type /mission there."
    )


def setup_help() -> list[dict]:
    """How to set up a council channel; shown when a command is used anywhere else."""
    blocks = [
        section(
            ":wave: *Let's set up a space for your council first.*\n"
            "Job missions and feedback live in your council's own private channel, "
            "so I only work there."
        ),
        section(
            "*1.* Create a *private* channel for your council, for example "
            "`#council-spring`. Job searches are sensitive, so please keep it private.\n"
            f"*2.* In that channel, type `/invite @{BOT_NAME}` so I can join you.\n"
            "*3.* Invite your council members, then type `/mission` there to draft your "
            "first job mission."
        ),
        context(
            ":lock: Drafts and feedback are posted only in that channel (and on your own "
            "Home tab), never anywhere public."
        ),
    ]
    return [block.to_dict() for block in blocks]


def error_text() -> str:
    """A generic, calm error for when something failed on the bot's side."""
    return (
        "Sorry, something went wrong on my side. Please try again in a minute; "
        "if it keeps happening, let your council's moderator know."
    )


def error_blocks(text: str | None = None) -> list[dict]:
    return [section(f":warning: {escape(text or error_text())}").to_dict()]


_PROBLEM_REASON = {
    ChannelProblem.DIRECT_MESSAGE: "This is a direct message, and drafts belong in your "
    "council's private channel.",
    ChannelProblem.PUBLIC: "This channel is public. Job searches are private (some members "
    "search while employed), so I only post drafts in a private council channel.",
    ChannelProblem.BOT_NOT_IN_CHANNEL: "I'm not a member of this channel yet, so I can't "
    "post here.",
    ChannelProblem.MEMBER_NOT_IN_CHANNEL: "You're not a member of this channel, so its "
    "council's drafts aren't yours to see or add to.",
    ChannelProblem.EXTERNALLY_SHARED: "This channel is shared with another organisation "
    "(Slack Connect), so people outside your council could read it. Job searches stay in a "
    "private channel of your own workspace.",
}


def channel_problem_reason(problem: ChannelProblem) -> str:
    """Why the bot will not post in this channel, in one sentence (bot text)."""
    return _PROBLEM_REASON[problem]


def channel_problem_text(problem: ChannelProblem) -> str:
    """Plain fallback: why the command cannot run here, and how to set up a council."""
    return f"{_PROBLEM_REASON[problem]} {setup_help_text()}"


def channel_problem_blocks(problem: ChannelProblem) -> list[dict]:
    """Why the command cannot run here, followed by how to set up a council channel."""
    return [section(f":lock: {_PROBLEM_REASON[problem]}").to_dict(), *setup_help()]


def channel_problem_modal(
    problem: ChannelProblem, *, title: str, councils: Sequence[str] = (), command: str = ""
) -> dict:
    """What an opened modal becomes when its command came from the wrong channel: the
    modal is opened first (its trigger lasts 3 seconds), the channel checked after. With
    `councils` (the member's council channels), it points there instead of at setup."""
    blocks = (
        council_pointer_blocks(problem, councils=councils, command=command)
        if councils
        else channel_problem_blocks(problem)
    )
    return {
        "type": "modal",
        "title": plain(title, 24).to_dict(),
        "close": plain("OK", 24).to_dict(),
        "blocks": blocks,
    }


# At most this many of a member's council channels are named.
POINTER_MAX_COUNCILS = 5


def _councils_named(councils: Sequence[str]) -> str:
    links = [f"<#{escape(channel_id)}>" for channel_id in councils[:POINTER_MAX_COUNCILS]]
    return links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]


def council_pointer_text(problem: ChannelProblem, *, councils: Sequence[str], command: str) -> str:
    """Why the command cannot run here, and the member's own council channel(s) to use
    instead (channel links, not the setup steps: they have a council already)."""
    where = "your council channel" if len(councils) == 1 else "one of your council channels"
    return (
        f"{_PROBLEM_REASON[problem]} You're in {where} with me: {_councils_named(councils)}. "
        f"Type `{escape(command)}` there."
    )


def council_pointer_blocks(
    problem: ChannelProblem, *, councils: Sequence[str], command: str
) -> list[dict]:
    return [
        section(
            f":lock: {council_pointer_text(problem, councils=councils, command=command)}"
        ).to_dict()
    ]


def notice_modal(text: str, *, title: str) -> dict:
    """A modal that only says something (bot text) and closes: what an opened form turns
    into when it cannot go on."""
    return {
        "type": "modal",
        "title": plain(title, MODAL_TITLE_MAX).to_dict(),
        "close": plain("Close", MODAL_TITLE_MAX).to_dict(),
        "blocks": [section(text).to_dict()],
    }
