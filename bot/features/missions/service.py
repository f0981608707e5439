"""Use cases of the mission feature: the rules in bot.features.missions.rules over stored drafts.

No Slack here: handlers call these with plain values and render what comes back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.features.errors import NotAllowed
from bot.features.missions.rules import (
    DraftSummary,
    MissionInput,
    Objective,
    Tally,
    VersionSummary,
    counts_as_feedback,
    exact_reaction,
    share_live_suggestion,
    tally,
)
from bot.platform.timezones import out_of_quiet_hours
from bot.reminders.engine import cancel_subject, schedule
from storage.db import session_scope
from storage.events import claim_event
from storage.missions import (
    MissionDraft,
    MissionVersion,
    ReactionFeedback,
    add_version,
    carry_reactions,
    get_version,
    load_objectives,
)
from storage.scoping import draft_in_team
from storage.searches import Search, find_or_create_search
from storage.types import require_id, require_row


@dataclass(frozen=True, slots=True)
class DraftSnapshot:
    """Everything needed to render a draft's channel message."""

    draft_id: int
    author_id: str
    channel_id: str
    message_ts: str | None
    status: str
    version: int
    mission: MissionInput
    tally: Tally
    # The bot has suggested walking the hiring manager through it live (two interviews).
    share_suggested: bool = False

    @property
    def revised(self) -> bool:
        return self.version > 1

    @property
    def live_tip(self) -> bool:
        """Whether the draft's message reminds the council to share it live: once the
        suggestion applied (two interviews happened), until it is marked shared."""
        return self.share_suggested and self.status == "posted"


_render_locks: dict[int, threading.Lock] = {}
_render_locks_guard = threading.Lock()


@contextmanager
def rendering(draft_id: int) -> Iterator[None]:
    """Serialise read-render-update of one draft's message inside this process, so two
    reactions arriving together cannot leave the older tally on screen."""
    with _render_locks_guard:
        lock = _render_locks.setdefault(draft_id, threading.Lock())
    with lock:
        yield


@dataclass(frozen=True, slots=True)
class NewDraft:
    """A submitted draft as the handler posts it: its snapshot, and whether this call made
    it (False: the same modal submitted before made it, and may be posting it now)."""

    snap: DraftSnapshot
    created: bool


def create_draft(
    engine: Engine,
    *,
    team_id: str,
    council_id: int,
    channel_id: str,
    author_id: str,
    mission: MissionInput,
    submission_key: str | None = None,
) -> int:
    """The new draft's id (see `submit_draft`)."""
    return submit_draft(
        engine,
        team_id=team_id,
        council_id=council_id,
        channel_id=channel_id,
        author_id=author_id,
        mission=mission,
        submission_key=submission_key,
    ).snap.draft_id


def submit_draft(
    engine: Engine,
    *,
    team_id: str,
    council_id: int,
    channel_id: str,
    author_id: str,
    mission: MissionInput,
    submission_key: str | None = None,
) -> NewDraft:
    """Store a new draft and return what its post shows, in one unit of work. With
    `submission_key` (the modal's view id), submitting the same modal again returns the
    draft it already made instead of making a second one."""
    try:
        with session_scope(engine) as session:
            existing = _draft_by_submission(session, submission_key) if submission_key else None
            if existing is not None:
                return NewDraft(_snapshot(session, existing, bot_user=None), created=False)
            draft = _create_draft(
                session,
                team_id=team_id,
                council_id=council_id,
                channel_id=channel_id,
                author_id=author_id,
                mission=mission,
                submission_key=submission_key,
            )
            return NewDraft(_snapshot(session, draft, bot_user=None), created=True)
    except IntegrityError:
        # The same modal submitted twice at once: the other submission made the draft.
        if submission_key is None:
            raise
        with session_scope(engine) as session:
            existing = _draft_by_submission(session, submission_key)
            if existing is None:
                raise
            return NewDraft(_snapshot(session, existing, bot_user=None), created=False)


def _draft_by_submission(session: Session, submission_key: str) -> MissionDraft | None:
    return session.exec(
        select(MissionDraft).where(MissionDraft.submission_key == submission_key)
    ).first()


def _create_draft(
    session: Session,
    *,
    team_id: str,
    council_id: int,
    channel_id: str,
    author_id: str,
    mission: MissionInput,
    submission_key: str | None,
) -> MissionDraft:
    search = find_or_create_search(
        session,
        team_id=team_id,
        user_id=author_id,
        company=mission.company,
        role=mission.role,
        stage=mission.stage,
    )
    draft = MissionDraft(
        search_id=require_id(search),
        council_id=council_id,
        author_id=author_id,
        channel_id=channel_id,
        submission_key=submission_key,
    )
    session.add(draft)
    session.flush()
    _store_version(session, draft=draft, number=1, mission=mission)
    return draft


