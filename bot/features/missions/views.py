"""Block Kit for job missions: the modal, the council-channel message, lists and Home.

Pure functions from domain objects to Block Kit dicts, built with `slack_sdk.models`.
Every piece of member-typed text goes through `esc` (escape, then fit) before it lands in
mrkdwn; plain_text is cut to Slack's limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    InputBlock,
    Option,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.features.missions.rules import (
    COMPANY_MAX,
    DEFAULT_STAGE,
    FIELD_COMPANY,
    FIELD_MISSION,
    FIELD_ROLE,
    FIELD_STAGE,
    KEY_RESULTS_INPUT_MAX,
    LEGEND,
    MAX_OBJECTIVES,
    MISSION_MAX,
    OBJECTIVE_MAX,
    ROLE_MAX,
    STAGES,
    DraftSummary,
    MissionForm,
    MissionInput,
    OwedFeedback,
    Tally,
    VersionSummary,
    key_results_field,
    objective_field,
    share_live_suggestion,
    stage_label,
    status_label,
)
from bot.platform.mrkdwn import escape, mention
from bot.ui.blocks import (
    MESSAGE_MAX_BLOCKS,
    MODAL_TITLE_MAX,
    SECTION_TEXT_MAX,
    button,
    context,
    date_token,
    dicts,
    esc,
    fit_lines,
    header,
    link_button,
    mentions,
    plain,
    section,
    state_value,
    text_input,
)
from bot.ui.metadata import DraftRef

# --- ids the handler listens for -------------------------------------------------------------

CALLBACK_NEW = "mission_new"
CALLBACK_EDIT = "mission_edit"
CALLBACK_WITHDRAW = "mission_withdraw_confirm"

BLOCK_COMPANY = FIELD_COMPANY
BLOCK_ROLE = FIELD_ROLE
BLOCK_STAGE = FIELD_STAGE
BLOCK_MISSION = FIELD_MISSION
BLOCK_OBJECTIVES: tuple[str, ...] = tuple(
    objective_field(n) for n in range(1, MAX_OBJECTIVES + 1)
)  # "objective_1".."objective_5"
BLOCK_KEY_RESULTS: tuple[str, ...] = tuple(
    key_results_field(n) for n in range(1, MAX_OBJECTIVES + 1)
)  # "krs_1".."krs_5"
BLOCK_ADD_OBJECTIVE = "mission_add_objective_block"
BLOCK_ACTIONS = "mission_actions"  # the buttons under a draft in the channel

# Input elements use their block id as action id: state.values[block][block].
ACTION_ADD_OBJECTIVE = "mission_add_objective"
ACTION_EDIT = "mission_edit"
ACTION_FEEDBACK = "mission_feedback"
ACTION_REQUEST = "mission_request"
ACTION_QUESTIONS = "mission_questions"
ACTION_WITHDRAW = "mission_withdraw"
ACTION_VERSIONS = "mission_versions"
ACTION_MARK_SHARED = "mission_mark_shared"
ACTION_POST_AGAIN = "mission_post_again"

LIST_MAX_DRAFTS = 40
HOME_MAX_DRAFTS = 8
HOME_MAX_OWED = 8
VERSIONS_MAX = 10
# Validated input has at most five; a hand-built MissionInput may hold more.
OBJECTIVES_SHOWN = 2 * MAX_OBJECTIVES

_LIVE_TIP = (
    ":speech_balloon: A couple of interviews in: a good moment to walk the hiring manager "
    "through this draft live, on a call or over coffee rather than by email."
)
_PRIVACY = ":lock: Posted only in this private council channel."


# --- the modal --------------------------------------------------------------------------------


def _stage_options() -> list[Option]:
    return [Option(value=value, text=plain(label, 75)) for value, label in STAGES]


def _initial_slots(initial: MissionInput | MissionForm | None) -> list[tuple[str, str]]:
    if initial is None:
        return []
    if isinstance(initial, MissionInput):
        return [(o.text, "\n".join(o.key_results)) for o in initial.objectives]
    return [(text or "", krs or "") for text, krs in initial.objectives]


def mission_modal(
    *,
    callback_id: str,
    objective_slots: int,
    initial: MissionInput | MissionForm | None,
    private_metadata: str,
) -> dict:
    """The draft/edit modal. `initial` prefills it (a MissionForm keeps raw, unsaved input).

    The number of objective slots is at least 1, at least the prefilled objectives, at
    most MAX_OBJECTIVES.
    """
    if len(private_metadata) > 3000:
        raise ValueError("private_metadata is longer than Slack's 3000 characters")
    editing = callback_id == CALLBACK_EDIT
    prefilled = _initial_slots(initial)[:MAX_OBJECTIVES]
    slots = max(1, min(MAX_OBJECTIVES, max(objective_slots, len(prefilled))))
    stage = (initial.stage if initial is not None else "") or DEFAULT_STAGE
    options = _stage_options()
    initial_option = next(
        (o for o, (value, _) in zip(options, STAGES, strict=True) if value == stage),
        next(o for o, (value, _) in zip(options, STAGES, strict=True) if value == DEFAULT_STAGE),
    )

    blocks: list[Block] = [
        section(
            "Write the job the way you would do it: a short mission, then a few objectives, "
            "each with key results you could measure. Your council reacts and helps you "
            "sharpen it; only this private channel sees it."
        ),
        text_input(
            BLOCK_COMPANY,
            "Company",
            max_length=COMPANY_MAX,
            initial=initial.company if initial else "",
            placeholder="e.g. Acme Payments",
        ),
        text_input(
            BLOCK_ROLE,
            "Role",
            max_length=ROLE_MAX,
            initial=initial.role if initial else "",
            placeholder="e.g. Senior Product Manager, Checkout",
        ),
        InputBlock(
            block_id=BLOCK_STAGE,
            label=plain("Where are you with them?", 2000),
            element=StaticSelectElement(
                action_id=BLOCK_STAGE,
                options=options,
                initial_option=initial_option,
                placeholder=plain("Pick a stage", 150),
            ),
        ),
        text_input(
            BLOCK_MISSION,
            "Mission",
            max_length=MISSION_MAX,
            initial=initial.mission if initial else "",
            multiline=True,
            placeholder="What is this role for, and what will be better because you're in it?",
            hint="A sentence or two, in your own words rather than the job ad's.",
        ),
    ]
    for slot in range(1, slots + 1):
        text, krs = prefilled[slot - 1] if slot <= len(prefilled) else ("", "")
        # A draft needs one objective with a key result (rules.validate): the first slot is
        # required, and labelled so; the others are optional.
        optional = slot > 1
        blocks.append(DividerBlock())
        blocks.append(
            text_input(
                objective_field(slot),
                f"Objective {slot}",
                max_length=OBJECTIVE_MAX,
                initial=text,
                placeholder="e.g. Make checkout effortless for first-time buyers",
                optional=optional,
            )
        )
        blocks.append(
            text_input(
                key_results_field(slot),
                f"Key results for objective {slot}",
                max_length=KEY_RESULTS_INPUT_MAX,
                initial=krs,
                multiline=True,
                placeholder="e.g. Raise checkout conversion from 2.1% to 3% by Q4",
                hint="One per line, up to five. A number, a date or a metric makes each "
                "one easy to react to.",
                optional=optional,
            )
        )
    if slots < MAX_OBJECTIVES:
        blocks.append(
            ActionsBlock(
                block_id=BLOCK_ADD_OBJECTIVE,
                elements=[button("Add objective", ACTION_ADD_OBJECTIVE, str(slots + 1))],
            )
        )
    view = View(
        type="modal",
        callback_id=callback_id,
        title=plain("Edit job mission" if editing else "New job mission", MODAL_TITLE_MAX),
        submit=plain("Save new version" if editing else "Post to council", MODAL_TITLE_MAX),
        close=plain("Cancel", MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=private_metadata,
    )
    return view.to_dict()


def objective_slots_in(state_values: Mapping[str, Any]) -> int:
    """How many objective slots the submitted modal had (the highest slot present)."""
    present = [
        slot
        for slot in range(1, MAX_OBJECTIVES + 1)
        if objective_field(slot) in state_values or key_results_field(slot) in state_values
    ]
    return max(present, default=0)


def read_form(state_values: Mapping[str, Any]) -> MissionForm:
    """Slack's `view.state.values` -> the domain's raw MissionForm (missing -> "")."""
    slots = objective_slots_in(state_values)
    return MissionForm(
        company=state_value(state_values, BLOCK_COMPANY),
        role=state_value(state_values, BLOCK_ROLE),
        stage=state_value(state_values, BLOCK_STAGE),
        mission=state_value(state_values, BLOCK_MISSION),
        objectives=tuple(
            (
                state_value(state_values, objective_field(slot)),
                state_value(state_values, key_results_field(slot)),
            )
            for slot in range(1, slots + 1)
        ),
    )


# --- the draft in the channel -----------------------------------------------------------------


def legend_text() -> str:
    return "\n".join(f":{entry.emoji}:  {entry.meaning}" for entry in LEGEND)


TALLY_INVITATION = "*React to this message to give feedback:*"


def tally_lines(tally: Tally) -> str:
    """The legend with counts and who, one line per entry, with no heading: each message
    that shows a tally says what it is (the draft invites reactions; a digest reports)."""
    lines = []
    for entry, users in tally.rows():
        line = f":{entry.emoji}:  {entry.meaning}  ·  *{len(users)}*"
        if users:
            line += f"  {mentions(users)}"
        lines.append(line)
    return "\n".join(lines)


def tally_text(tally: Tally) -> str:
    """The legend with live counts and who, for the draft's own message in the channel."""
    return f"{TALLY_INVITATION}\n{tally_lines(tally)}"


