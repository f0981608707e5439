"""Alembic environment: runs on the connection storage.migrate hands over, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.migrate import lock_for_migrations
from storage.models import metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "set sqlalchemy.url or pass a connection"
    # One transaction around the whole run, under the same lock as storage.migrate.upgrade.
    with create_engine(url).begin() as conn:
        lock_for_migrations(conn)
        _run(conn)
