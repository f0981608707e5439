"""Slack's OAuth v2 install flow: the authorize step, oauth.v2.access, rotation, revocation."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.standin.oauth import CLIENT_ID, CLIENT_SECRET, CODE_TTL_SECONDS
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import ShiftedClock, StandInError, Workspace, seed_demo

SECOND = "T0SECOND"
REDIRECT = "http://127.0.0.1:9/slack/oauth_redirect"
SCOPES = "chat:write,commands,users:read"


def refusal(call: Callable[[], object]) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    data = refused.value.response.data
    assert isinstance(data, dict)
    return data


@pytest.fixture
def second(standin: SlackStandIn, clock: ShiftedClock) -> Workspace:
    return standin.add_workspace(
        seed_demo(clock=clock, team_id=SECOND, team_name="Second Council", id_prefix="S")
    )


@pytest.fixture
def anonymous(standin: SlackStandIn) -> WebClient:
    """What Bolt's OAuth flow exchanges codes with: no token, the app's credentials."""
    return WebClient(base_url=standin.api_url, retry_handlers=[])


def allowed(standin: SlackStandIn, **options: Any) -> str:
    """The code of an allowed authorize step."""
    redirect = standin.authorize(
        client_id=CLIENT_ID, scope=SCOPES, state="s-1", redirect_uri=REDIRECT, **options
    )
    return parse_qs(urlsplit(redirect).query)["code"][0]


def exchange(client: WebClient, code: str, **options: Any) -> Any:
    credentials = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **options}
    return client.oauth_v2_access(code=code, redirect_uri=REDIRECT, **credentials)


def refresh(client: WebClient, refresh_token: str) -> Any:
    return client.oauth_v2_access(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=refresh_token,
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A browser that shows the redirect instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def bot(standin: SlackStandIn, token: str) -> WebClient:
    return WebClient(token=token, base_url=standin.api_url, retry_handlers=[])


# --- the authorize step ---------------------------------------------------------------


def test_an_allowed_authorize_step_redirects_with_a_code_and_the_state(
    standin: SlackStandIn,
) -> None:
    redirect = standin.authorize(
        client_id=CLIENT_ID, scope=SCOPES, state="state-42", redirect_uri=REDIRECT
    )
    assert redirect.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(redirect).query)
    assert query["state"] == ["state-42"] and query["code"][0]
    grant = standin.oauth.grants[-1]
    assert grant.team_id == "T0COUNCIL" and grant.user_id == "U0NOOR0001"
    assert grant.scope == SCOPES


def test_a_denied_authorize_step_redirects_with_access_denied_and_no_code(
    standin: SlackStandIn,
) -> None:
    redirect = standin.authorize(
        client_id=CLIENT_ID, scope=SCOPES, state="state-7", redirect_uri=REDIRECT, allow=False
    )
    assert parse_qs(urlsplit(redirect).query) == {
        "error": ["access_denied"],
        "state": ["state-7"],
    }
    assert standin.oauth.grants == []


def test_an_unknown_client_id_gets_no_redirect(standin: SlackStandIn) -> None:
    with pytest.raises(StandInError) as refused:
        standin.authorize(client_id="1.2", scope=SCOPES, state="s", redirect_uri=REDIRECT)
    assert refused.value.code == "invalid_client_id"


def test_the_authorize_page_over_http_redirects_the_browser(standin: SlackStandIn) -> None:
    assert standin.authorize_url == f"{standin.base_url}/oauth/v2/authorize"
    query = {
        "client_id": CLIENT_ID,
        "scope": SCOPES,
        "user_scope": "",
        "state": "from-the-browser",
        "redirect_uri": REDIRECT,
    }

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answered:
        opener.open(f"{standin.authorize_url}?{urlencode(query)}", timeout=5)
    assert answered.value.code == 302
    location = answered.value.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    assert parse_qs(urlsplit(location).query)["state"] == ["from-the-browser"]

    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(
            f"{standin.authorize_url}?{urlencode({**query, 'client_id': '9.9'})}", timeout=5
        )
    assert refused.value.code == 400 and b"invalid_client_id" in refused.value.read()


def test_the_authorize_page_installs_into_the_team_asked_for(
    standin: SlackStandIn, second: Workspace
) -> None:
    query = {"client_id": CLIENT_ID, "scope": SCOPES, "state": "s", "redirect_uri": REDIRECT}

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answered:
        opener.open(f"{standin.authorize_url}?{urlencode({**query, 'team': SECOND})}", timeout=5)
    assert answered.value.code == 302
    grant = standin.oauth.grants[-1]
    assert grant.team_id == SECOND and grant.user_id == second.find_user("noor").id


# --- oauth.v2.access --------------------------------------------------------------------


def test_a_code_is_exchanged_for_a_working_bot_token_of_its_workspace(
    standin: SlackStandIn, second: Workspace, anonymous: WebClient
) -> None:
    answer = exchange(anonymous, allowed(standin, team_id=SECOND)).data
    token = answer["access_token"]
    assert answer == {
        "ok": True,
        "app_id": second.app_id,
        "authed_user": {"id": second.find_user("noor").id},
        "scope": SCOPES,
        "token_type": "bot",
        "access_token": token,
        "bot_user_id": second.bot_user_id,
        "team": {"id": SECOND, "name": "Second Council"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    assert token.startswith("xoxb-") and token in second.bot_tokens
    auth = bot(standin, token).auth_test()
    assert (auth["team_id"], auth["user_id"], auth["bot_id"]) == (
        SECOND,
        second.bot_user_id,
        second.bot_id,
    )


def test_client_credentials_are_taken_from_form_fields_too(standin: SlackStandIn) -> None:
    code = allowed(standin)
    body = urlencode(
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code": code,
            "redirect_uri": REDIRECT,
        }
    ).encode()
    url = f"{standin.api_url}oauth.v2.access"
    with urllib.request.urlopen(url, data=body, timeout=5) as answer:
        assert b'"ok": true' in answer.read()
    (call,) = standin.calls_to("oauth.v2.access")
    assert call.ok and call.args["client_secret"] == "***", "secrets are not recorded"


def test_a_code_works_once(standin: SlackStandIn, anonymous: WebClient) -> None:
    code = allowed(standin)
    exchange(anonymous, code)
    assert refusal(lambda: exchange(anonymous, code)) == {"ok": False, "error": "invalid_code"}
    assert [call.ok for call in standin.calls_to("oauth.v2.access")] == [True, False]


def test_a_code_expires_ten_minutes_after_it_was_issued(
    standin: SlackStandIn, anonymous: WebClient, clock: ShiftedClock
) -> None:
    code = allowed(standin)
    clock.advance(CODE_TTL_SECONDS + 1)
    assert refusal(lambda: exchange(anonymous, code))["error"] == "invalid_code"
    assert refusal(lambda: exchange(anonymous, "1.2.never-issued"))["error"] == "invalid_code"


def test_the_wrong_client_or_secret_or_redirect_is_refused_and_the_code_survives(
    standin: SlackStandIn, anonymous: WebClient
) -> None:
    code = allowed(standin)
    wrong_id = refusal(lambda: exchange(anonymous, code, client_id="9.9"))
    assert wrong_id["error"] == "invalid_client_id"
    wrong_secret = refusal(lambda: exchange(anonymous, code, client_secret="guess"))
    assert wrong_secret["error"] == "bad_client_secret"
    elsewhere = refusal(
        lambda: anonymous.oauth_v2_access(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            code=code,
            redirect_uri="http://evil.example/cb",
        )
    )
    assert elsewhere["error"] == "bad_redirect_uri"
    assert exchange(anonymous, code)["ok"]


def test_configure_oauth_changes_the_apps_credentials(
    standin: SlackStandIn, anonymous: WebClient
) -> None:
    standin.configure_oauth(client_id="42.43", client_secret="other")
    redirect = standin.authorize(client_id="42.43", scope=SCOPES, state="s", redirect_uri=REDIRECT)
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    assert refusal(lambda: exchange(anonymous, code))["error"] == "invalid_client_id"
    assert exchange(anonymous, code, client_id="42.43", client_secret="other")["ok"]


# --- token rotation ---------------------------------------------------------------------


def test_with_rotation_a_token_expires_and_comes_with_a_refresh_token(
    standin: SlackStandIn, anonymous: WebClient, clock: ShiftedClock
) -> None:
    standin.configure_oauth(token_rotation=True, token_expires_in=600)
    answer = exchange(anonymous, allowed(standin))
    assert answer["access_token"].startswith("xoxe.xoxb-1-")
    assert answer["refresh_token"].startswith("xoxe-1-") and answer["expires_in"] == 600
    token = answer["access_token"]
    assert bot(standin, token).auth_test()["ok"]
    clock.advance(601)
    assert refusal(bot(standin, token).auth_test) == {"ok": False, "error": "token_expired"}


def test_a_refresh_token_renews_once(
    standin: SlackStandIn, anonymous: WebClient, clock: ShiftedClock
) -> None:
    standin.configure_oauth(token_rotation=True, token_expires_in=600)
    first = exchange(anonymous, allowed(standin))
    clock.advance(300)
    renewed = refresh(anonymous, first["refresh_token"])
    assert renewed["token_type"] == "bot" and renewed["expires_in"] == 600
    assert renewed["access_token"] != first["access_token"]
    assert renewed["refresh_token"] != first["refresh_token"]
    assert renewed["team"] == {"id": "T0COUNCIL", "name": "Council Demo"}

    # The old access token lives out its own time; the used refresh token is spent.
    assert bot(standin, first["access_token"]).auth_test()["ok"]
    spent = refusal(lambda: refresh(anonymous, first["refresh_token"]))
    assert spent["error"] == "invalid_refresh_token"
    clock.advance(301)
    assert refusal(bot(standin, first["access_token"]).auth_test)["error"] == "token_expired"
    assert bot(standin, renewed["access_token"]).auth_test()["ok"]
    assert refresh(anonymous, renewed["refresh_token"])["ok"]


def test_without_rotation_there_is_nothing_to_refresh(
    standin: SlackStandIn, anonymous: WebClient
) -> None:
    answer = exchange(anonymous, allowed(standin))
    assert "refresh_token" not in answer and "expires_in" not in answer
    assert refusal(lambda: refresh(anonymous, "xoxe-1-never"))["error"] == ("invalid_refresh_token")


# --- revocation -------------------------------------------------------------------------


def test_a_revoked_issued_token_is_token_revoked(
    standin: SlackStandIn, anonymous: WebClient
) -> None:
    token = exchange(anonymous, allowed(standin))["access_token"]
    standin.revoke(token)
    assert refusal(bot(standin, token).auth_test)["error"] == "token_revoked"
    assert bot(standin, standin.bot_token).auth_test()["ok"], "the others keep working"


def test_uninstall_revokes_issued_preset_and_refresh_tokens_of_that_workspace_only(
    standin: SlackStandIn, workspace: Workspace, second: Workspace, anonymous: WebClient
) -> None:
    standin.configure_oauth(token_rotation=True)
    preset = second.bot_token
    issued = exchange(anonymous, allowed(standin, team_id=SECOND))
    kept = exchange(anonymous, allowed(standin))["access_token"]

    standin.uninstall(SECOND)

    for token in (preset, issued["access_token"]):
        assert refusal(bot(standin, token).auth_test)["error"] == "token_revoked"
    assert refusal(lambda: refresh(anonymous, issued["refresh_token"]))["error"] == (
        "invalid_refresh_token"
    )
    assert bot(standin, kept).auth_test()["team_id"] == workspace.team_id
    assert bot(standin, workspace.bot_token).auth_test()["ok"]


def test_an_install_after_uninstalling_issues_a_working_token_again(
    standin: SlackStandIn, second: Workspace, anonymous: WebClient
) -> None:
    standin.uninstall(SECOND)
    token = exchange(anonymous, allowed(standin, team_id=SECOND))["access_token"]
    assert bot(standin, token).auth_test()["team_id"] == SECOND


def test_an_issued_token_is_answered_with_the_scopes_granted_for_it(
    standin: SlackStandIn, anonymous: WebClient
) -> None:
    token = exchange(anonymous, allowed(standin))["access_token"]
    assert bot(standin, token).auth_test().headers["X-OAuth-Scopes"] == SCOPES
    preset = bot(standin, standin.bot_token).auth_test().headers["X-OAuth-Scopes"]
    assert "chat:write" in preset and preset != SCOPES
