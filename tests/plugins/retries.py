"""slack_sdk's back-off between retries of a 5xx or a dropped connection, shortened in tests.

The app's clients retry a server error or a reset connection twice (bot.platform.slack_client)
and slack_sdk waits `0.5 * 2**attempt` seconds plus up to a second of random jitter between
attempts: a test that makes Slack fail past the retries waited about 2.5 s for nothing. Here
that wait (jitter included) is scaled by BACKOFF_SCALE: the same attempts, in the same order,
a few milliseconds apart. Nothing in the suite times those waits.

A 429's `Retry-After` is left alone: the tests that check a long one is not slept out
(tests/handlers/test_load.py, test_negotiation.py) need the real wait, and so does the one
that waits a short one out.
"""

from __future__ import annotations

from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

BACKOFF_SCALE = 0.02

_calculate = BackoffRetryIntervalCalculator.calculate_sleep_duration


def _scaled(self: BackoffRetryIntervalCalculator, current_attempt: int) -> float:
    return _calculate(self, current_attempt) * BACKOFF_SCALE


def pytest_configure() -> None:
    BackoffRetryIntervalCalculator.calculate_sleep_duration = _scaled  # type: ignore[method-assign]
