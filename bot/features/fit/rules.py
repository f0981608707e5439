"""The Two-Pager and the Candidate-Market Fit statement: the rules, in plain Python.

Before the interviews, a member writes down what they want and what they don't want in
their next role (the Two-Pager, after Bob Mnookin's exercise), and the council adds what
they forgot: a member suggests an item from the posted Two-Pager, the author accepts it
(a new version with the item) or declines it. Then one sentence says where they fit: the
Candidate-Market Fit statement, built from three or four attributes (company stage,
industry, level / role / function, culture), signed off by the council with one legend
reaction and revised as the market answers.

Every save is a new version; earlier versions are kept. No Slack imports here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.features.text import multiline, one_line, unstorable

# --- limits -------------------------------------------------------------------------------------

ITEM_MAX = 150  # one want or don't-want
ITEMS_MAX = 15  # per list: two pages, not a novel
ATTRIBUTE_MAX = 80
SENTENCE_MAX = 300
ATTRIBUTES_MIN = 3  # the statement rests on three or four attributes
HISTORY_MAX = 10  # versions `/fit history` lists per kind

# --- the two lists ------------------------------------------------------------------------------

LIST_WANTS = "wants"
LIST_DONT_WANTS = "dont_wants"
LISTS: tuple[tuple[str, str], ...] = (
    (LIST_WANTS, "What I want"),
    (LIST_DONT_WANTS, "What I don't want"),
)
LIST_LABELS: Mapping[str, str] = dict(LISTS)

# --- the four attributes ------------------------------------------------------------------------

ATTR_STAGE = "stage"
ATTR_INDUSTRY = "industry"
ATTR_ROLE = "role"
ATTR_CULTURE = "culture"
ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    (ATTR_STAGE, "Company stage", "seed, Series A-B, growth, public, turnaround"),
    (ATTR_INDUSTRY, "Industry", "fintech, climate, developer tools, health care"),
    (ATTR_ROLE, "Level, role, function", "senior PM, first design hire, VP Engineering"),
    (ATTR_CULTURE, "Culture", "remote-first, mission-driven, craft over speed"),
)
ATTRIBUTE_LABELS: Mapping[str, str] = {key: label for key, label, _ in ATTRIBUTES}

# --- sign-off -----------------------------------------------------------------------------------

# The one legend reaction that signs a statement off (said in the posted message's legend).
SIGNOFF_EMOJI = "white_check_mark"

# --- suggestion states --------------------------------------------------------------------------

PENDING = "pending"
ACCEPTED = "accepted"
DECLINED = "declined"

# --- form field keys (the modals' block ids) ----------------------------------------------------

FIELD_WANTS = "fit_wants"
FIELD_DONT_WANTS = "fit_dont_wants"
FIELD_STAGE = "fit_stage"
FIELD_INDUSTRY = "fit_industry"
FIELD_ROLE = "fit_role"
FIELD_CULTURE = "fit_culture"
FIELD_SENTENCE = "fit_sentence"
FIELD_SUGGEST_LIST = "fit_suggest_list"
FIELD_SUGGEST_ITEM = "fit_suggest_item"

ATTRIBUTE_FIELDS: Mapping[str, str] = {
    ATTR_STAGE: FIELD_STAGE,
    ATTR_INDUSTRY: FIELD_INDUSTRY,
    ATTR_ROLE: FIELD_ROLE,
    ATTR_CULTURE: FIELD_CULTURE,
}


# --- what is stored and shown -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TwoPagerInput:
    wants: tuple[str, ...]
    dont_wants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TwoPager:
    """One saved version of a member's Two-Pager."""

    id: int
    team_id: str
    user_id: str
    number: int
    wants: tuple[str, ...]
    dont_wants: tuple[str, ...]
    created_at: datetime
    channel_id: str | None = None  # where this version was posted, if it was
    message_ts: str | None = None

    def items(self, list_key: str) -> tuple[str, ...]:
        return self.wants if list_key == LIST_WANTS else self.dont_wants

    def with_item(self, list_key: str, item: str) -> TwoPagerInput:
        """The lists with `item` added at the end of `list_key` (an accepted suggestion)."""
        wants, dont = list(self.wants), list(self.dont_wants)
        target = wants if list_key == LIST_WANTS else dont
        if item.casefold() not in {existing.casefold() for existing in target}:
            target.append(item)
        return TwoPagerInput(wants=tuple(wants), dont_wants=tuple(dont))


@dataclass(frozen=True, slots=True)
class StatementInput:
    attributes: Mapping[str, str]  # attribute key -> text ("" when left out)
    sentence: str


@dataclass(frozen=True, slots=True)
class SignOff:
    """The council's sign-off on one posted statement."""

    signed: int  # other council members who reacted with the legend emoji
    of: int  # other council members: the channel's, without the author and the bot

    @property
    def needed(self) -> int:
        """A majority of the others: more than half."""
        return self.of // 2 + 1

    @property
    def done(self) -> bool:
        return self.of > 0 and self.signed >= self.needed


