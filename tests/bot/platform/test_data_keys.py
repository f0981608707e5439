"""Where the data key comes from: DATA_KEY, or a private key file beside a SQLite database."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from bot.platform.data_keys import data_keys, key_file
from bot.settings import ConfigError, Settings
from storage import crypto


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_sqlite_without_data_key_creates_a_private_key_file_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path)
    with caplog.at_level(logging.WARNING, logger="council_bot.data_keys"):
        first = data_keys(settings, dialect="sqlite")
    path = key_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "back it up" in caplog.text
    assert data_keys(settings, dialect="sqlite") == first  # the same key on every start
    crypto.parse_keys(first)  # a real Fernet key


def test_postgresql_without_data_key_refuses_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        data_keys(_settings(tmp_path), dialect="postgresql")
    assert "DATA_KEY is not set" in str(refused.value) and "\n" not in str(refused.value)
    assert not key_file(_settings(tmp_path)).exists()


def test_data_key_lists_the_current_key_first_then_old_ones(tmp_path: Path) -> None:
    new, old = crypto.new_key(), crypto.new_key()
    settings = _settings(tmp_path, data_key=f"{new}, {old}")
    assert data_keys(settings, dialect="postgresql") == [new, old]
    assert not key_file(settings).exists()  # DATA_KEY set: no file is written
