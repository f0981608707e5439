"""The sandbox's moving parts: the seeded Slack stand-in, the real app, a signed driver.

`Sandbox.start()` builds what `council-bot serve` runs (through `bot.cli.build_runtime`:
migrations, app factory, every listener), points it at the offline stand-in instead of
Slack, serves it on loopback with `BackgroundServer`, and keeps a `SlackDriver` that turns
what a person does on the page into the signed requests Slack would send.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.cli import Runtime, build_runtime
from bot.reminders.engine import ReminderEngine
from bot.sandbox import persist
from bot.sandbox.clock import SandboxClock
from bot.sandbox.demo_council import set_up_demo_council
from bot.sandbox.reminders import SandboxReminderEngine, posts_to
from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_MEMBERS, Workspace, seed_demo
from bot.server import EVENTS_PATH, BackgroundServer
from bot.services import Services
from bot.settings import Settings
from storage import crypto
from storage.db import make_engine

log = logging.getLogger("council_bot.sandbox")

DB_FILE = "council-bot.db"


def sandbox_settings(
    *,
    standin: SlackStandIn,
    data_dir: Path,
    log_level: str = "WARNING",
    data_key: str | None = None,
) -> Settings:
    """Settings that point the app at the stand-in: its token, its API URL, a new secret.

    The database is always SQLite in `data_dir`; a DATABASE_URL in the environment (which
    may be a real council's) is deliberately ignored, and no `.env` file is read. Without
    `data_key`, the data key is the key file in `data_dir` (kept with a kept sandbox).
    """
    return Settings(
        slack_bot_token=standin.bot_token,  # type: ignore[arg-type]
        slack_signing_secret=secrets.token_hex(16),  # type: ignore[arg-type]
        slack_app_token=None,
        slack_api_url=standin.api_url,
        data_dir=data_dir,
        database_url=f"sqlite:///{(data_dir / DB_FILE).resolve()}",
        log_level=log_level,  # type: ignore[arg-type]
        data_key=data_key,  # type: ignore[arg-type]
        _env_file=None,
    )


@dataclass
class Sandbox:
    """A running stand-in workspace with the real app behind it."""

    standin: SlackStandIn
    clock: SandboxClock
    runtime: Runtime
    app_server: BackgroundServer
    driver: SlackDriver
    data_dir: Path
    _tempdir: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)
    _started_reminders: bool = field(default=False, repr=False)

    @classmethod
    def start(cls, *, data_dir: Path | None = None, log_level: str = "WARNING") -> Sandbox:
        """Seed the demo workspace, migrate the database, serve the app; all on loopback.

        With `data_dir`, the database and the workspace (see `persist`) are kept there
        and picked up again by the next start; without it, both live in a temporary
        folder removed on stop.
        """
        tempdir = None
        if data_dir is None:
            tempdir = tempfile.TemporaryDirectory(prefix="council-bot-sandbox-")
            data_dir = Path(tempdir.name)
        data_dir.mkdir(parents=True, exist_ok=True)
        clock = SandboxClock()
        workspace = seed_demo(clock=clock.epoch)
        if tempdir is None:
            persist.load(workspace, clock, data_dir)
        standin = SlackStandIn(workspace).start()
        try:
            # A throwaway sandbox gets a throwaway data key (no key file, nothing to back up).
            settings = sandbox_settings(
                standin=standin,
                data_dir=data_dir,
                log_level=log_level,
                data_key=crypto.new_key() if tempdir is not None else None,
            )
            database = make_engine(settings.effective_database_url)
            # The reminder engine is built here rather than by build_runtime, so the
            # clock panel can tell a sent reminder from a moot one.
            services = Services(
                engine=database,
                clock=clock.utcnow,
                reminders=SandboxReminderEngine(
                    posted=posts_to(standin),
                    engine=database,
                    clock=clock.utcnow,
                    worker_id=f"sandbox:{os.getpid()}",
                ),
            )
            runtime = build_runtime(settings, services=services)
            app_server = BackgroundServer(runtime.http_app())
            app_server.start()
        except BaseException:
            standin.stop()
            if tempdir is not None:
                tempdir.cleanup()
            raise
        driver = SlackDriver(
            app_url=app_server.url + EVENTS_PATH,
            signing_secret=settings.secret("SLACK_SIGNING_SECRET"),
            standin=standin,
        )
        sandbox = cls(
            standin=standin,
            clock=clock,
            runtime=runtime,
            app_server=app_server,
            driver=driver,
            data_dir=data_dir,
            _tempdir=tempdir,
        )
        sandbox._open_dms()
        if tempdir is not None:  # a throwaway sandbox: the demo council has its rhythm
            set_up_demo_council(services, workspace, now=clock.utcnow())
        sandbox._adopt_reminders()
        return sandbox

    # ------------------------------------------------------------------ parts
    @property
    def workspace(self) -> Workspace:
        return self.standin.workspace

    @property
    def services(self) -> Services:
        return self.runtime.services

    @property
    def reminders(self) -> ReminderEngine | None:
        """The app's reminder engine, if it is wired."""
        return self.services.reminders

    @staticmethod
    def member_ids() -> list[str]:
        """The demo members one can act as."""
        return [member[0] for member in DEMO_MEMBERS]

    # -------------------------------------------------------------- lifecycle
    def _open_dms(self) -> None:
        # Slack shows every member the app's Messages tab; give each one a DM to look at.
        for user_id in self.member_ids():
            self.workspace.open_im(user_id)

    def _adopt_reminders(self) -> None:
        """Run the reminder engine on the sandbox clock, and start it if nobody did."""
        engine = self.reminders
        if engine is None:
            return
        if hasattr(engine, "clock"):
            engine.clock = self.clock.utcnow
        if hasattr(engine, "start") and not getattr(engine, "running", True):
            engine.start()
            self._started_reminders = True

    def stop(self) -> None:
        engine = self.reminders
        if engine is not None and self._started_reminders:
            try:
                engine.shutdown(wait=True)
            except Exception:  # stopping anyway
                log.debug("reminder engine shutdown failed", exc_info=True)
        self.app_server.stop()
        self.standin.stop()
        self.services.engine.dispose()
        if self._tempdir is not None:
            self._tempdir.cleanup()
        else:
            persist.save(self.workspace, self.clock, self.data_dir)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
