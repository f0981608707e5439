"""Logs carry ids and error classes, never member text, at every level.

Two ways member text reaches a log, and what this module does about each:

- **Exception text.** A database error's message carries the failing row or key (PostgreSQL's
  `DETAIL: Failing row contains (...)`, `Key (...)=(...) already exists`), SQLAlchemy adds the
  statement's parameters (the engines hide those: storage.db.make_engine), and a decoding
  error quotes what it could not decode. So no exception's message is ever logged: a record's
  exception is replaced by a stand-in (`scrubbed`) that prints with the same class name,
  frames and chain, and for a message only the identifiers it carries (a database error's
  SQLSTATE, constraint, table and column; Slack's error code); an exception passed as a `%s`
  argument is logged as `describe_exception`.
- **Wire bodies.** At DEBUG, slack_sdk logs every Web API request and response body (mission
  text, feedback, notes), Bolt logs request bodies and its answers, Socket Mode every envelope.
  Records of the Slack, HTTP and SQL loggers (`WIRE_LOGGERS`, `SQL_LOGGERS`) keep what
  operators need (the Web API method, HTTP status, Slack's error code, ids, timings) and lose
  the bodies.

`install()` applies both to every record the process creates, through the log record
factory: a filter on a logger does not see its children's records (slack_sdk logs on
`slack_sdk.web.base_client`, Bolt on `slack_bolt.<Class>`), and a filter on a handler covers
that handler only. `PrivacyFilter` does the same on a handler, for records made elsewhere.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import traceback
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

# Loggers that may log request and response bodies (Slack's Web API, Bolt, Socket Mode,
# HTTP clients and servers). Children included: "slack_sdk" covers slack_sdk.web.base_client.
WIRE_LOGGERS = (
    "slack_sdk",
    "slack_bolt",
    "council_bot.bolt",  # the logger the app hands Bolt (bot.app.build_app)
    "urllib3",
    "uvicorn",
    "websocket",
    "websockets",
    "httpx",
    "httpcore",
)
# SQLAlchemy's echo logs statements (no member text: every value is a bound parameter), their
# parameters (hidden by the engines) and, at DEBUG, result rows.
SQL_LOGGERS = ("sqlalchemy",)

WITHHELD = "(withheld: may carry member text)"

_SCRUBBED = "_council_scrubbed"

# Keys whose values are Slack ids or timestamps, worth keeping from a logged request body;
# a value is kept only when it also looks like one.
_ID_ITEM = re.compile(
    r"(?:(?<=\{)|(?<=, ))'(?P<key>channel|user|user_id|team_id|ts|thread_ts|view_id)': "
    r"'(?P<value>[A-Z][A-Z0-9]{2,31}|\d{1,12}\.\d{1,9})'(?=[,}])"
)
_ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

_SDK_REQUEST = re.compile(
    r"^Sending a request - url: (?P<url>\S+?), query_params: (?P<query>.*?), "
    r"body_params: (?P<body>.*?), files: .*?, json_body: (?P<json>.*), "
    r"headers: \{[^{}]*\}$",
    re.DOTALL,
)
_SDK_RESPONSE = re.compile(
    r"^Received the following response - status: (?P<status>\d+),.*?body: (?P<body>.*)$",
    re.DOTALL,
)
_BOLT_RESPONDING = re.compile(
    r'^Responding with status: (?P<status>\d+) body: ".*" \((?P<millis>\d+) millis\)$',
    re.DOTALL,
)
_URL = re.compile(r"https?://[^\s,'\")]+")
# Where a payload starts in a message that carries one: a dict or list, or a labelled body.
_PAYLOAD_START = re.compile(r"[{\[]|\b(?:body|payload|message|text|params)\b\s*[:=]", re.I)


# --- exceptions ---------------------------------------------------------------------------------


def _qualified(kind: type[BaseException]) -> str:
    module = kind.__module__
    return kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__name__}"


def _safe_word(value: object, pattern: re.Pattern[str] = _ERROR_CODE) -> str | None:
    return value if isinstance(value, str) and pattern.match(value) else None


def _identifiers(exc: BaseException) -> list[str]:
    """What an exception says that is the code's or Slack's, never a member's."""
    facts: list[str] = []
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
    if isinstance(orig, BaseException):
        facts.append(_qualified(type(orig)))
        facts.extend(_identifiers(orig))
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if isinstance(sqlstate, str) and re.fullmatch(r"[0-9A-Z]{5}", sqlstate):
        facts.append(f"sqlstate {sqlstate}")
    diag = getattr(exc, "diag", None)  # psycopg: schema names, never values
    for name in ("constraint_name", "table_name", "column_name"):
        value = _safe_word(getattr(diag, name, None), re.compile(r"^[A-Za-z_][\w]{0,62}$"))
        if value:
            facts.append(f"{name.removesuffix('_name')} {value}")
    sqlite_name = _safe_word(getattr(exc, "sqlite_errorname", None), re.compile(r"^SQLITE_\w+$"))
    if sqlite_name:
        facts.append(sqlite_name)
    response = getattr(exc, "response", None)  # slack_sdk's SlackApiError
    if response is not None:
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            facts.append(f"HTTP {status}")
        try:
            error = response.get("error")
        except Exception:
            error = None
        code = _safe_word(error)
        if code:
            facts.append(f"error {code}")
    if isinstance(exc, UnicodeError):
        encoding = _safe_word(getattr(exc, "encoding", None), re.compile(r"^[\w-]{1,20}$"))
        if encoding:
            facts.append(encoding)
    if isinstance(exc, OSError) and isinstance(exc.errno, int):
        facts.append(f"errno {exc.errno}")
    return facts


