"""The Slack Web API client, with retries for rate limits, connection and server errors."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)


def make_client(
    *, token: str, base_url: str, retry_rate_limits: bool = True, timeout: int = 10
) -> WebClient:
    """A WebClient pointed at `base_url` (Slack, or the offline stand-in).

    Interactive paths retry a 429 after Slack's Retry-After. The reminder engine passes
    retry_rate_limits=False: it reschedules a rate-limited reminder rather than holding a
    worker thread asleep.
    """
    handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    if retry_rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)
