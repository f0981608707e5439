"""Negotiation prep, the four legs: the rules, in plain Python (no Slack imports).

Once an offer is on the table, the method asks for what the member needs to succeed
before it asks for money, and ties each of those asks to an objective of their job
mission, so the ask reads as what the mission needs rather than a perk:

1. resources (a budget to pay down technical debt, tools, time);
2. team development (training, extra hires, strengthening a function such as design);
3. mentorship and professional development (a mentor, conferences, courses);
4. compensation, asked for last and collaboratively.

Each success-factor leg has an ask, the objective it serves and a status. When every
ask that was made has been declined, that is a red flag worth discussing with the
council. The numbers (current offer, target) are private to the member.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.features.searches.rules import (
    PICK_COMPANY,
    PICK_SEARCH,
    company_key,
    pick_company,
)
from bot.features.text import multiline, unstorable

# --- the legs -----------------------------------------------------------------------------------

LEG_RESOURCES = "resources"
LEG_TEAM = "team"
LEG_MENTORSHIP = "mentorship"


@dataclass(frozen=True, slots=True)
class LegInfo:
    key: str
    label: str  # as the plan shows it
    short: str  # fits a modal title (24 characters)
    about: str  # what belongs in this leg, in the bot's words
    example: str  # a placeholder for the ask


LEGS: tuple[LegInfo, ...] = (
    LegInfo(
        LEG_RESOURCES,
        "Resources",
        "Resources",
        "What the work itself needs to succeed: budget, tools, or time set aside, for "
        "example to pay down technical debt before building on top of it.",
        "e.g. A budget in year one to retire the legacy billing system",
    ),
    LegInfo(
        LEG_TEAM,
        "Team development",
        "Team development",
        "What your team needs: training, extra hires, or strengthening a function "
        "that's thin today, such as design.",
        "e.g. Two more engineers and a senior designer by the end of Q2",
    ),
    LegInfo(
        LEG_MENTORSHIP,
        "Mentorship & professional development",
        "Mentorship & growth",
        "What helps you grow into the role: a mentor, conferences, courses or coaching.",
        "e.g. A mentor on the leadership team and two conferences a year",
    ),
)
LEG_KEYS: tuple[str, ...] = tuple(leg.key for leg in LEGS)
_LEG_INFO = {leg.key: leg for leg in LEGS}


def leg_info(key: str) -> LegInfo:
    return _LEG_INFO[key]


# --- statuses -----------------------------------------------------------------------------------

NOT_ASKED = "not_asked"
ASKED = "asked"
COMMITTED = "committed"
DECLINED = "declined"

STATUSES: tuple[tuple[str, str, str], ...] = (
    (NOT_ASKED, "Not asked yet", ":white_circle:"),
    (ASKED, "Asked, waiting to hear", ":hourglass_flowing_sand:"),
    (COMMITTED, "They committed", ":white_check_mark:"),
    (DECLINED, "They declined", ":x:"),
)
_STATUS_LABELS = {key: label for key, label, _ in STATUSES}
_STATUS_EMOJI = {key: emoji for key, _, emoji in STATUSES}


def status_label(status: str) -> str:
    return _STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_emoji(status: str) -> str:
    return _STATUS_EMOJI.get(status, ":grey_question:")


# --- the checklist before the call --------------------------------------------------------------

CHECKLIST: tuple[tuple[str, str], ...] = (
    ("enthusiasm", "Open by saying how glad you are to have the offer"),
    ("live", "Have the conversation live, on a call or in person, not by email"),
    ("hiring_manager", "Talk with the hiring manager, not only the recruiter"),
    ("order", "Success factors first, the money second"),
)
CHECKLIST_KEYS: tuple[str, ...] = tuple(key for key, _ in CHECKLIST)


def clean_checklist(keys: Sequence[str]) -> tuple[str, ...]:
    """Known checklist keys, in the checklist's order, without duplicates."""
    chosen = set(keys)
    return tuple(key for key in CHECKLIST_KEYS if key in chosen)


# --- money --------------------------------------------------------------------------------------

# The share of people who got more money when they asked, in the data the method cites.
ASKERS_GET_MORE_PERCENT = 87

