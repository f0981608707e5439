"""A signed request replayed within Slack's five-minute window acts once (issue 11, item 15)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from sqlmodel import Session, select

from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.driver import Response
from storage.debriefs import InterviewEvent
from storage.missions import MissionDraft
from tests.handlers.conftest import DRAFT_VALUES
from tests.handlers.test_debriefs import event_values, open_event_modal
from tests.plugins.slack import Slack

FORM = "application/x-www-form-urlencoded"


def _again(slack: Slack, first: Response, *, interaction: bool) -> Response:
    """The very same signed body, sent again (the driver signs it with a fresh timestamp,
    as a replay within the window would carry a valid one)."""
    assert first.payload is not None
    fields = {"payload": json.dumps(first.payload)} if interaction else first.payload
    return slack.driver.send(urlencode(fields), content_type=FORM)


def test_a_replayed_slash_command_opens_one_modal(slack: Slack) -> None:
    first = slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    again = _again(slack, first, interaction=False)
    assert first.status == again.status == 200
    slack.settle()
    assert len(slack.standin.calls_to("views.open")) == 1


def test_a_replayed_modal_submission_logs_one_interview(slack: Slack) -> None:
    view = open_event_modal(slack, slack.lena)
    tomorrow = (slack.clock() + timedelta(days=1)).date().isoformat()
    values = event_values(day=tomorrow, at="14:00")
    first = slack.driver.view_submission(user=slack.lena, view_id=view["id"], values=values)
    again = _again(slack, first, interaction=True)
    assert first.status == again.status == 200 and not again.body
    slack.settle()
    with Session(slack.engine) as session:
        assert len(session.exec(select(InterviewEvent)).all()) == 1


def test_a_submission_refused_inline_can_be_sent_again_and_then_counts(slack: Slack) -> None:
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    view_id = slack.standin.wait_for("views.open").response["view"]["id"]
    slack.settle()
    empty = {**DRAFT_VALUES, "company": {"company": payloads.plain("")}}
    refused = slack.driver.view_submission(user=slack.noor, view_id=view_id, values=empty)
    assert refused.json is not None and refused.json["response_action"] == "errors"
    # Same modal, same hash (an errors answer does not change the view): it must still work.
    fixed = slack.driver.view_submission(user=slack.noor, view_id=view_id, values=DRAFT_VALUES)
    assert fixed.status == 200 and not fixed.body
    slack.settle()
    with Session(slack.engine) as session:
        assert len(session.exec(select(MissionDraft)).all()) == 1
