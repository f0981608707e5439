"""A council channel that stops being private to the council gets nothing more from the bot
(issue 11, item 2): not at first use, and not after it was made public or shared outside."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from bot.features.debriefs.views import ACTION_REPOST
from handlers.common import forget_channel_facts
from storage.councils import Council
from storage.missions import MissionDraft
from tests.handlers.conftest import DRAFT_VALUES, post_draft
from tests.handlers.test_backchannel import answered_checklist
from tests.handlers.test_backchannel import share as share_summary
from tests.handlers.test_debriefs import (
    debrief_values,
    forward_to,
    log_event,
    open_debrief_form,
    press_in_dm,
    slot,
)
from tests.handlers.test_debriefs import dms_to as debrief_dms
from tests.handlers.test_feedback import ANSWERS as FEEDBACK
from tests.handlers.test_feedback import open_modal as open_feedback_modal
from tests.handlers.test_feedback import submit as submit_feedback
from tests.plugins.slack import Slack, text_of


def _open_form(slack: Slack) -> str:
    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    opened = slack.standin.wait_for("views.open", count=seen + 1)
    slack.settle()
    return str((opened[-1] if isinstance(opened, list) else opened).response["view"]["id"])


def _submit(slack: Slack, view_id: str) -> None:
    answer = slack.driver.view_submission(user=slack.noor, view_id=view_id, values=DRAFT_VALUES)
    assert answer.status == 200 and not answer.body
    slack.settle()


def test_a_channel_shared_with_another_organisation_is_not_accepted_as_a_council(
    slack: Slack,
) -> None:
    slack.workspace.channels[slack.council].is_ext_shared = True
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    slack.settle()
    replaced = slack.standin.calls_to("views.update")[-1].args["view"]
    assert "submit" not in replaced and "another organisation" in json.dumps(replaced)
    with Session(slack.engine) as session:
        assert session.exec(select(Council)).all() == []


def test_a_council_made_public_gets_no_new_draft_until_it_is_private_again(
    slack: Slack,
) -> None:
    post_draft(slack, author=slack.noor, channel=slack.council)  # a council, in use
    view_id = _open_form(slack)  # Noor starts a second draft while it is still private
    slack.standin.clear_calls()
    channel = slack.workspace.channels[slack.council]
    channel.is_private = False
    # The bot trusts what Slack said for a minute; a change event or the minute ends it.
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    _submit(slack, view_id)
    posts = slack.standin.calls_to("chat.postMessage")
    assert all(call.args["channel"] != slack.council for call in posts)
    note = next(
        c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == slack.noor
    )
    assert "public" in text_of(note) and "saved" in text_of(note)
    with Session(slack.engine) as session:
        held = session.exec(select(MissionDraft).where(MissionDraft.message_ts.is_(None))).one()  # type: ignore[union-attr]
    # Private again: the button posts the held draft.
    channel.is_private = True
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    dm = note.args["channel"]
    slack.driver.block_action(
        user=slack.noor,
        action_id="mission_post_again",
        channel=note.response["channel"],
        message_ts=note.response["ts"],
    )
    slack.settle()
    posted = [
        c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == slack.council
    ]
    assert len(posted) == 1 and posted[0].ok
    with Session(slack.engine) as session:
        assert session.get(MissionDraft, held.id).message_ts == posted[0].response["ts"]  # type: ignore[union-attr]
    assert dm == slack.noor


def test_a_reaction_in_a_channel_made_public_updates_nothing_there(slack: Slack) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    slack.standin.clear_calls()
    slack.workspace.channels[slack.council].is_private = False
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=draft.ts, name="+1")
    slack.settle()
    assert slack.standin.calls_to("chat.update") == []


def test_feedback_into_a_channel_made_public_is_held_then_posted_once_private_again(
    slack: Slack,
) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    slack.settle()
    slack.standin.clear_calls()
    view = open_feedback_modal(slack, slack.lena, draft)
    channel = slack.workspace.channels[slack.council]
    channel.is_private = False
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    slack.standin.clear_calls()
    submit_feedback(slack, slack.lena, view["id"], FEEDBACK)
    slack.settle()
    threads = [c for c in slack.standin.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert threads == []
    held = next(
        c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == slack.lena
    )
    assert "saved" in held.args["text"] and "private" in held.args["text"]
    channel.is_private = True
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    assert slack.fast_forward(timedelta(minutes=3)).sent == 1
    threads = [c for c in slack.standin.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(threads) == 1 and threads[0].args["thread_ts"] == draft.ts


def test_a_debrief_for_a_council_made_public_is_held_until_it_is_private_again(
    slack: Slack,
) -> None:
    day, at, starts_at = slot(slack)
    log_event(slack, day=day, at=at)
    forward_to(slack, starts_at + timedelta(hours=1))
    view_id = open_debrief_form(slack, slack.lena, debrief_dms(slack, slack.lena)[-1])
    channel = slack.workspace.channels[slack.council]
    channel.is_private = False
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=debrief_values("3", worries="Kept close")
    )
    slack.settle()
    council_posts = [
        c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == slack.council
    ]
    assert council_posts == []
    notice = next(c for c in debrief_dms(slack, slack.lena) if "haven't posted" in text_of(c))
    assert "public" in text_of(notice)
    channel.is_private = True
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    press_in_dm(slack, slack.lena, notice, ACTION_REPOST)
    slack.settle()
    posted = [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == slack.council
    ]
    assert len(posted) == 1 and "Kept close" in text_of(posted[0])


def test_a_back_channel_summary_for_a_council_made_public_is_not_shared_there(
    slack: Slack,
) -> None:
    checklist_id = answered_checklist(slack)
    channel = slack.workspace.channels[slack.council]
    channel.is_private = False
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    answer, posted = share_summary(slack, checklist_id, names=True, ask="Keep this question")
    assert posted is None  # nothing of Lena's back-channel went into a public channel
    flat = json.dumps(answer["view"])
    assert "public" in flat and "Keep this question" in flat  # told why, her choices kept
    channel.is_private = True
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    _, posted = share_summary(slack, checklist_id)
    assert posted is not None and posted.ok


def test_a_channel_shared_event_ends_the_minutes_trust_before_the_next_post(
    slack: Slack,
) -> None:
    post_draft(slack, author=slack.noor, channel=slack.council)  # fit: trusted for a minute
    view_id = _open_form(slack)
    slack.workspace.channels[slack.council].is_ext_shared = True
    answer = slack.driver.event(
        {"type": "channel_shared", "connected_team_id": "T0OTHERORG", "channel": slack.council}
    )
    assert answer.status == 200
    slack.settle()
    slack.standin.clear_calls()
    _submit(slack, view_id)  # no forget_channel_facts here: the event did it
    posts = slack.standin.calls_to("chat.postMessage")
    assert all(call.args["channel"] != slack.council for call in posts)
    note = next(c for c in posts if c.args["channel"] == slack.noor)
    assert "another organisation" in text_of(note) and "saved" in text_of(note)
