"""Block Kit for the Listening Tour: the private `/tour` view, its modals, the shared takeaway.

Pure functions from domain objects to Block Kit dicts, built with `slack_sdk.models`. Every
piece of member-typed text (a person's name, what was heard, the takeaway) goes through
`esc` before it lands in mrkdwn. A takeaway shared with the council carries the takeaway,
the kind only if ticked, and the person's name (as text, never a mention) only if ticked;
what was heard is never shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.features.tour.rules import (
    CMF_HINT_BEFORE,
    FIELD_COUNCIL,
    FIELD_DATE,
    FIELD_HEARD,
    FIELD_INCLUDE,
    FIELD_KIND,
    FIELD_NAME,
    FIELD_TAKEAWAY,
    FIELD_THANKS,
    GOLDEN_QUESTION,
    HEARD_MAX,
    INCLUDE_KIND,
    INCLUDE_NAME,
    KIND_NETWORK,
    KIND_RECRUITER,
    KIND_REVERSE_EXIT,
    KINDS,
    NAME_MAX,
    TAKEAWAY_MAX,
    THANKS_OPTION,
    Conversation,
    MonthlyNote,
    Progress,
    RawConversation,
    ShareChoice,
)
from bot.platform.mrkdwn import escape, mention
from bot.ui.blocks import (
    MODAL_TITLE_MAX,
    PLACEHOLDER_MAX,
    button,
    context,
    dicts,
    esc,
    header,
    option,
    plain,
    section,
    state_selected,
    state_value,
    text_input,
)

# --- ids the handler listens for ----------------------------------------------------------------

CALLBACK_LOG = "tour_log"
CALLBACK_SHARE = "tour_share"

ACTION_LOG = "tour_log_open"  # open the log modal
ACTION_PROMPTS = "tour_prompts"  # show the prompts per kind
ACTION_SHARE = "tour_share_open"  # open the share modal (value: conversation id)
ACTION_EDIT = "tour_edit_open"  # open the log modal on a logged one (value: conversation id)
ACTION_MONTHLY_SNOOZE = "tour_monthly_snooze"  # the monthly prompt again in a week
ACTION_MONTHLY_OFF = "tour_monthly_off"  # no more monthly prompts
ACTION_MONTHLY_ON = "tour_monthly_on"  # monthly prompts again

_PRIVATE = ":lock: Only you can see your Listening Tour."

# What to ask, per kind, in the bot's own words (the golden question goes in every one).
PROMPTS: Mapping[str, tuple[str, ...]] = {
    KIND_REVERSE_EXIT: (
        "When we worked together, what did I do that made the biggest difference?",
        "Where did I get in my own way?",
        "What kind of team or problem have you seen me do my best work on?",
        "If you were hiring for my next role, what would make you hesitate?",
    ),
    KIND_NETWORK: (
        "What are you seeing in the market for people like me right now?",
        "Which companies or teams would you look at in my place, and which would you avoid?",
        "Who else should I talk to? Would you introduce me?",
    ),
    KIND_RECRUITER: (
        "Where are people with my background landing at the moment?",
        "How would you describe me to a hiring manager, in one sentence?",
        "What in my story makes me harder to place?",
        "Which level and range look realistic to you?",
    ),
}
_KIND_INTROS: Mapping[str, str] = {
    KIND_REVERSE_EXIT: (
        "Former colleagues and managers: an exit interview in reverse, where you ask what "
        "it was like to work with you."
    ),
    KIND_NETWORK: "Friends, peers, people a step ahead: the wider network.",
    KIND_RECRUITER: "Recruiters see where people like you actually land.",
}
_KIND_EMOJI: Mapping[str, str] = {
    KIND_REVERSE_EXIT: ":leftwards_arrow_with_hook:",
    KIND_NETWORK: ":busts_in_silhouette:",
    KIND_RECRUITER: ":briefcase:",
}


def kind_label(kind: str) -> str:
    return dict(KINDS).get(kind, kind)


# --- reading forms ------------------------------------------------------------------------------


def read_log_form(state_values: Mapping[str, Any]) -> RawConversation:
    return RawConversation(
        name=state_value(state_values, FIELD_NAME),
        kind=state_value(state_values, FIELD_KIND),
        held_on=state_value(state_values, FIELD_DATE),
        heard=state_value(state_values, FIELD_HEARD),
        takeaway=state_value(state_values, FIELD_TAKEAWAY),
        thanks=THANKS_OPTION in state_selected(state_values, FIELD_THANKS),
    )


def read_share_form(state_values: Mapping[str, Any]) -> tuple[str, ShareChoice]:
    """(council id as sent, what to share besides the takeaway)."""
    ticked = state_selected(state_values, FIELD_INCLUDE)
    return state_value(state_values, FIELD_COUNCIL), ShareChoice(
        kind=INCLUDE_KIND in ticked, name=INCLUDE_NAME in ticked
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
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, MODAL_TITLE_MAX),
        submit=plain(submit, MODAL_TITLE_MAX) if submit else None,
        close=plain(close, MODAL_TITLE_MAX),
        blocks=list(blocks),
        private_metadata=private_metadata,
    ).to_dict()


def progress_line(progress: Progress) -> str:
    """ "5 of 12 conversations" (bot text)."""
    noun = "conversation" if progress.target == 1 else "conversations"
    return f"*{progress.total} of {progress.target}* {noun}"


def cmf_hint() -> str:
    return (
        ":compass: *You're close to the end of your tour.* Time to draft your "
        "*Candidate-Market Fit* statement: one sentence with 3-4 attributes (company stage, "
        "industry, level/role/function, culture) that says where you fit, built from what "
        "you heard. Bring it to your council for sign-off."
    )


def _conversation_line(conversation: Conversation) -> str:
    emoji = _KIND_EMOJI.get(conversation.kind, ":speech_balloon:")
    return (
        f"{emoji} *{esc(conversation.name, 100)}*  ·  {kind_label(conversation.kind)}  ·  "
        f"{conversation.held_on.isoformat()}\n_{esc(conversation.takeaway, 400)}_"
    )


# --- /tour --------------------------------------------------------------------------------------


def tour_message(progress: Progress, recent: Sequence[Conversation]) -> tuple[str, list[dict]]:
    """The member's tour, privately: progress, the three kinds, recent conversations."""
    fallback = f"Your Listening Tour: {progress.total} of {progress.target} conversations"
    kinds = "\n".join(
        f"{_KIND_EMOJI[kind]} {label}: {progress.count_of(kind)}" for kind, label in KINDS
    )
    blocks: list[Block] = [
        header("Your Listening Tour"),
        section(f"{progress_line(progress)} toward your target.\n{kinds}"),
    ]
    if progress.suggest_cmf:
        blocks.append(section(cmf_hint()))
    if recent:
        blocks.append(section("*Recent conversations*"))
        for conversation in recent:
            blocks.append(
                section(
                    _conversation_line(conversation),
                    accessory=button("Share takeaway", ACTION_SHARE, str(conversation.id)),
                )
            )
            blocks.append(
                ActionsBlock(
                    block_id=f"tour_conversation_{conversation.id}",
                    elements=[button("Edit", ACTION_EDIT, str(conversation.id))],
                )
            )
    else:
        blocks.append(
            section(
                "No conversations logged yet. Aim for about a dozen before settling on a "
                "direction: former colleagues, your wider network, recruiters. Ask each "
                f"one: _{GOLDEN_QUESTION}_"
            )
        )
    blocks += [
        ActionsBlock(
            elements=[
                button("Log a conversation", ACTION_LOG, "log", style="primary"),
                button("Prompts", ACTION_PROMPTS, "prompts"),
            ]
        ),
        context(f"{_PRIVATE} Share a takeaway with your council only when you choose."),
    ]
    return fallback, dicts(blocks)


