"""Uninstall, token revocation and members leaving a council, end to end: signed events in,
the database and the stand-in's record out, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.features.feedback_requests.rules import NUDGE_KIND
from handlers.common import MEMBERS_TTL
from handlers.privacy import RETENTION_JOB, run_retention
from storage import purge
from storage.db import session_scope
from storage.missions import MissionDraft
from tests.handlers.conftest import PostedDraft, post_draft
from tests.handlers.test_feedback_requests import (
    DEADLINE,
    START,
    dms_to,
    open_request_modal,
    reminders,
    request_feedback,
    run_until,
    submit,
)
from tests.handlers.test_home import block_texts, open_home
from tests.plugins.slack import Slack, running_slack
from tests.storage.fit_rows import seed_workspace, table_counts

OTHER_TEAM = "T0OTHERWS"
PRIVACY_LOGGER = "council_bot.privacy"


@pytest.fixture
def draft(slack: Slack, posted_draft: PostedDraft) -> PostedDraft:
    slack.clock.now = START
    return posted_draft


def _purge_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == PRIVACY_LOGGER and "workspace purged" in r.getMessage()
    ]


def _held(counts: dict[str, int]) -> dict[str, int]:
    """The counts of the tables the purge covers (not the exempt ones)."""
    return {name: n for name, n in counts.items() if name not in purge.EXEMPT}


def _everything_in_both_workspaces(slack: Slack, draft: PostedDraft) -> dict[str, int]:
    """Workspace A (the stand-in's) with a feedback request (nudges and digest pending) and a
    row in every table; workspace B seeded through storage. B's counts, alone."""
    later = slack.clock.now + timedelta(days=60)  # B's reminders fall due long after the test
    before_b = table_counts(slack.engine)  # A's draft, posted by the fixture
    seed_workspace(
        slack.engine,
        team_id=OTHER_TEAM,
        channel_id="C0OTHERWS1",
        author="U0OTHERAUTH",
        peer="U0OTHERPEER",
        now=later,
    )
    only_b = {name: n - before_b[name] for name, n in table_counts(slack.engine).items()}
    request_feedback(slack, draft)
    seed_workspace(
        slack.engine,
        team_id=slack.workspace.team_id,
        channel_id="C0SECONDCNCL",
        author="U0SEEDAUTHOR",  # a member with no cached time zone yet
        peer=slack.arjun,
        now=slack.clock.now,
    )
    slack.settle()
    both = table_counts(slack.engine)
    for name in purge.covered_tables():
        assert both[name] > only_b[name] > 0, f"a workspace has no {name} row before the purge"
    assert len(reminders(slack, NUDGE_KIND)) > 3  # A's three nudges are pending
    return only_b


def test_uninstall_deletes_the_workspace_from_every_table_and_leaves_another_whole(
    slack: Slack, draft: PostedDraft, caplog: pytest.LogCaptureFixture
) -> None:
    only_b = _everything_in_both_workspaces(slack, draft)
    caplog.set_level(logging.INFO, logger=PRIVACY_LOGGER)
    slack.standin.clear_calls()

    answer = slack.driver.event({"type": "app_uninstalled"})
    assert answer.status == 200
    slack.settle()

    assert _held(table_counts(slack.engine)) == _held(only_b)
    lines = _purge_lines(caplog)
    assert len(lines) == 1
    assert lines[0].startswith("workspace purged after app_uninstalled: deleted ")
    for identifying in (slack.workspace.team_id, slack.noor, slack.lena, slack.council, "Acme"):
        assert identifying not in caplog.text  # counts only
    # Nothing goes to Slack for the workspace any more: its nudges and digest are gone.
    assert run_until(slack, DEADLINE + timedelta(hours=1)) == 0
    assert slack.standin.calls == []


def test_a_retried_uninstall_deletes_nothing_more_and_logs_zero(
    slack: Slack, draft: PostedDraft, caplog: pytest.LogCaptureFixture
) -> None:
    only_b = _everything_in_both_workspaces(slack, draft)
    caplog.set_level(logging.INFO, logger=PRIVACY_LOGGER)
    first = slack.driver.event({"type": "app_uninstalled"})
    slack.settle()
    retry = slack.driver.redeliver(first.payload or {}, retry_num=1)
    assert retry.status == 200
    slack.settle()
    assert _held(table_counts(slack.engine)) == _held(only_b)
    lines = _purge_lines(caplog)
    assert len(lines) == 2 and lines[1].endswith("deleted 0 rows")


def test_revoking_the_bot_token_purges_the_workspace(
    slack: Slack, draft: PostedDraft, caplog: pytest.LogCaptureFixture
) -> None:
    only_b = _everything_in_both_workspaces(slack, draft)
    caplog.set_level(logging.INFO, logger=PRIVACY_LOGGER)
    event = {"type": "tokens_revoked", "tokens": {"bot": [slack.workspace.bot_user_id]}}
    assert slack.driver.event(event).status == 200
    slack.settle()
    assert _held(table_counts(slack.engine)) == _held(only_b)
    assert _purge_lines(caplog)[0].startswith("workspace purged after tokens_revoked")


def test_revoking_only_user_tokens_deletes_nothing(slack: Slack, draft: PostedDraft) -> None:
    _everything_in_both_workspaces(slack, draft)
    before = table_counts(slack.engine)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [slack.noor, slack.lena]}}
    assert slack.driver.event(event).status == 200
    slack.settle()
    assert table_counts(slack.engine) == before


# --- a member leaving the council channel ---------------------------------------------------------


