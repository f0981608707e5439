"""Job missions with OKRs: the rules, in plain Python (no Slack imports).

A member drafts their own version of the job: a mission for the role and a few objectives,
each with measurable key results. The council reacts to the draft with a small legend of
emoji; this module validates the modal's raw input, offers gentle quality notes, counts the
reactions and suggests clarifying questions for the next interview.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.features.searches.rules import company_problem
from bot.features.text import multiline, one_line, unstorable

# --- limits -----------------------------------------------------------------------------------

MAX_OBJECTIVES = 5
MAX_KEY_RESULTS = 5
COMPANY_MAX = 100
ROLE_MAX = 100
MISSION_MAX = 1000
OBJECTIVE_MAX = 150
KEY_RESULT_MAX = 200
# The key-results box holds one per line; leave room for bullets and a stray blank line.
KEY_RESULTS_INPUT_MAX = MAX_KEY_RESULTS * (KEY_RESULT_MAX + 4)
MAX_QUESTIONS = 8
# The method: walk the hiring manager through the draft live after a couple of interviews.
LIVE_SHARE_AFTER_INTERVIEWS = 2

STAGES: tuple[tuple[str, str], ...] = (
    ("exploring", "Exploring"),
    ("applied", "Applied"),
    ("interviewing", "Interviewing"),
    ("offer", "Offer on the table"),
)
DEFAULT_STAGE = "interviewing"
_STAGE_LABELS = dict(STAGES)

STATUS_LABELS: dict[str, str] = {
    "posted": "Posted to the council",
    "shared": "Shared with the hiring manager",
    "withdrawn": "Withdrawn",
}

# --- form field keys (the modal's block ids; bot.features.missions.views reuses them)

FIELD_COMPANY = "company"
FIELD_ROLE = "role"
FIELD_STAGE = "stage"
FIELD_MISSION = "mission"


def objective_field(slot: int) -> str:
    """Block id of objective slot `slot` (1-based)."""
    return f"objective_{slot}"


def key_results_field(slot: int) -> str:
    """Block id of the key-results box of objective slot `slot` (1-based)."""
    return f"krs_{slot}"


def stage_label(stage: str) -> str:
    return _STAGE_LABELS.get(stage, stage.replace("_", " ").capitalize() or "Unknown")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.capitalize())


# --- domain objects ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Objective:
    text: str
    key_results: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MissionInput:
    company: str
    role: str
    stage: str
    mission: str
    objectives: tuple[Objective, ...]

    def as_rows(self) -> list[tuple[str, list[str]]]:
        """Objectives in the shape `storage.missions.add_version` takes."""
        return [(o.text, list(o.key_results)) for o in self.objectives]

    @classmethod
    def from_rows(
        cls,
        *,
        company: str,
        role: str,
        stage: str,
        mission: str,
        objectives: Iterable[tuple[str, Iterable[str]]],
    ) -> MissionInput:
        """Rebuild a stored version (the shape `storage.missions.load_objectives` returns)."""
        return cls(
            company=company,
            role=role,
            stage=stage,
            mission=mission,
            objectives=tuple(Objective(text, tuple(krs)) for text, krs in objectives),
        )


@dataclass(frozen=True, slots=True)
class MissionForm:
    """Raw strings as read from the modal, before any cleaning.

    `objectives` holds one (objective text, key-results text) pair per slot, in slot order;
    the key-results text has one key result per line.
    """

    company: str = ""
    role: str = ""
    stage: str = ""
    mission: str = ""
    objectives: Sequence[tuple[str, str]] = ()


# --- validation -------------------------------------------------------------------------------

# "•" and friends are always bullets; "-", "*", "+", "1." and "a)" only when a space follows,
# so "-5% churn" and "+20% revenue" keep their sign.
_BULLET = re.compile(r"^\s*(?:[•·‣◦▪]\s*|(?:[-*+>–—]|\d{1,2}[.)]|[a-zA-Z][.)])(?:\s+|$))")


def _one_line(text: str | None) -> str:
    return one_line(text)


def split_key_results(text: str | None) -> list[str]:
    """One key result per line; blank lines and leading bullets or numbers are dropped."""
    results: list[str] = []
    for line in (text or "").splitlines():
        cleaned = _one_line(_BULLET.sub("", line, count=1))
        if cleaned:
            results.append(cleaned)
    return results


def _too_long(what: str, limit: int, actual: int) -> str:
    return f"Please keep {what} to {limit:,} characters or fewer (it has {actual:,} now)."


def validate(form: MissionForm) -> MissionInput | dict[str, str]:
    """Clean the modal's input, or return friendly errors keyed by the modal's block ids."""
    errors: dict[str, str] = {}

    company = _one_line(form.company)
    if not company:
        errors[FIELD_COMPANY] = "Please add the company's name."
    elif (problem := company_problem(company)) is not None:
        errors[FIELD_COMPANY] = problem

    role = _one_line(form.role)
    if not role:
        errors[FIELD_ROLE] = "Please add the role, for example “Senior Product Manager”."
    elif (problem := unstorable(role, "The role")) is not None:
        errors[FIELD_ROLE] = problem
    elif len(role) > ROLE_MAX:
        errors[FIELD_ROLE] = _too_long("the role", ROLE_MAX, len(role))

    stage = (form.stage or "").strip()
    if stage not in _STAGE_LABELS:
        errors[FIELD_STAGE] = "Please pick where you are with this company."

    mission = multiline(form.mission)
    if not mission:
        errors[FIELD_MISSION] = (
            "Please write a sentence or two on what this role is for and what will be "
            "better because you're in it."
        )
    elif (problem := unstorable(mission, "The mission")) is not None:
        errors[FIELD_MISSION] = problem
    elif len(mission) > MISSION_MAX:
        errors[FIELD_MISSION] = _too_long("the mission", MISSION_MAX, len(mission))

    objectives: list[Objective] = []
    slot_errors = False
    for slot, (raw_text, raw_krs) in enumerate(form.objectives[:MAX_OBJECTIVES], start=1):
        text = _one_line(raw_text)
        key_results = split_key_results(raw_krs)
        if not text and not key_results:
            continue  # an empty slot is simply unused
        slot_ok = True
        if (problem := unstorable(text, "This objective")) is not None:
            errors[objective_field(slot)] = problem
            slot_ok = False
        elif not text:
            errors[objective_field(slot)] = (
                "Give this objective a short name, or clear its key results below."
            )
            slot_ok = False
        elif len(text) > OBJECTIVE_MAX:
            errors[objective_field(slot)] = _too_long("the objective", OBJECTIVE_MAX, len(text))
            slot_ok = False
        if (problem := unstorable("\n".join(key_results), "These key results")) is not None:
            errors[key_results_field(slot)] = problem
            slot_ok = False
        elif not key_results:
            errors[key_results_field(slot)] = (
                "Add at least one key result for this objective, one per line."
            )
            slot_ok = False
        elif len(key_results) > MAX_KEY_RESULTS:
            errors[key_results_field(slot)] = (
                f"Please keep to {MAX_KEY_RESULTS} key results (there are {len(key_results)}). "
                "Pick the ones that matter most."
            )
            slot_ok = False
        else:
            long_ones = [i for i, kr in enumerate(key_results, 1) if len(kr) > KEY_RESULT_MAX]
            if long_ones:
                errors[key_results_field(slot)] = (
                    f"Key result {long_ones[0]} is over {KEY_RESULT_MAX} characters. "
                    "Could you shorten it?"
                )
                slot_ok = False
        if slot_ok:
            objectives.append(Objective(text, tuple(key_results)))
        else:
            slot_errors = True

    if not objectives and not slot_errors:
        errors[objective_field(1)] = (
            "Add at least one objective with a key result, so your council has something "
            "to react to."
        )

    if errors:
        return errors
    return MissionInput(
        company=company, role=role, stage=stage, mission=mission, objectives=tuple(objectives)
    )


# --- quality notes ----------------------------------------------------------------------------

_MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_TIME_WORDS = (
    "quarter|quarters|quarterly|half-year|year|years|yearly|annual|annually|month|months|"
    "monthly|week|weeks|weekly|day|days|daily|deadline|eoy|eoq|ytd|fy"
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred|thousand|"
    "million|billion|double|doubled|doubling|triple|tripled|halve|halved|half|twice|zero|"
    "percent|percentage"
)

# Metric words, with how to name each in a question (longest phrases first).
METRICS: tuple[tuple[str, str], ...] = (
    ("net promoter score", "NPS"),
    ("time to first value", "time to first value"),
    ("time to hire", "time to hire"),
    ("customer satisfaction", "customer satisfaction"),
    ("error rate", "the error rate"),
    ("win rate", "the win rate"),
    ("cycle time", "cycle time"),
    ("lead time", "lead time"),
    ("nps", "NPS"),
    ("csat", "CSAT"),
    ("retention", "retention"),
    ("revenue", "revenue"),
    ("arr", "ARR"),
    ("mrr", "MRR"),
    ("gmv", "GMV"),
    ("churn", "churn"),
    ("latency", "latency"),
    ("conversion", "conversion"),
    ("uptime", "uptime"),
    ("availability", "availability"),
    ("sla", "the SLA"),
    ("slo", "the SLOs"),
    ("activation", "activation"),
    ("engagement", "engagement"),
    ("adoption", "adoption"),
    ("dau", "daily active users"),
    ("wau", "weekly active users"),
    ("mau", "monthly active users"),
    ("active users", "active users"),
    ("ltv", "customer lifetime value"),
    ("cac", "acquisition cost"),
    ("roi", "return on investment"),
    ("margin", "margin"),
    ("margins", "margins"),
    ("cost", "cost"),
    ("costs", "costs"),
    ("budget", "budget"),
    ("headcount", "headcount"),
    ("throughput", "throughput"),
    ("velocity", "velocity"),
    ("satisfaction", "satisfaction"),
    ("bookings", "bookings"),
    ("pipeline", "pipeline"),
    ("quota", "quota"),
    ("signups", "sign-ups"),
    ("sign-ups", "sign-ups"),
    ("renewals", "renewals"),
    ("renewal rate", "the renewal rate"),
    ("attrition", "attrition"),
    ("turnover", "turnover"),
    ("incidents", "incidents"),
    ("defects", "defects"),
    ("tickets", "support tickets"),
)

_METRIC_RES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE), name)
    for word, name in sorted(METRICS, key=lambda m: -len(m[0]))
)

_MEASURABLE = re.compile(
    r"\d|%|[$€£¥₹]"
    rf"|\b(?:{_MONTHS}|{_TIME_WORDS}|{_NUMBER_WORDS})\b"
    r"|\b(?:by|in|before|until|end of)\s+may\b"
    r"|\bend of\b|\brate\b|\bscore\b",
    re.IGNORECASE,
)


def metric_of(key_result: str) -> str | None:
    """The first metric a key result names, as a readable phrase, or None."""
    for pattern, name in _METRIC_RES:
        if pattern.search(key_result):
            return name
    return None


def is_measurable(key_result: str) -> bool:
    """Does the key result carry a target: a number, %, money, a date or a known metric?"""
    return bool(_MEASURABLE.search(key_result)) or metric_of(key_result) is not None


def quote_words(text: str, words: int = 6) -> str:
    """The first few words of member text, to point the author at their own key result
    (a quality note, next to the full text in their form)."""
    parts = text.split()
    head = " ".join(parts[:words])
    return head + "…" if len(parts) > words else head


# Longer than any validated objective or key result: those are always quoted whole.
QUOTE_MAX = KEY_RESULT_MAX


def quote(text: str, limit: int = QUOTE_MAX) -> str:
    """Member text quoted back whole (an objective, a key result), so nobody reads a
    target cut mid-phrase; only text over `limit` is shortened, at a word boundary, with
    "…" (the whole of it stays in the draft)."""
    cleaned = " ".join(text.split())
    if len(cleaned) <= limit:
        return cleaned
    head = cleaned[: limit - 1].rsplit(" ", 1)[0] or cleaned[: limit - 1]
    return head.rstrip(" ,;:.") + "…"


_FILLER = frozenset(
    (
        "a", "an", "the", "to", "be", "as", "i", "im", "i'm", "will", "at", "of", "for",
        "and", "my", "in", "on", "this", "that", "role", "job", "position", "with", "our",
        "your", "is", "am", "are", "by", "from", "into",
    )
)  # fmt: skip


def _content_words(text: str) -> list[str]:
    words = re.findall(r"[\w']+", text.casefold().replace("’", "'"))
    return [w.removesuffix("'s") for w in words if w not in _FILLER]


def restates_title(mission: MissionInput) -> bool:
    """True when the mission mostly repeats the job title (and the company name)."""
    role_words = set(_content_words(mission.role))
    if not role_words:
        return False
    mission_words = _content_words(mission.mission)
    if not mission_words or mission_words == _content_words(mission.role):
        return True
    known = role_words | set(_content_words(mission.company))
    share = sum(1 for w in mission_words if w in known) / len(mission_words)
    return len(mission_words) <= 12 and share >= 0.75


_MAX_KR_NOTES = 3


def quality_notes(mission: MissionInput) -> list[str]:
    """Gentle suggestions; none of them blocks posting."""
    notes: list[str] = []
    if restates_title(mission):
        notes.append(
            "Your mission mostly repeats the job title. Try saying what will be different "
            "because you are there, and for whom: for example, “Make paying for groceries "
            "effortless so first-time customers come back.”"
        )
    vague = [
        (slot, kr)
        for slot, objective in enumerate(mission.objectives, start=1)
        for kr in objective.key_results
        if not is_measurable(kr)
    ]
    for slot, kr in vague[:_MAX_KR_NOTES]:
        notes.append(
            f"The key result “{quote_words(kr)}” (objective {slot}) has no number, date or "
            "metric yet. A target such as “from 40% to 55%” or “by the end of Q3” makes it "
            "easier to react to, for your council and for the hiring manager."
        )
    if len(vague) > _MAX_KR_NOTES:
        more = len(vague) - _MAX_KR_NOTES
        notes.append(
            f"{more} more key result{'s' if more > 1 else ''} could use a measurable target too."
        )
    if len(mission.objectives) > MAX_OBJECTIVES:
        notes.append(
            f"There are {len(mission.objectives)} objectives. Three to five usually reads "
            "stronger: could some of them be merged?"
        )
    return notes


# --- the reaction legend ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegendEntry:
    emoji: str  # the name Slack sends in reaction events, without colons
    meaning: str


LEGEND: tuple[LegendEntry, ...] = (
    LegendEntry("+1", "Clear and compelling"),
    LegendEntry("question", "Unclear, tell me more"),
    LegendEntry("bulb", "An idea, or something missing"),
    LegendEntry("warning", "A concern"),
)
LEGEND_EMOJI: frozenset[str] = frozenset(entry.emoji for entry in LEGEND)

EMOJI_ALIASES: dict[str, str] = {
    "thumbsup": "+1",
    "thumbs_up": "+1",
    "grey_question": "question",
    "question_mark": "question",
    "light_bulb": "bulb",
    "warning_sign": "warning",
}


def normalise_emoji(name: str) -> str:
    """Slack's reaction name without colons or skin tone, with aliases folded."""
    base = name.strip().strip(":").split("::", 1)[0].casefold()
    return EMOJI_ALIASES.get(base, base)


