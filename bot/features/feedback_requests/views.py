"""Block Kit for "Request feedback by <deadline>": the modal, the thread ask, nudge, digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    UserMultiSelectElement,
)
from slack_sdk.models.blocks.block_elements import TimePickerElement
from slack_sdk.models.views import View

from bot.features.feedback_requests.rules import (
    ANONYMOUS_OPTION,
    FIELD_NOTE_ANONYMOUS,
    FIELD_NOTE_TEXT,
    NOTE_MAX,
    OwedReview,
)
from bot.features.feedback_requests.service import (
    Digest,
    NoteView,
    OpenNudge,
    RequestContext,
    ReviewContext,
    WrittenNote,
)
from bot.features.missions.views import ACTION_FEEDBACK, tally_lines
from bot.features.reviewable import REVIEWABLE
from bot.platform.mrkdwn import escape, mention
from bot.ui.blocks import (
    SECTION_TEXT_MAX,
    context,
    esc,
    link_button,
    option,
    plain,
    section,
    text_input,
)
from bot.ui.metadata import DraftRef

CALLBACK_REQUEST = "mission_request_feedback"
CALLBACK_REVIEW = "review_request_feedback"  # the same, for anything else posted for review
CALLBACK_NOTE = "review_note"  # written feedback on a plan, Two-Pager or statement
BLOCK_DATE = "deadline_date"
BLOCK_TIME = "deadline_time"
BLOCK_MEMBERS = "asked_members"


def deadline_token(deadline: datetime, fallback: str) -> str:
    """The deadline as Slack renders it in each reader's own time zone."""
    ts = int(deadline.timestamp())
    return f"<!date^{ts}^{{date_short_pretty}} at {{time}}|{escape(fallback)}>"


def request_modal(
    *, draft_id: int, company: str, role: str, initial_date: str, initial_time: str, tz: str
) -> dict:
    return _deadline_modal(
        callback_id=CALLBACK_REQUEST,
        private_metadata=DraftRef(draft=draft_id).encode(),
        intro=(
            f"Ask your council for feedback on your job mission for *{esc(role, 300)}* "
            f"at *{esc(company, 300)}* by a deadline. Everyone you ask who hasn't "
            "reacted or written yet gets one gentle reminder, never at night."
        ),
        initial_date=initial_date,
        initial_time=initial_time,
        tz=tz,
    )


def review_modal(
    *, kind: str, private_metadata: str, initial_date: str, initial_time: str, tz: str
) -> dict:
    """The same deadline form for anything else posted for review."""
    return _deadline_modal(
        callback_id=CALLBACK_REVIEW,
        private_metadata=private_metadata,
        intro=(
            f"Ask your council for feedback on your {REVIEWABLE[kind]} by a deadline. "
            "Everyone you ask who hasn't reacted to it yet gets one gentle reminder, never "
            "at night, and you get a summary of who responded at the deadline."
        ),
        initial_date=initial_date,
        initial_time=initial_time,
        tz=tz,
    )


def _deadline_modal(
    *,
    callback_id: str,
    private_metadata: str,
    intro: str,
    initial_date: str,
    initial_time: str,
    tz: str,
) -> dict:
    view = View(
        type="modal",
        callback_id=callback_id,
        private_metadata=private_metadata,
        title=plain("Request feedback", 24),
        submit=plain("Ask the council", 24),
        close=plain("Cancel", 24),
        blocks=[
            section(intro),
            InputBlock(
                block_id=BLOCK_DATE,
                label=plain("Feedback by (day)", 2000),
                element=DatePickerElement(action_id=BLOCK_DATE, initial_date=initial_date),
            ),
            InputBlock(
                block_id=BLOCK_TIME,
                label=plain("Time", 2000),
                hint=plain(f"In your time zone ({tz}).", 2000),
                element=TimePickerElement(action_id=BLOCK_TIME, initial_time=initial_time),
            ),
            InputBlock(
                block_id=BLOCK_MEMBERS,
                optional=True,
                label=plain("Who to ask", 2000),
                hint=plain("Leave empty to ask everyone in the council channel.", 2000),
                element=UserMultiSelectElement(
                    action_id=BLOCK_MEMBERS, placeholder=plain("Council members", 150)
                ),
            ),
        ],
    )
    return view.to_dict()


def review_thread_ask(
    *, kind: str, author_id: str, asked: Sequence[str], deadline: datetime, fallback: str
) -> tuple[str, list[dict]]:
    who = ", ".join(mention(user) for user in asked)
    text = (
        f"{mention(author_id)} would love your feedback on this {REVIEWABLE[kind]} by "
        f"{deadline_token(deadline, fallback)}: {who}. A reaction counts as a response; a "
        "word in this thread helps even more."
    )
    return f"Feedback requested by {fallback}", [section(text).to_dict()]


