"""Settings: defaults, validation, and one clear line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings, read_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_REDIRECT_URI",
        "DATABASE_URL",
        "SLACK_API_URL",
        "PORT",
        "LOG_LEVEL",
        "DATA_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_use_slack_and_a_sqlite_file_in_the_data_directory() -> None:
    settings = load_settings()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("data/council-bot.db")


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\n")
    settings = load_settings()
    assert settings.secret("SLACK_BOT_TOKEN") == "xoxb-from-file"
    assert settings.port == 4000


def test_api_url_gains_a_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    assert load_settings().slack_api_url == "http://127.0.0.1:9999/api/"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "SLACK_BOT_TOKEN",
            "xoxp-user-token",
            "SLACK_BOT_TOKEN is malformed: must start with xoxb-",
        ),
        ("SLACK_APP_TOKEN", "xoxb-wrong", "SLACK_APP_TOKEN is malformed: must start with xapp-"),
        ("PORT", "eighty", "PORT is malformed"),
        ("PORT", "70000", "PORT is malformed"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL is malformed"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL is malformed"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL is malformed"),
    ],
)
def test_malformed_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as excinfo:
        load_settings()
    message = str(excinfo.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert " It is " in message  # says what the variable is for


def test_missing_secret_names_the_variable_and_its_purpose() -> None:
    with pytest.raises(ConfigError, match=r"SLACK_SIGNING_SECRET is not set: it is the signing"):
        load_settings().secret("SLACK_SIGNING_SECRET")


def test_every_malformed_setting_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    with pytest.raises(ConfigError) as excinfo:
        load_settings()
    assert [p.split(" is ")[0] for p in excinfo.value.problems] == ["PORT", "LOG_LEVEL"]
    assert str(excinfo.value).splitlines() == list(excinfo.value.problems)


def test_missing_required_secrets_are_named_with_the_malformed_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    monkeypatch.setenv("PORT", "70000")
    with pytest.raises(ConfigError) as excinfo:
        load_settings(require=["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"])
    assert list(excinfo.value.problems) == [
        "SLACK_BOT_TOKEN is malformed: must start with xoxb-. It is the bot token (xoxb-...) "
        "from the Slack app's OAuth & Permissions page.",
        "PORT is malformed: Input should be less than or equal to 65535. It is the HTTP port "
        "for `council-bot serve`.",
        "SLACK_SIGNING_SECRET is not set: it is the signing secret from the Slack app's Basic "
        "Information page, used to verify that requests come from Slack.",
    ]


def test_a_malformed_setting_is_left_at_its_default_so_the_rest_can_be_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    settings, problems = read_settings()
    assert list(problems) == ["PORT"]
    assert settings.port == 3000
    assert settings.secret("SLACK_APP_TOKEN") == "xapp-1"


def test_an_oauth_client_without_a_bot_token_is_distribution_mode() -> None:
    settings = load_settings(slack_client_id="1.2", slack_client_secret="s")
    assert settings.distribution
    assert settings.required("serve") == (
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_SIGNING_SECRET",
    )
    single = load_settings(slack_bot_token="xoxb-1")
    assert not single.distribution
    assert single.required("serve") == ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def test_the_authorize_page_sits_beside_the_web_api() -> None:
    assert load_settings().authorize_url == "https://slack.com/oauth/v2/authorize"
    standin = load_settings(slack_api_url="http://127.0.0.1:5555/api")
    assert standin.authorize_url == "http://127.0.0.1:5555/oauth/v2/authorize"


def test_a_redirect_uri_must_be_a_web_address() -> None:
    with pytest.raises(ConfigError, match="SLACK_REDIRECT_URI is malformed"):
        load_settings(slack_redirect_uri="council.example.org/slack/oauth_redirect")
