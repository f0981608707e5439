"""bot.platform.metrics: request kinds, Web API outcomes, the counting retry handler and
the reminder backlog collector, without the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import generate_latest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.response import HttpResponse
from sqlalchemy import Engine

from bot.platform.metrics import (
    REGISTRY,
    REMINDER_BACKLOG,
    REQUEST_KINDS,
    api_method,
    call_outcome,
    request_kind,
)
from bot.platform.slack_client import make_client
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, seed_demo
from storage import reminders as store
from storage.db import session_scope
from tests.plugins.clock import Clock

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def interaction(payload: dict[str, object]) -> str:
    return urlencode({"payload": json.dumps(payload)})


# --- request_kind ------------------------------------------------------------------------


def test_a_slash_command_is_a_command() -> None:
    body = urlencode({"command": "/mission", "text": "list", "user_id": "U1", "team_id": "T1"})
    assert request_kind(body, FORM) == "command"
    assert request_kind(body, None) == "command"  # no content type: sniffed


@pytest.mark.parametrize(
    ("payload_type", "kind"),
    [
        ("block_actions", "block_actions"),
        ("block_suggestion", "block_suggestion"),
        ("view_submission", "view_submission"),
        ("view_closed", "view_closed"),
        ("shortcut", "shortcut"),
        ("message_action", "shortcut"),
        ("interactive_message", "other"),  # legacy attachments: not in the vocabulary
    ],
)
def test_interactions_are_told_apart_by_their_payload_type(payload_type: str, kind: str) -> None:
    body = interaction({"type": payload_type, "user": {"id": "U1"}, "view": {"type": "modal"}})
    assert request_kind(body, f"{FORM}; charset=utf-8") == kind


@pytest.mark.parametrize(
    ("envelope", "kind"),
    [
        ({"type": "event_callback", "event": {"type": "reaction_added"}}, "event_callback"),
        ({"type": "url_verification", "challenge": "abc"}, "url_verification"),
        ({"type": "app_rate_limited", "minute_rate_limited": 1}, "app_rate_limited"),
        ({"type": "something_new"}, "other"),
    ],
)
def test_events_api_bodies_are_json(envelope: dict[str, object], kind: str) -> None:
    body = json.dumps(envelope)
    assert request_kind(body, JSON) == kind
    assert request_kind(body, None) == kind


def test_socket_mode_payloads_arrive_decoded() -> None:
    assert request_kind({"command": "/debrief", "text": "x"}) == "command"
    assert request_kind({"type": "view_submission", "view": {}}) == "view_submission"
    assert request_kind({"type": "event_callback", "event": {}}) == "event_callback"
    assert request_kind({}) == "other"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", FORM),
        ("", None),
        ("{not json", JSON),
        ("[1, 2]", JSON),
        ('"a string"', None),
        (urlencode({"payload": "not json"}), FORM),
        (urlencode({"payload": "[]"}), FORM),
        (urlencode({"payload": json.dumps({"type": 7})}), FORM),
        (urlencode({"text": "no command field"}), FORM),
        (json.dumps({"type": "view_submission"}), FORM),  # the content type decides
    ],
)
def test_unreadable_or_unknown_bodies_are_other(body: str, content_type: str | None) -> None:
    assert request_kind(body, content_type) == "other"


@given(text=st.text(), content_type=st.sampled_from([FORM, JSON, None, "text/plain"]))
def test_the_kind_is_always_one_word_of_the_vocabulary(text: str, content_type: str | None) -> None:
    assert request_kind(text, content_type) in REQUEST_KINDS
    typed = json.dumps({"type": text})
    assert request_kind(typed, JSON) in REQUEST_KINDS
    assert request_kind(interaction({"type": text}), FORM) in REQUEST_KINDS


# --- Web API methods and outcomes --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("https://slack.com/api/chat.postMessage", "chat.postMessage"),
        ("http://127.0.0.1:5000/api/views.open", "views.open"),
        ("https://slack.com/api/admin.apps.approved.list", "admin.apps.approved.list"),
        ("https://slack.com/api/chat.postMessage?channel=C0SECRET1", "chat.postMessage"),
        ("https://slack.com/api/", "other"),
        ("https://slack.com/api/U0NOOR0001", "other"),
        ("https://slack.com/api/chat.post Message", "other"),
        ("https://slack.com/api/" + "a." + "b" * 80, "other"),
    ],
)
def test_the_method_is_the_last_path_segment_when_it_looks_like_one(url: str, method: str) -> None:
    assert api_method(url) == method


def response(status: int, body: dict[str, object] | None = None) -> HttpResponse:
    return HttpResponse(status_code=status, headers={}, body=body)


@pytest.mark.parametrize(
    ("answer", "error", "outcome"),
    [
        (response(200, {"ok": True, "channel": "C1"}), None, "ok"),
        (response(200, {"ok": False, "error": "channel_not_found"}), None, "channel_not_found"),
        (response(200, {"ok": False, "error": "ratelimited"}), None, "ratelimited"),
        (response(200, {"ok": False, "error": "Not A Code: U0NOOR0001"}), None, "error"),
        (response(200, {"ok": False}), None, "error"),
        (response(200, {}), None, "invalid_response"),
        (response(429, None), None, "429"),
        (response(500, None), None, "500"),
        (response(503, None), None, "503"),
        (None, ConnectionResetError(), "connection_error"),
    ],
)
def test_outcomes(answer: HttpResponse | None, error: Exception | None, outcome: str) -> None:
    assert call_outcome(answer, error) == outcome


def calls(method: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "council_slack_api_calls_total", {"method": method, "outcome": outcome}
    )
    return value or 0.0


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(seed_demo()) as running:
        yield running


def test_the_client_counts_every_attempt_including_retried_429s(standin: SlackStandIn) -> None:
    client = make_client(token=standin.bot_token, base_url=standin.api_url)
    before = {o: calls("chat.postMessage", o) for o in ("ok", "429", "channel_not_found")}
    standin.fail_next("chat.postMessage", kind="ratelimited", retry_after=0)

    client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="hello")  # retried, then ok
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0NOSUCH001", text="hello")

    assert [c.status for c in standin.calls_to("chat.postMessage")] == [429, 200, 200]
    assert calls("chat.postMessage", "429") == before["429"] + 1
    assert calls("chat.postMessage", "ok") == before["ok"] + 1
    assert calls("chat.postMessage", "channel_not_found") == before["channel_not_found"] + 1


def test_the_engine_client_counts_the_429_it_does_not_retry(standin: SlackStandIn) -> None:
    client = make_client(token=standin.bot_token, base_url=standin.api_url, retry_rate_limits=False)
    before = calls("chat.postMessage", "429")
    standin.fail_next("chat.postMessage", kind="ratelimited", retry_after=0)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="hello")
    assert len(standin.calls_to("chat.postMessage")) == 1
    assert calls("chat.postMessage", "429") == before + 1


def test_server_errors_and_resets_are_counted_before_they_are_retried(
    standin: SlackStandIn,
) -> None:
    client = make_client(token=standin.bot_token, base_url=standin.api_url)
    before = {o: calls("auth.test", o) for o in ("500", "connection_error", "ok")}
    standin.fail_next("auth.test", kind="server_error")
    client.auth_test()
    standin.fail_next("auth.test", kind="connection_reset")
    client.auth_test()
    assert calls("auth.test", "500") == before["500"] + 1
    assert calls("auth.test", "connection_error") == before["connection_error"] + 1
    assert calls("auth.test", "ok") == before["ok"] + 2


# --- the reminder backlog ----------------------------------------------------------------

NOW = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def watching(engine: Engine) -> Iterator[Clock]:
    clock = Clock(NOW)
    REMINDER_BACKLOG.watch(engine, clock=clock, late_after=timedelta(minutes=1))
    try:
        yield clock
    finally:
        REMINDER_BACKLOG.watch(None, clock=clock, late_after=timedelta(minutes=1))


def gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


def test_the_backlog_is_read_at_scrape_time_with_the_watched_clock(
    engine: Engine, watching: Clock
) -> None:
    assert gauge("council_reminders_due") == 0
    assert gauge("council_reminders_oldest_due_age_seconds") == 0
    with session_scope(engine) as session:
        for minutes in (0.5, 5):
            store.schedule(
                session,
                kind="debrief",
                team_id="T1",
                user_id="U1",
                due_at=NOW - timedelta(minutes=minutes),
                payload={},
            )
    assert gauge("council_reminders_due") == 2
    assert gauge("council_reminders_late") == 1
    assert gauge("council_reminders_claimed") == 0
    assert gauge("council_reminders_failed") == 0
    assert gauge("council_reminders_oldest_due_age_seconds") == 300

    watching.advance(timedelta(minutes=1))
    assert gauge("council_reminders_late") == 2
    assert gauge("council_reminders_oldest_due_age_seconds") == 360


def test_no_backlog_series_when_nothing_is_watched() -> None:
    REMINDER_BACKLOG.watch(None, clock=lambda: NOW, late_after=timedelta(minutes=1))
    assert gauge("council_reminders_due") is None
    assert b"council_ack_seconds" in generate_latest(REGISTRY)


def test_a_failing_read_leaves_the_rest_of_the_scrape(engine: Engine) -> None:
    def broken_clock() -> datetime:
        raise RuntimeError("the database is gone")

    REMINDER_BACKLOG.watch(engine, clock=broken_clock, late_after=timedelta(minutes=1))
    try:
        exposition = generate_latest(REGISTRY).decode()
    finally:
        REMINDER_BACKLOG.watch(None, clock=broken_clock, late_after=timedelta(minutes=1))
    assert "council_reminders_due " not in exposition
    assert "council_ack_seconds_bucket" in exposition