CURRENCIES: tuple[str, ...] = (
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "AUD",
    "NZD",
    "CHF",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "INR",
    "SGD",
    "HKD",
    "JPY",
    "CNY",
    "KRW",
    "BRL",
    "MXN",
    "ZAR",
    "AED",
    "ILS",
    "IDR",
)
DEFAULT_CURRENCY = "USD"
AMOUNT_MAX = 10**12  # far above any salary, in any currency; catches a few zeros too many
AMOUNT_INPUT_MAX = 30


class AmountError(ValueError):
    """An amount the member typed that cannot be read; the message is for them."""


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'’_]")
_SYMBOLS = "$€£¥₹₩₪"
_CODES = "|".join(CURRENCIES)
_CODE = re.compile(rf"^(?:{_CODES})|(?:{_CODES})$", re.IGNORECASE)
_SHAPE = re.compile(r"^(?P<number>\d[\d.,]*)(?P<suffix>[kKmM]?)$")
_THOUSANDS_COMMAS = re.compile(r"^\d{1,3}(?:,\d{2,3})+(?:\.\d+)?$")  # 185,000 · 1,85,000.50
_THOUSANDS_DOTS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")  # 185.000 · 1.250.000
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")  # 1,5 (k) · 185000,50
_MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000}
_UNREADABLE = "I couldn't read that as an amount. Type a number, such as 185,000 or 185k."


def parse_amount(text: str) -> int:
    """A whole amount from what a member typed: "185,000", "185k", "$185 000", "1.2m".

    Thousands separators (commas, spaces, apostrophes; dots in groups of three), a
    currency symbol or code, and a k/m suffix are understood. Raises AmountError with a
    message for the member when it is not a positive amount.
    """
    compact = _SPACES.sub("", (text or "").strip())
    compact = _CODE.sub("", compact).lstrip(_SYMBOLS)
    if compact[:1] in ("-", "−", "("):
        raise AmountError("An amount can't be negative. Type it without the minus sign.")
    match = _SHAPE.match(compact)
    if match is None:
        raise AmountError(_UNREADABLE)
    number, suffix = match["number"], match["suffix"].lower()
    if _THOUSANDS_COMMAS.match(number):
        number = number.replace(",", "")
    elif _DECIMAL_COMMA.match(number):
        number = number.replace(",", ".")
    elif _THOUSANDS_DOTS.match(number) and (not suffix or number.count(".") > 1):
        number = number.replace(".", "")  # 185.000 is thousands; 1.5k is a decimal
    try:
        value = Decimal(number) * _MULTIPLIERS[suffix]
    except InvalidOperation:
        raise AmountError(_UNREADABLE) from None
    whole = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole <= 0:
        raise AmountError("Type an amount above zero.")
    if whole > AMOUNT_MAX:
        raise AmountError("That's more than I can store. Could there be a few zeros too many?")
    return whole


def format_amount(amount: int, currency: str) -> str:
    """ "185,000 USD": digits grouped, the currency code after."""
    return f"{amount:,} {currency}"


def raise_percent(offer: int, target: int) -> float:
    """How far the target is above the offer, in percent."""
    return (target - offer) * 100 / offer


@dataclass(frozen=True, slots=True)
class Compensation:
    """The money leg. Both numbers are optional: a member may know only the offer so far."""

    offer: int | None = None
    target: int | None = None
    currency: str = DEFAULT_CURRENCY

    @property
    def empty(self) -> bool:
        return self.offer is None and self.target is None


@dataclass(frozen=True, slots=True)
class CompensationForm:
    """Raw values from the compensation modal."""

    offer: str = ""
    target: str = ""
    currency: str = ""


FIELD_OFFER = "offer"
FIELD_TARGET = "target"
FIELD_CURRENCY = "currency"


