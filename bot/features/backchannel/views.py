"""Block Kit for back-channel checklists: the DM checklist, its modals, the shared summary.

Pure functions from domain objects to Block Kit dicts, built with `slack_sdk.models`.
Every piece of member-typed text (company, the manager's and people's names, how they know
the manager, notes, the question to the council) goes through `esc` before it lands in
mrkdwn. People on a checklist are never mentioned in a channel: a shared summary names them
(as text) only when the member asks for it, and never carries notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    BlockElement,
    CheckboxesElement,
    ConfirmObject,
    DividerBlock,
    InputBlock,
    RadioButtonsElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.features.backchannel.rules import (
    ASK_MAX,
    COMPANY_MAX,
    FIELD_ASK,
    FIELD_COMPANY,
    FIELD_COUNCIL,
    FIELD_INCLUDE,
    FIELD_MANAGER,
    FIELD_NAME,
    FIELD_NOTES,
    FIELD_RELATION,
    FIELD_SEARCH,
    FIELD_SIGNAL,
    FIELD_SLACK_USER,
    FIELD_STATUS,
    INCLUDE_NAMES,
    MANAGER_MAX,
    MAX_PEOPLE,
    NAME_MAX,
    NOTES_MAX,
    PROMPTS,
    REFERENCE_TIP,
    RELATION_MAX,
    SIGNAL_AGAIN,
    SIGNAL_MIXED,
    SIGNAL_NONE,
    SIGNAL_NOT,
    SIGNALS,
    STATUS_ANSWERED,
    STATUS_ASKED,
    STATUS_TO_ASK,
    STATUSES,
    AnswerForm,
    Checklist,
    Person,
    PersonForm,
    StartForm,
    Summary,
    signal_label,
    status_label,
)
from bot.features.searches.rules import TYPED_COMPANY_HINT
from bot.platform.mrkdwn import escape, mention
from bot.platform.timezones import format_local
from bot.ui.blocks import (
    MESSAGE_MAX_BLOCKS,
    MODAL_TITLE_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    button,
    context,
    date_token,
    dicts,
    esc,
    header,
    listing,
    option,
    plain,
    section,
    state_selected,
    state_value,
    text_input,
)

# --- ids the handler listens for -------------------------------------------------------------

CALLBACK_START = "backchannel_start"
CALLBACK_ADD = "backchannel_add_person"
CALLBACK_ANSWER = "backchannel_answer"
CALLBACK_MANAGER = "backchannel_manager"
CALLBACK_SHARE = "backchannel_share"

ACTION_ADD = "backchannel_add"  # open the "add someone" modal (value: checklist id)
ACTION_ANSWER = "backchannel_record"  # open the answer modal (value: person id)
ACTION_REMOVE = "backchannel_remove"  # in the answer modal, after a confirm (value: person id)
ACTION_ASKED = "backchannel_asked"  # + "_<n>": the "who have you asked" checkboxes
ACTION_MANAGER = "backchannel_set_manager"  # value: checklist id
ACTION_SHARE = "backchannel_share_open"  # value: checklist id
ACTION_CLOSE = "backchannel_close"  # value: checklist id, after a confirm
ACTION_REOPEN = "backchannel_reopen"  # value: checklist id
ACTION_OPEN = "backchannel_open"  # show the checklist in the DM again (value: checklist id)

BLOCK_ASKED = "backchannel_asked"
CHECKBOXES_MAX = 10  # options per checkboxes element (Slack's limit)
LIST_MAX = 15
HOME_MAX = 5
NOTES_SHOWN = 300

_PRIVATE = ":lock: Only you can see this checklist."
_WHY = (
    "Interviews show you the company at its best. People who have worked with the hiring "
    "manager can tell you what it's like day to day, if you ask them informally."
)

STATUS_EMOJI = {
    STATUS_TO_ASK: ":small_blue_diamond:",
    STATUS_ASKED: ":hourglass_flowing_sand:",
    STATUS_ANSWERED: ":white_check_mark:",
}
SIGNAL_EMOJI = {
    SIGNAL_AGAIN: ":large_green_circle:",
    SIGNAL_MIXED: ":large_yellow_circle:",
    SIGNAL_NOT: ":red_circle:",
    SIGNAL_NONE: ":white_circle:",
}


def asked_action_id(index: int) -> str:
    return f"{ACTION_ASKED}_{index}"


def versioned(field: str, version: int) -> str:
    """Block ids change with each add, so Slack shows the inputs empty again."""
    return f"{field}_{version}"


def company_text(checklist: Checklist, limit: int = 200) -> str:
    return f"*{esc(checklist.company, limit)}*"


# --- reading modal state ------------------------------------------------------------------------


def read_start_form(state_values: Mapping[str, Any]) -> StartForm:
    return StartForm(
        search_id=state_value(state_values, FIELD_SEARCH),
        company=state_value(state_values, FIELD_COMPANY),
        manager=state_value(state_values, FIELD_MANAGER),
    )


def read_person_form(state_values: Mapping[str, Any], version: int) -> PersonForm:
    return PersonForm(
        name=state_value(state_values, versioned(FIELD_NAME, version)),
        relation=state_value(state_values, versioned(FIELD_RELATION, version)),
        slack_user_id=state_value(state_values, versioned(FIELD_SLACK_USER, version)),
    )


def read_answer_form(state_values: Mapping[str, Any]) -> AnswerForm:
    return AnswerForm(
        status=state_value(state_values, FIELD_STATUS),
        signal=state_value(state_values, FIELD_SIGNAL),
        notes=state_value(state_values, FIELD_NOTES),
    )


def read_manager(state_values: Mapping[str, Any]) -> str:
    return state_value(state_values, FIELD_MANAGER)


def read_share_form(state_values: Mapping[str, Any]) -> tuple[str, bool, str]:
    """(council id, include names, question for the council)."""
    return (
        state_value(state_values, FIELD_COUNCIL),
        INCLUDE_NAMES in state_selected(state_values, FIELD_INCLUDE),
        state_value(state_values, FIELD_ASK),
    )


# --- small builders -----------------------------------------------------------------------------


def _modal(
    *,
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    private_metadata: str,
    submit: str | None = None,
    close: str = "Cancel",
) -> dict:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, MODAL_TITLE_MAX),
        submit=plain(submit, MODAL_TITLE_MAX) if submit else None,
        close=plain(close, MODAL_TITLE_MAX),
        blocks=list(blocks),
        private_metadata=private_metadata,
    )
    return view.to_dict()


def _pack(lines: Sequence[str], *, title: str = "") -> list[Block]:
    """Lines (already escaped) packed into as few sections as fit Slack's 3000 characters."""
    blocks: list[Block] = []
    current = title
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > SECTION_TEXT_MAX and current:
            blocks.append(section(current))
            candidate = line
        current = candidate
    if current:
        blocks.append(section(current))
    return blocks


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _day(when: datetime) -> str:
    """Slack's date token: each reader sees the day in their own zone."""
    return date_token(when.timestamp(), format_local(when, "UTC").split(",")[0])


