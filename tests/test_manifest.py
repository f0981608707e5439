"""manifest.yml is a valid Slack app manifest and declares exactly what the app registers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import report_error
from bot.platform.oauth import BOT_SCOPES, REDIRECT_PATH
from bot.platform.work import WorkPools
from bot.services import Services
from handlers import kit, register_all
from storage.db import make_engine
from tests.plugins.slack import Slack

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
CHECKER = ROOT.parent / "shared" / "tools" / "check-manifest"


class RecordingApp:
    """Stands in for Bolt's App at registration time (the kit's routes say what it serves)."""

    def __init__(self) -> None:
        self.client = None  # register_all lends it to reminder senders; none are sent here

    def _listener(self, *_constraints: Any, **_options: Any) -> Callable[[Any], Any]:
        return lambda listener: listener

    command = event = shortcut = action = view = _listener

    def middleware(self, middleware: Callable[..., Any]) -> Callable[..., Any]:
        return middleware  # the kit's context middleware registers no listener


@pytest.fixture
def registered() -> dict[str, set[str]]:
    app = RecordingApp()
    engine = make_engine("sqlite://")  # registration touches no tables
    work = WorkPools(workers=1, queue_limit=0, form_workers=1)
    register_all(app, Services(engine=engine), work=work, report=report_error)  # type: ignore[arg-type]
    work.close()
    # Bolt is given one listener per kind (a pattern of every name); the kit routes by name.
    return kit.served(app)  # type: ignore[arg-type]


@pytest.mark.skipif(not CHECKER.exists(), reason="../shared/tools/check-manifest not present")
def test_manifest_passes_slacks_published_schema() -> None:
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(ROOT / "manifest.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_commands_are_exactly_the_registered_commands(
    registered: dict[str, set[str]],
) -> None:
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert declared == registered["command"]
    assert declared >= {"/mission", "/debrief", "/backchannel", "/negotiate"}


def test_manifest_bot_events_are_exactly_the_registered_events(
    registered: dict[str, set[str]],
) -> None:
    declared = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert declared == registered["event"]


def test_manifest_shortcuts_are_exactly_the_registered_shortcuts(
    registered: dict[str, set[str]],
) -> None:
    declared = {s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])}
    assert declared == registered["shortcut"]


def test_actions_and_views_need_interactivity_which_the_manifest_enables(
    registered: dict[str, set[str]],
) -> None:
    assert registered["action"] and registered["view"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_add_to_slack_asks_for_exactly_the_manifest_bot_scopes() -> None:
    assert list(BOT_SCOPES) == MANIFEST["oauth_config"]["scopes"]["bot"]
    (redirect,) = MANIFEST["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)


def test_manifest_enables_app_home_and_socket_mode() -> None:
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True


def test_every_declared_command_is_answered_by_the_running_app(slack: Slack) -> None:
    for entry in MANIFEST["features"]["slash_commands"]:
        answer = slack.driver.command(
            user=slack.noor, channel=slack.council, command=entry["command"], text="help"
        )
        assert answer.status == 200, entry["command"]
    slack.standin.wait_for("response_url", count=len(MANIFEST["features"]["slash_commands"]))


def _routers() -> list[Any]:
    """Every slash-command router (kit.Subcommands) the handler modules define."""
    import importlib
    import pkgutil

    import handlers
    from handlers.kit import Subcommands

    found: list[Any] = []
    for module_info in pkgutil.iter_modules(handlers.__path__):
        module = importlib.import_module(f"handlers.{module_info.name}")
        found.extend(v for v in vars(module).values() if isinstance(v, Subcommands))
    return found


def _hint_words(command: str) -> set[str]:
    entry = next(c for c in MANIFEST["features"]["slash_commands"] if c["command"] == command)
    return {w.strip() for w in str(entry.get("usage_hint", "")).strip("[] ").split("|")}


def test_every_subcommand_a_router_accepts_is_in_its_usage_hint() -> None:
    routers = _routers()
    assert {r.command for r in routers} >= {"/mission", "/debrief", "/backchannel", "/negotiate"}
    for router in routers:
        hint = _hint_words(router.command)
        # The router's words, by the handler they reach: aliases ("ls" for "list") reach
        # the same one. (Read from the router itself; kit.Subcommands keeps them private.)
        by_handler: dict[Any, list[str]] = {}
        for word, handler in router._routes.items():
            by_handler.setdefault(handler, []).append(word)
        for words in by_handler.values():
            # Each subcommand appears, by its first word (the one error answers list).
            assert words[0] in hint, (router.command, words, hint)
        assert "help" in hint, router.command
        # Nor does the hint promise a word the router would not take.
        accepted = {w for words in by_handler.values() for w in words} | {"help"}
        assert hint <= accepted, (router.command, hint - accepted)
