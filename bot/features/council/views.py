"""Block Kit of `/council`: its help, the Home's "Your data" section, the erase confirmation."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block
from slack_sdk.models.views import View

from bot.features.council.rules import EraseCounts
from bot.ui.blocks import (
    MODAL_TITLE_MAX,
    button,
    context,
    dicts,
    fit_lines,
    header,
    plain,
    section,
)
from bot.ui.metadata import ModalMetadata

COMMAND = "/council"
ACTION_EXPORT = "council_export"
ACTION_ERASE = "council_erase"
CALLBACK_ERASE = "council_erase_confirm"
BLOCK_YOUR_DATA = "council_your_data"

PRIVACY_POINTER = (
    "PRIVACY.md, next to the bot's code, says what is kept, where, for how long and who sees it."
)


class EraseConfirm(ModalMetadata):
    """The erase confirmation: the fingerprint of the counts it showed (nothing else; the
    member is the one who submits it)."""

    counts: str


def help_blocks() -> list[dict]:
    """`/council help`."""
    return dicts(
        [
            header("Your council and your data"),
            section(
                "*Your council's rhythm* (in the council's private channel)\n"
                f"`{COMMAND}`  shows how often you meet, the next meeting in your own time, "
                "the moderator and who is away.\n"
                f"`{COMMAND} setup`  sets the rhythm: name, fast (twice a week), slow (every "
                "two weeks) or custom, time, length, moderator and call link. Once set, only "
                "the moderator can change it.\n"
                f"`{COMMAND} pause [until YYYY-MM-DD]`  takes you out of check-ins for a "
                "while; the agenda shows you as away.\n"
                f"`{COMMAND} pause all until YYYY-MM-DD`  (the moderator) skips the whole "
                "council's meetings through that day, for holidays; the rhythm resumes after.\n"
                f"`{COMMAND} back`  ends your pause.\n"
                f"`{COMMAND} landed`  shares that you got a job, with a celebration in the "
                "channel; your check-ins stop.\n"
                "Before each meeting I DM every member a short check-in (a day before "
                "unless the moderator picked another time, never in your quiet hours, one "
                "reminder), and ten minutes before it I post "
                "the agenda here: the check-in round, time boxes and what was shared since "
                "last time. Someone quiet for two meetings in a row gets one kind note, and "
                "the moderator a heads-up naming who."
            ),
            section(
                "*Your data*\n"
                f"`{COMMAND} export`  sends you, in our DM, two files with everything I keep "
                "about you: your drafts and their versions, feedback you gave and received, "
                "debriefs, Gratitude House, back-channel checklists, negotiation plans with "
                "their figures, and your reminders. One is JSON, one is for reading.\n"
                f"`{COMMAND} erase`  shows exactly what I keep about you, then, if you "
                "confirm, deletes all of it, with my messages in the council channel that show "
                "your drafts, debriefs and shared summaries.\n"
                f"`{COMMAND} help`  shows this guide."
            ),
            context(
                ":lock: Only you can export or erase your data; nobody else can do it for you. "
                "The same buttons are under *Your data* on my Home tab. " + PRIVACY_POINTER
            ),
        ]
    )


def your_data_section() -> list[dict]:
    """The Home's "Your data": export and erase, for the member whose Home it is."""
    return dicts(
        [
            section(
                "*Your data*\nGet a copy of everything I keep about you, or have all of it "
                "deleted. " + PRIVACY_POINTER
            ),
            ActionsBlock(
                block_id=BLOCK_YOUR_DATA,
                elements=[
                    button("Export my data", ACTION_EXPORT, "export"),
                    button("Erase my data", ACTION_ERASE, "erase", style="danger"),
                ],
            ),
        ]
    )


def erase_modal(counts: EraseCounts, *, changed: bool = False) -> dict:
    """What will go, kind by kind, then Erase or keep."""
    blocks: list[Block] = []
    if changed:
        blocks.append(
            section(
                ":arrows_counterclockwise: What I keep about you changed since you opened "
                "this. Here it is again; nothing was erased yet."
            )
        )
    blocks += [
        section("*This deletes everything I keep about you in this workspace:*"),
        section(fit_lines(counts.lines(), 2900, prefix="• ")),
        section(
            "I also delete my messages in the council channel that show your drafts (with "
            "the feedback in their threads), your debriefs and your shared summaries, and the "
            "feedback you gave on other members' drafts (their tallies update). Your Home tab "
            "starts empty. *This cannot be undone*; use *Export my data* first for a copy."
        ),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_ERASE,
        title=plain("Erase your data?", MODAL_TITLE_MAX),
        submit=plain("Erase all of it", MODAL_TITLE_MAX),
        close=plain("Keep it", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=EraseConfirm(counts=counts.fingerprint).encode(),
    )
    return view.to_dict()


def nothing_modal() -> dict:
    view = View(
        type="modal",
        title=plain("Nothing to erase", MODAL_TITLE_MAX),
        close=plain("Close", MODAL_TITLE_MAX),
        blocks=[section(NOTHING_HELD)],
    )
    return view.to_dict()


NOTHING_HELD = "I keep nothing about you in this workspace: there is nothing to erase."

EXPORT_STARTED = "I'm putting your data together. It arrives in our DM in a moment, as two files."

EXPORT_COMMENT = (
    "Here is everything I keep about you: the JSON file for programs, the Markdown file for "
    "reading. Only you can see this conversation."
)


def export_failed(reason: str) -> str:
    """`reason` is a Slack error code (bot text, not member text)."""
    return f"I could not send you your data ({reason}). Nothing was shared. Please try again."


def erased_text(counts: EraseCounts, *, deleted_messages: int, kept_messages: int) -> str:
    lines = fit_lines(counts.lines(), 2000, prefix="• ")
    text = f"Done: I deleted everything I kept about you.\n{lines}"
    if deleted_messages:
        text += f"\nI also deleted {deleted_messages} of my messages that showed it."
    if kept_messages:
        text += (
            f"\n{kept_messages} of my messages could not be deleted (already gone, or in a "
            "channel I left); ask a workspace admin to remove them."
        )
    return text
