"""Back-channel references: the rules, in plain Python (no Slack imports).

For a senior role, or once an offer is near, a member talks informally to people who have
worked with the hiring manager. `/backchannel` keeps one checklist per search: the hiring
manager's name, and the people to ask, each with a status (to ask, asked, answered), a
signal (would work with them again, mixed, would not, no clear signal) and private notes.

The checklist is private: it lives in the member's DM with the bot. The member may share a
summary with their council: counts only, unless they choose to add names (and how each
person knows the manager); private notes are never shared.

One reminder: when someone is marked "asked", a single follow-up DM goes out three days
later at 10:00 in the member's zone (held back by quiet hours) if that person still has not
answered. Answering, un-ticking, removing the person or closing the checklist calls it off;
a dedupe key per person means it is never sent twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from bot.features.searches.rules import PICK_COMPANY, PICK_SEARCH, pick_company
from bot.features.text import multiline, one_line, unstorable
from bot.platform.timezones import local_now, out_of_quiet_hours, to_utc

# --- statuses and signals -----------------------------------------------------------------------

STATUS_TO_ASK = "to_ask"
STATUS_ASKED = "asked"
STATUS_ANSWERED = "answered"
STATUSES: tuple[tuple[str, str], ...] = (
    (STATUS_TO_ASK, "To ask"),
    (STATUS_ASKED, "Asked"),
    (STATUS_ANSWERED, "Answered"),
)
_STATUS_LABELS = dict(STATUSES)

SIGNAL_AGAIN = "would_work_again"
SIGNAL_MIXED = "mixed"
SIGNAL_NOT = "would_not"
SIGNAL_NONE = "none"
SIGNALS: tuple[tuple[str, str], ...] = (
    (SIGNAL_AGAIN, "Would work with them again"),
    (SIGNAL_MIXED, "Mixed"),
    (SIGNAL_NOT, "Would not work with them again"),
    (SIGNAL_NONE, "No clear signal"),
)
_SIGNAL_LABELS = dict(SIGNALS)

CHECKLIST_OPEN = "open"
CHECKLIST_CLOSED = "closed"

# --- limits -------------------------------------------------------------------------------------

COMPANY_MAX = 100  # storage.missions.Search.company
MANAGER_MAX = 80
NAME_MAX = 80
RELATION_MAX = 150
NOTES_MAX = 1000
ASK_MAX = 500  # the optional question to the council when sharing
MAX_PEOPLE = 25

# --- the follow-up reminder ---------------------------------------------------------------------

REMINDER_FOLLOWUP = "backchannel.followup"
FOLLOWUP_AFTER = timedelta(days=3)
FOLLOWUP_AT = time(10, 0)
# A follow-up a day late is still useful; later than that, the member has moved on.
GRACE = timedelta(days=1)

# --- form field keys (the modals' block ids; bot.features.backchannel.views reuses them)

FIELD_SEARCH = "bc_search"
FIELD_COMPANY = "bc_company"
FIELD_MANAGER = "bc_manager"
FIELD_NAME = "bc_name"
FIELD_RELATION = "bc_relation"
FIELD_SLACK_USER = "bc_user"
FIELD_STATUS = "bc_status"
FIELD_SIGNAL = "bc_signal"
FIELD_NOTES = "bc_notes"
FIELD_COUNCIL = "bc_council"
FIELD_INCLUDE = "bc_include"
FIELD_ASK = "bc_ask"
INCLUDE_NAMES = "names"

# --- what to ask (the bot's own words) ----------------------------------------------------------

PROMPTS: tuple[tuple[str, str], ...] = (
    ("The direct one", "If you had the chance, would you work with this person again?"),
    ("Under pressure", "What are they like when a deadline slips or a plan falls apart?"),
    ("Growth", "How do they help people on their team grow? Who has moved up under them?"),
    ("Leaving", "When people leave their team, what makes them go?"),
)

REFERENCE_TIP = (
    "Some hiring managers check a candidate's references with one short message: call me "
    "back only if you think this person is outstanding. No call back is the answer. So when "
    "your own references are checked, ask your referees to return that call; and if you "
    "hire people yourself, it's a quick way past polite, careful answers."
)


def status_label(status: str) -> str:
    return _STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def signal_label(signal: str) -> str:
    return _SIGNAL_LABELS.get(signal, signal.replace("_", " ").capitalize())


def _one_line(text: str | None) -> str:
    return one_line(text)


def _key(text: str) -> str:
    """Case- and space-folded, as storage.missions.company_key."""
    return _one_line(text).casefold()


def _too_long(what: str, limit: int, actual: int) -> str:
    return f"Please keep {what} to {limit:,} characters or fewer (it has {actual:,} now)."


# --- the checklist, as the views and rules see it -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    relation: str = ""
    slack_user_id: str | None = None
    status: str = STATUS_TO_ASK
    signal: str = SIGNAL_NONE
    notes: str = ""
    asked_at: datetime | None = None
    answered_at: datetime | None = None

    @property
    def answered(self) -> bool:
        return self.status == STATUS_ANSWERED


@dataclass(frozen=True, slots=True)
class Checklist:
    id: int
    team_id: str
    user_id: str
    search_id: int
    company: str
    manager_name: str = ""
    people: tuple[Person, ...] = ()
    status: str = CHECKLIST_OPEN
    council_id: int | None = None
    channel_id: str | None = None  # the member's DM with the bot, once posted
    message_ts: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == CHECKLIST_OPEN

    @property
    def full(self) -> bool:
        return len(self.people) >= MAX_PEOPLE

    def person(self, person_id: int) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)

    def summary(self) -> Summary:
        return summarize(self.people)


@dataclass(frozen=True, slots=True)
class Summary:
    """What a shared summary says without names: counts only."""

    people: int = 0
    asked: int = 0  # asked so far, answered ones included
    answered: int = 0
    signals: Mapping[str, int] = field(default_factory=dict)

    def count(self, signal: str) -> int:
        return int(self.signals.get(signal, 0))

    @property
    def waiting(self) -> int:
        """Asked, no answer yet."""
        return self.asked - self.answered


def summarize(people: Sequence[Person]) -> Summary:
    """Counts of statuses and of the signals of those who answered."""
    answered = [p for p in people if p.status == STATUS_ANSWERED]
    signals = {value: 0 for value, _ in SIGNALS}
    for person in answered:
        signals[person.signal if person.signal in signals else SIGNAL_NONE] += 1
    return Summary(
        people=len(people),
        asked=sum(1 for p in people if p.status in (STATUS_ASKED, STATUS_ANSWERED)),
        answered=len(answered),
        signals=signals,
    )


# --- starting or opening a checklist ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartForm:
    search_id: str = ""
    company: str = ""
    manager: str = ""


@dataclass(frozen=True, slots=True)
class StartInput:
    """One of the member's searches (`search_id`), or a new one at `company`."""

    search_id: int | None
    company: str
    manager_name: str  # "" leaves the name as it is