def validate_compensation(form: CompensationForm) -> Compensation | dict[str, str]:
    """Clean the compensation modal, or return errors keyed by its block ids.

    Either number may be left empty. A target must be above the current offer: the
    point of the number is to ask for more.
    """
    errors: dict[str, str] = {}
    currency = (form.currency or "").strip().upper() or DEFAULT_CURRENCY
    if currency not in CURRENCIES:
        errors[FIELD_CURRENCY] = "Please pick the currency of the offer."
    amounts: dict[str, int | None] = {}
    for name, text in ((FIELD_OFFER, form.offer), (FIELD_TARGET, form.target)):
        amounts[name] = None
        if not (text or "").strip():
            continue
        if len(text) > AMOUNT_INPUT_MAX:
            errors[name] = "That's longer than any amount. Type just the number, e.g. 185k."
            continue
        try:
            amounts[name] = parse_amount(text)
        except AmountError as exc:
            errors[name] = str(exc)
    offer, target = amounts[FIELD_OFFER], amounts[FIELD_TARGET]
    if offer is not None and target is not None:
        shown = format_amount(offer, currency if currency in CURRENCIES else DEFAULT_CURRENCY)
        if target < offer:
            errors[FIELD_TARGET] = (
                f"That's below the current offer ({shown}). The number you ask for should "
                "be above it."
            )
        elif target == offer:
            errors[FIELD_TARGET] = (
                f"That's the offer itself ({shown}). Put the number you'd like to ask for, "
                "or leave this empty if the offer already works for you."
            )
    if errors:
        return errors
    return Compensation(offer=offer, target=target, currency=currency)


# --- success-factor legs ------------------------------------------------------------------------

ASK_MAX = 300
FIELD_ASK = "ask"
FIELD_OBJECTIVE = "objective"
FIELD_STATUS = "status"


@dataclass(frozen=True, slots=True)
class ObjectiveOption:
    """An objective of the member's current mission draft, as the select offers it."""

    id: int
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class Leg:
    """One success-factor ask, as stored."""

    key: str
    ask: str = ""
    objective_id: int | None = None
    objective_text: str = ""  # the linked objective's words (from whichever version)
    status: str = NOT_ASKED

    @property
    def was_asked(self) -> bool:
        return self.status != NOT_ASKED

    @property
    def info(self) -> LegInfo:
        return leg_info(self.key)


@dataclass(frozen=True, slots=True)
class LegForm:
    """Raw values from a leg's modal."""

    ask: str = ""
    objective: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class LegInput:
    ask: str
    objective_id: int | None
    status: str


def validate_leg(form: LegForm, *, objectives: Mapping[int, str]) -> LegInput | dict[str, str]:
    """Clean a leg's modal, or return errors keyed by its block ids.

    `objectives` are the ids (and texts) of the current draft's objectives: the only
    ones the select offered. An ask that was made (any status but "not asked yet") needs
    its words, so the plan and the red-flag check mean something.
    """
    errors: dict[str, str] = {}
    ask = multiline(form.ask)
    if (problem := unstorable(ask, "The ask")) is not None:
        errors[FIELD_ASK] = problem
    elif len(ask) > ASK_MAX:
        errors[FIELD_ASK] = (
            f"Please keep the ask to {ASK_MAX} characters or fewer (it has {len(ask)} now). "
            "One clear sentence works best in the room."
        )
    status = (form.status or "").strip() or NOT_ASKED
    if status not in _STATUS_LABELS:
        errors[FIELD_STATUS] = "Please pick where this ask stands."
    elif status != NOT_ASKED and not ask and FIELD_ASK not in errors:
        errors[FIELD_ASK] = (
            f"You marked it “{status_label(status)}”: write down what you asked for, so your "
            "plan shows it."
        )
    objective_id: int | None = None
    raw = (form.objective or "").strip()
    if raw:
        try:
            objective_id = int(raw)
        except ValueError:
            objective_id = None
        if objective_id not in objectives:
            errors[FIELD_OBJECTIVE] = (
                "That objective isn't in the current version of your job mission any more. "
                "Please pick again."
            )
    if errors:
        return errors
    return LegInput(ask=ask, objective_id=objective_id, status=status)


def red_flag(legs: Sequence[Leg]) -> bool:
    """True when at least one success factor was asked for and every one asked was declined.

    A company unwilling to commit to anything that would set the member up to succeed
    is a warning sign about the job itself, worth talking through with the council.
    An ask still waiting for an answer keeps the flag down.
    """
    asked = [leg for leg in legs if leg.was_asked]
    return bool(asked) and all(leg.status == DECLINED for leg in asked)