@dataclass(frozen=True, slots=True)
class Statement:
    """One saved version of a member's Candidate-Market Fit statement."""

    id: int
    team_id: str
    user_id: str
    number: int
    attributes: Mapping[str, str]
    sentence: str
    created_at: datetime
    channel_id: str | None = None
    message_ts: str | None = None
    signoff: SignOff | None = None  # once posted and counted

    @property
    def filled(self) -> list[tuple[str, str]]:
        """(label, text) of the attributes given, in the grid's order."""
        return [
            (label, self.attributes.get(key, ""))
            for key, label, _ in ATTRIBUTES
            if self.attributes.get(key)
        ]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An item a council member suggested for someone's Two-Pager."""

    id: int
    team_id: str
    owner_id: str  # whose Two-Pager
    user_id: str  # who suggested it
    two_pager_id: int  # the version it was suggested on
    list_key: str
    item: str
    status: str


# --- validation ---------------------------------------------------------------------------------


def split_items(raw: str | None) -> list[str]:
    """One item per line; bullets people type out of habit are dropped, blank lines too."""
    items = []
    for line in multiline(raw).split("\n"):
        item = one_line(line.lstrip("-*•· \t"))
        if item:
            items.append(item)
    return items


def _check_list(items: list[str], *, what: str) -> str | None:
    if not items:
        return f"Please write at least one thing {what}, one per line."
    if len(items) > ITEMS_MAX:
        return f"Please keep it to {ITEMS_MAX} items ({len(items)} now): the most important ones."
    for number, item in enumerate(items, start=1):
        if len(item) > ITEM_MAX:
            return (
                f"Item {number} is {len(item)} characters; please keep each item to "
                f"{ITEM_MAX} characters."
            )
        if problem := unstorable(item, f"Item {number}"):
            return problem
    return None


def validate_two_pager(wants: str | None, dont_wants: str | None) -> TwoPagerInput | dict[str, str]:
    """Both lists checked, or errors by field (the modal shows them inline)."""
    errors: dict[str, str] = {}
    want_items, dont_items = split_items(wants), split_items(dont_wants)
    if problem := _check_list(want_items, what="you want in your next role"):
        errors[FIELD_WANTS] = problem
    if problem := _check_list(dont_items, what="you don't want in your next role"):
        errors[FIELD_DONT_WANTS] = problem
    if errors:
        return errors
    return TwoPagerInput(wants=tuple(want_items), dont_wants=tuple(dont_items))


def validate_statement(
    raw: Mapping[str, str | None], sentence: str | None
) -> StatementInput | dict[str, str]:
    """The attributes and the sentence checked, or errors by field. At least three of the
    four attributes: the error sits on the first one left empty."""
    errors: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for key, label, _ in ATTRIBUTES:
        field = ATTRIBUTE_FIELDS[key]
        text = one_line(raw.get(key))
        if len(text) > ATTRIBUTE_MAX:
            errors[field] = (
                f"Please keep {label.lower()} to {ATTRIBUTE_MAX} characters ({len(text)} now)."
            )
        elif problem := unstorable(text, label):
            errors[field] = problem
        attributes[key] = text
    given = [key for key, text in attributes.items() if text]
    if len(given) < ATTRIBUTES_MIN:
        first_empty = next(key for key, _, _ in ATTRIBUTES if not attributes[key])
        errors.setdefault(
            ATTRIBUTE_FIELDS[first_empty],
            f"Please fill in at least {ATTRIBUTES_MIN} of the four attributes "
            f"({len(given)} now): that is what makes the sentence specific.",
        )
    text = one_line(sentence)
    if not text:
        errors[FIELD_SENTENCE] = "Please write the one sentence that says where you fit."
    elif len(text) > SENTENCE_MAX:
        errors[FIELD_SENTENCE] = (
            f"Please keep it to one sentence of {SENTENCE_MAX} characters ({len(text)} now)."
        )
    elif problem := unstorable(text, "The sentence"):
        errors[FIELD_SENTENCE] = problem
    if errors:
        return errors
    return StatementInput(attributes=attributes, sentence=text)


def validate_suggestion(list_key: str | None, item: str | None) -> tuple[str, str] | dict[str, str]:
    """(list, item) for a suggestion, or errors by field."""
    errors: dict[str, str] = {}
    if list_key not in LIST_LABELS:
        errors[FIELD_SUGGEST_LIST] = "Please pick which list it belongs on."
    text = one_line(item)
    if not text:
        errors[FIELD_SUGGEST_ITEM] = "What did they forget? One item, one line."
    elif len(text) > ITEM_MAX:
        errors[FIELD_SUGGEST_ITEM] = (
            f"Please keep the item to {ITEM_MAX} characters ({len(text)} now)."
        )
    elif problem := unstorable(text, "The item"):
        errors[FIELD_SUGGEST_ITEM] = problem
    if errors or list_key is None:
        return errors
    return list_key, text


def count_signoff(
    *, reactors: Sequence[str], members: Sequence[str], author_id: str, bot_user: str | None
) -> SignOff:
    """Who signed off among the council's other members now in the channel: the author's own
    reaction and anyone no longer in the channel do not count."""
    others = {m for m in members if m not in (author_id, bot_user)}
    return SignOff(signed=len(others & set(reactors)), of=len(others))
