"""The console script: clear one-line errors with exit status 2, and `migrate`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.cli import main
from storage.db import make_engine


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_no_tokens_at_all_opens_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.sandbox.main

    started: list[dict] = []
    monkeypatch.setattr(bot.sandbox.main, "run_sandbox", lambda **kw: started.append(kw) or 0)
    assert main([]) == 0
    assert started and started[0]["port"] is None and started[0]["data_dir"] is None


def test_an_app_token_without_a_bot_token_exits_2_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    assert main([]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("council-bot: SLACK_BOT_TOKEN is not set")
    assert "\n" not in err


def test_serve_without_signing_secret_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    assert main(["serve"]) == 2
    assert "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


def test_a_client_id_alone_starts_distribution_mode_and_names_what_it_lacks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1000000001.2000000002")
    assert main([]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(" is not set")[0] for line in lines] == [
        "council-bot: SLACK_CLIENT_SECRET",
        "council-bot: SLACK_SIGNING_SECRET",
    ]
    assert "SLACK_BOT_TOKEN" not in "\n".join(lines)  # installations bring the tokens
    assert not list(tmp_path.iterdir())  # nothing created before refusing


def test_a_bot_token_and_an_oauth_client_together_are_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_CLIENT_ID", "1000000001.2000000002")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("council-bot: SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set")
    assert "\n" not in err


def test_socket_without_app_token_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    assert main(["socket"]) == 2
    assert "SLACK_APP_TOKEN is not set" in capsys.readouterr().err


def test_malformed_setting_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        env={"SLACK_BOT_TOKEN": "not-a-token", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("council-bot: SLACK_BOT_TOKEN is malformed")


def _run_cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`council-bot ARGS` in `cwd`, with only `env` set (no Slack setting, no .env)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={"PATH": "/usr/bin:/bin", "LOG_LEVEL": "DEBUG", **env},
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("serve", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
        ("socket", ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]),
    ],
)
def test_a_start_with_nothing_set_names_every_missing_setting_and_creates_nothing(
    tmp_path: Path, command: str, missing: list[str]
) -> None:
    result = _run_cli([command], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(" is not set")[0] for line in lines] == [
        f"council-bot: {name}" for name in missing
    ]
    assert all(" it is " in line for line in lines)  # each says what the setting is for
    assert list(tmp_path.iterdir()) == []  # no ./data, no database file
    assert result.stdout == ""  # and no migration (or any other) log line


def test_a_malformed_and_a_missing_setting_are_named_in_the_same_message(tmp_path: Path) -> None:
    result = _run_cli(["serve"], tmp_path, SLACK_BOT_TOKEN="not-a-token", PORT="eighty")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    named = [line.split(" is ")[0] for line in result.stderr.strip().splitlines()]
    assert named == [
        "council-bot: SLACK_BOT_TOKEN",
        "council-bot: PORT",
        "council-bot: SLACK_SIGNING_SECRET",
    ]
    assert list(tmp_path.iterdir()) == []


def test_serve_with_only_the_signing_secret_creates_no_database_before_refusing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "abc")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.startswith("council-bot: SLACK_BOT_TOKEN is not set")
    assert not (tmp_path / "data").exists()


def test_migrate_creates_the_schema(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    assert "councils" in inspect(make_engine(url)).get_table_names()
