"""Deletes: everything held about one workspace (uninstall), and what outlived its retention.

The workspace purge is derived from the schema, so a table is covered the day it is added:

- a table with a `team_id` column loses its rows of that team;
- a row that references a deleted row through a foreign key goes too (a draft's versions,
  a version's feedback, a checklist's people, ...), children before parents, whatever the
  depth; a nullable reference declared ON DELETE SET NULL is cleared instead (a
  negotiation ask keeps its text when the draft objective it served is deleted).

A table neither way reaches must be listed in `EXEMPT` with the reason it holds nothing
about a workspace; `uncovered_tables()` names any other (tests/storage/test_purge.py keeps
that list empty, so a new table without a `team_id` or a parent fails the suite).

Every delete here is a `DELETE ... WHERE` on what is to go: running one twice (Slack
retries an event; two processes run the retention job at once) deletes nothing more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, ForeignKey, Table, and_, delete, or_, select, text, update
from sqlmodel import Session

from storage import fit, models
from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.councils import Member
from storage.debriefs import Debrief, GratitudePerson, InterviewEvent
from storage.events import ProcessedEvent
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    MissionDraft,
    MissionVersion,
    ReactionFeedback,
    WrittenFeedback,
)
from storage.negotiation import NegotiationPlan
from storage.reminders import TERMINAL, Reminder
from storage.reviews import ReviewNote
from storage.searches import Search

TEAM_COLUMN = "team_id"

# Tables that hold nothing about a workspace, and why.
EXEMPT: Mapping[str, str] = {
    "processed_events": (
        "Slack's opaque event ids and when each arrived, nothing else: no team, member or "
        "text; deleted a day after arrival by the retention job"
    ),
    "slack_oauth_states": (
        "random states handed to browsers on the install page, before any workspace is "
        "known: no team, member or text; each is deleted when used and once expired"
    ),
}

# PostgreSQL advisory lock key of the retention job ("council retention" in ASCII, cut to
# fit a bigint): one process at a time runs it, the others skip that round.
_RETENTION_LOCK = 0x636F756E63696C72

_MAX_DEPTH = 16  # foreign-key chains are 4 deep today; deeper means a cycle


def _tables() -> list[Table]:
    return list(models.metadata.sorted_tables)


@cache
def _references() -> dict[str, tuple[ForeignKey, ...]]:
    """Table name -> the foreign keys (in other tables) that point at it."""
    found: dict[str, list[ForeignKey]] = {}
    for table in _tables():
        for fk in table.foreign_keys:
            found.setdefault(fk.column.table.name, []).append(fk)
    return {name: tuple(fks) for name, fks in found.items()}


def _clears_on_delete(fk: ForeignKey) -> bool:
    """A nullable reference the database sets to NULL when its target goes."""
    return bool(fk.parent.nullable) and (fk.ondelete or "").upper() == "SET NULL"


def _delete_where(
    session: Session, table: Table, condition: ColumnElement[bool], counts: Counter[str], depth: int
) -> None:
    """Delete `table`'s rows matching `condition` and, first, every row referencing them."""
    if depth > _MAX_DEPTH:
        raise RuntimeError(f"foreign keys nest deeper than {_MAX_DEPTH} under {table.name}")
    connection = session.connection()
    for fk in _references().get(table.name, ()):
        child = fk.parent.table
        doomed = select(fk.column).where(condition)
        if _clears_on_delete(fk):
            # Explicit rather than left to the database: the same on SQLite and PostgreSQL
            # whatever the migrations declared.
            connection.execute(
                update(child).where(fk.parent.in_(doomed)).values({fk.parent.name: None})
            )
        else:
            _delete_where(session, child, fk.parent.in_(doomed), counts, depth + 1)
    result = connection.execute(delete(table).where(condition))
    counts[table.name] += int(result.rowcount or 0)


# --- the workspace purge ------------------------------------------------------------------------