def logged_text(
    conversation: Conversation, progress: Progress, *, thanks: bool, edited: bool = False
) -> str:
    """The note after logging or editing (escaped)."""
    if edited:
        return (
            f":pencil2: Updated your conversation with *{esc(conversation.name, 100)}*. A "
            "takeaway you shared before stays as the council saw it."
        )
    text = (
        f":white_check_mark: Logged your conversation with *{esc(conversation.name, 100)}*. "
        f"That's {progress_line(progress)} of your tour."
    )
    if thanks:
        text += " I'll remind you tomorrow to send a thank-you."
    return text


# --- the log modal ------------------------------------------------------------------------------


def log_modal(*, private_metadata: str, today: date, initial: Conversation | None = None) -> dict:
    """The log form; with `initial`, the same form filled in to edit that conversation."""
    kinds = [option(kind, label) for kind, label in KINDS]
    thanks = option(THANKS_OPTION, "Remind me tomorrow to send a thank-you")
    kind_chosen = next((o for o in kinds if initial and o.value == initial.kind), None)
    blocks: list[Block] = [
        text_input(
            FIELD_NAME,
            "Who did you talk to?",
            max_length=NAME_MAX,
            placeholder="e.g. Sam, my old team lead",
            initial=initial.name if initial else "",
        ),
        InputBlock(
            block_id=FIELD_KIND,
            label=plain("Kind of conversation", 2000),
            element=RadioButtonsElement(
                action_id=FIELD_KIND, options=kinds, initial_option=kind_chosen
            ),
        ),
        InputBlock(
            block_id=FIELD_DATE,
            label=plain("When", 2000),
            element=DatePickerElement(
                action_id=FIELD_DATE,
                initial_date=(initial.held_on if initial else today).isoformat(),
            ),
        ),
        text_input(
            FIELD_HEARD,
            "What you heard",
            max_length=HEARD_MAX,
            multiline=True,
            placeholder="Their words, as close as you remember them",
            optional=True,
            initial=initial.heard if initial else "",
        ),
        text_input(
            FIELD_TAKEAWAY,
            "Your takeaway, in one line",
            max_length=TAKEAWAY_MAX,
            placeholder="e.g. People see me as a builder more than a manager",
            hint="If you share this conversation with your council, this is the line they see.",
            initial=initial.takeaway if initial else "",
        ),
        InputBlock(
            block_id=FIELD_THANKS,
            label=plain("Thanks", 2000),
            element=CheckboxesElement(
                action_id=FIELD_THANKS,
                options=[thanks],
                initial_options=[thanks] if initial and initial.thanks else None,
            ),
            optional=True,
        ),
        context(f"{_PRIVATE} The name, what you heard and your takeaway are kept encrypted."),
    ]
    return _modal(
        callback_id=CALLBACK_LOG,
        title="Edit conversation" if initial else "Log a conversation",
        submit="Save" if initial else "Log it",
        blocks=blocks,
        private_metadata=private_metadata,
    )


