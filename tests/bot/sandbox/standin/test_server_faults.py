"""Fault injection (429, 500, reset) against slack_sdk's retry handlers, and call recording."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL


def test_ratelimited_answers_429_with_retry_after_and_slacks_body(
    client: WebClient, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")
    response = refused.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.data == {"ok": False, "error": "ratelimited"}
    assert client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")["ok"]


def test_rate_limit_retry_handler_waits_and_then_succeeds(standin: SlackStandIn) -> None:
    retrying = WebClient(
        token=standin.bot_token,
        base_url=standin.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    standin.fail_next("chat.postMessage", times=2, retry_after=0)
    assert retrying.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")["ok"]
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [429, 429, 200]


def test_server_error_answers_500(client: WebClient, standin: SlackStandIn) -> None:
    standin.fail_next("users.info", kind="server_error")
    with pytest.raises(SlackApiError) as refused:
        client.users_info(user="U0NOOR0001")
    assert refused.value.response.status_code == 500


def test_server_error_retry_handler_recovers(standin: SlackStandIn) -> None:
    retrying = WebClient(
        token=standin.bot_token,
        base_url=standin.api_url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    standin.fail_next("users.info", kind="server_error")
    assert retrying.users_info(user="U0NOOR0001")["ok"]
    assert [c.status for c in standin.calls_to("users.info")] == [500, 200]


def test_connection_reset_drops_the_connection_without_an_answer(
    client: WebClient, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", kind="connection_reset")
    # A reset (RST), not a clean close: the client sees ECONNRESET.
    with pytest.raises(ConnectionResetError):
        client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")
    [call] = standin.calls_to("chat.postMessage")
    assert call.status == 0 and call.response == {}
    assert standin.workspace.messages_in(DEMO_COUNCIL_CHANNEL) == []


def test_connection_reset_is_retried_by_the_connection_error_handler(
    standin: SlackStandIn,
) -> None:
    retrying = WebClient(
        token=standin.bot_token,
        base_url=standin.api_url,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )
    standin.fail_next("chat.postMessage", kind="connection_reset")
    assert retrying.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")["ok"]
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [0, 200]


def test_a_fault_only_hits_the_named_method(client: WebClient, standin: SlackStandIn) -> None:
    standin.fail_next("views.open", times=3)
    assert client.auth_test()["ok"]
    assert client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")["ok"]


def test_an_unknown_fault_kind_is_rejected(standin: SlackStandIn) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        standin.fail_next("auth.test", kind="meteor")  # type: ignore[arg-type]


def test_every_call_is_recorded_with_method_args_token_status_and_response(
    client: WebClient, standin: SlackStandIn
) -> None:
    client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="hello")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0NOPE", text="x")
    ok, refused = standin.calls_to("chat.postMessage")
    assert ok.args == {"channel": DEMO_COUNCIL_CHANNEL, "text": "hello"}
    assert ok.token == standin.bot_token and ok.status == 200 and ok.ok
    assert ok.response["message"]["text"] == "hello"
    assert not refused.ok and refused.error == "channel_not_found"


def test_wait_for_returns_a_call_made_later_by_a_background_thread(
    client: WebClient, standin: SlackStandIn
) -> None:
    def later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="reminder")

    threading.Thread(target=later).start()
    call = standin.wait_for("chat.postMessage", predicate=lambda c: c.args["text"] == "reminder")
    assert call.ok


def test_wait_for_with_count_returns_that_many_calls(
    client: WebClient, standin: SlackStandIn
) -> None:
    for text in ("a", "b", "c"):
        client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text=text)
    calls = standin.wait_for("chat.postMessage", count=2)
    assert [c.args["text"] for c in calls] == ["a", "b"]


def test_wait_for_times_out_with_a_listing_of_the_calls_it_saw(
    client: WebClient, standin: SlackStandIn
) -> None:
    client.auth_test()
    with pytest.raises(AssertionError) as timed_out:
        standin.wait_for("views.publish", timeout=0.1)
    message = str(timed_out.value)
    assert "views.publish" in message and "auth.test -> 200 ok" in message


def test_clear_calls_forgets_calls_but_keeps_state(
    client: WebClient, standin: SlackStandIn
) -> None:
    client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="kept")
    standin.clear_calls()
    assert standin.calls == []
    assert standin.workspace.messages_in(DEMO_COUNCIL_CHANNEL)[0]["text"] == "kept"


def test_the_stand_in_restarts_cleanly_as_a_context_manager() -> None:
    with SlackStandIn() as first:
        url = first.api_url
        assert WebClient(token=first.bot_token, base_url=url).auth_test()["ok"]
    with pytest.raises(RuntimeError):
        _ = first.api_url


def test_concurrent_requests_are_all_answered_and_recorded(standin: SlackStandIn) -> None:
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            client = WebClient(token=standin.bot_token, base_url=standin.api_url)
            client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text=f"m{n}")
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(standin.wait_for("chat.postMessage", count=24)) == 24
    stamps = [m["ts"] for m in standin.workspace.messages_in(DEMO_COUNCIL_CHANNEL)]
    assert len(set(stamps)) == 24


def test_latency_delays_every_answer_and_a_method_setting_wins(
    client: WebClient, standin: SlackStandIn
) -> None:
    standin.set_latency(0.3)
    standin.set_latency(0.0, method="auth.test")  # removing a method setting: "*" applies
    started = time.perf_counter()
    assert client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")["ok"]
    assert time.perf_counter() - started >= 0.3
    standin.set_latency(0.0)
    started = time.perf_counter()
    assert client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")["ok"]
    assert time.perf_counter() - started < 0.3


def test_latency_holds_each_request_alone_not_in_a_queue(standin: SlackStandIn) -> None:
    standin.set_latency(0.4, method="chat.postMessage")
    clients = [WebClient(token=standin.bot_token, base_url=standin.api_url) for _ in range(8)]
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=lambda c=c: c.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="x")
        )
        for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Eight calls at 0.4 s each, answered side by side: far less than 8 x 0.4 s.
    assert time.perf_counter() - started < 2.4
    with pytest.raises(ValueError):
        standin.set_latency(-1)
