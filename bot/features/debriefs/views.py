"""Block Kit for debriefs: the event and debrief modals, the reminders, the Gratitude House.

Pure functions from domain objects to Block Kit dicts, built with `slack_sdk.models`.
Every piece of member-typed text (company, who it is with, answers, names in the
Gratitude House) goes through `esc` before it lands in mrkdwn; mentions are built only
from user ids Slack gave the bot. Times are shown in the member's own zone
(bot.platform.timezones.format_local); in the council channel, Slack's date tokens show each
reader their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    RadioButtonsElement,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.features.debriefs.rules import (
    ANSWER_MAX,
    ANSWERS,
    COMPANY_MAX,
    DEFAULT_KIND,
    DEFAULT_NUDGE_MINUTES,
    FIELD_ASKED,
    FIELD_COMPANY,
    FIELD_CRITIC,
    FIELD_DATE,
    FIELD_EVIDENCE,
    FIELD_GRATITUDE_NAME,
    FIELD_GRATITUDE_NOTE,
    FIELD_KIND,
    FIELD_NUDGE,
    FIELD_PARTNERS,
    FIELD_PRIVATE,
    FIELD_RATING,
    FIELD_SEARCH,
    FIELD_TIME,
    FIELD_WANTS,
    FIELD_WENT_WELL,
    FIELD_WITH,
    FIELD_WORRIES,
    GRATITUDE_NAME_MAX,
    GRATITUDE_NOTE_MAX,
    KINDS,
    MAX_PARTNERS,
    NUDGE_CHOICES,
    PRIVATE_VALUE,
    RATINGS,
    WITH_WHOM_MAX,
    DebriefForm,
    DebriefInput,
    EventForm,
    EventSummary,
    GratitudeEntry,
    PastEvent,
    ReminderPlan,
    awaiting_debrief,
    kind_label,
    rating_label,
)
from bot.features.searches.rules import TYPED_COMPANY_HINT
from bot.platform.mrkdwn import escape, mention
from bot.platform.timezones import format_local, local_now, valid_tz
from bot.ui.blocks import (
    MESSAGE_MAX_BLOCKS,
    MODAL_TITLE_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    button,
    context,
    dicts,
    esc,
    header,
    mentions,
    option,
    plain,
    section,
    state_element,
    state_selected,
    state_value,
    text_input,
)

# --- ids the handler listens for -------------------------------------------------------------

CALLBACK_EVENT_NEW = "debrief_event_new"
CALLBACK_EVENT_EDIT = "debrief_event_edit"
CALLBACK_DEBRIEF = "debrief_form"
CALLBACK_GRATITUDE = "debrief_gratitude"

ACTION_WRITE = "debrief_write"  # open the debrief form (value: event id)
ACTION_MOVE = "debrief_move"  # open the event modal to move or change it (value: event id)
ACTION_CANCEL = "debrief_cancel"  # cancel the event, after a confirm dialog (value: event id)
ACTION_REPOST = "debrief_repost"  # try posting a stored debrief again (value: debrief id)
ACTION_GRATITUDE = "debrief_gratitude_open"  # open the Gratitude House modal
ACTION_GRATITUDE_REMOVE = "debrief_gratitude_remove"  # value: person id

LIST_MAX_EVENTS = 15
LIST_MAX_PAST = 8
HOME_MAX_EVENTS = 6
GRATITUDE_SHOWN = 40

_PRIVATE_NOTE = ":lock: Only you can see this."
_METHOD_DEBRIEF = (
    "People often misjudge how an interview went, usually for the worse. Writing it down "
    "while it's fresh, then hearing from your council, separates what happened from what "
    "your inner critic says."
)
_METHOD_GRATITUDE = (
    "Before you walk in, picture the people who helped you get here standing with you. "
    "You're not doing this alone, and it shows."
)


def when_local(when: datetime, tz: str) -> str:
    """Bot text: a time in the member's zone, e.g. "Tue 3 Mar, 14:00 CET"."""
    return format_local(when, tz)


