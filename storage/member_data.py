"""Everything held about one member of one workspace, read for their export and erase.

`export_of` reads it as plain JSON-ready values (the shape PRIVACY.md documents, built by
bot.features.council.rules). What belongs to the member is theirs in full, encrypted
columns decrypted by the ORM; of other members it holds only what the member already saw
in Slack under a name (who reacted to or wrote named feedback on their drafts, who they
asked), never who wrote anonymous feedback to them, never another member's draft.

`erase_targets` says where the bot's messages about that data are in Slack, and whose
drafts and Home tabs change when it goes (storage.purge.purge_member deletes it, and
`erase_unlinked` what purge_member cannot find by a member column: the member's anonymous
feedback, whose writer is stored only encrypted, and their shared back-channel summaries).

The member's anonymous feedback is found by decrypting the writer of each anonymous piece
on the workspace's drafts, in Python (storage.missions.written_by): a council is a handful
of people with a few drafts each.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage import fit, reviews
from storage.backchannel import (
    BackchannelChecklist,
    BackchannelPerson,
    BackchannelShare,
    shares_of,
)
from storage.councils import get_member
from storage.debriefs import Debrief, GratitudePerson, InterviewEvent
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    KeyResult,
    MissionDraft,
    MissionVersion,
    Objective,
    ReactionFeedback,
    WrittenFeedback,
    written_by,
)
from storage.negotiation import NegotiationCompensation, NegotiationLeg, NegotiationPlan
from storage.reminders import Reminder
from storage.searches import Search

Json = dict[str, Any]


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json_list(text: str) -> list[Any]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _team_drafts(team_id: str) -> Any:
    return select(MissionDraft.id).where(
        col(MissionDraft.search_id).in_(select(Search.id).where(Search.team_id == team_id))
    )


def _own_drafts(session: Session, *, team_id: str, user_id: str) -> list[MissionDraft]:
    return list(
        session.exec(
            select(MissionDraft)
            .where(col(MissionDraft.id).in_(_team_drafts(team_id)))
            .where(MissionDraft.author_id == user_id)
            .order_by(col(MissionDraft.id))
        ).all()
    )


def _versions(session: Session, draft_ids: list[int]) -> list[MissionVersion]:
    if not draft_ids:
        return []
    return list(
        session.exec(
            select(MissionVersion)
            .where(col(MissionVersion.draft_id).in_(draft_ids))
            .order_by(col(MissionVersion.draft_id), col(MissionVersion.number))
        ).all()
    )


def _objectives(session: Session, version_ids: list[int]) -> dict[int, list[Json]]:
    """Version id -> its objectives with their key results, in order."""
    if not version_ids:
        return {}
    rows = session.exec(
        select(Objective, KeyResult)
        .outerjoin(KeyResult, col(KeyResult.objective_id) == Objective.id)
        .where(col(Objective.version_id).in_(version_ids))
        .order_by(col(Objective.version_id), col(Objective.position), col(KeyResult.position))
    ).all()
    found: dict[int, dict[int, Json]] = defaultdict(dict)
    for objective, key_result in rows:
        entry = found[objective.version_id].setdefault(
            int(objective.id or 0), {"text": objective.text, "key_results": []}
        )
        if key_result is not None:
            entry["key_results"].append(key_result.text)
    return {version: list(by_id.values()) for version, by_id in found.items()}


def _drafts(session: Session, *, team_id: str, user_id: str) -> list[Json]:
    drafts = _own_drafts(session, team_id=team_id, user_id=user_id)
    draft_ids = [int(d.id or 0) for d in drafts]
    versions = _versions(session, draft_ids)
    number_of = {int(v.id or 0): (v.draft_id, v.number) for v in versions}
    objectives = _objectives(session, list(number_of))
    searches = {
        int(s.id or 0): s
        for s in session.exec(
            select(Search).where(col(Search.id).in_([d.search_id for d in drafts]))
        ).all()
    }
    by_draft: dict[int, Json] = {}
    for draft in drafts:
        search = searches.get(draft.search_id)
        by_draft[int(draft.id or 0)] = {
            "id": draft.id,
            "company": search.company if search else "",
            "status": draft.status,
            "current_version": draft.current_version,
            "channel_id": draft.channel_id,
            "message_ts": draft.message_ts,
            "created_at": _at(draft.created_at),
            "updated_at": _at(draft.updated_at),
            "versions": [],
            "reactions_received": [],
            "feedback_received": [],
            "feedback_requests": [],
        }
    for version in versions:
        by_draft[version.draft_id]["versions"].append(
            {
                "number": version.number,
                "role": version.role,
                "stage": version.stage,
                "mission": version.mission,
                "created_at": _at(version.created_at),
                "objectives": objectives.get(int(version.id or 0), []),
            }
        )
    if number_of:
        for reaction in session.exec(
            select(ReactionFeedback)
            .where(col(ReactionFeedback.version_id).in_(list(number_of)))
            .where(col(ReactionFeedback.present))
            .order_by(col(ReactionFeedback.version_id), col(ReactionFeedback.user_id))
        ).all():
            draft_id, number = number_of[reaction.version_id]
            by_draft[draft_id]["reactions_received"].append(
                {"version": number, "emoji": reaction.emoji, "user_id": reaction.user_id}
            )
        for feedback in session.exec(
            select(WrittenFeedback)
            .where(col(WrittenFeedback.version_id).in_(list(number_of)))
            .order_by(col(WrittenFeedback.created_at), col(WrittenFeedback.id))
        ).all():
            draft_id, number = number_of[feedback.version_id]
            by_draft[draft_id]["feedback_received"].append(
                {
                    "version": number,
                    "anonymous": feedback.anonymous,
                    # Who wrote anonymous feedback stays unknown, to the member too.
                    "author_id": None if feedback.anonymous else feedback.user_id,
                    **_written(feedback),
                }
            )
    if draft_ids:
        requests = session.exec(
            select(FeedbackRequest)
            .where(col(FeedbackRequest.draft_id).in_(draft_ids))
            .order_by(col(FeedbackRequest.id))
        ).all()
        asked: dict[int, list[str]] = defaultdict(list)
        for ask in session.exec(
            select(FeedbackAsk)
            .where(col(FeedbackAsk.request_id).in_([r.id for r in requests]))
            .order_by(col(FeedbackAsk.user_id))
        ).all():
            asked[ask.request_id].append(ask.user_id)
        for request in requests:
            by_draft[int(request.draft_id or 0)]["feedback_requests"].append(
                {
                    "deadline": _at(request.deadline),
                    "status": request.status,
                    "created_at": _at(request.created_at),
                    "asked": asked.get(int(request.id or 0), []),
                }
            )
    return list(by_draft.values())


def _written(feedback: WrittenFeedback) -> Json:
    return {
        "strong": feedback.strong,
        "unclear": feedback.unclear,
        "missing": feedback.missing,
        "suggested_key_result": feedback.suggested_key_result,
        "created_at": _at(feedback.created_at),
    }


def _others_versions(team_id: str, user_id: str) -> Any:
    """The versions of the workspace's drafts that are not the member's."""
    return (
        select(MissionVersion.id)
        .where(col(MissionVersion.draft_id).in_(_team_drafts(team_id)))
        .where(
            col(MissionVersion.draft_id).not_in(
                select(MissionDraft.id).where(MissionDraft.author_id == user_id)
            )
        )
    )


def _written_given(
    session: Session, *, team_id: str, user_id: str
) -> list[tuple[WrittenFeedback, MissionVersion]]:
    """The member's written feedback on other members' drafts, anonymous included (its
    writer decrypted in Python: see storage.missions.written_by), oldest first."""
    rows = written_by(session, user_id=user_id, version_ids=_others_versions(team_id, user_id))
    versions = {
        int(v.id or 0): v
        for v in session.exec(
            select(MissionVersion).where(col(MissionVersion.id).in_({r.version_id for r in rows}))
        ).all()
    }
    return [(row, versions[row.version_id]) for row in rows if row.version_id in versions]


def _given(session: Session, *, team_id: str, user_id: str) -> tuple[list[Json], list[Json]]:
    """The member's written feedback and reactions on other members' drafts: only what
    they wrote and which draft (its id and version number), nothing of the draft itself."""
    others = _others_versions(team_id, user_id)
    written = [
        {
            "draft_id": version.draft_id,
            "version": version.number,
            "anonymous": feedback.anonymous,
            "posted": feedback.message_ts is not None,
            **_written(feedback),
        }
        for feedback, version in _written_given(session, team_id=team_id, user_id=user_id)
    ]
    reactions = [
        {"draft_id": version.draft_id, "version": version.number, "emoji": reaction.emoji}
        for reaction, version in session.exec(
            select(ReactionFeedback, MissionVersion)
            .join(MissionVersion, col(MissionVersion.id) == ReactionFeedback.version_id)
            .where(ReactionFeedback.user_id == user_id)
            .where(col(ReactionFeedback.present))
            .where(col(ReactionFeedback.version_id).in_(others))
            .order_by(col(MissionVersion.draft_id), col(MissionVersion.number))
        ).all()
    ]
    return written, reactions


def _asked_of(session: Session, *, team_id: str, user_id: str) -> list[Json]:
    return [
        {"draft_id": request.draft_id, "deadline": _at(request.deadline), "status": request.status}
        for request in session.exec(
            select(FeedbackRequest)
            .join(FeedbackAsk, col(FeedbackAsk.request_id) == FeedbackRequest.id)
            .join(MissionDraft, col(MissionDraft.id) == FeedbackRequest.draft_id)
            .where(FeedbackAsk.user_id == user_id)
            .where(MissionDraft.author_id != user_id)
            .where(col(FeedbackRequest.draft_id).in_(_team_drafts(team_id)))
            .order_by(col(FeedbackRequest.id))
        ).all()
    ]


def _events(session: Session, *, team_id: str, user_id: str) -> list[Json]:
    rows = session.exec(
        select(InterviewEvent, Debrief)
        .outerjoin(Debrief, col(Debrief.event_id) == InterviewEvent.id)
        .where(InterviewEvent.team_id == team_id, InterviewEvent.user_id == user_id)
        .order_by(col(InterviewEvent.starts_at), col(InterviewEvent.id))
    ).all()
    return [
        {
            "company": event.company,
            "kind": event.kind,
            "starts_at": _at(event.starts_at),
            "time_zone": event.tz,
            "with_whom": event.with_whom,
            "partners": list(event.partner_ids),
            "status": event.status,
            "channel_id": event.channel_id,
            "created_at": _at(event.created_at),
            "debrief": None
            if debrief is None
            else {
                "rating": debrief.rating,
                "went_well": debrief.went_well,
                "worries": debrief.worries,
                "asked": debrief.asked,
                "inner_critic": debrief.inner_critic,
                "evidence": debrief.evidence,
                "wants": debrief.wants,
                "private": debrief.private,
                "posted_at": _at(debrief.posted_at),
            },
        }
        for event, debrief in rows
    ]


def _checklists(session: Session, *, team_id: str, user_id: str) -> list[Json]:
    rows = session.exec(
        select(BackchannelChecklist, Search)
        .join(Search, col(Search.id) == BackchannelChecklist.search_id)
        .where(BackchannelChecklist.team_id == team_id, BackchannelChecklist.user_id == user_id)
        .order_by(col(BackchannelChecklist.id))
    ).all()
    people: dict[int, list[Json]] = defaultdict(list)
    for person in session.exec(
        select(BackchannelPerson)
        .where(col(BackchannelPerson.checklist_id).in_([c.id for c, _s in rows]))
        .order_by(col(BackchannelPerson.id))
    ).all():
        people[person.checklist_id].append(
            {
                "name": person.name,
                "relation": person.relation,
                "slack_user_id": person.slack_user_id,
                "status": person.status,
                "signal": person.signal,
                "notes": person.notes,
                "asked_at": _at(person.asked_at),
                "answered_at": _at(person.answered_at),
            }
        )
    return [
        {
            "company": search.company,
            "manager_name": checklist.manager_name,
            "status": checklist.status,
            "created_at": _at(checklist.created_at),
            "updated_at": _at(checklist.updated_at),
            "people": people.get(int(checklist.id or 0), []),
        }
        for checklist, search in rows
    ]


def _plans(session: Session, *, team_id: str, user_id: str) -> list[Json]:
    rows = session.exec(
        select(NegotiationPlan, Search, NegotiationCompensation)
        .join(Search, col(Search.id) == NegotiationPlan.search_id)
        .outerjoin(
            NegotiationCompensation, col(NegotiationCompensation.plan_id) == NegotiationPlan.id
        )
        .where(NegotiationPlan.team_id == team_id, NegotiationPlan.user_id == user_id)
        .order_by(col(NegotiationPlan.id))
    ).all()
    legs: dict[int, list[Json]] = defaultdict(list)
    for leg, objective in session.exec(
        select(NegotiationLeg, Objective)
        .outerjoin(Objective, col(Objective.id) == NegotiationLeg.objective_id)
        .where(col(NegotiationLeg.plan_id).in_([p.id for p, _s, _c in rows]))
        .order_by(col(NegotiationLeg.plan_id), col(NegotiationLeg.id))
    ).all():
        legs[leg.plan_id].append(
            {
                "leg": leg.leg,
                "ask": leg.ask,
                "status": leg.status,
                "objective": objective.text if objective is not None else None,
            }
        )
    return [
        {
            "company": search.company,
            "checklist": _json_list(plan.checklist),
            "shared_at": _at(plan.shared_at),
            "created_at": _at(plan.created_at),
            "updated_at": _at(plan.updated_at),
            "legs": legs.get(int(plan.id or 0), []),
            "compensation": None
            if money is None
            else {"currency": money.currency, "offer": money.offer, "target": money.target},
        }
        for plan, search, money in rows
    ]


def export_of(session: Session, *, team_id: str, user_id: str) -> Json:
    """Everything held about the member, section by section (see bot.features.council.rules)."""
    member = get_member(session, team_id=team_id, user_id=user_id)
    written, reactions = _given(session, team_id=team_id, user_id=user_id)
    return {
        "member": None if member is None else {"time_zone": member.tz},
        "searches": [
            {
                "company": s.company,
                "role": s.role,
                "stage": s.stage,
                "created_at": _at(s.created_at),
            }
            for s in session.exec(
                select(Search)
                .where(Search.team_id == team_id, Search.user_id == user_id)
                .order_by(col(Search.id))
            ).all()
        ],
        "drafts": _drafts(session, team_id=team_id, user_id=user_id),
        "feedback_given": written,
        "reactions_given": reactions,
        "feedback_asked_of_you": _asked_of(session, team_id=team_id, user_id=user_id),
        "interview_events": _events(session, team_id=team_id, user_id=user_id),
        "gratitude_house": [
            {"name": p.name, "note": p.note, "created_at": _at(p.created_at)}
            for p in session.exec(
                select(GratitudePerson)
                .where(GratitudePerson.team_id == team_id, GratitudePerson.user_id == user_id)
                .order_by(col(GratitudePerson.id))
            ).all()
        ],
        "backchannel_checklists": _checklists(session, team_id=team_id, user_id=user_id),
        "backchannel_shares": [
            {
                "channel_id": share.channel_id,
                "message_ts": share.message_ts,
                "created_at": _at(share.created_at),
            }
            for share in shares_of(session, team_id=team_id, user_id=user_id)
        ],
        "negotiation_plans": _plans(session, team_id=team_id, user_id=user_id),
        "reminders": [
            {
                "kind": r.kind,
                "due_at": _at(r.due_at),
                "status": r.status,
                "sent_at": _at(r.sent_at),
                "created_at": _at(r.created_at),
            }
            for r in session.exec(
                select(Reminder)
                .where(Reminder.team_id == team_id, Reminder.user_id == user_id)
                .order_by(col(Reminder.due_at), col(Reminder.id))
            ).all()
        ],
        # `/fit`: Two-Pager and statement versions, suggestions written for others.
        **fit.export_member(session, team_id=team_id, user_id=user_id),
        # Written feedback on plans, Two-Pagers and statements: given, and received.
        "review_notes_given": [
            {
                "on": n.subject_kind,
                "author_id": n.author_id,
                "without_name": n.anonymous,
                "text": n.text,
                "created_at": _at(n.created_at),
            }
            for n in reviews.notes_written_by(session, team_id=team_id, user_id=user_id)
        ],
        "review_notes_received": [
            {
                "on": n.subject_kind,
                "from": None if n.anonymous else n.user_id,
                "text": n.text,
                "created_at": _at(n.created_at),
            }
            for n in reviews.notes_received(session, team_id=team_id, user_id=user_id)
        ],
    }


# --- erase ---------------------------------------------------------------------------------------


@dataclass
class EraseTargets:
    """What changes in Slack when a member's data goes."""

    # The bot's messages showing it: (channel, ts).
    messages: list[tuple[str, str]] = field(default_factory=list)
    # Other members' drafts whose tally or thread loses the member's feedback (posted ones).
    drafts: list[int] = field(default_factory=list)
    # Other members whose Home shows something that goes (those drafts, requests to them).
    homes: set[str] = field(default_factory=set)
    # The member's own drafts and requests, for the reminders about them.
    own_drafts: list[int] = field(default_factory=list)
    own_requests: list[int] = field(default_factory=list)