def status_counts(legs: Sequence[Leg]) -> dict[str, int]:
    counts = {key: 0 for key, _, _ in STATUSES}
    for leg in legs:
        counts[leg.status] = counts.get(leg.status, 0) + 1
    return counts


# --- picking the search -------------------------------------------------------------------------

COMPANY_MAX = 100  # storage.missions.Search.company
FIELD_SEARCH = "search"
FIELD_COMPANY = "company"


@dataclass(frozen=True, slots=True)
class PickInput:
    """One of the member's searches (`search_id`), or a new company to start one."""

    search_id: int | None
    company: str


def validate_pick(
    *, search_id: str, company: str, searches: Mapping[int, str]
) -> PickInput | dict[str, str]:
    """Which search the plan is for: picked from the select, or typed (matched when known),
    by the one picker rule (bot.features.searches.rules.pick_company)."""
    picked = pick_company(
        search_id=search_id,
        company=company,
        searches=searches,
        missing=(
            "Which company made the offer? Pick one of your searches or type its name."
            if searches
            else "Which company made the offer? Type its name."
        ),
    )
    if isinstance(picked, dict):
        fields = {PICK_SEARCH: FIELD_SEARCH, PICK_COMPANY: FIELD_COMPANY}
        return {fields[key]: text for key, text in picked.items()}
    return PickInput(search_id=picked.search_id, company=picked.name(searches))


# --- sharing with the council -------------------------------------------------------------------

NOTE_MAX = 500
FIELD_INCLUDE_NUMBERS = "include_numbers"
INCLUDE_NUMBERS_VALUE = "include_numbers"
FIELD_NOTE = "note"


def validate_note(note: str) -> str | dict[str, str]:
    text = multiline(note)
    if (problem := unstorable(text, "Your note")) is not None:
        return {FIELD_NOTE: problem}
    if len(text) > NOTE_MAX:
        return {
            FIELD_NOTE: f"Please keep this to {NOTE_MAX} characters or fewer "
            f"(it has {len(text)} now)."
        }
    return text


# --- the plan as a whole ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """A member's plan for one company, as views render it.

    `compensation` is None when it was not read: sharing without numbers never loads
    them, so they cannot leak into a post by mistake.
    """

    plan_id: int
    user_id: str
    search_id: int
    company: str
    legs: tuple[Leg, ...]
    compensation: Compensation | None = None
    checklist: tuple[str, ...] = ()
    objectives: tuple[ObjectiveOption, ...] = ()
    mission_version: int | None = None  # of the live draft the objectives come from
    council_id: int | None = None
    channel_id: str | None = None  # the council channel to share in and debrief in
    shared_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def red_flag(self) -> bool:
        return red_flag(self.legs)

    def leg(self, key: str) -> Leg:
        for leg in self.legs:
            if leg.key == key:
                return leg
        return Leg(key=key)


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """A line in `/negotiate list` and on the Home tab (no numbers)."""

    plan_id: int
    company: str
    legs: tuple[Leg, ...] = field(default_factory=tuple)
    has_numbers: bool = False
    shared_at: datetime | None = None

    @property
    def red_flag(self) -> bool:
        return red_flag(self.legs)


def objective_for(
    leg: Leg, objectives: Sequence[ObjectiveOption]
) -> tuple[ObjectiveOption | None, bool]:
    """The current objective a leg's link points at, and whether the link went stale.

    A link made to an earlier version of the mission is carried over to the objective
    with the same words in the current version; (None, True) when there is none.
    """
    if leg.objective_id is None:
        return None, False
    for option in objectives:
        if option.id == leg.objective_id:
            return option, False
    key = company_key(leg.objective_text)
    for option in objectives:
        if key and company_key(option.text) == key:
            return option, False
    return None, True


def money_script(compensation: Compensation) -> str | None:
    """A short, collaborative way to ask for the target, in the bot's words (None: no target).

    It opens with warmth, names the number as a question rather than a demand, and leaves
    room for the other side to come back with what they can do.
    """
    if compensation.target is None:
        return None
    number = format_amount(compensation.target, compensation.currency)
    return (
        "“I'm really excited about this role and about getting started. Given the scope "
        f"we've talked through, would you be open to {number}? I'd love to find a way to "
        "get there together.”"
    )
