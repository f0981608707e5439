"""The installation and OAuth state stores behind "Add to Slack" (distribution mode)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, text

from storage.installations import SQLModelInstallationStore, SQLModelOAuthStateStore

CLIENT = "1000000001.2000000002"


def _installation(team_id: str, token: str, **extra: object) -> Installation:
    return Installation(
        app_id="A0COUNCIL",
        team_id=team_id,
        team_name=f"{team_id} team",
        bot_token=token,
        bot_id="B0BOT",
        bot_user_id="U0BOT",
        bot_scopes="chat:write,commands",
        user_id="U0INSTALLER",
        **extra,  # type: ignore[arg-type]
    )


def test_an_installation_is_found_by_its_workspace_only(engine: Engine) -> None:
    store = SQLModelInstallationStore(engine=engine, client_id=CLIENT)
    store.save(_installation("T0AAA", "xoxb-a"))
    store.save(_installation("T0BBB", "xoxb-b"))

    bot = store.find_bot(enterprise_id=None, team_id="T0AAA")
    assert bot is not None and bot.bot_token == "xoxb-a" and bot.bot_user_id == "U0BOT"
    assert bot.bot_scopes == ["chat:write", "commands"]
    assert store.find_bot(enterprise_id=None, team_id="T0CCC") is None
    other_app = SQLModelInstallationStore(engine=engine, client_id="another.app")
    assert other_app.find_bot(enterprise_id=None, team_id="T0AAA") is None


def test_a_reinstall_updates_the_workspace_row_instead_of_adding_one(engine: Engine) -> None:
    store = SQLModelInstallationStore(engine=engine, client_id=CLIENT)
    store.save(_installation("T0AAA", "xoxb-old"))
    store.save(_installation("T0AAA", "xoxb-new"))

    bot = store.find_bot(enterprise_id=None, team_id="T0AAA")
    assert bot is not None and bot.bot_token == "xoxb-new"
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM slack_installations")).scalar()
    assert rows == 1


def test_rotating_tokens_keep_their_refresh_token_and_expiry(engine: Engine) -> None:
    store = SQLModelInstallationStore(engine=engine, client_id=CLIENT)
    store.save(
        _installation(
            "T0AAA", "xoxe.xoxb-1-a", bot_refresh_token="xoxe-1-r", bot_token_expires_in=43200
        )
    )
    bot = store.find_bot(enterprise_id=None, team_id="T0AAA")
    assert bot is not None and bot.bot_refresh_token == "xoxe-1-r"
    expires = datetime.fromtimestamp(bot.bot_token_expires_at or 0, UTC)
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)


def test_tokens_are_stored_encrypted(engine: Engine) -> None:
    store = SQLModelInstallationStore(engine=engine, client_id=CLIENT)
    store.save(_installation("T0AAA", "xoxb-plainly-secret", bot_refresh_token="xoxe-1-hush"))
    with engine.connect() as connection:
        raw = connection.execute(
            text("SELECT bot_token, bot_refresh_token FROM slack_installations")
        ).one()
    assert "plainly-secret" not in raw[0] and "hush" not in raw[1]


def test_deleting_a_workspace_installation_leaves_the_others(engine: Engine) -> None:
    store = SQLModelInstallationStore(engine=engine, client_id=CLIENT)
    store.save(_installation("T0AAA", "xoxb-a"))
    store.save(_installation("T0BBB", "xoxb-b"))
    store.delete_installation(enterprise_id=None, team_id="T0AAA")
    assert store.find_bot(enterprise_id=None, team_id="T0AAA") is None
    assert store.find_bot(enterprise_id=None, team_id="T0BBB") is not None


def test_no_user_token_installation_is_ever_returned(engine: Engine) -> None:
    store = SQLModelInstallationStore(engine=engine, client_id=CLIENT)
    store.save(_installation("T0AAA", "xoxb-a"))
    found = store.find_installation(enterprise_id=None, team_id="T0AAA")
    assert found is not None and found.bot_token == "xoxb-a" and found.user_token is None
    assert store.find_installation(enterprise_id=None, team_id="T0AAA", user_id="U0X") is None


def test_a_state_is_consumed_once(engine: Engine) -> None:
    states = SQLModelOAuthStateStore(engine=engine)
    state = states.issue()
    assert states.consume(state) is True
    assert states.consume(state) is False
    assert states.consume("never-issued") is False
    assert states.consume("") is False


def test_an_expired_state_is_refused_and_dropped_later(engine: Engine) -> None:
    now = [datetime.now(UTC)]
    states = SQLModelOAuthStateStore(engine=engine, expiration_seconds=600, clock=lambda: now[0])
    stale = states.issue()
    now[0] += timedelta(minutes=11)
    assert states.consume(stale) is False
    states.issue()  # issuing drops the states nobody came back with
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM slack_oauth_states")).scalar()
    assert left == 1


def test_a_state_replayed_at_once_by_two_processes_is_accepted_once(engine: Engine) -> None:
    states = SQLModelOAuthStateStore(engine=engine)
    for _ in range(5):
        state = states.issue()
        answers: list[bool] = []
        barrier = threading.Barrier(2)

        def consume(state: str, barrier: threading.Barrier, answers: list[bool]) -> None:
            barrier.wait()
            answers.append(states.consume(state))

        threads = [
            threading.Thread(target=consume, args=(state, barrier, answers)) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers) == [False, True]