def erase_targets(session: Session, *, team_id: str, user_id: str) -> EraseTargets:
    found = EraseTargets()
    messages: list[tuple[str | None, str | None]] = []
    own = _own_drafts(session, team_id=team_id, user_id=user_id)
    found.own_drafts = [int(d.id or 0) for d in own]
    channel_of = {int(d.id or 0): d.channel_id for d in own}
    messages.extend((d.channel_id, d.message_ts) for d in own)
    if found.own_drafts:
        for feedback, version in session.exec(
            select(WrittenFeedback, MissionVersion)
            .join(MissionVersion, col(MissionVersion.id) == WrittenFeedback.version_id)
            .where(col(MissionVersion.draft_id).in_(found.own_drafts))
        ).all():
            messages.append((channel_of[version.draft_id], feedback.message_ts))
    # The member's review requests, on drafts and on anything else they put up for review.
    for request in session.exec(
        select(FeedbackRequest).where(
            FeedbackRequest.team_id == team_id, FeedbackRequest.author_id == user_id
        )
    ).all():
        found.own_requests.append(int(request.id or 0))
        messages.append((request.channel_id, request.thread_ts))
    for ask in session.exec(
        select(FeedbackAsk).where(col(FeedbackAsk.request_id).in_(found.own_requests))
    ).all():
        messages.append((ask.nudge_channel, ask.nudge_ts))
        if ask.user_id != user_id:
            found.homes.add(ask.user_id)
    # Feedback the member gave on other members' drafts: its thread message, the tally.
    given_rows = _written_given(session, team_id=team_id, user_id=user_id)
    drafts_given = {
        int(d.id or 0): d
        for d in session.exec(
            select(MissionDraft).where(
                col(MissionDraft.id).in_({version.draft_id for _f, version in given_rows})
            )
        ).all()
    }
    given = [
        (drafts_given[version.draft_id], feedback)
        for feedback, version in given_rows
        if version.draft_id in drafts_given
    ]
    reacted = session.exec(
        select(MissionDraft)
        .join(MissionVersion, col(MissionVersion.draft_id) == MissionDraft.id)
        .join(ReactionFeedback, col(ReactionFeedback.version_id) == MissionVersion.id)
        .where(col(MissionDraft.id).in_(_team_drafts(team_id)))
        .where(MissionDraft.author_id != user_id, ReactionFeedback.user_id == user_id)
    ).all()
    touched: dict[int, MissionDraft] = {}
    for draft, feedback in given:
        messages.append((draft.channel_id, feedback.message_ts))
        touched[int(draft.id or 0)] = draft
    for draft in reacted:
        touched[int(draft.id or 0)] = draft
    for draft_id, draft in sorted(touched.items()):
        found.homes.add(draft.author_id)
        if draft.message_ts and draft.status != "withdrawn":
            found.drafts.append(draft_id)
    for debrief in session.exec(
        select(Debrief)
        .join(InterviewEvent, col(InterviewEvent.id) == Debrief.event_id)
        .where(InterviewEvent.team_id == team_id, InterviewEvent.user_id == user_id)
    ).all():
        messages.append((debrief.channel_id, debrief.message_ts))
    for checklist in session.exec(
        select(BackchannelChecklist).where(
            BackchannelChecklist.team_id == team_id, BackchannelChecklist.user_id == user_id
        )
    ).all():
        messages.append((checklist.channel_id, checklist.message_ts))
    for plan in session.exec(
        select(NegotiationPlan).where(
            NegotiationPlan.team_id == team_id, NegotiationPlan.user_id == user_id
        )
    ).all():
        messages.append((plan.shared_channel_id, plan.shared_ts))
    for share in shares_of(session, team_id=team_id, user_id=user_id):
        messages.append((share.channel_id, share.message_ts))
    # `/fit`: posted Two-Pager and statement versions, and the DMs carrying suggestions.
    messages.extend(fit.erase_messages(session, team_id=team_id, user_id=user_id))
    # Written feedback on plans, Two-Pagers and statements: the member's own notes (named
    # or not) and those on their subjects, in the threads.
    for note in [
        *reviews.notes_written_by(session, team_id=team_id, user_id=user_id),
        *reviews.notes_received(session, team_id=team_id, user_id=user_id),
    ]:
        messages.append((note.channel_id, note.message_ts))
    seen: set[tuple[str, str]] = set()
    for channel, ts in messages:
        if channel and ts and (channel, ts) not in seen:
            seen.add((channel, ts))
            found.messages.append((channel, ts))
    found.homes.discard(user_id)
    return found


