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
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import make_engine
from storage.migrate import MIGRATIONS, upgrade

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

MIGRATE_FROM_EMPTY = "migrate_from_empty"


def pytest_configure(config: pytest.Config) -> None:
    _reuse_the_migration_scripts()
    config.addinivalue_line(
        "markers",
        f"{MIGRATE_FROM_EMPTY}: database_url starts empty and migrated_engine runs every "
        "migration (instead of copying the session's migrated template)",
    )


def _reuse_the_migration_scripts() -> None:
    """Read storage/migrations once per test process, not once per `upgrade`.

    Every app a test builds migrates its database at start-up (bot.cli.build_runtime, as
    `serve` does), and alembic reads and executes every revision file again each time
    (`ScriptDirectory.from_config`): about 15 ms of a test's set-up. The files do not
    change during a run, so the directory read the first time is handed out again; each
    `upgrade` still runs env.py and checks the database's revision itself. Only the
    project's own script location is kept; any other configuration is read as usual.
    """
    read = ScriptDirectory.from_config.__func__  # type: ignore[attr-defined]
    ours = str(MIGRATIONS)
    kept: list[ScriptDirectory] = []

    def from_config(cls: type[ScriptDirectory], config: Config) -> ScriptDirectory:
        plain = config.get_main_option("script_location") == ours and not (
            config.get_main_option("version_locations")
        )
        if cls is not ScriptDirectory or not plain:
            return read(cls, config)  # type: ignore[no-any-return]
        if not kept:
            kept.append(read(cls, config))
        return kept[0]

    ScriptDirectory.from_config = classmethod(from_config)  # type: ignore[method-assign,assignment]