# --- progress and counts ------------------------------------------------------------------------


def progress_text(summary: Summary) -> str:
    """e.g. "4 people  ·  3 asked  ·  2 answered  ·  :large_green_circle: 1  ..." (bot text)."""
    if not summary.people:
        return "No one on the list yet."
    parts = [
        _plural(summary.people, "person", "people"),
        f"{summary.asked} asked",
        f"{summary.answered} answered",
    ]
    if summary.answered:
        parts.append(
            "  ".join(
                f"{SIGNAL_EMOJI[value]} {summary.count(value)}"
                for value, _ in SIGNALS
                if summary.count(value)
            )
        )
    return "  ·  ".join(parts)


def signal_counts(summary: Summary) -> str:
    """One line per signal, with its count: what a shared summary shows."""
    return "\n".join(
        f"{SIGNAL_EMOJI[value]} {label}: *{summary.count(value)}*" for value, label in SIGNALS
    )


def prompts_text() -> str:
    lines = [f"•  *{title}:* {question}" for title, question in PROMPTS]
    return "*What to ask them*\n" + "\n".join(lines)


# --- the checklist (DM) -------------------------------------------------------------------------


def _person_text(person: Person) -> str:
    text = f"{STATUS_EMOJI.get(person.status, '')} *{esc(person.name, 200)}*"
    if person.slack_user_id:
        text += f" ({mention(person.slack_user_id)})"
    if person.relation:
        text += f"  ·  {esc(person.relation, 400)}"
    state = status_label(person.status)
    if person.status == STATUS_ASKED and person.asked_at is not None:
        state = f"Asked {_day(person.asked_at)}, waiting to hear back"
    elif person.status == STATUS_ANSWERED:
        state = f"Answered: {SIGNAL_EMOJI[person.signal]} {signal_label(person.signal)}"
    text += f"\n{state}"
    if person.notes:
        text += f"\n_Your notes:_ {esc(person.notes, NOTES_SHOWN)}"
    return text


