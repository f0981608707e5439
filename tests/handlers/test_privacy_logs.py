"""Member text never reaches the log, at any level, whatever fails.

A distinctive string is typed into every free-text field of every flow (a job mission,
written feedback, an interview and its debrief, a back-channel checklist, a negotiation
plan), while Slack answers 500s, the database refuses a write (its error text naming the
failing row), and requests arrive unsigned or malformed. The whole log is captured at DEBUG,
every logger included (slack_sdk's and Bolt's request and response bodies, SQLAlchemy's
statements, parameters and rows), and the string must appear nowhere in it. The log still
says what happened: ids, Web API methods, error classes and codes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, text

from bot.features.backchannel.views import ACTION_ADD, ACTION_ANSWER, ACTION_SHARE
from bot.features.negotiation.views import ACTION_EDIT_LEG
from bot.features.negotiation.views import ACTION_SHARE as NEGOTIATION_SHARE
from bot.sandbox.standin import driver as payloads
from storage.db import is_postgres
from tests.handlers.conftest import post_draft
from tests.handlers.test_text_inputs import (
    add_person,
    count,
    debrief_values,
    event_values,
    feedback_values,
    latest,
    leg_values,
    mission_values,
    open_by_command,
    open_debrief_form,
    open_feedback,
    open_plan,
    person_values,
    press_on_checklist,
    push_from_plan,
    share_values,
    start_checklist,
)
from tests.plugins.slack import Slack

SECRET = "Zq9-SECRET-COMPANY"


@pytest.fixture
def whole_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record of every logger at DEBUG, loggers with a level of their own included
    (SQLAlchemy's, APScheduler's, Bolt's request verification)."""
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "slack_bolt"):
        caplog.set_level(logging.DEBUG, logger=name)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET:
            caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def assert_no_member_text(log: pytest.LogCaptureFixture) -> None:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    everything = log.text + "\n".join(formatter.format(r) for r in log.records)
    leaks = [line for line in everything.splitlines() if SECRET.casefold() in line.casefold()]
    assert not leaks, "member text in the log:\n" + "\n".join(leaks[:10])


