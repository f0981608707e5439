"""Block Kit validation for the offline stand-in of the Slack Web API.

The stand-in must refuse the payloads the real API refuses, or a bug that Slack would reject in
production passes every offline test. Each function returns Slack-shaped error strings
(``"<message> [json-pointer:<path>]"``); an empty list means the payload is accepted.

The checks follow Slack's documented limits. Where Slack's wording is known it is reused
("must be less than 151 characters", "no more than 50 items allowed", "unsupported type: foo").
Three errors are bare Slack error codes, without a pointer, so the server can answer them as its
own ``error`` field: ``"msg_too_long"``, ``"no_text"`` and ``"invalid_blocks_format"`` (blocks
that are not JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any, Literal

Surface = Literal["message", "modal", "home"]
Path = tuple[str | int, ...]
Obj = dict[str, Any]

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000

# Bare error codes (no json-pointer) that the server maps to Slack's top-level `error`.
MSG_TOO_LONG = "msg_too_long"
NO_TEXT = "no_text"
INVALID_BLOCKS_FORMAT = "invalid_blocks_format"

_TEXT_TYPES = ("plain_text", "mrkdwn")
_STYLES = ("primary", "danger")
_RICH_TEXT_PARTS = frozenset(
    {"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"}
)
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Report:
    """Collects errors; every check appends here instead of raising, like Slack lists them all."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, message: str, path: Path) -> None:
        self.errors.append(f"{message} [json-pointer:{_pointer(path)}]")


def _pointer(path: Path) -> str:
    # RFC 6901 escaping, so a key holding "/" cannot fake a deeper path.
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _too_long(limit: int) -> str:
    # Slack words an inclusive maximum N as "less than N+1".
    return f"must be less than {limit + 1} characters"


# --- primitive field checks -------------------------------------------------------------------


def _string(
    r: _Report,
    obj: Obj,
    key: str,
    path: Path,
    *,
    max_len: int | None = None,
    required: bool = False,
    allow_empty: bool = False,
) -> str | None:
    """Check ``obj[key]`` is a string within limits; return it when it is a string."""
    if key not in obj:
        if required:
            r.add(f"missing required field: {key}", path)
        return None
    value: object = obj[key]
    here = (*path, key)
    if not isinstance(value, str):
        r.add("must provide a string", here)
        return None
    if not value and not allow_empty:
        r.add("must be more than 0 characters", here)
    elif max_len is not None and len(value) > max_len:
        r.add(_too_long(max_len), here)
    return value


def _boolean(r: _Report, obj: Obj, key: str, path: Path) -> None:
    if key in obj and not isinstance(obj[key], bool):
        r.add("must provide a boolean", (*path, key))


def _integer(
    r: _Report, obj: Obj, key: str, path: Path, *, low: int, high: int | None = None
) -> int | None:
    if key not in obj:
        return None
    value = obj[key]
    here = (*path, key)
    # bool is an int subclass, but Slack's schema does not take true as 1.
    if not isinstance(value, int) or isinstance(value, bool):
        r.add("must provide an integer", here)
        return None
    if value < low:
        r.add(f"must be at least {low}", here)
    elif high is not None and value > high:
        r.add(f"must be no more than {high}", here)
    return value


def _enum(r: _Report, obj: Obj, key: str, path: Path, allowed: tuple[str, ...]) -> None:
    if key in obj and obj[key] not in allowed:
        r.add("must be a valid enum value", (*path, key))


def _items(
    r: _Report,
    obj: Obj,
    key: str,
    path: Path,
    *,
    low: int,
    high: int | None = None,
    required: bool = False,
) -> list[Any] | None:
    """Check ``obj[key]`` is an array of low..high items; return it when it is an array."""
    if key not in obj:
        if required:
            r.add(f"missing required field: {key}", path)
        return None
    return _array(r, obj[key], (*path, key), low=low, high=high)


def _array(
    r: _Report, value: object, path: Path, *, low: int, high: int | None = None
) -> list[Any] | None:
    if not isinstance(value, list):
        r.add("must provide an array", path)
        return None
    if len(value) < low:
        r.add(f"must provide at least {low} items", path)
    elif high is not None and len(value) > high:
        r.add(f"no more than {high} items allowed", path)
    return value


