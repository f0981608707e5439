"""Ids in a signed request are checked server side against who is acting (issue 11,
item 10): Slack only shows a member buttons and channels they may use, but a signed request
can carry any draft id or channel id."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlmodel import Session, select

from bot.features.missions.views import ACTION_VERSIONS
from storage.councils import Council
from storage.missions import WrittenFeedback
from tests.handlers.conftest import PostedDraft
from tests.handlers.test_feedback import ANSWERS, open_modal, submit
from tests.plugins.slack import Slack, text_of

FORM = "application/x-www-form-urlencoded"


def test_earlier_versions_of_a_draft_are_not_shown_to_someone_outside_its_council(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    outsider = slack.workspace.add_user("U0OMAR0006", name="omar", real_name="Omar Said")
    general = slack.workspace.channels[slack.public_channel]
    general.members.add(outsider.id)
    # Omar clicks some button he was shown; the request names Noor's draft by its id.
    forged = {
        "type": "block_actions",
        "user": {"id": outsider.id, "username": "omar", "team_id": slack.workspace.team_id},
        "api_app_id": slack.workspace.app_id,
        "token": slack.workspace.verification_token,
        "team": {"id": slack.workspace.team_id, "domain": slack.workspace.team_domain},
        "trigger_id": slack.workspace.mint_trigger_id(outsider.id),
        "response_url": slack.standin.mint_response_url(
            user=outsider.id, channel=slack.public_channel
        ),
        "channel": {"id": slack.public_channel, "name": "general"},
        "actions": [
            {
                "type": "button",
                "action_id": ACTION_VERSIONS,
                "block_id": "x",
                "value": str(posted_draft.draft_id),
                "action_ts": "1.2",
            }
        ],
    }
    answer = slack.driver.send(urlencode({"payload": json.dumps(forged)}), content_type=FORM)
    assert answer.status == 200
    told = slack.standin.wait_for("response_url")
    assert "Acme" not in json.dumps(told.args)  # nothing of the draft
    assert "Earlier versions" not in text_of(told)


def test_feedback_from_a_modal_opened_before_leaving_the_council_is_refused(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    view = open_modal(slack, slack.lena, posted_draft)
    slack.workspace.channels[slack.council].members.discard(slack.lena)  # Lena leaves
    answer = submit(slack, slack.lena, view["id"], ANSWERS)
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "Only members of the council's channel" in json.dumps(answer.json["errors"])
    slack.settle()
    with Session(slack.engine) as session:
        assert session.exec(select(WrittenFeedback)).all() == []


def test_a_command_naming_a_council_channel_its_user_is_not_in_is_refused(
    slack: Slack,
) -> None:
    outsider = slack.workspace.add_user("U0OMAR0006", name="omar", real_name="Omar Said")
    slack.workspace.channels[slack.council].members.add(outsider.id)
    first = slack.driver.command(user=outsider.id, channel=slack.council, command="/mission")
    slack.settle()
    slack.workspace.channels[slack.council].members.discard(outsider.id)
    # The same command, replayed with a fresh trigger after Omar is out of the channel.
    assert first.payload is not None
    forged = {**first.payload, "trigger_id": slack.workspace.mint_trigger_id(outsider.id)}
    slack.standin.clear_calls()
    assert slack.driver.send(urlencode(forged), content_type=FORM).status == 200
    slack.settle()
    replaced = slack.standin.calls_to("views.update")[-1].args["view"]
    assert "submit" not in replaced and "not a member of this channel" in json.dumps(replaced)
    with Session(slack.engine) as session:
        assert len(session.exec(select(Council)).all()) == 1  # registered by the first only
