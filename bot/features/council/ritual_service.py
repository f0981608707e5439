"""Use cases of the council's rhythm: setup, meetings and their reminders, check-ins, the
agenda's content, pause and landed. No Slack here.

A meeting and its reminders are written in one transaction, all with the subject
`meeting:<id>` and dedupe keys per meeting (and member), so a retried or concurrent call
never schedules one twice and a meeting is never stored without them:

- `council.roster` (addressed to the channel), ~26 h before: the handler's sender asks Slack who is
  in the channel and calls `plan_member_reminders`, which adds each member's check-in DM
  and nudge in their own zone;
- `council.agenda` (addressed to the channel), 10 minutes before: the sender posts the agenda, then
  `agenda_posted` marks the meeting and creates the next one on the rhythm, with its own
  two reminders: the rhythm continues by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.features.council.ritual_rules import (
    AGENDA_LEAD,
    CHECKIN_LEAD_DEFAULT,
    FIRST_90_AT,
    FIRST_90_DAYS,
    REMINDER_ACTION_ITEM,
    REMINDER_AGENDA,
    REMINDER_CHECKIN,
    REMINDER_DRIFT,
    REMINDER_DRIFT_MODERATOR,
    REMINDER_FIRST_90,
    REMINDER_NUDGE,
    REMINDER_ROSTER,
    Activity,
    CheckinInput,
    NotesInput,
    Rhythm,
    RitualInput,
    action_item_due,
    checkin_due,
    dedupe_key,
    drifting,
    is_away,
    meeting_subject,
    next_meeting,
    nudge_due,
    roster_due,
)
from bot.features.council.ritual_views import (
    FIRST_90_NOT_LANDED,
    MEETING_GONE,
    NO_RITUAL,
    NOT_MODERATOR_FIELD,
    NOT_MODERATOR_NOTES,
    CheckinView,
    RitualSummary,
    not_moderator_pause,
)
from bot.features.errors import NotAllowed
from bot.features.missions.rules import LEGEND, tally
from bot.platform.mrkdwn import escape, mention
from bot.platform.timezones import format_local, out_of_quiet_hours, to_utc, zone
from bot.reminders import engine as reminders
from storage import rituals as store
from storage.councils import Council, get_council
from storage.db import session_scope
from storage.debriefs import Debrief, InterviewEvent
from storage.fit import FitStatement, FitTwoPager
from storage.missions import MissionDraft, MissionVersion, present_reactions
from storage.negotiation import NegotiationPlan
from storage.reminders import cancel_dedupe_keys
from storage.rituals import (
    MEETING_CANCELLED,
    MEETING_POSTED,
    MEETING_SCHEDULED,
    STATE_LANDED,
    STATE_PAUSED,
    CouncilCheckin,
    CouncilMeeting,
    CouncilMemberState,
    CouncilRitual,
)
from storage.scoping import council_in_team
from storage.searches import Search
from storage.tour import TourShare
from storage.types import require_id, utcnow

# How far back "since last time" looks before a council's first meeting, and how far ahead
# upcoming interviews are listed.
FIRST_LOOKBACK = timedelta(days=14)
UPCOMING_WINDOW = timedelta(days=14)


class NotModerator(NotAllowed):
    """Someone other than the moderator tried to change the setup."""


@dataclass(frozen=True, slots=True)
class MeetingSnap:
    meeting_id: int
    team_id: str
    council_id: int
    channel_id: str
    starts_at: datetime
    length_minutes: int
    number: int
    status: str
    agenda_ts: str | None
    name: str
    tz: str
    moderator_id: str
    video_link: str


def _rhythm(ritual: CouncilRitual) -> Rhythm:
    hours, minutes = ritual.meeting_time.split(":")
    return Rhythm(
        weekdays=tuple(int(d) for d in ritual.weekdays.split(",") if d),
        interval_weeks=ritual.interval_weeks,
        meeting_time=time(int(hours), int(minutes)),
        first_date=ritual.first_date,
        tz=ritual.tz,
    )


def _summary(
    session: Session, council: Council, ritual: CouncilRitual, now: datetime
) -> RitualSummary:
    upcoming = [
        m
        for m in store.scheduled_meetings(session, council_id=require_id(council))
        if m.starts_at > now
    ]
    states = store.member_states(session, council_id=require_id(council))
    today = now.date()
    away = tuple(
        sorted(
            u
            for u, s in states.items()
            if s.state == STATE_PAUSED and is_away(s.state, s.until, on=today)
        )
    )
    return RitualSummary(
        council_id=require_id(council),
        channel_id=council.channel_id,
        name=ritual.name,
        rhythm=ritual.rhythm,
        weekdays=_rhythm(ritual).weekdays,
        interval_weeks=ritual.interval_weeks,
        meeting_time=ritual.meeting_time,
        first_date=ritual.first_date,
        tz=ritual.tz,
        length_minutes=ritual.length_minutes,
        moderator_id=ritual.moderator_id,
        video_link=ritual.video_link,
        next_start=upcoming[0].starts_at if upcoming else None,
        away=away,
        checkin_lead_hours=ritual.checkin_lead_hours,
    )


def summary(
    engine: Engine, *, team_id: str, channel_id: str, now: datetime
) -> RitualSummary | None:
    with session_scope(engine) as session:
        council = get_council(session, team_id=team_id, channel_id=channel_id)
        if council is None:
            return None
        ritual = store.ritual_of(session, council_id=require_id(council))
        return _summary(session, council, ritual, now) if ritual else None


def _schedule_meeting(
    session: Session, meeting: CouncilMeeting, now: datetime, *, lead_hours: int
) -> None:
    """The meeting's own two reminders. They are addressed to the council channel, not to
    a member: a member's erase (which takes the reminders addressed to them) must not stop
    the council's rhythm."""
    council = session.get(Council, meeting.council_id)
    recipient = council.channel_id if council else ""
    meeting_id = require_id(meeting)
    for kind, due in (
        (REMINDER_ROSTER, roster_due(meeting.starts_at, lead_hours)),
        (REMINDER_AGENDA, meeting.starts_at - AGENDA_LEAD),
    ):
        reminders.schedule(
            session,
            kind=kind,
            team_id=meeting.team_id,
            user_id=recipient,
            due_at=max(due, now),
            payload={"meeting": meeting_id},
            subject=meeting_subject(meeting_id),
            dedupe_key=dedupe_key(kind, meeting_id),
        )