def tally_summary(tally: Tally) -> str:
    """A compact one-line tally, for lists and Home."""
    if not tally.total:
        return "no reactions yet"
    return "  ".join(f":{entry.emoji}: {len(users)}" for entry, users in tally.rows())


def _objective_text(slot: int, text: str, key_results: Sequence[str]) -> str:
    title = f"*Objective {slot}:* {esc(text, 700)}\n"
    return title + fit_lines(list(key_results), SECTION_TEXT_MAX - len(title), prefix="•  ")


def _objective_blocks(mission: MissionInput) -> list[Block]:
    return [
        section(_objective_text(slot, objective.text, objective.key_results))
        for slot, objective in enumerate(mission.objectives[:OBJECTIVES_SHOWN], start=1)
    ]


def draft_message(
    *,
    draft_id: int,
    author_id: str,
    mission: MissionInput,
    version: int,
    revised: bool,
    tally: Tally,
    notes: Sequence[str] | None = None,
    company: str | None = None,
    role: str | None = None,
    stage: str | None = None,
    live_tip: bool = False,
) -> tuple[str, list[dict]]:
    """Fallback text and blocks of a draft in the council channel.

    `company`, `role` and `stage` default to the mission's own. `live_tip` adds the
    method's reminder to walk the hiring manager through it live, for when that applies
    (after a couple of interviews: DraftSnapshot.live_tip), not on a brand-new draft.
    """
    company = mission.company if company is None else company
    role = mission.role if role is None else role
    stage = mission.stage if stage is None else stage
    value = str(draft_id)

    about = f"by {mention(author_id)}  ·  {stage_label(stage)}  ·  version {version}"
    if revised:
        about += " (revised)"
    mission_title = "*Mission*\n"
    blocks: list[Block] = [
        header(f"Job mission: {role} at {company}"),
        context(about),
        section(mission_title + esc(mission.mission, SECTION_TEXT_MAX - len(mission_title))),
        *_objective_blocks(mission),
        DividerBlock(),
        section(tally_text(tally)),
    ]
    if tally.responders:
        count = len(tally.responders)
        reacted = f"{count} council member{'s' if count != 1 else ''} reacted so far."
        if revised:
            # The reactions stay on the edited message, so they stay in the tally too.
            reacted += (
                " Reactions given to an earlier version stay and count here: take yours "
                "off if this version answers it."
            )
        blocks.append(context(reacted))
    else:
        blocks.append(context("No reactions yet. They show up here as they come in."))
    if notes:
        blocks.extend(_quality(notes))
    buttons = [
        button("Give feedback", ACTION_FEEDBACK, value, style="primary"),
        button("Request feedback", ACTION_REQUEST, value),
        button("Interview questions", ACTION_QUESTIONS, value),
        button("Edit", ACTION_EDIT, value),
    ]
    if version > 1:
        buttons.append(button("Earlier versions", ACTION_VERSIONS, value))
    # No confirm dialog on the button: Slack would show it to anyone who presses it. The
    # bot checks who pressed first, and asks only the author to confirm (withdraw_modal).
    buttons.append(button("Withdraw", ACTION_WITHDRAW, value, style="danger"))
    blocks.append(ActionsBlock(block_id=BLOCK_ACTIONS, elements=buttons))
    blocks.append(context(_PRIVACY, _LIVE_TIP) if live_tip else context(_PRIVACY))
    if len(blocks) > MESSAGE_MAX_BLOCKS:  # cannot happen with validated input
        raise ValueError(f"draft message has {len(blocks)} blocks")

    fallback = f"Job mission: {esc(role, 300)} at {esc(company, 300)}, version {version}" + (
        " (revised)" if revised else ""
    )
    return fallback, dicts(blocks)


