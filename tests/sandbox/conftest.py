"""Fixtures: a running sandbox (stand-in + real app, SQLite in tmp_path) and its page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.runtime import DB_FILE, Sandbox
from bot.sandbox.web import make_web_app
from bot.server import BackgroundServer
from tests.plugins.databases import SqliteDatabases
from tests.plugins.slack import stop_later
from tests.sandbox.web_client import Web


@pytest.fixture
def sandbox(tmp_path: Path, sqlite_databases: SqliteDatabases) -> Iterator[Sandbox]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # The session's migrated template: the start finds every migration applied, as a
    # restart does, instead of running the whole history for each test.
    shutil.copyfile(sqlite_databases.template(), data_dir / DB_FILE)
    running = Sandbox.start(data_dir=data_dir)
    yield running
    running.runtime.work.wait_idle(timeout=15)  # its last Slack calls, before the stand-in goes
    stop_later(running.stop)


@pytest.fixture
def web(sandbox: Sandbox) -> Iterator[Web]:
    server = BackgroundServer(make_web_app(sandbox))
    server.start()
    yield Web(server.url)
    stop_later(server.stop)
