"""Slack errors to reminder outcomes: the only Slack-aware piece of the reminder engine.

A reminder's sender makes one or more Web API calls and reports what happened as an
Outcome (bot.reminders.engine). Run the calls through `slack_outcome`, or decorate the sender
with `@slack_sender`:

    client = engine_client(token=..., base_url=...)   # no 429 retries inside the client

    @slack_sender
    def send_debrief_prompt(reminder: Reminder) -> None:
        channel = client.conversations_open(users=reminder.user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=..., blocks=...)

Mapping:
- HTTP 429 or error "ratelimited" -> RateLimited(Retry-After seconds);
- errors that will never go away for this recipient (user deactivated or gone, bot not
  in the channel, channel archived or gone, app uninstalled, ...) -> Undeliverable;
- anything else, including server errors and connection errors -> Failed (retried with
  backoff by the engine).

The engine's client must not retry 429s itself (that would hold a worker thread asleep
and hide the rate limit from the engine); `engine_client` builds one that way.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.platform.logs import describe_exception
from bot.platform.slack_client import make_client
from bot.reminders.engine import Delivered, Failed, Outcome, RateLimited, Reminder, Undeliverable
from bot.services import WorkspaceNotInstalled

log = logging.getLogger(__name__)

# Slack `error` codes after which retrying can never succeed for this recipient.
UNDELIVERABLE_ERRORS = frozenset(
    {
        # the user
        "user_disabled",
        "account_inactive",
        "user_not_found",
        "users_not_found",
        "user_not_visible",
        "cannot_dm_bot",
        # the channel
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        # the workspace no longer has the app
        "token_revoked",
        "team_access_not_granted",
    }
)

DEFAULT_RETRY_AFTER = 30.0  # seconds, when a 429 comes without a usable Retry-After


def engine_client(*, token: str, base_url: str, timeout: int = 10) -> WebClient:
    """A WebClient for reminder senders: connection and 5xx retries, no 429 retries."""
    return make_client(token=token, base_url=base_url, retry_rate_limits=False, timeout=timeout)


def slack_outcome(call: Callable[[], Any]) -> Outcome:
    """Run `call` (one or more slack_sdk calls) and say how the delivery went."""
    try:
        call()
    except SlackApiError as exc:
        return outcome_of_error(exc)
    except WorkspaceNotInstalled:  # uninstalled since: its purge deletes the rest
        return Undeliverable("not_installed")
    except Exception as exc:  # connection errors (URLError, timeouts), bugs: retried later
        return Failed(describe_exception(exc))  # never its message: member text
    return Delivered()


def slack_sender(function: Callable[[Reminder], Any]) -> Callable[[Reminder], Outcome]:
    """Turn a function that makes Slack calls for a reminder into an engine Sender.

    The function may return an Outcome itself (e.g. Undeliverable when the member left
    the council); any other return value means Delivered.
    """

    @functools.wraps(function)
    def sender(reminder: Reminder) -> Outcome:
        result: list[Any] = []
        outcome = slack_outcome(lambda: result.append(function(reminder)))
        if isinstance(outcome, Delivered) and result:
            value = result[0]
            if isinstance(value, Delivered | RateLimited | Undeliverable | Failed):
                return value
        return outcome

    return sender


def outcome_of_error(exc: SlackApiError) -> Outcome:
    response = exc.response
    status = getattr(response, "status_code", None)
    error = _error_code(response)
    if status == 429 or error == "ratelimited":
        return RateLimited(retry_after(getattr(response, "headers", None) or {}))
    if error in UNDELIVERABLE_ERRORS:
        return Undeliverable(error)
    detail = error or "no error code"
    return Failed(f"slack error {detail} (HTTP {status})")


def retry_after(headers: Mapping[str, Any]) -> float:
    """Seconds from a Retry-After header (any case; seconds or an HTTP date)."""
    raw: Any = None
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value
            break
    if isinstance(raw, list | tuple):
        raw = raw[0] if raw else None
    if raw is None:
        return DEFAULT_RETRY_AFTER
    text = str(raw).strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
        return max((when - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError, IndexError):
        log.warning("unreadable Retry-After header %r; waiting %s s", text, DEFAULT_RETRY_AFTER)
        return DEFAULT_RETRY_AFTER


def _error_code(response: Any) -> str | None:
    try:
        data = response.data if hasattr(response, "data") else response
        if isinstance(data, dict):
            value = data.get("error")
            return str(value) if value else None
    except Exception:  # a non-JSON body
        return None
    return None
