"""bot.platform.logs: exception texts and wire bodies never reach a log; ids and codes do."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.platform import logs
from storage.db import make_engine

SECRET = "Zq9-SECRET-COMPANY"


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """What a handler on a fresh logger tree receives, with the privacy factory installed."""
    logs.install()
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = Keep(level=logging.DEBUG)
    touched = ["slack_sdk", "slack_bolt", "council_bot", "sqlalchemy", "uvicorn"]
    before = {name: logging.getLogger(name).level for name in touched}
    for name in touched:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(handler)
    yield seen
    for name in touched:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).setLevel(before[name])


def formatted(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in records)


def _integrity_error() -> IntegrityError:
    engine = make_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (name TEXT CHECK (name NOT LIKE 'Zq9%'))"))
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:name)"), {"name": SECRET})
    except IntegrityError as exc:
        return exc
    raise AssertionError("the insert should have failed")


def _slack_error(error: str = "channel_not_found", status: int = 404) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={"json": {"text": SECRET}},
        data={"ok": False, "error": error, "echo": SECRET},
        headers={},
        status_code=status,
    )
    return SlackApiError(message=f"failed to post {SECRET}", response=response)


# --- exceptions ---------------------------------------------------------------------------------


def test_engines_hide_statement_parameters_from_error_texts() -> None:
    error = _integrity_error()
    assert SECRET not in str(error)  # hide_parameters=True, storage.db.make_engine
    assert "parameters hidden" in str(error)


def test_a_database_error_is_described_by_class_and_identifiers_only() -> None:
    error = _integrity_error()
    described = logs.describe_exception(error)
    assert described.startswith("sqlalchemy.exc.IntegrityError (sqlite3.IntegrityError")
    assert "SQLITE_CONSTRAINT_CHECK" in described
    assert SECRET not in described and "CHECK constraint" not in described


def test_a_slack_error_keeps_its_status_and_code_not_its_message() -> None:
    described = logs.describe_exception(_slack_error())
    assert described == "slack_sdk.errors.SlackApiError (HTTP 404, error channel_not_found)"


def test_an_error_code_that_is_not_a_code_is_dropped() -> None:
    described = logs.describe_exception(_slack_error(error=f"bad {SECRET}"))
    assert SECRET not in described and "HTTP 404" in described


def test_a_scrubbed_traceback_keeps_frames_and_the_chain_without_messages() -> None:
    def fail() -> None:
        try:
            raise KeyError(SECRET)
        except KeyError as inner:
            raise ValueError(f"could not store {SECRET}") from inner

    try:
        fail()
    except ValueError as exc:
        printed = logs.scrubbed_traceback(exc)
    assert SECRET not in printed
    assert "in fail" in printed and 'raise ValueError(f"could not store {SECRET}")' in printed
    assert "KeyError: (message withheld)" in printed
    assert "ValueError: (message withheld)" in printed
    assert "direct cause" in printed


def test_logged_exceptions_lose_their_text_whoever_logs_them(
    records: list[logging.LogRecord],
) -> None:
    error = _integrity_error()
    logging.getLogger("council_bot.reminders").exception("sending failed", exc_info=error)
    logging.getLogger("council_bot.x").warning("database error, retrying: %s", error)
    logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=error)
    out = formatted(records)
    assert SECRET not in out
    assert "sqlalchemy.exc.IntegrityError" in out and "retrying: sqlalchemy.exc.Integrity" in out
    assert all(r.exc_info is None or r.exc_info[1] is not error for r in records)
    assert any(r.exc_info for r in records)  # a stand-in is still there to format


# --- wire bodies --------------------------------------------------------------------------------

SDK_REQUEST = (
    "Sending a request - url: https://slack.com/api/chat.postMessage, query_params: {}, "
    "body_params: {}, files: {}, json_body: {'channel': 'C0COUNCIL01', 'thread_ts': "
    f"'1700000000.000100', 'text': 'Job mission: {SECRET}, with {{braces}}', 'blocks': "
    f"[{{'type': 'section', 'text': {{'type': 'mrkdwn', 'text': \"{SECRET}'s\"}}}}]}}, "
    "headers: {'Content-Type': 'application/json;charset=utf-8', 'Authorization': "
    "'(redacted)'}"
)
SDK_RESPONSE = (
    "Received the following response - status: 200, headers: {'Content-Type': "
    '\'application/json\'}, body: {"ok": false, "error": "msg_too_long", "text": '
    f'"{SECRET}"}}'
)


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        (
            SDK_REQUEST,
            [
                "https://slack.com/api/chat.postMessage",
                "channel=C0COUNCIL01",
                "thread_ts=1700000000.000100",
            ],
        ),
        (SDK_RESPONSE, ["status: 200", "msg_too_long"]),
        (
            f"Sending a request - url: https://hooks.slack.com/actions/T1/2/secret-token, "
            f"body: {{'text': '{SECRET}'}}, headers: {{}}",
            ["https://hooks.slack.com/…"],
        ),
        (f'Responding with status: 200 body: "{{\\"text\\": \\"{SECRET}\\"}}" (12 millis)', ["12"]),
        (f"request body: {{'view': {{'title': '{SECRET}'}}}}", ["request"]),
        (f"Unhandled request ({{'type': 'view_submission', 'x': '{SECRET}'}})", ["Unhandled"]),
        (
            f"Invalid request signature detected (signature: v0=1, timestamp: 1, body: "
            f"payload=%7B%22{SECRET}%22)",
            ["Invalid request signature detected"],
        ),
        (
            f'Sending a message (session id: s-1, message: {{"envelope": "e", "{SECRET}"}})',
            ["Sending a message (session id: s-1,"],
        ),
    ],
    ids=["sdk-request", "sdk-response", "webhook", "bolt-response", "bolt-body", "unhandled",
         "bad-signature", "socket-mode"],
)  # fmt: skip
def test_wire_messages_lose_their_bodies_and_keep_methods_ids_and_codes(
    message: str, kept: list[str]
) -> None:
    redacted = logs.redact_wire(message)
    assert SECRET not in redacted and "secret-token" not in redacted
    for part in kept:
        assert part in redacted, redacted


def test_wire_messages_without_a_body_are_kept_as_they_are() -> None:
    for message in (
        "Going to retry the same request: POST https://slack.com/api/views.open",
        "Checking listener: on_mission_command ...",
        "Applying slack_bolt.middleware.ssl_check.ssl_check.SslCheck",
    ):
        assert logs.redact_wire(message) == message


def test_records_of_every_wire_logger_and_its_children_are_redacted(
    records: list[logging.LogRecord],
) -> None:
    logging.getLogger("slack_sdk.web.base_client").debug(SDK_REQUEST)
    logging.getLogger("slack_bolt.App").info("request body: %s", {"text": SECRET})
    logging.getLogger("council_bot.bolt").debug(
        f'Responding with status: 200 body: "{SECRET}" (1 millis)'
    )
    logging.getLogger("slack_sdk.socket_mode.builtin.client").debug(f"on_message: {{'{SECRET}'}}")
    out = formatted(records)
    assert len(records) == 4 and SECRET not in out
    assert "api/chat.postMessage channel=C0COUNCIL01" in out


def test_sql_parameters_and_rows_are_withheld_statements_kept(
    records: list[logging.LogRecord],
) -> None:
    engine = make_engine("sqlite://", echo="debug")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (name TEXT)"))
        connection.execute(text("INSERT INTO t VALUES (:name)"), {"name": SECRET})
        assert connection.execute(text("SELECT name FROM t")).scalar() == SECRET
    out = formatted(records)
    assert SECRET not in out
    assert "INSERT INTO t VALUES (?)" in out and "SELECT name FROM t" in out


def test_the_filter_scrubs_records_made_before_the_factory() -> None:
    record = logging.LogRecord(
        "slack_sdk.web.base_client", logging.DEBUG, __file__, 1, SDK_REQUEST, (), None
    )
    assert logs.PrivacyFilter().filter(record) is True
    assert SECRET not in record.getMessage()


def test_install_is_idempotent_and_covers_the_root_handlers() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        logs.install()
        factory = logging.getLogRecordFactory()
        logs.install()
        assert logging.getLogRecordFactory() is factory
        assert sum(isinstance(f, logs.PrivacyFilter) for f in handler.filters) == 1
    finally:
        root.removeHandler(handler)


def test_council_bot_at_debug_logs_no_bodies_or_exception_texts(tmp_path: Path) -> None:
    """The console script's own logging setup (cli.main) installs the scrubbing."""
    script = (
        "import logging, sys\n"
        "from bot.cli import main\n"
        "code = main(['migrate'])\n"
        f"logging.getLogger('slack_sdk.web.base_client').debug({SDK_REQUEST!r})\n"
        "try:\n"
        f"    raise ValueError({SECRET!r})\n"
        "except ValueError:\n"
        "    logging.getLogger('council_bot').exception('it failed')\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            "PATH": "/usr/bin:/bin",
            "LOG_LEVEL": "DEBUG",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        },
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "api/chat.postMessage channel=C0COUNCIL01" in result.stderr
    assert "ValueError: (message withheld)" in result.stderr
    assert SECRET not in result.stderr + result.stdout