def when_token(when: datetime, tz: str) -> str:
    """Slack's date token: each reader sees the time in their own zone."""
    fallback = escape(format_local(when, tz))
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def event_title(event: EventSummary, limit: int = 300) -> str:
    """mrkdwn: "Interview at *Acme*", the company escaped."""
    return f"{kind_label(event.kind)} at *{esc(event.company, limit)}*"


# --- reading modal state ------------------------------------------------------------------------


def read_event_form(state_values: Mapping[str, Any]) -> EventForm:
    users = state_element(state_values, FIELD_PARTNERS).get("selected_users") or []
    return EventForm(
        search_id=state_value(state_values, FIELD_SEARCH),
        company=state_value(state_values, FIELD_COMPANY),
        kind=state_value(state_values, FIELD_KIND),
        date=state_value(state_values, FIELD_DATE),
        time=state_value(state_values, FIELD_TIME),
        with_whom=state_value(state_values, FIELD_WITH),
        partners=tuple(str(u) for u in users),
        nudge=state_value(state_values, FIELD_NUDGE),
    )


def read_debrief_form(state_values: Mapping[str, Any]) -> DebriefForm:
    return DebriefForm(
        rating=state_value(state_values, FIELD_RATING),
        went_well=state_value(state_values, FIELD_WENT_WELL),
        worries=state_value(state_values, FIELD_WORRIES),
        asked=state_value(state_values, FIELD_ASKED),
        inner_critic=state_value(state_values, FIELD_CRITIC),
        evidence=state_value(state_values, FIELD_EVIDENCE),
        wants=state_value(state_values, FIELD_WANTS),
        private=PRIVATE_VALUE in state_selected(state_values, FIELD_PRIVATE),
    )


def gratitude_block_id(field: str, version: int) -> str:
    """Block ids change with each add, so Slack shows the inputs empty again."""
    return f"{field}_{version}"


def read_gratitude_form(state_values: Mapping[str, Any], version: int) -> tuple[str, str]:
    return (
        state_value(state_values, gratitude_block_id(FIELD_GRATITUDE_NAME, version)),
        state_value(state_values, gratitude_block_id(FIELD_GRATITUDE_NOTE, version)),
    )


# --- the event modal ----------------------------------------------------------------------------


# The new-event modal's title, by the kind it opens with.
_LOG_TITLES: dict[str, str] = {
    "interview": "Log an interview",
    "negotiation": "Log a negotiation",
    "offer_call": "Log an offer call",
    "other": "Log a conversation",
}