def _plan(
    session: Session,
    *,
    team_id: str,
    council_id: int,
    ritual: CouncilRitual,
    after: datetime,
    now: datetime,
    number: int,
) -> CouncilMeeting | None:
    start = next_meeting(_rhythm(ritual), after=max(after, now))
    if start is None:
        return None
    meeting, _created = store.add_meeting(
        session,
        team_id=team_id,
        council_id=council_id,
        starts_at=start,
        length=ritual.length_minutes,
        number=number,
    )
    if meeting.status == MEETING_CANCELLED:
        meeting.status = MEETING_SCHEDULED
    meeting.length_minutes = ritual.length_minutes
    session.flush()
    _schedule_meeting(session, meeting, now, lead_hours=ritual.checkin_lead_hours)
    return meeting


def _retime_checkins(
    session: Session, meeting: CouncilMeeting, *, lead_hours: int, now: datetime
) -> None:
    """A kept meeting after the check-in lead changed: the member DMs not sent yet are
    cancelled and the roster is read again on the new lead, so each member's DM and nudge
    are planned afresh (scheduling a cancelled one revives it at its new time; a DM already
    sent is never sent again)."""
    meeting_id = require_id(meeting)
    subject = meeting_subject(meeting_id)
    reminders.cancel_subject(
        session, subject=subject, kinds=[REMINDER_ROSTER, REMINDER_CHECKIN, REMINDER_NUDGE]
    )
    council = session.get(Council, meeting.council_id)
    reminders.schedule(
        session,
        kind=REMINDER_ROSTER,
        team_id=meeting.team_id,
        user_id=council.channel_id if council else "",
        due_at=max(roster_due(meeting.starts_at, lead_hours), now),
        payload={"meeting": meeting_id},
        subject=subject,
        # A new key per change: the first roster reminder may have been sent already.
        dedupe_key=f"{dedupe_key(REMINDER_ROSTER, meeting_id)}:lead:{int(now.timestamp())}",
    )


