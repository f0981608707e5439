"""`--data-dir`: the bot's database and the demo workspace come back together."""

from __future__ import annotations

import json
from pathlib import Path

from bot.features.council import ritual_service
from bot.sandbox import persist
from bot.sandbox.runtime import Sandbox
from bot.sandbox.web import make_web_app
from bot.server import BackgroundServer
from tests.sandbox.web_client import (
    COUNCIL,
    LENA,
    MAYA,
    NOOR,
    Web,
    channel_messages,
    mission_values,
    top_modal,
)


def _serve(sandbox: Sandbox) -> tuple[BackgroundServer, Web]:
    server = BackgroundServer(make_web_app(sandbox))
    server.start()
    return server, Web(server.url)


def _tally(snapshot: dict) -> str:
    return json.dumps(channel_messages(snapshot)[0]["blocks"])


def test_a_restart_with_the_same_data_dir_carries_on_where_it_stopped(tmp_path: Path) -> None:
    data = tmp_path / "kept"
    first = Sandbox.start(data_dir=data)
    server, web = _serve(first)
    try:
        web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": "/mission"})
        view = top_modal(web.wait(NOOR, top_modal))
        web.ok("/api/submit", {"user": NOOR, "view_id": view["id"], "values": mission_values()})  # type: ignore[index]
        draft = channel_messages(web.wait(NOOR, channel_messages))[0]
        web.ok("/api/react", {"user": LENA, "channel": COUNCIL, "ts": draft["ts"], "name": "+1"})
        web.wait(NOOR, lambda s: "1 council member" in _tally(s))
        web.ok(
            "/api/reply",
            {"user": LENA, "channel": COUNCIL, "text": "Nice", "thread_ts": draft["ts"]},
        )
        web.ok("/api/fast-forward", {"minutes": 120})
        dm_before = first.workspace.im_for(NOOR).id  # type: ignore[union-attr]
    finally:
        server.stop()
        first.stop()
    assert (data / persist.STATE_FILE).exists()
    assert (data / "council-bot.db").exists()

    second = Sandbox.start(data_dir=data)
    server, web = _serve(second)
    try:
        assert second.clock.offset_seconds >= 120 * 60
        snapshot = web.state(NOOR)
        message = channel_messages(snapshot)[0]
        assert message["ts"] == draft["ts"]
        assert message["reactions"] == [{"name": "+1", "users": [LENA], "count": 1}]
        assert message["replies"][0]["text"] == "Nice"
        assert second.workspace.im_for(NOOR).id == dm_before  # type: ignore[union-attr]
        # the app still finds its message: another reaction updates the same draft
        web.ok("/api/react", {"user": MAYA, "channel": COUNCIL, "ts": draft["ts"], "name": "bulb"})
        web.wait(NOOR, lambda s: "2 council members" in _tally(s))
        # new messages sort after the old ones, new ids don't collide
        web.ok("/api/reply", {"user": MAYA, "channel": COUNCIL, "text": "Later"})
        later = channel_messages(web.state(NOOR))[-1]
        assert float(later["ts"]) > float(message["ts"])
    finally:
        server.stop()
        second.stop()


def test_an_unreadable_state_file_starts_the_workspace_afresh(tmp_path: Path) -> None:
    data = tmp_path / "kept"
    data.mkdir()
    (data / persist.STATE_FILE).write_text("{not json", encoding="utf-8")
    sandbox = Sandbox.start(data_dir=data)
    try:
        assert sandbox.workspace.messages_in(COUNCIL) == []
    finally:
        sandbox.stop()
    assert json.loads((data / persist.STATE_FILE).read_text())["format"] == persist.FORMAT


def test_without_a_data_dir_nothing_is_left_behind() -> None:
    sandbox = Sandbox.start()
    folder = sandbox.data_dir
    assert (folder / "council-bot.db").exists()
    sandbox.stop()
    assert not folder.exists()


def test_a_throwaway_sandbox_starts_with_a_demo_council_that_has_its_rhythm() -> None:
    sandbox = Sandbox.start()
    try:
        summary = ritual_service.summary(
            sandbox.services.engine,
            team_id=sandbox.workspace.team_id,
            channel_id=COUNCIL,
            now=sandbox.clock.utcnow(),
        )
        assert summary is not None and summary.name == "Demo council"
        assert summary.moderator_id == NOOR
        upcoming = ritual_service.next_meetings_for(
            sandbox.services.engine,
            team_id=sandbox.workspace.team_id,
            user_id=NOOR,
            channel_ids=[COUNCIL],
            now=sandbox.clock.utcnow(),
        )
        assert len(upcoming) == 1 and upcoming[0].starts_at > sandbox.clock.utcnow()
    finally:
        sandbox.stop()
