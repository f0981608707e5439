"""Block Kit for `/fit`: the private view, the two modals, the posted Two-Pager and
statement, the suggestion DM, the history and the Home section.

Pure functions from domain objects to Block Kit dicts, built with `slack_sdk.models`. Every
piece of member-typed text (list items, attributes, the sentence, a suggestion) goes
through `esc` before it lands in mrkdwn; people are named only by the mentions the bot
builds from Slack ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    InputBlock,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.features.fit.rules import (
    ACCEPTED,
    ATTRIBUTE_FIELDS,
    ATTRIBUTE_MAX,
    ATTRIBUTES,
    FIELD_DONT_WANTS,
    FIELD_SENTENCE,
    FIELD_SUGGEST_ITEM,
    FIELD_SUGGEST_LIST,
    FIELD_WANTS,
    ITEM_MAX,
    ITEMS_MAX,
    LIST_DONT_WANTS,
    LIST_LABELS,
    LIST_WANTS,
    LISTS,
    SENTENCE_MAX,
    SIGNOFF_EMOJI,
    SignOff,
    Statement,
    Suggestion,
    TwoPager,
)
from bot.features.reviewable import SUBJECT_CMF, SUBJECT_TWO_PAGER
from bot.platform.mrkdwn import mention
from bot.ui.blocks import (
    button,
    context,
    dicts,
    esc,
    fit_lines,
    header,
    option,
    plain,
    section,
    state_value,
    text_input,
)
from bot.ui.review import review_buttons

# --- ids the handler listens for ----------------------------------------------------------------

CALLBACK_TWO_PAGER = "fit_two_pager"
CALLBACK_STATEMENT = "fit_statement"
CALLBACK_SUGGEST = "fit_suggest"

ACTION_EDIT_TWO_PAGER = "fit_edit_two_pager"  # value: a Two-Pager id, or "new"
ACTION_EDIT_STATEMENT = "fit_edit_statement"  # value: a statement id, or "new"
ACTION_POST_TWO_PAGER = "fit_post_two_pager"  # value: the Two-Pager id
ACTION_POST_STATEMENT = "fit_post_statement"  # value: the statement id
ACTION_SUGGEST = "fit_suggest_open"  # value: the Two-Pager id
ACTION_ACCEPT = "fit_suggestion_accept"  # value: the suggestion id
ACTION_DECLINE = "fit_suggestion_decline"  # value: the suggestion id

NEW = "new"
_PRIVATE = ":lock: Only you can see this. Nothing goes to your council until you post it."
_ITEMS_SHOWN = 15
_SECTION_MAX = 2900


# --- reading forms ------------------------------------------------------------------------------


def read_two_pager_form(values: Mapping[str, Any]) -> tuple[str, str]:
    return state_value(values, FIELD_WANTS), state_value(values, FIELD_DONT_WANTS)


def read_statement_form(values: Mapping[str, Any]) -> tuple[dict[str, str | None], str]:
    attributes: dict[str, str | None] = {
        key: state_value(values, field) for key, field in ATTRIBUTE_FIELDS.items()
    }
    return attributes, state_value(values, FIELD_SENTENCE)


def read_suggest_form(values: Mapping[str, Any]) -> tuple[str | None, str]:
    chosen = state_value(values, FIELD_SUGGEST_LIST) or None
    return chosen, state_value(values, FIELD_SUGGEST_ITEM)


# --- pieces -------------------------------------------------------------------------------------


def _list_text(title: str, items: Sequence[str]) -> str:
    shown = list(items[:_ITEMS_SHOWN])
    body = fit_lines(shown, _SECTION_MAX - len(title) - 10, prefix="• ") if shown else "_none_"
    return f"*{title}*\n{body}"


def _two_pager_blocks(two_pager: TwoPager) -> list[Block]:
    return [
        section(_list_text(LIST_LABELS[key], two_pager.items(key)))
        for key in (LIST_WANTS, LIST_DONT_WANTS)
    ]


def _attribute_lines(statement: Statement) -> str:
    return "\n".join(f"*{label}:* {esc(text, 200)}" for label, text in statement.filled)


def signoff_text(signoff: SignOff | None) -> str:
    """The tally under a posted statement: "signed off by N of M" once a majority has."""
    if signoff is None:
        return "Not posted to your council yet."
    if signoff.of == 0:
        return "Nobody else is in the channel to sign it off yet."
    if signoff.done:
        return (
            f":white_check_mark: *Signed off by {signoff.signed} of {signoff.of}* council members."
        )
    return f"{signoff.signed} of {signoff.of} so far; a majority ({signoff.needed}) signs it off."


def _sentence(statement: Statement) -> str:
    return f">{esc(statement.sentence, SENTENCE_MAX + 100)}"


# --- the private view ---------------------------------------------------------------------------


def fit_message(
    two_pager: TwoPager | None, statement: Statement | None, *, pending: int = 0
) -> tuple[str, list[dict]]:
    """`/fit`, privately: the current version of each, with Edit and Post buttons."""
    blocks: list[Block] = [header("Your Two-Pager and Candidate-Market Fit")]
    if two_pager is None:
        blocks.append(
            section(
                "*Two-Pager:* not written yet. Two lists: what you want in your next role and "
                "what you don't. Your council will add what you forgot."
            )
        )
        blocks.append(
            ActionsBlock(
                elements=[
                    button("Write your Two-Pager", ACTION_EDIT_TWO_PAGER, NEW, style="primary")
                ]
            )
        )
    else:
        posted = " (posted)" if two_pager.message_ts else ""
        blocks.append(section(f"*Two-Pager*, version {two_pager.number}{posted}"))
        blocks += _two_pager_blocks(two_pager)
        if pending:
            blocks.append(
                context(f":inbox_tray: {pending} suggestion(s) from your council wait in our DM.")
            )
        blocks.append(
            ActionsBlock(
                elements=[
                    button("Edit Two-Pager", ACTION_EDIT_TWO_PAGER, str(two_pager.id)),
                    button("Post Two-Pager to council", ACTION_POST_TWO_PAGER, str(two_pager.id)),
                ]
            )
        )
    blocks.append(DividerBlock())
    if statement is None:
        blocks.append(
            section(
                "*Candidate-Market Fit:* not written yet. One sentence from three or four "
                "attributes (company stage, industry, level / role / function, culture) that "
                "says where you fit."
            )
        )
        blocks.append(
            ActionsBlock(
                elements=[
                    button("Write your statement", ACTION_EDIT_STATEMENT, NEW, style="primary")
                ]
            )
        )
    else:
        blocks.append(
            section(
                f"*Candidate-Market Fit*, version {statement.number}\n{_sentence(statement)}\n"
                f"{_attribute_lines(statement)}"
            )
        )
        blocks.append(context(signoff_text(statement.signoff)))
        blocks.append(
            ActionsBlock(
                elements=[
                    button("Edit statement", ACTION_EDIT_STATEMENT, str(statement.id)),
                    button("Post statement to council", ACTION_POST_STATEMENT, str(statement.id)),
                ]
            )
        )
    blocks.append(context(f"{_PRIVATE} `/fit history` shows earlier versions."))
    return "Your Two-Pager and Candidate-Market Fit statement", dicts(blocks)


def saved_text(what: str, number: int) -> str:
    return (
        f":white_check_mark: Saved version {number} of your {what}. Earlier versions are kept "
        "(`/fit history`). Post it when you want your council's eyes on it."
    )


def help_blocks() -> list[dict]:
    blocks: list[Block] = [
        header("How /fit works"),
        section(
            "*The Two-Pager*: what you want and what you don't want in your next role, two "
            "lists. Post it to your council; members suggest what you forgot, and you accept "
            "or decline each suggestion."
        ),
        section(
            "*Candidate-Market Fit*: one sentence that says where you fit, from three or four "
            "attributes: company stage, industry, level / role / function, culture. Post it "
            f"and your council signs it off with :{SIGNOFF_EMOJI}:; revise it as the market "
            "answers."
        ),
        section(
            "*Commands*\n"
            "`/fit`  shows your current versions, only to you, with Edit and Post buttons.\n"
            "`/fit twopager`  opens the Two-Pager form.\n"
            "`/fit cmf`  opens the Candidate-Market Fit form.\n"
            "`/fit history`  lists your earlier versions.\n"
            "`/fit help`  shows this guide.\n"
            "Type `/fit` in your council's private channel to post there. Every save is a new "
            "version; earlier ones are kept."
        ),
        context(":lock: What you write is encrypted at rest and goes only where you post it."),
    ]
    return dicts(blocks)


def history_blocks(two_pagers: Sequence[TwoPager], statements: Sequence[Statement]) -> list[dict]:
    blocks: list[Block] = [header("Your earlier versions")]
    if not two_pagers and not statements:
        blocks.append(section("Nothing saved yet. `/fit twopager` and `/fit cmf` start them."))
    for two_pager in two_pagers:
        date = two_pager.created_at.date().isoformat()
        wants = ", ".join(two_pager.wants)
        dont = ", ".join(two_pager.dont_wants)
        blocks.append(
            section(
                f"*Two-Pager v{two_pager.number}* ({date})\n"
                f"Want: {esc(wants, 1200)}\nDon't want: {esc(dont, 1200)}"
            )
        )
    for statement in statements:
        date = statement.created_at.date().isoformat()
        blocks.append(
            section(
                f"*Candidate-Market Fit v{statement.number}* ({date})\n{_sentence(statement)}\n"
                f"{signoff_text(statement.signoff)}"
            )
        )
    blocks.append(context(_PRIVATE))
    return dicts(blocks[:50])


# --- the modals ---------------------------------------------------------------------------------


def two_pager_modal(*, initial: TwoPager | None, private_metadata: str) -> dict:
    hint = f"One per line, up to {ITEMS_MAX} items of {ITEM_MAX} characters each."
    blocks: list[Block] = [
        section(
            "What you want in your next role, and what you don't: be concrete (the team, the "
            "work, the manager, the hours, the pay). Your council will add what you forgot."
        ),
        text_input(
            FIELD_WANTS,
            "What I want",
            max_length=3000,
            multiline=True,
            initial="\n".join(initial.wants) if initial else "",
            hint=hint,
        ),
        text_input(
            FIELD_DONT_WANTS,
            "What I don't want",
            max_length=3000,
            multiline=True,
            initial="\n".join(initial.dont_wants) if initial else "",
            hint=hint,
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_TWO_PAGER,
        title=plain("Your Two-Pager", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        private_metadata=private_metadata,
        blocks=blocks,
    ).to_dict()


def attribute_grid() -> str:
    """The four attributes with examples: guidance shown above the statement form."""
    return "\n".join(f"*{label}*: e.g. {examples}" for _key, label, examples in ATTRIBUTES)


def statement_modal(*, initial: Statement | None, private_metadata: str) -> dict:
    blocks: list[Block] = [
        section(
            "Fill in at least three of the four attributes, then write the one sentence that "
            "joins them: where you fit.\n" + attribute_grid()
        ),
    ]
    for key, label, examples in ATTRIBUTES:
        blocks.append(
            text_input(
                ATTRIBUTE_FIELDS[key],
                label,
                max_length=ATTRIBUTE_MAX,
                initial=(initial.attributes.get(key, "") if initial else ""),
                placeholder=f"e.g. {examples}",
                optional=True,
            )
        )
    blocks.append(
        text_input(
            FIELD_SENTENCE,
            "Your Candidate-Market Fit, in one sentence",
            max_length=SENTENCE_MAX,
            multiline=True,
            initial=initial.sentence if initial else "",
            placeholder="e.g. A senior PM for a Series B fintech with a remote-first culture",
        )
    )
    return View(
        type="modal",
        callback_id=CALLBACK_STATEMENT,
        title=plain("Candidate-Market Fit", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        private_metadata=private_metadata,
        blocks=blocks,
    ).to_dict()


def suggest_modal(*, owner_id: str, private_metadata: str) -> dict:
    blocks: list[Block] = [
        section(
            f"What did {mention(owner_id)} forget? They'll see your suggestion privately and "
            "decide whether it goes on their Two-Pager."
        ),
        InputBlock(
            block_id=FIELD_SUGGEST_LIST,
            label=plain("Which list", 2000),
            element=RadioButtonsElement(
                action_id=FIELD_SUGGEST_LIST,
                options=[option(key, label) for key, label in LISTS],
            ),
        ),
        text_input(
            FIELD_SUGGEST_ITEM, "The item", max_length=ITEM_MAX, hint=f"One line, up to {ITEM_MAX}."
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_SUGGEST,
        title=plain("Suggest an addition", 24),
        submit=plain("Suggest", 24),
        close=plain("Cancel", 24),
        private_metadata=private_metadata,
        blocks=blocks,
    ).to_dict()


def notice_modal(text: str, *, title: str = "Two-Pager") -> dict:
    return View(
        type="modal",
        title=plain(title, 24),
        close=plain("Close", 24),
        blocks=[section(text)],
    ).to_dict()


# --- in the council channel ---------------------------------------------------------------------


def two_pager_post(two_pager: TwoPager) -> tuple[str, list[dict]]:
    who = mention(two_pager.user_id)
    blocks: list[Block] = [
        section(f":page_facing_up: {who}'s *Two-Pager* (version {two_pager.number})"),
        *_two_pager_blocks(two_pager),
        context(f"What did {who} forget? *Suggest an addition*: they see it privately and decide."),
        ActionsBlock(
            elements=[
                button("Suggest an addition", ACTION_SUGGEST, str(two_pager.id), style="primary"),
                button("Edit", ACTION_EDIT_TWO_PAGER, str(two_pager.id)),
                *review_buttons(SUBJECT_TWO_PAGER, two_pager.id),
            ]
        ),
    ]
    return f"Two-Pager from {who}", dicts(blocks)


def statement_post(statement: Statement) -> tuple[str, list[dict]]:
    who = mention(statement.user_id)
    blocks: list[Block] = [
        section(f":dart: {who}'s *Candidate-Market Fit* (version {statement.number})"),
        section(f"{_sentence(statement)}\n{_attribute_lines(statement)}"),
        context(
            f"*Legend:* :{SIGNOFF_EMOJI}: = I sign off: this says where {who} fits. "
            "Not yet? Say what you'd change in the thread."
        ),
        context(signoff_text(statement.signoff)),
        ActionsBlock(
            elements=[
                button("Edit", ACTION_EDIT_STATEMENT, str(statement.id)),
                *review_buttons(SUBJECT_CMF, statement.id),
            ]
        ),
    ]
    return f"Candidate-Market Fit from {who}", dicts(blocks)


def posted_text(what: str) -> str:
    return f":white_check_mark: Posted your {what} to this channel."


# --- the suggestion, in the author's DM ---------------------------------------------------------


def suggestion_dm(suggestion: Suggestion) -> tuple[str, list[dict]]:
    where = LIST_LABELS.get(suggestion.list_key, suggestion.list_key)
    blocks: list[Block] = [
        section(
            f":bulb: {mention(suggestion.user_id)} suggests adding to *{where}* on your "
            f"Two-Pager:\n>{esc(suggestion.item, ITEM_MAX + 50)}"
        ),
        ActionsBlock(
            elements=[
                button("Accept", ACTION_ACCEPT, str(suggestion.id), style="primary"),
                button("Decline", ACTION_DECLINE, str(suggestion.id)),
            ]
        ),
    ]
    return "A suggestion for your Two-Pager", dicts(blocks)


def decided_dm(suggestion: Suggestion, *, version: int | None) -> tuple[str, list[dict]]:
    where = LIST_LABELS.get(suggestion.list_key, suggestion.list_key)
    item = esc(suggestion.item, ITEM_MAX + 50)
    if suggestion.status == ACCEPTED:
        text = f":white_check_mark: Added to *{where}*: {item}"
        if version is not None:
            text += f" (version {version}; the posted Two-Pager shows it)."
    else:
        text = f"Declined: {item}. Your Two-Pager stays as it was."
    return "Suggestion answered", dicts([section(text)])


def answered_text(suggestion: Suggestion) -> str:
    """What the member who suggested hears back: no item text (it is in the author's list
    now, or nowhere), so this DM holds nothing an erase would have to find."""
    who = mention(suggestion.owner_id)
    if suggestion.status == ACCEPTED:
        return f":white_check_mark: {who} added your suggestion to their Two-Pager. Thank you."
    return f"{who} read your suggestion and left it off their Two-Pager this time. Thank you."


def suggested_text(owner_id: str) -> str:
    return f":white_check_mark: Sent to {mention(owner_id)}; they decide whether it goes on."


# --- App Home -----------------------------------------------------------------------------------


def home_section(
    two_pager: TwoPager | None, statement: Statement | None, *, pending: int = 0
) -> list[dict]:
    """The member's Two-Pager (counts and first items), suggestions waiting for them, and
    their CMF sentence; nothing until one is written."""
    if two_pager is None and statement is None:
        return []
    lines = [":compass: *Your fit*"]
    if two_pager is not None:
        first = ", ".join(two_pager.wants[:2])
        lines.append(
            f"Two-Pager v{two_pager.number}: {len(two_pager.wants)} wants, "
            f"{len(two_pager.dont_wants)} don't-wants (first: {esc(first, 200)})"
        )
        if pending:
            lines.append(f":inbox_tray: {pending} suggestion(s) from your council wait in our DM.")
    if statement is not None:
        lines.append(f"Candidate-Market Fit v{statement.number}: {esc(statement.sentence, 400)}")
        lines.append(signoff_text(statement.signoff))
    lines.append("Type `/fit` to see or change them.")
    return [*dicts([section("\n".join(lines))]), {"type": "divider"}]
