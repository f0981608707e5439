"""Block Kit for written feedback: the "Give feedback" modal and the thread message.

Pure functions, built with `slack_sdk.models`. Member-typed answers always go through
`esc` before they land in mrkdwn; an anonymous message names nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.features.feedback.service import (
    FIELD_MISSING,
    FIELD_STRONG,
    FIELD_SUGGESTED_KR,
    FIELD_UNCLEAR,
    FIELDS,
    LIMITS,
    FeedbackAnswers,
    FeedbackForm,
    Refusal,
)
from bot.platform.mrkdwn import escape, mention
from bot.ui.blocks import (
    MODAL_TITLE_MAX,
    OPTION_TEXT_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    context,
    esc,
    plain,
    section,
    state_selected,
    state_value,
)
from bot.ui.metadata import DraftRef

# --- ids the handler listens for -------------------------------------------------------------

CALLBACK_FEEDBACK = "mission_feedback_give"

# Input elements use their block id as action id: state.values[block][block].
BLOCK_STRONG = FIELD_STRONG
BLOCK_UNCLEAR = FIELD_UNCLEAR
BLOCK_MISSING = FIELD_MISSING
BLOCK_SUGGESTED_KR = FIELD_SUGGESTED_KR
BLOCK_ANONYMOUS = "feedback_anonymous"
ANONYMOUS_VALUE = "anonymous"

MODAL_TITLE = "Give feedback"
ANONYMOUS_LABEL = "Post without my name"
ANONYMOUS_NAME = "A council member"

_PROMPTS: dict[str, tuple[str, str]] = {
    # field: (label in the modal, placeholder)
    FIELD_STRONG: ("What is strong?", "e.g. The mission says who benefits and how."),
    FIELD_UNCLEAR: ("What is unclear?", "e.g. Which customers does “merchants” mean here?"),
    FIELD_MISSING: ("What is missing?", "e.g. Nothing about the team you would build."),
    FIELD_SUGGESTED_KR: (
        "A key result you would suggest",
        "e.g. Cut time to first payout from 7 days to 2 by Q3",
    ),
}
_HEADINGS: dict[str, str] = {
    FIELD_STRONG: ":muscle: *What is strong*",
    FIELD_UNCLEAR: ":question: *What is unclear*",
    FIELD_MISSING: ":jigsaw: *What is missing*",
    FIELD_SUGGESTED_KR: ":dart: *A suggested key result*",
}


# --- the modal ---------------------------------------------------------------------------------


def _answer_input(field: str) -> InputBlock:
    label, placeholder = _PROMPTS[field]
    return InputBlock(
        block_id=field,
        label=plain(label, 2000),
        element=PlainTextInputElement(
            action_id=field,
            multiline=True,
            max_length=LIMITS[field],
            placeholder=plain(placeholder, PLACEHOLDER_MAX),
        ),
        optional=True,
    )


class FeedbackRef(DraftRef):
    """The "Give feedback" modal: its draft, and the channel the button was pressed in (the
    council channel, a DM nudge; None from the Home tab), where the thanks then go."""

    origin: str | None = None


def feedback_modal(
    *,
    draft_id: int,
    author_id: str,
    company: str,
    role: str,
    version: int,
    origin: str | None = None,
) -> dict:
    """The "Give feedback" modal on one draft; `private_metadata` is a FeedbackRef."""
    intro = (
        f"Feedback on {mention(author_id)}'s job mission for *{esc(role, 300)}* at "
        f"*{esc(company, 300)}* (version {version}). Answer any of the prompts: "
        "specific and kind beats long."
    )
    blocks: list[Block] = [
        section(intro),
        *(_answer_input(field) for field in FIELDS),
        InputBlock(
            block_id=BLOCK_ANONYMOUS,
            label=plain("Your name", 2000),
            element=CheckboxesElement(
                action_id=BLOCK_ANONYMOUS,
                options=[
                    Option(
                        value=ANONYMOUS_VALUE,
                        text=plain(ANONYMOUS_LABEL, OPTION_TEXT_MAX),
                        description=plain(f"The thread shows “{ANONYMOUS_NAME}”.", 75),
                    )
                ],
            ),
            optional=True,
        ),
        context(":lock: Posted in the draft's thread, in your private council channel only."),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_FEEDBACK,
        title=plain(MODAL_TITLE, MODAL_TITLE_MAX),
        submit=plain("Post feedback", MODAL_TITLE_MAX),
        close=plain("Cancel", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=FeedbackRef(draft=draft_id, origin=origin).encode(),
    )
    return view.to_dict()


def read_feedback_form(state_values: Mapping[str, Any]) -> FeedbackForm:
    """Slack's `view.state.values` -> the raw form (missing answers -> "")."""
    answers = {field: state_value(state_values, field) for field in FIELDS}
    anonymous = ANONYMOUS_VALUE in state_selected(state_values, BLOCK_ANONYMOUS)
    return FeedbackForm(answers=FeedbackAnswers(**answers), anonymous=anonymous)


