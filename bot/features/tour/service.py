"""Use cases of the Listening Tour: the log, progress, the thanks reminder, shared takeaways.

No Slack here: handlers call these with plain values and render what comes back. Every use
case given a conversation id (a button's value, a modal's metadata, a reminder's payload)
takes the requesting workspace's `team_id` and finds only that workspace's rows
(`storage.tour.conversation_in_team`), and, for a member's request, only their own: another
workspace's id or another member's is answered exactly as a gone one. A logged conversation
and its thanks reminder are stored in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.features.errors import NotAllowed
from bot.features.tour.rules import (
    RECENT_MAX,
    REMINDER_MONTHLY,
    REMINDER_THANKS,
    TARGET,
    Conversation,
    ConversationInput,
    MonthlyNote,
    Progress,
    conversation_subject,
    monthly_dedupe_key,
    monthly_due,
    monthly_subject,
    snoozed_until,
    thanks_dedupe_key,
    thanks_time,
)
from bot.reminders import engine as reminders
from storage import fit as fit_store
from storage import reminders as reminder_store
from storage import tour as store
from storage.councils import get_council
from storage.db import session_scope
from storage.scoping import council_in_team
from storage.tour import TourConversation
from storage.types import require_id

NOT_YOURS = "That conversation isn't in your Listening Tour (it may have been removed)."


@dataclass(frozen=True, slots=True)
class Overview:
    """What `/tour` shows: progress and the latest conversations."""

    progress: Progress
    recent: tuple[Conversation, ...]


@dataclass(frozen=True, slots=True)
class CouncilOption:
    council_id: int
    channel_id: str
    name: str


def conversation_of(row: TourConversation) -> Conversation:
    return Conversation(
        id=require_id(row),
        team_id=row.team_id,
        user_id=row.user_id,
        name=row.person_name,
        kind=row.kind,
        held_on=row.held_on,
        heard=row.heard,
        takeaway=row.takeaway,
        thanks=row.thanks,
    )


def _progress(session: Session, *, team_id: str, user_id: str) -> Progress:
    counts = store.counts_by_kind(session, team_id=team_id, user_id=user_id)
    return Progress(counts=counts, target=target_in(session, team_id=team_id, user_id=user_id))


def target_in(session: Session, *, team_id: str, user_id: str) -> int:
    """The member's own target, or the method's default."""
    settings = store.settings_of(session, team_id=team_id, user_id=user_id)
    return settings.target if settings and settings.target else TARGET


def overview(engine: Engine, *, team_id: str, user_id: str, limit: int = RECENT_MAX) -> Overview:
    with session_scope(engine) as session:
        recent = store.recent_conversations(session, team_id=team_id, user_id=user_id, limit=limit)
        return Overview(
            progress=_progress(session, team_id=team_id, user_id=user_id),
            recent=tuple(conversation_of(r) for r in recent),
        )


def progress_count(session: Session, *, team_id: str, user_id: str) -> int:
    """How many conversations the member logged (the Home reads it in its own session)."""
    return store.count_conversations(session, team_id=team_id, user_id=user_id)


def set_target(
    engine: Engine, *, team_id: str, user_id: str, target: int, now: datetime
) -> Progress:
    """The member's own target (checked by rules.parse_target); their progress toward it."""
    with session_scope(engine) as session:
        settings = store.settings_for_update(session, team_id=team_id, user_id=user_id, now=now)
        settings.target = target
        settings.updated_at = now
        session.add(settings)
        session.flush()
        return _progress(session, team_id=team_id, user_id=user_id)


# --- the monthly update prompt -----------------------------------------------------------------


def _plan_monthly(
    session: Session, *, team_id: str, user_id: str, tz: str | None, after: datetime
) -> None:
    """The member's next monthly prompt, unless one is already to come."""
    subject = monthly_subject(team_id, user_id)
    if reminder_store.has_pending(session, subject=subject, kinds=[REMINDER_MONTHLY]):
        return
    _schedule_monthly(
        session, team_id=team_id, user_id=user_id, tz=tz, due=monthly_due(after, tz=tz)
    )