def _leave(slack: Slack, user: str, *, tell_the_app: bool = True) -> None:
    """`user` leaves the council channel in the stand-in (and Slack sends the event)."""
    with slack.workspace.lock:
        slack.workspace.channels[slack.council].members.discard(user)
    if tell_the_app:
        event = {
            "type": "member_left_channel",
            "user": user,
            "channel": slack.council,
            "channel_type": "G",
            "team": slack.workspace.team_id,
        }
        assert slack.driver.event(event).status == 200
        slack.settle()


def test_a_member_who_left_gets_no_nudge_and_the_digest_leaves_them_out(
    slack: Slack, draft: PostedDraft
) -> None:
    lenas_own = post_draft(slack, author=slack.lena, channel=slack.council)
    request_feedback(slack, draft, members=[slack.lena, slack.arjun])
    _leave(slack, slack.lena)

    run_until(slack, DEADLINE + timedelta(minutes=1))

    assert dms_to(slack, slack.lena) == []  # no nudge
    assert len(dms_to(slack, slack.arjun)) == 1  # the one still in the council is nudged
    digest = json.dumps(dms_to(slack, slack.noor)[0].args["blocks"])
    assert "of 1 asked" in digest and f"<@{slack.arjun}>" in digest
    assert slack.lena not in digest
    with session_scope(slack.engine) as session:  # Lena's own draft stays hers
        assert session.get(MissionDraft, lenas_own.draft_id) is not None


def test_a_member_who_left_is_not_nudged_even_if_the_event_never_came(
    slack: Slack, draft: PostedDraft
) -> None:
    request_feedback(slack, draft, members=[slack.lena, slack.arjun])
    _leave(slack, slack.lena, tell_the_app=False)

    run_until(slack, DEADLINE - timedelta(hours=1))

    assert dms_to(slack, slack.lena) == []  # the sender asked Slack who is in the channel
    assert len(dms_to(slack, slack.arjun)) == 1


def test_a_member_who_left_is_not_among_who_to_ask(slack: Slack, draft: PostedDraft) -> None:
    _leave(slack, slack.lena)
    view_id = open_request_modal(slack, draft, slack.noor)
    assert view_id is not None
    answer = submit(slack, view_id)  # nobody picked: everyone in the council is asked
    assert answer.status == 200 and not (answer.json or {}).get("errors")
    ask = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == draft.ts
    )
    text = json.dumps(ask.args)
    assert f"<@{slack.arjun}>" in text and f"<@{slack.maya}>" in text
    assert slack.lena not in text
    assert slack.lena not in {r.user_id for r in reminders(slack, NUDGE_KIND)}


def _owes_feedback_on(slack: Slack, user: str, draft: PostedDraft) -> bool:
    """Whether `user`'s Home lists feedback owed on `draft` (its company, under the header)."""
    slack.settle()  # a refresh queued earlier must not pass for this opening's
    texts = block_texts(open_home(slack, user).args["view"])
    owed = texts[texts.index("*Feedback you owe*") + 1 :] if "*Feedback you owe*" in texts else []
    return any("Acme Robotics" in text for text in owed[:3])


def test_home_stops_showing_feedback_owed_in_a_council_the_member_left_unannounced(
    slack: Slack, draft: PostedDraft
) -> None:
    request_feedback(slack, draft, members=[slack.lena, slack.arjun])
    assert _owes_feedback_on(slack, slack.lena, draft)
    _leave(slack, slack.lena, tell_the_app=False)  # the event was lost

    slack.clock.advance(MEMBERS_TTL + timedelta(seconds=1))  # the cached list runs out

    assert not _owes_feedback_on(slack, slack.lena, draft)
    assert _owes_feedback_on(slack, slack.arjun, draft)  # still in it: still asked


def test_a_join_or_leave_in_the_channel_makes_home_ask_slack_again_at_once(
    slack: Slack, draft: PostedDraft
) -> None:
    request_feedback(slack, draft, members=[slack.lena, slack.arjun])
    assert _owes_feedback_on(slack, slack.lena, draft)  # the channel's members now cached
    _leave(slack, slack.lena, tell_the_app=False)
    joined = {"type": "member_joined_channel", "user": slack.maya, "channel": slack.council}
    assert slack.driver.event(joined).status == 200  # someone else joined meanwhile
    slack.settle()

    assert not _owes_feedback_on(slack, slack.lena, draft)  # no minute's wait


def test_the_bot_leaving_or_a_channel_that_is_no_council_changes_nothing(
    slack: Slack, draft: PostedDraft
) -> None:
    request_feedback(slack, draft)
    before = table_counts(slack.engine)
    for user, channel in ((slack.workspace.bot_user_id, slack.council), (slack.lena, "C0NOPE")):
        event = {"type": "member_left_channel", "user": user, "channel": channel}
        assert slack.driver.event(event).status == 200
    slack.settle()
    assert table_counts(slack.engine) == before


# --- retention on the scheduler ---------------------------------------------------------------


def test_the_retention_job_is_on_the_scheduler_and_uses_retention_days(engine: Engine) -> None:
    with running_slack(engine, retention_days=30) as slack:
        services = slack.runtime.services
        assert services.retention_days == 30
        assert services.reminders is not None and RETENTION_JOB in services.reminders.periodic
        draft = post_draft(slack, author=slack.noor, channel=slack.council)
        with session_scope(slack.engine) as session:
            row = session.get(MissionDraft, draft.draft_id)
            assert row is not None
            row.status = "withdrawn"
            row.updated_at = slack.clock.now - timedelta(days=31)
        counts = run_retention(services)
        assert counts is not None and counts["mission_drafts"] == 1
        with session_scope(slack.engine) as session:
            assert session.get(MissionDraft, draft.draft_id) is None
