"""Distribution mode end to end: "Add to Slack" into two workspaces through the real
redirect flow, each workspace served with its own token, uninstall, token rotation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.app import NOT_INSTALLED
from bot.platform.oauth import BOT_SCOPES, WorkspaceTokens
from bot.sandbox.standin.oauth import CLIENT_ID, CLIENT_SECRET
from storage.installations import SlackInstallation, SQLModelInstallationStore
from tests.handlers.test_debriefs import dms_to, forward_to, log_event, slot
from tests.plugins.distribution import (
    FIRST_TEAM,
    SECOND_TEAM,
    Distribution,
    running_distribution,
)
from tests.plugins.slack import Slack


@pytest.fixture
def distribution(engine: Engine) -> Iterator[Distribution]:
    with running_distribution(engine) as running:
        yield running


def _installations(engine: Engine) -> dict[str, SlackInstallation]:
    with Session(engine) as session:
        return {row.team_id: row for row in session.exec(select(SlackInstallation)).all()}


def _member(distribution: Distribution, team_id: str, name: str = "noor") -> str:
    return distribution.workspace(team_id).find_user(name).id


def _council(distribution: Distribution, team_id: str) -> str:
    return distribution.workspace(team_id).find_channel("council-demo").id


def _open_mission_modal(distribution: Distribution, team_id: str) -> str:
    """`/mission` in the team's council channel; the token Slack saw on views.open."""
    before = len(distribution.standin.calls_to("views.open"))
    answer = distribution.driver(team_id).command(
        user=_member(distribution, team_id),
        channel=_council(distribution, team_id),
        command="/mission",
    )
    assert answer.status == 200
    distribution.slack.settle()
    calls = distribution.standin.calls_to("views.open")
    assert len(calls) == before + 1, "the command opened no modal"
    opened = calls[-1]
    assert opened.ok, opened.describe()
    return str(opened.token)


# --- the install page and the redirect -----------------------------------------------------


def test_the_install_page_links_slacks_authorize_step_with_the_bot_scopes_and_a_state(
    distribution: Distribution,
) -> None:
    with httpx.Client(timeout=10) as browser:
        page, authorize = distribution.install_page(browser)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Add to Slack" in page.text and "href='/privacy'" in page.text
    assert authorize.startswith(distribution.standin.authorize_url)
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == [",".join(BOT_SCOPES)]
    assert query["client_id"] == ["1000000001.2000000002"]
    assert query["redirect_uri"][0].endswith("/slack/oauth_redirect")
    state = query["state"][0]
    assert len(state) >= 32
    assert f"slack-app-oauth-state={state}" in page.headers["set-cookie"]


def test_the_privacy_page_is_the_privacy_notes(distribution: Distribution) -> None:
    page = httpx.get(distribution.slack.url + "/privacy", timeout=10)
    assert page.status_code == 200
    assert "What the bot stores" in page.text or "PRIVACY" in page.text.upper()


def test_installing_into_two_workspaces_stores_each_ones_own_encrypted_token(
    distribution: Distribution, engine: Engine
) -> None:
    first = distribution.install(FIRST_TEAM)
    second = distribution.install(SECOND_TEAM)

    for page, name in ((first, distribution.workspace(FIRST_TEAM).team_name), (second, "Second")):
        assert page.status_code == 200, page.text
        assert "Installed" in page.text and name in page.text and "/mission" in page.text
    rows = _installations(engine)
    assert set(rows) == {FIRST_TEAM, SECOND_TEAM}
    assert rows[FIRST_TEAM].bot_token != rows[SECOND_TEAM].bot_token
    assert rows[SECOND_TEAM].bot_user_id == distribution.workspace(SECOND_TEAM).bot_user_id
    # The stand-in's installing member is the workspace's first one.
    assert rows[FIRST_TEAM].installer_user_id == _member(distribution, FIRST_TEAM, "noor")
    exchanges = distribution.standin.calls_to("oauth.v2.access")
    assert len(exchanges) == 2 and all(call.ok for call in exchanges)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT bot_token FROM slack_installations")).all()
    assert not any(value.startswith("xox") for (value,) in stored)


def test_a_denied_install_says_so_and_stores_nothing(
    distribution: Distribution, engine: Engine
) -> None:
    page = distribution.install(FIRST_TEAM, allow=False)
    assert page.status_code == 200
    assert "Not installed" in page.text and "cancelled" in page.text
    assert _installations(engine) == {}
    assert distribution.standin.calls_to("oauth.v2.access") == []