def save_setup(
    engine: Engine,
    *,
    team_id: str,
    council_id: int,
    user_id: str,
    data: RitualInput,
    tz: str,
    now: datetime,
) -> RitualSummary:
    """Store the council's setup and plan its next meeting (the moderator only, once set)."""
    with session_scope(engine) as session:
        council = council_in_team(session, council_id=council_id, team_id=team_id)
        if council is None:
            raise NotAllowed("I can't find this council any more. Type `/council setup` again.")
        ritual = store.ritual_of(session, council_id=council_id)
        if ritual is not None and ritual.moderator_id != user_id:
            raise NotModerator(NOT_MODERATOR_FIELD)
        if ritual is None:
            ritual = CouncilRitual(
                team_id=team_id,
                council_id=council_id,
                name=data.name,
                rhythm=data.rhythm,
                weekdays="",
                meeting_time="",
                first_date=data.first_date,
                moderator_id=data.moderator_id,
            )
            session.add(ritual)
        ritual.name = data.name
        ritual.rhythm = data.rhythm
        ritual.weekdays = ",".join(str(d) for d in data.weekdays)
        ritual.interval_weeks = data.interval_weeks
        ritual.meeting_time = data.meeting_time.strftime("%H:%M")
        ritual.first_date = data.first_date
        ritual.tz = tz
        ritual.length_minutes = data.length_minutes
        ritual.moderator_id = data.moderator_id
        ritual.video_link = data.video_link
        lead_changed = ritual.checkin_lead_hours != data.checkin_lead_hours
        ritual.checkin_lead_hours = data.checkin_lead_hours
        ritual.updated_at = now
        session.flush()
        new_start = next_meeting(_rhythm(ritual), after=now)
        for meeting in store.scheduled_meetings(session, council_id=council_id):
            if meeting.starts_at == new_start:
                if lead_changed:
                    _retime_checkins(session, meeting, lead_hours=data.checkin_lead_hours, now=now)
                continue
            meeting.status = MEETING_CANCELLED
            reminders.cancel_subject(session, subject=meeting_subject(require_id(meeting)))
        posted = session.exec(
            select(CouncilMeeting).where(
                CouncilMeeting.council_id == council_id, CouncilMeeting.status == MEETING_POSTED
            )
        ).all()
        _plan(
            session,
            team_id=team_id,
            council_id=council_id,
            ritual=ritual,
            after=now,
            now=now,
            number=len(posted) + 1,
        )
        return _summary(session, council, ritual, now)


def moderator_of(engine: Engine, *, team_id: str, channel_id: str) -> str | None:
    with session_scope(engine) as session:
        council = get_council(session, team_id=team_id, channel_id=channel_id)
        if council is None:
            return None
        ritual = store.ritual_of(session, council_id=require_id(council))
        return ritual.moderator_id if ritual else None


# --- meetings as the reminder senders see them ---------------------------------------------------


def meeting(engine: Engine, *, meeting_id: int, team_id: str) -> MeetingSnap | None:
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None:
            return None
        council = session.get(Council, row.council_id)
        ritual = store.ritual_of(session, council_id=row.council_id)
        if council is None or ritual is None:
            return None
        return MeetingSnap(
            meeting_id=require_id(row),
            team_id=row.team_id,
            council_id=row.council_id,
            channel_id=council.channel_id,
            starts_at=row.starts_at,
            length_minutes=row.length_minutes,
            number=row.number,
            status=row.status,
            agenda_ts=row.agenda_ts,
            name=ritual.name,
            tz=ritual.tz,
            moderator_id=ritual.moderator_id,
            video_link=ritual.video_link,
        )


def _away_on(session: Session, *, council_id: int, user_id: str, on: date) -> bool:
    state = store.member_states(session, council_id=council_id).get(user_id)
    return state is not None and is_away(state.state, state.until, on=on)


def _meeting_day(session: Session, row: CouncilMeeting) -> date:
    """The meeting's date in the council's zone: what `pause until` dates are read against."""
    ritual = store.ritual_of(session, council_id=row.council_id)
    return row.starts_at.astimezone(zone(ritual.tz if ritual else "UTC")).date()


def plan_member_reminders(
    engine: Engine, *, team_id: str, meeting_id: int, people: dict[str, str], now: datetime
) -> int:
    """Each member's check-in DM and nudge for the meeting, in their own zone (`people`:
    user id -> zone); members away that day are left out. How many members were planned."""
    planned = 0
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None or row.status != MEETING_SCHEDULED or row.starts_at <= now:
            return 0
        states = store.member_states(session, council_id=row.council_id)
        day = _meeting_day(session, row)
        ritual = store.ritual_of(session, council_id=row.council_id)
        lead_hours = ritual.checkin_lead_hours if ritual else CHECKIN_LEAD_DEFAULT
        for user_id, tz in sorted(people.items()):
            state = states.get(user_id)
            if state is not None and is_away(state.state, state.until, on=day):
                continue
            due = checkin_due(row.starts_at, tz, lead_hours=lead_hours)
            if due < now:
                due = out_of_quiet_hours(now, tz)
                if due >= row.starts_at:
                    continue
            for kind, when in (
                (REMINDER_CHECKIN, due),
                (REMINDER_NUDGE, nudge_due(row.starts_at, tz, checkin_at=due)),
            ):
                if when is None:
                    continue
                reminders.schedule(
                    session,
                    kind=kind,
                    team_id=team_id,
                    user_id=user_id,
                    due_at=when,
                    payload={"meeting": meeting_id, "tz": tz},
                    subject=meeting_subject(meeting_id),
                    dedupe_key=dedupe_key(kind, meeting_id, user_id),
                )
            planned += 1
    return planned


