"""The migration tests run the whole Alembic history on an empty database themselves,
rather than start from the session's migrated template (tests/plugins/databases.py)."""

from __future__ import annotations

import pytest

from tests.plugins.databases import MIGRATE_FROM_EMPTY

MIGRATION_TESTS = "test_migrations.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name == MIGRATION_TESTS and item.path.parent.name == "storage":
            item.add_marker(MIGRATE_FROM_EMPTY)