def _schedule_monthly(
    session: Session, *, team_id: str, user_id: str, tz: str | None, due: datetime
) -> None:
    """One monthly prompt at `due` (planned twice, still one)."""
    reminders.schedule(
        session,
        kind=REMINDER_MONTHLY,
        team_id=team_id,
        user_id=user_id,
        due_at=due,
        payload={"tz": tz},
        subject=monthly_subject(team_id, user_id),
        dedupe_key=monthly_dedupe_key(team_id, user_id, due),
    )


def _monthly_on(session: Session, *, team_id: str, user_id: str) -> bool:
    settings = store.settings_of(session, team_id=team_id, user_id=user_id)
    return settings is None or settings.monthly


def _note(session: Session, *, team_id: str, user_id: str) -> MonthlyNote:
    statement = fit_store.latest_statement(session, team_id=team_id, user_id=user_id)
    return MonthlyNote(
        progress=_progress(session, team_id=team_id, user_id=user_id),
        cmf=statement.sentence if statement else "",
        on=_monthly_on(session, team_id=team_id, user_id=user_id),
    )


def monthly_note(engine: Engine, *, team_id: str, user_id: str) -> MonthlyNote:
    """The draft update as it stands now (`/tour update`)."""
    with session_scope(engine) as session:
        return _note(session, team_id=team_id, user_id=user_id)


def monthly_prompt(
    engine: Engine, *, team_id: str, user_id: str, tz: str | None, now: datetime
) -> MonthlyNote | None:
    """A monthly prompt is due: the note to send, with the next month's planned in the
    same transaction; None when the member turned the prompt off meanwhile."""
    with session_scope(engine) as session:
        if not _monthly_on(session, team_id=team_id, user_id=user_id):
            return None
        _plan_monthly(session, team_id=team_id, user_id=user_id, tz=tz, after=now)
        return _note(session, team_id=team_id, user_id=user_id)


def set_monthly(
    engine: Engine, *, team_id: str, user_id: str, on: bool, tz: str | None, now: datetime
) -> tuple[datetime | None, MonthlyNote]:
    """Turn the monthly prompt on (the next one planned a month from now) or off (every
    prompt to come cancelled): when the next one comes (None when off), and the note as it
    stands, in one unit of work."""
    with session_scope(engine) as session:
        settings = store.settings_for_update(session, team_id=team_id, user_id=user_id, now=now)
        settings.monthly = on
        settings.updated_at = now
        session.add(settings)
        session.flush()
        subject = monthly_subject(team_id, user_id)
        upcoming: datetime | None = None
        if not on:
            reminders.cancel_subject(session, subject=subject, kinds=[REMINDER_MONTHLY])
        else:
            _plan_monthly(session, team_id=team_id, user_id=user_id, tz=tz, after=now)
            planned = [
                r.due_at
                for r in reminder_store.pending_for_user(session, team_id=team_id, user_id=user_id)
                if r.kind == REMINDER_MONTHLY
            ]
            upcoming = planned[0] if planned else None
        return upcoming, _note(session, team_id=team_id, user_id=user_id)


def snooze_monthly(
    engine: Engine, *, team_id: str, user_id: str, tz: str | None, now: datetime
) -> tuple[datetime | None, MonthlyNote]:
    """This month's prompt again in a week (next month's stays planned): its time (None
    when the prompt is off), and the note as it stands, in one unit of work."""
    due = snoozed_until(now, tz=tz)
    with session_scope(engine) as session:
        snoozed: datetime | None = None
        if _monthly_on(session, team_id=team_id, user_id=user_id):
            _schedule_monthly(session, team_id=team_id, user_id=user_id, tz=tz, due=due)
            snoozed = due
        return snoozed, _note(session, team_id=team_id, user_id=user_id)


def log_conversation(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    data: ConversationInput,
    tz: str | None,
    now: datetime,
) -> Conversation:
    """Store the conversation and, if asked, its thanks reminder, in one transaction."""
    with session_scope(engine) as session:
        row = store.add_conversation(
            session,
            team_id=team_id,
            user_id=user_id,
            person_name=data.name,
            kind=data.kind,
            held_on=data.held_on,
            heard=data.heard,
            takeaway=data.takeaway,
            thanks=data.thanks,
            now=now,
        )
        conversation = conversation_of(row)
        if data.thanks:
            _plan_thanks(
                session,
                conversation_id=conversation.id,
                team_id=team_id,
                user_id=user_id,
                tz=tz,
                now=now,
            )
        # The tour has begun: the monthly update prompt starts a month from now (once).
        if _monthly_on(session, team_id=team_id, user_id=user_id):
            _plan_monthly(session, team_id=team_id, user_id=user_id, tz=tz, after=now)
        return conversation


