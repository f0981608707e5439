"""After two interviews with a company, the author is privately invited to walk the hiring
manager through the draft live, once, and can mark it shared."""

from __future__ import annotations

import json
from datetime import time, timedelta

from sqlmodel import Session, select

from bot.features.missions.service import SHARE_LIVE_KIND
from bot.features.missions.views import ACTION_MARK_SHARED
from storage.missions import MissionDraft
from storage.reminders import Reminder
from tests.handlers.conftest import PostedDraft
from tests.handlers.test_debriefs import dms_to, log_event, slot
from tests.plugins.slack import Slack

NEW_YORK = "America/New_York"


def search_of(slack: Slack, draft: PostedDraft) -> int:
    with Session(slack.engine) as session:
        row = session.get(MissionDraft, draft.draft_id)
        assert row is not None
        return row.search_id


def run_until(slack: Slack, until: object, step: timedelta = timedelta(minutes=30)) -> None:
    while slack.clock.now < until:  # type: ignore[operator]
        slack.fast_forward(step)


def suggestions(slack: Slack) -> list:
    return [c for c in dms_to(slack, slack.noor) if "walk the hiring manager" in json.dumps(c.args)]


def test_one_interview_brings_no_suggestion(slack: Slack, posted_draft: PostedDraft) -> None:
    day, at, when = slot(slack, days=1, at=time(10, 0), tz=NEW_YORK)
    log_event(
        slack, slack.noor, company=None, search_id=search_of(slack, posted_draft), day=day, at=at
    )
    run_until(slack, when + timedelta(hours=6))
    assert suggestions(slack) == []
    with Session(slack.engine) as session:
        assert session.exec(select(Reminder).where(Reminder.kind == SHARE_LIVE_KIND)).all() == []


def test_after_the_second_interview_the_author_is_invited_once(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    search = search_of(slack, posted_draft)
    first_day, first_at, _ = slot(slack, days=1, at=time(10, 0), tz=NEW_YORK)
    second_day, second_at, second = slot(slack, days=3, at=time(11, 0), tz=NEW_YORK)
    log_event(slack, slack.noor, company=None, search_id=search, day=first_day, at=first_at)
    log_event(slack, slack.noor, company=None, search_id=search, day=second_day, at=second_at)

    run_until(slack, second + timedelta(hours=2))
    assert suggestions(slack) == []  # not before the second interview has happened
    run_until(slack, second + timedelta(days=2))
    sent = suggestions(slack)
    assert len(sent) == 1
    assert "Acme Robotics" in json.dumps(sent[0].args["blocks"])
    assert ACTION_MARK_SHARED in json.dumps(sent[0].args["blocks"])

    # A third interview brings no second suggestion.
    third_day, third_at, third = slot(slack, days=1, at=time(15, 0), tz=NEW_YORK)
    log_event(slack, slack.noor, company=None, search_id=search, day=third_day, at=third_at)
    run_until(slack, third + timedelta(days=1))
    assert len(suggestions(slack)) == 1


def invited(slack: Slack, draft: PostedDraft) -> tuple[str, str]:
    """Two interviews, then the suggestion in Noor's DM: (DM channel, message ts)."""
    search = search_of(slack, draft)
    for days, hour in ((1, 10), (2, 10)):
        day, at, when = slot(slack, days=days, at=time(hour, 0), tz=NEW_YORK)
        log_event(slack, slack.noor, company=None, search_id=search, day=day, at=at)
    run_until(slack, when + timedelta(days=1))
    (sent,) = suggestions(slack)
    return str(sent.response["channel"]), str(sent.response["ts"])


def test_marking_it_shared_updates_the_draft(slack: Slack, posted_draft: PostedDraft) -> None:
    channel, ts = invited(slack, posted_draft)
    slack.settle()
    updates = len(
        [c for c in slack.standin.calls_to("chat.update") if c.args["ts"] == posted_draft.ts]
    )
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_MARK_SHARED,
        value=str(posted_draft.draft_id),
        channel=channel,
        message_ts=ts,
    )
    found = slack.standin.wait_for(
        "chat.update", predicate=lambda c: c.args["ts"] == posted_draft.ts, count=updates + 1
    )
    update = found[-1] if isinstance(found, list) else found
    assert update.ok
    slack.settle()
    with Session(slack.engine) as session:
        row = session.get(MissionDraft, posted_draft.draft_id)
        assert row is not None and row.status == "shared"


def _draft_message_text(slack: Slack, draft: PostedDraft) -> str:
    return json.dumps(slack.workspace.get_message(draft.channel, draft.ts)["blocks"])


def test_a_new_draft_carries_no_share_live_tip_until_two_interviews_happened(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    assert "walk the hiring manager" not in _draft_message_text(slack, posted_draft)
    invited(slack, posted_draft)
    slack.settle()
    assert "walk the hiring manager" in _draft_message_text(slack, posted_draft)


def test_the_share_live_tip_goes_once_the_draft_is_marked_shared(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    channel, ts = invited(slack, posted_draft)
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_MARK_SHARED,
        value=str(posted_draft.draft_id),
        channel=channel,
        message_ts=ts,
    )
    slack.settle()
    assert "walk the hiring manager" not in _draft_message_text(slack, posted_draft)