# --- the thread message ----------------------------------------------------------------------


def feedback_message(
    *, giver_id: str | None, answers: FeedbackAnswers, version: int
) -> tuple[str, list[dict]]:
    """Fallback text and blocks of feedback in the draft's thread.

    `giver_id` None means anonymous: the message then names nobody.
    """
    who = mention(giver_id) if giver_id is not None else ANONYMOUS_NAME
    blocks: list[Block] = [section(f":memo: *Feedback from {who}* on version {version}")]
    for field, answer in answers.given():
        heading = _HEADINGS[field] + "\n"
        blocks.append(section(heading + esc(answer, SECTION_TEXT_MAX - len(heading))))
    if giver_id is None:
        blocks.append(context("Shared without a name."))
    text = f"Feedback from {who} on this job mission (version {version})"
    return text, [block.to_dict() for block in blocks]


# --- private notes -----------------------------------------------------------------------------


def not_member_text() -> str:
    return (
        "Only members of the council's channel can give feedback on its job missions. "
        "If you belong to this council, ask its moderator to add you to the channel."
    )


def channel_unreachable_text() -> str:
    return (
        "I can't reach this council's channel right now, so I can't take feedback on the "
        "draft. Please try again in a little while."
    )


def refusal_text(reason: Refusal) -> str:
    if reason is Refusal.OWN_DRAFT:
        return (
            "This is your own draft, so this button is for your council. "
            "Their feedback will show up in the draft's thread, and *Request feedback* "
            "asks chosen members to take a look."
        )
    if reason is Refusal.WITHDRAWN:
        return "This job mission draft was withdrawn by its author, so it no longer takes feedback."
    return "I can't find that job mission draft any more. It may have been withdrawn."


def posted_text(*, anonymous: bool, permalink: str | None) -> str:
    """The giver's thanks once their feedback is in the draft's thread."""
    how = " without your name" if anonymous else ""
    text = f":white_check_mark: Thank you: your feedback is posted{how} in the draft's thread."
    if permalink:
        text += f" <{escape(permalink)}|See it>"
    return text


def post_held_text(reason: str) -> str:
    """Feedback stored but held back; `reason` is the bot's sentence about the channel."""
    return (
        f"Your feedback is saved, but I haven't posted it in the draft's thread. {reason} "
        "I'll post it there if that is sorted soon."
    )


def post_failed_text(reason: str | None = None) -> str:
    """Feedback stored but not posted; `reason` is Slack's error code (escaped by the caller)."""
    why = f" (Slack said: {reason})" if reason else ""
    return (
        f"Your feedback is saved, but I couldn't post it in the draft's thread just now{why}. "
        "Nothing is lost: I'll post it there as soon as I can, and it already counts as "
        "feedback given."
    )
