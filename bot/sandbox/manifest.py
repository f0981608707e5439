"""What Slack's client knows about the app from its manifest: commands, the Messages tab.

Slack sends an app only the slash commands its manifest declares (any other `/word` is
"not a valid command", answered by Slack itself), and shows the app's Messages tab without
a composer when `messages_tab_read_only_enabled` is set. The sandbox reads the project's
`manifest.yml` to behave the same way. Installed without the project folder (no manifest
beside the package), it knows no command list and asks the app instead (see
`bot.sandbox.actions`), and keeps the Messages tab read-only, as the manifest has it.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs installed; plain dicts come back

log = logging.getLogger("council_bot.sandbox")

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
_WORD = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class AppManifest:
    """The parts of the manifest the sandbox's Slack client uses."""

    #: Each slash command with the words of its usage hint ("/debrief": ("list", ...));
    #: None when no manifest was found.
    commands: dict[str, tuple[str, ...]] | None
    messages_tab_read_only: bool = True

    def knows(self, command: str) -> bool | None:
        """Whether Slack would send `command` to the app (None: no manifest to say)."""
        return None if self.commands is None else command in self.commands

    def hints(self) -> list[str]:
        """What the composer suggests: each command, then each with its hint's words."""
        found: list[str] = []
        for command, words in (self.commands or {}).items():
            found.append(command)
            found.extend(f"{command} {word}" for word in words)
        return found


def parse(document: Any) -> AppManifest:
    features = (document or {}).get("features") or {}
    commands: dict[str, tuple[str, ...]] = {}
    for entry in features.get("slash_commands") or []:
        hint = str(entry.get("usage_hint") or "").strip().strip("[]")
        words = tuple(w.strip() for w in hint.split("|") if _WORD.match(w.strip()))
        commands[str(entry["command"])] = words
    home = features.get("app_home") or {}
    return AppManifest(
        commands=commands,
        messages_tab_read_only=bool(home.get("messages_tab_read_only_enabled", True)),
    )


@functools.cache
def app_manifest(path: Path = MANIFEST) -> AppManifest:
    """The project's manifest, read once; without one, no command list (see above)."""
    try:
        return parse(yaml.safe_load(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return AppManifest(commands=None)
    except (yaml.YAMLError, KeyError, AttributeError, TypeError) as exc:
        log.warning("could not read %s (%s): every /command goes to the app", path, exc)
        return AppManifest(commands=None)
