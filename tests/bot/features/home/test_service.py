"""The App Home use case over a real database: a fixed number of queries, whatever a
member's history holds, and the same items each feature's own use cases would show."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from bot.features.backchannel import service as backchannel
from bot.features.backchannel.rules import AnswerInput, PersonInput, StartInput
from bot.features.debriefs import service as debriefs
from bot.features.debriefs.rules import DebriefInput, EventInput
from bot.features.feedback_requests import service as feedback_requests
from bot.features.home.service import Caps, Dashboard, dashboard
from bot.features.home.views import HOME_CAPS
from bot.features.missions import service as missions
from bot.features.missions.rules import MissionInput, Objective, OwedFeedback
from bot.features.negotiation import service as negotiation
from bot.features.negotiation.rules import ASKED, COMMITTED, DECLINED, LegInput, PickInput
from bot.features.negotiation.rules import Compensation as CompensationData
from bot.features.searches.rules import company_key
from storage.councils import upsert_council
from storage.db import session_scope
from storage.feedback_requests import responders
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    MissionDraft,
    add_written_feedback,
    get_version,
)
from storage.searches import Search
from storage.types import require_id, require_row

TEAM, CHANNEL = "T1", "C1"
ME, LENA, ARJUN, MAYA = "UME000001", "ULENA0002", "UARJUN003", "UMAYA0004"
# The most SQL statements a Home build may run: one query per section, one more for what
# the shown items need (tallies and interviews, legs, people), one for the drafts the member
# answered anonymously (whose writer only Python can decrypt), the Listening Tour count and
# the member's own target, the reviews asked of them, and SQLite's BEGIN.
MAX_STATEMENTS = 15
# Message timestamps, unique across seeds (a reaction finds its draft by channel and ts).
_TS = itertools.count()


def mission(company: str, number: int) -> MissionInput:
    return MissionInput(
        company=company,
        role=f"Role {number}",
        stage="interviewing",
        mission="Make robots easy to deploy.",
        objectives=(
            Objective("Cut deployment time", ("5 days, down from 30", "Two sites a month")),
            Objective("Make releases boring", ("Zero rollbacks in a quarter",)),
        ),
    )


class Ticks:
    """Times in the past, each later than the one before: the order things happened in."""

    def __init__(self, now: datetime) -> None:
        self._next = now - timedelta(days=3)

    def __call__(self) -> datetime:
        self._next += timedelta(seconds=1)
        return self._next


@dataclass
class History:
    now: datetime
    my_drafts: list[int]


def seed(engine: Engine, n: int, now: datetime) -> History:
    """`n` of everything for ME, with every case each section must tell apart: revised,
    withdrawn and shared drafts; feedback owed, already given (by a reaction, in writing,
    anonymously), past its deadline, on a withdrawn draft; events ahead, waiting for a
    debrief, debriefed, cancelled; plans with and without a red flag or numbers; open and
    closed checklists with people at every stage. The other members have their own."""
    tick = Ticks(now)
    with session_scope(engine) as session:
        council_id = require_id(
            upsert_council(session, team_id=TEAM, channel_id=CHANNEL, name="council")
        )
    companies = [f"Company {c}" for c in range(max(1, n // 2))]

    def draft(author: str, company: str, number: int) -> int:
        draft_id = missions.create_draft(
            engine,
            team_id=TEAM,
            council_id=council_id,
            channel_id=CHANNEL,
            author_id=author,
            mission=mission(company, number),
        )
        missions.attach_message(
            engine, team_id=TEAM, draft_id=draft_id, message_ts=f"100.{next(_TS):06d}"
        )
        return draft_id

    def react(draft_id: int, user: str, emoji: str) -> None:
        snap = require_row(
            missions.snapshot(engine, team_id=TEAM, draft_id=draft_id, bot_user=None), "draft"
        )
        missions.record_reaction(
            engine,
            team_id=TEAM,
            event_id=None,
            channel_id=CHANNEL,
            message_ts=snap.message_ts or "",
            user_id=user,
            emoji=emoji,
            added=True,
            event_ts="200.000001",
            bot_user=None,
        )

    # My drafts, with the council's reactions; some revised, shared or withdrawn.
    my_drafts: list[int] = []
    for i in range(n):
        company = companies[i % len(companies)]
        draft_id = draft(ME, company, i)
        my_drafts.append(draft_id)
        react(draft_id, LENA, "+1")
        if i % 2:
            react(draft_id, ARJUN, "bulb")
        if i % 3 == 2:
            missions.revise(
                engine,
                team_id=TEAM,
                draft_id=draft_id,
                editor_id=ME,
                mission=mission(company, i),
                now=tick(),
            )
            react(draft_id, MAYA, "question")
        if i % 5 == 4:
            missions.withdraw(engine, team_id=TEAM, draft_id=draft_id, user_id=ME, now=tick())
        if i % 7 == 6:
            missions.mark_shared(engine, team_id=TEAM, draft_id=draft_id, user_id=ME, now=tick())

    # Feedback the others asked of me (and of Maya), in every state.
    for i in range(n):
        theirs = draft(LENA if i % 2 else ARJUN, f"Their company {i}", i)
        author = LENA if i % 2 else ARJUN
        past_deadline = i % 12 == 5
        feedback_requests.create_request(
            engine,
            team_id=TEAM,
            draft_id=theirs,
            author_id=author,
            deadline=now + (timedelta(hours=-1 - i) if past_deadline else timedelta(hours=1 + i)),
            asked=[ME, MAYA],
            zones={},
            now=now - timedelta(days=2),
        )
        if i % 6 == 1:
            react(theirs, ME, "warning")
        if i % 6 == 3:
            with session_scope(engine) as session:
                version = require_row(get_version(session, draft_id=theirs, number=1), "v1")
                add_written_feedback(
                    session,
                    version_id=require_id(version),
                    user_id=ME,
                    anonymous=True,
                    strong="Clear.",
                    unclear="",
                    missing="",
                    suggested_key_result="",
                    created_at=tick(),
                )
        if i % 12 == 11:
            missions.withdraw(engine, team_id=TEAM, draft_id=theirs, user_id=author, now=tick())

    # My interviews: ahead, waiting for a debrief, debriefed, cancelled; and Lena's.
    for i in range(n):
        starts_at = now + timedelta(hours=2 + i) if i % 2 == 0 else now - timedelta(hours=1 + i)
        summary, _ = debriefs.create_event(
            engine,
            team_id=TEAM,
            user_id=ME,
            council_id=council_id,
            channel_id=CHANNEL,
            data=EventInput(
                search_id=None,
                company=companies[i % len(companies)],
                kind="interview",
                starts_at=starts_at,
                with_whom=f"Interviewer {i}",
                partners=(LENA,) if i % 3 == 0 else (),
                nudge_minutes=60,
            ),
            tz="UTC",
            now=starts_at - timedelta(days=2),
        )
        if i % 4 == 3:
            debriefs.save_debrief(
                engine,
                team_id=TEAM,
                event_id=summary.event_id,
                user_id=ME,
                answers=DebriefInput(4, "Went well.", "", "", "", "", "", True),
                now=starts_at + timedelta(hours=1),
            )
        if i % 8 == 6:
            debriefs.cancel_event(
                engine, team_id=TEAM, event_id=summary.event_id, user_id=ME, now=tick()
            )
        debriefs.add_gratitude(
            engine, team_id=TEAM, user_id=ME, name=f"Mentor {i}", note="", now=tick()
        )
    debriefs.create_event(
        engine,
        team_id=TEAM,
        user_id=LENA,
        council_id=council_id,
        channel_id=CHANNEL,
        data=EventInput(None, "Lena's company", "interview", now + timedelta(hours=3), "", (), 60),
        tz="UTC",
        now=now,
    )

    # A negotiation plan and a back-channel checklist per company of mine.
    for c, company in enumerate(companies):
        plan = negotiation.open_plan(
            engine,
            team_id=TEAM,
            user_id=ME,
            pick=PickInput(search_id=None, company=company),
            council_id=council_id,
            channel_id=CHANNEL,
            now=tick(),
        )
        objective_id = plan.objectives[0].id if plan.objectives else None
        statuses = [DECLINED, DECLINED] if c % 3 == 1 else [COMMITTED, ASKED] if c % 3 == 2 else []
        for leg, status in zip(("resources", "mentorship"), statuses, strict=False):
            negotiation.save_leg(
                engine,
                team_id=TEAM,
                plan_id=plan.plan_id,
                user_id=ME,
                leg=leg,
                data=LegInput(ask=f"Ask {c}", objective_id=objective_id, status=status),
                now=tick(),
            )
        if c % 2:
            negotiation.save_compensation(
                engine,
                team_id=TEAM,
                plan_id=plan.plan_id,
                user_id=ME,
                data=CompensationData(offer=100_000, target=120_000, currency="EUR"),
                now=tick(),
            )
        checklist, _ = backchannel.open_checklist(
            engine,
            team_id=TEAM,
            user_id=ME,
            data=StartInput(search_id=None, company=company, manager_name=f"Manager {c}"),
            council_id=council_id,
            now=tick(),
        )
        for p in range(1 + c % 3):
            person = backchannel.add_person(
                engine,
                checklist_id=checklist.id,
                team_id=TEAM,
                user_id=ME,
                data=PersonInput(
                    name=f"Person {c}.{p}", relation="ex-colleague", slack_user_id=None
                ),
                now=tick(),
            )
            if p:
                backchannel.record_answer(
                    engine,
                    person_id=person.id,
                    team_id=TEAM,
                    user_id=ME,
                    data=AnswerInput(status="answered", signal="mixed", notes="Private notes."),
                    tz="UTC",
                    now=tick(),
                )
        if c % 4 == 3:
            backchannel.close_checklist(
                engine, checklist_id=checklist.id, team_id=TEAM, user_id=ME, now=tick()
            )
    # Lena's own plan and checklist, which never show on my Home.
    negotiation.open_plan(
        engine,
        team_id=TEAM,
        user_id=LENA,
        pick=PickInput(search_id=None, company="Lena's company"),
        council_id=council_id,
        channel_id=CHANNEL,
        now=tick(),
    )
    backchannel.open_checklist(
        engine,
        team_id=TEAM,
        user_id=LENA,
        data=StartInput(search_id=None, company="Lena's company", manager_name=""),
        council_id=council_id,
        now=tick(),
    )
    return History(now=now, my_drafts=my_drafts)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    statements: list[str] = []
    lock = threading.Lock()

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        with lock:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def home(engine: Engine, history: History, caps: Caps = HOME_CAPS) -> Dashboard:
    return dashboard(engine, team_id=TEAM, user_id=ME, now=history.now, caps=caps)


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def test_home_runs_the_same_few_queries_for_a_short_and_a_long_history(
    engine: Engine, now: datetime
) -> None:
    few = seed(engine, 2, now)
    with counting(engine) as statements:
        board = home(engine, few)
    few_statements = list(statements)
    # Every section has something, so every query a Home can run ran.
    assert board.drafts.items and board.owed.items and board.events.items
    assert board.negotiations.items and board.checklists.items and board.gratitude_count

    # Twelve times the history on top of it: past every section's cap.
    many = seed(engine, 24, now)
    with counting(engine) as statements:
        board = home(engine, many)
    assert board.drafts.total > HOME_CAPS.drafts and board.owed.total > HOME_CAPS.owed
    assert board.events.total > HOME_CAPS.events
    assert board.negotiations.total > HOME_CAPS.plans
    assert board.checklists.total > HOME_CAPS.checklists

    assert len(statements) == len(few_statements) <= MAX_STATEMENTS, "\n".join(statements)


def _owed_by_reading_each_request(
    engine: Engine, *, team_id: str, user_id: str, now: datetime
) -> list[OwedFeedback]:
    """What the member owes, worked out the slow, obvious way (a query per request): the
    oracle for the Home's one-query section."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(FeedbackRequest, MissionDraft, Search)
            .join(FeedbackAsk, col(FeedbackAsk.request_id) == FeedbackRequest.id)
            .join(MissionDraft, col(MissionDraft.id) == FeedbackRequest.draft_id)
            .join(Search, col(Search.id) == MissionDraft.search_id)
            .where(
                FeedbackAsk.user_id == user_id,
                Search.team_id == team_id,
                FeedbackRequest.status == "open",
                MissionDraft.status != "withdrawn",
                col(FeedbackRequest.deadline) > now,
            )
            .order_by(col(FeedbackRequest.deadline))
        ).all()
        return [
            OwedFeedback(
                draft_id=draft.id or 0,
                author_id=draft.author_id,
                company=search.company,
                role=search.role,
                deadline=request.deadline,
                channel_id=draft.channel_id,
            )
            for request, draft, search in rows
            if user_id not in responders(session, draft_id=draft.id or 0)
        ]


