"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike.

    SQLite has no time zones; storing naive UTC and re-attaching UTC on the way out keeps
    comparisons in SQL correct on both backends and rejects naive values early.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


_Row = TypeVar("_Row")


class MissingRow(RuntimeError):
    """A row the schema promises (a foreign key's target, a draft's current version) is gone."""


def require_row(row: _Row | None, what: str) -> _Row:
    """`row`, looked up where the schema says one exists; MissingRow naming `what` if not."""
    if row is None:
        raise MissingRow(f"{what} is missing")
    return row


class _HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def require_id(row: _HasId) -> int:
    """The primary key of a row that was flushed (or loaded); a RuntimeError if it has none.

    A row gets its id from the database on flush, so a missing one is a bug in the caller
    (a row used before it was added and flushed), never a member's doing.
    """
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: it was not flushed")
    return row.id
