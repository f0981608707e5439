""" "Request feedback by <deadline>": the ask, nudges outside quiet hours, the digest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.cli import build_runtime
from bot.features.feedback_requests.rules import DIGEST_KIND, NUDGE_KIND
from bot.features.feedback_requests.views import BLOCK_DATE, BLOCK_MEMBERS, BLOCK_TIME
from bot.features.missions.views import ACTION_REQUEST
from bot.sandbox.standin import driver as payloads
from bot.services import Services
from storage.missions import FeedbackAsk, FeedbackRequest
from storage.reminders import Reminder
from tests.handlers.conftest import PostedDraft
from tests.plugins.slack import Slack

# Wednesday 25 Nov 2026, 15:00 UTC = 10:00 in New York (Noor, the author).
START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# Friday 27 Nov 18:00 in New York = 23:00 UTC.
DEADLINE = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)


@pytest.fixture
def draft(slack: Slack, posted_draft: PostedDraft) -> PostedDraft:
    slack.clock.now = START
    return posted_draft


def open_request_modal(slack: Slack, draft: PostedDraft, user: str) -> str | None:
    before = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=user,
        action_id=ACTION_REQUEST,
        value=str(draft.draft_id),
        channel=draft.channel,
        message_ts=draft.ts,
    )
    if user != slack.noor:
        return None
    opened = slack.standin.wait_for("views.open", count=before + 1)
    opened = opened[-1] if isinstance(opened, list) else opened
    assert opened.ok, opened.describe()
    return str(opened.response["view"]["id"])


def submit(
    slack: Slack,
    view_id: str,
    *,
    day: str = "2026-11-27",
    at: str = "18:00",
    members: list[str] | None = None,
):
    values = {
        BLOCK_DATE: {BLOCK_DATE: payloads.datepicker(day)},
        BLOCK_TIME: {BLOCK_TIME: payloads.timepicker(at)},
        BLOCK_MEMBERS: {BLOCK_MEMBERS: payloads.users(members or [])},
    }
    return slack.driver.view_submission(user=slack.noor, view_id=view_id, values=values)


def request_feedback(slack: Slack, draft: PostedDraft, **options: object) -> None:
    view_id = open_request_modal(slack, draft, slack.noor)
    assert view_id is not None
    answer = submit(slack, view_id, **options)  # type: ignore[arg-type]
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == draft.ts
    )


def run_until(slack: Slack, when: datetime, *, step: timedelta = timedelta(minutes=30)) -> int:
    """Advance the app's clock to `when` the way a running bot lives through it: looking
    for due reminders at every step. How many were sent."""
    sent = 0
    while slack.clock.now < when:
        sent += slack.fast_forward(min(step, when - slack.clock.now)).sent
    return sent


def dms_to(slack: Slack, user: str) -> list:
    return [
        c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == user and c.ok
    ]


def reminders(slack: Slack, kind: str) -> list[Reminder]:
    with Session(slack.engine) as session:
        return list(
            session.exec(
                select(Reminder).where(Reminder.kind == kind).order_by(col(Reminder.user_id))
            ).all()
        )


def test_only_the_author_can_request_feedback(slack: Slack, draft: PostedDraft) -> None:
    open_request_modal(slack, draft, slack.lena)
    refusal = slack.standin.wait_for("response_url")
    assert "author" in refusal.args["text"]
    assert slack.standin.calls_to("views.open") == []


def test_the_modal_is_in_the_authors_time_zone(slack: Slack, draft: PostedDraft) -> None:
    open_request_modal(slack, draft, slack.noor)
    opened = slack.standin.calls_to("views.open")[0]
    assert "America/New_York" in json.dumps(opened.args["view"])


def test_a_deadline_in_the_past_gets_an_inline_error(slack: Slack, draft: PostedDraft) -> None:
    view_id = open_request_modal(slack, draft, slack.noor)
    assert view_id is not None
    answer = submit(slack, view_id, day="2026-11-24")
    assert answer.json is not None and BLOCK_DATE in answer.json["errors"]
    with Session(slack.engine) as session:
        assert session.exec(select(FeedbackRequest)).all() == []


def test_asking_a_non_member_only_gets_an_inline_error(slack: Slack, draft: PostedDraft) -> None:
    outsider = slack.workspace.add_user(name="visitor", real_name="Visitor", tz="UTC").id
    view_id = open_request_modal(slack, draft, slack.noor)
    assert view_id is not None
    answer = submit(slack, view_id, members=[outsider])
    assert answer.json is not None and BLOCK_MEMBERS in answer.json["errors"]


def test_the_request_is_one_thread_message_naming_everyone_asked(
    slack: Slack, draft: PostedDraft
) -> None:
    request_feedback(slack, draft)
    ask = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == draft.ts
    )
    text = json.dumps(ask.args["blocks"])
    for member in (slack.lena, slack.arjun, slack.maya):
        assert f"<@{member}>" in text
    assert text.count("<@U0NOOR0001>") == 1  # the author is named as asking, not asked
    with Session(slack.engine) as session:
        asked = session.exec(select(FeedbackAsk.user_id)).all()
    assert sorted(asked) == sorted([slack.lena, slack.arjun, slack.maya])
    assert len(reminders(slack, NUDGE_KIND)) == 3 and len(reminders(slack, DIGEST_KIND)) == 1


def test_nudges_never_fall_in_a_members_night(slack: Slack, draft: PostedDraft) -> None:
    request_feedback(slack, draft)
    zones = {
        m[0]: m[3]
        for m in __import__("bot.sandbox.standin.state", fromlist=["DEMO_MEMBERS"]).DEMO_MEMBERS
    }
    for reminder in reminders(slack, NUDGE_KIND):
        local = reminder.due_at.astimezone(ZoneInfo(zones[reminder.user_id]))
        assert 8 <= local.hour < 21, (reminder.user_id, local)
        assert reminder.due_at < DEADLINE
    # A day before the deadline is midnight in Berlin and 04:30 in Kolkata: both move to 08:00.
    by_user = {r.user_id: r.due_at for r in reminders(slack, NUDGE_KIND)}
    assert by_user[slack.lena].astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "08:00"
    assert by_user[slack.arjun].astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M") == "08:00"
    assert by_user[slack.maya] == DEADLINE - timedelta(hours=24)  # 15:00 in Los Angeles


def test_members_who_already_reacted_are_not_nudged_and_nobody_twice(
    slack: Slack, draft: PostedDraft
) -> None:
    request_feedback(slack, draft)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=draft.ts, name="+1")
    slack.standin.wait_for("chat.update")
    # Three nudges fall due; Lena's is moot (she reacted), so it is marked done unsent.
    assert run_until(slack, DEADLINE - timedelta(hours=1)) == 3
    assert dms_to(slack, slack.lena) == []
    assert len(dms_to(slack, slack.arjun)) == 1 and len(dms_to(slack, slack.maya)) == 1
    nudge = dms_to(slack, slack.maya)[0]
    assert "Give feedback" in json.dumps(nudge.args["blocks"])
    slack.runtime.services.reminders.dispatch_due()  # a second pass sends nothing again
    assert len(dms_to(slack, slack.arjun)) == 1 and len(dms_to(slack, slack.maya)) == 1


def _nudge_of(slack: Slack, user: str):
    """The nudge DM `user` got, once the nudges fell due."""
    run_until(slack, DEADLINE - timedelta(hours=1))
    (nudge,) = dms_to(slack, user)
    return nudge


def _buttons_on(slack: Slack, channel: str, ts: str) -> list[str]:
    blocks = slack.workspace.get_message(channel, ts).get("blocks") or []
    return [e.get("action_id", "") for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_feedback_written_from_the_nudge_closes_it_and_is_confirmed_in_the_dm(
    slack: Slack, draft: PostedDraft
) -> None:
    from bot.features.missions.views import ACTION_FEEDBACK

    request_feedback(slack, draft)
    nudge = _nudge_of(slack, slack.maya)
    dm, ts = nudge.response["channel"], nudge.response["ts"]
    assert ACTION_FEEDBACK in _buttons_on(slack, dm, ts)
    opened_before = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(user=slack.maya, action_id=ACTION_FEEDBACK, channel=dm, message_ts=ts)
    opened = slack.standin.wait_for("views.open", count=opened_before + 1)[-1]
    slack.driver.view_submission(
        user=slack.maya,
        view_id=opened.response["view"]["id"],
        values={"strong": {"strong": payloads.plain("The mission is crisp.")}},
    )
    slack.settle()
    # The nudge is answered: its buttons are gone, and it says thanks.
    assert _buttons_on(slack, dm, ts) == []
    assert "Thank you" in json.dumps(slack.workspace.get_message(dm, ts))
    # And the posting is confirmed in the DM she wrote from, with a link to it.
    thanks = [c for c in dms_to(slack, slack.maya) if "feedback is posted" in c.args["text"]]
    assert len(thanks) == 1 and "|See it>" in thanks[0].args["text"]


def test_a_reaction_closes_the_members_nudge(slack: Slack, draft: PostedDraft) -> None:
    request_feedback(slack, draft)
    nudge = _nudge_of(slack, slack.arjun)
    dm, ts = nudge.response["channel"], nudge.response["ts"]
    slack.driver.react(user=slack.arjun, channel=slack.council, ts=draft.ts, name="bulb")
    slack.settle()
    assert _buttons_on(slack, dm, ts) == []
    # Maya has not answered: hers keeps its buttons.
    (maya,) = dms_to(slack, slack.maya)
    assert _buttons_on(slack, maya.response["channel"], maya.response["ts"]) != []


def test_the_author_gets_a_digest_at_the_deadline(slack: Slack, draft: PostedDraft) -> None:
    request_feedback(slack, draft)
    slack.driver.react(user=slack.arjun, channel=slack.council, ts=draft.ts, name="bulb")
    slack.standin.wait_for("chat.update")
    run_until(slack, DEADLINE + timedelta(minutes=1))
    digest = dms_to(slack, slack.noor)
    assert len(digest) == 1
    text = json.dumps(digest[0].args["blocks"])
    assert "Responded (1 of 3 asked)" in text
    assert f"<@{slack.arjun}>" in text
    assert f"No reaction or feedback under their name from (2):* <@{slack.lena}>, " in text
    with Session(slack.engine) as session:
        assert session.exec(select(FeedbackRequest)).one().status == "closed"
    slack.fast_forward(timedelta(hours=1))
    assert len(dms_to(slack, slack.noor)) == 1


def test_the_digest_reports_the_tally_without_the_channels_invitation_to_react(
    slack: Slack, draft: PostedDraft
) -> None:
    request_feedback(slack, draft)
    slack.driver.react(user=slack.arjun, channel=slack.council, ts=draft.ts, name="bulb")
    slack.settle()
    run_until(slack, DEADLINE + timedelta(minutes=1))
    (digest,) = dms_to(slack, slack.noor)
    text = json.dumps(digest.args["blocks"])
    assert "React to this message" not in text  # a DM is not the draft to react to
    tally = next(
        b["text"]["text"]
        for b in digest.args["blocks"]
        if b["type"] == "section" and "Reactions on the draft" in b["text"]["text"]
    )
    assert f":bulb:  An idea, or something missing  ·  *1*  <@{slack.arjun}>" in tally


def test_a_digest_whose_first_send_fails_is_sent_on_the_retry(
    slack: Slack, draft: PostedDraft
) -> None:
    # Issue 11, item 5: the request was closed before the post, so the retry found it
    # closed, called the digest moot, and the author never got one.
    request_feedback(slack, draft)
    run_until(slack, DEADLINE - timedelta(minutes=5))  # the nudges go first
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)  # past retries
    run_until(slack, DEADLINE + timedelta(minutes=1))
    assert dms_to(slack, slack.noor) == []
    with Session(slack.engine) as session:
        assert session.exec(select(FeedbackRequest)).one().status == "open"
    run_until(slack, DEADLINE + timedelta(hours=2))  # the engine's retry
    assert len(dms_to(slack, slack.noor)) == 1
    with Session(slack.engine) as session:
        assert session.exec(select(FeedbackRequest)).one().status == "closed"
    run_until(slack, DEADLINE + timedelta(hours=6))
    assert len(dms_to(slack, slack.noor)) == 1  # once


def test_reminders_survive_a_restart_and_are_sent_once(slack: Slack, draft: PostedDraft) -> None:
    request_feedback(slack, draft)
    # A new process on the same database: a fresh runtime with its own reminder engine.
    restarted = build_runtime(
        slack.runtime.settings, services=Services(engine=slack.engine, clock=slack.clock)
    )
    first = second = 0
    while slack.clock.now < DEADLINE + timedelta(minutes=1):
        slack.clock.advance(timedelta(minutes=30))
        first += restarted.services.reminders.dispatch_due().sent
        second += slack.runtime.services.reminders.dispatch_due().sent
    assert first == 4 and second == 0
    assert len(dms_to(slack, slack.noor)) == 1
    for member in (slack.lena, slack.arjun, slack.maya):
        assert len(dms_to(slack, member)) == 1


def test_the_digest_never_unmasks_anonymous_feedback(slack: Slack, draft: PostedDraft) -> None:
    from bot.features.feedback.views import BLOCK_ANONYMOUS
    from bot.features.missions.views import ACTION_FEEDBACK

    request_feedback(slack, draft)
    slack.driver.block_action(
        user=slack.maya,
        action_id=ACTION_FEEDBACK,
        value=str(draft.draft_id),
        channel=draft.channel,
        message_ts=draft.ts,
    )
    opened = slack.standin.wait_for("views.open", count=2)[-1]  # after Noor's request modal
    slack.driver.view_submission(
        user=slack.maya,
        view_id=opened.response["view"]["id"],
        values={
            "strong": {"strong": payloads.plain("The mission is crisp.")},
            BLOCK_ANONYMOUS: {BLOCK_ANONYMOUS: payloads.checkboxes(["anonymous"])},
        },
    )
    slack.standin.wait_for("chat.postMessage", predicate=lambda c: "crisp" in json.dumps(c.args))
    run_until(slack, DEADLINE + timedelta(minutes=1))
    digest = dms_to(slack, slack.noor)[0]
    text = json.dumps(digest.args["blocks"])
    assert "The mission is crisp." in text
    responded = text.split("Responded", 1)[1].split("No reaction or feedback", 1)[0]
    assert slack.maya not in responded
    assert "some of them may have written it" in text
    # Maya wrote, so she got no nudge either.
    assert dms_to(slack, slack.maya) == []