def asked_block_id(checklist_id: int) -> str:
    return f"{BLOCK_ASKED}_{checklist_id}"


def _asked_checkboxes(checklist: Checklist) -> list[Block]:
    """ "Who have you asked?": one checkbox per person not answered yet, ten per element."""
    open_people = [p for p in checklist.people if p.status != STATUS_ANSWERED]
    if not open_people:
        return []
    elements = []
    for index in range(0, len(open_people), CHECKBOXES_MAX):
        chunk = open_people[index : index + CHECKBOXES_MAX]
        options = {p.id: option(str(p.id), p.name) for p in chunk}
        ticked = [options[p.id] for p in chunk if p.status == STATUS_ASKED]
        elements.append(
            CheckboxesElement(
                action_id=asked_action_id(index // CHECKBOXES_MAX),
                options=list(options.values()),
                initial_options=ticked or None,
            )
        )
    return [
        context(
            "*Who have you asked?* Tick them off. If someone hasn't answered in three days, "
            "I'll remind you once."
        ),
        ActionsBlock(block_id=asked_block_id(checklist.id), elements=elements),
    ]


def checklist_message(checklist: Checklist) -> tuple[str, list[dict]]:
    """The private checklist in the member's DM: manager, people, prompts, buttons."""
    if not checklist.is_open:
        return closed_message(checklist)
    value = str(checklist.id)
    fallback = f"Your back-channel checklist: {esc(checklist.company, 300)}"
    manager = (
        f"*Hiring manager:* {esc(checklist.manager_name, 300)}"
        if checklist.manager_name
        else "*Hiring manager:* _not noted yet_"
    )
    blocks: list[Block] = [
        header(f"Back-channel: {checklist.company}"),
        section(
            manager,
            accessory=button(
                "Change" if checklist.manager_name else "Add their name", ACTION_MANAGER, value
            ),
        ),
        context(progress_text(checklist.summary())),
        DividerBlock(),
    ]
    if not checklist.people:
        blocks.append(
            section(
                "_No one yet._ Who has worked with this manager? Think of people who reported "
                "to them, worked beside them, or managed them; a mutual contact can often "
                "introduce you."
            )
        )
    for person in checklist.people[:MAX_PEOPLE]:
        label = "Edit answer" if person.status == STATUS_ANSWERED else "Record answer"
        blocks.append(
            section(_person_text(person), accessory=button(label, ACTION_ANSWER, str(person.id)))
        )
    blocks.extend(_asked_checkboxes(checklist))
    blocks.append(DividerBlock())
    blocks.append(section(prompts_text()))
    blocks.append(
        ActionsBlock(
            elements=[
                button("Add someone to ask", ACTION_ADD, value, style="primary"),
                button("Share a summary", ACTION_SHARE, value),
                button(
                    "Close checklist",
                    ACTION_CLOSE,
                    value,
                    confirm=ConfirmObject(
                        title=plain("Close this checklist?", 100),
                        text=plain(
                            "It stays saved and you can reopen it with /backchannel. Pending "
                            "follow-up reminders are called off.",
                            300,
                        ),
                        confirm=plain("Close it", 30),
                        deny=plain("Keep it open", 30),
                    ),
                ),
            ]
        )
    )
    blocks.append(
        context(
            f"{_PRIVATE} Sharing a summary sends your council counts only, unless you choose "
            "to add names; your notes are never shared."
        )
    )
    if len(blocks) > MESSAGE_MAX_BLOCKS:  # cannot happen: 25 people at most
        raise ValueError(f"checklist message has {len(blocks)} blocks")
    return fallback, dicts(blocks)


def closed_message(checklist: Checklist) -> tuple[str, list[dict]]:
    fallback = f"Closed: your back-channel checklist for {esc(checklist.company, 300)}"
    blocks: list[Block] = [
        section(
            f":file_folder: *Closed: your back-channel checklist for {company_text(checklist)}*\n"
            + progress_text(checklist.summary()),
            accessory=button("Reopen", ACTION_REOPEN, str(checklist.id)),
        ),
        context(f"{_PRIVATE} Everything you noted is kept."),
    ]
    return fallback, dicts(blocks)


def moved_message(checklist: Checklist) -> tuple[str, list[dict]]:
    """What an older copy of the checklist turns into when it is shown again below."""
    text = (
        f":arrow_down: Your checklist for {company_text(checklist)} moved to a newer message below."
    )
    return text, dicts([section(text)])


def opened_note(checklist: Checklist, permalink: str | None, *, created: bool, dm_link: str) -> str:
    """The private note where `/backchannel` was typed: the checklist is in the DM, linked
    (the message itself when its permalink is known, else the DM: `dm_link`)."""
    where = f"<{escape(permalink or dm_link)}|in our DM>"
    if created:
        return (
            f":white_check_mark: Started your back-channel checklist for "
            f"{company_text(checklist)}: it's {where}."
        )
    return f":card_index: Your back-channel checklist for {company_text(checklist)} is {where}."


def not_sent_text(reason: str) -> str:
    return (
        ":warning: Your checklist is saved, but I couldn't send it to our DM just now "
        f"(Slack said: {escape(reason)}). Nothing is lost: type `/backchannel list` in a "
        "moment to open it again."
    )


# --- the start modal ----------------------------------------------------------------------------


def start_modal(*, searches: Sequence[tuple[int, str]], private_metadata: str) -> dict:
    """Pick one of the member's searches (or type a company) and, if known, the manager."""
    blocks: list[Block] = [
        section(
            f"{_WHY} Pick the search and I'll keep a private checklist in our DM: who to "
            "ask, what they said, and what to ask them."
        )
    ]
    options = [option(str(sid), company) for sid, company in searches[:100]]
    if options:
        blocks.append(
            InputBlock(
                block_id=FIELD_SEARCH,
                label=plain("Company", 2000),
                element=StaticSelectElement(
                    action_id=FIELD_SEARCH,
                    options=options,
                    placeholder=plain("One of your searches", PLACEHOLDER_MAX),
                ),
                optional=True,
            )
        )
    blocks.append(
        text_input(
            FIELD_COMPANY,
            "…or a new company" if options else "Company",
            max_length=COMPANY_MAX,
            placeholder="e.g. Acme Robotics",
            hint=TYPED_COMPANY_HINT if options else None,
            optional=bool(options),
        )
    )
    blocks.append(
        text_input(
            FIELD_MANAGER,
            "Hiring manager's name",
            max_length=MANAGER_MAX,
            placeholder="e.g. Dana Reyes",
            hint="Optional; you can add or change it later.",
            optional=True,
        )
    )
    blocks.append(context(_PRIVATE.replace("this checklist", "the checklist")))
    return _modal(
        callback_id=CALLBACK_START,
        title="Back-channel checklist",
        submit="Open checklist",
        blocks=blocks,
        private_metadata=private_metadata,
    )


# --- adding someone -----------------------------------------------------------------------------


def person_modal(
    *,
    checklist: Checklist,
    version: int,
    private_metadata: str,
    added: str | None = None,
    problem: str | None = None,
) -> dict:
    """Add someone to ask; after each add the modal comes back empty, saying who was added
    (and, when Slack refused to refresh the checklist message, that it is saved anyway)."""
    blocks: list[Block] = []
    if added:
        blocks.append(
            section(
                f":white_check_mark: Added *{esc(added, 200)}*. Add someone else, or press Done."
            )
        )
    if problem:
        blocks.append(
            context(
                f":warning: It's saved, but I couldn't refresh your checklist in our DM "
                f"(Slack said: {escape(problem)}). It catches up with your next change."
            )
        )
    blocks.append(
        section(
            f"Someone who has worked with the hiring manager at {company_text(checklist)}: "
            "a former report, a peer, a previous boss."
        )
    )
    left = MAX_PEOPLE - len(checklist.people)
    blocks.append(
        context(
            f"{_plural(len(checklist.people), 'person', 'people')} on the list; "
            f"room for {left} more."
        )
    )
    blocks.append(
        text_input(
            versioned(FIELD_NAME, version),
            "Their name",
            max_length=NAME_MAX,
            placeholder="e.g. Sam Okafor",
        )
    )
    blocks.append(
        text_input(
            versioned(FIELD_RELATION, version),
            "How they know the manager",
            max_length=RELATION_MAX,
            placeholder="e.g. reported to them at Initech for two years",
            optional=True,
        )
    )
    blocks.append(
        InputBlock(
            block_id=versioned(FIELD_SLACK_USER, version),
            label=plain("Are they in this Slack?", 2000),
            element=UserSelectElement(
                action_id=versioned(FIELD_SLACK_USER, version),
                placeholder=plain("Pick them, if so", PLACEHOLDER_MAX),
            ),
            hint=plain(
                "Only so you can message them from your checklist. They're never told.", 2000
            ),
            optional=True,
        )
    )
    return _modal(
        callback_id=CALLBACK_ADD,
        title="Add someone to ask",
        submit="Add",
        close="Done",
        blocks=blocks,
        private_metadata=private_metadata,
    )


# --- recording an answer ------------------------------------------------------------------------


def answer_modal(*, person: Person, checklist: Checklist, private_metadata: str) -> dict:
    """Status, signal and private notes for one person, and a way to remove them."""
    about = f"*{esc(person.name, 200)}*"
    if person.relation:
        about += f"  ·  {esc(person.relation, 400)}"
    about += f"\nAbout the hiring manager at {company_text(checklist)}"
    status_options = [option(value, label) for value, label in STATUSES]
    # "Record answer" is pressed to record one: answered is the likely choice.
    status = person.status if person.status == STATUS_ANSWERED else STATUS_ANSWERED
    signal_options = [option(value, label) for value, label in SIGNALS]
    blocks: list[Block] = [
        section(about),
        InputBlock(
            block_id=FIELD_STATUS,
            label=plain("Where are you with them?", 2000),
            element=RadioButtonsElement(
                action_id=FIELD_STATUS,
                options=status_options,
                initial_option=next(o for o in status_options if o.value == status),
            ),
        ),
        InputBlock(
            block_id=FIELD_SIGNAL,
            label=plain("Would they work with the manager again?", 2000),
            element=RadioButtonsElement(
                action_id=FIELD_SIGNAL,
                options=signal_options,
                initial_option=next(
                    (o for o in signal_options if o.value == person.signal), signal_options[-1]
                ),
            ),
            hint=plain("The direct question tends to get the most honest answer.", 2000),
        ),
        text_input(
            FIELD_NOTES,
            "Your notes",
            max_length=NOTES_MAX,
            initial=person.notes,
            multiline=True,
            placeholder="What they said about pressure, growth, why people left…",
            hint="Only you ever see these. They're never part of a shared summary.",
            optional=True,
        ),
        DividerBlock(),
        ActionsBlock(
            elements=[
                button(
                    "Remove from checklist",
                    ACTION_REMOVE,
                    str(person.id),
                    style="danger",
                    confirm=ConfirmObject(
                        title=plain("Remove this person?", 100),
                        text=plain(
                            f"{person.name} and your notes about them will be deleted.", 300
                        ),
                        confirm=plain("Remove", 30),
                        deny=plain("Keep", 30),
                        style="danger",
                    ),
                )
            ]
        ),
    ]
    return _modal(
        callback_id=CALLBACK_ANSWER,
        title="Their answer",
        submit="Save",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def removed_modal(name: str) -> dict:
    """What the answer modal turns into once the person is removed."""
    return _modal(
        callback_id=CALLBACK_ANSWER,
        title="Removed",
        close="Done",
        blocks=[
            section(f":wastebasket: *{esc(name, 200)}* is off your checklist, with your notes.")
        ],
        private_metadata="{}",
    )


def notice_modal(text: str, *, title: str = "Back-channel") -> dict:
    """A short, closable notice in a modal (bot text, escaped)."""
    return _modal(
        callback_id=CALLBACK_SHARE,
        title=title,
        close="Done",
        blocks=[section(escape(text))],
        private_metadata="{}",
    )


def manager_modal(*, checklist: Checklist, private_metadata: str) -> dict:
    blocks: list[Block] = [
        section(f"Who would you report to at {company_text(checklist)}?"),
        text_input(
            FIELD_MANAGER,
            "Hiring manager's name",
            max_length=MANAGER_MAX,
            initial=checklist.manager_name,
            placeholder="e.g. Dana Reyes",
            hint="Leave it empty to remove the name.",
            optional=True,
        ),
    ]
    return _modal(
        callback_id=CALLBACK_MANAGER,
        title="Hiring manager",
        submit="Save",
        blocks=blocks,
        private_metadata=private_metadata,
    )


# --- sharing ------------------------------------------------------------------------------------


def _channel_label(name: str, channel_id: str) -> str:
    return f"#{name}" if name else channel_id


def share_modal(
    *,
    checklist: Checklist,
    councils: Sequence[tuple[int, str, str]],
    chosen: int | None,
    private_metadata: str,
    include_names: bool = False,
    ask: str = "",
    problem: str | None = None,
) -> dict:
    """Pick the council (council id, channel id, name), names or not, an optional question.

    Shown again with `problem` (and the member's choices) when posting did not work.
    """
    summary = checklist.summary()
    options = [option(str(cid), _channel_label(name, ch)) for cid, ch, name in councils[:100]]
    initial = next((o for o in options if o.value == str(chosen)), options[0] if options else None)
    include = option(
        INCLUDE_NAMES,
        "Include names",
        "People's names, how they know the manager, the manager's name",
    )
    blocks: list[Block] = []
    if problem:
        blocks.append(section(f":warning: {escape(problem)}"))
    blocks += [
        section(
            "Share how your back-channel is going, so your council can help you read it. "
            "Here is what they'll see:"
        ),
        section(progress_text(summary) + "\n" + signal_counts(summary)),
        InputBlock(
            block_id=FIELD_COUNCIL,
            label=plain("Council channel", 2000),
            element=StaticSelectElement(
                action_id=FIELD_COUNCIL,
                options=options,
                initial_option=initial,
                placeholder=plain("Where your council meets", PLACEHOLDER_MAX),
            ),
        ),
        InputBlock(
            block_id=FIELD_INCLUDE,
            label=plain("Names", 2000),
            element=CheckboxesElement(
                action_id=FIELD_INCLUDE,
                options=[include],
                initial_options=[include] if include_names else None,
            ),
            hint=plain("Left unticked, the summary has counts only.", 2000),
            optional=True,
        ),
        text_input(
            FIELD_ASK,
            "A question for your council",
            max_length=ASK_MAX,
            initial=ask,
            multiline=True,
            placeholder="e.g. Two mixed answers: am I reading too much into them?",
            optional=True,
        ),
        context(":lock: Your private notes are never shared."),
    ]
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Share a summary",
        submit="Share",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def sharing_modal(channel_label: str) -> dict:
    """The share modal while the summary is being posted."""
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Sharing",
        close="Close",
        blocks=[section(f":hourglass_flowing_sand: Posting your summary to {esc(channel_label)}…")],
        private_metadata="{}",
    )


def _named_line(person: Person) -> str:
    who = f"*{esc(person.name, 100)}*"
    if person.relation:
        who += f" ({esc(person.relation, 150)})"
    if person.status == STATUS_ANSWERED:
        state = f"{SIGNAL_EMOJI[person.signal]} {signal_label(person.signal).lower()}"
    elif person.status == STATUS_ASKED:
        state = "asked, no answer yet"
    else:
        state = "not asked yet"
    return f"•  {who}: {state}"


def summary_message(
    *, checklist: Checklist, include_names: bool, ask: str = ""
) -> tuple[str, list[dict]]:
    """The summary in the council channel. Counts only, unless `include_names`; never notes.

    People are named as text, never mentioned: nobody on the list is pinged or told.
    """
    summary = checklist.summary()
    fallback = f"Back-channel summary: {esc(checklist.company, 300)}"
    about = f"by {mention(checklist.user_id)}"
    if include_names and checklist.manager_name:
        about += f"  ·  hiring manager: {esc(checklist.manager_name, 200)}"
    blocks: list[Block] = [
        header(f"Back-channel check: {checklist.company}"),
        context(about),
        section(progress_text(summary) + "\n" + signal_counts(summary)),
    ]
    if include_names and checklist.people:
        blocks.extend(
            _pack([_named_line(p) for p in checklist.people[:MAX_PEOPLE]], title="*Who said what*")
        )
    question = ask.strip()
    if question:
        title = "*Their question for you*\n"
        blocks.append(section(title + esc(question, SECTION_TEXT_MAX - len(title))))
    privacy = (
        "Names shared by choice; private notes stay private."
        if include_names
        else "Names and private notes stay private."
    )
    blocks.append(
        context(f":speech_balloon: Reply in the thread to help read the signals.  :lock: {privacy}")
    )
    return fallback, dicts(blocks)


def shared_modal(*, channel_label: str, permalink: str | None, include_names: bool) -> dict:
    """The share modal after posting: where it went and what it held."""
    where = f"<{escape(permalink)}|{esc(channel_label)}>" if permalink else esc(channel_label)
    what = "with names, without your notes" if include_names else "counts only, no names or notes"
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Shared",
        close="Done",
        blocks=[section(f":white_check_mark: Posted to {where} ({what}).")],
        private_metadata="{}",
    )


