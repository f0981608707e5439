"""Processes starting at the same time on one database migrate it once, without a race.

Each process runs storage.migrate.upgrade, as `council-bot serve` does on every start; on
PostgreSQL they serialise on an advisory lock, on SQLite on the database's write lock.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import make_engine
from storage.migrate import MIGRATION_LOCK_KEY, alembic_config, lock_for_migrations
from storage.models import metadata
from tests.plugins.databases import PostgresDatabases

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 2

# Each child imports everything first, then waits for the go file, so the migrations (not
# the imports) start together.
CHILD = """
import sys, time
from pathlib import Path
from storage.db import make_engine
from storage.migrate import upgrade
url, go = sys.argv[1], Path(sys.argv[2])
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.001)
engine = make_engine(url)
upgrade(engine)
engine.dispose()
"""


def test_processes_starting_together_migrate_once(empty_database_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, empty_database_url, str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        time.sleep(0.5)  # let both finish importing
        go.touch()
        outcomes = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    for child, (_out, err) in zip(children, outcomes, strict=True):
        assert child.returncode == 0, err

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert sorted(v for (v,) in versions) == sorted(heads)  # each head recorded once
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_postgres_lock_is_held_until_the_migration_commits(
    postgres_databases: PostgresDatabases,
) -> None:
    """While one connection's migration transaction is open, another cannot take the lock."""
    url = postgres_databases.create(migrated=False)
    engine = make_engine(url)
    try_lock = text("SELECT pg_try_advisory_xact_lock(:key)")
    try:
        with engine.begin() as holder:
            lock_for_migrations(holder)
            with engine.begin() as other:
                assert other.execute(try_lock, {"key": MIGRATION_LOCK_KEY}).scalar_one() is False
        with engine.begin() as other:  # released at the holder's commit
            assert other.execute(try_lock, {"key": MIGRATION_LOCK_KEY}).scalar_one() is True
    finally:
        engine.dispose()
        postgres_databases.drop_later(url)