# --- prompts and help ---------------------------------------------------------------------------


def prompts_blocks() -> list[dict]:
    """Per kind: who it is, the golden question, a few prompts of the bot's own."""
    blocks: list[Block] = [
        section(
            "*The golden question, for every conversation*\n"
            f">{GOLDEN_QUESTION}\nThen listen. You're not pitching; you're learning how "
            "others see you and the market."
        )
    ]
    for kind, label in KINDS:
        prompts = "\n".join(f"•  {p}" for p in PROMPTS[kind])
        blocks.append(
            section(
                f"{_KIND_EMOJI[kind]} *{label}*\n{_KIND_INTROS[kind]}\n"
                f"•  _{GOLDEN_QUESTION}_\n{prompts}"
            )
        )
    blocks.append(
        context(
            "What people tell you is one view, coloured by their own path. Bring a "
            "takeaway to your council to help you read it."
        )
    )
    return dicts(blocks)


def help_blocks() -> list[dict]:
    blocks: list[Block] = [
        header("Your Listening Tour"),
        section(
            "Before you settle on a direction, hold about 10-15 conversations of three kinds: "
            "reverse exit interviews with former colleagues and managers, your wider network, "
            "and recruiters. Ask each one the golden question: "
            f"_{GOLDEN_QUESTION}_"
        ),
        section(
            "*Commands*\n"
            "`/tour`  shows your progress, the three kinds and your recent conversations.\n"
            "`/tour log`  opens the form to log a conversation.\n"
            "`/tour prompts`  shows the golden question and prompts for each kind.\n"
            "`/tour target 12`  sets how many conversations you aim for (3 to 40).\n"
            "`/tour update`  shows this month's draft update note for your network; "
            "`/tour update off` (or `on`) stops (or restarts) the monthly prompt.\n"
            "`/tour help`  shows this guide.\n"
            "They work anywhere, in our DM too; the answers are only for you."
        ),
        section(
            "*Logging*\n"
            "Who you talked to, which kind, the day, what you heard and a one-line takeaway. "
            "Tick *Remind me* and I'll DM you the next day (never between 21:00 and 08:00 "
            "your time) to send a thank-you."
        ),
        section(
            "*Your council*\n"
            "Feedback is biased. *Share takeaway* posts one takeaway to your council's private "
            "channel and asks them to help interpret it. The kind of conversation and the "
            "person's name go only if you tick them; what you heard never does."
        ),
        section(
            "*Candidate-Market Fit*\n"
            "As you near your target, I'll suggest drafting your Candidate-Market Fit "
            "statement from what you heard."
        ),
        section(
            "*Monthly update*\n"
            "Once a month (10:00 your time), I DM you a draft update note for your network: "
            "where your search stands and how people can help, with your Candidate-Market "
            "Fit once you have one. Copy it, make it yours, send it. Snooze it for a week or "
            "turn it off with one click."
        ),
        context(_PRIVATE),
    ]
    return dicts(blocks)


