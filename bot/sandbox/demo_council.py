"""The throwaway sandbox's demo council has a rhythm from the start (issue 15): someone
trying the bot sees a next meeting on the Home tab and in `/council`, and a fast-forward
brings the check-in DMs and the agenda without setting anything up first.

A sandbox kept in a data folder is left as its owner set it up.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.features.council import ritual_service
from bot.features.council.ritual_rules import RHYTHM_SLOW, RitualInput
from bot.platform.councils import register_council
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, Workspace
from bot.services import Services

MODERATOR, _NAME, _REAL_NAME, MODERATOR_TZ = DEMO_MEMBERS[0]


def set_up_demo_council(services: Services, workspace: Workspace, *, now: datetime) -> None:
    """A slow council (every other week) meeting at 18:00 in its moderator's zone, first
    in three days, with Noor as moderator; nothing when it has a rhythm already."""
    team_id = workspace.team_id
    if ritual_service.moderator_of(
        services.engine, team_id=team_id, channel_id=DEMO_COUNCIL_CHANNEL
    ):
        return
    council_id = register_council(
        services.engine,
        team_id=team_id,
        channel_id=DEMO_COUNCIL_CHANNEL,
        name=workspace.channels[DEMO_COUNCIL_CHANNEL].name,
    )
    first = now.astimezone(ZoneInfo(MODERATOR_TZ)).date() + timedelta(days=3)
    ritual_service.save_setup(
        services.engine,
        team_id=team_id,
        council_id=council_id,
        user_id=MODERATOR,
        data=RitualInput(
            name="Demo council",
            rhythm=RHYTHM_SLOW,
            weekdays=(first.weekday(),),
            interval_weeks=2,
            meeting_time=time(18, 0),
            first_date=first,
            length_minutes=60,
            moderator_id=MODERATOR,
            video_link="",
        ),
        tz=MODERATOR_TZ,
        now=now,
    )