def _object(r: _Report, value: object, path: Path) -> Obj | None:
    if not isinstance(value, dict):
        r.add("must provide an object", path)
        return None
    return value


# --- composition objects ----------------------------------------------------------------------


def _text(
    r: _Report,
    value: object,
    path: Path,
    *,
    max_len: int | None = None,
    plain_only: bool = False,
) -> Obj | None:
    """Validate a text object (plain_text or mrkdwn)."""
    obj = _object(r, value, path)
    if obj is None:
        return None
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else _TEXT_TYPES
    if "type" not in obj:
        r.add("missing required field: type", path)
    elif kind not in allowed:
        r.add("must be a valid enum value", (*path, "type"))
    _string(r, obj, "text", path, max_len=max_len, required=True)
    # Each flag belongs to one text type only; Slack refuses it on the other.
    for flag, owner in (("emoji", "plain_text"), ("verbatim", "mrkdwn")):
        if flag in obj and kind in _TEXT_TYPES and kind != owner:
            r.add(f"invalid additional property: {flag}", path)
        else:
            _boolean(r, obj, flag, path)
    for key in obj.keys() - {"type", "text", "emoji", "verbatim"}:
        r.add(f"invalid additional property: {key}", path)
    return obj


def _text_field(
    r: _Report,
    obj: Obj,
    key: str,
    path: Path,
    *,
    max_len: int,
    required: bool = False,
    plain_only: bool = True,
) -> None:
    """Validate an optional/required text-object field ``obj[key]``."""
    if key not in obj:
        if required:
            r.add(f"missing required field: {key}", path)
        return
    _text(r, obj[key], (*path, key), max_len=max_len, plain_only=plain_only)


def _confirm(r: _Report, value: object, path: Path) -> None:
    obj = _object(r, value, path)
    if obj is None:
        return
    _text_field(r, obj, "title", path, max_len=100, required=True)
    _text_field(r, obj, "text", path, max_len=300, required=True, plain_only=False)
    _text_field(r, obj, "confirm", path, max_len=30, required=True)
    _text_field(r, obj, "deny", path, max_len=30, required=True)
    _enum(r, obj, "style", path, _STYLES)


def _option(r: _Report, value: object, path: Path, *, plain_only: bool, url: bool) -> None:
    """Validate an option object; mrkdwn text is only for checkboxes and radio buttons."""
    obj = _object(r, value, path)
    if obj is None:
        return
    _text_field(r, obj, "text", path, max_len=75, required=True, plain_only=plain_only)
    _string(r, obj, "value", path, max_len=150, required=True)
    _text_field(r, obj, "description", path, max_len=75, plain_only=plain_only)
    if url:  # only overflow menus may carry a link per option
        _string(r, obj, "url", path, max_len=3000)
    allowed = {"text", "value", "description"} | ({"url"} if url else set())
    for key in obj.keys() - allowed:
        r.add(f"invalid additional property: {key}", path)


def _options(
    r: _Report,
    obj: Obj,
    key: str,
    path: Path,
    *,
    low: int,
    high: int,
    required: bool = True,
    plain_only: bool = True,
    url: bool = False,
) -> list[Any]:
    """Validate an options array and return it (empty when unusable)."""
    options = _items(r, obj, key, path, low=low, high=high, required=required)
    if options is None:
        return []
    for index, option in enumerate(options):
        _option(r, option, (*path, key, index), plain_only=plain_only, url=url)
    return options


def _option_key(option: object) -> tuple[str, str] | None:
    # Slack matches an initial option on its value and visible text, not on flags like emoji.
    if not isinstance(option, dict):
        return None
    value, text = option.get("value"), option.get("text")
    label = text.get("text") if isinstance(text, dict) else None
    if not isinstance(value, str) or not isinstance(label, str):
        return None
    return value, label


def _initial_options(r: _Report, obj: Obj, path: Path, options: list[Any], *, multi: bool) -> None:
    """Initial option(s) must be among the element's options."""
    known = {_option_key(option) for option in options} - {None}
    key = "initial_options" if multi else "initial_option"
    if key not in obj:
        return
    chosen = _array(r, obj[key], (*path, key), low=0) if multi else [obj[key]]
    for index, option in enumerate(chosen or []):
        here = (*path, key, index) if multi else (*path, key)
        if _option_key(option) not in known:
            r.add("must match one of the provided options", here)