def no_council_text() -> str:
    return (
        "I don't know your council's channel yet. Type `/backchannel` (or any of my "
        "commands) once in your council's private channel, then share from here. "
        "Nothing has been shared."
    )


# --- the follow-up ------------------------------------------------------------------------------


def followup_message(*, person: Person, checklist: Checklist) -> tuple[str, list[dict]]:
    """The one follow-up DM, three days after asking someone who hasn't answered."""
    name = esc(person.name, 200)
    fallback = f"Heard back from {name}?"
    blocks: list[Block] = [
        section(
            f":telephone_receiver: *Heard back from {name}?*\n"
            f"A few days ago you asked them about the hiring manager at {company_text(checklist)}. "
            "If they answered, note what they said while it's fresh. If not, one short, "
            "friendly nudge is fine; people are busy, and silence isn't a verdict."
        ),
        ActionsBlock(
            elements=[
                button("Record their answer", ACTION_ANSWER, str(person.id), style="primary"),
                button("Open my checklist", ACTION_OPEN, str(checklist.id)),
            ]
        ),
        context(":lock: This is the only reminder about them you'll get."),
    ]
    return fallback, dicts(blocks)


# --- list, Home, help ---------------------------------------------------------------------------


def _checklist_line(checklist: Checklist) -> str:
    text = company_text(checklist)
    if checklist.manager_name:
        text += f"  ·  hiring manager {esc(checklist.manager_name, 200)}"
    return f"{text}\n{progress_text(checklist.summary())}"