def validate_start(form: StartForm, *, searches: Mapping[int, str]) -> StartInput | dict[str, str]:
    """Which search the checklist is for, or errors keyed by the start modal's block ids.

    The company comes from the one picker rule (bot.features.searches.rules.pick_company):
    a company typed wins over the select; typing the name of a search uses that search.
    """
    errors: dict[str, str] = {}
    search_id: int | None = None
    company = ""
    picked = pick_company(
        search_id=form.search_id,
        company=form.company,
        searches=searches,
        missing=(
            "Which company is it for? Pick one of your searches or type the name."
            if searches
            else "Which company is it for? Type the name."
        ),
    )
    if isinstance(picked, dict):
        fields = {PICK_SEARCH: FIELD_SEARCH, PICK_COMPANY: FIELD_COMPANY}
        errors.update({fields[key]: text for key, text in picked.items()})
    else:
        search_id, company = picked.search_id, picked.company
    manager = _one_line(form.manager)
    if (problem := unstorable(manager, "The hiring manager's name")) is not None:
        errors[FIELD_MANAGER] = problem
    elif len(manager) > MANAGER_MAX:
        errors[FIELD_MANAGER] = _too_long("the hiring manager's name", MANAGER_MAX, len(manager))
    if errors:
        return errors
    return StartInput(search_id=search_id, company=company, manager_name=manager)


def validate_manager(name: str) -> str | dict[str, str]:
    """The hiring manager's name ("" clears it), or an error keyed by its block id."""
    clean = _one_line(name)
    if (problem := unstorable(clean, "The hiring manager's name")) is not None:
        return {FIELD_MANAGER: problem}
    if len(clean) > MANAGER_MAX:
        return {FIELD_MANAGER: _too_long("the hiring manager's name", MANAGER_MAX, len(clean))}
    return clean


# --- adding a person ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonForm:
    name: str = ""
    relation: str = ""
    slack_user_id: str = ""


@dataclass(frozen=True, slots=True)
class PersonInput:
    name: str
    relation: str
    slack_user_id: str | None


def validate_person(
    form: PersonForm, *, existing: Sequence[Person], user_id: str
) -> PersonInput | dict[str, str]:
    """A person to add, or errors keyed by the (unversioned) field names.

    The checklist holds at most MAX_PEOPLE: a full one refuses on the name field, whatever
    was typed, so the member learns it before writing the rest.
    """
    errors: dict[str, str] = {}
    name = _one_line(form.name)
    relation = _one_line(form.relation)
    if len(existing) >= MAX_PEOPLE:
        errors[FIELD_NAME] = (
            f"Your checklist holds {MAX_PEOPLE} people, the most it can. Remove someone "
            "you won't ask after all to make room."
        )
    elif not name:
        errors[FIELD_NAME] = "Please type their name (a first name is enough)."
    elif (problem := unstorable(name, "The name")) is not None:
        errors[FIELD_NAME] = problem
    elif len(name) > NAME_MAX:
        errors[FIELD_NAME] = _too_long("the name", NAME_MAX, len(name))
    elif any(_key(p.name) == _key(name) for p in existing):
        errors[FIELD_NAME] = f"{name} is already on this checklist."
    if (problem := unstorable(relation, "How they know the manager")) is not None:
        errors[FIELD_RELATION] = problem
    elif len(relation) > RELATION_MAX:
        errors[FIELD_RELATION] = _too_long("how they know the manager", RELATION_MAX, len(relation))
    slack_user = (form.slack_user_id or "").strip() or None
    if slack_user is not None:
        if slack_user == user_id:
            errors[FIELD_SLACK_USER] = "That's you. Pick the person you'll ask, or leave it empty."
        elif not slack_user.isalnum():
            slack_user = None
    if errors:
        return errors
    return PersonInput(name=name, relation=relation, slack_user_id=slack_user)