def test_each_section_holds_what_the_features_own_use_cases_list_capped_with_the_total(
    engine: Engine, now: datetime
) -> None:
    history = seed(engine, 24, now)
    board = home(engine, history)
    mine = {"team_id": TEAM, "user_id": ME}

    owed = _owed_by_reading_each_request(engine, **mine, now=now)
    assert board.owed.items == tuple(owed[: HOME_CAPS.owed])
    assert board.owed.total == len(owed)

    events = debriefs.upcoming(engine, **mine, now=now)
    assert board.events.items == tuple(events[: HOME_CAPS.events])
    assert board.events.total == len(events)
    # Soonest first: those waiting for a debrief, then those ahead.
    assert board.events.items[0].started(now) and not board.events.items[0].debriefed
    assert any(not e.started(now) for e in events)

    plans = negotiation.plans(engine, **mine)
    assert board.negotiations.items == tuple(plans[: HOME_CAPS.plans])
    assert board.negotiations.total == len(plans)
    assert board.negotiations.items[0].red_flag  # red flags first

    checklists = backchannel.open_checklists(engine, **mine)
    assert board.checklists.items == tuple(checklists[: HOME_CAPS.checklists])
    assert board.checklists.total == len(checklists)

    assert board.gratitude_count == len(debriefs.gratitude(engine, **mine))