def list_message(checklists: Sequence[Checklist], *, note: str | None = None) -> list[dict]:
    """`/backchannel list`: the member's open checklists, each with a button (ephemeral)."""
    blocks: list[Block] = []
    if note:
        blocks.append(section(note))
    blocks.append(section("*Your open back-channel checklists*"))
    blocks.extend(
        listing(
            _open_buttons(checklists),
            empty="None open. Type `/backchannel` to start one for one of your searches, "
            "here or in our DM.",
            limit=LIST_MAX,
        )
    )
    blocks.append(context(":lock: Only you can see this."))
    return dicts(blocks)


def home_section(checklists: Sequence[Checklist]) -> list[dict]:
    """The back-channel part of the App Home tab: open checklists."""
    blocks: list[Block] = [header("Back-channel checklists")]
    blocks.extend(
        listing(
            _open_buttons(checklists),
            empty="None open. Near an offer? Type `/backchannel` to plan quiet conversations "
            "with people who've worked with the hiring manager.",
            limit=HOME_MAX,
            more=" in `/backchannel list`",
        )
    )
    return dicts(blocks)


def _open_buttons(checklists: Sequence[Checklist]) -> list[tuple[str, BlockElement | None]]:
    return [(_checklist_line(c), button("Open in DM", ACTION_OPEN, str(c.id))) for c in checklists]