def exact_reaction(name: str) -> str:
    """The reaction as Slack shows it, with aliases folded but a skin tone kept: 👍 and 👍🏽
    are two reactions on the message (each added and removed on its own), both counting
    as 👍 in the tally, once per member."""
    base, _, tone = name.strip().strip(":").casefold().partition("::")
    base = EMOJI_ALIASES.get(base, base)
    return f"{base}::{tone}" if tone else base


def counts_as_feedback(*, emoji: str, reactor: str, author: str, bot_user: str | None) -> bool:
    """A legend reaction from someone other than the author and the bot."""
    if reactor == author or (bot_user is not None and reactor == bot_user):
        return False
    return normalise_emoji(emoji) in LEGEND_EMOJI


@dataclass(frozen=True, slots=True)
class Tally:
    """Who currently shows which legend reaction, per legend entry in legend order."""

    entries: tuple[tuple[str, tuple[str, ...]], ...] = field(
        default_factory=lambda: tuple((entry.emoji, ()) for entry in LEGEND)
    )

    @classmethod
    def from_reactions(cls, reactions: Iterable[tuple[str, str]]) -> Tally:
        """From (user_id, emoji) pairs currently present; non-legend emoji are ignored."""
        users: dict[str, set[str]] = {entry.emoji: set() for entry in LEGEND}
        for user_id, emoji in reactions:
            name = normalise_emoji(emoji)
            if name in users:
                users[name].add(user_id)
        return cls(tuple((entry.emoji, tuple(sorted(users[entry.emoji]))) for entry in LEGEND))

    def users(self, emoji: str) -> tuple[str, ...]:
        name = normalise_emoji(emoji)
        for key, user_ids in self.entries:
            if key == name:
                return user_ids
        return ()

    def count(self, emoji: str) -> int:
        return len(self.users(emoji))

    @property
    def by_emoji(self) -> dict[str, list[str]]:
        return {key: list(user_ids) for key, user_ids in self.entries}

    def rows(self) -> list[tuple[LegendEntry, tuple[str, ...]]]:
        return [(entry, self.users(entry.emoji)) for entry in LEGEND]

    @property
    def total(self) -> int:
        """Reactions counted (one member may give several meanings)."""
        return sum(len(user_ids) for _, user_ids in self.entries)

    @property
    def responders(self) -> frozenset[str]:
        return frozenset(u for _, user_ids in self.entries for u in user_ids)