def test_drafts_are_the_live_ones_most_recently_changed_first_as_the_mission_use_cases_see_them(
    engine: Engine, now: datetime
) -> None:
    history = seed(engine, 24, now)
    oldest = history.my_drafts[0]
    # Editing the oldest draft makes it the most recent.
    missions.revise(
        engine,
        team_id=TEAM,
        draft_id=oldest,
        editor_id=ME,
        mission=mission("Company 0", 0),
        now=datetime.now(UTC) + timedelta(minutes=1),
    )
    board = home(engine, history)

    with Session(engine) as session:
        live = session.exec(
            select(MissionDraft)
            .where(MissionDraft.author_id == ME, MissionDraft.status != "withdrawn")
            .order_by(col(MissionDraft.updated_at).desc(), col(MissionDraft.id).desc())
        ).all()
    assert [d.draft_id for d in board.drafts.items] == [d.id for d in live][: HOME_CAPS.drafts]
    assert board.drafts.items[0].draft_id == oldest
    assert board.drafts.total == len(live)

    interviews = debriefs.interviews_per_company(engine, team_id=TEAM, user_id=ME, before=now)
    expected = {
        snap.draft_id: replace(
            missions.summary(snap),
            interviews_logged=interviews.get(company_key(snap.mission.company), 0),
        )
        for snap in missions.list_drafts(engine, team_id=TEAM, user_id=ME)
    }
    assert list(board.drafts.items) == [expected[d.draft_id] for d in board.drafts.items]
    assert any(d.tally.total for d in board.drafts.items)
    assert any(d.interviews_logged for d in board.drafts.items)


def test_caps_of_zero_show_nothing_and_still_count_everything(
    engine: Engine, now: datetime
) -> None:
    history = seed(engine, 6, now)
    full = home(engine, history)
    empty = home(engine, history, Caps(drafts=0, owed=0, events=0, checklists=0, plans=0))
    for shown, counted in (
        (empty.drafts, full.drafts),
        (empty.owed, full.owed),
        (empty.events, full.events),
        (empty.negotiations, full.negotiations),
        (empty.checklists, full.checklists),
    ):
        assert shown.items == () and shown.total == counted.total > 0
        assert shown.more == counted.total


def test_a_member_with_no_history_gets_empty_sections(engine: Engine, now: datetime) -> None:
    board = dashboard(engine, team_id=TEAM, user_id="UNEW00001", now=now, caps=HOME_CAPS)
    for shown in (board.drafts, board.owed, board.events, board.negotiations, board.checklists):
        assert shown.items == () and shown.total == 0 and shown.more == 0
    assert board.gratitude_count == 0
