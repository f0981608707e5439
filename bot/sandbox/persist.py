"""Keep the sandbox's Slack side next to the bot's database (`--data-dir`).

The bot's SQLite file survives a restart, so the workspace it talks about must too:
otherwise a draft would point at a channel message that no longer exists. On stop, the
channels (with the bot's DMs), their messages, threads and reactions, and the clock's
offset are written to `slack-standin.json`; on start they are read back. Modals, trigger
ids and ephemeral messages are short-lived in Slack too, and are not kept; App Home is
published again by the app when the member opens it.

This reads the stand-in workspace's internals; `tests/sandbox/test_persist.py` round-trips
it so a change there is caught.
"""

from __future__ import annotations

import itertools
import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.sandbox.clock import SandboxClock
from bot.sandbox.standin.state import Channel, Message, Workspace

log = logging.getLogger("council_bot.sandbox")

STATE_FILE = "slack-standin.json"
FORMAT = 1


def save(workspace: Workspace, clock: SandboxClock, data_dir: Path) -> Path:
    """Write the workspace's lasting state; returns the file."""
    with workspace.lock:
        next_id = next(workspace._ids)
        workspace._ids = itertools.count(next_id)
        state: dict[str, Any] = {
            "format": FORMAT,
            "clock_offset": clock.offset_seconds,
            "next_id": next_id,
            "last_ts_micros": workspace._last_ts_micros,
            "ims": dict(workspace._ims),
            "channels": [
                {**asdict(channel), "members": sorted(channel.members)}
                for channel in workspace.channels.values()
            ],
            "messages": {
                channel: [asdict(message) for message in messages]
                for channel, messages in workspace._messages.items()
            },
        }
    path = data_dir / STATE_FILE
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(state), encoding="utf-8")
    partial.replace(path)
    return path


def load(workspace: Workspace, clock: SandboxClock, data_dir: Path) -> bool:
    """Restore what `save` wrote, if anything; False (and a log line) if it can't."""
    path = data_dir / STATE_FILE
    if not path.exists():
        return False
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("format") != FORMAT:
            raise ValueError(f"format {state.get('format')!r}")
        channels = [
            Channel(**{**fields, "members": set(fields["members"])}) for fields in state["channels"]
        ]
        messages = {
            channel: [Message(**fields) for fields in listed]
            for channel, listed in state["messages"].items()
        }
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("sandbox: could not read %s (%s); starting the workspace afresh", path, exc)
        return False
    with workspace.lock:
        workspace.channels.update({channel.id: channel for channel in channels})
        workspace._messages.update(messages)
        workspace._ims.update(state["ims"])
        workspace._last_ts_micros = max(workspace._last_ts_micros, state["last_ts_micros"])
        workspace._ids = itertools.count(max(next(workspace._ids), state["next_id"]))
    offset = float(state.get("clock_offset") or 0)
    if offset > clock.offset_seconds:
        clock.shifted.advance(offset - clock.offset_seconds)
    return True
