"""One use case, one unit of work, counted on the wire: the transactions a request opens
(SQLAlchemy's `begin` on the app's engine, from the request's own listener), for the
flows members use most. A use case that grows a second session shows up here."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.handlers.conftest import DRAFT_VALUES, PostedDraft
from tests.plugins.slack import Slack


@contextmanager
def transactions(slack: Slack) -> Iterator[list[str]]:
    """The transactions opened meanwhile by a listener (a reminder pass or the test's own
    reads are not counted), each named by the storage call that opened it."""
    opened: list[str] = []

    def on_begin(_connection: Any) -> None:
        frames = [f for f in traceback.extract_stack() if "/site-packages/" not in f.filename]
        if any("/handlers/" in f.filename for f in frames):
            ours = [f for f in frames if "/storage/" in f.filename or "/bot/" in f.filename]
            opened.append(ours[-1].name if ours else "?")

    slack.settle()
    event.listen(slack.engine, "begin", on_begin)
    try:
        yield opened
        slack.settle()
    finally:
        event.remove(slack.engine, "begin", on_begin)


def test_a_draft_submission_takes_five_transactions_home_refresh_included(slack: Slack) -> None:
    slack.driver.command(user=slack.lena, channel=slack.council, command="/mission")
    opened = slack.standin.wait_for("views.open")
    slack.settle()
    view_id = (opened[-1] if isinstance(opened, list) else opened).response["view"]["id"]
    with transactions(slack) as begun:
        slack.driver.view_submission(user=slack.lena, view_id=view_id, values=DRAFT_VALUES)
        slack.standin.wait_for("views.publish")
    # The replay claim, the council, the draft (stored and read back for its post), the
    # message's ts once Slack answered, and the whole Home.
    assert len(begun) == 5, begun


def test_a_reaction_takes_four_transactions(slack: Slack, posted_draft: PostedDraft) -> None:
    with transactions(slack) as begun:
        slack.driver.react(user=slack.lena, channel=slack.council, ts=posted_draft.ts, name="+1")
        slack.standin.wait_for("chat.update")
    # The reaction (with its event claim), the draft to re-render, the author's Home, and
    # the reacting member's open nudges to close.
    assert len(begun) == 4, begun


def test_a_home_publish_reads_everything_in_one_transaction(slack: Slack) -> None:
    with transactions(slack) as begun:
        slack.driver.app_home_opened(user=slack.lena)
        slack.standin.wait_for("views.publish")
    assert len(begun) == 1, begun