# What withdrawing does, said before the author confirms it.
WITHDRAW_EXPLAINED = (
    "The draft's message is replaced by a short note that you withdrew it. The thread "
    "under it, with your council's feedback, stays. You can still find the draft in "
    "/mission list."
)


def withdraw_modal(*, draft_id: int, company: str, role: str) -> dict:
    """The author's confirmation before withdrawing: what it does, then Withdraw or keep."""
    view = View(
        type="modal",
        callback_id=CALLBACK_WITHDRAW,
        title=plain("Withdraw this draft?", MODAL_TITLE_MAX),
        submit=plain("Withdraw", MODAL_TITLE_MAX),
        close=plain("Keep it", MODAL_TITLE_MAX),
        blocks=[
            section(f"*Your job mission for {esc(role, 300)} at {esc(company, 300)}*"),
            section(WITHDRAW_EXPLAINED),
        ],
        private_metadata=DraftRef(draft=draft_id).encode(),
    )
    return view.to_dict()


def withdrawn_text() -> str:
    return "This job mission draft was withdrawn by its author."


def withdrawn_message() -> tuple[str, list[dict]]:
    """What replaces a withdrawn draft's message in the channel (text and blocks); the
    message itself stays, so its thread does."""
    return withdrawn_text(), dicts(
        [context(f":leaves: {withdrawn_text()} The replies in its thread stay.")]
    )