def checkin_wanted(
    engine: Engine, *, team_id: str, meeting_id: int, user_id: str, now: datetime, nudge: bool
) -> bool:
    """Whether the member's check-in DM (or nudge) should still go out now."""
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None or row.status != MEETING_SCHEDULED or row.starts_at <= now:
            return False
        if _away_on(
            session, council_id=row.council_id, user_id=user_id, on=_meeting_day(session, row)
        ):
            return False
        return not (nudge and user_id in store.checkins_of(session, meeting_id=meeting_id))


def checkin_of(
    engine: Engine, *, team_id: str, meeting_id: int, user_id: str
) -> CheckinView | None:
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None:
            return None
        found = store.checkins_of(session, meeting_id=meeting_id).get(user_id)
        if found is None:
            return None
        return CheckinView(user_id, "answered", found.where_now, found.needs, found.win)


def save_checkin(
    engine: Engine,
    *,
    team_id: str,
    meeting_id: int,
    user_id: str,
    data: CheckinInput,
    now: datetime,
) -> None:
    """Store (or change) the member's check-in; their nudge for the meeting is cancelled."""
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None or row.status != MEETING_SCHEDULED or row.starts_at <= now:
            raise NotAllowed(MEETING_GONE)
        found = store.checkins_of(session, meeting_id=meeting_id).get(user_id)
        if found is None:
            found = CouncilCheckin(team_id=team_id, meeting_id=meeting_id, user_id=user_id)
            session.add(found)
        found.where_now, found.needs, found.win = data.where_now, data.needs, data.win
        found.updated_at = now
        session.flush()
        cancel_dedupe_keys(session, keys=[dedupe_key(REMINDER_NUDGE, meeting_id, user_id)])


# --- the agenda ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgendaContent:
    checkins: list[CheckinView]
    activity: list[Activity]
    meeting_zero: bool


def _tally_text(reactions: list[tuple[str, str]], author: str) -> str:
    counted = tally(reactions, author=author, bot_user=None)
    parts = [f":{e.emoji}: {counted.count(e.emoji)}" for e in LEGEND if counted.count(e.emoji)]
    return " · ".join(parts) if parts else "no reactions yet"


