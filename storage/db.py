"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs to be safe under concurrency.

    Its errors and its echo never show a statement's parameters (`hide_parameters`): they
    are what members typed, and error texts end up in logs.
    """
    kwargs["hide_parameters"] = True
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Listener threads share the engine; SQLite serialises writers itself.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take control (SQLAlchemy docs
        # recipe) and take the write lock up front: a deferred transaction that reads and
        # then writes fails at once with "database is locked" when another writer committed
        # in between, whereas BEGIN IMMEDIATE waits its turn (busy_timeout).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten with zeros, not just unlinked: what a member erases (or
    # an uninstall purges) cannot be read back from the database file (PRIVACY.md).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _switch_to_wal(cursor: Any, *, patience: float = 30.0) -> None:
    """`PRAGMA journal_mode=WAL`, waiting out another process that holds the file.

    SQLite answers a journal-mode change "database is locked" at once, without its busy
    handler, while another connection switches the mode or migrates a new file: processes
    starting together on one new database would fail instead of taking turns.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def flush_to_file(engine: Engine) -> bool:
    """SQLite: copy the write-ahead log into the database file and empty it, so the
    zeroed pages of a delete replace the old ones in the file and no frame of the deleted
    rows stays in the log. True when the whole log was copied (no reader held it back).
    PostgreSQL: nothing to do here (PRIVACY.md says what holds there); True."""
    if engine.dialect.name != "sqlite":
        return True
    # On the DBAPI connection itself: outside any transaction (a checkpoint cannot run
    # inside the one SQLAlchemy would begin).
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        raw.close()
    return not busy


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


# The unit of work this thread is in, if any (see `unit_of_work`).
_current: ContextVar[tuple[Engine, Session] | None] = ContextVar("unit_of_work", default=None)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on error, always closes.

    Inside `unit_of_work(engine)` it joins that one instead: the outer one commits.
    """
    current = _current.get()
    if current is not None and current[0] is engine:
        yield current[1]
        return
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One use case, one session and one transaction, however many queries it composes.

    Every `session_scope(engine)` opened inside (in this thread) joins it, so a use case
    built from other use cases (the App Home reads six features) still takes one
    connection and, on SQLite, the write lock once rather than once per query.
    """
    current = _current.get()
    if current is not None and current[0] is engine:
        yield current[1]
        return
    with session_scope(engine) as session:
        token = _current.set((engine, session))
        try:
            yield session
        finally:
            _current.reset(token)


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query (for /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
