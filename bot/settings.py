"""Configuration from the environment (and a `.env` file), validated once at start-up.

A missing or malformed setting must stop the bot with one line that names the variable and
says what it is for, never a traceback: organisers installing the bot read these lines.
"""

from __future__ import annotations

import logging
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
    "DATA_DIR": "the folder for the default SQLite database",
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line fit for an organiser."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
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
    def effective_database_url(self) -> str:
        """DATABASE_URL, or a SQLite file in DATA_DIR (embedded, zero setup)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'council-bot.db').resolve()}"

    def secret(self, name: str) -> str:
        """The value of a required secret, or a ConfigError naming it and its purpose."""
        value: SecretStr | None = getattr(self, name.lower())
        if value is None or not value.get_secret_value().strip():
            raise ConfigError(f"{name} is not set: it is {PURPOSE[name]}.")
        return value.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's error report into one organiser-readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        reason = first["msg"].removeprefix("Value error, ")
        purpose = PURPOSE.get(name)
        suffix = f" It is {purpose}." if purpose else ""
        raise ConfigError(f"{name} is malformed: {reason}.{suffix}") from None