def worker_name() -> str:
    """The xdist worker id (gw0, gw1, ...), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_database_url(base_url: str, database: str) -> str:
    """`base_url` pointed at another database on the same server."""
    return make_url(base_url).set(database=database).render_as_string(hide_password=False)


# The schema of a database, as far as a test could have changed it: every object of the
# user schemas by oid (a copy made with CREATE DATABASE ... TEMPLATE keeps the template's
# oids, so an object dropped and made again differs), columns, defaults, constraints,
# indexes, types, functions, triggers and rules; the sequences' state, collected column
# statistics (an ANALYZE), database settings, prepared transactions, large objects and
# the Alembic revision. A recycled database is handed out again only when all of it is
# exactly the template's.
_USER = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_t%'"
_FINGERPRINT = f"""
SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM (
  SELECT concat_ws(' ', 'ns', n.oid, n.nspname) AS line FROM pg_namespace n
  UNION ALL
  SELECT concat_ws(' ', 'rel', c.oid, c.relnamespace, c.relname, c.relkind, c.relnatts,
                   c.relpersistence, c.reltoastrelid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER}
  UNION ALL
  SELECT concat_ws(' ', 'att', a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod,
                   a.attnotnull, a.attisdropped, a.atthasdef, a.attidentity, a.attgenerated,
                   a.attcollation)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER} AND a.attnum > 0
  UNION ALL
  SELECT concat_ws(' ', 'def', d.oid, d.adrelid, d.adnum, pg_get_expr(d.adbin, d.adrelid))
  FROM pg_attrdef d
  UNION ALL
  SELECT concat_ws(' ', 'con', co.oid, co.conrelid, co.conname, pg_get_constraintdef(co.oid))
  FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE {_USER}
  UNION ALL
  SELECT concat_ws(' ', 'idx', i.indexrelid, pg_get_indexdef(i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER}
  UNION ALL
  SELECT concat_ws(' ', 'type', t.oid, t.typname, t.typtype)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {_USER}
  UNION ALL
  SELECT concat_ws(' ', 'enum', e.oid, e.enumtypid, e.enumlabel, e.enumsortorder) FROM pg_enum e
  UNION ALL
  SELECT concat_ws(' ', 'proc', p.oid, p.proname)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {_USER}
  UNION ALL
  SELECT concat_ws(' ', 'trigger', t.oid, t.tgrelid, t.tgname, t.tgenabled) FROM pg_trigger t
  UNION ALL
  SELECT concat_ws(' ', 'rule', r.oid, r.ev_class, r.rulename) FROM pg_rewrite r
  JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE {_USER}
  UNION ALL
  SELECT concat_ws(' ', 'ext', x.oid, x.extname, x.extversion) FROM pg_extension x
  UNION ALL
  SELECT concat_ws(' ', 'seq', s.schemaname, s.sequencename, s.start_value, s.increment_by,
                   coalesce(s.last_value::text, 'unused'))
  FROM pg_sequences s
  UNION ALL
  SELECT concat_ws(' ', 'statistics', count(*)) FROM pg_statistic st
  JOIN pg_class c ON c.oid = st.starelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE {_USER}
  UNION ALL
  SELECT concat_ws(' ', 'settings', count(*)) FROM pg_db_role_setting
  WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT concat_ws(' ', 'prepared', count(*)) FROM pg_prepared_xacts
  WHERE database = current_database()
  UNION ALL
  SELECT concat_ws(' ', 'large objects', count(*)) FROM pg_largeobject_metadata
  UNION ALL
  SELECT concat_ws(' ', 'revision', version_num) FROM alembic_version
) AS lines
"""
# The only rows a migrated template holds (the tables a test empties are the others).
_KEPT_TABLES = frozenset({"alembic_version"})


class PostgresDatabases:
    """Per-test PostgreSQL databases for one session (one xdist worker).

    Every name starts with `ct_<run token>_<worker>_`: unique across workers and runs.

    Making a database from the template and dropping it afterwards costs PostgreSQL about
    75 ms of CPU (a drop waits for a checkpoint), and the copy was on the test's critical
    path: on a 2-core machine running a thousand such tests, a large part of the suite. So
    a finished test's copy is recycled in the background instead: the connections the test
    left are ended, the database is renamed (a fresh name: nothing still holding the old
    URL can reach it, and no name is handed out twice), the rows of every table it wrote to
    are deleted (children before parents) and its sequences restarted. It goes back to the
    pool only if its schema fingerprint (_FINGERPRINT) is then exactly the template's;
    otherwise (a test migrated it down, added a table, ...) or on any error, it is dropped
    as before. The template's tables have autovacuum off, so no background vacuum frees
    the deleted rows' space: a recycled table, like a fresh one, stores new rows after all
    the others (the order a scan without ORDER BY sees), and gathers no statistics.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.prefix = f"ct_{uuid.uuid4().hex[:8]}_{worker_name()}"
        # CREATE/DROP DATABASE cannot run inside a transaction.
        self.admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
        self._numbers = itertools.count()
        self._template: str | None = None
        self._fingerprint: str | None = None
        self._tables: tuple[str, ...] = ()  # every public table, children before parents
        self._recyclable = False
        self._free: list[str] = []  # recycled copies of the template, ready to hand out
        self._recycling = 0  # copies queued for recycling, not yet free (or dropped)
        self._freed = threading.Condition()
        # ("drop" | "recycle", database name); None stops the worker.
        self._jobs: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self.failed_drops: list[str] = []
        self.recycled = 0
        self._worker = threading.Thread(target=self._work_queued, daemon=True)
        self._worker.start()

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _new_name(self) -> str:
        return f"{self.prefix}_{next(self._numbers)}"

    def _url(self, name: str) -> str:
        return postgres_database_url(self.base_url, name)

    def _connect(self, name: str) -> Engine:
        """An engine on database `name` that keeps no connection once disposed."""
        return create_engine(self._url(name), poolclass=NullPool)

    def template(self) -> str:
        """The migrated template database, created on first use. Nothing stays connected
        to it (PostgreSQL refuses a template that has other sessions)."""
        if self._template is None:
            name = f"{self.prefix}_template"
            self._execute(f'CREATE DATABASE "{name}"')
            engine = make_engine(self._url(name))
            try:
                upgrade(engine)
            finally:
                engine.dispose()
            engine = self._connect(name)
            try:
                with engine.begin() as conn:
                    self._tables = _children_first(conn)
                    # Rows a migration put in (beyond the revision) would be deleted by a
                    # recycle: then every copy is dropped after its test instead.
                    self._recyclable = not _written(conn, self._tables)
                    for table in self._tables:
                        conn.execute(
                            text(
                                f'ALTER TABLE "{table}" SET (autovacuum_enabled = false,'
                                " toast.autovacuum_enabled = false)"
                            )
                        )
                with engine.connect() as conn:
                    self._fingerprint = conn.execute(text(_FINGERPRINT)).scalar_one()
            finally:
                engine.dispose()
            self._template = name
        return self._template

    def create(self, *, migrated: bool) -> str:
        """A database of the test's own: a copy of the migrated template (a recycled one
        when there is one), or empty. Returns its URL."""
        if migrated:
            template = self.template()
            with self._freed:
                # A copy being recycled is free in a few milliseconds: cheaper to wait for
                # than a new one (whose drop, later, costs more than the copy), and it keeps
                # the pool at about one database per test running at once.
                self._freed.wait_for(lambda: self._free or not self._recycling, timeout=5)
                name = self._free.pop() if self._free else None
            if name is None:
                name = self._new_name()
                self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            name = self._new_name()
            self._execute(f'CREATE DATABASE "{name}"')
        return self._url(name)

    def _name_of(self, url: str) -> str:
        database = make_url(url).database
        assert database and database.startswith(self.prefix)
        return database

    def drop_later(self, url: str) -> None:
        """Drop the test's database in the background; its name is never reused."""
        self._jobs.put(("drop", self._name_of(url)))

    def recycle_later(self, url: str) -> None:
        """Make the test's copy of the template as good as new in the background, for a
        later test under another name (or drop it when it cannot be)."""
        name = self._name_of(url)
        if not self._recyclable:
            self._jobs.put(("drop", name))
            return
        with self._freed:
            self._recycling += 1
        self._jobs.put(("recycle", name))

    def _work_queued(self) -> None:
        while (job := self._jobs.get()) is not None:
            action, name = job
            if action == "drop":
                self._drop(name)
                continue
            renamed = self._recycle(name)
            with self._freed:
                self._recycling -= 1
                if renamed is not None:
                    self._free.append(renamed)
                    self.recycled += 1
                self._freed.notify_all()

    def _drop(self, name: str) -> None:
        """Drop database `name` if it exists (a failure is kept for the session's end)."""
        try:
            # FORCE: a connection the test left open (an undisposed pool) cannot keep it.
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # a leftover database must not stop the other drops
            self.failed_drops.append(f"{name}: {exc}")

    def _recycle(self, name: str) -> str | None:
        """`name` emptied back to the template's state under a new name, or None when it
        could not be (then it is dropped)."""
        current = name
        try:
            with self.admin.connect() as conn:
                # End what the test left connected (waiting up to 5 s for each), then
                # rename: PostgreSQL refuses if anything connected again meanwhile.
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                renamed = self._new_name()
                conn.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{renamed}"'))
                current = renamed
            engine = self._connect(renamed)
            try:
                with engine.connect() as conn:
                    with conn.begin():
                        conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                        for table in _written(conn, self._tables):  # children first
                            conn.execute(text(f'DELETE FROM "{table}"'))
                        used = conn.execute(
                            text(
                                "SELECT sequencename FROM pg_sequences"
                                " WHERE schemaname = 'public' AND last_value IS NOT NULL"
                            )
                        ).scalars()
                        for sequence in used:
                            conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
                    fingerprint = conn.execute(text(_FINGERPRINT)).scalar_one()
            finally:
                engine.dispose()
        except Exception:  # whatever went wrong, the database is not handed out again
            fingerprint = None
        if fingerprint is None or fingerprint != self._fingerprint:
            self._drop(current)
            return None
        return renamed

    def close(self) -> None:
        self._jobs.put(None)
        self._worker.join(timeout=120)
        with self._freed:
            free, self._free = self._free, []
        for name in free:
            self._drop(name)
        if self.failed_drops:
            warnings.warn(
                "test databases left behind: " + "; ".join(self.failed_drops), stacklevel=1
            )
        if self._template is not None:
            self._execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        self.admin.dispose()


