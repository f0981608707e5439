"""Privacy rules: retention cutoffs, which token revocations purge, the purge's log line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.features.privacy.rules import (
    DEFAULT_RETENTION_DAYS,
    EVENTS_RETENTION,
    counts_line,
    retention_cutoffs,
    revokes_bot_token,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_cutoffs_are_the_retention_period_and_a_day_for_event_ids() -> None:
    cutoffs = retention_cutoffs(now=NOW, days=DEFAULT_RETENTION_DAYS)
    assert DEFAULT_RETENTION_DAYS == 90
    assert cutoffs.before == NOW - timedelta(days=90)
    assert cutoffs.events_before == NOW - timedelta(days=1) == NOW - EVENTS_RETENTION
    assert retention_cutoffs(now=NOW, days=7).before == NOW - timedelta(days=7)


def test_a_retention_period_under_a_day_is_refused() -> None:
    with pytest.raises(ValueError):
        retention_cutoffs(now=NOW, days=0)


def test_only_a_revoked_bot_token_purges() -> None:
    assert revokes_bot_token({"bot": ["U0BOT"]}, bot_user_id="U0BOT")
    assert revokes_bot_token({"oauth": ["U1"], "bot": ["U0BOT"]}, bot_user_id="U0BOT")
    assert revokes_bot_token({"bot": ["U0BOT"]}, bot_user_id=None)  # the app has one bot
    assert not revokes_bot_token({"oauth": ["U1", "U2"]}, bot_user_id="U0BOT")
    assert not revokes_bot_token({"bot": ["U0OTHERBOT"]}, bot_user_id="U0BOT")
    assert not revokes_bot_token({}, bot_user_id="U0BOT")
    assert not revokes_bot_token(None, bot_user_id="U0BOT")


def test_the_log_line_has_counts_and_table_names_only() -> None:
    line = counts_line({"reminders": 3, "mission_drafts": 1, "members": 0})
    assert line == "4 rows (mission_drafts=1 reminders=3)"
    assert counts_line({"reminders": 0}) == "0 rows"
