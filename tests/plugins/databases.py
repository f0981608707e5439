"""Database fixtures for SQLite and PostgreSQL, registered as a pytest plugin.

`database_url` is parametrised over both backends and gives each test a database of its
own with every migration applied; `migrated_engine` is an engine on it. Without
TEST_DATABASE_URL the PostgreSQL cases are skipped.

Running the whole Alembic history for every test is most of a database test's cost, so the
history runs once per session (per xdist worker) into a template, and each test gets a copy:

* SQLite: the migrated template file, copied to the test's own file.
* PostgreSQL: `CREATE DATABASE ... TEMPLATE <the migrated template>`, a database per test
  (dropped afterwards, off the test's critical path). The URL names that database, so other
  processes given the URL (the multi-process reminder tests) see the same tables.

Names carry a random run token and the xdist worker id, so parallel workers, and other runs
sharing the same PostgreSQL, never share a database.

Tests marked `migrate_from_empty` (tests/storage/test_migrations.py, marked in
tests/storage/conftest.py) get an empty database that `migrated_engine` migrates through the
whole history itself; `empty_engine` (tests/conftest.py) sits on an empty database too.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import sqlite3
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.db import make_engine
from storage.migrate import upgrade

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

MIGRATE_FROM_EMPTY = "migrate_from_empty"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MIGRATE_FROM_EMPTY}: database_url starts empty and migrated_engine runs every "
        "migration (instead of copying the session's migrated template)",
    )


def worker_name() -> str:
    """The xdist worker id (gw0, gw1, ...), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_database_url(base_url: str, database: str) -> str:
    """`base_url` pointed at another database on the same server."""
    return make_url(base_url).set(database=database).render_as_string(hide_password=False)


class PostgresDatabases:
    """Per-test PostgreSQL databases for one session (one xdist worker).

    Every name starts with `ct_<run token>_<worker>_`: unique across workers and runs.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.prefix = f"ct_{uuid.uuid4().hex[:8]}_{worker_name()}"
        # CREATE/DROP DATABASE cannot run inside a transaction.
        self.admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
        self._numbers = itertools.count()
        self._template: str | None = None
        self._drops: queue.Queue[str | None] = queue.Queue()
        self.failed_drops: list[str] = []
        self._dropper = threading.Thread(target=self._drop_queued, daemon=True)
        self._dropper.start()

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _new_name(self) -> str:
        return f"{self.prefix}_{next(self._numbers)}"

    def template(self) -> str:
        """The migrated template database, created on first use. Nothing stays connected
        to it (PostgreSQL refuses a template that has other sessions)."""
        if self._template is None:
            name = f"{self.prefix}_template"
            self._execute(f'CREATE DATABASE "{name}"')
            engine = make_engine(postgres_database_url(self.base_url, name))
            try:
                upgrade(engine)
            finally:
                engine.dispose()
            self._template = name
        return self._template

    def create(self, *, migrated: bool) -> str:
        """A new database: a copy of the migrated template, or empty. Returns its URL."""
        name = self._new_name()
        if migrated:
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template()}"')
        else:
            self._execute(f'CREATE DATABASE "{name}"')
        return postgres_database_url(self.base_url, name)

    def drop_later(self, url: str) -> None:
        """Drop the test's database in the background; its name is never reused."""
        database = make_url(url).database
        assert database and database.startswith(self.prefix)
        self._drops.put(database)

    def _drop_queued(self) -> None:
        while (name := self._drops.get()) is not None:
            try:
                # FORCE: a connection the test left open (an undisposed pool) cannot keep it.
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # a leftover database must not stop the other drops
                self.failed_drops.append(f"{name}: {exc}")

    def close(self) -> None:
        self._drops.put(None)
        self._dropper.join(timeout=120)
        if self.failed_drops:
            warnings.warn(
                "test databases left behind: " + "; ".join(self.failed_drops), stacklevel=1
            )
        if self._template is not None:
            self._execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        self.admin.dispose()


class SqliteDatabases:
    """Per-test SQLite files for one session, copied from a migrated template file."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self._template: Path | None = None

    def template(self) -> Path:
        if self._template is None:
            path = self.factory.mktemp("template") / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            try:
                upgrade(engine)
            finally:
                engine.dispose()
            # WAL mode: fold the log into the main file, so the file alone is the whole
            # database (closing the last connection does so too; this makes it certain).
            conn = sqlite3.connect(path, isolation_level=None)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            wal = path.with_name(path.name + "-wal")
            assert not wal.exists() or wal.stat().st_size == 0, "template not checkpointed"
            self._template = path
        return self._template

    def create(self, *, migrated: bool) -> str:
        path = self.factory.mktemp("db") / "test.db"
        if migrated:
            shutil.copyfile(self.template(), path)
        return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    return SqliteDatabases(tmp_path_factory)


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL tests)")
    databases = PostgresDatabases(TEST_DATABASE_URL)
    try:
        yield databases
    finally:
        databases.close()


def _database(request: pytest.FixtureRequest, backend: str, *, migrated: bool) -> Iterator[str]:
    if backend == "sqlite":
        yield request.getfixturevalue("sqlite_databases").create(migrated=migrated)
        return
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL tests)")
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = databases.create(migrated=migrated)
    try:
        yield url
    finally:
        databases.drop_later(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of the test's own: migrated (a template copy), or empty for tests marked
    `migrate_from_empty`, whose `migrated_engine` then runs the migrations."""
    migrated = request.node.get_closest_marker(MIGRATE_FROM_EMPTY) is None
    yield from _database(request, request.param, migrated=migrated)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of the test's own with no tables at all."""
    yield from _database(request, request.param, migrated=False)


@pytest.fixture
def migrated_engine(request: pytest.FixtureRequest, database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    try:
        if request.node.get_closest_marker(MIGRATE_FROM_EMPTY) is not None:
            upgrade(engine)  # the whole history, on an empty database
        yield engine
    finally:
        engine.dispose()
