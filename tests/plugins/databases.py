"""Database fixtures for SQLite and PostgreSQL, registered as a pytest plugin.

`database_url` is parametrised over both backends: a fresh SQLite file per test, and, when
TEST_DATABASE_URL is set, a fresh PostgreSQL schema per test (dropped afterwards; the
URL carries `search_path`, so other processes given the URL see the same tables).
Without TEST_DATABASE_URL the PostgreSQL cases are skipped. `migrated_engine` is an
engine on that database with every migration applied (storage.migrate.upgrade).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

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


def postgres_schema_url(base_url: str, schema: str) -> str:
    """`base_url` with every connection's search_path set to `schema`."""
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL tests)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(TEST_DATABASE_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield postgres_schema_url(TEST_DATABASE_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
