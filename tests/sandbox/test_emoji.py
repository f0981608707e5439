"""The sandbox draws every emoji the bot writes: Slack's whole name table, not a subset.

The bot's member-facing text is built in the features' views and rules, the shared UI
builders and the handlers; every `:name:` in those is checked against the table the page
is served, and so is what the bot actually sends for each command's help.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.features.missions.rules import LEGEND
from bot.sandbox.emoji import shortcodes, shortcodes_in
from bot.sandbox.snapshot import REACTION_PALETTE
from tests.sandbox.web_client import COUNCIL, NOOR, Web

REPO = Path(__file__).resolve().parents[2]
#: Everything of the bot's but the sandbox: Block Kit is built in the features' views and
#: rules, the shared UI builders and the handlers, and a text may come from anywhere.
TEXT_SOURCES = ("bot/**/*.py", "handlers/**/*.py")
#: Stands for an f-string's {value}: a word character (so "request:{id}:nudge:" is no
#: shortcode, as "request:12:nudge:" is none) that no emoji name contains.
PLACEHOLDER = "Ω"
COMMANDS = ("/mission", "/debrief", "/backchannel", "/negotiate")


def _texts(path: Path) -> list[str]:
    """The module's string literals; an f-string with each {value} as PLACEHOLDER."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    texts: list[str] = []
    parts_of_fstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            pieces = []
            for value in node.values:
                parts_of_fstrings.add(id(value))
                literal = value.value if isinstance(value, ast.Constant) else None
                pieces.append(literal if isinstance(literal, str) else PLACEHOLDER)
            texts.append("".join(pieces))
    for node in ast.walk(tree):
        literal = node.value if isinstance(node, ast.Constant) else None
        if isinstance(literal, str) and id(node) not in parts_of_fstrings:
            texts.append(literal)
    return texts


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value (Block Kit text sits at any depth)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _shortcodes_written_by_the_bot() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for pattern in TEXT_SOURCES:
        for path in sorted(REPO.glob(pattern)):
            if "sandbox" in path.relative_to(REPO).parts:
                continue
            for text in _texts(path):
                for name in shortcodes_in(text):
                    found.setdefault(name, set()).add(str(path.relative_to(REPO)))
    return found


def test_the_table_has_slacks_names_for_every_standard_emoji() -> None:
    table = shortcodes()
    assert len(table) > 3000  # every emoji of the data set, and their skin tones
    # names the hand-written table lacked, and Slack's own spellings
    assert table["jigsaw"] == "🧩"
    assert table["bar_chart"] == "📊"
    assert table["small_blue_diamond"] == "🔹"
    assert table["large_yellow_circle"] == "🟡"
    assert table["triangular_flag_on_post"] == "🚩"
    assert table["+1"] == table["thumbsup"] == "👍"
    assert table["+1::skin-tone-3"] == "👍🏼"
    assert table["woman-raising-hand"] == "🙋\u200d♀️"


def test_every_shortcode_in_the_bots_texts_is_one_the_sandbox_draws() -> None:
    written = _shortcodes_written_by_the_bot()
    assert len(written) > 10, "the scan found the bot's emoji"
    unknown = {name: sorted(paths) for name, paths in written.items() if name not in shortcodes()}
    assert unknown == {}, f"Slack has no emoji by these names (they show as text): {unknown}"


def test_the_legend_and_the_reaction_palette_are_emoji_the_sandbox_draws() -> None:
    from bot.features.fit.rules import SIGNOFF_EMOJI

    assert SIGNOFF_EMOJI in REACTION_PALETTE  # a statement can be signed off on the page
    names = {entry.emoji for entry in LEGEND} | set(REACTION_PALETTE)
    assert {name for name in names if name not in shortcodes()} == set()


def test_the_page_is_served_the_whole_table(web: Web) -> None:
    status, table = web.request("GET", "/api/emoji")
    assert status == 200
    assert table == shortcodes()


@pytest.mark.parametrize("command", COMMANDS)
def test_each_commands_help_uses_only_emoji_the_sandbox_draws(web: Web, command: str) -> None:
    web.ok("/api/command", {"user": NOOR, "channel": COUNCIL, "text": f"{command} help"})
    snapshot = web.wait(NOOR, lambda s: s["ephemerals"])
    sent = [name for text in _strings(snapshot["ephemerals"]) for name in shortcodes_in(text)]
    assert [name for name in sent if name not in shortcodes()] == []
