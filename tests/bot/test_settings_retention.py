"""RETENTION_DAYS: how long withdrawn drafts, closed checklists and finished reminders stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_retention_is_90_days_by_default() -> None:
    assert load_settings().retention_days == 90


def test_retention_days_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "30")
    assert load_settings().retention_days == 30


@pytest.mark.parametrize("value", ["0", "-5", "ninety", "4000"])
def test_a_malformed_retention_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("RETENTION_DAYS is malformed")
    assert "\n" not in message and "how many days" in message