def team_tables() -> list[str]:
    """Tables with a `team_id` column: where a workspace's rows start."""
    return [t.name for t in _tables() if TEAM_COLUMN in t.c and t.name not in EXEMPT]


def covered_tables() -> set[str]:
    """Every table the workspace purge deletes from: team tables and their descendants."""
    covered: set[str] = set()
    pending = list(team_tables())
    while pending:
        name = pending.pop()
        if name in covered:
            continue
        covered.add(name)
        pending.extend(
            fk.parent.table.name for fk in _references().get(name, ()) if not _clears_on_delete(fk)
        )
    return covered


def uncovered_tables() -> list[str]:
    """Tables neither purged with a workspace nor exempt (should be none)."""
    covered = covered_tables()
    return [t.name for t in _tables() if t.name not in covered and t.name not in EXEMPT]


def purge_team(session: Session, *, team_id: str) -> dict[str, int]:
    """Delete every row held about workspace `team_id`; the count deleted per table.

    One call is one pass in the caller's transaction; every covered table has an entry
    (0 when nothing was left, as on Slack's retry of the uninstall event).
    """
    if not team_id:
        raise ValueError("team_id is required: an empty one would match rows of no workspace")
    counts: Counter[str] = Counter({name: 0 for name in covered_tables()})
    # Children first: a team table that references another (a draft's search) loses its
    # rows before the parent's cascade would look for them.
    for table in reversed(_tables()):
        if table.name in EXEMPT or TEAM_COLUMN not in table.c:
            continue
        _delete_where(session, table, table.c[TEAM_COLUMN] == team_id, counts, 0)
    return dict(counts)


# --- one member's erase ------------------------------------------------------------------------

# Columns naming a member, and how the member erase treats each: "erased" (its rows go, with
# every row under them) or why it stays. A column named so that the erase does not know
# fails tests/storage/test_purge_member.py.
MEMBER_COLUMNS: Mapping[tuple[str, str], str] = {
    ("searches", "user_id"): "erased",
    ("mission_drafts", "author_id"): "erased",
    ("reaction_feedback", "user_id"): "erased",
    ("written_feedback", "user_id"): "erased",
    ("feedback_asks", "user_id"): "erased",
    ("feedback_requests", "author_id"): "erased",
    # A note goes with its named writer, and with the subject's author (it is about their
    # plan, Two-Pager or statement); an anonymous writer's through erase_unlinked.
    ("review_notes", "user_id"): "erased",
    ("review_notes", "author_id"): "erased",
    ("interview_events", "user_id"): "erased",
    ("debriefs", "user_id"): "erased",
    ("gratitude_people", "user_id"): "erased",
    ("backchannel_checklists", "user_id"): "erased",
    ("negotiation_plans", "user_id"): "erased",
    ("reminders", "user_id"): "erased",
    ("members", "user_id"): "erased",
    ("backchannel_shares", "user_id"): "erased",
    ("council_checkins", "user_id"): "erased",
    ("council_member_states", "user_id"): "erased",
    ("council_rituals", "moderator_id"): (
        "who moderates a council: the council's setup, kept while the council has one; the "
        "moderator changes it with /council setup, and it says nothing about their search"
    ),
    ("slack_installations", "installer_user_id"): (
        "who added the bot to the workspace (distribution mode): the installation's, kept "
        "until the workspace uninstalls the bot; it says nothing about a job search"
    ),
    # Erased by storage.tour.erase_member, in the same erase (bot.features.council.service).
    ("tour_conversations", "user_id"): "erased",
    ("tour_shares", "user_id"): "erased",
    ("tour_settings", "user_id"): "erased",
    # Erased by storage.fit.erase_member, at the end of purge_member (step "fit"); a
    # suggestion goes with the member who wrote it and with the Two-Pager it was made on.
    ("fit_two_pagers", "user_id"): "erased",
    ("fit_statements", "user_id"): "erased",
    ("fit_suggestions", "user_id"): "erased",
    ("backchannel_people", "slack_user_id"): (
        "another member's private checklist naming the member as someone to ask: that "
        "member's data, not this one's"
    ),
}
_MEMBER_COLUMN_NAMES = frozenset({"user_id", "author_id", "slack_user_id"})