def edit_conversation(
    engine: Engine,
    *,
    conversation_id: int,
    team_id: str,
    user_id: str,
    data: ConversationInput,
    tz: str | None,
    now: datetime,
) -> Conversation:
    """Change the member's own conversation (NotAllowed for anyone else's, or one gone), in
    one transaction with its thanks reminder: asked for now, it is planned (once); no
    longer asked for, a pending one is cancelled. A takeaway shared before is a copy in the
    council's channel and is not touched."""
    with session_scope(engine) as session:
        row = store.conversation_in_team(session, conversation_id=conversation_id, team_id=team_id)
        if row is None or row.user_id != user_id:
            raise NotAllowed(NOT_YOURS)
        row.person_name = data.name
        row.kind = data.kind
        row.held_on = data.held_on
        row.heard = data.heard
        row.takeaway = data.takeaway
        row.thanks = data.thanks
        row.updated_at = now
        session.add(row)
        session.flush()
        if data.thanks:
            _plan_thanks(
                session,
                conversation_id=conversation_id,
                team_id=team_id,
                user_id=user_id,
                tz=tz,
                now=now,
            )
        else:
            reminders.cancel_subject(
                session, subject=conversation_subject(conversation_id), kinds=[REMINDER_THANKS]
            )
        return conversation_of(row)


def _plan_thanks(
    session: Session,
    *,
    conversation_id: int,
    team_id: str,
    user_id: str,
    tz: str | None,
    now: datetime,
) -> None:
    """The conversation's thanks reminder, a day on in the member's zone (one, ever: a
    cancelled one is revived)."""
    reminders.schedule(
        session,
        kind=REMINDER_THANKS,
        team_id=team_id,
        user_id=user_id,
        due_at=max(thanks_time(now, tz=tz), now),
        payload={"conversation": conversation_id},
        subject=conversation_subject(conversation_id),
        dedupe_key=thanks_dedupe_key(conversation_id),
    )


def own_conversation(
    engine: Engine, *, conversation_id: int, team_id: str, user_id: str
) -> Conversation:
    """The member's own conversation in `team_id`; NotAllowed otherwise (gone, another
    member's, another workspace's: one answer for all)."""
    with session_scope(engine) as session:
        row = store.conversation_in_team(session, conversation_id=conversation_id, team_id=team_id)
        if row is None or row.user_id != user_id:
            raise NotAllowed(NOT_YOURS)
        return conversation_of(row)


def thanks_target(engine: Engine, *, conversation_id: int, team_id: str) -> Conversation | None:
    """The conversation a thanks reminder of `team_id` is about; None when it is gone or
    another workspace's."""
    with session_scope(engine) as session:
        row = store.conversation_in_team(session, conversation_id=conversation_id, team_id=team_id)
        return None if row is None else conversation_of(row)


def council_options(engine: Engine, *, team_id: str, channel_ids: list[str]) -> list[CouncilOption]:
    """The workspace's councils in `channel_ids` (those the member shares with the bot,
    found by the handler), in that order."""
    with session_scope(engine) as session:
        found: list[CouncilOption] = []
        for channel_id in channel_ids:
            council = get_council(session, team_id=team_id, channel_id=channel_id)
            if council is not None:
                found.append(CouncilOption(require_id(council), council.channel_id, council.name))
        return found


def council_option(engine: Engine, *, council_id: int, team_id: str) -> CouncilOption | None:
    """A council from a form's choice, only if it is `team_id`'s."""
    with session_scope(engine) as session:
        council = council_in_team(session, council_id=council_id, team_id=team_id)
        if council is None:
            return None
        return CouncilOption(require_id(council), council.channel_id, council.name)


def record_share(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    conversation_id: int,
    channel_id: str,
    message_ts: str,
    now: datetime,
) -> None:
    """Remember where a takeaway was posted (an erase of the member's data deletes it)."""
    with session_scope(engine) as session:
        store.add_share(
            session,
            team_id=team_id,
            user_id=user_id,
            conversation_id=conversation_id,
            channel_id=channel_id,
            message_ts=message_ts,
            now=now,
        )