def review_nudge(
    review: ReviewContext, *, permalink: str | None, fallback: str
) -> tuple[str, list[dict]]:
    text = (
        f":wave: {mention(review.author_id)} asked for your feedback on their "
        f"{REVIEWABLE[review.kind]} by {deadline_token(review.deadline, fallback)}. A reaction "
        "takes a second; a few words in its thread help even more."
    )
    blocks: list[Block] = [section(text)]
    if permalink:
        blocks.append(ActionsBlock(elements=[link_button("Open it", permalink)]))
    return "Your council asked for your feedback", [b.to_dict() for b in blocks]


def review_digest(
    review: ReviewContext,
    *,
    asked: Sequence[str],
    reactions: dict[str, list[str]],
    notes: Sequence[NoteView] = (),
) -> tuple[str, list[dict]]:
    """How a review request went: the reactions by emoji, who responded (reactions are
    seen by the whole channel, so naming them tells the author nothing new), who did not."""
    reacted = {user for users in reactions.values() for user in users} - {review.author_id}
    reacted |= {note.writer for note in notes if note.writer}  # a named note answers too
    responded = [u for u in asked if u in reacted] + sorted(reacted - set(asked))
    silent = [u for u in asked if u not in reacted]
    lines = [
        f":{name}: {len([u for u in users if u != review.author_id])}"
        for name, users in sorted(reactions.items())
        if [u for u in users if u != review.author_id]
    ]
    blocks: list[Block] = [
        section(f":bar_chart: *Your feedback request has closed* — {REVIEWABLE[review.kind]}."),
        section("*Reactions*\n" + (" · ".join(lines) if lines else "none yet")),
        section(
            f"*Responded ({len([u for u in asked if u in reacted])} of {len(asked)} asked):* "
            + (", ".join(mention(u) for u in responded) or "nobody yet")
        ),
    ]
    if silent:
        line = f"*No reaction or feedback from ({len(silent)}):* " + ", ".join(
            mention(u) for u in silent
        )
        if any(note.writer is None for note in notes):
            line += " Some feedback came in without a name, so some of them may have written it."
        blocks.append(context(line))
    if notes:
        blocks.append(section(note_lines(notes)))
    blocks.append(context("Replies in the thread are there to read in full."))
    return "Your feedback request has closed", [b.to_dict() for b in blocks]


def thread_ask(
    *, author_id: str, asked: Sequence[str], deadline: datetime, fallback: str
) -> tuple[str, list[dict]]:
    """The one thread message that names the members asked."""
    who = ", ".join(mention(user) for user in asked)
    text = (
        f"{mention(author_id)} would love your feedback on this job mission by "
        f"{deadline_token(deadline, fallback)}: {who}. React with the legend above, or use "
        "*Give feedback* for written notes."
    )
    return f"Feedback requested by {fallback}", [section(text).to_dict()]


def confirmation(
    *,
    asked: Sequence[str],
    deadline_local: str,
    nudges: dict[str, datetime | None],
    missed: Sequence[str],
) -> str:
    lines = [
        f"Done. I asked {len(asked)} council member{'s' if len(asked) != 1 else ''} for "
        f"feedback by {escape(deadline_local)} (your time). You'll get a summary then."
    ]
    skipped = [user for user, when in nudges.items() if when is None]
    if skipped:
        lines.append(
            "No daytime slot is left before the deadline for "
            + ", ".join(mention(u) for u in skipped)
            + ", so they won't get a reminder."
        )
    if missed:
        lines.append(
            "Not asked (not in this council channel): "
            + ", ".join(mention(u) for u in missed)
            + "."
        )
    return "\n".join(lines)


def nudge_message(
    context_: RequestContext, *, permalink: str | None, fallback: str
) -> tuple[str, list[dict]]:
    text = (
        f":wave: {mention(context_.author_id)} asked for your feedback on their job mission "
        f"for *{esc(context_.role, 300)}* at *{esc(context_.company, 300)}* by "
        f"{deadline_token(context_.deadline, fallback)}. A reaction takes a second; a few "
        "written words help even more."
    )
    buttons = [
        ButtonElement(
            text=plain("Give feedback", 75),
            action_id=ACTION_FEEDBACK,
            value=str(context_.draft_id),
            style="primary",
        )
    ]
    if permalink:
        buttons.append(link_button("Open the draft", permalink))
    blocks = [section(text), ActionsBlock(elements=buttons)]
    return "Your council asked for your feedback", [b.to_dict() for b in blocks]


def nudge_answered_message(nudge: OpenNudge, *, permalink: str | None) -> tuple[str, list[dict]]:
    """What a nudge turns into once the member has answered: thanks, and no buttons."""
    text = (
        f":white_check_mark: Thank you: you've given {mention(nudge.author_id)} feedback on "
        f"their job mission for *{esc(nudge.role, 300)}* at *{esc(nudge.company, 300)}*."
    )
    if permalink:
        text += f" <{escape(permalink)}|Open the draft>"
    return "Thank you for your feedback", [section(text).to_dict()]