def _activity(
    session: Session, *, council: Council, since: datetime, now: datetime, tz: str
) -> list[Activity]:
    """What happened in the council channel since `since`, from public facts only: job
    missions posted or revised there (with their tallies), debriefs posted there,
    interviews and negotiations members logged there, coming up, and what members chose to
    share there (a negotiation plan's summary, Listening Tour takeaways). Never a figure, a
    back-channel checklist, a private debrief, a tour contact or anything else kept
    privately."""
    council_id = require_id(council)
    found: list[Activity] = []
    rows = session.exec(
        select(MissionVersion, MissionDraft, Search)
        .join(MissionDraft, col(MissionDraft.id) == MissionVersion.draft_id)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(
            MissionDraft.council_id == council_id,
            MissionDraft.status != "withdrawn",
            col(MissionDraft.message_ts).is_not(None),
            col(MissionVersion.created_at) > since,
            col(MissionVersion.created_at) <= now,
        )
        .order_by(col(MissionVersion.created_at))
    ).all()
    drafts: dict[int, tuple[MissionDraft, Search, int]] = {}
    for version, draft, search in rows:
        first = drafts.get(require_id(draft), (draft, search, version.number))[2]
        drafts[require_id(draft)] = (draft, search, min(first, version.number))
    if drafts:
        current = {
            require_id(d): session.exec(
                select(MissionVersion.id).where(
                    MissionVersion.draft_id == d.id, MissionVersion.number == d.current_version
                )
            ).first()
            for d, _s, _n in drafts.values()
        }
        reactions = present_reactions(
            session, version_ids=[v for v in current.values() if v is not None]
        )
        for draft_id, (draft, search, first_number) in drafts.items():
            what = "posted a new job mission" if first_number == 1 else "revised their job mission"
            version_id = current.get(draft_id)
            tallied = _tally_text(reactions.get(version_id or -1, []), draft.author_id)
            role = f" ({escape(search.role)})" if search.role else ""
            found.append(
                Activity(
                    draft.author_id,
                    f"{mention(draft.author_id)} {what}: *{escape(search.company)}*{role}"
                    f" · {tallied}",
                )
            )
    debriefs = session.exec(
        select(Debrief, InterviewEvent)
        .join(InterviewEvent, col(InterviewEvent.id) == Debrief.event_id)
        .where(
            InterviewEvent.council_id == council_id,
            col(Debrief.private).is_(False),
            Debrief.channel_id == council.channel_id,
            col(Debrief.posted_at) > since,
            col(Debrief.posted_at) <= now,
        )
        .order_by(col(Debrief.posted_at))
    ).all()
    for debrief, event in debriefs:
        found.append(
            Activity(
                debrief.user_id,
                f"{mention(debrief.user_id)} shared a debrief of their {escape(event.kind)} "
                f"with *{escape(event.company)}* in the channel",
            )
        )
    upcoming = session.exec(
        select(InterviewEvent)
        .where(
            InterviewEvent.council_id == council_id,
            col(InterviewEvent.kind).in_(["interview", "negotiation"]),
            InterviewEvent.status == "scheduled",
            col(InterviewEvent.starts_at) > now,
            col(InterviewEvent.starts_at) <= now + UPCOMING_WINDOW,
        )
        .order_by(col(InterviewEvent.starts_at))
    ).all()
    public_searches = {
        d.search_id
        for d in session.exec(
            select(MissionDraft).where(
                MissionDraft.council_id == council_id,
                MissionDraft.status != "withdrawn",
                col(MissionDraft.message_ts).is_not(None),
            )
        ).all()
    }
    for event in upcoming:
        # The company only when the member's job mission for it is posted in this channel
        # already: an interview logged here is not an announcement of where.
        where = f" with *{escape(event.company)}*" if event.search_id in public_searches else ""
        what = "a negotiation" if event.kind == "negotiation" else "an interview"
        found.append(
            Activity(
                event.user_id,
                f"{mention(event.user_id)} has {what}{where} coming up "
                f"({format_local(event.starts_at, tz)})",
            )
        )
    # Shared with this channel on purpose since: a negotiation plan's summary (never its
    # figures here: the member chose what the summary showed, the agenda only points to
    # it) and Listening Tour takeaways (never who or what was heard).
    plans = session.exec(
        select(NegotiationPlan)
        .where(
            NegotiationPlan.team_id == council.team_id,
            NegotiationPlan.shared_channel_id == council.channel_id,
            col(NegotiationPlan.shared_at) > since,
            col(NegotiationPlan.shared_at) <= now,
        )
        .order_by(col(NegotiationPlan.shared_at))
    ).all()
    for plan in plans:
        found.append(
            Activity(
                plan.user_id,
                f"{mention(plan.user_id)} shared their negotiation plan for the council's review",
            )
        )
    found.extend(_fit_shared(session, council=council, since=since, now=now))
    takeaways = session.exec(
        select(TourShare.user_id, func.count())
        .where(
            TourShare.team_id == council.team_id,
            TourShare.channel_id == council.channel_id,
            col(TourShare.created_at) > since,
            col(TourShare.created_at) <= now,
        )
        .group_by(TourShare.user_id)
        .order_by(TourShare.user_id)
    ).all()
    for user_id, n in takeaways:
        noun = "a Listening Tour takeaway" if n == 1 else f"{n} Listening Tour takeaways"
        found.append(
            Activity(user_id, f"{mention(user_id)} brought {noun} to the channel to interpret")
        )
    return found


def _fit_shared(
    session: Session, *, council: Council, since: datetime, now: datetime
) -> list[Activity]:
    """Two-Pagers and Candidate-Market Fit statements posted in the channel since (a version
    posted, or one an accepted suggestion made on the posted message): who, the newest
    version, a statement's sign-off; never a list item or the sentence."""
    found: list[Activity] = []
    two_pagers = session.exec(
        select(FitTwoPager)
        .where(
            FitTwoPager.team_id == council.team_id,
            FitTwoPager.channel_id == council.channel_id,
            col(FitTwoPager.message_ts).is_not(None),
            col(FitTwoPager.created_at) > since,
            col(FitTwoPager.created_at) <= now,
        )
        .order_by(col(FitTwoPager.created_at))
    ).all()
    newest_pager = {row.user_id: row for row in two_pagers}
    for user_id, pager in newest_pager.items():
        found.append(
            Activity(user_id, f"{mention(user_id)} shared their Two-Pager (version {pager.number})")
        )
    statements = session.exec(
        select(FitStatement)
        .where(
            FitStatement.team_id == council.team_id,
            FitStatement.channel_id == council.channel_id,
            col(FitStatement.message_ts).is_not(None),
            col(FitStatement.created_at) > since,
            col(FitStatement.created_at) <= now,
        )
        .order_by(col(FitStatement.created_at))
    ).all()
    newest_statement = {row.user_id: row for row in statements}
    for user_id, statement in newest_statement.items():
        signed = (
            f" · signed off by {statement.signed} of {statement.signers_of}"
            if statement.signers_of
            else ""
        )
        found.append(
            Activity(
                user_id,
                f"{mention(user_id)} shared their Candidate-Market Fit statement "
                f"(version {statement.number}){signed}",
            )
        )
    return found


