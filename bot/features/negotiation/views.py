"""Block Kit for `/negotiate`: the plan modal and its editors, the council summary, lists.

Pure functions from domain objects (bot.features.negotiation.rules) to Block Kit dicts, built with
`slack_sdk.models`. Member-typed text (company, asks, objectives, the note to the
council) goes through `esc` before it lands in mrkdwn; mentions are built only from ids
Slack gave the bot. The numbers appear only in the member's own modal, and in a council
post only when the plan handed over carries them (the member ticked the box).
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
    DividerBlock,
    InputBlock,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.features.debriefs.views import CALLBACK_EVENT_NEW, event_modal
from bot.features.negotiation.rules import (
    AMOUNT_INPUT_MAX,
    ASK_MAX,
    ASKERS_GET_MORE_PERCENT,
    CHECKLIST,
    COMPANY_MAX,
    CURRENCIES,
    DEFAULT_CURRENCY,
    FIELD_ASK,
    FIELD_COMPANY,
    FIELD_CURRENCY,
    FIELD_INCLUDE_NUMBERS,
    FIELD_NOTE,
    FIELD_OBJECTIVE,
    FIELD_OFFER,
    FIELD_SEARCH,
    FIELD_STATUS,
    FIELD_TARGET,
    INCLUDE_NUMBERS_VALUE,
    LEGS,
    NOT_ASKED,
    NOTE_MAX,
    STATUSES,
    Compensation,
    CompensationForm,
    Leg,
    LegForm,
    ObjectiveOption,
    Plan,
    PlanSummary,
    format_amount,
    leg_info,
    money_script,
    objective_for,
    raise_percent,
    status_emoji,
    status_label,
)
from bot.features.reviewable import SUBJECT_NEGOTIATION_PLAN
from bot.features.searches.rules import TYPED_COMPANY_HINT
from bot.platform.mrkdwn import escape, mention
from bot.ui.blocks import (
    MESSAGE_MAX_BLOCKS,
    MODAL_TITLE_MAX,
    PLACEHOLDER_MAX,
    button,
    context,
    date_token,
    dicts,
    esc,
    header,
    listing,
    metadata,
    option,
    plain,
    section,
    state_selected,
    state_value,
    text_input,
)
from bot.ui.review import review_buttons

# --- ids the handler listens for -------------------------------------------------------------

CALLBACK_PICK = "negotiation_pick"  # which search the plan is for
CALLBACK_PLAN = "negotiation_plan"  # the plan itself (no submit: edits happen in pushed views)
CALLBACK_LEG = "negotiation_leg"
CALLBACK_MONEY = "negotiation_money"
CALLBACK_SHARE = "negotiation_share"
CALLBACK_NOTICE = "negotiation_notice"

ACTION_OPEN = "negotiation_open"  # open a plan (value: plan id), from the list or Home
ACTION_EDIT_LEG = "negotiation_edit_leg"  # value: "<plan id>:<leg>"
ACTION_EDIT_MONEY = "negotiation_edit_money"  # value: plan id
ACTION_CHECKLIST = "negotiation_checklist"  # the before-the-call checkboxes
ACTION_SHARE = "negotiation_share_open"  # value: plan id
ACTION_SCHEDULE = "negotiation_schedule"  # value: plan id; opens the /debrief modal

BLOCK_CHECKLIST = "checklist"
LIST_MAX_PLANS = 20
HOME_MAX_PLANS = 5

_PRIVATE = ":lock: Only you can see this plan. Your numbers are never posted unless you choose to."
_METHOD = (
    "First ask for what you need to succeed in the role, each ask tied to your job mission; "
    "then ask for more money, as a question rather than an ultimatum. Keep it warm: you're "
    "working out together how you'll win."
)
_FACT = (
    f":bar_chart: In the data this method cites, people who asked for more money got more "
    f"{ASKERS_GET_MORE_PERCENT}% of the time. Asking, kindly, is the norm."
)
_RED_FLAG = (
    ":triangular_flag_on_post: *Red flag.* Every success factor you've asked for so far was "
    "declined. A company that won't invest in setting you up to succeed before you join is "
    "unlikely to start afterwards. This is worth talking through with your council before "
    "you decide."
)


# --- reading modal state ------------------------------------------------------------------------


def read_pick_form(state_values: Mapping[str, Any]) -> tuple[str, str]:
    """(search id, typed company) from the pick modal."""
    return state_value(state_values, FIELD_SEARCH), state_value(state_values, FIELD_COMPANY)


def read_leg_form(state_values: Mapping[str, Any]) -> LegForm:
    return LegForm(
        ask=state_value(state_values, FIELD_ASK),
        objective=state_value(state_values, FIELD_OBJECTIVE),
        status=state_value(state_values, FIELD_STATUS),
    )


def read_money_form(state_values: Mapping[str, Any]) -> CompensationForm:
    return CompensationForm(
        offer=state_value(state_values, FIELD_OFFER),
        target=state_value(state_values, FIELD_TARGET),
        currency=state_value(state_values, FIELD_CURRENCY),
    )


def read_share_form(state_values: Mapping[str, Any]) -> tuple[bool, str]:
    """(include the numbers, the note) from the share modal."""
    include = INCLUDE_NUMBERS_VALUE in state_selected(state_values, FIELD_INCLUDE_NUMBERS)
    return include, state_value(state_values, FIELD_NOTE)


# --- small pieces -------------------------------------------------------------------------------


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


def _channel_link(channel_id: str | None) -> str:
    if channel_id and channel_id.isalnum():
        return f"<#{channel_id}>"
    return "your council channel"


def _objective_label(objective: ObjectiveOption) -> str:
    return f"O{objective.position}. {objective.text}"


def _money_lines(compensation: Compensation, *, own: bool) -> list[str]:
    """The numbers, in mrkdwn (bot-formatted digits only): for the member, or the council."""
    lines: list[str] = []
    currency = compensation.currency
    if compensation.offer is not None:
        lines.append(f"Current offer: *{format_amount(compensation.offer, currency)}*")
    if compensation.target is not None:
        label = "The number you'd like" if own else "The number they'd like"
        line = f"{label}: *{format_amount(compensation.target, currency)}*"
        if compensation.offer:
            percent = raise_percent(compensation.offer, compensation.target)
            line += f" ({percent:.0f}% above the offer)"
        lines.append(line)
    return lines


def _leg_status(leg: Leg) -> str:
    return f"{status_emoji(leg.status)} {status_label(leg.status)}"


def _leg_text(leg: Leg, objectives: Sequence[ObjectiveOption], *, for_council: bool) -> str:
    info = leg.info
    text = f"*{escape(info.label)}*  ·  {_leg_status(leg)}"
    if leg.ask:
        text += "\n>" + esc(leg.ask, 700).replace("\n", "\n>")
    elif for_council:
        text += "\n_Nothing planned here yet._"
    else:
        text += f"\n_{info.about}_"
    current, stale = objective_for(leg, objectives)
    if current is not None:
        text += f"\n:dart: Serves: {esc(_objective_label(current), 400)}"
    elif stale and leg.objective_text:
        if for_council:
            text += f"\n:dart: Serves: {esc(leg.objective_text, 400)}"
        else:
            text += (
                f"\n:dart: Was tied to “{esc(leg.objective_text, 300)}”, from an earlier "
                "version of your mission. Edit to pick its objective again."
            )
    return text


def _mission_line(plan: Plan) -> str:
    if plan.mission_version is None:
        return (
            "No job mission for this company yet. Draft one with `/mission` in your council "
            "channel and you can tie each ask to one of its objectives: an ask framed as "
            "what the mission needs is easier to say yes to."
        )
    count = len(plan.objectives)
    objectives = f"{count} objective{'s' if count != 1 else ''}"
    return (
        f"Tied to version {plan.mission_version} of your job mission ({objectives}): "
        "frame each ask as what the mission needs."
    )


# --- the plan modal -----------------------------------------------------------------------------


def plan_modal(plan: Plan, *, notice: str | None = None) -> dict:
    """The member's plan: the three success-factor legs, the money, the checklist."""
    if plan.compensation is None:
        raise ValueError("plan_modal shows the member's own plan: load it with its numbers")
    plan_id = str(plan.plan_id)
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    blocks.append(
        section(f":handshake: *Negotiation plan: {esc(plan.company, 300)}*\n{_mission_line(plan)}")
    )
    blocks.append(context(_METHOD))
    if plan.red_flag:
        blocks.append(section(_RED_FLAG, block_id="red_flag"))
    blocks.append(DividerBlock())
    blocks.append(section("*1. First, what you need to succeed*"))
    for leg in plan.legs:
        blocks.append(
            section(
                _leg_text(leg, plan.objectives, for_council=False),
                block_id=f"leg_{leg.key}",
                accessory=button(
                    "Edit" if leg.ask or leg.was_asked else "Add your ask",
                    ACTION_EDIT_LEG,
                    f"{plan_id}:{leg.key}",
                ),
            )
        )
    blocks.append(DividerBlock())
    money = _money_lines(plan.compensation, own=True)
    money_text = "*2. Then, the money*\n" + (
        "\n".join(money)
        if money
        else "Add the current offer and the number you'd like. Only you will see them."
    )
    blocks.append(
        section(
            money_text,
            block_id="money",
            accessory=button(
                "Edit the numbers" if money else "Add the numbers", ACTION_EDIT_MONEY, plan_id
            ),
        )
    )
    script = money_script(plan.compensation)
    if script:
        blocks.append(
            section(
                "*One way to ask, once the success factors are settled:*\n"
                f">{script}\nThen pause, and let them answer."
            )
        )
    blocks.append(context(_FACT))
    blocks.append(DividerBlock())
    blocks.append(section("*3. Before the call*"))
    options = [option(key, text) for key, text in CHECKLIST]
    ticked = [o for o in options if o.value in plan.checklist]
    blocks.append(
        ActionsBlock(
            block_id=BLOCK_CHECKLIST,
            elements=[
                CheckboxesElement(
                    action_id=ACTION_CHECKLIST, options=options, initial_options=ticked or None
                )
            ],
        )
    )
    blocks.append(DividerBlock())
    blocks.append(
        ActionsBlock(
            block_id="plan_actions",
            elements=[
                button("Ask the council to review", ACTION_SHARE, plan_id, style="primary"),
                button("Schedule the call", ACTION_SCHEDULE, plan_id),
            ],
        )
    )
    footer = [_PRIVATE]
    if plan.shared_at is not None:
        footer.append(
            f":speech_balloon: Last shared with your council "
            f"{date_token(plan.shared_at.timestamp(), plan.shared_at.strftime('%Y-%m-%d'))}."
        )
    blocks.append(context(*footer))
    return _modal(
        callback_id=CALLBACK_PLAN,
        title="Negotiation plan",
        blocks=blocks,
        private_metadata=metadata(plan=plan.plan_id),
        close="Done",
    )