# --- the member's target and the monthly update ----------------------------------------------


def target_set_text(progress: Progress) -> str:
    return (
        f":dart: Your Listening Tour target is now *{progress.target}* conversations: "
        f"{progress_line(progress)} so far."
    )


def update_draft(note: MonthlyNote) -> str:
    """The update note for the member to copy (plain text; escaped where it is shown)."""
    progress = note.progress
    kinds = [
        f"{n} {label}"
        for n, label in (
            (progress.count_of(KIND_REVERSE_EXIT), "with former colleagues"),
            (progress.count_of(KIND_NETWORK), "across my wider network"),
            (progress.count_of(KIND_RECRUITER), "with recruiters"),
        )
        if n
    ]
    noun = "conversation" if progress.total == 1 else "conversations"
    tour = (
        f"I've had {progress.total} {noun} on my listening tour so far ({', '.join(kinds)})."
        if progress.total
        else "I'm starting a round of conversations to learn how others see me and the market."
    )
    fit = (
        f"Here's where I believe I fit best: {note.cmf}"
        if note.cmf
        else "They are helping me work out where I fit best; I'll share a sharper picture soon."
    )
    return (
        "Hi all, a quick update on my job search.\n\n"
        f"{tour} {fit}\n\n"
        "If you know someone I should talk to, or a team like that, an introduction would "
        "mean a lot. Thank you for your help so far!"
    )


def monthly_message(
    note: MonthlyNote, *, due: bool, snoozed_to: str | None = None
) -> tuple[str, list[dict]]:
    """The monthly prompt (`due`: sent by the reminder) or `/tour update`: the draft to copy,
    and the buttons to snooze it or turn it off (or on)."""
    intro = (
        ":mailbox_with_mail: *Time for your monthly update.* A short note to your network "
        "keeps your search alive. Here's a draft to copy, make your own and send:"
        if due
        else ":mailbox_with_mail: *Your update note, as it stands.* Copy it, make it your own "
        "and send it to your network:"
    )
    draft = "\n".join(f">{line}" if line else ">" for line in esc(update_draft(note)).split("\n"))
    buttons = (
        [
            button("Snooze a week", ACTION_MONTHLY_SNOOZE, "snooze"),
            button("Turn off monthly updates", ACTION_MONTHLY_OFF, "off"),
        ]
        if note.on
        else [button("Turn monthly updates on", ACTION_MONTHLY_ON, "on", style="primary")]
    )
    status = (
        f"Snoozed: I'll bring it back {snoozed_to}."
        if snoozed_to
        else "I'll bring a fresh draft each month."
        if note.on
        else "Monthly updates are off."
    )
    blocks: list[Block] = [
        section(intro),
        section(draft),
        ActionsBlock(elements=buttons),
        context(f"{status} {_PRIVATE}"),
    ]
    return "Your monthly update note for your network", dicts(blocks)


def monthly_off_text() -> str:
    return "Monthly update prompts are off. Turn them back on any time with `/tour update on`."


def monthly_on_text(next_at: str | None) -> str:
    when = f" The next one comes {next_at}." if next_at else ""
    return f":white_check_mark: Monthly update prompts are on.{when}"


# --- sharing ------------------------------------------------------------------------------------


def _channel_label(name: str, channel_id: str) -> str:
    return f"#{name}" if name else channel_id


def finding_modal() -> dict:
    """The share modal while the member's council channels are checked."""
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Share a takeaway",
        close="Close",
        blocks=[section(":hourglass_flowing_sand: Finding your council channels…")],
        private_metadata="{}",
    )