def attach_message(engine: Engine, *, draft_id: int, team_id: str, message_ts: str) -> None:
    with session_scope(engine) as session:
        draft = require_row(
            draft_in_team(session, draft_id=draft_id, team_id=team_id), f"draft {draft_id}"
        )
        draft.message_ts = message_ts


def revise(
    engine: Engine,
    *,
    draft_id: int,
    team_id: str,
    editor_id: str,
    mission: MissionInput,
    now: datetime,
) -> int:
    """Store a new version, shown in the same channel message; the version's number.

    Reactions carry over. The draft keeps one message (and its thread, where the written
    feedback and the feedback request live), and Slack keeps the reactions on an edited
    message: what the tally counts must be what members see on it. So the reaction state
    of the version before is copied onto the new one (with each reaction's last event_ts,
    so a late or redelivered event still cannot undo a newer one), and a member whose
    view changed takes their reaction off, as they would on any message. Posting each
    version as a new message instead would split the council's discussion over threads.

    The earlier version keeps its own rows as they were, for the record. The draft row is
    locked first, as `record_reaction` locks it: a reaction applied meanwhile lands either
    on the old version before the copy, or on the new one.
    """
    with session_scope(engine) as session:
        draft = _own_live_draft(
            session, draft_id=draft_id, team_id=team_id, user_id=editor_id, lock=True
        )
        search = require_row(session.get(Search, draft.search_id), f"search of draft {draft_id}")
        search.role, search.stage = mission.role, mission.stage
        previous = require_row(
            get_version(session, draft_id=draft_id, number=draft.current_version),
            f"version {draft.current_version} of draft {draft_id}",
        )
        draft.current_version += 1
        draft.updated_at = now
        version = _store_version(
            session, draft=draft, number=draft.current_version, mission=mission
        )
        carry_reactions(session, from_version=require_id(previous), to_version=require_id(version))
        return draft.current_version


def withdraw(
    engine: Engine, *, draft_id: int, team_id: str, user_id: str, now: datetime
) -> DraftSnapshot:
    with session_scope(engine) as session:
        draft = _own_live_draft(session, draft_id=draft_id, team_id=team_id, user_id=user_id)
        draft.status = "withdrawn"
        draft.updated_at = now
        session.flush()
        return _snapshot(session, draft, bot_user=None)


def snapshot(
    engine: Engine, *, draft_id: int, team_id: str, bot_user: str | None
) -> DraftSnapshot | None:
    """The draft as it stands; None when it does not exist in `team_id`'s workspace."""
    with session_scope(engine) as session:
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        return None if draft is None else _snapshot(session, draft, bot_user=bot_user)


def author_draft(engine: Engine, *, draft_id: int, team_id: str, user_id: str) -> DraftSnapshot:
    """The draft, if `user_id` wrote it in `team_id` and it is still live; NotAllowed
    otherwise."""
    with session_scope(engine) as session:
        draft = _own_live_draft(session, draft_id=draft_id, team_id=team_id, user_id=user_id)
        return _snapshot(session, draft, bot_user=None)


def summary(snap: DraftSnapshot) -> DraftSummary:
    return DraftSummary(
        draft_id=snap.draft_id,
        company=snap.mission.company,
        role=snap.mission.role,
        stage=snap.mission.stage,
        version=snap.version,
        status=snap.status,
        tally=snap.tally,
    )


def discard(engine: Engine, *, draft_id: int, team_id: str) -> None:
    """Forget a draft that could not be posted (the member still has their text open)."""
    with session_scope(engine) as session:
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        if draft is None:
            return
        for version in session.exec(
            select(MissionVersion).where(MissionVersion.draft_id == draft_id)
        ).all():
            _delete_version(session, version)
        session.flush()
        session.delete(draft)


def versions(engine: Engine, *, draft_id: int, team_id: str) -> list[VersionSummary]:
    with session_scope(engine) as session:
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        if draft is None:
            return []
        search = require_row(session.get(Search, draft.search_id), f"search of draft {draft_id}")
        rows = session.exec(
            select(MissionVersion)
            .where(MissionVersion.draft_id == draft_id)
            .order_by(col(MissionVersion.number))
        ).all()
        return [
            VersionSummary(
                number=v.number, mission=_mission_of(session, search, v), created_at=v.created_at
            )
            for v in rows
        ]


def list_drafts(engine: Engine, *, team_id: str, user_id: str) -> list[DraftSnapshot]:
    with session_scope(engine) as session:
        drafts = session.exec(
            select(MissionDraft)
            .join(Search, col(Search.id) == MissionDraft.search_id)
            .where(Search.team_id == team_id, MissionDraft.author_id == user_id)
            .order_by(col(MissionDraft.id))
        ).all()
        return [_snapshot(session, d, bot_user=None) for d in drafts]