def event_modal(
    *,
    callback_id: str,
    searches: Sequence[tuple[int, str]],
    tz: str,
    now: datetime,
    private_metadata: str,
    initial: EventSummary | None = None,
    search_id: int | None = None,
    kind: str | None = None,
) -> dict:
    """Log (or move and change) an interview, negotiation or offer call.

    `searches` are the member's (id, company), shown in a select with a text box for a new
    company beside it; with none, the text box alone is required. The date and time are
    wall time in `tz`, said so in a hint; `initial` prefills everything when editing.
    `kind` preselects what it is (a negotiation plan's "Schedule the call"); the title
    names it.
    """
    editing = callback_id == CALLBACK_EVENT_EDIT
    here = local_now(tz, now)
    blocks: list[Block] = []
    if not editing:
        blocks.append(
            section(
                "Log an upcoming conversation and I'll help you walk in ready and debrief "
                "after: a Gratitude House nudge before, a private prompt after, and a post "
                "in your council channel when you share your debrief."
            )
        )
    options = [option(str(sid), company) for sid, company in searches[:100]]
    chosen = search_id
    if options:
        initial_option = next((o for o in options if o.value == str(chosen)), None)
        blocks.append(
            InputBlock(
                block_id=FIELD_SEARCH,
                label=plain("Company", 2000),
                element=StaticSelectElement(
                    action_id=FIELD_SEARCH,
                    options=options,
                    initial_option=initial_option,
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
            initial=initial.company if initial is not None and chosen is None else "",
            placeholder="e.g. Acme Robotics",
            hint=TYPED_COMPANY_HINT if options else None,
            optional=bool(options),
        )
    )
    kind_options = [option(value, label) for value, label in KINDS]
    if initial is not None:
        kind = initial.kind
    elif kind not in {value for value, _ in KINDS}:
        kind = DEFAULT_KIND
    blocks.append(
        InputBlock(
            block_id=FIELD_KIND,
            label=plain("What is it?", 2000),
            element=StaticSelectElement(
                action_id=FIELD_KIND,
                options=kind_options,
                initial_option=next((o for o in kind_options if o.value == kind), None),
            ),
        )
    )
    local = initial.starts_at.astimezone(here.tzinfo) if initial is not None else None
    tz_hint = (
        f"In your time zone, {valid_tz(tz)} (it's {here.hour:02d}:{here.minute:02d} there now)."
    )
    blocks.append(
        InputBlock(
            block_id=FIELD_DATE,
            label=plain("Date", 2000),
            element=DatePickerElement(
                action_id=FIELD_DATE,
                initial_date=local.date().isoformat() if local else None,
                placeholder=plain("Pick the day", PLACEHOLDER_MAX),
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=FIELD_TIME,
            label=plain("Starts at", 2000),
            element=TimePickerElement(
                action_id=FIELD_TIME,
                initial_time=f"{local.hour:02d}:{local.minute:02d}" if local else None,
                placeholder=plain("Pick the time", PLACEHOLDER_MAX),
            ),
            hint=plain(tz_hint, 2000),
        )
    )
    blocks.append(
        text_input(
            FIELD_WITH,
            "Who is it with?",
            max_length=WITH_WHOM_MAX,
            initial=initial.with_whom if initial is not None else "",
            placeholder="e.g. Dana, the hiring manager, and a panel of two",
            optional=True,
        )
    )
    blocks.append(
        InputBlock(
            block_id=FIELD_PARTNERS,
            label=plain("Debrief partners", 2000),
            element=UserMultiSelectElement(
                action_id=FIELD_PARTNERS,
                initial_users=list(initial.partners) if initial and initial.partners else None,
                max_selected_items=MAX_PARTNERS,
                placeholder=plain("Council members to debrief with", PLACEHOLDER_MAX),
            ),
            hint=plain("They're named when you post your debrief to the council.", 2000),
            optional=True,
        )
    )
    nudge_options = [option(str(minutes), label) for minutes, label in NUDGE_CHOICES]
    nudge = initial.nudge_minutes if initial is not None else DEFAULT_NUDGE_MINUTES
    blocks.append(
        InputBlock(
            block_id=FIELD_NUDGE,
            label=plain("Gratitude House nudge", 2000),
            element=StaticSelectElement(
                action_id=FIELD_NUDGE,
                options=nudge_options,
                initial_option=next(
                    (o for o in nudge_options if o.value == str(nudge)), nudge_options[2]
                ),
            ),
            hint=plain("A private DM to help you walk in confident.", 2000),
        )
    )
    view = View(
        type="modal",
        callback_id=callback_id,
        title=plain(
            "Move or change" if editing else _LOG_TITLES.get(kind, "Log a conversation"),
            MODAL_TITLE_MAX,
        ),
        submit=plain("Save" if editing else "Log it", MODAL_TITLE_MAX),
        close=plain("Cancel", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=private_metadata,
    )
    return view.to_dict()


def _plan_lines(plan: ReminderPlan, tz: str, event: EventSummary) -> list[str]:
    lines: list[str] = []
    if plan.gratitude is not None:
        lines.append(f"•  {when_local(plan.gratitude, tz)}: a Gratitude House nudge")
    elif event.nudge_minutes:
        lines.append("•  No Gratitude House nudge: it's too close to the start for one.")
    lines.append(f"•  {when_local(plan.prompt, tz)}: a prompt to write your debrief")
    lines.append(
        f"•  {when_local(plan.followup, tz)}: one gentle follow-up, only if you haven't "
        "debriefed by then"
    )
    return lines


def confirmation(
    event: EventSummary, plan: ReminderPlan, *, tz: str, moved: bool = False
) -> tuple[str, list[dict]]:
    """The private note after logging (or moving) an event: its time, and what comes when."""
    when = when_local(event.starts_at, tz)
    verb = "Updated" if moved else "Logged"
    fallback = f"{verb}: {kind_label(event.kind)} at {esc(event.company, 300)}, {when}"
    head = f":calendar: *{verb}:* {event_title(event)}, *{when}* (your time)"
    if event.with_whom:
        head += f"\nWith {esc(event.with_whom, 300)}"
    blocks: list[Block] = [
        section(head),
        section("*I'll send you, by DM:*\n" + "\n".join(_plan_lines(plan, tz, event))),
    ]
    if event.partners:
        blocks.append(
            context(f"Debrief partners: {mentions(event.partners)}. They're named in the post.")
        )
    blocks.append(
        context(
            "Plans changed? `/debrief list` has *Move* and *Cancel* buttons, and the reminders "
            "follow."
        )
    )
    return fallback, dicts(blocks)


def cancelled_text(event: EventSummary, tz: str) -> str:
    return (
        f"Cancelled: {kind_label(event.kind)} at {esc(event.company, 300)}, "
        f"{when_local(event.starts_at, tz)}. Its reminders are off."
    )


# --- lists and Home -----------------------------------------------------------------------------


def _event_line(event: EventSummary, tz: str, now: datetime, *, token: bool = False) -> str:
    when = when_token(event.starts_at, tz) if token else when_local(event.starts_at, tz)
    text = f"{event_title(event)}  ·  {when}"
    if event.with_whom:
        text += f"\nWith {esc(event.with_whom, 300)}"
    if event.partners:
        text += f"\nDebrief partners: {mentions(event.partners)}"
    if awaiting_debrief(event, now):
        text += "\n:memo: Waiting for your debrief"
    return text


def _event_buttons(event: EventSummary, now: datetime) -> ActionsBlock:
    value = str(event.event_id)
    buttons: list[ButtonElement] = []
    if awaiting_debrief(event, now):
        buttons.append(button("Write my debrief", ACTION_WRITE, value, style="primary"))
    buttons.append(button("Move", ACTION_MOVE, value))
    buttons.append(
        button(
            "Cancel",
            ACTION_CANCEL,
            value,
            style="danger",
            confirm=ConfirmObject(
                title=plain("Cancel this event?", 100),
                text=plain(
                    f"{kind_label(event.kind)} at {event.company}. Its reminders will be "
                    "called off too.",
                    300,
                ),
                confirm=plain("Cancel it", 30),
                deny=plain("Keep it", 30),
                style="danger",
            ),
        )
    )
    return ActionsBlock(elements=buttons)


def _past_line(past: PastEvent, tz: str) -> str:
    event = past.event
    text = f"{event_title(event)}  ·  {when_local(event.starts_at, tz)}"
    if event.with_whom:
        text += f"\nWith {esc(event.with_whom, 300)}"
    if past.rating is None:
        return text + "\n:grey_question: No debrief written"
    where = (
        "kept private"
        if past.private
        else "shared with your council"
        if past.shared
        else "not posted yet"
    )
    return text + f"\n:white_check_mark: Debriefed: {rating_label(past.rating)}, {where}"


def list_message(
    events: Sequence[EventSummary],
    *,
    tz: str,
    now: datetime,
    note: str | None = None,
    past: Sequence[PastEvent] = (),
    past_total: int | None = None,
) -> list[dict]:
    """`/debrief list` (ephemeral): upcoming events and recent ones waiting for a debrief,
    then the ones that have happened with their debriefs, most recent first (`past`, the
    first of `past_total`)."""
    blocks: list[Block] = []
    if note:
        blocks.append(section(note))
    blocks.append(section("*Your upcoming interviews and debriefs*"))
    if not events and not past:
        blocks.append(
            section(
                "Nothing logged yet. Type `/debrief` in your council's private channel to log "
                "your next interview, negotiation or offer call."
            )
        )
    elif not events:
        blocks.append(
            section(
                "Nothing coming up. Type `/debrief` in your council's private channel to log "
                "your next one."
            )
        )
    for event in events[:LIST_MAX_EVENTS]:
        blocks.append(section(_event_line(event, tz, now)))
        blocks.append(_event_buttons(event, now))
    if len(events) > LIST_MAX_EVENTS:
        blocks.append(context(f"…and {len(events) - LIST_MAX_EVENTS} more later on."))
    if past:
        blocks.append(DividerBlock())
        blocks.append(section("*Past, most recent first*"))
        for item in past[:LIST_MAX_PAST]:
            accessory = None
            if awaiting_debrief(item.event, now):
                accessory = button("Write my debrief", ACTION_WRITE, str(item.event.event_id))
            blocks.append(section(_past_line(item, tz), accessory=accessory))
        total = max(len(past), past_total or 0)
        if total > LIST_MAX_PAST:
            blocks.append(context(f"…and {total - LIST_MAX_PAST} earlier ones."))
    blocks.append(context(f"Times are in your time zone, {valid_tz(tz)}. {_PRIVATE_NOTE}"))
    return dicts(blocks)


def home_section(
    events: Sequence[EventSummary], *, gratitude_count: int, now: datetime
) -> list[dict]:
    """The debriefs part of the App Home tab: upcoming events, the Gratitude House."""
    blocks: list[Block] = [header("Interviews and debriefs")]
    if not events:
        blocks.append(
            section(
                "Nothing coming up. Type `/debrief` in your council channel to log an "
                "interview; I'll nudge you before and ask how it went after."
            )
        )
    for event in events[:HOME_MAX_EVENTS]:
        blocks.append(section(_event_line(event, event.tz, now, token=True)))
        blocks.append(_event_buttons(event, now))
    if len(events) > HOME_MAX_EVENTS:
        blocks.append(context(f"…and {len(events) - HOME_MAX_EVENTS} more in `/debrief list`."))
    people = (
        f"{gratitude_count} {'person' if gratitude_count == 1 else 'people'} in it"
        if gratitude_count
        else "empty so far"
    )
    blocks.append(
        section(
            f":house_with_garden: *Your Gratitude House* ({people})\n{_METHOD_GRATITUDE}",
            accessory=button("Open", ACTION_GRATITUDE, "home"),
        )
    )
    return dicts(blocks)


def help_blocks() -> list[dict]:
    """`/debrief help`: the commands, the reminders, the form and privacy."""
    blocks: list[Block] = [
        header("Debriefs and the Gratitude House"),
        section(
            "Before every interview or negotiation, walk in with the people who helped you "
            "get here. After it, debrief with your council while it's fresh. " + _METHOD_DEBRIEF
        ),
        section(
            "*Commands*\n"
            "`/debrief`  logs an upcoming interview, negotiation or offer call: the company, "
            "when (in your own time zone), who it's with and, if you like, council members "
            "as debrief partners. Use it in your council's private channel.\n"
            "`/debrief list`  shows what's coming up, with *Move* and *Cancel* buttons, and "
            "anything still waiting for a debrief.\n"
            "`/debrief gratitude`  opens your Gratitude House.\n"
            "`/debrief help`  shows this guide."
        ),
        section(
            "*What I send you, privately*\n"
            "•  *Before* (1 hour before, or when you choose): a Gratitude House nudge naming "
            "a few of the people on your list.\n"
            "•  *After* (1 hour after it starts): a prompt with a button to write your "
            "debrief.\n"
            "•  *If you haven't debriefed* 24 hours later: one gentle follow-up, never more.\n"
            "Nothing comes between 21:00 and 08:00 your time, except a nudge for an event "
            "that early or late. Moving or cancelling the event moves or cancels these."
        ),
        section(
            "*The debrief*\n"
            "How it went from 1 to 5, what went well, what worries you, what they asked, "
            "what your inner critic says and what the evidence says, and what you'd like "
            "from the council. It's posted in your council channel, in the thread of your "
            "job mission for that company when there is one, naming your debrief partners; "
            "the council replies in the thread. Tick *Keep it private* and it stays in our "
            "DM instead."
        ),
        section(
            "*The Gratitude House*\n"
            "A private list of people who supported you, with a note if you like. Only you "
            "see it, here and on my Home tab; it's never posted anywhere."
        ),
        context(
            ":lock: Everything here is private to you, except the debriefs you choose to "
            "share with your council's private channel."
        ),
    ]
    return dicts(blocks)


# --- reminders ----------------------------------------------------------------------------------


def _event_context(event: EventSummary) -> str:
    when = when_local(event.starts_at, event.tz)
    text = f"{event_title(event)}  ·  {when}"
    if event.with_whom:
        text += f"  ·  with {esc(event.with_whom, 300)}"
    return text


def gratitude_nudge(
    event: EventSummary, people: Sequence[GratitudeEntry], *, total: int
) -> tuple[str, list[dict]]:
    """The DM before the event: the Gratitude House, naming up to three people."""
    fallback = (
        f"Before your {kind_label(event.kind).lower()} at {esc(event.company, 300)}: "
        "a moment in your Gratitude House"
    )
    blocks: list[Block] = [
        section(
            f":house_with_garden: *Before your {kind_label(event.kind).lower()} at "
            f"{esc(event.company, 300)}, a moment in your Gratitude House*"
        ),
        context(_event_context(event)),
    ]
    if people:
        named = [
            f"•  *{esc(p.name, 200)}*" + (f"  _{esc(p.note, 400)}_" if p.note else "")
            for p in people
        ]
        others = total - len(people)
        tail = f"\n…and {others} more who are with you too." if others > 0 else ""
        blocks.append(
            section(
                "Take a minute. Picture the people who helped you get here, standing behind "
                "you as you walk in:\n" + "\n".join(named) + tail
            )
        )
        blocks.append(
            section("You're not walking in alone. Go show them who they helped. :sparkles:")
        )
        gratitude_button = button("Open my Gratitude House", ACTION_GRATITUDE, "nudge")
    else:
        blocks.append(
            section(
                "Take a minute before you go in: think of three people who helped you get "
                "here. A mentor, a friend who read your CV, someone who opened a door. "
                "Picture them behind you as you walk in: you're not doing this alone.\n"
                "Add them to your Gratitude House and I'll remind you of them next time."
            )
        )
        gratitude_button = button(
            "Start my Gratitude House", ACTION_GRATITUDE, "nudge", style="primary"
        )
    blocks.append(ActionsBlock(elements=[gratitude_button]))
    blocks.append(context(_PRIVATE_NOTE))
    return fallback, dicts(blocks)


def debrief_prompt(event: EventSummary, *, follow_up: bool = False) -> tuple[str, list[dict]]:
    """The DM after the event (or the one follow-up): a button that opens the form."""
    what = kind_label(event.kind).lower()
    company = esc(event.company, 300)
    if follow_up:
        fallback = f"Still want to debrief your {what} at {company}?"
        intro = (
            f":seedling: *Still want to debrief your {what} at {company}?*\n"
            "No pressure: this is the only reminder you'll get. Even a few lines help: "
            "your council can spot what went better than it felt."
        )
    else:
        fallback = f"How did your {what} at {company} go?"
        intro = (
            f":memo: *How did your {what} at {company} go?*\n"
            "Take five minutes for your debrief. " + _METHOD_DEBRIEF
        )
    blocks: list[Block] = [section(intro), context(_event_context(event))]
    if event.partners:
        blocks.append(
            context(
                f"Your debrief partners: {mentions(event.partners)}. They're named in the post."
            )
        )
    value = str(event.event_id)
    blocks.append(
        ActionsBlock(
            elements=[
                button("Write my debrief", ACTION_WRITE, value, style="primary"),
                button("It was moved", ACTION_MOVE, value),
            ]
        )
    )
    blocks.append(context(":lock: You choose whether it goes to your council or stays here."))
    return fallback, dicts(blocks)


def prompt_done(event: EventSummary, *, private: bool) -> tuple[str, list[dict]]:
    """What a prompt DM turns into once the debrief is written (its button gone)."""
    where = "kept here, privately" if private else "posted to your council"
    text = (
        f":white_check_mark: Your debrief of the {kind_label(event.kind).lower()} at "
        f"{esc(event.company, 300)} is {where}. Thank you for doing it."
    )
    return text, dicts([section(text)])


# --- the debrief form and message ---------------------------------------------------------------


_ANSWER_HINTS: dict[str, tuple[str, str]] = {
    FIELD_WENT_WELL: ("What went well?", "Moments you felt good about, however small."),
    FIELD_WORRIES: ("What worries you?", "Anything you wish you'd said differently."),
    FIELD_ASKED: ("What did they ask?", "Questions you remember; useful for next time."),
    FIELD_CRITIC: ("What does your inner critic say?", "e.g. “I rambled on the first question.”"),
    FIELD_EVIDENCE: (
        "And what does the evidence say?",
        "e.g. “They ran 15 minutes over and asked about next steps.”",
    ),
    FIELD_WANTS: ("What would you like from the council?", "Reassurance, ideas, a mock rerun…"),
}


def debrief_modal(*, event: EventSummary, private_metadata: str) -> dict:
    """The debrief form: a 1-5 scale, six short answers, and "keep it private"."""
    rating_options = [option(str(value), f"{value} · {label}") for value, label in RATINGS]
    blocks: list[Block] = [
        section(f"{event_title(event)}\n{when_local(event.starts_at, event.tz)}"),
        InputBlock(
            block_id=FIELD_RATING,
            label=plain("How did it go?", 2000),
            element=RadioButtonsElement(action_id=FIELD_RATING, options=rating_options),
            hint=plain("1 is rough, 5 is great. Your first instinct is fine.", 2000),
        ),
    ]
    for field, _label in ANSWERS:
        label, placeholder = _ANSWER_HINTS[field]
        blocks.append(
            text_input(
                field,
                label,
                max_length=ANSWER_MAX,
                multiline=True,
                placeholder=placeholder,
                optional=True,
            )
        )
    blocks.append(
        InputBlock(
            block_id=FIELD_PRIVATE,
            label=plain("Who sees it", 2000),
            element=CheckboxesElement(
                action_id=FIELD_PRIVATE,
                options=[
                    option(
                        PRIVATE_VALUE,
                        "Keep it private (only me)",
                        "It stays in our DM; nothing goes to the channel.",
                    )
                ],
            ),
            optional=True,
        )
    )
    view = View(
        type="modal",
        callback_id=CALLBACK_DEBRIEF,
        title=plain("Debrief", MODAL_TITLE_MAX),
        submit=plain("Save debrief", MODAL_TITLE_MAX),
        close=plain("Not now", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=private_metadata,
    )
    return view.to_dict()


def _rating_text(rating: int) -> str:
    dots = "●" * rating + "○" * (5 - rating)
    return f"*How it went:* {dots}  {rating}/5, {rating_label(rating).lower()}"


def _answer_blocks(answers: DebriefInput) -> list[Block]:
    blocks: list[Block] = []
    for label, text in answers.answers():
        title = f"*{label}*\n"
        blocks.append(section(title + esc(text, SECTION_TEXT_MAX - len(title))))
    return blocks


def debrief_message(
    *, event: EventSummary, answers: DebriefInput, in_thread: bool
) -> tuple[str, list[dict]]:
    """The debrief in the council channel: the member's words, escaped; partners named."""
    what = kind_label(event.kind)
    fallback = f"Debrief: {what} at {esc(event.company, 300)}"
    about = f"by {mention(event.user_id)}  ·  {when_token(event.starts_at, event.tz)}"
    if event.with_whom:
        about += f"  ·  with {esc(event.with_whom, 300)}"
    blocks: list[Block] = [
        header(f"Debrief: {what} at {event.company}"),
        context(about),
        section(_rating_text(answers.rating)),
        *_answer_blocks(answers),
    ]
    if event.partners:
        blocks.append(
            section(f":handshake: Debrief partners: {mentions(event.partners)}, over to you.")
        )
    invite = "Reply in this thread" if in_thread else "Reply in the thread"
    blocks.append(
        context(
            f":speech_balloon: {invite} to help separate what happened from the inner "
            "critic.  :lock: Shared only in this private council channel."
        )
    )
    if len(blocks) > MESSAGE_MAX_BLOCKS:  # cannot happen: six answers at most
        raise ValueError(f"debrief message has {len(blocks)} blocks")
    return fallback, dicts(blocks)


def private_debrief_message(
    *, event: EventSummary, answers: DebriefInput
) -> tuple[str, list[dict]]:
    """A private debrief, kept in the member's DM."""
    fallback = f"Your private debrief: {kind_label(event.kind)} at {esc(event.company, 300)}"
    blocks: list[Block] = [
        header(f"Your debrief: {kind_label(event.kind)} at {event.company}"),
        context(_event_context(event)),
        section(_rating_text(answers.rating)),
        *_answer_blocks(answers),
        context(
            ":lock: Kept here, just for you. If you'd like your council's view later, you "
            "can share what you wrote in the council channel yourself."
        ),
    ]
    return fallback, dicts(blocks)


def posted_confirmation(event: EventSummary, permalink: str | None) -> str:
    text = (
        f":white_check_mark: Your debrief of the {kind_label(event.kind).lower()} at "
        f"{esc(event.company, 300)} is in your council channel."
    )
    if permalink:
        text += f" <{escape(permalink)}|See it and the replies>."
    return text


def post_failed(debrief_id: int, reason: str, *, held: bool = False) -> tuple[str, list[dict]]:
    """Posting to the channel failed (or was held back: the channel is no longer private to
    the council): the debrief is kept, and can be posted again."""
    if held:  # `reason` is the bot's own sentence about the channel
        text = (
            f":lock: Your debrief is saved, but I haven't posted it. {escape(reason)} "
            "Once that is sorted, press the button."
        )
    else:
        text = (
            ":warning: Your debrief is saved, but I couldn't post it to your council channel "
            f"just now (Slack said: {escape(reason)}). Nothing is lost: try again in a moment."
        )
    blocks: list[Block] = [
        section(text),
        ActionsBlock(
            elements=[button("Try posting again", ACTION_REPOST, str(debrief_id), style="primary")]
        ),
    ]
    return text, dicts(blocks)


def refusal_text(reason: str) -> str:
    return escape(reason)


# --- the Gratitude House modal ------------------------------------------------------------------


def gratitude_modal(
    *, people: Sequence[GratitudeEntry], version: int, private_metadata: str
) -> dict:
    """Add people (submit) and remove them (a button each); never posted anywhere."""
    blocks: list[Block] = [
        section(
            "The people who supported you on the way here: mentors, friends, former "
            "colleagues, family. Before each interview or negotiation I'll name a few of "
            "them, so you walk in with them behind you."
        ),
        context(_PRIVATE_NOTE + " Never posted to any channel."),
        DividerBlock(),
    ]
    if not people:
        blocks.append(section("_No one yet. Who comes to mind first?_"))
    for person in people[:GRATITUDE_SHOWN]:
        text = f"*{esc(person.name, 200)}*"
        if person.note:
            text += f"\n{esc(person.note, 400)}"
        blocks.append(
            section(
                text,
                accessory=button("Remove", ACTION_GRATITUDE_REMOVE, str(person.id)),
            )
        )
    blocks.append(DividerBlock())
    blocks.append(
        text_input(
            gratitude_block_id(FIELD_GRATITUDE_NAME, version),
            "Add someone",
            max_length=GRATITUDE_NAME_MAX,
            placeholder="Their name",
        )
    )
    blocks.append(
        text_input(
            gratitude_block_id(FIELD_GRATITUDE_NOTE, version),
            "How they helped",  # Slack adds "(optional)" to an optional input's label
            max_length=GRATITUDE_NOTE_MAX,
            placeholder="e.g. Taught me to ask for what I'm worth",
            optional=True,
        )
    )
    view = View(
        type="modal",
        callback_id=CALLBACK_GRATITUDE,
        title=plain("Gratitude House", MODAL_TITLE_MAX),
        submit=plain("Add", MODAL_TITLE_MAX),
        close=plain("Done", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=private_metadata,
        # Done with a name still typed in: Slack tells the app, which adds them.
        notify_on_close=True,
    )
    return view.to_dict()


def gratitude_kept_on_close(name: str) -> str:
    """The DM when a name typed into the Gratitude House was saved as it was closed."""
    return (
        f":house_with_garden: I added *{esc(name, 200)}* to your Gratitude House, as you "
        "typed them before pressing Done. Type `/debrief gratitude` to see or change it."
    )


def gratitude_not_kept_on_close(problem: str) -> str:
    """The DM when what was typed into the Gratitude House before Done could not be saved."""
    return (
        f":house_with_garden: I couldn't keep what you typed before pressing Done: "
        f"{esc(problem, 500)} Type `/debrief gratitude` to try again."
    )
