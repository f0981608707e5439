"""Requests from another workspace: the driver's own requests re-sent claiming team
T0INTRUDER, and what to check afterwards (nothing shown, nothing changed).

For the workspace-isolation tests of every feature: a signed request can carry any team
and any ids, so each use case must load rows only within the requesting workspace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlmodel import Session, SQLModel, select

from bot.sandbox.standin.server import ApiCall
from tests.plugins.slack import Slack

INTRUDER = "T0INTRUDER"


def _claiming(node: Any, *, home: str, team: str) -> Any:
    """`node` with every value `home` (the team id) replaced by `team`."""
    if isinstance(node, dict):
        return {k: _claiming(v, home=home, team=team) for k, v in node.items()}
    if isinstance(node, list):
        return [_claiming(v, home=home, team=team) for v in node]
    return team if node == home else node


@contextmanager
def intruder(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Inside, every request the driver sends claims team T0INTRUDER: the slash command's
    `team_id`, an interaction's `team.id` and `user.team_id`, a view's `team_id`, an event
    envelope's `team_id` and authorizations."""
    driver, home = slack.driver, slack.workspace.team_id
    send_form, send_interaction, redeliver = (
        driver._send_form,
        driver._send_interaction,
        driver.redeliver,
    )

    def form(fields: dict[str, Any], **options: Any) -> Any:
        return send_form(_claiming(fields, home=home, team=INTRUDER), **options)

    def interaction(payload: dict[str, Any], **options: Any) -> Any:
        return send_interaction(_claiming(payload, home=home, team=INTRUDER), **options)

    def event(envelope: dict[str, Any], **options: Any) -> Any:
        return redeliver(_claiming(envelope, home=home, team=INTRUDER), **options)

    with monkeypatch.context() as patch:
        patch.setattr(driver, "_send_form", form)
        patch.setattr(driver, "_send_interaction", interaction)
        patch.setattr(driver, "redeliver", event)
        yield


def quiet(slack: Slack) -> None:
    """Wait for the app's work still in flight (a Home refresh after a post), then forget
    the calls so far: what is recorded next is the intruder's doing alone."""
    slack.settle()
    slack.standin.clear_calls()


def sent(slack: Slack) -> list[ApiCall]:
    """Everything the app called Slack with (response_url posts included)."""
    slack.settle()
    return list(slack.standin.calls)


def everything(calls: list[ApiCall]) -> str:
    return json.dumps([c.args for c in calls], ensure_ascii=False, default=str)


def answers(calls: list[ApiCall]) -> str:
    """The private answers: ephemeral messages and response_url posts."""
    return everything(
        [c for c in calls if c.method in ("response_url", "chat.postEphemeral", "chat.postMessage")]
    )


def rows(slack: Slack, *tables: type[SQLModel]) -> list[Any]:
    """Every row of `tables`, as plain data: compared before and after."""
    with Session(slack.engine) as session:
        return [
            sorted(
                json.dumps(r.model_dump(), sort_keys=True, default=str)
                for r in session.exec(select(table)).all()
            )
            for table in tables
        ]


def assert_nothing_shown(calls: list[ApiCall], secrets: tuple[str, ...]) -> None:
    shown = everything(calls)
    leaked = [s for s in secrets if s in shown]
    assert not leaked, f"another workspace was shown {leaked}"
    assert [c.method for c in calls if c.method in ("views.open", "views.push")] == []
    assert [c for c in calls if c.method in ("chat.update", "chat.delete")] == []


def forged_action(slack: Slack, *, action_id: str, value: str, user: str | None = None) -> None:
    """A button click built by hand (for buttons on messages the test has no copy of),
    claiming the other workspace, as `intruder` makes the driver's own ones."""
    workspace, user = slack.workspace, user or slack.lena
    ts = "1700000000.000100"
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user, "name": user, "team_id": INTRUDER},
        "api_app_id": workspace.app_id,
        "token": workspace.verification_token,
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": slack.council,
            "is_ephemeral": True,
        },
        "trigger_id": workspace.mint_trigger_id(user),
        "team": {"id": INTRUDER, "domain": "intruder"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": slack.council, "name": "council"},
        "state": {"values": {}},
        "response_url": slack.standin.mint_response_url(
            team_id=workspace.team_id,
            user=user,
            channel=slack.council,
            message_ts=ts,
            is_ephemeral=True,
        ),
        "actions": [
            {
                "action_id": action_id,
                "block_id": "forged",
                "type": "button",
                "value": value,
                "action_ts": "1700000000.000200",
            }
        ],
    }
    answer = slack.driver._send_interaction(payload)
    assert answer.status == 200, answer.body