def member_columns_unknown() -> list[tuple[str, str]]:
    """Columns that name a member which `MEMBER_COLUMNS` does not account for (none)."""
    return [
        (t.name, c.name)
        for t in _tables()
        for c in t.columns
        if c.name in _MEMBER_COLUMN_NAMES and (t.name, c.name) not in MEMBER_COLUMNS
    ]


# The steps of a member's erase, in order: feedback they gave goes before their drafts (so
# "given" counts only what was on other members' drafts), reminders before what they are about.
MEMBER_STEPS = (
    "feedback_given",
    "asked",
    "reminders",
    "drafts",
    "events",
    "gratitude",
    "checklists",
    "plans",
    "searches",
    "member",
    "fit",
    "reviews",
)


def purge_member(
    session: Session, *, team_id: str, user_id: str, reminder_subjects: Collection[str] = ()
) -> dict[str, dict[str, int]]:
    """Delete everything held about member `user_id` of workspace `team_id`: their searches,
    drafts (versions, the council's feedback on them, requests), the feedback they gave and
    the requests naming them, their events and debriefs, Gratitude House, checklists,
    plans and figures, the reminders addressed to them and those with a subject in
    `reminder_subjects` (about their drafts and requests, addressed to others), and their
    member row. Other members' rows stay, the council too.

    The rows deleted per step (`MEMBER_STEPS`) and table, descendants included. One pass in
    the caller's transaction; a second finds nothing.
    """
    if not team_id or not user_id:
        raise ValueError("team_id and user_id are required")
    t = {
        name: model.__table__  # type: ignore[union-attr]
        for name, model in (
            ("searches", Search),
            ("drafts", MissionDraft),
            ("versions", MissionVersion),
            ("reactions", ReactionFeedback),
            ("written", WrittenFeedback),
            ("requests", FeedbackRequest),
            ("asks", FeedbackAsk),
            ("events", InterviewEvent),
            ("debriefs", Debrief),
            ("gratitude", GratitudePerson),
            ("checklists", BackchannelChecklist),
            ("people", BackchannelPerson),
            ("plans", NegotiationPlan),
            ("reminders", Reminder),
            ("members", Member),
            ("notes", ReviewNote),
        )
    }
    team_searches = select(t["searches"].c.id).where(t["searches"].c.team_id == team_id)
    team_drafts = select(t["drafts"].c.id).where(t["drafts"].c.search_id.in_(team_searches))
    team_versions = select(t["versions"].c.id).where(t["versions"].c.draft_id.in_(team_drafts))
    team_requests = select(t["requests"].c.id).where(t["requests"].c.team_id == team_id)
    team_events = select(t["events"].c.id).where(t["events"].c.team_id == team_id)

    def owned(table: Table) -> ColumnElement[bool]:
        return and_(table.c.team_id == team_id, table.c.user_id == user_id)

    reminders = t["reminders"]
    steps: list[tuple[str, Table, ColumnElement[bool]]] = [
        (
            "feedback_given",
            t["reactions"],
            and_(
                t["reactions"].c.user_id == user_id, t["reactions"].c.version_id.in_(team_versions)
            ),
        ),
        (
            "feedback_given",
            t["written"],
            and_(t["written"].c.user_id == user_id, t["written"].c.version_id.in_(team_versions)),
        ),
        (
            "asked",
            t["asks"],
            and_(t["asks"].c.user_id == user_id, t["asks"].c.request_id.in_(team_requests)),
        ),
        (
            "reminders",
            reminders,
            and_(
                reminders.c.team_id == team_id,
                or_(
                    reminders.c.user_id == user_id,
                    reminders.c.subject.in_(sorted(reminder_subjects)),
                ),
            ),
        ),
        (
            "drafts",
            t["drafts"],
            and_(t["drafts"].c.author_id == user_id, t["drafts"].c.search_id.in_(team_searches)),
        ),
        ("events", t["events"], owned(t["events"])),
        (
            "events",
            t["debriefs"],
            and_(t["debriefs"].c.user_id == user_id, t["debriefs"].c.event_id.in_(team_events)),
        ),
        ("gratitude", t["gratitude"], owned(t["gratitude"])),
        ("checklists", t["checklists"], owned(t["checklists"])),
        ("plans", t["plans"], owned(t["plans"])),
        ("searches", t["searches"], owned(t["searches"])),
        ("member", t["members"], owned(t["members"])),
        # Review requests the member made on a plan, Two-Pager or statement (a draft's went
        # with the draft), and written feedback they signed or that is about their subjects
        # (unsigned notes of theirs: member_data.erase_unlinked).
        (
            "reviews",
            t["requests"],
            and_(t["requests"].c.team_id == team_id, t["requests"].c.author_id == user_id),
        ),
        (
            "reviews",
            t["notes"],
            and_(
                t["notes"].c.team_id == team_id,
                or_(t["notes"].c.user_id == user_id, t["notes"].c.author_id == user_id),
            ),
        ),
    ]
    done: dict[str, Counter[str]] = {step: Counter() for step in MEMBER_STEPS}
    for step, table, condition in steps:
        _delete_where(session, table, condition, done[step], 0)
    # `/fit`: the member's Two-Pager and statement versions, the suggestions they wrote and
    # those made on their Two-Pager.
    done["fit"].update(fit.erase_member(session, team_id=team_id, user_id=user_id))
    return {step: {name: n for name, n in counts.items() if n} for step, counts in done.items()}


