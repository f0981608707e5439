"""The Slack Web API client, with retries for rate limits, connection and server errors."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler

from bot.platform.metrics import SlackApiCallCounter


def make_client(
    *, token: str, base_url: str, retry_rate_limits: bool = True, timeout: int = 10
) -> WebClient:
    """A WebClient pointed at `base_url` (Slack, or the offline stand-in).

    Interactive paths retry a 429 after Slack's Retry-After. The reminder engine passes
    retry_rate_limits=False: it reschedules a rate-limited reminder rather than holding a
    worker thread asleep.

    Every HTTP attempt is counted in `council_slack_api_calls_total{method, outcome}`
    (bot.platform.metrics) by a handler placed before the ones that retry, so retried
    429s and 5xx are counted too. It lives in the retry handlers, not in a WebClient
    subclass, because Bolt builds a plain WebClient for every request from this one's
    settings and retry handlers.
    """
    handlers: list[RetryHandler] = [
        SlackApiCallCounter(),
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    if retry_rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)
