"""The App Home use case: one member's dashboard, read in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine

from bot.features.backchannel import service as backchannel
from bot.features.backchannel.rules import Checklist
from bot.features.debriefs import service as debriefs
from bot.features.debriefs.rules import EventSummary
from bot.features.missions import service as missions
from bot.features.missions.rules import DraftSummary, OwedFeedback
from bot.features.negotiation import service as negotiation
from bot.features.negotiation.rules import PlanSummary
from bot.features.searches.rules import company_key
from storage.db import unit_of_work


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the Home tab shows, as `home_view` takes it."""

    drafts: list[DraftSummary]
    owed: list[OwedFeedback]
    events: list[EventSummary]
    gratitude_count: int
    now: datetime
    negotiations: list[PlanSummary]
    checklists: list[Checklist]


def dashboard(engine: Engine, *, team_id: str, user_id: str, now: datetime) -> Dashboard:
    """One member's dashboard: every feature's part, in one session and one transaction."""
    with unit_of_work(engine):
        drafts = missions.list_drafts(engine, team_id=team_id, user_id=user_id)
        # Interviews that have happened, per company: the mission section suggests walking
        # the hiring manager through the draft live after a couple of them.
        interviews = debriefs.interviews_per_company(
            engine, team_id=team_id, user_id=user_id, before=now
        )
        return Dashboard(
            drafts=[
                replace(s, interviews_logged=interviews.get(company_key(s.company), 0))
                for s in (missions.summary(d) for d in drafts)
            ],
            owed=missions.owed_feedback(engine, team_id=team_id, user_id=user_id, now=now),
            events=debriefs.upcoming(engine, team_id=team_id, user_id=user_id, now=now),
            gratitude_count=len(debriefs.gratitude(engine, team_id=team_id, user_id=user_id)),
            now=now,
            negotiations=negotiation.plans(engine, team_id=team_id, user_id=user_id),
            checklists=backchannel.open_checklists(engine, team_id=team_id, user_id=user_id),
        )