# --- retention ----------------------------------------------------------------------------------


def _older(column: ColumnElement[datetime], before: datetime) -> ColumnElement[bool]:
    return column < before


def retention_lock(session: Session) -> bool:
    """Take the retention job's lock for this transaction; False when another process
    holds it (PostgreSQL). SQLite lets one writer in at a time anyway: always True."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    taken = session.connection().execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _RETENTION_LOCK}
    )
    return bool(taken.scalar())


def purge_expired(
    session: Session,
    *,
    before: datetime,
    events_before: datetime,
) -> dict[str, int]:
    """Delete what outlived its retention; the count per table (descendants included).

    - withdrawn mission drafts not changed since `before` (versions, feedback, requests);
    - closed back-channel checklists not changed since `before` (their people);
    - finished reminders (sent, expired, cancelled, failed, undeliverable) created, due and
      sent before `before`;
    - processed-event ids received before `events_before`.
    """
    counts: Counter[str] = Counter()
    drafts = MissionDraft.__table__  # type: ignore[attr-defined]
    _delete_where(
        session,
        drafts,
        and_(drafts.c.status == "withdrawn", _older(drafts.c.updated_at, before)),
        counts,
        0,
    )
    checklists = BackchannelChecklist.__table__  # type: ignore[attr-defined]
    _delete_where(
        session,
        checklists,
        and_(checklists.c.status == "closed", _older(checklists.c.updated_at, before)),
        counts,
        0,
    )
    reminders = Reminder.__table__  # type: ignore[attr-defined]
    _delete_where(
        session,
        reminders,
        and_(
            reminders.c.status.in_(sorted(state.value for state in TERMINAL)),
            _older(reminders.c.created_at, before),
            _older(reminders.c.due_at, before),
            or_(reminders.c.sent_at.is_(None), _older(reminders.c.sent_at, before)),
        ),
        counts,
        0,
    )
    events = ProcessedEvent.__table__  # type: ignore[attr-defined]
    _delete_where(session, events, _older(events.c.received_at, events_before), counts, 0)
    return {name: n for name, n in counts.items() if n}
