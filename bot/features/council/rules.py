"""A member's own data: the export's shape and its Markdown reading, what an erase takes.

No Slack here. The export is one JSON document (`EXPORT_FORMAT`, version `EXPORT_VERSION`,
documented in PRIVACY.md) and the same in Markdown for people. An erase is described by
the rows it deletes per step and table (storage.purge.purge_member), turned into lines a
member can read ("3 job mission drafts"); its fingerprint tells whether what would go
changed between the confirmation and the click.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EXPORT_FORMAT = "council-bot/member-export"
EXPORT_VERSION = 1

# The sections of the document, in order, each with its Markdown heading.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("member", "You"),
    ("searches", "Searches"),
    ("drafts", "Job mission drafts"),
    ("feedback_given", "Written feedback you gave on other members' drafts"),
    ("reactions_given", "Reactions you gave on other members' drafts"),
    ("feedback_asked_of_you", "Feedback requests that asked you"),
    ("interview_events", "Interviews and negotiations, with their debriefs"),
    ("gratitude_house", "Gratitude House"),
    ("backchannel_checklists", "Back-channel checklists"),
    ("backchannel_shares", "Back-channel summaries you shared in a council channel"),
    ("negotiation_plans", "Negotiation plans"),
    ("reminders", "Reminders addressed to you"),
    ("council_checkins", "Your check-ins before council meetings"),
    ("council_status", "Your pauses and landing in councils"),
    ("listening_tour", "Your Listening Tour"),
    ("tour_shares", "Listening Tour takeaways you shared in a council channel"),
    ("tour_settings", "Your Listening Tour settings (target, monthly update)"),
    ("two_pager_versions", "Your Two-Pager, every version"),
    ("cmf_statements", "Your Candidate-Market Fit statement, every version"),
    ("two_pager_suggestions_given", "Additions you suggested on other members' Two-Pagers"),
    ("review_notes_given", "Feedback you wrote on other members' plans, Two-Pagers, statements"),
    ("review_notes_received", "Feedback your council wrote on your plans, Two-Pagers, statements"),
)


def export_document(
    sections: Mapping[str, Any], *, team_id: str, user_id: str, exported_at: datetime
) -> dict[str, Any]:
    """The whole export: a header saying what it is, then every section (empty ones too)."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": exported_at.isoformat(),
        "team_id": team_id,
        "user_id": user_id,
        **{key: sections.get(key) for key, _title in SECTIONS},
    }


def export_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export_filename(document: Mapping[str, Any], extension: str) -> str:
    day = str(document.get("exported_at") or "")[:10]
    return f"council-bot-data-{day}.{extension}"


# --- Markdown ------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in (text or "").splitlines()) or "> (empty)"


def _fields(item: Mapping[str, Any], *, skip: tuple[str, ...] = ()) -> list[str]:
    lines = []
    for key, value in item.items():
        if key in skip or isinstance(value, list | dict) or value in (None, ""):
            continue
        lines.append(f"- {key.replace('_', ' ')}: {value}")
    return lines


def _draft(draft: Mapping[str, Any]) -> list[str]:
    out = [f"### {draft.get('company') or 'Draft'} (draft {draft.get('id')}, {draft['status']})"]
    out += _fields(draft, skip=("company", "id"))
    for version in draft.get("versions") or []:
        out += ["", f"#### Version {version['number']}"]
        out += _fields(version, skip=("number", "mission"))
        out += ["", _quote(version.get("mission") or ""), ""]
        for number, objective in enumerate(version.get("objectives") or [], start=1):
            out.append(f"{number}. {objective['text']}")
            out += [f"   - {kr}" for kr in objective.get("key_results") or []]
    if draft.get("reactions_received"):
        out += ["", "Reactions:"]
        out += [
            f"- version {r['version']}: :{r['emoji']}: from {r['user_id']}"
            for r in draft["reactions_received"]
        ]
    for feedback in draft.get("feedback_received") or []:
        who = "someone who chose not to give their name" if feedback["anonymous"] else None
        out += [
            "",
            f"Feedback on version {feedback['version']} from {who or feedback['author_id']}:",
        ]
        out += _fields(feedback, skip=("version", "anonymous", "author_id"))
    for request in draft.get("feedback_requests") or []:
        asked = ", ".join(request.get("asked") or []) or "nobody"
        out += [
            "",
            f"Feedback request ({request['status']}), deadline {request['deadline']}: "
            f"asked {asked}",
        ]
    return out


def _generic(item: Mapping[str, Any]) -> list[str]:
    out = _fields(item)
    for key, value in item.items():
        if isinstance(value, dict):
            out.append(f"- {key.replace('_', ' ')}:")
            out += [f"  {line}" for line in _fields(value)]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append(f"- {key.replace('_', ' ')}:")
            for entry in value:
                fields = _fields(entry)
                out += (
                    [f"  {fields[0]}", *(f"    {line[2:]}" for line in fields[1:])]
                    if fields
                    else []
                )
        elif isinstance(value, list) and value:
            out.append(f"- {key.replace('_', ' ')}: {', '.join(str(v) for v in value)}")
    return out


def export_markdown(document: Mapping[str, Any]) -> str:
    """The export for reading: every section, with what it holds or "Nothing."."""
    out = [
        "# Your data in Council Bot",
        "",
        f"Everything Council Bot holds about {document['user_id']} in workspace "
        f"{document['team_id']}, exported {document['exported_at']}. The JSON file sent "
        "with this one holds the same, for programs.",
    ]
    for key, title in SECTIONS:
        value = document.get(key)
        out += ["", f"## {title}", ""]
        if not value:
            out.append("Nothing.")
        elif isinstance(value, dict):
            out += _fields(value)
        elif key == "drafts":
            for draft in value:
                out += [*_draft(draft), ""]
        else:
            for number, item in enumerate(value, start=1):
                lines = _generic(item)
                out += [f"{number}.", *(f"   {line}" for line in lines), ""]
    return "\n".join(out).rstrip() + "\n"