def erase_unlinked(session: Session, *, team_id: str, user_id: str) -> dict[str, dict[str, int]]:
    """Delete what storage.purge.purge_member finds by no member column, in the caller's
    transaction: the member's anonymous feedback on other members' drafts (its writer is
    stored only encrypted; found in Python, see storage.missions.written_by) and the
    summaries of checklists they shared. The rows deleted, per erase step and table.

    Run it before purge_member: it deletes rows that one would otherwise miss, and nothing
    purge_member counts, so adding the two counts counts each row once.
    """
    if not team_id or not user_id:
        raise ValueError("team_id and user_id are required")
    anonymous = [
        int(feedback.id or 0)
        for feedback, _version in _written_given(session, team_id=team_id, user_id=user_id)
        if feedback.anonymous
    ]
    found: dict[str, dict[str, int]] = {}
    if anonymous:
        result = session.exec(delete(WrittenFeedback).where(col(WrittenFeedback.id).in_(anonymous)))
        found["feedback_given"] = {"written_feedback": int(result.rowcount or 0)}
    sealed = reviews.delete_sealed_notes(session, team_id=team_id, user_id=user_id)
    if sealed:
        found["reviews"] = {"review_notes": sealed}
    shares = [int(share.id or 0) for share in shares_of(session, team_id=team_id, user_id=user_id)]
    if shares:
        result = session.exec(delete(BackchannelShare).where(col(BackchannelShare.id).in_(shares)))
        found["checklists"] = {"backchannel_shares": int(result.rowcount or 0)}
    return found
