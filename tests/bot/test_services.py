"""Services.slack_for: the one place work outside a request gets its Slack client."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from sqlalchemy import create_engine

from bot.services import Services


def _services() -> Services:
    return Services(engine=create_engine("sqlite://"))


def test_one_workspace_deployments_send_every_teams_work_with_the_one_client() -> None:
    services = _services()
    services.delivery = WebClient(token="xoxb-only")
    assert services.slack_for("T1") is services.delivery
    assert services.slack_for("T2") is services.delivery


def test_a_per_workspace_lookup_is_asked_for_each_teams_own_client() -> None:
    services = _services()
    services.delivery = WebClient(token="xoxb-only")
    clients = {"T1": WebClient(token="xoxb-one"), "T2": WebClient(token="xoxb-two")}
    services.delivery_for_team = clients.__getitem__
    assert services.slack_for("T1").token == "xoxb-one"
    assert services.slack_for("T2").token == "xoxb-two"


def test_without_any_client_it_says_what_was_not_set_up() -> None:
    with pytest.raises(RuntimeError, match=r"services\.delivery is not set"):
        _services().slack_for("T1")