# --- elements ---------------------------------------------------------------------------------


def _common(r: _Report, obj: Obj, path: Path, *, placeholder: bool = False) -> None:
    """Fields shared by interactive elements."""
    _string(r, obj, "action_id", path, max_len=255)
    if "confirm" in obj:
        _confirm(r, obj["confirm"], (*path, "confirm"))
    _boolean(r, obj, "focus_on_load", path)
    if placeholder:
        _text_field(r, obj, "placeholder", path, max_len=150)


def _button(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path)
    _text_field(r, obj, "text", path, max_len=75, required=True)
    _string(r, obj, "value", path, max_len=2000)
    _string(r, obj, "url", path, max_len=3000)
    _string(r, obj, "accessibility_label", path, max_len=75)
    _enum(r, obj, "style", path, _STYLES)


def _workflow_button(r: _Report, obj: Obj, path: Path) -> None:
    _button(r, obj, path)
    if "workflow" not in obj:
        r.add("missing required field: workflow", path)


def _static_select(r: _Report, obj: Obj, path: Path, *, multi: bool) -> None:
    _common(r, obj, path, placeholder=True)
    has_options, has_groups = "options" in obj, "option_groups" in obj
    if has_options == has_groups:
        r.add("must provide exactly one of `options` or `option_groups`", path)
    options = _options(r, obj, "options", path, low=1, high=100, required=False)
    groups = _items(r, obj, "option_groups", path, low=1, high=100) or []
    for index, group in enumerate(groups):
        options = options + _option_group(r, group, (*path, "option_groups", index))
    _initial_options(r, obj, path, options, multi=multi)
    if multi:
        _integer(r, obj, "max_selected_items", path, low=1)


def _option_group(r: _Report, value: object, path: Path) -> list[Any]:
    obj = _object(r, value, path)
    if obj is None:
        return []
    _text_field(r, obj, "label", path, max_len=75, required=True)
    return _options(r, obj, "options", path, low=1, high=100)


def _dynamic_select(r: _Report, obj: Obj, path: Path, *, multi: bool) -> None:
    """users/conversations/channels/external selects: options come from Slack or the app."""
    _common(r, obj, path, placeholder=True)
    if multi:
        _integer(r, obj, "max_selected_items", path, low=1)
    if obj.get("type") in ("external_select", "multi_external_select"):
        _integer(r, obj, "min_query_length", path, low=0)


def _overflow(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path)
    _options(r, obj, "options", path, low=2, high=5, url=True)


def _datepicker(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path, placeholder=True)
    value = _string(r, obj, "initial_date", path)
    if value and not _is_date(value):
        r.add("must be a valid date in YYYY-MM-DD format", (*path, "initial_date"))


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _timepicker(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path, placeholder=True)
    value = _string(r, obj, "initial_time", path)
    if value and not _TIME.fullmatch(value):
        r.add("must be a valid time in HH:mm format", (*path, "initial_time"))
    _string(r, obj, "timezone", path)


def _datetimepicker(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path)
    _integer(r, obj, "initial_date_time", path, low=0)


def _plain_text_input(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path, placeholder=True)
    initial = _string(r, obj, "initial_value", path, allow_empty=True)
    _boolean(r, obj, "multiline", path)
    low = _integer(r, obj, "min_length", path, low=0, high=3000)
    high = _integer(r, obj, "max_length", path, low=1, high=3000)
    if low is not None and high is not None and low > high:
        r.add("must be less than or equal to max_length", (*path, "min_length"))
    if initial is not None and high is not None and len(initial) > high:
        r.add(_too_long(high), (*path, "initial_value"))


def _choice(r: _Report, obj: Obj, path: Path, *, multi: bool) -> None:
    """checkboxes (multi) and radio_buttons: up to 10 options, mrkdwn text allowed."""
    _common(r, obj, path)
    options = _options(r, obj, "options", path, low=1, high=10, plain_only=False)
    _initial_options(r, obj, path, options, multi=multi)


def _number_input(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path, placeholder=True)
    if "is_decimal_allowed" not in obj:
        r.add("missing required field: is_decimal_allowed", path)
    _boolean(r, obj, "is_decimal_allowed", path)
    for key in ("initial_value", "min_value", "max_value"):
        _string(r, obj, key, path)