def _children_first(conn: Connection) -> tuple[str, ...]:
    """The public tables, each after every table whose foreign keys point at it."""
    tables = set(
        conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
    )
    edges = conn.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
            " JOIN pg_namespace n ON n.oid = c.connamespace"
            " WHERE c.contype = 'f' AND n.nspname = 'public' AND c.conrelid <> c.confrelid"
        )
    ).all()
    children: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in edges:
        children[parent.strip('"')].add(child.strip('"'))
    ordered: list[str] = []
    while children:
        # Tables none of whose remaining children are left; in a cycle, any of them (a
        # delete that then breaks a foreign key fails, and the database is dropped).
        ready = sorted(t for t, kids in children.items() if not kids) or [min(children)]
        for table in ready:
            ordered.append(table)
            del children[table]
        for kids in children.values():
            kids.difference_update(ready)
    return tuple(ordered)


def _written(conn: Connection, tables: tuple[str, ...]) -> list[str]:
    """Those of `tables` (but _KEPT_TABLES) that hold any row, in their order, in one
    query."""
    probes = [
        f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM \"{table}\")"
        for table in tables
        if table not in _KEPT_TABLES
    ]
    if not probes:
        return []
    found = set(conn.execute(text(" UNION ALL ".join(probes))).scalars())
    return [table for table in tables if table in found]


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
        if migrated:
            databases.recycle_later(url)
        else:
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