def record_reaction(
    engine: Engine,
    *,
    event_id: str | None,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    emoji: str,
    added: bool,
    event_ts: str,
    bot_user: str | None,
) -> DraftSnapshot | None:
    """Apply one reaction event; the draft to re-render when the current tally changed.

    A reaction is state keyed by (version, member, emoji) carrying the event_ts of the
    last change: a redelivered event, or an older one arriving after a newer one, changes
    nothing. The event id is claimed in the same transaction, so a failure lets Slack's
    retry apply it later.
    """
    emoji = exact_reaction(emoji)  # per skin tone: removing 👍🏽 leaves a 👍 standing
    with session_scope(engine) as session:
        if event_id is not None and not claim_event(session, event_id=event_id):
            return None
        # Locked (PostgreSQL) so that an edit saved meanwhile (`revise`, which copies the
        # reactions onto the new version) is either wholly before this or wholly after.
        draft = session.exec(
            select(MissionDraft)
            .join(Search, col(Search.id) == MissionDraft.search_id)
            .where(
                MissionDraft.channel_id == channel_id,
                MissionDraft.message_ts == message_ts,
                Search.team_id == team_id,
            )
            .with_for_update(of=MissionDraft)
        ).first()
        if draft is None or draft.status == "withdrawn" or draft.id is None:
            return None
        if not counts_as_feedback(
            emoji=emoji, reactor=user_id, author=draft.author_id, bot_user=bot_user
        ):
            return None
        # A reaction lands on the message, which shows the current version.
        version = require_row(
            get_version(session, draft_id=draft.id, number=draft.current_version),
            f"version {draft.current_version} of draft {draft.id}",
        )
        version_id = require_id(version)
        key = (version_id, user_id, emoji)
        # Lock the row (PostgreSQL): two events for one reaction applied side by side must
        # not both compare against the same old event_ts and let the older one win.
        state = session.get(ReactionFeedback, key, with_for_update=True)
        if state is None:
            try:
                # Two events for the same reaction may race to create its row.
                with session.begin_nested():
                    session.add(
                        ReactionFeedback(
                            version_id=version_id,
                            user_id=user_id,
                            emoji=emoji,
                            present=added,
                            event_ts=event_ts,
                        )
                    )
                return _snapshot(session, draft, bot_user=bot_user)
            except IntegrityError:
                # The other event's row, committed: it made our insert fail.
                state = require_row(
                    session.get(
                        ReactionFeedback, key, populate_existing=True, with_for_update=True
                    ),
                    f"reaction row {key}",
                )
        if _ts_key(event_ts) <= _ts_key(state.event_ts):
            return None  # a redelivery, or older than what is stored
        if state.present == added:
            state.event_ts = event_ts
            return None
        state.present, state.event_ts = added, event_ts
        session.flush()
        return _snapshot(session, draft, bot_user=bot_user)


def _delete_version(session: Session, version: MissionVersion) -> None:
    from storage.missions import KeyResult
    from storage.missions import Objective as ObjectiveRow

    objectives = session.exec(
        select(ObjectiveRow).where(ObjectiveRow.version_id == version.id)
    ).all()
    for objective in objectives:
        for kr in session.exec(select(KeyResult).where(KeyResult.objective_id == objective.id)):
            session.delete(kr)
        session.flush()
        session.delete(objective)
    session.flush()
    session.delete(version)


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds or 0), int(fraction or 0)


def _own_live_draft(
    session: Session, *, draft_id: int, team_id: str, user_id: str, lock: bool = False
) -> MissionDraft:
    # Another workspace's draft is answered as a gone one: the id says nothing there.
    draft = draft_in_team(session, draft_id=draft_id, team_id=team_id, lock=lock)
    if draft is None or draft.status == "withdrawn":
        raise NotAllowed("That draft has been withdrawn.")
    if draft.author_id != user_id:
        raise NotAllowed("Only the draft's author can do that.")
    return draft


def _store_version(
    session: Session, *, draft: MissionDraft, number: int, mission: MissionInput
) -> MissionVersion:
    return add_version(
        session,
        draft=draft,
        number=number,
        role=mission.role,
        stage=mission.stage,
        mission=mission.mission,
        objectives=[(o.text, list(o.key_results)) for o in mission.objectives],
    )


def _mission_of(session: Session, search: Search, version: MissionVersion) -> MissionInput:
    objectives = load_objectives(session, version_id=require_id(version))
    return MissionInput(
        company=search.company,
        role=version.role,
        stage=version.stage,
        mission=version.mission,
        objectives=tuple(Objective(text=t, key_results=tuple(krs)) for t, krs in objectives),
    )


