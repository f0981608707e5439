"""Apply Alembic migrations programmatically (start-up and `council-bot migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The key of the PostgreSQL advisory lock every process takes before migrating (any fixed
# 64-bit number no other code uses; this one spells "council" in ASCII).
MIGRATION_LOCK_KEY = 0x636F756E63696C


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def lock_for_migrations(connection: Connection) -> None:
    """Serialise migrations between processes sharing one database.

    PostgreSQL: a transaction-level advisory lock, held until the migration transaction
    commits or rolls back; a second process starting at the same time waits here, then
    finds the schema at head and applies nothing. SQLite needs nothing more: storage.db
    opens every transaction with BEGIN IMMEDIATE, so the migration holds the database's
    write lock from its first statement and a concurrent start waits (busy_timeout).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; safe to run on every start, and from
    several processes at once."""
    config = alembic_config()
    with engine.begin() as connection:
        lock_for_migrations(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
