"""`council-bot`: serve over HTTP, run in Socket Mode, apply migrations, or try the sandbox."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette

from bot.app import build_app, work_pools
from bot.platform import logs
from bot.platform.data_keys import data_keys, ensure_data_keys, key_file, write_key_file
from bot.platform.offload import Offload
from bot.platform.work import WorkPools
from bot.reminders.delivery import engine_client
from bot.reminders.engine import ReminderEngine
from bot.server import make_asgi_app, serve_forever
from bot.services import Services
from bot.settings import PURPOSE, ConfigError, Settings, read_settings
from storage import crypto
from storage.db import make_engine
from storage.migrate import upgrade

log = logging.getLogger("council_bot")

EXIT_CONFIG = 2


@dataclass
class Runtime:
    """Everything one bot process runs: database, services and the Bolt app."""

    settings: Settings
    services: Services
    app: App
    work: WorkPools

    def http_app(self) -> Starlette:
        return make_asgi_app(
            bolt_app=self.app,
            engine=self.services.engine,
            signing_secret=self.settings.secret("SLACK_SIGNING_SECRET"),
            reminders=self.services.reminders,
            installations=self.services.installations,
        )

    @property
    def reminders(self) -> ReminderEngine:
        """The reminder engine `build_runtime` wired into the services."""
        engine = self.services.reminders
        if engine is None:
            raise RuntimeError("this runtime's services have no reminder engine")
        return engine


def build_runtime(
    settings: Settings,
    *,
    socket_mode: bool = False,
    services: Services | None = None,
    offloaded: bool = False,
) -> Runtime:
    """Migrate the database, then build the app (the path `serve` and `socket` both take).

    `offloaded`: for a work process (bot.work_process), whose serving process migrated.
    """
    if services is None:
        engine = make_engine(settings.effective_database_url)
        services = Services(engine=engine)
    services.retention_days = settings.retention_days
    ensure_data_keys(settings, services.engine)  # before migrating: a migration encrypts
    if not offloaded:
        upgrade(services.engine)
    if services.reminders is None:
        services.reminders = ReminderEngine(
            engine=services.engine,
            clock=services.clock,
            worker_id=f"{socket.gethostname()}:{os.getpid()}",
        )
    if services.delivery is None and not settings.distribution:
        services.delivery = engine_client(
            token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url
        )
    try:
        work = work_pools(settings, inline=offloaded)
        app = build_app(
            settings=settings,
            services=services,
            socket_mode=socket_mode,
            work=work,
            offloaded=offloaded,
        )
    except BoltError as exc:
        # Bolt checks the token with auth.test at start-up.
        raise ConfigError(
            f"SLACK_BOT_TOKEN was not accepted by Slack ({exc}). "
            "Copy the Bot User OAuth Token from the app's OAuth & Permissions page."
        ) from None
    return Runtime(settings=settings, services=services, app=app, work=work)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="council-bot",
        description="A Slack bot for job-search councils. Without any Slack tokens it opens "
        "the local sandbox (a demo workspace in your browser); see README.md.",
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events, GET /healthz")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default: all)")
    sub.add_parser("socket", help="Socket Mode: no public URL needed")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sub.add_parser("new-key", help="print a new data key for DATA_KEY")
    sub.add_parser("rotate-key", help="re-encrypt stored data with a new key (stop the bot first)")
    sandbox = sub.add_parser(
        "sandbox", help="try the bot in a local demo workspace, no Slack needed (127.0.0.1)"
    )
    sandbox.add_argument(
        "--port", type=int, help="port of the sandbox page (default: 8780, or a free one)"
    )
    sandbox.add_argument(
        "--data-dir",
        type=Path,
        help="keep the bot's SQLite database here (default: a temporary folder)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _checked_settings(args)
        configure_logging(settings)
        return _run(args, settings)
    except ConfigError as exc:
        lines = exc.problems or (str(exc),)
        print("\n".join(f"council-bot: {line}" for line in lines), file=sys.stderr)
        return EXIT_CONFIG


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logs.install()  # ids and error classes only, never member text (bot.platform.logs)
    # APScheduler logs every 5-second look at INFO; the engine logs what matters.
    logging.getLogger("apscheduler").setLevel(max(settings.log_level_number, logging.WARNING))


def _checked_settings(args: argparse.Namespace) -> Settings:
    """Every setting the command needs, checked before anything is created or logged.

    Malformed values and missing secrets are all named in one ConfigError, so a first
    start names everything to fix at once, and a failed start leaves no database file,
    data folder or migration behind. Sets `args.command` when it was left to the settings.
    """
    settings, problems = read_settings()
    args.command = args.command or _default_command(settings, malformed=problems.keys())
    for name, problem in settings.missing(settings.required(args.command)).items():
        problems.setdefault(name, problem)
    if args.command == "serve":
        for problem in settings.mode_problems():
            problems.setdefault("mode", problem)
    if problems:
        raise ConfigError(*problems.values())
    return settings


def _run(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command or _default_command(settings)
    if command == "migrate":
        engine = make_engine(settings.effective_database_url)
        ensure_data_keys(settings, engine)
        upgrade(engine)
        print("council-bot: database is up to date")
        return 0
    if command == "new-key":
        print(crypto.new_key())
        return 0
    if command == "rotate-key":
        return _rotate_key(settings)
    if command == "socket":
        return _socket(settings)
    if command == "serve":
        return _serve(settings, port=args.port or settings.port, host=args.host)
    if command == "sandbox":
        from bot.sandbox.main import run_sandbox

        return run_sandbox(
            port=getattr(args, "port", None),
            data_dir=getattr(args, "data_dir", None),
            log_level=settings.log_level,
        )
    raise ConfigError(f"{command} is not a council-bot command; see council-bot --help.")


def _rotate_key(settings: Settings) -> int:
    """Re-encrypt everything with a new key. Stop the bot first: processes still holding
    only the old key could not read what is re-encrypted."""
    engine = make_engine(settings.effective_database_url)
    ensure_data_keys(settings, engine)
    upgrade(engine)
    old = data_keys(settings, dialect=engine.dialect.name)
    new = crypto.new_key()
    crypto.configure([new, *old])
    count = crypto.reencrypt_all(engine)
    if settings.data_key is None:
        write_key_file(key_file(settings), new)
        print(f"council-bot: re-encrypted {count} values; {key_file(settings)} holds the new key")
    else:
        print(f"council-bot: re-encrypted {count} values with a new key. Set DATA_KEY to it:")
        print(new)
    return 0


_SERVE_SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)


def _default_command(settings: Settings, *, malformed: Collection[str] = ()) -> str:
    """What the Slack settings given point at; a malformed one counts as given.

    No Slack setting at all: the local sandbox. An app token: Socket Mode; otherwise a
    bot token, an OAuth client or a signing secret: HTTP mode (whose check then names what
    is missing for the mode it is in).
    """

    def given(name: str) -> bool:
        return name in malformed or getattr(settings, name.lower()) is not None

    if given("SLACK_APP_TOKEN"):
        return "socket"
    if any(
        given(name)
        for name in (
            "SLACK_BOT_TOKEN",
            "SLACK_SIGNING_SECRET",
            "SLACK_CLIENT_ID",
            "SLACK_CLIENT_SECRET",
        )
    ):
        return "serve"
    return "sandbox"


def _serve(settings: Settings, *, port: int, host: str) -> int:
    settings.secret("SLACK_SIGNING_SECRET")  # fail early, before migrating
    runtime = build_runtime(settings)
    _start_work_processes(runtime, socket_mode=False)
    runtime.work.prestart()
    log.info("serving Slack requests on %s:%s/slack/events", host, port)
    runtime.reminders.start()
    try:
        serve_forever(asgi=runtime.http_app(), host=host, port=port, log_level=settings.log_level)
    finally:
        runtime.work.close(wait=True)  # acked work finishes: nothing a member was promised is lost
        runtime.reminders.shutdown()
    return 0


def _socket(settings: Settings) -> int:
    from bot.platform.metrics import TimedSocketModeHandler

    app_token = settings.secret("SLACK_APP_TOKEN")
    runtime = build_runtime(settings, socket_mode=True)
    _start_work_processes(runtime, socket_mode=True)
    runtime.work.prestart()
    handler = TimedSocketModeHandler(runtime.app, app_token)  # observes the ack latency
    # `handler.start()` would block forever: SIGTERM would kill the process mid-work and
    # Ctrl+C would end in a traceback. Wait for either instead, then close the
    # connection and stop the scheduler (in-flight listeners finish before exit).
    stop = threading.Event()
    restore = _on_stop_signals(stop.set)
    runtime.reminders.start()
    try:
        try:
            handler.connect()
        except SlackApiError as exc:  # apps.connections.open refused the app token
            raise ConfigError(
                f"SLACK_APP_TOKEN was not accepted by Slack ({exc.response.get('error')}). "
                f"It is {PURPOSE['SLACK_APP_TOKEN']}."
            ) from None
        log.info("connected to Slack in Socket Mode; stop with Ctrl+C or SIGTERM")
        stop.wait()
        log.info("stopping: closing the Socket Mode connection")
    finally:
        handler.close()
        runtime.work.close(wait=True)
        runtime.reminders.shutdown()
        restore()
    log.info("stopped")
    return 0


def _start_work_processes(runtime: Runtime, *, socket_mode: bool) -> None:
    """WORK_PROCESSES processes for the post-ack work (bot.platform.offload); the pools'
    close stops them."""
    count = runtime.settings.work_processes
    if count < 1:
        return
    from bot import work_process  # which imports this module

    offload = Offload(
        processes=count,
        target=work_process.main,
        args=(runtime.settings, socket_mode),
        on_wake=runtime.reminders.scheduled,
    )
    offload.start()
    runtime.work.offload = offload


def _on_stop_signals(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` on SIGTERM and SIGINT (main thread only); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.signal(sig, lambda *_: callback()) for sig in signals}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


if __name__ == "__main__":
    sys.exit(main())
