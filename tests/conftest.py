"""Shared fixtures: databases (tests/plugins/databases.py) and the Slack stand-in with the
real app serving signed requests (tests/plugins/slack.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from storage import crypto
from storage.db import make_engine

pytest_plugins = ["tests.plugins.databases", "tests.plugins.retries", "tests.plugins.slack"]

# One data key per test process, as build_runtime would configure from DATA_KEY (it keeps a
# key already configured): encrypted columns work in every test, template databases too.
crypto.configure([crypto.new_key()])


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """A migrated database, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
    return migrated_engine


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    """An empty database (no tables), on each backend."""
    engine = make_engine(empty_database_url)
    try:
        yield engine
    finally:
        engine.dispose()