def _text_like_input(r: _Report, obj: Obj, path: Path) -> None:
    """email_text_input and url_text_input."""
    _common(r, obj, path, placeholder=True)
    _string(r, obj, "initial_value", path, allow_empty=True)


def _rich_text_input(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path, placeholder=True)
    if "initial_value" in obj:
        _rich_text(r, obj["initial_value"], (*path, "initial_value"))


def _file_input(r: _Report, obj: Obj, path: Path) -> None:
    _common(r, obj, path)
    _integer(r, obj, "max_files", path, low=1, high=10)


def _image_element(r: _Report, obj: Obj, path: Path) -> None:
    _image_source(r, obj, path)
    _string(r, obj, "alt_text", path, max_len=2000, required=True)


def _image_source(r: _Report, obj: Obj, path: Path) -> None:
    """Images come from exactly one of a public URL or an uploaded Slack file."""
    if ("image_url" in obj) == ("slack_file" in obj):
        r.add("must provide exactly one of `image_url` or `slack_file`", path)
    _string(r, obj, "image_url", path, max_len=3000)
    if "slack_file" in obj:
        _slack_file(r, obj["slack_file"], (*path, "slack_file"))


def _slack_file(r: _Report, value: object, path: Path) -> None:
    obj = _object(r, value, path)
    if obj is not None and ("url" in obj) == ("id" in obj):
        r.add("invalid slack file", path)


ElementCheck = Callable[[_Report, Obj, Path], None]

_ELEMENTS: dict[str, ElementCheck] = {
    "button": _button,
    "workflow_button": _workflow_button,
    "static_select": lambda r, o, p: _static_select(r, o, p, multi=False),
    "multi_static_select": lambda r, o, p: _static_select(r, o, p, multi=True),
    "external_select": lambda r, o, p: _dynamic_select(r, o, p, multi=False),
    "multi_external_select": lambda r, o, p: _dynamic_select(r, o, p, multi=True),
    "users_select": lambda r, o, p: _dynamic_select(r, o, p, multi=False),
    "multi_users_select": lambda r, o, p: _dynamic_select(r, o, p, multi=True),
    "conversations_select": lambda r, o, p: _dynamic_select(r, o, p, multi=False),
    "multi_conversations_select": lambda r, o, p: _dynamic_select(r, o, p, multi=True),
    "channels_select": lambda r, o, p: _dynamic_select(r, o, p, multi=False),
    "multi_channels_select": lambda r, o, p: _dynamic_select(r, o, p, multi=True),
    "overflow": _overflow,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "datetimepicker": _datetimepicker,
    "plain_text_input": _plain_text_input,
    "checkboxes": lambda r, o, p: _choice(r, o, p, multi=True),
    "radio_buttons": lambda r, o, p: _choice(r, o, p, multi=False),
    "number_input": _number_input,
    "email_text_input": _text_like_input,
    "url_text_input": _text_like_input,
    "rich_text_input": _rich_text_input,
    "file_input": _file_input,
    "image": _image_element,
}

_SELECTS = frozenset(name for name in _ELEMENTS if name.endswith("_select"))
# Which elements each container accepts, per Slack's "works with block types" tables.
_INPUT_ELEMENTS = _SELECTS | {
    "plain_text_input",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "checkboxes",
    "radio_buttons",
    "number_input",
    "email_text_input",
    "url_text_input",
    "rich_text_input",
    "file_input",
}
_ACTIONS_ELEMENTS = _SELECTS | {
    "button",
    "workflow_button",
    "overflow",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "checkboxes",
    "radio_buttons",
}
_ACCESSORY_ELEMENTS = _SELECTS | {
    "button",
    "workflow_button",
    "overflow",
    "datepicker",
    "timepicker",
    "checkboxes",
    "radio_buttons",
    "image",
}


def _element(r: _Report, value: object, path: Path, allowed: frozenset[str] | set[str]) -> None:
    obj = _object(r, value, path)
    if obj is None:
        return
    kind = obj.get("type")
    if "type" not in obj:
        r.add("missing required field: type", path)
    elif not isinstance(kind, str) or kind not in allowed:
        r.add(f"unsupported type: {kind}", (*path, "type"))
    else:
        _ELEMENTS[kind](r, obj, path)


