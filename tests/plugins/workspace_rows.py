"""Rows in every table for one workspace, written straight through the storage layer.

For the purge tests: a second workspace the stand-in does not play, and (with
`table_counts`) proof that a purge took one workspace's rows and nothing else. When a
table is added, add a row of it here: `test_the_seed_fills_every_table` fails until then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, func
from sqlalchemy import select as sql_select
from sqlmodel import Session, select

from storage.backchannel import BackchannelChecklist, BackchannelPerson, BackchannelShare
from storage.councils import Council, Member
from storage.debriefs import Debrief, GratitudePerson, InterviewEvent
from storage.events import ProcessedEvent
from storage.installations import OAuthState, SlackInstallation
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    KeyResult,
    MissionDraft,
    MissionVersion,
    Objective,
    ReactionFeedback,
    WrittenFeedback,
)
from storage.models import metadata
from storage.negotiation import NegotiationCompensation, NegotiationLeg, NegotiationPlan
from storage.reminders import Reminder, ReminderStatus
from storage.reviews import ReviewNote
from storage.rituals import CouncilCheckin, CouncilMeeting, CouncilMemberState, CouncilRitual
from storage.searches import Search
from storage.tour import TourConversation, TourSettings, TourShare
from storage.types import require_id


def seed_workspace(
    engine: Engine,
    *,
    team_id: str,
    channel_id: str,
    author: str,
    peer: str,
    now: datetime,
    event_id: str | None = None,
) -> None:
    """One council with a row in every table (a pending and a sent reminder among them)."""
    with Session(engine, expire_on_commit=False) as session:
        council = Council(team_id=team_id, channel_id=channel_id, name="council")
        session.add(council)
        session.add(Member(team_id=team_id, user_id=author, tz="Europe/Berlin", tz_fetched_at=now))
        search = Search(
            team_id=team_id,
            user_id=author,
            company="Globex Secret Co",
            company_key="globex secret co",
            role="CTO",
        )
        session.add(search)
        session.flush()
        draft = MissionDraft(
            search_id=require_id(search),
            council_id=require_id(council),
            author_id=author,
            channel_id=channel_id,
            message_ts=f"{now.timestamp():.6f}",
        )
        session.add(draft)
        session.flush()
        version = MissionVersion(
            draft_id=require_id(draft), number=1, mission="Private mission text"
        )
        session.add(version)
        session.flush()
        objective = Objective(version_id=require_id(version), position=1, text="An objective")
        session.add(objective)
        session.flush()
        session.add(KeyResult(objective_id=require_id(objective), position=1, text="KR 5%"))
        session.add(ReactionFeedback(version_id=require_id(version), user_id=peer, emoji="+1"))
        session.add(
            WrittenFeedback(version_id=require_id(version), user_id=peer, strong="Strong words")
        )
        request = FeedbackRequest(draft_id=require_id(draft), deadline=now + timedelta(days=2))
        session.add(request)
        session.flush()
        session.add(FeedbackAsk(request_id=require_id(request), user_id=peer))
        event = InterviewEvent(
            team_id=team_id,
            user_id=author,
            council_id=require_id(council),
            channel_id=channel_id,
            search_id=require_id(search),
            company="Globex Secret Co",
            starts_at=now + timedelta(days=1),
        )
        session.add(event)
        session.flush()
        session.add(
            Debrief(event_id=require_id(event), user_id=author, rating=4, went_well="Went well")
        )
        session.add(GratitudePerson(team_id=team_id, user_id=author, name="A mentor"))
        checklist = BackchannelChecklist(
            team_id=team_id, user_id=author, search_id=require_id(search), manager_name="Boss"
        )
        session.add(checklist)
        session.flush()
        session.add(BackchannelPerson(checklist_id=require_id(checklist), name="Ex-colleague"))
        session.add(
            BackchannelShare(
                team_id=team_id,
                user_id=author,
                checklist_id=require_id(checklist),
                channel_id=channel_id,
                message_ts="1700000000.000900",
            )
        )
        conversation = TourConversation(
            team_id=team_id,
            user_id=author,
            person_name="A former manager",
            kind="reverse_exit",
            held_on=now.date(),
            heard="Heard",
            takeaway="A takeaway",
        )
        session.add(conversation)
        session.flush()
        session.add(
            TourShare(
                team_id=team_id,
                user_id=author,
                conversation_id=require_id(conversation),
                channel_id=channel_id,
                message_ts="1700000000.000950",
            )
        )
        session.add(TourSettings(team_id=team_id, user_id=author, target=15))
        session.add(
            ReviewNote(
                team_id=team_id,
                subject_kind="negotiation_plan",
                subject_id=1,
                author_id=author,
                user_id=peer,
                text="A note",
                channel_id=channel_id,
            )
        )
        plan = NegotiationPlan(team_id=team_id, user_id=author, search_id=require_id(search))
        session.add(plan)
        session.flush()
        session.add(
            NegotiationLeg(
                plan_id=require_id(plan), leg="resources", objective_id=require_id(objective)
            )
        )
        session.add(
            NegotiationCompensation(plan_id=require_id(plan), offer=123_457, target=150_001)
        )
        session.add(
            CouncilRitual(
                team_id=team_id,
                council_id=require_id(council),
                name="Tuesday council",
                rhythm="slow",
                weekdays="1",
                interval_weeks=2,
                meeting_time="18:00",
                first_date=(now + timedelta(days=3)).date(),
                tz="Europe/Berlin",
                moderator_id=author,
            )
        )
        meeting = CouncilMeeting(
            team_id=team_id, council_id=require_id(council), starts_at=now + timedelta(days=3)
        )
        session.add(meeting)
        session.flush()
        session.add(
            CouncilCheckin(
                team_id=team_id, meeting_id=require_id(meeting), user_id=peer, win="A win"
            )
        )
        session.add(
            CouncilMemberState(
                team_id=team_id, council_id=require_id(council), user_id=author, state="paused"
            )
        )
        for status, due in (
            (ReminderStatus.PENDING, now + timedelta(hours=1)),
            (ReminderStatus.SENT, now),
        ):
            session.add(
                Reminder(
                    kind="mission.feedback_nudge",
                    team_id=team_id,
                    user_id=peer,
                    due_at=due,
                    status=status.value,
                    payload=f'{{"request":{require_id(request)}}}',
                    subject=f"request:{require_id(request)}",
                )
            )
        installed = select(SlackInstallation).where(SlackInstallation.team_id == team_id)
        if session.exec(installed).first() is None:  # one per workspace, however many seeds
            session.add(
                SlackInstallation(
                    client_id="1000000001.2000000002",
                    team_id=team_id,
                    bot_token=f"xoxb-{team_id}-secret",
                    bot_id="B0BOT",
                    bot_user_id="U0BOT",
                )
            )
        if event_id is not None:  # with the rows of the tables no workspace owns
            session.add(ProcessedEvent(event_id=event_id, received_at=now))
            session.add(
                OAuthState(state=f"state-{event_id}", expire_at=now + timedelta(minutes=10))
            )
        session.commit()


def table_counts(engine: Engine) -> dict[str, int]:
    """How many rows each table holds."""
    with engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(sql_select(func.count()).select_from(table)).scalar_one()
            )
            for table in metadata.sorted_tables
        }