def test_a_replayed_redirect_gets_a_clear_page_and_installs_nothing_more(
    distribution: Distribution, engine: Engine
) -> None:
    with httpx.Client(timeout=10) as browser:
        page, authorize = distribution.install_page(browser)
        cookie = page.headers["set-cookie"].split(";")[0]
        query = parse_qs(urlsplit(authorize).query)
        redirect = distribution.standin.authorize(
            client_id=query["client_id"][0],
            scope=query["scope"][0],
            state=query["state"][0],
            redirect_uri=query["redirect_uri"][0],
            team_id=FIRST_TEAM,
        )
        assert browser.get(redirect, headers={"Cookie": cookie}).status_code == 200
        replayed = browser.get(redirect, headers={"Cookie": cookie})
    assert replayed.status_code == 401
    assert "expired or was already used" in replayed.text
    assert len(distribution.standin.calls_to("oauth.v2.access")) == 1
    assert set(_installations(engine)) == {FIRST_TEAM}


def test_a_forged_state_is_refused_before_slack_is_asked(
    distribution: Distribution, engine: Engine
) -> None:
    page = distribution.install(FIRST_TEAM, state="forged-state-nobody-issued")
    assert page.status_code in (400, 401)
    assert "Not installed" in page.text
    assert distribution.standin.calls_to("oauth.v2.access") == []
    assert _installations(engine) == {}


def test_single_workspace_mode_has_no_install_pages(slack: Slack) -> None:
    assert httpx.get(slack.url + "/slack/install", timeout=10).status_code == 404
    assert httpx.get(slack.url + "/slack/oauth_redirect", timeout=10).status_code == 404


# --- each workspace with its own token -----------------------------------------------------


def test_each_workspace_is_answered_with_its_own_token(
    distribution: Distribution, engine: Engine
) -> None:
    distribution.install(FIRST_TEAM)
    distribution.install(SECOND_TEAM)
    rows = _installations(engine)

    assert _open_mission_modal(distribution, FIRST_TEAM) == rows[FIRST_TEAM].bot_token
    assert _open_mission_modal(distribution, SECOND_TEAM) == rows[SECOND_TEAM].bot_token


def test_each_workspaces_events_are_answered_with_its_own_token(
    distribution: Distribution, engine: Engine
) -> None:
    distribution.install(FIRST_TEAM)
    distribution.install(SECOND_TEAM)
    tokens = {team: row.bot_token for team, row in _installations(engine).items()}
    for team_id in (SECOND_TEAM, FIRST_TEAM):
        member = _member(distribution, team_id, "lena")
        seen = len(distribution.standin.calls_to("views.publish"))
        answer = distribution.driver(team_id).app_home_opened(user=member)
        assert answer.status == 200
        found = distribution.standin.wait_for("views.publish", count=seen + 1)
        published = found[-1] if isinstance(found, list) else found
        assert published.ok and published.args["user_id"] == member
        assert published.token == tokens[team_id]


def test_a_workspace_that_has_not_installed_the_bot_is_not_served(
    distribution: Distribution,
) -> None:
    distribution.install(FIRST_TEAM)
    answer = distribution.driver(SECOND_TEAM).command(
        user=_member(distribution, SECOND_TEAM),
        channel=_council(distribution, SECOND_TEAM),
        command="/mission",
    )
    assert answer.status == 200  # the member is answered, privately, instead of an error
    reply = distribution.standin.wait_for("response_url")
    assert reply.args["text"] == NOT_INSTALLED
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    distribution.slack.settle()
    assert distribution.standin.calls_to("views.open") == []


def test_uninstalling_one_workspace_leaves_the_other_working(
    distribution: Distribution, engine: Engine
) -> None:
    distribution.install(FIRST_TEAM)
    distribution.install(SECOND_TEAM)
    _open_mission_modal(distribution, FIRST_TEAM)  # this process now knows its token
    distribution.standin.uninstall(FIRST_TEAM)
    answer = distribution.driver(FIRST_TEAM).event({"type": "app_uninstalled"})
    assert answer.status == 200
    distribution.slack.settle()

    assert set(_installations(engine)) == {SECOND_TEAM}
    assert (
        _open_mission_modal(distribution, SECOND_TEAM)
        == _installations(engine)[SECOND_TEAM].bot_token
    )
    # The uninstalled workspace is not served again, though this process had its token
    # in memory (the purge made it forget).
    opened = len(distribution.standin.calls_to("views.open"))
    distribution.driver(FIRST_TEAM).command(
        user=_member(distribution, FIRST_TEAM),
        channel=_council(distribution, FIRST_TEAM),
        command="/mission",
    )
    assert distribution.standin.wait_for("response_url").args["text"] == NOT_INSTALLED
    distribution.slack.settle()
    assert len(distribution.standin.calls_to("views.open")) == opened


