"""Fixtures shared by the end-to-end handler tests."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from sqlmodel import Session, select

from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.missions import MissionDraft
from tests.plugins.slack import Slack

# The submission of tests/handlers/test_foundation.py: a valid draft with a measurable key
# result (so no quality notes are sent).
DRAFT_VALUES: dict[str, dict[str, dict]] = {
    "company": {"company": payloads.plain("Acme Robotics")},
    "role": {"role": payloads.plain("Head of Product")},
    "stage": {"stage": payloads.static_select("interviewing")},
    "mission": {"mission": payloads.plain("Make warehouse robots easy to deploy.")},
    "objective_1": {"objective_1": payloads.plain("Cut deployment time")},
    "krs_1": {"krs_1": payloads.plain("Deploy a site in 5 days, down from 30")},
}
# What `post_draft` (and revising it) puts in a draft: none of it may reach another
# workspace (tests/handlers/test_workspace_isolation*.py).
MISSION_SECRETS = (
    "Acme Robotics",
    "Make robots boring.",
    "Head of Product",
    "Make warehouse robots easy to deploy.",
    "Cut deployment time",
    "Deploy a site in 5 days",
)


class PostedDraft(NamedTuple):
    draft_id: int
    channel: str
    ts: str


def _next_call(slack: Slack, method: str, seen: int, **options: Any) -> ApiCall:
    """The first call to `method` after the `seen` already recorded."""
    found = slack.standin.wait_for(method, count=seen + 1, **options)
    return found[-1] if isinstance(found, list) else found


def post_draft(slack: Slack, *, author: str, channel: str) -> PostedDraft:
    """Draft a job mission through the real flow: `/mission`, the modal, the post."""
    seen = {m: len(slack.standin.calls_to(m)) for m in ("views.open", "views.publish")}
    answer = slack.driver.command(user=author, channel=channel, command="/mission")
    assert answer.status == 200
    opened = _next_call(slack, "views.open", seen["views.open"])
    assert opened.ok, opened.describe()
    posts = len(slack.standin.calls_to("chat.postMessage"))
    submitted = slack.driver.view_submission(
        user=author, view_id=opened.response["view"]["id"], values=DRAFT_VALUES
    )
    assert submitted.status == 200
    assert not (submitted.json or {}).get("errors"), submitted.json
    posted = _next_call(slack, "chat.postMessage", posts)
    assert posted.ok and posted.args["channel"] == channel, posted.describe()
    # The submission ends by refreshing the author's Home tab: wait for it, so the test
    # starts from a quiet app.
    _next_call(slack, "views.publish", seen["views.publish"])
    slack.settle()  # the draft's ts is saved after Slack answers the post
    with Session(slack.engine) as session:
        draft = session.exec(
            select(MissionDraft).where(
                MissionDraft.channel_id == channel,
                MissionDraft.message_ts == posted.response["ts"],
            )
        ).one()
    assert draft.id is not None
    return PostedDraft(draft.id, channel, posted.response["ts"])


@pytest.fixture
def posted_draft(slack: Slack) -> PostedDraft:
    """A draft by noor, posted in the council channel: (draft_id, channel, ts).

    Recorded stand-in calls are cleared afterwards, so a test sees only what it causes;
    the draft's message stays in the workspace.
    """
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    slack.standin.clear_calls()
    return draft