def describe_exception(exc: BaseException) -> str:
    """The exception's class and the identifiers it carries, never its message.

    `sqlalchemy.exc.IntegrityError (psycopg.errors.CheckViolation, sqlstate 23514,
    constraint no_secret, table searches)`, `slack_sdk.errors.SlackApiError (HTTP 500,
    error internal_error)`.
    """
    facts = _identifiers(exc)
    name = _qualified(type(exc))
    return f"{name} ({', '.join(dict.fromkeys(facts))})" if facts else name


class ScrubbedError(Exception):
    """What a logged exception becomes: its class's name, its identifiers, its frames."""


_stand_in_classes: dict[type[BaseException], type[ScrubbedError]] = {}
_stand_in_lock = threading.Lock()


def _stand_in_class(kind: type[BaseException]) -> type[ScrubbedError]:
    """A ScrubbedError subclass that prints as `kind` does (one per exception class)."""
    with _stand_in_lock:
        found = _stand_in_classes.get(kind)
        if found is None:
            namespace = {"__module__": kind.__module__, "__qualname__": kind.__qualname__}
            found = type(kind.__name__, (ScrubbedError,), namespace)
            _stand_in_classes[kind] = found
        return found


def scrubbed(exc: BaseException, tb: TracebackType | None = None) -> BaseException:
    """A stand-in for `exc` to log: same class name, frames and chain (`raise ... from`,
    "during handling"), with `describe_exception`'s identifiers for a message."""
    if isinstance(exc, ScrubbedError):
        return exc
    copies: dict[int, BaseException] = {}

    def copy(current: BaseException, frames: TracebackType | None) -> BaseException:
        if id(current) in copies:
            return copies[id(current)]
        facts = _identifiers(current)
        detail = ", ".join(dict.fromkeys(facts))
        stand_in = _stand_in_class(type(current))(
            f"(message withheld; {detail})" if detail else "(message withheld)"
        )
        copies[id(current)] = stand_in
        stand_in.__traceback__ = frames
        stand_in.__suppress_context__ = current.__suppress_context__
        if current.__cause__ is not None:
            stand_in.__cause__ = copy(current.__cause__, current.__cause__.__traceback__)
        if current.__context__ is not None:
            stand_in.__context__ = copy(current.__context__, current.__context__.__traceback__)
        return stand_in

    return copy(exc, tb if tb is not None else exc.__traceback__)


def scrubbed_traceback(exc: BaseException, tb: TracebackType | None = None) -> str:
    """A traceback as Python prints it, every exception's message replaced by the
    identifiers it carries. Frames show file, line and source line: code, never data."""
    return "".join(traceback.format_exception(scrubbed(exc, tb))).rstrip("\n")


# --- wire bodies --------------------------------------------------------------------------------