def _written_line(note: WrittenNote) -> str:
    who = mention(note.author) if note.author else "A council member"
    parts = [
        (label, value)
        for label, value in (
            ("Strong", note.strong),
            ("Unclear", note.unclear),
            ("Missing", note.missing),
            ("Suggested key result", note.suggested_key_result),
        )
        if value.strip()
    ]
    body = "; ".join(f"_{label}:_ {esc(value, 400)}" for label, value in parts)
    return f"{who}: {body}"


def digest_message(digest: Digest) -> tuple[str, list[dict]]:
    ctx = digest.context
    asked, responded = set(digest.asked), set(digest.responded)
    silent = [user for user in digest.asked if user not in responded]
    intro = (
        f":bar_chart: *Your feedback request has closed* — job mission for "
        f"*{esc(ctx.role, 300)}* at *{esc(ctx.company, 300)}*."
    )
    responders_line = f"*Responded ({len(asked & responded)} of {len(asked)} asked):* " + (
        ", ".join(mention(u) for u in digest.responded) or "nobody yet"
    )
    blocks: list[Block] = [
        section(intro),
        section(f"*Reactions on the draft*\n{tally_lines(digest.tally)}"),
        section(responders_line),
    ]
    if silent:
        line = (
            f"*No reaction or feedback under their name from ({len(silent)}):* "
            + ", ".join(mention(u) for u in silent)
            + "."
        )
        if any(note.author is None for note in digest.written):
            line += " Some feedback came in anonymously, so some of them may have written it."
        blocks.append(context(line))
    if digest.written:
        text = "*Written feedback*"
        shown = 0
        for note in digest.written:
            line = "\n" + _written_line(note)
            if len(text) + len(line) > SECTION_TEXT_MAX - 40:  # room for "and N more"
                break
            text += line
            shown += 1
        if shown < len(digest.written):
            text += f"\n…and {len(digest.written) - shown} more in the draft's thread."
        blocks.append(section(text))
    else:
        blocks.append(context("No written feedback this time."))
    return "Your feedback request has closed", [b.to_dict() for b in blocks]


HOME_MAX_REVIEWS = 3


def home_reviews(reviews: Sequence[OwedReview], *, more: int = 0) -> list[dict]:
    """App Home: what the member was asked to review besides drafts, soonest first."""
    if not reviews:
        return []
    lines = [
        f"•  {mention(r.author_id)}'s {REVIEWABLE.get(r.kind, 'post')} in <#{r.channel_id}>, "
        f"by {deadline_token(r.deadline, r.deadline.strftime('%Y-%m-%d %H:%M UTC'))}"
        for r in reviews[:HOME_MAX_REVIEWS]
    ]
    blocks: list[Block] = [
        section("*Reviews asked of you*\n" + "\n".join(lines)),
        context("A reaction on it counts as your response; a word in its thread helps more."),
    ]
    if more > 0:
        blocks.append(context(f"…and {more} more; they show here as you answer these."))
    return [b.to_dict() for b in blocks]


# --- written feedback on the other subjects -----------------------------------------------------


def note_modal(*, kind: str, private_metadata: str) -> dict:
    anonymous = option(ANONYMOUS_OPTION, "Post it without my name")
    view = View(
        type="modal",
        callback_id=CALLBACK_NOTE,
        private_metadata=private_metadata,
        title=plain("Give feedback", 24),
        submit=plain("Post", 24),
        close=plain("Cancel", 24),
        blocks=[
            section(
                f"Your feedback on this {REVIEWABLE[kind]} goes in its thread in the council "
                "channel: what works, what you'd change, what's missing."
            ),
            text_input(
                FIELD_NOTE_TEXT,
                "Your feedback",
                max_length=NOTE_MAX,
                multiline=True,
                placeholder="Be specific and kind",
            ),
            InputBlock(
                block_id=FIELD_NOTE_ANONYMOUS,
                label=plain("Name", 2000),
                optional=True,
                element=CheckboxesElement(action_id=FIELD_NOTE_ANONYMOUS, options=[anonymous]),
            ),
        ],
    )
    return view.to_dict()


def note_post(*, writer: str | None, text: str) -> tuple[str, list[dict]]:
    """A note in the subject's thread: under the writer's name, or without one."""
    who = f"*Feedback from {mention(writer)}*" if writer else "*Feedback from a council member*"
    blocks = [section(f"{who}\n{esc(text, NOTE_MAX + 100)}")]
    return "Feedback", [b.to_dict() for b in blocks]


def note_saved_text(*, posted: bool) -> str:
    if posted:
        return ":white_check_mark: Thank you: your feedback is in the thread."
    return (
        "Your feedback is saved and goes into the author's summary, but I couldn't post it "
        "in the thread just now."
    )


def note_lines(notes: Sequence[NoteView]) -> str:
    """The digest's written feedback, each note under its writer or "A council member"."""
    text = "*Written feedback*"
    shown = 0
    for note in notes:
        who = mention(note.writer) if note.writer else "A council member"
        line = f"\n{who}: {esc(note.text, 400)}"
        if len(text) + len(line) > SECTION_TEXT_MAX - 40:
            break
        text += line
        shown += 1
    if shown < len(notes):
        text += f"\n…and {len(notes) - shown} more in the thread."
    return text