def agenda(
    engine: Engine, *, team_id: str, meeting_id: int, members: list[str], now: datetime
) -> AgendaContent | None:
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None:
            return None
        council = session.get(Council, row.council_id)
        ritual = store.ritual_of(session, council_id=row.council_id)
        if council is None or ritual is None:
            return None
        answers = store.checkins_of(session, meeting_id=meeting_id)
        states = store.member_states(session, council_id=row.council_id)
        day = row.starts_at.astimezone(zone(ritual.tz)).date()
        checkins: list[CheckinView] = []
        for user_id in members:
            state = states.get(user_id)
            if state is not None and state.state == STATE_LANDED:
                checkins.append(CheckinView(user_id, "landed"))
            elif state is not None and is_away(state.state, state.until, on=day):
                checkins.append(CheckinView(user_id, "away"))
            elif user_id in answers:
                a = answers[user_id]
                checkins.append(CheckinView(user_id, "answered", a.where_now, a.needs, a.win))
            else:
                checkins.append(CheckinView(user_id, "missing"))
        previous = store.previous_meeting(session, meeting=row)
        since = previous.starts_at if previous else now - FIRST_LOOKBACK
        activity = _activity(session, council=council, since=since, now=now, tz=ritual.tz)
        return AgendaContent(checkins, activity, meeting_zero=row.number == 1)


def plan_drift(
    engine: Engine, *, team_id: str, meeting_id: int, people: dict[str, str], now: datetime
) -> list[str]:
    """After the agenda of a meeting: the members (`people`: id -> zone) with no check-in
    and nothing shared in the channel for this meeting and the one before (and who were
    not quiet the time before that) get one kind DM, and the moderator one heads-up naming
    them, nothing of their search. Members away or landed are left out. Who drifted."""
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None:
            return []
        council = session.get(Council, row.council_id)
        ritual = store.ritual_of(session, council_id=row.council_id)
        if council is None or ritual is None:
            return []
        earlier = session.exec(
            select(CouncilMeeting)
            .where(
                CouncilMeeting.council_id == row.council_id,
                CouncilMeeting.status == MEETING_POSTED,
                col(CouncilMeeting.starts_at) < row.starts_at,
            )
            .order_by(col(CouncilMeeting.starts_at).desc())
            .limit(3)
        ).all()
        chain = [row, *earlier]
        states = store.member_states(session, council_id=row.council_id)
        day = _meeting_day(session, row)
        members = {
            u
            for u in people
            if not (u in states and is_away(states[u].state, states[u].until, on=day))
        }
        quiet: list[set[str]] = []
        for i, meeting in enumerate(chain[:3]):
            since = (
                chain[i + 1].starts_at if i + 1 < len(chain) else meeting.starts_at - FIRST_LOOKBACK
            )
            until = now if i == 0 else meeting.starts_at
            active = {
                a.user_id
                for a in _activity(session, council=council, since=since, now=until, tz=ritual.tz)
            }
            answered = set(store.checkins_of(session, meeting_id=require_id(meeting)))
            quiet.append(members - active - answered)
        found = sorted(drifting(quiet))
        for user_id in found:
            reminders.schedule(
                session,
                kind=REMINDER_DRIFT,
                team_id=team_id,
                user_id=user_id,
                due_at=out_of_quiet_hours(now, people[user_id]),
                payload={"meeting": meeting_id},
                subject=meeting_subject(meeting_id),
                dedupe_key=dedupe_key(REMINDER_DRIFT, meeting_id, user_id),
            )
        moderator = ritual.moderator_id
        named = [u for u in found if u != moderator]  # a quiet moderator is not told of themselves
        if named:
            reminders.schedule(
                session,
                kind=REMINDER_DRIFT_MODERATOR,
                team_id=team_id,
                user_id=moderator,
                due_at=out_of_quiet_hours(now, people.get(moderator, ritual.tz)),
                payload={"meeting": meeting_id, "members": named},
                subject=meeting_subject(meeting_id),
                dedupe_key=dedupe_key(REMINDER_DRIFT_MODERATOR, meeting_id),
            )
        return found