def tally(reactions: Iterable[tuple[str, str]], *, author: str, bot_user: str | None) -> Tally:
    """The live tally of a draft from the (user_id, emoji) reactions currently on it."""
    return Tally.from_reactions(
        (user_id, emoji)
        for user_id, emoji in reactions
        if counts_as_feedback(emoji=emoji, reactor=user_id, author=author, bot_user=bot_user)
    )


# --- interview questions ----------------------------------------------------------------------


def interview_questions(mission: MissionInput) -> list[str]:
    """Clarifying questions for the next interview, derived from the draft; deterministic."""
    candidates: list[str] = []
    objectives = mission.objectives
    for objective in objectives:
        candidates.append(
            f"If I joined, what would great progress on “{quote(objective.text)}” "
            "look like after the first 90 days?"
        )
    for objective in objectives:
        for kr in objective.key_results:
            metric = metric_of(kr)
            if metric is not None:
                candidates.append(f"How does the team measure {metric} today, and what is it now?")
    for objective in objectives:
        candidates.append(
            f"Who owns “{quote(objective.text)}” today, and what has been tried so far?"
        )
    if len(objectives) > 1:
        candidates.append(
            "Of these goals, which matters most to you in the first six months, and why?"
        )
    for objective in objectives:
        numeric = [
            kr for kr in objective.key_results if metric_of(kr) is None and is_measurable(kr)
        ]
        if numeric:
            candidates.append(
                f"Is a target like “{quote(numeric[0])}” realistic here? "
                "What would make it easier or harder?"
            )
    candidates.append("What people, budget or tools would this role have to reach these outcomes?")
    candidates.append("What would make you say, a year from now, that this hire was a great one?")

    questions: list[str] = []
    seen: set[str] = set()
    for question in candidates:
        key = question.casefold()
        if key not in seen:
            seen.add(key)
            questions.append(question)
    return questions[:MAX_QUESTIONS]


def share_live_suggestion(interviews_logged: int) -> bool:
    """After a couple of interviews, suggest walking the hiring manager through it live."""
    return interviews_logged >= LIVE_SHARE_AFTER_INTERVIEWS


# --- summaries for lists and the Home tab ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftSummary:
    """What the list, the Home tab and the versions message need about one draft."""

    draft_id: int
    company: str
    role: str
    stage: str
    version: int
    status: str  # posted | withdrawn | shared
    tally: Tally = field(default_factory=Tally)
    permalink: str | None = None  # from chat.getPermalink, when known
    interviews_logged: int = 0


@dataclass(frozen=True, slots=True)
class OwedFeedback:
    """A feedback request that names this member and is still open."""

    draft_id: int
    author_id: str
    company: str
    role: str
    deadline: datetime | None = None
    permalink: str | None = None
    channel_id: str = ""  # the council channel: shown only while the member is in it


@dataclass(frozen=True, slots=True)
class VersionSummary:
    """One stored version of a draft, for the "Earlier versions" message."""

    number: int
    mission: MissionInput
    created_at: datetime | None = None