# --- blocks -----------------------------------------------------------------------------------


def _section(r: _Report, block: Obj, path: Path) -> None:
    if "text" not in block and "fields" not in block:
        r.add("must define either `text` or `fields`", path)
    _text_field(r, block, "text", path, max_len=3000, plain_only=False)
    for index, field in enumerate(_items(r, block, "fields", path, low=1, high=10) or []):
        _text(r, field, (*path, "fields", index), max_len=2000)
    if "accessory" in block:
        _element(r, block["accessory"], (*path, "accessory"), _ACCESSORY_ELEMENTS)
    _boolean(r, block, "expand", path)


def _header(r: _Report, block: Obj, path: Path) -> None:
    _text_field(r, block, "text", path, max_len=150, required=True)


def _context(r: _Report, block: Obj, path: Path) -> None:
    elements = _items(r, block, "elements", path, low=1, high=10, required=True) or []
    for index, value in enumerate(elements):
        here = (*path, "elements", index)
        kind = value.get("type") if isinstance(value, dict) else None
        if kind == "image":
            _image_element(r, value, here)
        elif kind is not None and kind not in _TEXT_TYPES:
            r.add(f"unsupported type: {kind}", (*here, "type"))
        else:
            _text(r, value, here)


def _actions(r: _Report, block: Obj, path: Path) -> None:
    elements = _items(r, block, "elements", path, low=1, high=25, required=True) or []
    seen: set[str] = set()
    for index, value in enumerate(elements):
        here = (*path, "elements", index)
        _element(r, value, here, _ACTIONS_ELEMENTS)
        action_id = value.get("action_id") if isinstance(value, dict) else None
        if isinstance(action_id, str):
            if action_id in seen:
                r.add(f"duplicate action_id: {action_id}", (*here, "action_id"))
            seen.add(action_id)


def _input(r: _Report, block: Obj, path: Path) -> None:
    _text_field(r, block, "label", path, max_len=2000, required=True)
    if "element" not in block:
        r.add("missing required field: element", path)
    else:
        _element(r, block["element"], (*path, "element"), _INPUT_ELEMENTS)
    _text_field(r, block, "hint", path, max_len=2000)
    _boolean(r, block, "optional", path)
    _boolean(r, block, "dispatch_action", path)


def _image_block(r: _Report, block: Obj, path: Path) -> None:
    _image_element(r, block, path)
    _text_field(r, block, "title", path, max_len=2000)


def _rich_text(r: _Report, value: object, path: Path) -> None:
    """Shallow check: a rich_text object holds a list of known sub-element containers."""
    obj = _object(r, value, path)
    if obj is None:
        return
    for index, part in enumerate(_items(r, obj, "elements", path, low=0, required=True) or []):
        here = (*path, "elements", index)
        if not isinstance(part, dict):
            r.add("must provide an object", here)
        elif not isinstance(kind := part.get("type"), str) or kind not in _RICH_TEXT_PARTS:
            r.add(f"unsupported type: {kind}", (*here, "type"))


def _video(r: _Report, block: Obj, path: Path) -> None:
    _string(r, block, "alt_text", path, required=True)
    _text_field(r, block, "title", path, max_len=199, required=True)  # "less than 200"
    _text_field(r, block, "description", path, max_len=199)
    _string(r, block, "video_url", path, required=True)
    _string(r, block, "thumbnail_url", path, required=True)
    _string(r, block, "author_name", path, max_len=49)  # "less than 50"


def _file(r: _Report, block: Obj, path: Path) -> None:
    _string(r, block, "external_id", path, required=True)
    if "source" not in block:
        r.add("missing required field: source", path)
    _enum(r, block, "source", path, ("remote",))


def _markdown(r: _Report, block: Obj, path: Path) -> None:
    _string(r, block, "text", path, max_len=12_000, required=True)


_BLOCKS: dict[str, ElementCheck] = {
    "section": _section,
    "header": _header,
    "divider": lambda r, o, p: None,
    "context": _context,
    "actions": _actions,
    "image": _image_block,
    "input": _input,
    "rich_text": _rich_text,
    "video": _video,
    "file": _file,
    "markdown": _markdown,
}

