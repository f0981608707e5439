"""Acks under load, over signed requests: a burst behind a slow Slack, and full work pools.

The timings asserted are Slack's own rule (an answer within 3 s, or the member sees
`dispatch_failed`), with the stand-in's latency knob making every Web API call slow.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.features.missions.views import ACTION_FEEDBACK
from bot.sandbox.standin.driver import Response
from handlers.kit import BUSY
from storage.missions import MissionDraft
from tests.handlers.conftest import DRAFT_VALUES, post_draft
from tests.plugins.slack import Slack, running_slack

SLACK_LIMIT = 3.0


def _timed_command(slack: Slack, user: str, text: str = "") -> tuple[float, Response]:
    started = time.monotonic()
    answer = slack.driver.command(user=user, channel=slack.council, command="/mission", text=text)
    return time.monotonic() - started, answer


def test_a_burst_behind_a_slow_slack_is_acked_in_time_and_every_modal_opens(
    slack: Slack,
) -> None:
    slack.standin.set_latency(0.4)  # every Web API call, response_url included
    members = [slack.noor, slack.lena, slack.arjun, slack.maya]
    with ThreadPoolExecutor(max_workers=20) as senders:
        answers = list(senders.map(lambda i: _timed_command(slack, members[i % 4]), range(40)))
    assert [a.status for _, a in answers] == [200] * 40
    assert max(elapsed for elapsed, _ in answers) < SLACK_LIMIT
    slack.settle(timeout=60)
    opened = [c for c in slack.standin.calls_to("views.open") if c.ok]
    assert len(opened) == 40  # every trigger used in time: none expired in a queue


def test_a_full_work_pool_answers_busy_privately_and_loses_nothing_it_took(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with running_slack(engine, work_threads=1, work_queue=1) as slack:
        slack.standin.set_latency(1.0, method="views.open")  # holds the one worker
        first = slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
        second = slack.driver.command(user=slack.lena, channel=slack.council, command="/mission")
        with caplog.at_level(logging.WARNING, logger="council_bot.work"):
            third = slack.driver.command(
                user=slack.arjun, channel=slack.council, command="/mission"
            )
        assert first.status == second.status == third.status == 200
        assert not first.body and not second.body  # acked empty: their work was taken
        assert third.json is not None and third.json["text"] == BUSY
        assert third.json["response_type"] == "ephemeral"
        assert "after_ack is full" in caplog.text and "command:/mission" in caplog.text
        assert "U0" not in caplog.text  # the log line names the kind, never the member
        slack.settle(timeout=30)
        opened = [c for c in slack.standin.calls_to("views.open") if c.ok]
        assert len(opened) == 2  # the two it took both opened; the third was told at once


def test_a_modal_submitted_while_every_form_worker_is_busy_stays_open_with_a_note(
    engine: Engine,
) -> None:
    with running_slack(engine, form_threads=1) as slack:
        for member in (slack.noor, slack.lena):  # one at a time: views[0] is Noor's
            slack.driver.command(user=member, channel=slack.council, command="/mission")
            slack.settle()
        views = slack.standin.calls_to("views.open")
        slack.standin.set_latency(1.5, method="chat.postMessage")  # the first post is slow
        first = slack.driver.view_submission(
            user=slack.noor, view_id=views[0].response["view"]["id"], values=DRAFT_VALUES
        )
        assert first.status == 200 and not first.body  # saved, closed; posting after
        second = slack.driver.view_submission(
            user=slack.lena, view_id=views[1].response["view"]["id"], values=DRAFT_VALUES
        )
        assert second.status == 200 and second.json is not None
        assert second.json["response_action"] == "errors"
        assert BUSY in json.dumps(second.json["errors"])
        slack.settle(timeout=30)
        with Session(slack.engine) as session:
            drafts = session.exec(select(MissionDraft)).all()
        assert [d.author_id for d in drafts] == [slack.noor]  # Lena's typing stayed on screen
        assert drafts[0].message_ts is not None


def test_a_rate_limited_views_open_is_not_slept_out_and_the_member_is_told(
    slack: Slack,
) -> None:
    slack.standin.fail_next("views.open", kind="ratelimited", retry_after=5)
    started = time.monotonic()
    answer = slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    assert answer.status == 200
    told = slack.standin.wait_for("response_url")
    assert time.monotonic() - started < SLACK_LIMIT  # not after a 5 s Retry-After
    assert "Slack is very busy" in told.args["text"]
    slack.settle()
    assert [c.status for c in slack.standin.calls_to("views.open")] == [429]


def test_an_event_arriving_at_a_full_pool_is_refused_so_slack_delivers_it_again(
    engine: Engine,
) -> None:
    with running_slack(engine, work_threads=1, work_queue=0) as slack:
        slack.standin.set_latency(1.0, method="views.open")  # holds the one worker
        slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
        refused = slack.driver.app_home_opened(user=slack.lena)
        assert refused.status == 503  # not acked: Slack retries, nothing is dropped here
        slack.settle(timeout=30)
        assert slack.standin.calls_to("views.publish") == []
        assert refused.payload is not None
        again = slack.driver.redeliver(refused.payload)
        assert again.status == 200
        published = slack.standin.wait_for("views.publish")
        assert published.args["user_id"] == slack.lena


def test_a_click_at_a_full_pool_is_answered_busy_privately(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with running_slack(engine, work_threads=1, work_queue=0) as slack:
        draft = post_draft(slack, author=slack.noor, channel=slack.council)
        slack.settle()
        slack.standin.clear_calls()
        slack.standin.set_latency(1.0, method="views.open")  # holds the one worker
        slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
        with caplog.at_level(logging.WARNING, logger="council_bot.work"):
            clicked = slack.driver.block_action(
                user=slack.lena,
                action_id=ACTION_FEEDBACK,
                channel=draft.channel,
                message_ts=draft.ts,
            )
        assert clicked.status == 200
        told = slack.standin.wait_for("response_url")
        assert told.args["text"] == BUSY
        assert told.args.get("response_type") == "ephemeral"
        assert "action:mission_feedback" in caplog.text
