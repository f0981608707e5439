""" "Give feedback" end to end: signed clicks and submissions in, Web API calls out."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from bot.features.feedback.service import ANSWER_MAX, FIELDS, LIMITS
from bot.features.feedback.views import (
    ANONYMOUS_LABEL,
    ANONYMOUS_VALUE,
    BLOCK_ANONYMOUS,
    BLOCK_MISSING,
    BLOCK_STRONG,
    BLOCK_SUGGESTED_KR,
    BLOCK_UNCLEAR,
    CALLBACK_FEEDBACK,
)
from bot.features.missions import service as missions_service
from bot.features.missions.views import ACTION_FEEDBACK
from bot.sandbox.standin.driver import Response, checkboxes, plain
from bot.sandbox.standin.server import ApiCall
from bot.ui.blocks import MODAL_TITLE_MAX
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    MissionDraft,
    MissionVersion,
    WrittenFeedback,
)
from tests.handlers.conftest import PostedDraft
from tests.plugins.slack import Slack

ANSWERS = {
    BLOCK_STRONG: "The mission names who benefits: warehouse teams.",
    BLOCK_UNCLEAR: "Is 'deploy' the install, or the first order picked?",
    BLOCK_MISSING: "Nothing on the team you would build.",
    BLOCK_SUGGESTED_KR: "Two new sites live by Q3 without on-site engineers",
}


# --- helpers ------------------------------------------------------------------------------------


def click(slack: Slack, user: str, draft: PostedDraft) -> Response:
    """`user` presses "Give feedback" under the draft in the council channel."""
    answer = slack.driver.block_action(
        user=user, action_id=ACTION_FEEDBACK, channel=draft.channel, message_ts=draft.ts
    )
    assert answer.status == 200
    return answer


def open_modal(slack: Slack, user: str, draft: PostedDraft) -> dict[str, Any]:
    click(slack, user, draft)
    opened = slack.standin.wait_for("views.open")
    assert opened.ok, opened.describe()
    return opened.response["view"]


def values(answers: dict[str, str | None], *, anonymous: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {field: {field: plain(answers.get(field) or None)} for field in FIELDS}
    state[BLOCK_ANONYMOUS] = {BLOCK_ANONYMOUS: checkboxes([ANONYMOUS_VALUE] if anonymous else [])}
    return state


def submit(
    slack: Slack, user: str, view_id: str, answers: dict[str, str | None], **options: Any
) -> Response:
    answer = slack.driver.view_submission(
        user=user, view_id=view_id, values=values(answers, **options)
    )
    assert answer.status == 200
    return answer


def in_thread(draft: PostedDraft) -> Any:
    return lambda call: call.args.get("thread_ts") == draft.ts


def thread_post(slack: Slack, draft: PostedDraft) -> ApiCall:
    posted = slack.standin.wait_for("chat.postMessage", predicate=in_thread(draft))
    assert posted.ok, posted.describe()
    return posted


def stored(slack: Slack) -> list[WrittenFeedback]:
    with Session(slack.engine) as session:
        return list(session.exec(select(WrittenFeedback).order_by(WrittenFeedback.id)).all())


def stored_once_posted(slack: Slack, timeout: float = 5.0) -> list[WrittenFeedback]:
    """The rows, once the app has recorded where each was posted (it does so right after
    chat.postMessage answers, so a test seeing the call may be a moment early)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = stored(slack)
        if (rows and all(row.message_ts for row in rows)) or time.monotonic() > deadline:
            return rows
        time.sleep(0.01)


# --- the happy paths ----------------------------------------------------------------------------