def not_author_text() -> str:
    return "Only the person who drafted this mission can do that."


# --- ephemeral and Home views -----------------------------------------------------------------


def _quality(notes: Sequence[str]) -> list[Block]:
    intro = ":seedling: *A few gentle suggestions* (you can post it as it is):\n"
    return [
        section(intro + fit_lines(list(notes), SECTION_TEXT_MAX - len(intro), prefix="•  ")),
    ]


def quality_blocks(notes: Sequence[str]) -> list[dict]:
    """Gentle, non-blocking quality notes; empty when there are none."""
    return dicts(_quality(notes)) if notes else []


def questions_message(questions: Sequence[str]) -> list[dict]:
    """Suggested clarifying questions for the next interview (ephemeral)."""
    if not questions:
        return dicts(
            [
                section(
                    "Add an objective with a key result or two, and I'll suggest questions "
                    "for your next interview."
                )
            ]
        )
    intro = ":mag: *Questions you could ask in your next interview*\n"
    numbered = [f"{n}. {q}" for n, q in enumerate(questions, start=1)]
    return dicts(
        [
            section(intro + fit_lines(numbered, SECTION_TEXT_MAX - len(intro))),
            context(
                "Drawn from your objectives and key results. Asking them shows the hiring "
                "team you are already thinking about outcomes."
            ),
        ]
    )


def _version_text(version: VersionSummary) -> str:
    when = ""
    if version.created_at is not None:
        when = "  ·  " + date_token(
            version.created_at.timestamp(), version.created_at.date().isoformat()
        )
    head = f"*Version {version.number}*{when}\n"
    mission = esc(version.mission.mission, 1000) + "\n"
    lines = [
        f"{slot}. {objective.text}: " + "; ".join(objective.key_results)
        for slot, objective in enumerate(version.mission.objectives, start=1)
    ]
    return head + mission + fit_lines(lines, SECTION_TEXT_MAX - len(head) - len(mission))


