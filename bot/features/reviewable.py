"""What a council reviews with a deadline, nudges and a digest: the subjects and their
names in the bot's words (no Slack here). A job-mission draft is one; a negotiation plan's
shared summary, a posted Two-Pager and a posted Candidate-Market Fit statement are the
others (bot.features.feedback_requests, storage.missions.FeedbackRequest).

The names mirror storage.missions.SUBJECT_*, for views and handlers, which do not import storage.
"""

from __future__ import annotations

# What else a council reviews the same way (mirrors storage.missions.SUBJECT_*, for
# handlers and views, which do not import storage), and how the bot names each.
SUBJECT_DRAFT = "draft"
SUBJECT_NEGOTIATION_PLAN = "negotiation_plan"
SUBJECT_TWO_PAGER = "two_pager"
SUBJECT_CMF = "cmf"
REVIEWABLE: dict[str, str] = {
    SUBJECT_NEGOTIATION_PLAN: "negotiation plan",
    SUBJECT_TWO_PAGER: "Two-Pager",
    SUBJECT_CMF: "Candidate-Market Fit statement",
}
NOT_REVIEWABLE = (
    "I can't find that posted for review any more (it may have been withdrawn or erased)."
)
ONLY_THE_AUTHOR = "Only its author can ask the council for feedback on it."
OWN_SUBJECT = "That one is yours: your council's feedback on it comes to you."


def subject_value(kind: str, subject_id: int) -> str:
    """A button's value naming a subject: "negotiation_plan:12"."""
    return f"{kind}:{subject_id}"


def parse_subject(value: str) -> tuple[str, int] | None:
    kind, _, raw = value.partition(":")
    if kind not in REVIEWABLE or not raw.isdigit():
        return None
    return kind, int(raw)