def agenda_posted(
    engine: Engine, *, team_id: str, meeting_id: int, ts: str | None, now: datetime
) -> datetime | None:
    """Mark the meeting's agenda posted (`ts` None: it was over before it could be) and
    plan the next meeting on the rhythm, with its reminders; the next start."""
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        if row is None:
            return None
        ritual = store.ritual_of(session, council_id=row.council_id)
        if row.status == MEETING_SCHEDULED:
            row.status = MEETING_POSTED
            row.agenda_ts = ts
            row.posted_at = now
            session.flush()
        if ritual is None or row.status != MEETING_POSTED:
            return None
        upcoming = [
            m
            for m in store.scheduled_meetings(session, council_id=row.council_id)
            if m.starts_at > row.starts_at
        ]
        if upcoming:  # planned already (a retry, or a new setup)
            return upcoming[0].starts_at
        planned = _plan(
            session,
            team_id=team_id,
            council_id=row.council_id,
            ritual=ritual,
            after=row.starts_at,
            now=now,
            number=row.number + 1,
        )
        return planned.starts_at if planned else None


def pause_council(
    engine: Engine,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    until: date,
    now: datetime,
) -> datetime | None:
    """The moderator pauses the whole council (holidays): the meetings through `until` (in
    the council's zone) are skipped, with their reminders, and the rhythm resumes after it.
    The next meeting's start (None when the rhythm has none)."""
    with session_scope(engine) as session:
        council = get_council(session, team_id=team_id, channel_id=channel_id)
        ritual = store.ritual_of(session, council_id=require_id(council)) if council else None
        if council is None or ritual is None:
            raise NotAllowed(NO_RITUAL)
        if ritual.moderator_id != user_id:
            raise NotModerator(not_moderator_pause(ritual.moderator_id))
        council_id = require_id(council)
        kept: list[CouncilMeeting] = []
        for meeting in store.scheduled_meetings(session, council_id=council_id):
            if _meeting_day(session, meeting) <= until:
                meeting.status = MEETING_CANCELLED
                reminders.cancel_subject(session, subject=meeting_subject(require_id(meeting)))
            else:
                kept.append(meeting)
        session.flush()
        if kept:
            return kept[0].starts_at
        resume = to_utc(until + timedelta(days=1), time(0, 0), ritual.tz)
        posted = session.exec(
            select(CouncilMeeting).where(
                CouncilMeeting.council_id == council_id, CouncilMeeting.status == MEETING_POSTED
            )
        ).all()
        planned = _plan(
            session,
            team_id=team_id,
            council_id=council_id,
            ritual=ritual,
            after=resume,
            now=now,
            number=len(posted) + 1,
        )
        return planned.starts_at if planned else None


def remind_first_90(
    engine: Engine, *, team_id: str, channel_id: str, user_id: str, tz: str, now: datetime
) -> datetime:
    """A member who landed in this council asks for a private "first 90 days" reminder:
    at 10:00 their time, 90 days on; asked twice, one reminder. Its time."""
    with session_scope(engine) as session:
        council = get_council(session, team_id=team_id, channel_id=channel_id)
        state = (
            store.member_states(session, council_id=require_id(council)).get(user_id)
            if council
            else None
        )
        if council is None or state is None or state.state != STATE_LANDED:
            raise NotAllowed(FIRST_90_NOT_LANDED)
        day = now.astimezone(zone(tz)).date() + timedelta(days=FIRST_90_DAYS)
        reminder = reminders.schedule(
            session,
            kind=REMINDER_FIRST_90,
            team_id=team_id,
            user_id=user_id,
            due_at=to_utc(day, FIRST_90_AT, tz),
            payload={"channel": council.channel_id, "council": require_id(council)},
            dedupe_key=f"{REMINDER_FIRST_90}:{require_id(council)}:{user_id}",
        )
        return reminder.due_at


def first_90_council(engine: Engine, *, team_id: str, council_id: int) -> str | None:
    """The council's name for the 90-days DM (None when it is gone)."""
    with session_scope(engine) as session:
        council = council_in_team(session, council_id=council_id, team_id=team_id)
        ritual = store.ritual_of(session, council_id=council_id) if council else None
        return ritual.name if ritual else None