# --- picking the search -------------------------------------------------------------------------


def pick_modal(*, searches: Sequence[tuple[int, str]], private_metadata: str) -> dict:
    """Which offer the plan is for: one of the member's searches, or a company typed in."""
    blocks: list[Block] = [
        section(
            "Which offer are you preparing for? I'll open your plan for it: the three success "
            "factors to ask for first, then the money, and a checklist for the call."
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
            "…or type the company" if options else "Company",
            max_length=COMPANY_MAX,
            placeholder="e.g. Acme Robotics",
            hint=TYPED_COMPANY_HINT if options else None,
            optional=bool(options),
        )
    )
    blocks.append(context(_PRIVATE))
    return _modal(
        callback_id=CALLBACK_PICK,
        title="Negotiation plan",
        submit="Open the plan",
        blocks=blocks,
        private_metadata=private_metadata,
    )


# --- editing one leg ----------------------------------------------------------------------------


def leg_modal(plan: Plan, key: str, *, private_metadata: str) -> dict:
    """The ask for one success factor, the objective it serves and where it stands."""
    info = leg_info(key)
    leg = plan.leg(key)
    blocks: list[Block] = [
        section(f"*{escape(info.label)}* at *{esc(plan.company, 300)}*\n{info.about}"),
        text_input(
            FIELD_ASK,
            "Your ask",
            max_length=ASK_MAX,
            initial=leg.ask,
            multiline=True,
            placeholder=info.example,
            hint="One or two sentences you could say out loud.",
            optional=True,
        ),
    ]
    current, stale = objective_for(leg, plan.objectives)
    if plan.objectives:
        options = [option(str(o.id), _objective_label(o)) for o in plan.objectives]
        initial = next((o for o in options if current and o.value == str(current.id)), None)
        blocks.append(
            InputBlock(
                block_id=FIELD_OBJECTIVE,
                label=plain("The mission objective it serves", 2000),
                element=StaticSelectElement(
                    action_id=FIELD_OBJECTIVE,
                    options=options,
                    initial_option=initial,
                    placeholder=plain("Pick an objective", PLACEHOLDER_MAX),
                ),
                hint=plain(
                    f"From version {plan.mission_version} of your job mission for {plan.company}.",
                    2000,
                ),
                optional=True,
            )
        )
        if stale and leg.objective_text:
            blocks.append(
                context(
                    f"This ask was tied to “{esc(leg.objective_text, 300)}”, from an earlier "
                    "version of your mission. Pick the objective it serves now."
                )
            )
    else:
        blocks.append(
            context(
                "No job mission for this company yet, so there's no objective to tie this to. "
                "Draft one with `/mission` in your council channel: an ask tied to what the "
                "role must achieve is easier to say yes to."
            )
        )
    status_options = [option(value, label) for value, label, _ in STATUSES]
    blocks.append(
        InputBlock(
            block_id=FIELD_STATUS,
            label=plain("Where it stands", 2000),
            element=RadioButtonsElement(
                action_id=FIELD_STATUS,
                options=status_options,
                initial_option=next(
                    (o for o in status_options if o.value == (leg.status or NOT_ASKED)),
                    status_options[0],
                ),
            ),
        )
    )
    return _modal(
        callback_id=CALLBACK_LEG,
        title=info.short,
        submit="Save",
        blocks=blocks,
        private_metadata=private_metadata,
    )