def test_a_mission_and_feedback_through_slack_failures_leave_no_member_text_in_the_log(
    slack: Slack, whole_log: pytest.LogCaptureFixture
) -> None:
    view = open_by_command(slack, slack.noor, "/mission")
    slack.standin.fail_next("chat.postMessage", kind="server_error")  # retried, then posted
    answer = slack.driver.view_submission(
        user=slack.noor,
        view_id=view["id"],
        values=mission_values(
            company=SECRET,
            role=f"Head of {SECRET}",
            mission=f"Make {SECRET} easy to deploy.",
            objective_1=f"Grow {SECRET}",
            krs_1=f"{SECRET} in 5 days, down from 30",
        ),
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    draft = post_draft(slack, author=slack.noor, channel=slack.council)

    # Written feedback whose post fails past the client's retries: stored, member told.
    view_id = open_feedback(slack, slack.lena, draft)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values=feedback_values(
            strong=SECRET, unclear=SECRET, missing=SECRET, suggested_key_result=SECRET
        ),
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()

    # A listener that fails outright (views.open keeps answering 500).
    slack.standin.fail_next("views.open", kind="server_error", times=10)
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    slack.standin.wait_for("chat.postEphemeral")
    slack.settle()

    assert_no_member_text(whole_log)
    log = whole_log.text
    assert "listener failed" in log and "SlackApiError" in log and "internal_error" in log
    assert "api/chat.postMessage" in log and "U0NOOR0001" in log  # methods and ids stay
    assert "HTTP Error 500" in log


def test_debriefs_backchannel_and_negotiation_leave_no_member_text_in_the_log(
    slack: Slack, whole_log: pytest.LogCaptureFixture
) -> None:
    user = slack.lena
    # An interview at a company typed in, its debrief (the prompt comes from a reminder).
    view = open_by_command(slack, user, "/debrief")
    answer = slack.driver.view_submission(
        user=user, view_id=view["id"], values=event_values(slack, company=SECRET, with_whom=SECRET)
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    gratitude = open_by_command(slack, user, "/debrief", "gratitude")
    answer = slack.driver.view_submission(
        user=user,
        view_id=gratitude["id"],
        values={
            "gratitude_name_1": {"gratitude_name_1": payloads.plain(SECRET)},
            "gratitude_note_1": {"gratitude_note_1": payloads.plain(SECRET)},
        },
    )
    assert (answer.json or {}).get("response_action") == "update", answer.body
    form = open_debrief_form(slack, slack.noor)  # noor's own interview, at Globex
    answer = slack.driver.view_submission(
        user=slack.noor,
        view_id=form,
        values=debrief_values(
            went_well=SECRET,
            worries=SECRET,
            asked=SECRET,
            inner_critic=SECRET,
            evidence=SECRET,
            wants=SECRET,
        ),
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()

    # A back-channel checklist: company, manager, a person, notes, a shared summary.
    checklist = start_checklist(slack, user, company=f"{SECRET} Labs")
    person = add_person(slack, user, checklist, name=f"{SECRET} Sam")
    add = press_on_checklist(slack, checklist, ACTION_ADD)
    slack.driver.view_submission(
        user=user, view_id=add, values=person_values(SECRET + " Two", relation=SECRET)
    )
    slack.settle()
    record = press_on_checklist(slack, checklist, ACTION_ANSWER, value=str(person))
    slack.driver.view_submission(
        user=user,
        view_id=record,
        values={
            "bc_status": {"bc_status": payloads.radio("answered")},
            "bc_signal": {"bc_signal": payloads.radio("positive")},
            "bc_notes": {"bc_notes": payloads.plain(SECRET)},
        },
    )
    slack.settle()
    share = press_on_checklist(slack, checklist, ACTION_SHARE)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)
    slack.driver.view_submission(user=user, view_id=share, values=share_values(slack, SECRET))
    slack.settle()

    # A negotiation plan: company, an ask, a note shared with the council.
    plan = open_plan(slack, user, company=f"{SECRET} Inc")
    leg = push_from_plan(slack, user, plan, ACTION_EDIT_LEG, block_id="leg_resources")
    updates = count(slack, "views.update")
    slack.driver.view_submission(user=user, view_id=leg, values=leg_values(SECRET))
    latest(slack, "views.update", updates)
    note = push_from_plan(slack, user, plan, NEGOTIATION_SHARE)
    slack.driver.view_submission(
        user=user, view_id=note, values={"note": {"note": payloads.plain(SECRET)}}
    )
    slack.settle()

    assert_no_member_text(whole_log)
    assert "api/views.open" in whole_log.text and "U0LENA0002" in whole_log.text


def _refuse_new_searches(engine: Engine) -> None:
    """Make the database refuse every new search, with an error naming the failing row."""
    with engine.begin() as connection:
        if is_postgres(engine):
            # "new row ... violates check constraint", DETAIL: "Failing row contains (...)".
            connection.execute(
                text("ALTER TABLE searches ADD CONSTRAINT refuse_all CHECK (id < 0) NOT VALID")
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_all BEFORE INSERT ON searches "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )


def test_database_errors_and_bad_requests_leave_no_member_text_in_the_log(
    slack: Slack, whole_log: pytest.LogCaptureFixture
) -> None:
    _refuse_new_searches(slack.engine)
    view = open_by_command(slack, slack.noor, "/mission")
    slack.driver.view_submission(
        user=slack.noor,
        view_id=view["id"],
        values=mission_values(company=SECRET, role=SECRET, mission=SECRET),
    )
    slack.standin.wait_for(  # "Sorry, something went wrong", in the DM
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == slack.noor
    )
    slack.settle()
    view = open_by_command(slack, slack.lena, "/backchannel")
    slack.driver.view_submission(
        user=slack.lena,
        view_id=view["id"],
        values={
            "bc_company": {"bc_company": payloads.plain(SECRET)},
            "bc_manager": {"bc_manager": payloads.plain(SECRET)},
        },
    )
    slack.settle()
    # What the database cannot store is refused before it gets there.
    for company in (SECRET + "\x00", SECRET + "\ud800", "ß" * 60 + SECRET):
        view = open_by_command(slack, slack.noor, "/mission")
        answer = slack.driver.view_submission(
            user=slack.noor, view_id=view["id"], values=mission_values(company=company)
        )
        assert (answer.json or {}).get("response_action") == "errors", answer.body
    # Unsigned, and signed but malformed, bodies carrying member text.
    payload = json.dumps({"type": "view_submission", "view": SECRET, "user": {"id": SECRET}})
    body = urlencode({"payload": payload})
    assert slack.driver.send(body, content_type=payloads_form(), signature="bad").status == 401
    assert slack.driver.send(body, content_type=payloads_form()).status == 400
    assert slack.driver.send(f"payload={SECRET}", content_type=payloads_form()).status == 400

    assert_no_member_text(whole_log)
    log = whole_log.text
    assert "listener failed" in log and "IntegrityError" in log
    if is_postgres(slack.engine):
        assert "sqlstate 23514" in log and "constraint refuse_all" in log


def payloads_form() -> str:
    return "application/x-www-form-urlencoded"