def _snapshot(session: Session, draft: MissionDraft, *, bot_user: str | None) -> DraftSnapshot:
    draft_id = require_id(draft)
    search = require_row(session.get(Search, draft.search_id), f"search of draft {draft_id}")
    version = require_row(
        get_version(session, draft_id=draft_id, number=draft.current_version),
        f"version {draft.current_version} of draft {draft_id}",
    )
    present = session.exec(
        select(ReactionFeedback).where(
            ReactionFeedback.version_id == version.id, col(ReactionFeedback.present)
        )
    ).all()
    return DraftSnapshot(
        draft_id=draft_id,
        author_id=draft.author_id,
        channel_id=draft.channel_id,
        message_ts=draft.message_ts,
        status=draft.status,
        version=draft.current_version,
        mission=_mission_of(session, search, version),
        tally=tally(
            ((r.user_id, r.emoji) for r in present), author=draft.author_id, bot_user=bot_user
        ),
        share_suggested=draft.share_suggested_at is not None,
    )


# --- "walk the hiring manager through it live" ------------------------------------------------

SHARE_LIVE_KIND = "mission.share_live"
# A draft's message Slack refused to update (its tally, an edit): rendered again later.
RERENDER_KIND = "mission.rerender"
RERENDER_AFTER = timedelta(minutes=1)


def team_of_draft(engine: Engine, *, draft_id: int) -> str | None:
    """The workspace a draft belongs to (its search's), for work the bot started itself
    with an id it found itself (never one from a payload); None when it is gone."""
    with session_scope(engine) as session:
        draft = session.get(MissionDraft, draft_id)
        search = None if draft is None else session.get(Search, draft.search_id)
        return None if search is None else search.team_id


def plan_rerender(engine: Engine, *, draft_id: int, team_id: str, now: datetime) -> None:
    """Render the draft's message again soon, through the reminder engine (which retries a
    refusal with backoff), so a failed update never leaves a stale tally on screen. One
    pending re-render per draft is enough: each renders the current state."""
    with session_scope(engine) as session:
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        if draft is None:
            return
        subject = f"draft:{draft_id}:render"
        cancel_subject(session, subject=subject, kinds=[RERENDER_KIND])
        schedule(
            session,
            kind=RERENDER_KIND,
            team_id=team_id,
            user_id=draft.author_id,
            due_at=now + RERENDER_AFTER,
            payload={"draft": draft_id},
            subject=subject,
        )


# The suggestion comes after the interview that makes two, once the debrief prompt is out.
SHARE_LIVE_AFTER_START = timedelta(hours=3)


def plan_share_live(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    search_id: int,
    interviews_logged: int,
    interview_starts_at: datetime,
    tz: str,
) -> bool:
    """Schedule the private suggestion once the member has logged two interviews with a
    company whose draft is live; True when a reminder was scheduled."""
    if not share_live_suggestion(interviews_logged):
        return False
    with session_scope(engine) as session:
        draft = session.exec(
            select(MissionDraft)
            .where(
                MissionDraft.search_id == search_id,
                MissionDraft.author_id == user_id,
                MissionDraft.status == "posted",
                col(MissionDraft.share_suggested_at).is_(None),
            )
            .order_by(col(MissionDraft.id).desc())
        ).first()
        if draft is None or draft.id is None:
            return False
        due = out_of_quiet_hours(interview_starts_at + SHARE_LIVE_AFTER_START, tz)
        schedule(
            session,
            kind=SHARE_LIVE_KIND,
            team_id=team_id,
            user_id=user_id,
            due_at=due,
            payload={"draft": draft.id, "search": search_id},
            subject=f"draft:{draft.id}",
            # One per draft and interview: a cancelled interview's suggestion turns moot,
            # the next interview's may still come; `share_suggested_at` keeps it to one.
            dedupe_key=f"draft:{draft.id}:share_live:{interview_starts_at.isoformat()}",
        )
        return True


def share_live_target(engine: Engine, *, draft_id: int, team_id: str) -> DraftSnapshot | None:
    """The draft to suggest sharing live; None when that is moot (suggested before,
    shared already, withdrawn) or the draft is not `team_id`'s."""
    with session_scope(engine) as session:
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        if draft is None or draft.status != "posted" or draft.share_suggested_at is not None:
            return None
        return _snapshot(session, draft, bot_user=None)


def note_share_suggested(engine: Engine, *, draft_id: int, team_id: str, now: datetime) -> None:
    with session_scope(engine) as session:
        draft = draft_in_team(session, draft_id=draft_id, team_id=team_id)
        if draft is not None:
            draft.share_suggested_at = now


def mark_shared(
    engine: Engine, *, draft_id: int, team_id: str, user_id: str, now: datetime
) -> DraftSnapshot:
    """The author walked the hiring manager through it: status "shared"."""
    with session_scope(engine) as session:
        draft = _own_live_draft(session, draft_id=draft_id, team_id=team_id, user_id=user_id)
        draft.status = "shared"
        draft.updated_at = now
        session.flush()
        return _snapshot(session, draft, bot_user=None)