# --- recording an answer ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerForm:
    status: str = ""
    signal: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class AnswerInput:
    status: str
    signal: str
    notes: str


def validate_answer(form: AnswerForm) -> AnswerInput | dict[str, str]:
    """Status, signal and private notes, or errors keyed by the answer modal's block ids.

    A signal means the person answered: a signal with any other status is refused rather
    than guessed at.
    """
    errors: dict[str, str] = {}
    status = (form.status or "").strip()
    if status not in _STATUS_LABELS:
        errors[FIELD_STATUS] = "Where are you with them: to ask, asked, or answered?"
    signal = (form.signal or "").strip() or SIGNAL_NONE
    if signal not in _SIGNAL_LABELS:
        errors[FIELD_SIGNAL] = "Please pick one of the signals."
    elif signal != SIGNAL_NONE and status in _STATUS_LABELS and status != STATUS_ANSWERED:
        errors[FIELD_STATUS] = (
            "You noted what they said, so they've answered: pick Answered (or set the "
            "signal to No clear signal)."
        )
    notes = multiline(form.notes)
    if (problem := unstorable(notes, "Your notes")) is not None:
        errors[FIELD_NOTES] = problem
    elif len(notes) > NOTES_MAX:
        errors[FIELD_NOTES] = _too_long("your notes", NOTES_MAX, len(notes))
    if errors:
        return errors
    return AnswerInput(status=status, signal=signal, notes=notes)


# --- sharing a summary --------------------------------------------------------------------------


def validate_share_ask(ask: str | None) -> str | dict[str, str]:
    """The optional question for the council that goes with a shared summary, or an error
    keyed by its block id."""
    text = multiline(ask)
    if (problem := unstorable(text, "Your question")) is not None:
        return {FIELD_ASK: problem}
    if len(text) > ASK_MAX:
        return {
            FIELD_ASK: f"Please keep your question to {ASK_MAX:,} characters or fewer "
            f"(it has {len(text):,} now)."
        }
    return text


def status_times(
    person: Person, status: str, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """(asked_at, answered_at) after moving `person` to `status`.

    Back to "to ask" forgets both; "asked" keeps the first time they were asked; "answered"
    implies asked (now, if it was never recorded).
    """
    if status == STATUS_TO_ASK:
        return None, None
    asked_at = person.asked_at or now
    if status == STATUS_ASKED:
        return asked_at, None
    return asked_at, person.answered_at or now


def asked_changes(
    people: Mapping[int, Person], *, shown: Sequence[int], ticked: Sequence[int]
) -> dict[int, str]:
    """The status changes a click on the "who have you asked" checkboxes means.

    `shown` are the person ids the checkboxes offered, `ticked` those ticked now. A ticked
    person still to ask becomes asked; an unticked one who was asked goes back to "to ask".
    Answered (or removed) people are left alone.
    """
    changes: dict[int, str] = {}
    ticked_set = set(ticked)
    for person_id in shown:
        person = people.get(person_id)
        if person is None or person.status == STATUS_ANSWERED:
            continue
        if person_id in ticked_set and person.status == STATUS_TO_ASK:
            changes[person_id] = STATUS_ASKED
        elif person_id not in ticked_set and person.status == STATUS_ASKED:
            changes[person_id] = STATUS_TO_ASK
    return changes


# --- the follow-up ------------------------------------------------------------------------------


def followup_time(asked_at: datetime, *, tz: str) -> datetime:
    """10:00 in the member's zone three days after they asked (DST-safe, out of quiet hours)."""
    day = local_now(tz, asked_at).date() + FOLLOWUP_AFTER
    return out_of_quiet_hours(to_utc(day, FOLLOWUP_AT, tz), tz)


def person_subject(person_id: int) -> str:
    return f"backchannel_person:{person_id}"


def followup_dedupe_key(person_id: int) -> str:
    """One follow-up per person, ever (a cancelled one is revived if asked again)."""
    return f"backchannel_person:{person_id}:followup"


def followup_is_moot(checklist: Checklist | None, person: Person | None) -> bool:
    """Nothing to follow up: gone, answered, back to "to ask", or the checklist closed."""
    return (
        checklist is None
        or person is None
        or not checklist.is_open
        or person.status != STATUS_ASKED
    )