# --- the numbers --------------------------------------------------------------------------------


def money_modal(compensation: Compensation, *, private_metadata: str) -> dict:
    """The current offer and the number the member wants; private to them."""
    currency_options = [option(code, code) for code in CURRENCIES]
    currency = compensation.currency if compensation.currency in CURRENCIES else DEFAULT_CURRENCY
    blocks: list[Block] = [
        section(
            ":lock: Only you see these numbers. They stay out of anything I post unless you "
            "choose to share them with your council."
        ),
        InputBlock(
            block_id=FIELD_CURRENCY,
            label=plain("Currency", 2000),
            element=StaticSelectElement(
                action_id=FIELD_CURRENCY,
                options=currency_options,
                initial_option=next(o for o in currency_options if o.value == currency),
            ),
        ),
        text_input(
            FIELD_OFFER,
            "Their current offer",
            max_length=AMOUNT_INPUT_MAX,
            initial=f"{compensation.offer:,}" if compensation.offer is not None else "",
            placeholder="e.g. 185,000 or 185k",
            hint="The yearly base salary they offered.",
            optional=True,
        ),
        text_input(
            FIELD_TARGET,
            "The number you'd like",
            max_length=AMOUNT_INPUT_MAX,
            initial=f"{compensation.target:,}" if compensation.target is not None else "",
            placeholder="e.g. 200,000 or 200k",
            hint="Above the offer: the number you'll ask them to be open to.",
            optional=True,
        ),
        context(_FACT),
    ]
    return _modal(
        callback_id=CALLBACK_MONEY,
        title="Compensation",
        submit="Save",
        blocks=blocks,
        private_metadata=private_metadata,
    )


