"""Encryption at rest for what a leaked database file must not reveal (PRIVACY.md).

Compensation figures, back-channel people and notes, Gratitude House entries and debrief
answers are stored as Fernet tokens (AES-128-CBC with HMAC-SHA256, from `cryptography`).
A `MultiFernet` holds the current key first and older ones after it: tokens made with any
of them decrypt, new ones use the first, and `rotate` re-encrypts a token with the first.

The keys are configured once per process (`configure`), before the first query: by
`bot.cli.build_runtime` from DATA_KEY or the key file (bot/platform/data_keys.py), and by
the test suite with a key of its own. A column type never sees a key it was not given.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, Text
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_lock = threading.Lock()
_keys: MultiFernet | None = None


class DataKeyError(RuntimeError):
    """No data key is configured, a key is malformed, or a token matches no key."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def parse_keys(keys: Sequence[str]) -> MultiFernet:
    """A key ring from url-safe base64 Fernet keys (current first); DataKeyError if bad."""
    cleaned = [k.strip() for k in keys if k.strip()]
    if not cleaned:
        raise DataKeyError("no data key given")
    try:
        return MultiFernet([Fernet(k.encode("ascii")) for k in cleaned])
    except (ValueError, UnicodeEncodeError):
        raise DataKeyError(
            "a data key is not a Fernet key (32 url-safe base64-encoded bytes)"
        ) from None


def configure(keys: Sequence[str]) -> None:
    """Use these keys (current first) for every encrypted column in this process."""
    global _keys
    ring = parse_keys(keys)
    with _lock:
        _keys = ring


def is_configured() -> bool:
    return _keys is not None


def _ring() -> MultiFernet:
    ring = _keys
    if ring is None:
        raise DataKeyError("the data key is not configured (storage.crypto.configure)")
    return ring


def encrypt(text: str) -> str:
    return _ring().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _ring().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        # Never echo the value: it may be a plaintext row a migration has not reached.
        raise DataKeyError("a stored value does not decrypt with the configured keys") from None


def rotate(token: str) -> str:
    """The same value, encrypted with the current key."""
    try:
        return _ring().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise DataKeyError("a stored value does not decrypt with the configured keys") from None


class EncryptedText(TypeDecorator[str]):
    """Text stored as a Fernet token; the same text comes back."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(str(value))


class EncryptedInt(TypeDecorator[int]):
    """An integer (a salary figure) stored as a Fernet token of its decimal digits."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        return None if value is None else encrypt(str(int(value)))

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(decrypt(str(value)))


# Every encrypted column, as (table, column): the migration that encrypts existing rows and
# `council-bot rotate-key` walk this list; tests/storage/test_crypto.py checks it is complete.
ENCRYPTED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("negotiation_compensation", "offer"),
    ("negotiation_compensation", "target"),
    ("backchannel_checklists", "manager_name"),
    ("backchannel_people", "name"),
    ("backchannel_people", "relation"),
    ("backchannel_people", "signal"),
    ("backchannel_people", "notes"),
    ("gratitude_people", "name"),
    ("gratitude_people", "note"),
    ("debriefs", "went_well"),
    ("debriefs", "worries"),
    ("debriefs", "asked"),
    ("debriefs", "inner_critic"),
    ("debriefs", "evidence"),
    ("debriefs", "wants"),
    ("slack_installations", "bot_token"),
    ("slack_installations", "bot_refresh_token"),
    ("written_feedback", "author_sealed"),  # who wrote anonymous feedback (0010)
    ("tour_conversations", "person_name"),  # the Listening Tour (0012)
    ("tour_conversations", "heard"),
    ("tour_conversations", "takeaway"),
    ("council_checkins", "where_now"),
    ("council_checkins", "needs"),
    ("council_checkins", "win"),
    ("fit_two_pagers", "wants"),  # the Two-Pager and the CMF statement (0015)
    ("fit_two_pagers", "dont_wants"),
    ("fit_statements", "stage"),
    ("fit_statements", "industry"),
    ("fit_statements", "role"),
    ("fit_statements", "culture"),
    ("fit_statements", "sentence"),
    ("fit_suggestions", "item"),
    ("review_notes", "text"),  # written feedback on plans, Two-Pagers, statements (0019)
    ("review_notes", "writer_sealed"),
)


def reencrypt_all(engine: Engine) -> int:
    """Re-encrypt every encrypted value with the current key, in one transaction; the
    number of values rewritten (`council-bot rotate-key`)."""
    rewritten = 0
    with engine.begin() as connection:
        for table, column in ENCRYPTED_COLUMNS:
            key = "plan_id" if table == "negotiation_compensation" else "id"
            rows = connection.execute(
                sql_text(f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL")
            ).all()
            for row_key, value in rows:
                connection.execute(
                    sql_text(f"UPDATE {table} SET {column} = :value WHERE {key} = :key"),
                    {"value": rotate(str(value)), "key": row_key},
                )
                rewritten += 1
    return rewritten
