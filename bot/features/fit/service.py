"""Use cases of `/fit`: save versions, post them, suggest additions, count the sign-off.

No Slack here: handlers call these with plain values and render what comes back. Every use
case given an id from a payload (a button's value, a reaction's message) takes the
requesting workspace's `team_id` and loads through storage/scoping.py, so another
workspace's id is answered exactly as a gone one; only the author may change their own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.features.errors import NotAllowed
from bot.features.fit.rules import (
    ACCEPTED,
    DECLINED,
    HISTORY_MAX,
    LIST_LABELS,
    PENDING,
    SignOff,
    Statement,
    StatementInput,
    Suggestion,
    TwoPager,
    TwoPagerInput,
)
from storage import fit as store
from storage.db import session_scope
from storage.fit import FitStatement, FitSuggestion, FitTwoPager, load_items
from storage.scoping import statement_in_team, suggestion_in_team, two_pager_in_team
from storage.types import require_id

GONE = "I can't find that Two-Pager or statement any more (it may have been erased)."
NOT_YOURS_TWO_PAGER = "Only its author can edit that Two-Pager. You can suggest an addition."
NOT_YOURS_STATEMENT = "Only its author can edit that Candidate-Market Fit statement."
NOT_YOURS_SUGGESTION = "That suggestion is for someone else's Two-Pager."
OWN_TWO_PAGER = "It's your own Two-Pager: use *Edit* to change it."
ALREADY_DECIDED = "You already answered that suggestion."
NOTHING_TO_POST = "There is nothing to post yet: save it first."


@dataclass(frozen=True, slots=True)
class Current:
    """What `/fit` and the Home show: the latest version of each, and suggestions waiting."""

    two_pager: TwoPager | None
    statement: Statement | None
    pending: int = 0


@dataclass(frozen=True, slots=True)
class History:
    two_pagers: tuple[TwoPager, ...]
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """A suggestion answered: it, and the new version when it was accepted."""

    suggestion: Suggestion
    two_pager: TwoPager | None


def two_pager_of(row: FitTwoPager) -> TwoPager:
    return TwoPager(
        id=require_id(row),
        team_id=row.team_id,
        user_id=row.user_id,
        number=row.number,
        wants=load_items(row.wants),
        dont_wants=load_items(row.dont_wants),
        created_at=row.created_at,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
    )


def statement_of(row: FitStatement) -> Statement:
    return Statement(
        id=require_id(row),
        team_id=row.team_id,
        user_id=row.user_id,
        number=row.number,
        attributes={
            "stage": row.stage,
            "industry": row.industry,
            "role": row.role,
            "culture": row.culture,
        },
        sentence=row.sentence,
        created_at=row.created_at,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
        signoff=SignOff(row.signed, row.signers_of) if row.message_ts else None,
    )


def suggestion_of(row: FitSuggestion) -> Suggestion:
    return Suggestion(
        id=require_id(row),
        team_id=row.team_id,
        owner_id=row.owner_id,
        user_id=row.user_id,
        two_pager_id=row.two_pager_id,
        list_key=row.list_key,
        item=row.item,
        status=row.status,
    )


# --- reading ------------------------------------------------------------------------------------


def current_in(session: Session, *, team_id: str, user_id: str) -> Current:
    two_pager = store.latest_two_pager(session, team_id=team_id, user_id=user_id)
    statement = store.latest_statement(session, team_id=team_id, user_id=user_id)
    return Current(
        two_pager=None if two_pager is None else two_pager_of(two_pager),
        statement=None if statement is None else statement_of(statement),
        pending=store.pending_count(session, team_id=team_id, owner_id=user_id),
    )


def current(engine: Engine, *, team_id: str, user_id: str) -> Current:
    with session_scope(engine) as session:
        return current_in(session, team_id=team_id, user_id=user_id)


def history(engine: Engine, *, team_id: str, user_id: str, limit: int = HISTORY_MAX) -> History:
    with session_scope(engine) as session:
        return History(
            two_pagers=tuple(
                two_pager_of(r)
                for r in store.two_pagers_of(session, team_id=team_id, user_id=user_id, limit=limit)
            ),
            statements=tuple(
                statement_of(r)
                for r in store.statements_of(session, team_id=team_id, user_id=user_id, limit=limit)
            ),
        )


def posted_two_pager(engine: Engine, *, two_pager_id: int, team_id: str) -> TwoPager:
    """A Two-Pager version of `team_id` (a button on its message names it); NotAllowed when
    it is gone or another workspace's."""
    with session_scope(engine) as session:
        row = two_pager_in_team(session, two_pager_id=two_pager_id, team_id=team_id)
        if row is None:
            raise NotAllowed(GONE)
        return two_pager_of(row)


