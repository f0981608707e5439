"""Fixtures: a running sandbox (stand-in + real app, SQLite in tmp_path) and its page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.runtime import Sandbox
from bot.sandbox.web import make_web_app
from bot.server import BackgroundServer
from tests.sandbox.web_client import Web


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    running = Sandbox.start(data_dir=tmp_path / "data")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def web(sandbox: Sandbox) -> Iterator[Web]:
    server = BackgroundServer(make_web_app(sandbox))
    server.start()
    try:
        yield Web(server.url)
    finally:
        server.stop()
