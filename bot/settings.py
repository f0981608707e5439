"""Configuration from the environment (and a `.env` file), validated once at start-up.

A missing or malformed setting must stop the bot with one line that names the variable and
says what it is for, never a traceback: organisers installing the bot read these lines.
Every problem is found before anything is touched (`read_settings`, `Settings.missing`):
one start-up names them all, instead of one per attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"

# What each variable is for, used in every error message about it.
PURPOSE: dict[str, str] = {
    "SLACK_BOT_TOKEN": "the bot token (xoxb-...) from the Slack app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "the signing secret from the Slack app's Basic Information page, "
    "used to verify that requests come from Slack",
    "SLACK_APP_TOKEN": "the app-level token (xapp-...) with connections:write, for Socket Mode",
    "DATABASE_URL": "where the bot keeps its data, e.g. sqlite:///data/council-bot.db or "
    "postgresql+psycopg://user@host/db",
    "SLACK_API_URL": "the Slack Web API base URL (only changed for tests and the sandbox)",
    "PORT": "the HTTP port for `council-bot serve`",
    "LOG_LEVEL": "how much the bot logs: DEBUG, INFO, WARNING or ERROR",
    "RETENTION_DAYS": "how many days withdrawn drafts, closed back-channel checklists and "
    "finished reminders are kept before they are deleted (a whole number, 1 to 3650)",
    "DATA_DIR": "the folder for the default SQLite database",
    "WORK_THREADS": "how many threads make the Slack calls that follow a request's ack",
    "WORK_QUEUE": "how many requests may wait for a work thread before new ones are answered busy",
    "FORM_THREADS": "how many threads handle modal submissions",
    "SLACK_CLIENT_ID": "the app's Client ID from its Basic Information page, for installing "
    'it in many workspaces with "Add to Slack" (distribution mode)',
    "SLACK_CLIENT_SECRET": "the app's Client Secret from its Basic Information page, for "
    "distribution mode (with SLACK_CLIENT_ID)",
    "SLACK_REDIRECT_URI": "the OAuth redirect URL registered on the app's OAuth & Permissions "
    "page, e.g. https://council.example.org/slack/oauth_redirect (distribution mode)",
    "DATA_KEY": "the key that encrypts salary figures, back-channel notes, Gratitude House "
    "entries and debriefs at rest (`council-bot new-key` makes one; old keys after a comma)",
}


#: What each command cannot start without (checked together with the malformed ones).
REQUIRED: dict[str, tuple[str, ...]] = {
    "serve": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
    "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
}
#: `serve` in distribution mode: installations bring the bot tokens.
REQUIRED_DISTRIBUTION = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET")


class ConfigError(Exception):
    """Settings are missing or malformed: one line per problem, each fit for an organiser."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # Distribution mode ("Add to Slack", many workspaces): bot tokens come from installations.
    slack_client_id: SecretStr | None = None
    slack_client_secret: SecretStr | None = None
    slack_redirect_uri: str | None = None
    # Fernet keys, current first, comma-separated (bot/platform/data_keys.py).
    data_key: SecretStr | None = None
    data_dir: Path = Path("data")
    database_url: str | None = None
    slack_api_url: str = SLACK_API_URL
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Post-ack work (bot.platform.work): threads for Slack calls after the ack, how many
    # requests may wait for one before new ones are answered "busy", and threads for modal
    # submissions. Slack calls are I/O: threads are cheap next to a member's failed command.
    work_threads: int = Field(default=32, ge=1, le=512)
    work_queue: int = Field(default=200, ge=0, le=10_000)
    form_threads: int = Field(default=16, ge=1, le=256)
    # Processes that run that work (bot.platform.offload) for `serve` and `socket`: the
    # Python of many requests' post-ack work then never holds the lock the acks need.
    # 0 keeps it in threads of the serving process.
    work_processes: int = Field(default=1, ge=0, le=32)
    # Days withdrawn drafts, closed checklists and finished reminders are kept (PRIVACY.md).
    retention_days: int = Field(default=90, ge=1, le=3650)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect_uri_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be the https:// URL of /slack/oauth_redirect")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))

    @property
    def distribution(self) -> bool:
        """Distribution mode: an OAuth client is configured and no single bot token."""
        return self.slack_bot_token is None and (
            self.slack_client_id is not None or self.slack_client_secret is not None
        )

    def required(self, command: str) -> tuple[str, ...]:
        """What `command` cannot start without, in the mode these settings choose."""
        if command == "serve" and self.distribution:
            return REQUIRED_DISTRIBUTION
        return REQUIRED.get(command, ())

    def mode_problems(self) -> list[str]:
        """Settings that contradict each other: one line each."""
        if self.slack_bot_token is not None and self.slack_client_id is not None:
            return [
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: set SLACK_BOT_TOKEN to serve "
                "one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (without "
                "SLACK_BOT_TOKEN) to let any workspace install the bot; see README.md."
            ]
        return []

    @property
    def authorize_url(self) -> str:
        """Slack's (or the stand-in's) OAuth v2 authorize page, beside its Web API."""
        return self.slack_api_url.removesuffix("api/") + "oauth/v2/authorize"

    @property
    def effective_database_url(self) -> str:
        """DATABASE_URL, or a SQLite file in DATA_DIR (embedded, zero setup)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'council-bot.db').resolve()}"

    def secret(self, name: str) -> str:
        """The value of a required secret, or a ConfigError naming it and its purpose."""
        value: SecretStr | None = getattr(self, name.lower())
        if value is None or not value.get_secret_value().strip():
            raise ConfigError(_not_set(name))
        return value.get_secret_value()

    def missing(self, names: Iterable[str]) -> dict[str, str]:
        """The secrets among `names` that are not set, each with its one-line problem."""
        found: dict[str, str] = {}
        for name in names:
            value: SecretStr | None = getattr(self, name.lower())
            if value is None or not value.get_secret_value().strip():
                found[name] = _not_set(name)
        return found


def _not_set(name: str) -> str:
    return f"{name} is not set: it is {PURPOSE[name]}."


def read_settings(**overrides: object) -> tuple[Settings, dict[str, str]]:
    """Settings, and every malformed one by name with its one-line problem.

    A malformed value is left at its default in the returned settings, so the caller can
    go on to look for missing ones and report everything at once.
    """
    try:
        return Settings(**overrides), {}  # type: ignore[arg-type]
    except ValidationError as exc:
        problems: dict[str, str] = {}
        fields: set[str] = set()
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            name = field.upper() or "configuration"
            reason = error["msg"].removeprefix("Value error, ")
            purpose = PURPOSE.get(name)
            suffix = f" It is {purpose}." if purpose else ""
            problems.setdefault(name, f"{name} is malformed: {reason}.{suffix}")
            if field in Settings.model_fields:
                fields.add(field)
        defaults = {
            f: Settings.model_fields[f].get_default(call_default_factory=True) for f in fields
        }
        try:
            settings = Settings(**{**overrides, **defaults})
        except ValidationError:  # not a field's value: nothing more can be read
            raise ConfigError(*problems.values()) from None
        return settings, problems


def load_settings(*, require: Iterable[str] = (), **overrides: object) -> Settings:
    """Read settings; a ConfigError names every malformed one and every missing `require`."""
    settings, problems = read_settings(**overrides)
    for name, problem in settings.missing(require).items():
        problems.setdefault(name, problem)
    if problems:
        raise ConfigError(*problems.values())
    return settings