def own_two_pager(engine: Engine, *, two_pager_id: int, team_id: str, user_id: str) -> TwoPager:
    """The member's latest Two-Pager, given one of theirs (an Edit button's value)."""
    found = posted_two_pager(engine, two_pager_id=two_pager_id, team_id=team_id)
    if found.user_id != user_id:
        raise NotAllowed(NOT_YOURS_TWO_PAGER)
    return current(engine, team_id=team_id, user_id=user_id).two_pager or found


def own_statement(engine: Engine, *, statement_id: int, team_id: str, user_id: str) -> Statement:
    """The member's latest statement, given one of theirs (an Edit button's value)."""
    with session_scope(engine) as session:
        row = statement_in_team(session, statement_id=statement_id, team_id=team_id)
        if row is None:
            raise NotAllowed(GONE)
        if row.user_id != user_id:
            raise NotAllowed(NOT_YOURS_STATEMENT)
        latest = store.latest_statement(session, team_id=team_id, user_id=user_id)
        return statement_of(latest or row)


# --- saving -------------------------------------------------------------------------------------


def save_two_pager(
    engine: Engine, *, team_id: str, user_id: str, data: TwoPagerInput, now: datetime
) -> TwoPager:
    """A new version; the earlier ones stay."""
    with session_scope(engine) as session:
        row = store.add_two_pager(
            session,
            team_id=team_id,
            user_id=user_id,
            wants=data.wants,
            dont_wants=data.dont_wants,
            now=now,
        )
        return two_pager_of(row)


def save_statement(
    engine: Engine, *, team_id: str, user_id: str, data: StatementInput, now: datetime
) -> Statement:
    """A new version; the earlier ones stay (a posted one keeps its sign-off)."""
    with session_scope(engine) as session:
        row = store.add_statement(
            session,
            team_id=team_id,
            user_id=user_id,
            attributes=dict(data.attributes),
            sentence=data.sentence,
            now=now,
        )
        return statement_of(row)


def record_two_pager_post(
    engine: Engine, *, two_pager_id: int, team_id: str, channel_id: str, message_ts: str
) -> None:
    with session_scope(engine) as session:
        row = two_pager_in_team(session, two_pager_id=two_pager_id, team_id=team_id)
        if row is not None:
            row.channel_id, row.message_ts = channel_id, message_ts
            session.add(row)


def record_statement_post(
    engine: Engine,
    *,
    statement_id: int,
    team_id: str,
    channel_id: str,
    message_ts: str,
    signoff: SignOff,
) -> Statement | None:
    with session_scope(engine) as session:
        row = statement_in_team(session, statement_id=statement_id, team_id=team_id)
        if row is None:
            return None
        row.channel_id, row.message_ts = channel_id, message_ts
        row.signed, row.signers_of = signoff.signed, signoff.of
        session.add(row)
        session.flush()
        return statement_of(row)


# --- suggestions --------------------------------------------------------------------------------