def versions_message(
    *,
    company: str,
    role: str,
    versions: Sequence[VersionSummary],
    current: int | None = None,
    author_id: str | None = None,
) -> list[dict]:
    """Earlier versions of a draft, newest first (ephemeral). `current` is left out.

    `author_id` is the draft's author when the viewer is someone else (a council member
    looking at a colleague's draft); None when the author looks at their own.
    """
    earlier = sorted(
        (v for v in versions if current is None or v.number != current),
        key=lambda v: v.number,
        reverse=True,
    )
    whose = "your" if author_id is None else f"{mention(author_id)}'s"
    blocks: list[Block] = [
        section(f"*Earlier versions of {whose} job mission for {esc(role)} at {esc(company)}*")
    ]
    if not earlier:
        saver = "you save" if author_id is None else "its author saves"
        blocks.append(
            section(
                f"There is only one version so far. Each time {saver} an edit, the one "
                "before it is kept here."
            )
        )
    for version in earlier[:VERSIONS_MAX]:
        blocks.append(DividerBlock())
        blocks.append(section(_version_text(version)))
    if len(earlier) > VERSIONS_MAX:
        blocks.append(context(f"…and {len(earlier) - VERSIONS_MAX} older versions."))
    return dicts(blocks)


def _draft_line(draft: DraftSummary) -> str:
    text = (
        f"*{esc(draft.role, 300)}* at *{esc(draft.company, 300)}*  ·  "
        f"{stage_label(draft.stage)}\n"
        f"Version {draft.version}  ·  {status_label(draft.status)}  ·  "
        f"{tally_summary(draft.tally)}"
    )
    if draft.permalink:
        text += f"  ·  <{escape(draft.permalink)}|Open>"
    return text


def list_message(drafts: Sequence[DraftSummary]) -> list[dict]:
    """`/mission list`: the member's drafts with version, status and tally (ephemeral)."""
    blocks: list[Block] = [section("*Your job missions*")]
    if not drafts:
        blocks.append(
            section(
                "You haven't drafted a job mission yet. Type `/mission` in your council's "
                "private channel to start one."
            )
        )
    for draft in drafts[:LIST_MAX_DRAFTS]:
        blocks.append(section(_draft_line(draft)))
    if len(drafts) > LIST_MAX_DRAFTS:
        blocks.append(context(f"…and {len(drafts) - LIST_MAX_DRAFTS} more."))
    blocks.append(context("Type `/mission help` to see how job missions work."))
    return dicts(blocks)


def help_blocks() -> list[dict]:
    """`/mission help`: every subcommand, the buttons, the reaction legend and privacy."""
    blocks: list[Block] = [
        header("Job missions with OKRs"),
        section(
            "Once interviews start, write your own version of the job: a short mission for "
            "the role and up to five objectives, each with key results you could measure. "
            "Drafting it sharpens your interview questions, your council helps you refine "
            "it, and after a couple of interviews you walk the hiring manager through it "
            "live. It also sets up the negotiation later: what you need to succeed follows "
            "from these objectives."
        ),
        section(
            "*Commands*\n"
            "`/mission`  opens the form to draft a new mission. Use it in your council's "
            "private channel.\n"
            "`/mission list`  shows your drafts with their version, status and feedback.\n"
            "`/mission help`  shows this guide."
        ),
        section(
            "*Buttons on a posted draft*\n"
            "*Give feedback*  write what is strong, unclear or missing; it goes in the "
            "draft's thread.\n"
            "*Request feedback*  ask chosen council members to look at it by a date; it "
            "shows up on their Home tab as feedback they owe.\n"
            "*Interview questions*  suggests questions drawn from your objectives.\n"
            "*Edit*  saves a new version; *Earlier versions* shows the ones before.\n"
            "*Withdraw*  takes the draft down."
        ),
        section(
            "*Reactions are feedback too*\n"
            + legend_text()
            + "\nThe draft shows a live tally. Removing a reaction takes it off again; the "
            "author's own reactions and mine don't count."
        ),
        context(
            ":lock: Drafts are posted only in your council's private channel, never in "
            "public ones, and nothing is sent to the company."
        ),
    ]
    return dicts(blocks)


def _owed_line(owed: OwedFeedback) -> str:
    text = (
        f"{mention(owed.author_id)} asked for your feedback on their mission for "
        f"*{esc(owed.role, 300)}* at *{esc(owed.company, 300)}*"
    )
    if owed.deadline is not None:
        text += " by " + date_token(owed.deadline.timestamp(), owed.deadline.date().isoformat())
    if owed.permalink:
        text += f"  ·  <{escape(owed.permalink)}|Open the draft>"
    return text