# --- erase ---------------------------------------------------------------------------------------

# (step, table) -> (one, many): what a member reads in the confirmation. The step's own
# table first, then what goes with it.
_LABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("feedback_given", "reaction_feedback"): (
        "reaction you gave on other members' drafts",
        "reactions you gave on other members' drafts",
    ),
    ("feedback_given", "written_feedback"): (
        "piece of written feedback you gave on other members' drafts",
        "pieces of written feedback you gave on other members' drafts",
    ),
    ("asked", "feedback_asks"): (
        "feedback request that named you",
        "feedback requests that named you",
    ),
    ("reminders", "reminders"): (
        "reminder (yours, or nudges about your drafts)",
        "reminders (yours, and nudges about your drafts)",
    ),
    ("drafts", "mission_drafts"): ("job mission draft", "job mission drafts"),
    ("drafts", "mission_versions"): ("version of them", "versions of them"),
    ("drafts", "objectives"): ("objective", "objectives"),
    ("drafts", "key_results"): ("key result", "key results"),
    ("drafts", "reaction_feedback"): (
        "reaction the council gave on your drafts",
        "reactions the council gave on your drafts",
    ),
    ("drafts", "written_feedback"): (
        "piece of written feedback on your drafts",
        "pieces of written feedback on your drafts",
    ),
    ("drafts", "feedback_requests"): ("feedback request", "feedback requests"),
    ("drafts", "feedback_asks"): ("person asked for feedback", "people asked for feedback"),
    ("events", "interview_events"): (
        "interview or negotiation logged",
        "interviews and negotiations logged",
    ),
    ("events", "debriefs"): ("debrief", "debriefs"),
    ("gratitude", "gratitude_people"): (
        "person in your Gratitude House",
        "people in your Gratitude House",
    ),
    ("checklists", "backchannel_checklists"): ("back-channel checklist", "back-channel checklists"),
    ("checklists", "backchannel_people"): (
        "person on them, with notes",
        "people on them, with notes",
    ),
    ("checklists", "backchannel_shares"): (
        "back-channel summary you shared (deleted from the channel too)",
        "back-channel summaries you shared (deleted from the channel too)",
    ),
    ("plans", "negotiation_plans"): ("negotiation plan", "negotiation plans"),
    ("plans", "negotiation_legs"): ("negotiation ask", "negotiation asks"),
    ("plans", "negotiation_compensation"): (
        "set of offer and target figures",
        "sets of offer and target figures",
    ),
    ("searches", "searches"): ("search (company and role)", "searches (companies and roles)"),
    ("member", "members"): ("saved time zone", "saved time zones"),
    ("council", "council_checkins"): (
        "check-in you answered before a council meeting",
        "check-ins you answered before council meetings",
    ),
    ("council", "council_member_states"): (
        "pause or landed note in a council",
        "pause or landed notes in councils",
    ),
    ("tour", "tour_conversations"): (
        "Listening Tour conversation, with who and what was heard",
        "Listening Tour conversations, with who and what was heard",
    ),
    ("tour", "tour_shares"): (
        "takeaway you shared in a council channel (deleted from the channel too)",
        "takeaways you shared in a council channel (deleted from the channel too)",
    ),
    ("tour", "tour_settings"): ("Listening Tour setting", "Listening Tour settings"),
    ("reviews", "review_notes"): (
        "piece of written feedback on a plan, Two-Pager or statement (yours, or on yours)",
        "pieces of written feedback on plans, Two-Pagers or statements (yours, or on yours)",
    ),
    ("reviews", "feedback_requests"): (
        "review request on a plan, Two-Pager or statement",
        "review requests on plans, Two-Pagers or statements",
    ),
    ("reviews", "feedback_asks"): ("person asked to review", "people asked to review"),
    ("fit", "fit_two_pagers"): (
        "Two-Pager version (deleted from the channel too if posted)",
        "Two-Pager versions (deleted from the channel too if posted)",
    ),
    ("fit", "fit_statements"): (
        "Candidate-Market Fit statement version (deleted from the channel too if posted)",
        "Candidate-Market Fit statement versions (deleted from the channel too if posted)",
    ),
    ("fit", "fit_suggestions"): (
        "Two-Pager suggestion, yours or on yours",
        "Two-Pager suggestions, yours or on yours",
    ),
}


@dataclass(frozen=True, slots=True)
class EraseCounts:
    """Rows an erase deletes (or would), per step and table."""

    steps: Mapping[str, Mapping[str, int]]

    @property
    def total(self) -> int:
        return sum(n for counts in self.steps.values() for n in counts.values())

    def lines(self) -> list[str]:
        """One line per kind, in the order of the steps: "3 job mission drafts"."""
        found: list[str] = []
        for step, counts in self.steps.items():
            for table, n in counts.items():
                if n:
                    one, many = _LABELS.get((step, table), (table, table))
                    found.append(f"{n} {one if n == 1 else many}")
        return found

    @property
    def fingerprint(self) -> str:
        """Short and stable: equal counts, equal fingerprints."""
        canonical = json.dumps(
            {s: dict(sorted(c.items())) for s, c in sorted(self.steps.items())}, sort_keys=True
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def draft_subject(draft_id: int) -> str:
    """The reminder subject of a draft (bot.features.missions.service schedules with it)."""
    return f"draft:{draft_id}"


def request_subject(request_id: int) -> str:
    """The reminder subject of a feedback request (its nudges and digest)."""
    return f"request:{request_id}"
