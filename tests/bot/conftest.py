"""Fixtures for the bot tests: a clock the test moves.

Database fixtures (`database_url`, `migrated_engine`) come from tests/plugins/databases.py,
registered in tests/conftest.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.plugins.clock import Clock


@pytest.fixture
def clock() -> Clock:
    """Tue 3 Mar 2026, 08:00 UTC, standing still until the test advances it."""
    return Clock(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