def share_modal(
    *,
    conversation: Conversation,
    councils: Sequence[tuple[int, str, str]],
    private_metadata: str,
    choice: ShareChoice | None = None,
    chosen: int | None = None,
    problem: str | None = None,
) -> dict:
    """Pick the council (council id, channel id, name) and what goes with the takeaway."""
    choice = choice or ShareChoice()
    options = [option(str(cid), _channel_label(name, ch)) for cid, ch, name in councils[:100]]
    initial = next((o for o in options if o.value == str(chosen)), options[0] if options else None)
    include_kind = option(INCLUDE_KIND, "The kind of conversation", kind_label(conversation.kind))
    include_name = option(INCLUDE_NAME, "The person's name")
    ticked = [o for o, on in ((include_kind, choice.kind), (include_name, choice.name)) if on]
    blocks: list[Block] = []
    if problem:
        blocks.append(section(f":warning: {escape(problem)}"))
    blocks += [
        section(
            "Bring this takeaway to your council and ask them to help you read it. "
            "They'll see:\n>" + esc(conversation.takeaway, 400)
        ),
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
            label=plain("Also share", 2000),
            element=CheckboxesElement(
                action_id=FIELD_INCLUDE,
                options=[include_kind, include_name],
                initial_options=ticked or None,
            ),
            hint=plain("Left unticked, only the takeaway is shared.", 2000),
            optional=True,
        ),
        context(":lock: What you heard is never shared."),
    ]
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Share a takeaway",
        submit="Share",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def sharing_modal(channel_label: str) -> dict:
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Sharing",
        close="Close",
        blocks=[
            section(f":hourglass_flowing_sand: Posting your takeaway to {esc(channel_label)}…")
        ],
        private_metadata="{}",
    )


def shared_modal(*, channel_label: str, permalink: str | None) -> dict:
    where = f"<{escape(permalink)}|{esc(channel_label)}>" if permalink else esc(channel_label)
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Shared",
        close="Done",
        blocks=[
            section(f":white_check_mark: Posted to {where}. Your council can reply in its thread.")
        ],
        private_metadata="{}",
    )


def notice_modal(text: str, *, title: str = "Listening Tour") -> dict:
    """A short, closable notice (bot text, escaped)."""
    return _modal(
        callback_id=CALLBACK_SHARE,
        title=title,
        close="Done",
        blocks=[section(escape(text))],
        private_metadata="{}",
    )


def takeaway_message(
    *, conversation: Conversation, choice: ShareChoice, user_id: str
) -> tuple[str, list[dict]]:
    """The takeaway in the council channel: the takeaway, the kind and the name only if
    ticked (the name as text, never a mention); never what was heard."""
    source = "a Listening Tour conversation"
    if choice.kind:
        source = f"a Listening Tour conversation ({kind_label(conversation.kind).lower()})"
    if choice.name:
        source += f" with {esc(conversation.name, 100)}"
    fallback = "A Listening Tour takeaway to interpret"
    blocks: list[Block] = [
        section(f":ear: {mention(user_id)} brings a takeaway from {source}:"),
        section(">" + esc(conversation.takeaway, 400)),
        section(
            "*Help me interpret it:* what do you read into this? Is it a pattern or one "
            "person's view? What would you ask next?"
        ),
        context(
            ":speech_balloon: Reply in the thread. Feedback is biased; that's what the "
            "council is for."
        ),
    ]
    return fallback, dicts(blocks)


def no_council_text() -> str:
    return (
        "I don't know a council channel you share with me yet. Use one of my commands once "
        "in your council's private channel (with me invited), then share from here. "
        "Nothing has been shared."
    )


# --- the thanks reminder ------------------------------------------------------------------------


def thanks_message(conversation: Conversation) -> tuple[str, list[dict]]:
    """The one DM the day after logging, when the member asked for it."""
    name = esc(conversation.name, 100)
    fallback = f"Time to thank {name}"
    blocks: list[Block] = [
        section(
            f":sparkles: *Time to thank {name}.* You talked on "
            f"{conversation.held_on.isoformat()}. A short note saying what stuck with you "
            "(your takeaway, in your own words) keeps the door open, and they'll want to "
            "hear how it goes."
        ),
        context(f"{_PRIVATE} This is the only reminder about it you'll get."),
    ]
    return fallback, dicts(blocks)


# --- Home ---------------------------------------------------------------------------------------


def home_line(progress_total: int, target: int) -> list[dict]:
    """The App Home's Listening Tour line: only once the member has logged any."""
    if progress_total <= 0:
        return []
    text = f":ear: *Listening Tour:* {progress_total} of {target} conversations."
    if progress_total >= target - CMF_HINT_BEFORE:
        text += " Time to draft your Candidate-Market Fit statement."
    return dicts([section(text + " Type `/tour` to see it.")])