# Input blocks collect form values, which only modals and Home tabs submit.
_SURFACE_EXCLUDED: dict[str, frozenset[str]] = {
    "message": frozenset({"input"}),
    "modal": frozenset(),
    "home": frozenset(),
}


def _blocks(r: _Report, blocks: object, path: Path, surface: Surface) -> None:
    items = _array(r, blocks, path, low=0, high=MAX_BLOCKS[surface])
    seen: set[str] = set()
    for index, value in enumerate(items or []):
        here = (*path, index)
        block = _object(r, value, here)
        if block is None:
            continue
        block_id = _string(r, block, "block_id", here, max_len=255)
        if block_id is not None:
            if block_id in seen:
                r.add(f"duplicate block_id: {block_id}", (*here, "block_id"))
            seen.add(block_id)
        _block(r, block, here, surface)


def _block(r: _Report, block: Obj, path: Path, surface: Surface) -> None:
    kind = block.get("type")
    if "type" not in block:
        r.add("missing required field: type", path)
    elif not isinstance(kind, str) or kind not in _BLOCKS or kind in _SURFACE_EXCLUDED[surface]:
        r.add(f"unsupported type: {kind}", (*path, "type"))
    else:
        _BLOCKS[kind](r, block, path)


# --- public API -------------------------------------------------------------------------------


def validate_blocks(blocks: object, *, surface: Surface) -> list[str]:
    """Validate a ``blocks`` array for a surface; pointers start at ``/blocks``."""
    r = _Report()
    _blocks(r, blocks, ("blocks",), surface)
    return r.errors


def validate_view(view: object) -> list[str]:
    """Validate a views.open/update/push/publish ``view``; pointers start at ``/view``.

    Accepts the JSON string form too, since SDKs send ``view`` JSON-encoded.
    """
    r = _Report()
    path: Path = ("view",)
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            r.add("must provide an object", path)
            return r.errors
    obj = _object(r, view, path)
    if obj is None:
        return r.errors
    if "type" not in obj:
        r.add("missing required field: type", path)
        return r.errors
    kind = obj["type"]
    if kind not in ("modal", "home"):
        r.add("must be a valid enum value", (*path, "type"))
        return r.errors
    if kind == "modal":
        _modal_fields(r, obj, path)
    _string(r, obj, "callback_id", path, max_len=255, allow_empty=True)
    _string(r, obj, "private_metadata", path, max_len=3000, allow_empty=True)
    _string(r, obj, "external_id", path, max_len=255)
    if "blocks" not in obj:
        r.add("missing required field: blocks", path)
    else:
        _blocks(r, obj["blocks"], (*path, "blocks"), kind)
    return r.errors


def _modal_fields(r: _Report, view: Obj, path: Path) -> None:
    _text_field(r, view, "title", path, max_len=24, required=True)
    _text_field(r, view, "submit", path, max_len=24)
    _text_field(r, view, "close", path, max_len=24)
    for flag in ("clear_on_close", "notify_on_close", "submit_disabled"):
        _boolean(r, view, flag, path)
    blocks = view.get("blocks")
    if "submit" in view or not isinstance(blocks, list):
        return
    # An input block without a submit button could never be submitted.
    for index, block in enumerate(blocks):
        if isinstance(block, dict) and block.get("type") == "input":
            r.add(
                "must define `submit` to use an `input` block in modals",
                (*path, "blocks", index, "input"),
            )
            return


def validate_message(*, text: object, blocks: object | None) -> list[str]:
    """Validate chat.postMessage/update/postEphemeral ``text`` and ``blocks``.

    ``blocks`` may be the JSON string a form-encoded request carries.
    """
    errors: list[str] = []
    if text is not None and not isinstance(text, str):
        errors.append("must provide a string [json-pointer:/text]")
    elif isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        errors.append(MSG_TOO_LONG)
    if isinstance(blocks, str):
        if not blocks:
            blocks = None  # an empty form field means "no blocks"
        else:
            try:
                blocks = json.loads(blocks)
            except ValueError:
                return [*errors, INVALID_BLOCKS_FORMAT]
    if text in (None, "") and blocks in (None, []):
        return [NO_TEXT]
    if blocks is not None:
        errors.extend(validate_blocks(blocks, surface="message"))
    return errors
