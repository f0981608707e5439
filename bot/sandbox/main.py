"""`council-bot sandbox`: start everything on loopback, print the address, wait for Ctrl-C."""

from __future__ import annotations

import errno
import logging
import signal
import threading
from pathlib import Path
from types import FrameType

from bot.sandbox.runtime import Sandbox
from bot.sandbox.web import make_web_app
from bot.server import BackgroundServer
from bot.settings import ConfigError

log = logging.getLogger("council_bot.sandbox")

#: The page's port when none is asked for (another free port if this one is taken).
DEFAULT_PORT = 8780
HOST = "127.0.0.1"
#: Libraries whose INFO lines (every 5-second reminder look, each migration) drown the demo.
NOISY_LIBRARIES = ("apscheduler", "alembic")


class _QuietUnhandledMessages(logging.Filter):
    """Drop Bolt's warning for a `message` event or a command the app has no listener for.

    Replies typed on the page go to the app as message events; the app subscribes to
    none (Slack would not even send them), so Bolt's multi-line advice is noise here. An
    unknown `/word` is Slack's to answer ("not a valid command"); it reaches the app only
    when no manifest says which commands it has, and Bolt's code suggestion is noise too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        unhandled = text.startswith("Unhandled request")
        return not (unhandled and ("'type': 'message'" in text or "'command': '/" in text))


def _page_server(sandbox: Sandbox, port: int | None) -> tuple[BackgroundServer, str | None]:
    """The page's server, and why it is not on the default port when it had to move."""
    web = make_web_app(sandbox)
    wanted = DEFAULT_PORT if port is None else port
    try:
        return BackgroundServer(web, host=HOST, port=wanted), None
    except OSError as exc:
        if port is None and exc.errno == errno.EADDRINUSE:
            server = BackgroundServer(web, host=HOST, port=0)
            moved = (
                f"Port {wanted} is in use (another program, perhaps another sandbox, has it), "
                f"so the sandbox took port {server.port} instead; --port N picks one."
            )
            return server, moved
        raise ConfigError(f"cannot listen on {HOST}:{port} ({exc.strerror}); try --port") from None


def run_sandbox(
    *,
    port: int | None = None,
    data_dir: Path | None = None,
    log_level: str = "WARNING",
    stop: threading.Event | None = None,
    announce: bool = True,
) -> int:
    """Run until Ctrl-C / SIGTERM (or `stop` is set). Returns the exit status."""
    logging.getLogger("council_bot.bolt").addFilter(_QuietUnhandledMessages())
    if log_level != "DEBUG":
        # The demo's terminal shows the bot's own lines, not every scheduler tick.
        for chatty in NOISY_LIBRARIES:
            logging.getLogger(chatty).setLevel(logging.WARNING)
    sandbox = Sandbox.start(data_dir=data_dir, log_level=log_level)
    try:
        page, moved = _page_server(sandbox, port)
        page.start()
    except BaseException:
        sandbox.stop()
        raise
    stop = stop or threading.Event()
    previous = _on_sigterm(stop)
    if announce:
        kept = (
            "Nothing is kept when you stop (use --data-dir DIR to keep it)."
            if data_dir is None
            else f"The bot's database and the demo workspace are kept in {data_dir}."
        )
        print(
            "council-bot sandbox: a demo Slack workspace with the real bot, all on this machine."
            + (f"\n  {moved}" if moved else "")
            + f"\n  Open {page.url}/ in your browser."
            f"\n  {kept} Stop with Ctrl-C.",
            flush=True,
        )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        _restore_sigterm(previous)
        page.stop()
        sandbox.stop()
    return 0


def _on_sigterm(stop: threading.Event) -> object:
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(previous: object) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]