def home_section(drafts: Sequence[DraftSummary], owed: Sequence[OwedFeedback]) -> list[dict]:
    """The job-missions part of the App Home tab: live drafts, and feedback owed."""
    live = [d for d in drafts if d.status != "withdrawn"]
    blocks: list[Block] = [header("Your job missions")]
    if not live:
        blocks.append(
            section(
                "No drafts yet. Once interviews start, type `/mission` in your council's "
                "private channel to write your own version of the job."
            )
        )
    for draft in live[:HOME_MAX_DRAFTS]:
        value = str(draft.draft_id)
        blocks.append(section(_draft_line(draft)))
        buttons = [
            button("Edit", ACTION_EDIT, value),
            button("Interview questions", ACTION_QUESTIONS, value),
        ]
        if draft.version > 1:
            buttons.append(button("Earlier versions", ACTION_VERSIONS, value))
        blocks.append(ActionsBlock(elements=buttons))
        if draft.status == "posted" and share_live_suggestion(draft.interviews_logged):
            blocks.append(
                context(
                    f":speech_balloon: {draft.interviews_logged} interviews in: a good "
                    "moment to walk the hiring manager through this draft live."
                )
            )
    if len(live) > HOME_MAX_DRAFTS:
        blocks.append(context(f"…and {len(live) - HOME_MAX_DRAFTS} more in `/mission list`."))

    blocks.append(section("*Feedback you owe*"))
    if not owed:
        blocks.append(context("You're all caught up. Thank you for helping your council."))
    for item in owed[:HOME_MAX_OWED]:
        blocks.append(
            section(
                _owed_line(item),
                accessory=button("Give feedback", ACTION_FEEDBACK, str(item.draft_id)),
            )
        )
    if len(owed) > HOME_MAX_OWED:
        blocks.append(context(f"…and {len(owed) - HOME_MAX_OWED} more requests."))
    return dicts(blocks)


def share_live_message(
    *, draft_id: int, company: str, role: str, permalink: str | None
) -> tuple[str, list[dict]]:
    """The private suggestion, after a couple of interviews, to walk the hiring manager
    through the job mission live."""
    text = (
        f":coffee: You've had two interviews with *{esc(company, 300)}*. This is a good "
        f"moment to walk the hiring manager through your job mission for *{esc(role, 300)}*, "
        "live: a call, a video chat or a coffee, not an email. Hiring managers rarely see a "
        "candidate describe the outcomes they mean to deliver, and the conversation shows "
        "you quickly whether you both picture the same job."
    )
    buttons = [button("I've shared it", ACTION_MARK_SHARED, str(draft_id), style="primary")]
    if permalink:
        buttons.append(link_button("Open the draft", permalink))
    blocks: list[Block] = [
        section(text),
        ActionsBlock(elements=buttons),
        context("Only you see this. Marking it shared is just for your own records."),
    ]
    return f"Time to share your job mission for {role} at {company} live?", dicts(blocks)


def post_failed_message(*, draft_id: int, reason: str) -> tuple[str, list[dict]]:
    """The private note when Slack refused to post a saved draft, with a retry button."""
    text = (
        f"I couldn't post your job mission to the council channel (Slack said: "
        f"{escape(reason)}). It is saved, nothing is lost: press the button to post it now."
    )
    blocks = [
        section(f":warning: {text}"),
        ActionsBlock(elements=[button("Post it now", ACTION_POST_AGAIN, str(draft_id))]),
    ]
    return text, [b.to_dict() for b in blocks]


def channel_changed_message(*, draft_id: int, reason: str) -> tuple[str, list[dict]]:
    """The private note when a saved draft is held back because its channel is no longer
    private to the council; the button posts it once the channel is fit again."""
    text = (
        "I haven't posted your job mission: "
        f"{escape(reason)} It is saved. Once the channel is private to your council again, "
        "press the button to post it."
    )
    blocks = [
        section(f":lock: {text}"),
        ActionsBlock(elements=[button("Post it now", ACTION_POST_AGAIN, str(draft_id))]),
    ]
    return text, [b.to_dict() for b in blocks]