# --- sharing with the council -------------------------------------------------------------------


def share_modal(plan: Plan, *, channel_id: str, has_numbers: bool, private_metadata: str) -> dict:
    """What will be posted, the "include my numbers" box (unticked), a note to the council."""
    what = "your three asks, where each stands and the objectives they serve"
    if plan.red_flag:
        what += ", and the red flag"
    blocks: list[Block] = [
        section(
            f"I'll post a summary of your plan for *{esc(plan.company, 300)}* in "
            f"{_channel_link(channel_id)}: {what}. Your council gives its feedback in the "
            "thread under it."
        )
    ]
    if has_numbers:
        blocks.append(
            InputBlock(
                block_id=FIELD_INCLUDE_NUMBERS,
                label=plain("Your numbers", 2000),
                element=CheckboxesElement(
                    action_id=FIELD_INCLUDE_NUMBERS,
                    options=[
                        option(
                            INCLUDE_NUMBERS_VALUE,
                            "Include my current offer and target",
                            "Unticked, the post only says the money part is private.",
                        )
                    ],
                ),
                optional=True,
            )
        )
    else:
        blocks.append(context("You haven't added your numbers, so there are none to share."))
    blocks.append(
        text_input(
            FIELD_NOTE,
            "What would you like from your council?",
            max_length=NOTE_MAX,
            multiline=True,
            placeholder="e.g. Is asking for two hires too much for the first conversation?",
            optional=True,
        )
    )
    return _modal(
        callback_id=CALLBACK_SHARE,
        title="Ask your council",
        submit="Post it",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def share_message(plan: Plan, *, note: str = "") -> tuple[str, list[dict]]:
    """The summary in the council channel. The numbers appear only if `plan` carries them."""
    who = mention(plan.user_id)
    blocks: list[Block] = [
        header(f"Negotiation plan: {plan.company}"),
        context(f"{who} would like the council's eyes on this before the negotiation."),
    ]
    if plan.red_flag:
        blocks.append(
            section(
                ":triangular_flag_on_post: *Red flag:* the company has declined every success "
                "factor asked for so far. Worth talking through together before a decision."
            )
        )
    blocks.append(section("*Success factors, asked for first*"))
    for leg in plan.legs:
        blocks.append(section(_leg_text(leg, plan.objectives, for_council=True)))
    money = _money_lines(plan.compensation, own=False) if plan.compensation is not None else []
    if money:
        blocks.append(section("*Compensation, asked for second*\n" + "\n".join(money)))
    else:
        blocks.append(context(f":lock: The money part of the plan stays private to {who}."))
    if note:
        title = f"*What {who} would like from you*\n"
        blocks.append(section(title + esc(note, 2500)))
    blocks.append(
        context(
            ":speech_balloon: Give your feedback in the thread under this message.  "
            ":lock: Shared only in this private council channel."
        )
    )
    blocks.append(ActionsBlock(elements=review_buttons(SUBJECT_NEGOTIATION_PLAN, plan.plan_id)))
    if len(blocks) > MESSAGE_MAX_BLOCKS:  # cannot happen: a fixed number of legs
        raise ValueError(f"negotiation summary has {len(blocks)} blocks")
    fallback = f"Negotiation plan for {esc(plan.company, 300)}: feedback welcome in the thread"
    return fallback, dicts(blocks)


def shared_notice(channel_id: str) -> str:
    return (
        f":white_check_mark: Posted to {_channel_link(channel_id)}. Your council's feedback "
        "will come in the thread under it."
    )


def share_failed(reason: str) -> str:
    return (
        "I couldn't post to your council channel just now (Slack said: "
        f"{reason}). Your plan is saved and your note is still here: please try again in a "
        "moment."
    )


def notice_modal(text: str) -> dict:
    """A short explanation pushed over the plan (no form)."""
    return _modal(
        callback_id=CALLBACK_NOTICE,
        title="One more step",
        blocks=[section(text)],
        private_metadata="",
        close="OK",
    )


def no_council_text(what: str) -> str:
    return (
        f"To {what}, I need to know your council. Type `/negotiate` once in your council's "
        "private channel and pick this company again; the plan remembers the channel."
    )


# --- the negotiation call: the /debrief modal, prefilled ---------------------------------------


def negotiation_call_modal(
    *,
    searches: Sequence[tuple[int, str]],
    search_id: int,
    tz: str,
    now: datetime,
    private_metadata: str,
) -> dict:
    """`/debrief`'s "log an event" modal with the company chosen and the kind "Negotiation".

    Submitted, it is handled by the debrief feature like any event it opened itself:
    a Gratitude House nudge before the call, a debrief prompt after it.
    """
    return event_modal(
        callback_id=CALLBACK_EVENT_NEW,
        searches=searches,
        tz=tz,
        now=now,
        private_metadata=private_metadata,
        search_id=search_id,
        kind="negotiation",
    )


# --- lists and Home -----------------------------------------------------------------------------


def _summary_line(summary: PlanSummary) -> str:
    statuses = "  ·  ".join(
        f"{status_emoji(leg.status)} {leg_info(leg.key).short}" for leg in summary.legs
    )
    money = ":moneybag: numbers set" if summary.has_numbers else "no numbers yet"
    text = f"*{esc(summary.company, 300)}*\n{statuses}  ·  {money}"
    if summary.red_flag:
        text += (
            "\n:triangular_flag_on_post: *Red flag:* every success factor you asked for was "
            "declined. Worth discussing with your council."
        )
    return text


def list_message(summaries: Sequence[PlanSummary]) -> list[dict]:
    """`/negotiate list`: the member's plans, each with an Open button (ephemeral)."""
    blocks: list[Block] = [section("*Your negotiation plans*")]
    blocks.extend(
        listing(
            _open_buttons(summaries),
            empty="No plans yet. When an offer arrives, type `/negotiate` to prepare: what you "
            "need to succeed first, then the money.",
            limit=LIST_MAX_PLANS,
        )
    )
    blocks.append(context(":lock: Only you can see this. Type `/negotiate` to start another."))
    return dicts(blocks)


def home_section(summaries: Sequence[PlanSummary]) -> list[dict]:
    """The negotiation part of the App Home tab: plans, red flags first. No numbers."""
    blocks: list[Block] = [header("Negotiation plans")]
    blocks.extend(
        listing(
            _open_buttons(summaries),
            empty="When an offer arrives, type `/negotiate` to prepare the four legs: "
            "resources, team, mentorship, then the money.",
            limit=HOME_MAX_PLANS,
            more=" in `/negotiate list`",
        )
    )
    return dicts(blocks)


def _open_buttons(summaries: Sequence[PlanSummary]) -> list[tuple[str, BlockElement | None]]:
    return [(_summary_line(s), button("Open", ACTION_OPEN, str(s.plan_id))) for s in summaries]


def help_blocks() -> list[dict]:
    """`/negotiate help`: the four legs, the money ask, the checklist, sharing, privacy."""
    legs = "\n".join(f"•  *{escape(leg.label)}*: {leg.about}" for leg in LEGS)
    checklist = "\n".join(f"•  {text}" for _, text in CHECKLIST)
    blocks: list[Block] = [
        header("Negotiation prep: the four legs"),
        section(
            "Once an offer is on the table, the negotiation is about more than salary. "
            "Ask first for what you need to succeed, each ask tied to an objective of your "
            "job mission, and only then for more money. Asking for success factors shows "
            "you're already thinking about delivering."
        ),
        section(f"*The success factors*\n{legs}"),
        section(
            "*Then the money*\nAdd the current offer and the number you'd like (185,000 or "
            "185k both work). I'll suggest a warm way to ask whether they'd be open to your "
            f"number. In the data the method cites, people who asked got more "
            f"{ASKERS_GET_MORE_PERCENT}% of the time."
        ),
        section(f"*Before the call*\n{checklist}"),
        section(
            "*Red flags*\nIf the company declines every success factor you ask for, I'll "
            "flag it plainly: it's worth talking through with your council before you say yes."
        ),
        section(
            "*Commands*\n"
            "`/negotiate`  opens the plan for one of your searches (pick it or type the "
            "company). Use it in your council's private channel or in a DM with me.\n"
            "`/negotiate list`  shows your plans.\n"
            "`/negotiate help`  shows this guide.\n"
            "In the plan, *Ask the council to review* posts a summary to your council "
            "channel for feedback in its thread, and *Schedule the call* logs the "
            "negotiation with `/debrief`: a Gratitude House nudge before, a debrief after."
        ),
        context(
            ":lock: Your plan is private. Summaries you share never include your numbers "
            "unless you tick the box."
        ),
    ]
    return dicts(blocks)