def save_notes(
    engine: Engine,
    *,
    team_id: str,
    meeting_id: int,
    user_id: str,
    data: NotesInput,
    zones: dict[str, str],
    now: datetime,
) -> tuple[str, str | None, datetime | None]:
    """The moderator's notes of a posted meeting: each action item becomes a private
    reminder for its owner (`zones`: owner -> zone), the day before the next meeting.
    (channel, the agenda's ts for the thread, the next meeting's start)."""
    with session_scope(engine) as session:
        row = store.meeting_in_team(session, meeting_id=meeting_id, team_id=team_id)
        ritual = store.ritual_of(session, council_id=row.council_id) if row else None
        council = session.get(Council, row.council_id) if row else None
        if row is None or ritual is None or council is None or row.status != MEETING_POSTED:
            raise NotAllowed(MEETING_GONE)
        if ritual.moderator_id != user_id:
            raise NotModerator(NOT_MODERATOR_NOTES)
        upcoming = [
            m
            for m in store.scheduled_meetings(session, council_id=row.council_id)
            if m.starts_at > now
        ]
        next_start = upcoming[0].starts_at if upcoming else None
        for n, (owner, task) in enumerate(data.items, start=1):
            tz = zones.get(owner, ritual.tz)
            reminders.schedule(
                session,
                kind=REMINDER_ACTION_ITEM,
                team_id=team_id,
                user_id=owner,
                due_at=action_item_due(next_start, after=now, tz=tz),
                payload={"meeting": meeting_id, "task": task, "tz": tz},
                subject=meeting_subject(meeting_id),
                dedupe_key=f"{dedupe_key(REMINDER_ACTION_ITEM, meeting_id, owner)}:{n}",
            )
        return council.channel_id, row.agenda_ts, next_start


# --- for the App Home ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberMeeting:
    """A council's next meeting as one member's Home shows it (`meeting_id` is the value of
    a "Check in" button, ritual_views.ACTION_CHECKIN, which the council feature answers)."""

    meeting_id: int
    channel_id: str
    council_name: str
    starts_at: datetime
    checked_in: bool
    away: bool


def next_meetings_for(
    engine: Engine, *, team_id: str, user_id: str, channel_ids: list[str], now: datetime
) -> list[MemberMeeting]:
    """The next meeting of each council in `channel_ids` (the councils the Home found the
    member in), soonest first, with whether the member's check-in for it is in."""
    if not channel_ids:
        return []
    found: list[MemberMeeting] = []
    with session_scope(engine) as session:
        rows = session.exec(
            select(CouncilMeeting, Council, CouncilRitual)
            .join(Council, col(Council.id) == CouncilMeeting.council_id)
            .join(CouncilRitual, col(CouncilRitual.council_id) == Council.id)
            .where(
                Council.team_id == team_id,
                col(Council.channel_id).in_(sorted(set(channel_ids))),
                CouncilMeeting.status == MEETING_SCHEDULED,
                col(CouncilMeeting.starts_at) > now,
            )
            .order_by(col(CouncilMeeting.starts_at))
        ).all()
        seen: set[int] = set()
        for meeting, council, ritual in rows:
            if meeting.council_id in seen:
                continue
            seen.add(meeting.council_id)
            answered = user_id in store.checkins_of(session, meeting_id=require_id(meeting))
            state = store.member_states(session, council_id=meeting.council_id).get(user_id)
            day = meeting.starts_at.astimezone(zone(ritual.tz)).date()
            found.append(
                MemberMeeting(
                    meeting_id=require_id(meeting),
                    channel_id=council.channel_id,
                    council_name=ritual.name,
                    starts_at=meeting.starts_at,
                    checked_in=answered,
                    away=state is not None and is_away(state.state, state.until, on=day),
                )
            )
    return found


# --- pause and landed ----------------------------------------------------------------------------


def set_state(
    engine: Engine,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    state: str | None,
    until: date | None = None,
    now: datetime | None = None,
) -> bool:
    """Pause (until a date), land, or come back (`state` None): whether it changed anything
    (False when the channel has no council, or the member had landed already). A pause or
    landing cancels the member's pending check-in DMs and nudges of the meetings it covers."""
    now = now or utcnow()
    with session_scope(engine) as session:
        council = get_council(session, team_id=team_id, channel_id=channel_id)
        if council is None:
            return False
        council_id = require_id(council)
        row = session.exec(
            select(CouncilMemberState).where(
                CouncilMemberState.council_id == council_id, CouncilMemberState.user_id == user_id
            )
        ).first()
        if state is None:
            if row is not None:
                session.delete(row)
            return True
        if row is not None and row.state == STATE_LANDED and state == STATE_LANDED:
            return False
        if row is None:
            row = CouncilMemberState(
                team_id=team_id, council_id=council_id, user_id=user_id, state=state
            )
            session.add(row)
        row.state, row.until, row.updated_at = state, until, now
        session.flush()
        keys = []
        for meeting in store.scheduled_meetings(session, council_id=council_id):
            if is_away(state, until, on=_meeting_day(session, meeting)):
                keys += [
                    dedupe_key(kind, require_id(meeting), user_id)
                    for kind in (REMINDER_CHECKIN, REMINDER_NUDGE)
                ]
        cancel_dedupe_keys(session, keys=keys)
        return True
