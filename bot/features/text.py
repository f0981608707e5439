"""What member-typed text may be: the cleaning and the check every feature's validation uses.

Slack sends whatever a client put in a text box, and a signed request can carry anything:
a NUL byte (PostgreSQL refuses it in text columns), a lone UTF-16 surrogate (no database can
encode it), other control characters, or only invisible characters (zero-width spaces, joiners,
direction marks), which look like an empty box on screen but are not empty. None of these may
reach storage or Slack; each becomes an inline error next to its field.

- `one_line` and `multiline` clean a field: whitespace collapsed (one line) or line endings
  normalised (multiline), invisible characters trimmed from both ends. A field that holds
  nothing visible cleans to "", so the feature's own "please fill this in" applies.
- `unstorable(text, what)` is the member's message when the cleaned text still holds a
  character that cannot be stored, else None. It never quotes the text.

No Slack here: features' `rules.py` call these (CONTRIBUTING.md, "Layout").
"""

from __future__ import annotations

import unicodedata

# Characters that draw nothing and take no room: not whitespace to `str.split`, yet a field
# holding only these looks empty. Format characters (Unicode category Cf: zero-width space,
# zero-width (non-)joiner, word joiner, direction marks and overrides, the byte-order mark,
# soft hyphen) are found by category; these others by code point.
_INVISIBLE_OTHERS = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u2800"  # braille pattern blank
)

# Control characters a multiline box may hold; every other one is refused.
_ALLOWED_CONTROLS = frozenset("\n\t")

UNSTORABLE = (
    "{what} has a hidden character in it that I can't store (pasted text sometimes carries "
    "one). Please type it again, or paste it as plain text."
)


def _modifies_previous(char: str) -> bool:
    """Variation selectors and tag characters: invisible alone, part of the character
    before them (a text-or-emoji heart, a subdivision flag) at the end of a text."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0000 <= code <= 0xE007F or 0xE0100 <= code <= 0xE01EF


def is_invisible(char: str) -> bool:
    """True for a character that shows nothing: whitespace, format characters and the like."""
    return (
        char.isspace()
        or char in _INVISIBLE_OTHERS
        or unicodedata.category(char) == "Cf"
        or _modifies_previous(char)
    )


def _trim_invisible(text: str) -> str:
    start, end = 0, len(text)
    while start < end and is_invisible(text[start]):
        start += 1
    while end > start and is_invisible(text[end - 1]) and not _modifies_previous(text[end - 1]):
        end -= 1
    return text[start:end]


def one_line(raw: str | None) -> str:
    """A one-line field: runs of whitespace become one space; "" when nothing is visible."""
    return _trim_invisible(" ".join((raw or "").split()))


def multiline(raw: str | None) -> str:
    """A multiline field: line endings normalised to "\\n", invisible ends trimmed; "" when
    nothing is visible."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    return _trim_invisible(text)


def _unstorable_char(char: str) -> bool:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate: no UTF-8 for it
        return True
    return unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS


def unstorable(text: str, what: str) -> str | None:
    """The member's message when `text` holds a NUL, another control character or a lone
    surrogate (`what` names the field, e.g. "The company name"); None when it is fine."""
    if any(_unstorable_char(char) for char in text):
        return UNSTORABLE.format(what=what)
    return None
