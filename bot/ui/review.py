"""The "Give feedback" and "Request feedback by…" buttons that any feature puts on a
message it posted for the council's review; bot.features.feedback_requests answers them
(handlers/feedback_requests.py)."""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement

from bot.features.reviewable import subject_value
from bot.ui.blocks import plain

ACTION_REVIEW = "review_request_open"  # value: bot.features.reviewable.subject_value
ACTION_NOTE = "review_note_open"  # "Give feedback" (the same value)


def review_button(kind: str, subject_id: int) -> ButtonElement:
    """Only the subject's author's click opens the form; anyone else is told so privately."""
    return ButtonElement(
        text=plain("Request feedback by…", 75),
        action_id=ACTION_REVIEW,
        value=subject_value(kind, subject_id),
    )


def feedback_button(kind: str, subject_id: int) -> ButtonElement:
    """Any council member but the author writes feedback, with or without their name."""
    return ButtonElement(
        text=plain("Give feedback", 75),
        action_id=ACTION_NOTE,
        value=subject_value(kind, subject_id),
    )


def review_buttons(kind: str, subject_id: int) -> list[ButtonElement]:
    return [feedback_button(kind, subject_id), review_button(kind, subject_id)]