def suggest(
    engine: Engine,
    *,
    two_pager_id: int,
    team_id: str,
    user_id: str,
    list_key: str,
    item: str,
    now: datetime,
) -> Suggestion:
    """A council member's suggestion for someone else's Two-Pager, pending the author."""
    if list_key not in LIST_LABELS:
        raise NotAllowed("Please pick which list it belongs on.")
    with session_scope(engine) as session:
        row = two_pager_in_team(session, two_pager_id=two_pager_id, team_id=team_id)
        if row is None:
            raise NotAllowed(GONE)
        if row.user_id == user_id:
            raise NotAllowed(OWN_TWO_PAGER)
        suggestion = store.add_suggestion(
            session,
            team_id=team_id,
            two_pager=row,
            user_id=user_id,
            list_key=list_key,
            item=item,
            now=now,
        )
        return suggestion_of(suggestion)


def record_suggestion_dm(
    engine: Engine, *, suggestion_id: int, team_id: str, channel_id: str, message_ts: str
) -> None:
    """Where the author was asked (an erase deletes that DM with the suggestion)."""
    with session_scope(engine) as session:
        row = suggestion_in_team(session, suggestion_id=suggestion_id, team_id=team_id)
        if row is not None:
            row.dm_channel, row.dm_ts = channel_id, message_ts
            session.add(row)


def decide(
    engine: Engine, *, suggestion_id: int, team_id: str, user_id: str, accept: bool, now: datetime
) -> Decision:
    """The author accepts (a new version of their latest Two-Pager with the item, shown
    where the suggestion came from) or declines. Once only; only the author."""
    with session_scope(engine) as session:
        row = suggestion_in_team(session, suggestion_id=suggestion_id, team_id=team_id)
        if row is None:
            raise NotAllowed(GONE)
        if row.owner_id != user_id:
            raise NotAllowed(NOT_YOURS_SUGGESTION)
        status = ACCEPTED if accept else DECLINED
        if row.status != PENDING or not store.claim_decision(
            session, suggestion_id=require_id(row), team_id=team_id, status=status, now=now
        ):
            raise NotAllowed(ALREADY_DECIDED)
        session.refresh(row)
        new: TwoPager | None = None
        if accept:
            latest = store.latest_two_pager(session, team_id=team_id, user_id=user_id)
            source = two_pager_in_team(session, two_pager_id=row.two_pager_id, team_id=team_id)
            if latest is not None:
                lists = two_pager_of(latest).with_item(row.list_key, row.item)
                # The new version replaces the message the suggestion was made on.
                posted = source if source is not None and source.message_ts else latest
                new = two_pager_of(
                    store.add_two_pager(
                        session,
                        team_id=team_id,
                        user_id=user_id,
                        wants=lists.wants,
                        dont_wants=lists.dont_wants,
                        now=now,
                        channel_id=posted.channel_id,
                        message_ts=posted.message_ts,
                    )
                )
        session.flush()
        return Decision(suggestion=suggestion_of(row), two_pager=new)


# --- the council's sign-off ---------------------------------------------------------------------


def statement_at(
    engine: Engine, *, team_id: str, channel_id: str, message_ts: str
) -> Statement | None:
    """The statement posted as this message of `team_id` (a reaction names the message)."""
    with session_scope(engine) as session:
        row = store.statement_at(
            session, team_id=team_id, channel_id=channel_id, message_ts=message_ts
        )
        return None if row is None else statement_of(row)


def record_signoff(
    engine: Engine, *, statement_id: int, team_id: str, signoff: SignOff
) -> Statement | None:
    with session_scope(engine) as session:
        row = statement_in_team(session, statement_id=statement_id, team_id=team_id)
        if row is None:
            return None
        row.signed, row.signers_of = signoff.signed, signoff.of
        session.add(row)
        session.flush()
        return statement_of(row)


_render_locks: dict[int, threading.Lock] = {}
_render_guard = threading.Lock()


@contextmanager
def counting(statement_id: int) -> Iterator[None]:
    """One count and re-render of a statement at a time (in this process): two reactions at
    once must not leave the older count on screen."""
    with _render_guard:
        lock = _render_locks.setdefault(statement_id, threading.Lock())
    with lock:
        yield
