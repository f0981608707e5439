"""Where the data key comes from: DATA_KEY, or a key file next to an embedded database.

A single-process SQLite install should work with zero setup, so the first start creates a
key file (mode 0600) in DATA_DIR and says to back it up with the database. PostgreSQL is
the scale-out database, where several processes must share one key: DATA_KEY must be set.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine

from bot.settings import ConfigError, Settings
from storage import crypto

log = logging.getLogger("council_bot.data_keys")

KEY_FILE = "data.key"


def key_file(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def _split(text: str) -> list[str]:
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


def data_keys(settings: Settings, *, dialect: str) -> list[str]:
    """The configured keys, current first; creates the SQLite key file on first start."""
    if settings.data_key is not None and settings.data_key.get_secret_value().strip():
        return _split(settings.data_key.get_secret_value())
    if dialect != "sqlite":
        raise ConfigError(
            "DATA_KEY is not set: with PostgreSQL every bot process needs the same key. "
            "Create one with `council-bot new-key` and set DATA_KEY."
        )
    path = key_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return _split(path.read_text())
        with os.fdopen(descriptor, "w") as out:
            out.write(crypto.new_key() + "\n")
        log.warning(
            "created the data key %s: back it up with the database; without it the "
            "encrypted data (salary figures, back-channel notes) cannot be read",
            path,
        )
    return _split(path.read_text())


def ensure_data_keys(settings: Settings, engine: Engine) -> None:
    """Configure the process's keys once (a test suite or an embedding app may have)."""
    if crypto.is_configured():
        return
    try:
        crypto.configure(data_keys(settings, dialect=engine.dialect.name))
    except crypto.DataKeyError as exc:
        raise ConfigError(f"DATA_KEY is not usable: {exc}. {_HOW}") from None


_HOW = "Create a key with `council-bot new-key`."


def write_key_file(path: Path, key: str) -> None:
    """Replace the key file atomically, keeping it private to the bot's user."""
    temporary = path.with_suffix(".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(key + "\n")
    os.replace(temporary, path)
