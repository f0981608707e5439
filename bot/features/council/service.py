"""Use cases of a member's own data: export it, say what an erase takes, erase it.

Each is one unit of work over one member of one workspace, named by the caller from the
request's signed user and team (never from a button's value or a modal's metadata).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from bot.features.council.rules import (
    EraseCounts,
    draft_subject,
    export_document,
    export_json,
    export_markdown,
    request_subject,
)
from storage import member_data, purge, rituals, tour
from storage.db import flush_to_file, unit_of_work


@dataclass(frozen=True, slots=True)
class MemberExport:
    document: dict
    json_text: str
    markdown: str


def export(engine: Engine, *, team_id: str, user_id: str, now: datetime) -> MemberExport:
    """Everything held about the member, as JSON and as Markdown."""
    with unit_of_work(engine) as session:
        sections = member_data.export_of(session, team_id=team_id, user_id=user_id)
        sections = {
            **sections,
            **rituals.export_member(session, team_id=team_id, user_id=user_id),
            **tour.export_member(session, team_id=team_id, user_id=user_id),
        }
    document = export_document(sections, team_id=team_id, user_id=user_id, exported_at=now)
    return MemberExport(document, export_json(document), export_markdown(document))


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erase deleted, and what changes in Slack because of it."""

    counts: EraseCounts
    messages: list[tuple[str, str]] = field(default_factory=list)  # the bot's, to delete
    drafts: list[int] = field(default_factory=list)  # other members' drafts to re-render
    homes: set[str] = field(default_factory=set)  # other members whose Home changed
    scrubbed: bool = True  # SQLite: the database file holds no page of it any more


class _Undo(Exception):
    """Roll the unit of work back, carrying what it would have deleted."""

    def __init__(self, counts: EraseCounts) -> None:
        super().__init__("undo")
        self.counts = counts


def _run(
    engine: Engine, *, team_id: str, user_id: str
) -> tuple[EraseCounts, member_data.EraseTargets]:
    """Inside the caller's unit of work: find the targets, then delete."""
    with unit_of_work(engine) as session:
        targets = member_data.erase_targets(session, team_id=team_id, user_id=user_id)
        subjects = [draft_subject(d) for d in targets.own_drafts] + [
            request_subject(r) for r in targets.own_requests
        ]
        # First what purge_member finds by no member column (anonymous feedback, whose
        # writer is stored only encrypted; shared summaries), then everything else.
        unlinked = member_data.erase_unlinked(session, team_id=team_id, user_id=user_id)
        steps = purge.purge_member(
            session, team_id=team_id, user_id=user_id, reminder_subjects=subjects
        )
        for step, counts in unlinked.items():
            merged = steps.setdefault(step, {})
            for table, n in counts.items():
                merged[table] = merged.get(table, 0) + n
        # The council's rhythm: their check-in answers and away states.
        council = rituals.erase_member(session, team_id=team_id, user_id=user_id)
        if council:
            steps["council"] = council
        # The Listening Tour: its conversations, and the takeaways shared in a council
        # (their messages are deleted from the channel with the rest).
        for share in tour.shares_of(session, team_id=team_id, user_id=user_id):
            if (share.channel_id, share.message_ts) not in targets.messages:
                targets.messages.append((share.channel_id, share.message_ts))
        listening = tour.erase_member(session, team_id=team_id, user_id=user_id)
        if listening:
            steps["tour"] = listening
        return EraseCounts(steps), targets


def erase_preview(engine: Engine, *, team_id: str, user_id: str) -> EraseCounts:
    """What `erase` would delete now, exactly: the erase itself, rolled back."""
    try:
        with unit_of_work(engine):
            counts, _targets = _run(engine, team_id=team_id, user_id=user_id)
            raise _Undo(counts)
    except _Undo as undone:
        return undone.counts


def erase(
    engine: Engine, *, team_id: str, user_id: str, expected: str | None = None
) -> Erased | EraseCounts:
    """Delete everything held about the member, in one transaction.

    With `expected` (the fingerprint of the counts the member confirmed), nothing is
    deleted when what would go differs from it: the new counts are returned instead, to
    confirm again.
    """
    try:
        with unit_of_work(engine):
            counts, targets = _run(engine, team_id=team_id, user_id=user_id)
            if expected is not None and counts.fingerprint != expected:
                raise _Undo(counts)
    except _Undo as changed:
        return changed.counts
    return Erased(
        counts=counts,
        messages=targets.messages,
        drafts=targets.drafts,
        homes=targets.homes,
        scrubbed=flush_to_file(engine),
    )
