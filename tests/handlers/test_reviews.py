"""One review mechanism for everything a council reviews: "Request feedback by…" on a shared
negotiation plan and a posted Candidate-Market Fit statement gets a deadline, one nudge to
each asked member who has not reacted, and a digest for the author, like a draft's
(tests/handlers/test_feedback_requests.py) — through signed requests and the stand-in, on
SQLite and PostgreSQL. A plan's review never carries its figures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text as text_sql
from sqlmodel import Session, col, select

from bot.features.feedback_requests.rules import (
    ANONYMOUS_OPTION,
    DIGEST_KIND,
    FIELD_NOTE_ANONYMOUS,
    FIELD_NOTE_TEXT,
    NUDGE_KIND,
)
from bot.features.feedback_requests.views import BLOCK_DATE, BLOCK_MEMBERS, BLOCK_TIME
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from bot.ui.review import ACTION_NOTE, ACTION_REVIEW
from handlers.common import forget_channel_facts
from storage.missions import FeedbackRequest
from storage.reminders import Reminder, ReminderStatus
from storage.reviews import ReviewNote
from tests.handlers.test_fit import SENTENCE, WANT, save_statement, save_two_pager
from tests.handlers.test_fit import post as fit_post
from tests.handlers.test_negotiation import (
    _prepared,
    council_posts,
    eventually,
    mission,  # noqa: F401 - the fixture
    share,
    the_plan,
)
from tests.plugins.slack import Slack

# The plan's offer and target as typed (tests/handlers/test_negotiation) and as stored.
FIGURES = ("185,000", "185000", "200k", "200000", "USD")


def press(slack: Slack, user: str, posted: ApiCall, action_id: str) -> ApiCall | None:
    """`user` presses the button `action_id` on the posted message: the views.open call of
    the modal it opened, or None when none opened."""
    opened = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=user,
        action_id=action_id,
        channel=posted.args["channel"],
        message_ts=posted.response["ts"],
    )
    slack.settle()
    if len(slack.standin.calls_to("views.open")) > opened:
        return slack.standin.calls_to("views.open")[-1]
    return None


def press_review(slack: Slack, user: str, posted: ApiCall) -> ApiCall | None:
    """`user` presses "Request feedback by…" on the posted message: the modal Slack opened,
    or None when it answered privately instead."""
    answers = len(slack.standin.calls_to("response_url"))
    opened = press(slack, user, posted, ACTION_REVIEW)
    if opened is None:
        assert len(slack.standin.calls_to("response_url")) > answers
    return opened


def ask(
    slack: Slack, user: str, opened: ApiCall, *, deadline: datetime, members: list[str]
) -> dict[str, Any]:
    local = deadline.astimezone(ZoneInfo("America/New_York"))  # Noor's and Lena's zones differ
    tz = opened.args["view"]["blocks"][2]["hint"]["text"]
    assert "(" in tz
    values = {
        BLOCK_DATE: {BLOCK_DATE: payloads.datepicker(local.date().isoformat())},
        BLOCK_TIME: {BLOCK_TIME: payloads.timepicker(local.strftime("%H:%M"))},
        BLOCK_MEMBERS: {BLOCK_MEMBERS: payloads.users(members)},
    }
    answer = slack.driver.view_submission(
        user=user, view_id=opened.response["view"]["id"], values=values
    )
    assert answer.status == 200
    slack.settle()
    return answer.json or {}


def reminders(slack: Slack, kind: str) -> list[Reminder]:
    with Session(slack.engine) as session:
        return list(
            session.exec(
                select(Reminder).where(Reminder.kind == kind).order_by(col(Reminder.user_id))
            ).all()
        )


def dms_to(slack: Slack, user: str) -> list[ApiCall]:
    dm = slack.workspace.im_for(user)
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] in (user, dm.id if dm else None)
    ]


def text_of(call: ApiCall) -> str:
    return json.dumps({"text": call.args.get("text"), "blocks": call.args.get("blocks")})


def last_home(slack: Slack, user: str) -> str:
    published = [c for c in slack.standin.calls_to("views.publish") if c.args["user_id"] == user]
    assert published, user
    return json.dumps(published[-1].args["view"])


def run_until(slack: Slack, when: datetime) -> None:
    while slack.clock.now < when:
        slack.fast_forward(min(timedelta(minutes=30), when - slack.clock.now))


def test_a_shared_negotiation_plan_gets_a_deadline_one_nudge_and_a_digest_without_figures(
    slack: Slack,
    mission: tuple[int, list[Any]],  # noqa: F811
) -> None:
    plan = _prepared(slack)  # Lena's, with an offer and a target
    assert share(slack, slack.lena, plan, numbers=False, note="Too much?") == {}
    (posted,) = council_posts(slack)
    eventually(lambda: the_plan(slack, slack.lena).shared_ts == posted.response["ts"])
    assert ACTION_REVIEW in json.dumps(posted.args["blocks"])

    assert press_review(slack, slack.noor, posted) is None  # not her plan
    assert "Only its author" in text_of(slack.standin.calls_to("response_url")[-1])

    opened = press_review(slack, slack.lena, posted)
    assert opened is not None and opened.args["view"]["callback_id"] == "review_request_feedback"
    deadline = (slack.clock.now + timedelta(days=2)).replace(second=0, microsecond=0)
    assert not ask(slack, slack.lena, opened, deadline=deadline, members=[slack.noor, slack.arjun])
    thread = [c for c in council_posts(slack) if c.args.get("thread_ts") == posted.response["ts"]]
    assert len(thread) == 1 and "negotiation plan" in text_of(thread[0])
    with Session(slack.engine) as session:
        (request,) = session.exec(select(FeedbackRequest)).all()
    assert (request.subject_kind, request.author_id, request.draft_id) == (
        "negotiation_plan",
        slack.lena,
        None,
    )
    assert {r.user_id for r in reminders(slack, NUDGE_KIND)} == {slack.noor, slack.arjun}
    for member in (slack.noor, slack.arjun):  # their Homes list what they were asked
        home = last_home(slack, member)
        assert "Reviews asked of you" in home and f"<@{slack.lena}>'s negotiation plan" in home

    slack.driver.react(user=slack.noor, channel=slack.council, ts=posted.response["ts"], name="+1")
    slack.settle()
    assert "Reviews asked of you" not in last_home(slack, slack.noor)  # she answered
    assert "Reviews asked of you" in last_home(slack, slack.arjun)
    run_until(slack, deadline + timedelta(minutes=1))
    nudges = [c for c in dms_to(slack, slack.arjun) if "asked for your feedback" in text_of(c)]
    assert len(nudges) == 1 and "negotiation plan" in text_of(nudges[0])
    assert not [c for c in dms_to(slack, slack.noor) if "asked for your feedback" in text_of(c)]

    (digest,) = [c for c in dms_to(slack, slack.lena) if "request has closed" in text_of(c)]
    shown = text_of(digest)
    assert f"Responded (1 of 2 asked):* <@{slack.noor}>" in shown
    assert f"No reaction or feedback from (1):* <@{slack.arjun}>" in shown and ":+1: 1" in shown
    assert [r.status for r in reminders(slack, DIGEST_KIND)] == [ReminderStatus.SENT]
    with Session(slack.engine) as session:
        assert session.exec(select(FeedbackRequest)).one().status == "closed"
    # Everything the review sent anyone: the form, the thread ask, the confirmation, the
    # nudge and the digest (Lena's own plan view, which shows her numbers, is not one).
    calls = slack.standin.calls
    after_share = calls[calls.index(posted) + 1 :]
    sent = json.dumps(
        [
            c.args
            for c in after_share
            if c.method in ("chat.postMessage", "chat.postEphemeral", "views.open", "response_url")
        ]
    )
    assert "asked for your feedback" in sent and "request has closed" in sent
    for figure in FIGURES:
        assert figure not in sent, figure


@pytest.mark.parametrize(
    ("action", "title"),
    [("fit_post_statement", "Candidate-Market Fit statement"), ("fit_post_two_pager", "Two-Pager")],
)
def test_a_posted_statement_or_two_pager_is_reviewed_the_same_way(
    slack: Slack, action: str, title: str
) -> None:
    (save_statement if action == "fit_post_statement" else save_two_pager)(slack)
    posted = fit_post(slack, action)
    assert posted is not None
    opened = press_review(slack, slack.lena, posted)
    assert opened is not None
    deadline = (slack.clock.now + timedelta(days=1)).replace(second=0, microsecond=0)
    assert not ask(slack, slack.lena, opened, deadline=deadline, members=[slack.noor, slack.maya])
    slack.driver.react(user=slack.noor, channel=slack.council, ts=posted.response["ts"], name="+1")
    slack.settle()
    run_until(slack, deadline + timedelta(minutes=1))
    nudged = [c for c in dms_to(slack, slack.maya) if "asked for your feedback" in text_of(c)]
    assert len(nudged) == 1 and title in text_of(nudged[0])
    (digest,) = [c for c in dms_to(slack, slack.lena) if "request has closed" in text_of(c)]
    assert title in text_of(digest)
    assert f"Responded (1 of 2 asked):* <@{slack.noor}>" in text_of(digest)
    for secret in (SENTENCE, WANT):  # the subject's own words stay on its message
        assert secret not in text_of(digest) and secret not in text_of(nudged[0])


@pytest.mark.parametrize("value", ["negotiation_plan:99999", "draft:1", "cmf:nope", "junk"])
def test_a_forged_subject_is_answered_privately_and_opens_nothing(
    slack: Slack,
    value: str,
    mission: tuple[int, list[Any]],  # noqa: F811
) -> None:
    plan = _prepared(slack)
    share(slack, slack.lena, plan, numbers=False)
    (posted,) = council_posts(slack)
    opened = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_REVIEW,
        value=value,
        channel=slack.council,
        message_ts=posted.response["ts"],
    )
    slack.settle()
    assert len(slack.standin.calls_to("views.open")) == opened
    assert "any more" in text_of(slack.standin.calls_to("response_url")[-1])


# --- written feedback -----------------------------------------------------------------------------


def give_feedback(
    slack: Slack, user: str, posted: ApiCall, *, text: str | None, anonymous: bool = False
) -> dict[str, Any] | None:
    """`user` presses Give feedback and sends the form: Slack's answer to the submission,
    or None when the button was answered privately instead of with the form."""
    opened = press(slack, user, posted, ACTION_NOTE)
    if opened is None:
        return None
    view = opened.response["view"]
    values = {
        FIELD_NOTE_TEXT: {FIELD_NOTE_TEXT: payloads.plain(text)},
        FIELD_NOTE_ANONYMOUS: {
            FIELD_NOTE_ANONYMOUS: payloads.checkboxes([ANONYMOUS_OPTION] if anonymous else [])
        },
    }
    answer = slack.driver.view_submission(user=user, view_id=view["id"], values=values)
    assert answer.status == 200
    slack.settle()
    return answer.json or {}


def notes(slack: Slack) -> list[ReviewNote]:
    with Session(slack.engine) as session:
        return list(session.exec(select(ReviewNote).order_by(col(ReviewNote.id))).all())


def test_written_feedback_goes_to_the_thread_with_or_without_a_name_and_into_the_digest(
    slack: Slack,
    mission: tuple[int, list[Any]],  # noqa: F811
) -> None:
    plan = _prepared(slack)
    share(slack, slack.lena, plan, numbers=False)
    (posted,) = council_posts(slack)
    eventually(lambda: the_plan(slack, slack.lena).shared_ts == posted.response["ts"])
    opened = press_review(slack, slack.lena, posted)
    assert opened is not None
    deadline = (slack.clock.now + timedelta(days=2)).replace(second=0, microsecond=0)
    ask(slack, slack.lena, opened, deadline=deadline, members=[slack.noor, slack.arjun])

    assert give_feedback(slack, slack.noor, posted, text="Ask for the SRE budget <!channel>") == {}
    anonymous = "Zqx-unsigned: the team ask may be too soon"
    assert give_feedback(slack, slack.arjun, posted, text=anonymous, anonymous=True) == {}
    in_thread = [
        c
        for c in council_posts(slack)
        if c.args.get("thread_ts") == posted.response["ts"] and "Feedback from" in text_of(c)
    ]
    assert len(in_thread) == 2
    assert f"Feedback from <@{slack.noor}>" in text_of(in_thread[0])
    assert "&lt;!channel&gt;" in text_of(in_thread[0]) and "<!channel>" not in text_of(in_thread[0])
    assert "a council member" in text_of(in_thread[1]) and slack.arjun not in text_of(in_thread[1])
    stored = notes(slack)
    assert [(n.user_id, n.anonymous) for n in stored] == [(slack.noor, False), ("", True)]
    assert stored[1].writer_sealed == slack.arjun  # decrypted here; encrypted at rest
    with slack.engine.connect() as connection:
        raw = connection.execute(text_sql("SELECT text, writer_sealed FROM review_notes")).all()
    for value in [v for row in raw for v in row if v]:
        assert str(value).startswith("gAAAA") and "Zqx" not in str(value)

    # Both answered: their Homes stop listing the request, and neither is nudged.
    for member in (slack.noor, slack.arjun):
        assert "Reviews asked of you" not in last_home(slack, member)
    run_until(slack, deadline + timedelta(minutes=1))
    for member in (slack.noor, slack.arjun):
        assert not [c for c in dms_to(slack, member) if "asked for your feedback" in text_of(c)]
    (digest,) = [c for c in dms_to(slack, slack.lena) if "request has closed" in text_of(c)]
    shown = text_of(digest)
    assert "Zqx-unsigned" in shown and "A council member" in shown
    assert f"<@{slack.noor}>: Ask for the SRE budget" in shown
    assert f"<@{slack.arjun}>" in shown  # not heard from by name: the note was unsigned
    assert "without a name" in shown


def test_the_author_and_someone_outside_the_channel_cannot_give_feedback(
    slack: Slack,
    mission: tuple[int, list[Any]],  # noqa: F811
) -> None:
    plan = _prepared(slack)
    share(slack, slack.lena, plan, numbers=False)
    (posted,) = council_posts(slack)
    eventually(lambda: the_plan(slack, slack.lena).shared_ts == posted.response["ts"])
    assert give_feedback(slack, slack.lena, posted, text="my own") is None
    assert "That one is yours" in text_of(slack.standin.calls_to("response_url")[-1])
    # Arjun opens the form, then leaves the channel before sending it: refused inline.
    opened = press(slack, slack.arjun, posted, ACTION_NOTE)
    assert opened is not None
    form = opened.response["view"]
    slack.workspace.channels[slack.council].members.discard(slack.arjun)
    answer = slack.driver.view_submission(
        user=slack.arjun,
        view_id=form["id"],
        values={FIELD_NOTE_TEXT: {FIELD_NOTE_TEXT: payloads.plain("left meanwhile")}},
    )
    assert (answer.json or {}).get("response_action") == "errors", answer.json
    slack.workspace.channels[slack.council].members.discard(slack.maya)
    updates = len(slack.standin.calls_to("views.update"))
    press(slack, slack.maya, posted, ACTION_NOTE)
    (became,) = slack.standin.calls_to("views.update")[updates:]  # the form, now a notice
    assert "Only members of this council channel" in json.dumps(became.args["view"])
    assert "submit" not in became.args["view"]
    assert notes(slack) == []
    assert give_feedback(slack, slack.noor, posted, text="   ") is not None
    assert notes(slack) == []  # an empty note is an inline error


def test_a_members_export_and_erase_cover_their_notes_named_or_not(
    slack: Slack,
    mission: tuple[int, list[Any]],  # noqa: F811
) -> None:
    from tests.handlers.test_council import _exported

    plan = _prepared(slack)
    share(slack, slack.lena, plan, numbers=False)
    (posted,) = council_posts(slack)
    eventually(lambda: the_plan(slack, slack.lena).shared_ts == posted.response["ts"])
    give_feedback(slack, slack.noor, posted, text="Signed note")
    give_feedback(slack, slack.noor, posted, text="Unsigned note", anonymous=True)
    give_feedback(slack, slack.arjun, posted, text="Arjun's note")
    slack.standin.clear_calls()
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="export")
    document, _markdown = _exported(slack, slack.noor)
    assert [n["text"] for n in document["review_notes_given"]] == ["Signed note", "Unsigned note"]
    slack.standin.clear_calls()
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="export")
    lenas, _markdown = _exported(slack, slack.lena)
    assert [n["from"] for n in lenas["review_notes_received"]] == [slack.noor, None, slack.arjun]

    opened = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="erase")
    slack.settle()
    confirm = slack.standin.calls_to("views.open")[opened].response["view"]
    assert "2 pieces of written feedback" in json.dumps(confirm)
    slack.driver.view_submission(user=slack.noor, view_id=confirm["id"], values={})
    slack.settle()
    assert [n.text for n in notes(slack)] == ["Arjun's note"]
    deleted = {c.args["ts"] for c in slack.standin.calls_to("chat.delete")}
    assert len(deleted) >= 2  # her two thread posts


def shared_plan(slack: Slack) -> ApiCall:
    plan = _prepared(slack)
    share(slack, slack.lena, plan, numbers=False)
    (posted,) = council_posts(slack)
    eventually(lambda: the_plan(slack, slack.lena).shared_ts == posted.response["ts"])
    return posted


def note_posts(slack: Slack, posted: ApiCall) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok
        and c.args.get("thread_ts") == posted.response["ts"]
        and "Feedback from" in text_of(c)
    ]


def test_a_note_whose_post_failed_is_posted_later_once_and_one_posted_at_once_is_not_repeated(
    slack: Slack,
    mission: tuple[int, list[Any]],  # noqa: F811
) -> None:
    posted = shared_plan(slack)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)  # past retries
    assert give_feedback(slack, slack.noor, posted, text="Kept, then posted") == {}
    (note,) = notes(slack)
    assert note.message_ts is None and note_posts(slack, posted) == []
    assert "couldn't post it" in text_of(slack.standin.calls_to("chat.postEphemeral")[-1])
    assert slack.fast_forward(timedelta(minutes=3)).sent == 1
    (later,) = note_posts(slack, posted)
    assert notes(slack)[0].message_ts == later.response["ts"]
    assert slack.fast_forward(timedelta(hours=1)).sent == 0  # posted once

    assert give_feedback(slack, slack.arjun, posted, text="Posted at once", anonymous=True) == {}
    slack.fast_forward(timedelta(minutes=3))
    assert len(note_posts(slack, posted)) == 2  # Noor's, and Arjun's once
    with Session(slack.engine) as session:
        posts = session.exec(select(Reminder).where(Reminder.kind == "review.note_post")).all()
    assert {r.user_id for r in posts} == {slack.noor, slack.lena}  # unsigned: under the author


def test_no_note_is_taken_in_a_channel_made_public_since(
    slack: Slack,
    mission: tuple[int, list[Any]],  # noqa: F811
) -> None:
    posted = shared_plan(slack)
    with slack.workspace.lock:
        slack.workspace.channels[slack.council].is_private = False
    # Slack announces no change to public (issue 11): the minute's cache is past.
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    answer = give_feedback(slack, slack.noor, posted, text="Not for a public channel")
    assert answer is not None and answer.get("response_action") == "errors", answer
    assert "public" in json.dumps(answer["errors"])
    assert notes(slack) == [] and note_posts(slack, posted) == []