def test_a_council_member_gives_named_feedback_stored_and_posted_in_the_thread(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    assert view["callback_id"] == CALLBACK_FEEDBACK
    assert json.loads(view["private_metadata"]) == {
        "draft": posted_draft.draft_id,
        "origin": posted_draft.channel,  # where the thanks go
    }
    assert len(view["title"]["text"]) <= MODAL_TITLE_MAX
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    for field in FIELDS:
        element = inputs[field]["element"]
        assert inputs[field]["optional"] is True
        assert element["multiline"] is True
        assert element["max_length"] == LIMITS[field]
    assert ANONYMOUS_LABEL in json.dumps(inputs[BLOCK_ANONYMOUS])

    answer = submit(slack, slack.lena, view["id"], ANSWERS)
    assert not (answer.json or {}).get("errors")

    posted = thread_post(slack, posted_draft)
    assert posted.args["channel"] == posted_draft.channel
    shown = json.dumps(posted.args["blocks"])
    assert f"<@{slack.lena}>" in shown
    for text in ANSWERS.values():
        assert json.dumps(text)[1:-1] in shown
    assert f"<@{slack.noor}>" not in shown + posted.args["text"]  # the author is not pinged

    [row] = stored_once_posted(slack)
    assert row.user_id == slack.lena and not row.anonymous
    assert row.strong == ANSWERS[BLOCK_STRONG]
    assert row.suggested_key_result == ANSWERS[BLOCK_SUGGESTED_KR]
    assert row.message_ts == posted.response["ts"]
    with Session(slack.engine) as session:
        version = session.get(MissionVersion, row.version_id)
        assert version is not None and version.draft_id == posted_draft.draft_id

    # The author's Home tab is refreshed afterwards.
    slack.standin.wait_for("views.publish", predicate=lambda c: c.args["user_id"] == slack.noor)


def test_anonymous_feedback_names_no_one_in_the_thread(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.arjun, posted_draft)
    submit(slack, slack.arjun, view["id"], {BLOCK_MISSING: "A budget ask."}, anonymous=True)

    posted = thread_post(slack, posted_draft)
    everything = json.dumps(posted.args["blocks"]) + posted.args["text"]
    assert "<@" not in everything
    for name in ("arjun", "Arjun", "Mehta", slack.arjun):
        assert name not in everything
    assert "A council member" in everything
    assert "A budget ask." in everything

    [row] = stored_once_posted(slack)
    # Kept for counts, never shown, and only encrypted (see test_sealed_authors.py).
    assert row.anonymous and row.user_id == "" and row.author_sealed == slack.arjun
    assert row.message_ts == posted.response["ts"]


def test_feedback_from_the_home_tab_opens_the_modal_and_posts_in_the_thread(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    with Session(slack.engine) as session:
        request = FeedbackRequest(
            draft_id=posted_draft.draft_id, deadline=datetime.now(UTC) + timedelta(days=3)
        )
        session.add(request)
        session.flush()
        assert request.id is not None
        session.add(FeedbackAsk(request_id=request.id, user_id=slack.maya))
        session.commit()
    slack.driver.app_home_opened(user=slack.maya)
    slack.standin.wait_for("views.publish", predicate=lambda c: c.args["user_id"] == slack.maya)
    home = slack.workspace.home_view(slack.maya)
    assert home is not None

    answer = slack.driver.block_action(
        user=slack.maya, action_id=ACTION_FEEDBACK, view_id=home["id"]
    )
    assert answer.status == 200
    assert "response_url" not in (answer.payload or {})
    opened = slack.standin.wait_for("views.open")
    assert opened.ok, opened.describe()
    submit(slack, slack.maya, opened.response["view"]["id"], {BLOCK_STRONG: "Clear mission."})

    posted = thread_post(slack, posted_draft)
    assert f"<@{slack.maya}>" in json.dumps(posted.args["blocks"])
    [row] = stored_once_posted(slack)
    assert row.user_id == slack.maya and row.message_ts == posted.response["ts"]


# --- who may give feedback ----------------------------------------------------------------------


def test_someone_outside_the_council_channel_gets_a_private_explanation_and_no_modal(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    outsider = slack.workspace.add_user("U0OMAR0006", name="omar", real_name="Omar Said")
    click(slack, outsider.id, posted_draft)
    dm = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == outsider.id
    )
    assert dm.ok, dm.describe()
    assert "Only members of the council's channel" in dm.args["text"]
    assert "Acme" not in json.dumps(dm.args)  # nothing about the draft leaks
    assert slack.standin.calls_to("views.open") == []
    assert stored(slack) == []


def test_the_author_is_kindly_told_the_button_is_for_their_council(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    click(slack, slack.noor, posted_draft)
    note = slack.standin.wait_for("response_url")
    assert note.ok and note.args.get("response_type") == "ephemeral"
    assert "your own draft" in note.args["text"]
    assert slack.standin.calls_to("views.open") == []


def test_a_withdrawn_draft_gets_a_private_withdrawn_note(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    # The click races the author's withdrawal: the message is still on the member's screen.
    missions_service.withdraw(
        slack.engine,
        team_id=slack.workspace.team_id,
        draft_id=posted_draft.draft_id,
        user_id=slack.noor,
        now=datetime.now(UTC),
    )
    click(slack, slack.lena, posted_draft)
    note = slack.standin.wait_for("response_url")
    assert note.args.get("response_type") == "ephemeral"
    assert "withdrawn" in note.args["text"]
    assert slack.standin.calls_to("views.open") == []


def test_a_draft_withdrawn_while_the_modal_is_open_keeps_the_text_and_says_why(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    missions_service.withdraw(
        slack.engine,
        team_id=slack.workspace.team_id,
        draft_id=posted_draft.draft_id,
        user_id=slack.noor,
        now=datetime.now(UTC),
    )
    answer = submit(slack, slack.lena, view["id"], ANSWERS)
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "withdrawn" in answer.json["errors"][BLOCK_STRONG]
    assert stored(slack) == []
    assert slack.standin.calls_to("chat.postMessage") == []


# --- validation ---------------------------------------------------------------------------------


def test_an_empty_submission_is_an_inline_error_on_the_first_prompt(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    answer = submit(slack, slack.lena, view["id"], {BLOCK_UNCLEAR: "   \n  "})
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert list(answer.json["errors"]) == [BLOCK_STRONG]
    assert "at least one" in answer.json["errors"][BLOCK_STRONG]
    assert stored(slack) == []
    assert slack.standin.calls_to("chat.postMessage") == []


def test_an_over_long_answer_is_an_inline_error_on_that_prompt(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    # Slack's client enforces max_length; a crafted request does not, so the app checks too.
    view = open_modal(slack, slack.lena, posted_draft)
    too_long = {BLOCK_STRONG: "Good.", BLOCK_MISSING: "x" * (ANSWER_MAX + 1)}
    answer = submit(slack, slack.lena, view["id"], too_long)
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert list(answer.json["errors"]) == [BLOCK_MISSING]
    assert str(ANSWER_MAX) in answer.json["errors"][BLOCK_MISSING]
    assert stored(slack) == []


def test_mentions_and_broadcasts_typed_in_answers_reach_slack_escaped(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.arjun, posted_draft)
    hostile = {
        BLOCK_STRONG: "<!channel> look at this",
        BLOCK_UNCLEAR: "Ask <@U0LENA0002> & <!here>",
        BLOCK_SUGGESTED_KR: "<https://evil.example|click me>",
    }
    submit(slack, slack.arjun, view["id"], hostile)

    posted = thread_post(slack, posted_draft)
    received = json.dumps(posted.args["blocks"]) + posted.args["text"]
    assert "&lt;!channel&gt;" in received
    assert "&lt;@U0LENA0002&gt; &amp; &lt;!here&gt;" in received
    for raw in ("<!channel>", "<!here>", "<@U0LENA0002>", "<https://evil"):
        assert raw not in received
    [row] = stored(slack)
    assert row.strong == "<!channel> look at this"  # stored as typed, escaped when shown


# --- Slack failing ------------------------------------------------------------------------------


def test_a_slack_error_while_posting_keeps_the_feedback_and_tells_the_member(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=10)
    answer = submit(slack, slack.lena, view["id"], ANSWERS)
    assert not (answer.json or {}).get("errors")

    told = slack.standin.wait_for("chat.postEphemeral")
    assert told.ok and told.args["user"] == slack.lena
    assert told.args["channel"] == posted_draft.channel
    assert "saved" in told.args["text"] and "Nothing is lost" in told.args["text"]
    [row] = stored(slack)
    assert row.user_id == slack.lena and row.strong == ANSWERS[BLOCK_STRONG]
    assert row.message_ts is None


def test_feedback_whose_post_failed_is_posted_later_by_the_reminder_engine(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    # Issue 11, item 7: it was stored, the member told "nothing is lost", and never posted.
    view = open_modal(slack, slack.lena, posted_draft)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)  # past retries
    submit(slack, slack.lena, view["id"], ANSWERS)
    slack.settle()
    [row] = stored(slack)
    assert row.message_ts is None
    assert slack.fast_forward(timedelta(minutes=3)).sent == 1
    posted = [
        c for c in slack.standin.calls_to("chat.postMessage") if c.ok and c.args.get("thread_ts")
    ]
    assert len(posted) == 1 and posted[0].args["thread_ts"] == posted_draft.ts
    [row] = stored(slack)
    assert row.message_ts == posted[0].response["ts"]
    assert slack.fast_forward(timedelta(hours=1)).sent == 0  # posted once


def test_feedback_posted_at_once_is_not_posted_again(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    submit(slack, slack.lena, view["id"], ANSWERS)
    slack.settle()
    slack.fast_forward(timedelta(minutes=3))
    threads = [c for c in slack.standin.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(threads) == 1


def test_when_the_bot_was_removed_from_the_channel_the_member_is_told_by_dm(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    with slack.workspace.lock:
        slack.workspace.channels[posted_draft.channel].members.discard(slack.workspace.bot_user_id)
    submit(slack, slack.lena, view["id"], ANSWERS)

    dm = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == slack.lena
    )
    assert dm.ok, dm.describe()
    assert "saved" in dm.args["text"]
    [row] = stored(slack)
    assert row.message_ts is None


def test_feedback_is_stored_for_the_current_version(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    from bot.features.missions.rules import MissionInput, Objective

    missions_service.revise(
        slack.engine,
        team_id=slack.workspace.team_id,
        draft_id=posted_draft.draft_id,
        editor_id=slack.noor,
        mission=MissionInput(
            company="Acme Robotics",
            role="Head of Product",
            stage="interviewing",
            mission="Make warehouse robots easy to deploy and to run.",
            objectives=(Objective("Cut deployment time", ("Deploy a site in 5 days",)),),
        ),
        now=datetime.now(UTC),
    )
    view = open_modal(slack, slack.lena, posted_draft)
    submit(slack, slack.lena, view["id"], {BLOCK_STRONG: "Sharper now."})
    posted = thread_post(slack, posted_draft)
    assert "version 2" in json.dumps(posted.args["blocks"])
    [row] = stored(slack)
    with Session(slack.engine) as session:
        version = session.get(MissionVersion, row.version_id)
        draft = session.get(MissionDraft, posted_draft.draft_id)
        assert version is not None and draft is not None
        assert version.number == draft.current_version == 2


def test_feedback_written_from_the_channel_is_confirmed_privately_there(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    submit(slack, slack.lena, view["id"], {BLOCK_STRONG: "Clear mission."})
    slack.settle()
    (posted,) = [c for c in slack.standin.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    thanks = [
        c
        for c in slack.standin.calls_to("chat.postEphemeral")
        if "feedback is posted" in c.args["text"]
    ]
    assert len(thanks) == 1
    assert thanks[0].args["channel"] == posted_draft.channel
    assert thanks[0].args["user"] == slack.lena
    assert "|See it>" in thanks[0].args["text"]
    assert posted.response["ts"] in json.dumps(slack.standin.calls_to("chat.getPermalink")[-1].args)
