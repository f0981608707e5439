"""Block Kit of the council's rhythm: the setup modal, `/council`'s summary, the check-in DM
and modal, the agenda, the landed post. Pure functions; member text escaped here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    NumberInputElement,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.features.council.ritual_rules import (
    CHECKIN_LEAD_DEFAULT,
    CHECKIN_LEADS,
    CHECKIN_MAX,
    CHECKIN_NEEDS,
    CHECKIN_WHERE,
    CHECKIN_WIN,
    FIELD_DATE,
    FIELD_INTERVAL,
    FIELD_LEAD,
    FIELD_LENGTH,
    FIELD_LINK,
    FIELD_MODERATOR,
    FIELD_NAME,
    FIELD_RHYTHM,
    FIELD_TIME,
    FIELD_WEEKDAYS,
    INTERVAL_MAX,
    ITEMS,
    LINK_MAX,
    MEETING_ZERO_SECTIONS,
    NAME_MAX,
    NOTES_FIELD,
    NOTES_MAX,
    RHYTHM_CUSTOM,
    RHYTHM_FAST,
    RHYTHM_SLOW,
    SECTIONS,
    TASK_MAX,
    WEEKDAYS,
    Activity,
    describe_lead,
    describe_rhythm,
    item_fields,
    time_boxes,
)
from bot.platform.mrkdwn import mention
from bot.platform.timezones import format_local
from bot.ui.blocks import (
    MODAL_TITLE_MAX,
    button,
    context,
    date_token,
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

CALLBACK_SETUP = "council_setup"
CALLBACK_NOTES = "council_notes"
ACTION_NOTES = "council_notes_open"
CALLBACK_CHECKIN = "council_checkin"
ACTION_CHECKIN = "council_checkin_open"
ACTION_SETUP = "council_setup_open"


@dataclass(frozen=True, slots=True)
class RitualSummary:
    """A council's setup as views show it."""

    council_id: int
    channel_id: str
    name: str
    rhythm: str
    weekdays: tuple[int, ...]
    interval_weeks: int
    meeting_time: str
    first_date: date
    tz: str
    length_minutes: int
    moderator_id: str
    video_link: str
    next_start: datetime | None
    away: tuple[str, ...] = ()
    checkin_lead_hours: int = CHECKIN_LEAD_DEFAULT


@dataclass(frozen=True, slots=True)
class CheckinView:
    user_id: str
    state: str  # "answered" | "missing" | "away" | "landed"
    where_now: str = ""
    needs: str = ""
    win: str = ""


# --- setup ---------------------------------------------------------------------------------------