# --- token rotation -------------------------------------------------------------------------


def test_an_expiring_token_is_refreshed_before_it_is_used(engine: Engine) -> None:
    with running_distribution(engine, token_rotation=True, token_expires_in=600) as running:
        running.install(FIRST_TEAM)
        installed = _installations(engine)[FIRST_TEAM]
        assert installed.bot_refresh_token and installed.bot_token_expires_at

        used = _open_mission_modal(running, FIRST_TEAM)

        refreshed = _installations(engine)[FIRST_TEAM]
        refreshes = [
            call
            for call in running.standin.calls_to("oauth.v2.access")
            if call.args.get("grant_type") == "refresh_token"
        ]
        assert len(refreshes) == 1 and refreshes[0].ok
        assert used == refreshed.bot_token != installed.bot_token
        assert refreshed.bot_refresh_token != installed.bot_refresh_token
        assert refreshed.bot_token_expires_at is not None


# --- reminders -----------------------------------------------------------------------------


def test_a_reminder_is_sent_with_its_own_workspaces_token(
    distribution: Distribution, engine: Engine
) -> None:
    distribution.install(FIRST_TEAM)
    distribution.install(SECOND_TEAM)
    second = distribution.slack.for_workspace(SECOND_TEAM)
    day, at, starts = slot(second, days=1)
    log_event(second, second.lena, day=day, at=at)
    sent_before = len(distribution.standin.calls_to("chat.postMessage"))

    forward_to(second, starts + timedelta(hours=6))

    prompts = dms_to(second, second.lena)
    assert prompts, "the debrief prompt was not sent"
    token = _installations(engine)[SECOND_TEAM].bot_token
    sent = distribution.standin.calls_to("chat.postMessage")[sent_before:]
    assert sent and all(call.token == token for call in sent)


# --- what a process remembers -------------------------------------------------------------


def _tokens(engine: Engine, **options: object) -> WorkspaceTokens:
    defaults: dict[str, object] = {
        "refresh_before": timedelta(minutes=120),
        "now": lambda: datetime.now(UTC),
    }
    return WorkspaceTokens(
        engine=engine,
        client_id=CLIENT_ID,
        rotator=TokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
        **{**defaults, **options},  # type: ignore[arg-type]
    )


def test_a_process_remembers_an_installation_briefly_and_forgets_an_uninstalled_one(
    engine: Engine,
) -> None:
    store = SQLModelInstallationStore(engine=engine, client_id=CLIENT_ID)
    store.save(
        Installation(
            team_id="T0AAA", bot_token="xoxb-a", bot_id="B0", bot_user_id="U0B", user_id="U0I"
        )
    )
    clock = [100.0]
    tokens = _tokens(engine, remember=10.0, monotonic=lambda: clock[0])
    assert tokens.known(team_id="T0AAA") is None  # nothing read yet: ask the database
    bot = tokens.bot(team_id="T0AAA")
    assert bot is not None and bot.bot_token == "xoxb-a"
    known = tokens.known(team_id="T0AAA")
    assert known is not None and known.bot_token == "xoxb-a"
    clock[0] += 11
    assert tokens.known(team_id="T0AAA") is None  # too old: ask again
    assert tokens.bot(team_id="T0AAA") is not None
    tokens.forget("T0AAA")
    assert tokens.known(team_id="T0AAA") is None
    store.delete_installation(enterprise_id=None, team_id="T0AAA")
    assert tokens.bot(team_id="T0AAA") is None


def test_a_token_about_to_expire_is_never_taken_from_memory(engine: Engine) -> None:
    SQLModelInstallationStore(engine=engine, client_id=CLIENT_ID).save(
        Installation(
            team_id="T0AAA",
            bot_token="xoxe.xoxb-a",
            bot_id="B0",
            bot_user_id="U0B",
            user_id="U0I",
            bot_refresh_token="xoxe-1-r",
            bot_token_expires_in=3 * 3600,
        )
    )
    now = [datetime.now(UTC)]
    tokens = _tokens(engine, now=lambda: now[0])
    assert tokens.bot(team_id="T0AAA") is not None  # three hours left: no refresh yet
    assert tokens.known(team_id="T0AAA") is not None
    now[0] += timedelta(hours=1, minutes=5)  # within two hours of its expiry now
    assert tokens.known(team_id="T0AAA") is None