def prompts_blocks() -> list[dict]:
    """`/backchannel prompts`: the questions, and the tip about the member's own references."""
    blocks: list[Block] = [
        section(prompts_text()),
        section(f"*The flip side: your own references*\n{REFERENCE_TIP}"),
    ]
    return dicts(blocks)


def help_blocks() -> list[dict]:
    """`/backchannel help`: the commands, the checklist, the prompts, sharing and privacy."""
    blocks: list[Block] = [
        header("Back-channel references"),
        section(
            f"{_WHY} Most worth doing for a senior role, or once an offer is close. The most "
            "useful single question: would you work with them again?"
        ),
        section(
            "*Commands*\n"
            "`/backchannel`  starts or opens the checklist for one of your searches (pick "
            "it, or type a new company). Works in your council channel or in our DM.\n"
            "`/backchannel list`  shows your open checklists.\n"
            "`/backchannel prompts`  shows the questions to ask and a tip on your own "
            "references.\n"
            "`/backchannel help`  shows this guide."
        ),
        section(
            "*The checklist*\n"
            "It lives in our DM. Note the hiring manager's name and add up to "
            f"{MAX_PEOPLE} people to ask: their name, how they know the manager and, if "
            "they're in this Slack, their account. Tick people off as you ask them. "
            "*Record answer* keeps where you are with each person, their signal (would work "
            "with the manager again, mixed, would not, or no clear signal) and your private "
            "notes. *Close checklist* puts it away; `/backchannel` reopens it."
        ),
        section(prompts_text()),
        section(
            "*One reminder, never more*\n"
            "Three days after you tick someone as asked, if they haven't answered, I'll "
            "send you one follow-up at 10:00 your time (never between 21:00 and 08:00). "
            "Recording their answer first calls it off."
        ),
        section(
            "*Sharing with your council*\n"
            "*Share a summary* posts to your council's private channel: how many people "
            "you asked, how many answered and the count of each signal. Names (and how each "
            "person knows the manager) only if you tick *Include names*. Your notes are "
            "never shared, and nobody on your list is mentioned or told."
        ),
        section(f"*The flip side: your own references*\n{REFERENCE_TIP}"),
        context(":lock: Your checklists are private to you until you share a summary."),
    ]
    return dicts(blocks)