def setup_modal(
    *, initial: RitualSummary | None, caller: str, tz: str, private_metadata: str
) -> dict:
    rhythm_options = [
        option(RHYTHM_FAST, "Fast: twice a week", "For members searching full time"),
        option(RHYTHM_SLOW, "Slow: every two weeks", "For members searching while employed"),
        option(RHYTHM_CUSTOM, "Custom: pick weekdays and how often"),
    ]
    chosen = initial.rhythm if initial else RHYTHM_FAST
    day_options = [option(str(i), name) for i, name in enumerate(WEEKDAYS)]
    picked = [o for o in day_options if initial and int(str(o.value)) in initial.weekdays]
    interval_options = [
        option(str(n), "Every week" if n == 1 else f"Every {n} weeks")
        for n in range(1, INTERVAL_MAX + 1)
    ]
    interval = str(initial.interval_weeks if initial else 1)
    lead_options = [option(str(h), describe_lead(h).capitalize()) for h in CHECKIN_LEADS]
    lead = str(initial.checkin_lead_hours if initial else CHECKIN_LEAD_DEFAULT)
    blocks: list[Block] = [
        text_input(
            FIELD_NAME,
            "Council name",
            max_length=NAME_MAX,
            initial=initial.name if initial else "",
            placeholder="e.g. Thursday council",
        ),
        InputBlock(
            block_id=FIELD_RHYTHM,
            label=plain("How often you meet", 2000),
            element=StaticSelectElement(
                action_id=FIELD_RHYTHM,
                options=rhythm_options,
                initial_option=next(o for o in rhythm_options if o.value == chosen),
            ),
        ),
        InputBlock(
            block_id=FIELD_WEEKDAYS,
            label=plain("Weekdays", 2000),
            optional=True,
            hint=plain(
                "Needed for a custom rhythm. For fast, pick two (else the first date's "
                "weekday and three days later); slow meets on the first date's weekday.",
                2000,
            ),
            element=CheckboxesElement(
                action_id=FIELD_WEEKDAYS, options=day_options, initial_options=picked or None
            ),
        ),
        InputBlock(
            block_id=FIELD_INTERVAL,
            label=plain("Custom rhythm: how often", 2000),
            optional=True,
            element=StaticSelectElement(
                action_id=FIELD_INTERVAL,
                options=interval_options,
                initial_option=next(o for o in interval_options if o.value == interval),
            ),
        ),
        InputBlock(
            block_id=FIELD_DATE,
            label=plain("First meeting", 2000),
            element=DatePickerElement(
                action_id=FIELD_DATE,
                initial_date=initial.first_date.isoformat() if initial else None,
            ),
        ),
        InputBlock(
            block_id=FIELD_TIME,
            label=plain("Meeting time", 2000),
            hint=plain(f"In your time zone ({tz}); each member sees it in their own.", 2000),
            element=TimePickerElement(
                action_id=FIELD_TIME, initial_time=initial.meeting_time if initial else "18:00"
            ),
        ),
        InputBlock(
            block_id=FIELD_LENGTH,
            label=plain("Length in minutes", 2000),
            element=NumberInputElement(
                action_id=FIELD_LENGTH,
                is_decimal_allowed=False,
                initial_value=str(initial.length_minutes if initial else 60),
            ),
        ),
        InputBlock(
            block_id=FIELD_MODERATOR,
            label=plain("Moderator", 2000),
            hint=plain("A member of this council; they keep time and can change this.", 2000),
            element=UserSelectElement(
                action_id=FIELD_MODERATOR,
                initial_user=initial.moderator_id if initial else caller,
            ),
        ),
        InputBlock(
            block_id=FIELD_LEAD,
            label=plain("Check-in DM", 2000),
            hint=plain(
                "When each member is asked to check in before a meeting; never in their "
                "quiet hours (21:00-08:00 their time).",
                2000,
            ),
            element=StaticSelectElement(
                action_id=FIELD_LEAD,
                options=lead_options,
                initial_option=next(
                    (o for o in lead_options if o.value == lead),
                    next(o for o in lead_options if o.value == str(CHECKIN_LEAD_DEFAULT)),
                ),
            ),
        ),
        text_input(
            FIELD_LINK,
            "Video call link",
            max_length=LINK_MAX,
            initial=initial.video_link if initial else "",
            placeholder="https://…",
            optional=True,
        ),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_SETUP,
        title=plain("Council setup", MODAL_TITLE_MAX),
        submit=plain("Save", MODAL_TITLE_MAX),
        close=plain("Cancel", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=private_metadata,
    )
    return view.to_dict()


def read_setup_form(state_values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        FIELD_NAME: state_value(state_values, FIELD_NAME),
        FIELD_RHYTHM: state_value(state_values, FIELD_RHYTHM),
        FIELD_WEEKDAYS: state_selected(state_values, FIELD_WEEKDAYS),
        FIELD_INTERVAL: state_value(state_values, FIELD_INTERVAL),
        FIELD_TIME: state_value(state_values, FIELD_TIME),
        FIELD_DATE: state_value(state_values, FIELD_DATE),
        FIELD_LENGTH: state_value(state_values, FIELD_LENGTH),
        FIELD_MODERATOR: state_value(state_values, FIELD_MODERATOR),
        FIELD_LINK: state_value(state_values, FIELD_LINK),
        FIELD_LEAD: state_value(state_values, FIELD_LEAD),
    }


NOT_A_MEMBER = "Pick someone in this council's channel: the moderator is one of the council."
NOT_MODERATOR_FIELD = "Only the council's moderator can change its setup."


def not_moderator_text(moderator_id: str) -> str:
    return (
        f"Only the council's moderator, {mention(moderator_id)}, can change its setup. "
        "Ask them, or type `/council` to see when you meet next."
    )


def not_moderator_pause(moderator_id: str) -> str:
    return (
        f"Only the council's moderator, {mention(moderator_id)}, can pause the whole council. "
        "To take a break yourself, type `/council pause` (or `/council pause until "
        "YYYY-MM-DD`)."
    )


COUNCIL_PAUSE_NEEDS_DATE = (
    "Until when? Type `/council pause all until YYYY-MM-DD`: the meetings through that day "
    "are skipped and the rhythm picks up after it."
)


def council_paused_post(
    moderator_id: str, until: date, next_start: datetime | None, tz: str
) -> tuple[str, list[dict]]:
    nxt = (
        f"The next meeting is {date_token(next_start.timestamp(), format_local(next_start, tz))}."
        if next_start
        else "No next meeting is planned yet."
    )
    text = (
        f":palm_tree: {mention(moderator_id)} paused the council's meetings through "
        f"{until.isoformat()}: no meetings, check-ins or nudges until then. {nxt}"
    )
    return text, dicts([section(text)])


def saved_text(summary: RitualSummary, *, tz: str) -> str:
    when = format_local(summary.next_start, tz) if summary.next_start else "not planned"
    return (
        f":white_check_mark: *{esc(summary.name)}* is set up. First meeting: {when}. "
        f"Each member gets a check-in DM {describe_lead(summary.checkin_lead_hours)}, and I "
        "post the agenda here ten minutes before you start."
    )


def setup_offer() -> tuple[str, list[dict]]:
    """Posted once when the bot is added to a private channel with no rhythm yet: what the
    bot does for a council, and its setup one click away."""
    text = (
        ":wave: Hi! I help this channel work as a job-search council. Members post their job "
        "missions here (`/mission`) for the council's reactions and feedback, and I keep "
        "the council's rhythm: a short check-in DM before each meeting and the agenda here "
        "just before it starts."
    )
    blocks = [
        section(text),
        section(
            "*Start with the rhythm:* how often you meet (fast: twice a week, for members "
            "searching full time; slow: every two weeks, while employed), when, for how long "
            "and who moderates. The first meeting is meeting zero: life stories, what each "
            "of you hopes for, and how the council will work."
        ),
        ActionsBlock(
            elements=[button("Set up the council", ACTION_SETUP, "setup", style="primary")]
        ),
        context(
            "Anyone here can start it; the moderator can change it later with "
            "`/council setup`. `/council help` lists everything."
        ),
    ]
    return "I help this channel work as a job-search council: set up its rhythm.", dicts(blocks)


# --- /council ------------------------------------------------------------------------------------


def summary_blocks(summary: RitualSummary | None, *, tz: str) -> list[dict]:
    """`/council` in a council channel: the rhythm, the next meeting in the reader's zone,
    the moderator, who is away."""
    if summary is None:
        return dicts(
            [
                section(
                    "This council has no meeting rhythm yet. Type `/council setup` here to pick "
                    "how often you meet, when, for how long and who moderates."
                ),
                context("`/council help` lists everything `/council` does."),
            ]
        )
    lines = [
        f"*Rhythm:* {describe_rhythm(summary.rhythm, summary.weekdays, summary.interval_weeks)}, "
        f"{summary.length_minutes} minutes",
        f"*Check-ins:* {describe_lead(summary.checkin_lead_hours)} each meeting, "
        "out of quiet hours",
        "*Next meeting:* "
        + (format_local(summary.next_start, tz) if summary.next_start else "none planned"),
        f"*Moderator:* {mention(summary.moderator_id)}",
    ]
    if summary.away:
        lines.append("*Away:* " + ", ".join(mention(u) for u in summary.away))
    if summary.video_link:
        lines.append(f"*Call:* {esc(summary.video_link)}")
    return dicts(
        [
            header(summary.name),
            section("\n".join(lines)),
            context("`/council help` lists everything `/council` does."),
        ]
    )


# --- check-in ------------------------------------------------------------------------------------


def checkin_dm(
    *, meeting_id: int, council_name: str, starts_at: datetime, tz: str, nudge: bool
) -> tuple[str, list[dict]]:
    when = format_local(starts_at, tz)
    if nudge:
        text = (
            f"A gentle reminder: *{esc(council_name)}* meets {when}, and your check-in isn't "
            "in yet. Two minutes is enough; your council reads it before you start."
        )
    else:
        text = (
            f"*{esc(council_name)}* meets {when}. Check in before the meeting: where you are "
            "this week, what you need from the council, and one win. Your answers open the "
            "agenda's check-in round in the council channel."
        )
    blocks = [
        section(text),
        ActionsBlock(
            elements=[button("Check in", ACTION_CHECKIN, str(meeting_id), style="primary")]
        ),
    ]
    return text, dicts(blocks)


def checkin_modal(*, council_name: str, initial: CheckinView | None, private_metadata: str) -> dict:
    view = View(
        type="modal",
        callback_id=CALLBACK_CHECKIN,
        title=plain("Check in", MODAL_TITLE_MAX),
        submit=plain("Send", MODAL_TITLE_MAX),
        close=plain("Later", MODAL_TITLE_MAX),
        blocks=[
            section(f"For *{esc(council_name)}*. It is shared in the council channel's agenda."),
            text_input(
                CHECKIN_WHERE,
                "Where are you this week?",
                max_length=CHECKIN_MAX,
                multiline=True,
                initial=initial.where_now if initial else "",
            ),
            text_input(
                CHECKIN_NEEDS,
                "What do you need from the council?",
                max_length=CHECKIN_MAX,
                multiline=True,
                initial=initial.needs if initial else "",
                optional=True,
            ),
            text_input(
                CHECKIN_WIN,
                "One win, however small",
                max_length=CHECKIN_MAX,
                initial=initial.win if initial else "",
                optional=True,
            ),
        ],
        private_metadata=private_metadata,
    )
    return view.to_dict()


CHECKIN_THANKS = "Thank you, your check-in is in. You can change it until the meeting starts."
MEETING_GONE = "That meeting has started or is no longer planned, so its check-in is closed."
NOT_IN_COUNCIL = "That check-in is for the members of a council you are not in."


# --- the agenda ----------------------------------------------------------------------------------


def _quote(text: str, limit: int = 600) -> str:
    return esc(" ".join(text.split()), limit) if text else ""


def _checkin_line(entry: CheckinView) -> str:
    who = mention(entry.user_id)
    if entry.state == "away":
        return f"• {who}: away this week"
    if entry.state == "landed":
        return f"• {who}: landed :tada:"
    if entry.state != "answered":
        return f"• {who}: no check-in yet"
    parts = [f"• {who}: {_quote(entry.where_now)}"]
    if entry.needs:
        parts.append(f"   _Needs:_ {_quote(entry.needs)}")
    if entry.win:
        parts.append(f"   _Win:_ {_quote(entry.win)}")
    return "\n".join(parts)


def agenda_message(
    *,
    council_name: str,
    starts_at: datetime,
    tz: str,
    length: int,
    meeting_zero: bool,
    checkins: Sequence[CheckinView],
    activity: Sequence[Activity],
    video_link: str,
    moderator_id: str,
    meeting_id: int | None = None,
) -> tuple[str, list[dict]]:
    """The agenda posted in the council channel before the meeting (with the moderator's
    button for notes and action items afterwards)."""
    boxes = time_boxes(length, MEETING_ZERO_SECTIONS if meeting_zero else SECTIONS)
    title = f"{council_name}: meeting zero" if meeting_zero else f"{council_name}: agenda"
    text = f"Agenda for {esc(council_name)}, starting {format_local(starts_at, tz)}"
    blocks: list[Block] = [
        header(title),
        context(f"Starts in about ten minutes ({length} min). Moderator: {mention(moderator_id)}"),
    ]
    if video_link:
        blocks.append(section(f":movie_camera: *Join the call:* {esc(video_link)}"))
    blocks.append(
        section(
            "*Time boxes*\n"
            + "\n".join(f"{n} min · {title}" for title, n in boxes)
            + f"\n_Total: {sum(n for _t, n in boxes)} min_"
        )
    )
    blocks.append(DividerBlock())
    if meeting_zero:
        blocks.append(
            section(
                "*Meeting zero* is for trust: each of you shares the story of your life and "
                "work so far, what you hope the council gives you, and together you agree how "
                "you will work (how often, how you give feedback, what stays in the room)."
            )
        )
    round_lines = [_checkin_line(c) for c in checkins] or ["Nobody to check in yet."]
    blocks += _chunked("*Check-in round*", round_lines)
    lines = [f"• {a.text}" for a in activity] or ["Nothing new was shared here since then."]
    blocks += _chunked("*Shared here lately*" if meeting_zero else "*Since last time*", lines)
    blocks.append(
        context(
            "Check-ins are what members chose to share with the council. Figures, "
            "back-channel names and private debriefs never appear here."
        )
    )
    if meeting_id is not None:
        blocks.append(
            ActionsBlock(elements=[button("Notes & action items", ACTION_NOTES, str(meeting_id))])
        )
    return text, dicts(blocks)


def _chunked(title: str, lines: Sequence[str], limit: int = 2800) -> list[Block]:
    """Sections of whole lines under Slack's 3,000 characters each."""
    out: list[Block] = []
    current = title
    for line in lines:
        if len(current) + len(line) + 1 > limit:
            out.append(section(current))
            current = line
        else:
            current += "\n" + line
    out.append(section(current))
    return out


# --- pause and landed ----------------------------------------------------------------------------


def paused_text(until: date | None) -> str:
    when = f"through {until.isoformat()}" if until else "until you type `/council back`"
    return (
        f":palm_tree: You are away {when}: no check-in DMs or nudges, and the agenda shows you "
        "as away. Enjoy the break."
    )


BACK_TEXT = ":wave: Welcome back. Your check-in DMs start again with the next meeting."


def landed_post(user_id: str) -> tuple[str, list[dict]]:
    text = (
        f":tada: {mention(user_id)} landed a job! The council's work paid off. Congratulations, "
        "and thank you for everything you gave this council along the way."
    )
    return text, dicts([section(text)])


LANDED_TEXT = (
    "Congratulations! I shared the news in the council channel. Your check-in DMs have "
    "stopped; the council is still here for your first 90 days."
)
ACTION_FIRST_90 = "council_first_90"
FIRST_90_NOT_LANDED = "That reminder is for members who shared with `/council landed` here."


def landed_answer() -> list[dict]:
    """The private answer to `/council landed`, offering the 90-days reminder."""
    return dicts(
        [
            section(LANDED_TEXT),
            section(
                "Want a nudge to tell the council how your first 90 days went? The first "
                "months in a new role go better with people in your corner.",
                accessory=button("Remind me in 90 days", ACTION_FIRST_90, "90"),
            ),
        ]
    )


def first_90_set(when: datetime, tz: str) -> str:
    return f":calendar: Done: I'll remind you privately on {format_local(when, tz)}."


def first_90_dm(council_name: str) -> tuple[str, list[dict]]:
    text = (
        f"It's been about 90 days since you landed. How is the new role going? *"
        f"{esc(council_name)}* would love to hear: what's working, what surprised you, and "
        "what you'd tell a member who is still searching. A short post in the council "
        "channel is plenty."
    )
    return text, dicts([section(text)])


def drift_dm(council_name: str) -> tuple[str, list[dict]]:
    text = (
        f"Hi! We haven't heard from you at *{esc(council_name)}* for a couple of meetings, "
        "and that's fine: searches have quiet weeks. Members who stay in touch do better, "
        "though, and a one-line check-in is plenty. If you need a break, `/council pause` "
        "in the council channel keeps your place without any nudges."
    )
    return text, dicts([section(text)])


def drift_heads_up(council_name: str, members: Sequence[str]) -> tuple[str, list[dict]]:
    who = ", ".join(mention(u) for u in members)
    text = (
        f"A heads-up for you as moderator of *{esc(council_name)}*: {who} "
        f"{'has' if len(members) == 1 else 'have'} not checked in or shared anything for two "
        "meetings in a row. A friendly word from you may help. I sent each a kind note too; "
        "nothing about their search is in this message."
    )
    return text, dicts([section(text)])


ALREADY_LANDED = "You shared your news with the council already. Congratulations again!"
NO_RITUAL = (
    "This council has no meeting rhythm yet. Type `/council setup` here to set one up first."
)


# --- after the meeting ---------------------------------------------------------------------------


def notes_modal(*, council_name: str, private_metadata: str) -> dict:
    blocks: list[Block] = [
        section(
            f"Posted in the agenda's thread in *{esc(council_name)}*. Each action item "
            "becomes a private reminder for its owner the day before the next meeting."
        ),
        text_input(
            NOTES_FIELD,
            "Notes",
            max_length=NOTES_MAX,
            multiline=True,
            optional=True,
            placeholder="What the council talked about, decisions, asks",
        ),
    ]
    for n in range(1, ITEMS + 1):
        owner_field, task_field = item_fields(n)
        blocks += [
            InputBlock(
                block_id=owner_field,
                label=plain(f"Action item {n}: who", 2000),
                optional=True,
                element=UserSelectElement(action_id=owner_field),
            ),
            text_input(task_field, f"Action item {n}: what", max_length=TASK_MAX, optional=True),
        ]
    view = View(
        type="modal",
        callback_id=CALLBACK_NOTES,
        title=plain("Meeting notes", MODAL_TITLE_MAX),
        submit=plain("Post", MODAL_TITLE_MAX),
        close=plain("Cancel", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=private_metadata,
    )
    return view.to_dict()


def read_notes_form(state_values: Mapping[str, Any]) -> dict[str, str]:
    fields = [NOTES_FIELD] + [f for n in range(1, ITEMS + 1) for f in item_fields(n)]
    return {field: state_value(state_values, field) for field in fields}


def notes_message(notes: str, items: Sequence[tuple[str, str]]) -> tuple[str, list[dict]]:
    parts = ["*Notes from the meeting*"]
    if notes:
        parts.append(esc(notes, 2000))
    if items:
        parts.append("*Action items*")
        parts += [f"• {mention(owner)}: {esc(task)}" for owner, task in items]
    text = "\n".join(parts)
    return "Notes from the meeting", dicts([section(text)])


def action_item_dm(
    council_name: str, task: str, next_start: datetime | None, tz: str
) -> tuple[str, list[dict]]:
    when = f", before the next meeting ({format_local(next_start, tz)})" if next_start else ""
    text = (
        f"A reminder of your action item from *{esc(council_name)}*{when}: {esc(task)}\n"
        "Your council will be glad to hear how it went."
    )
    return text, dicts([section(text)])


NOT_MODERATOR_NOTES = "Only the council's moderator posts the meeting's notes and action items."
OWNER_NOT_MEMBER = "Pick someone in this council's channel."


# --- App Home ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HomeMeeting:
    """A council's next meeting as a member's Home shows it."""

    meeting_id: int
    council_name: str
    starts_at: datetime
    checked_in: bool
    away: bool


def home_section(meetings: Sequence[HomeMeeting]) -> list[dict[str, Any]]:
    """ "Your council": each council's next meeting (in the reader's own time, Slack's date
    token) and the member's check-in for it; nothing when no council of theirs has a
    rhythm set up."""
    if not meetings:
        return []
    blocks: list[dict[str, Any]] = [section("*Your council*").to_dict()]
    for meeting in meetings:
        when = date_token(meeting.starts_at.timestamp(), meeting.starts_at.strftime("%d %b"))
        at = f"<!date^{int(meeting.starts_at.timestamp())}^{{time}}|{meeting.starts_at:%H:%M} UTC>"
        line = f"Next meeting of *{esc(meeting.council_name)}*: {when} at {at}"
        if meeting.away:
            blocks.append(section(f"{line}\nYou are away: no check-in needed.").to_dict())
        elif meeting.checked_in:
            blocks.append(section(f"{line}\n:white_check_mark: Your check-in is in.").to_dict())
        else:
            blocks.append(
                section(
                    f"{line}\nYour check-in is not in yet.",
                    accessory=button("Check in", ACTION_CHECKIN, str(meeting.meeting_id)),
                ).to_dict()
            )
    return blocks