def _safe_url(url: str) -> str:
    """A Web API URL keeps its method; any other (a response_url is a credential) its host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(url)"
    path = parts.path
    if "/api/" in path:
        method = path.rsplit("/api/", 1)[1]
        if re.fullmatch(r"[A-Za-z][\w.]{0,80}", method):
            return f"{parts.scheme}://{parts.netloc}/api/{method}"
    return f"{parts.scheme}://{parts.netloc}/…"


def _ids_in(*reprs: str) -> list[str]:
    """`key=value` for the ids in logged request parameters (Python dict reprs).

    Found by pattern, not parsed: `ast` is not safe to call from many threads at once on
    Python 3.11, and log records are made on every thread.
    """
    found: list[str] = []
    for text in reprs:
        found.extend(f"{m['key']}={m['value']}" for m in _ID_ITEM.finditer(text))
    return list(dict.fromkeys(found))


def _error_code(body: str) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    if parsed.get("ok") is True:
        return "ok"
    return _safe_word(parsed.get("error"))


def redact_wire(message: str) -> str:
    """A Slack, HTTP or Bolt log message without the bodies it may carry."""
    request = _SDK_REQUEST.match(message)
    if request:
        ids = _ids_in(request["query"], request["body"], request["json"])
        return " ".join(
            ["Sending a request - url:", _safe_url(request["url"]), *ids, "- body", WITHHELD]
        )
    response = _SDK_RESPONSE.match(message)
    if response:
        code = _error_code(response["body"].strip())
        outcome = f", {code}" if code else ""
        status = response["status"]
        return f"Received the following response - status: {status}{outcome} - body {WITHHELD}"
    responding = _BOLT_RESPONDING.match(message)
    if responding:
        return (
            f"Responding with status: {responding['status']} ({responding['millis']} millis) "
            f"- body {WITHHELD}"
        )
    message = _URL.sub(lambda m: _safe_url(m.group(0)), message)
    start = _PAYLOAD_START.search(message)
    if start is None:
        return message
    return f"{message[: start.start()].rstrip()} {WITHHELD}"


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


_PLAIN_ARGS = (str, int, float, bool, type(None))


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Make `record` safe to write anywhere (in place; idempotent) and return it."""
    if getattr(record, _SCRUBBED, False):
        return record
    setattr(record, _SCRUBBED, True)
    if record.exc_info and record.exc_info[1] is not None:
        stand_in = scrubbed(record.exc_info[1], record.exc_info[2])
        record.exc_info = (type(stand_in), stand_in, stand_in.__traceback__)
        record.exc_text = None
    elif record.exc_text:
        record.exc_text = None  # formatted elsewhere, from an unscrubbed exception
    if isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
        record.args = tuple(
            describe_exception(a) if isinstance(a, BaseException) else a for a in record.args
        )
    elif isinstance(record.args, Mapping) and any(
        isinstance(a, BaseException) for a in record.args.values()
    ):
        record.args = {
            k: describe_exception(v) if isinstance(v, BaseException) else v
            for k, v in record.args.items()
        }
    if _under(record.name, WIRE_LOGGERS):
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg, record.args = redact_wire(message), ()
    elif _under(record.name, SQL_LOGGERS) and record.args:
        # Statements come as the message (every value a bound parameter), timings as
        # strings; parameters and rows as SQLAlchemy's repr objects: those are withheld.
        if isinstance(record.args, Mapping):
            record.args = {
                k: v if isinstance(v, _PLAIN_ARGS) else WITHHELD for k, v in record.args.items()
            }
        else:
            record.args = tuple(a if isinstance(a, _PLAIN_ARGS) else WITHHELD for a in record.args)
    return record


class PrivacyFilter(logging.Filter):
    """`scrub` as a handler filter: every record the handler emits is made safe."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


_install_lock = threading.Lock()
_installed: Callable[..., logging.LogRecord] | None = None


def install() -> None:
    """Scrub every log record this process creates, whoever logs it (idempotent).

    Also puts `PrivacyFilter` on the root logger's handlers, for records made by a factory
    installed after this one.
    """
    global _installed
    with _install_lock:
        current = logging.getLogRecordFactory()
        if current is not _installed:
            previous = current

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                return scrub(previous(*args, **kwargs))

            logging.setLogRecordFactory(factory)
            _installed = factory
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, PrivacyFilter) for f in handler.filters):
                handler.addFilter(PrivacyFilter())
