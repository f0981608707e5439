"""The walking skeleton over Slack's wire protocol: signed requests in, Web API calls out."""

from __future__ import annotations

import json
import threading
import urllib.request

from sqlmodel import Session, select

from bot.sandbox.standin import driver as payloads
from storage.councils import Council
from storage.missions import MissionDraft
from tests.plugins.slack import Slack


def test_healthz_answers_200_when_the_database_is_reachable(slack: Slack) -> None:
    with urllib.request.urlopen(slack.url + "/healthz", timeout=5) as answer:
        assert answer.status == 200
        assert json.loads(answer.read()) == {"ok": True}


def test_request_with_a_bad_signature_is_refused_with_401(slack: Slack) -> None:
    answer = slack.driver.command(
        user=slack.noor, channel=slack.council, command="/mission", text="help", signature="bad"
    )
    assert answer.status == 401
    assert slack.standin.calls_to("response_url") == []


def test_request_older_than_five_minutes_is_refused_with_401(slack: Slack) -> None:
    answer = slack.driver.command(
        user=slack.noor,
        channel=slack.council,
        command="/mission",
        text="help",
        timestamp_offset=-6 * 60,
    )
    assert answer.status == 401


def test_mission_help_answers_privately(slack: Slack) -> None:
    answer = slack.driver.command(
        user=slack.noor, channel=slack.council, command="/mission", text="help"
    )
    assert answer.status == 200
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    assert "/mission list" in json.dumps(reply.args["blocks"])
    assert slack.standin.calls_to("chat.postMessage") == []


def test_mission_in_the_council_opens_a_modal_and_submitting_posts_and_stores(
    slack: Slack,
) -> None:
    answer = slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    assert answer.status == 200
    opened = slack.standin.wait_for("views.open")
    assert opened.ok
    view_id = opened.response["view"]["id"]

    submitted = slack.driver.view_submission(
        user=slack.noor,
        view_id=view_id,
        values={
            "company": {"company": slack_plain("Acme Robotics")},
            "role": {"role": slack_plain("Head of Product")},
            "stage": {"stage": payloads.static_select("interviewing")},
            "mission": {"mission": slack_plain("Make warehouse robots easy to deploy.")},
            "objective_1": {"objective_1": slack_plain("Cut deployment time")},
            "krs_1": {"krs_1": slack_plain("Deploy a site in 5 days, down from 30")},
        },
    )
    assert submitted.status == 200
    assert not (submitted.json or {}).get("errors")

    posted = slack.standin.wait_for("chat.postMessage")
    assert posted.ok
    assert posted.args["channel"] == slack.council
    assert "Acme Robotics" in json.dumps(posted.args["blocks"])
    slack.settle()  # the draft's ts is saved once Slack has answered the post
    with Session(slack.engine) as session:
        draft = session.exec(select(MissionDraft)).one()
        assert draft.author_id == slack.noor
        assert draft.message_ts == posted.response["ts"]
        council = session.exec(select(Council)).one()
        assert council.channel_id == slack.council


def slack_plain(value: str) -> dict:
    return payloads.plain(value)


def _setup_explanation(slack: Slack) -> str:
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    return json.dumps(reply.args["blocks"])


def _form_became_the_explanation(slack: Slack) -> None:
    """The modal opens first (its trigger lasts 3 s); once the channel is found wanting,
    the form is replaced by the explanation, so nothing can be submitted there."""
    opened = slack.standin.wait_for("views.open")
    replaced = slack.standin.wait_for("views.update")
    assert replaced.args["view_id"] == opened.response["view"]["id"]
    assert "submit" not in replaced.args["view"]
    assert "/invite" in json.dumps(replaced.args["view"]["blocks"])


def test_mission_in_a_public_channel_explains_councils_are_private(slack: Slack) -> None:
    slack.driver.command(user=slack.noor, channel=slack.public_channel, command="/mission")
    explanation = _setup_explanation(slack)
    assert "private channel" in explanation
    assert "/invite" in explanation
    _form_became_the_explanation(slack)


def test_mission_in_a_private_channel_without_the_bot_explains_how_to_invite_it(
    slack: Slack,
) -> None:
    slack.driver.command(
        user=slack.noor, channel=slack.private_channel_without_bot, command="/mission"
    )
    assert "/invite" in _setup_explanation(slack)
    _form_became_the_explanation(slack)


def test_mission_in_a_direct_message_explains_how_to_set_up_a_council(slack: Slack) -> None:
    dm, _ = slack.workspace.open_im(slack.noor)
    slack.driver.command(user=slack.noor, channel=dm.id, command="/mission")
    assert "direct message" in _setup_explanation(slack)
    _form_became_the_explanation(slack)
    with Session(slack.engine) as session:
        assert session.exec(select(Council)).all() == []


def test_a_failing_listener_is_logged_and_the_member_is_told_privately(slack: Slack) -> None:
    # views.open keeps failing with HTTP 500 past the client's retries.
    slack.standin.fail_next("views.open", kind="server_error", times=10)
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    told = slack.standin.wait_for("chat.postEphemeral")
    assert told.args["user"] == slack.noor
    assert told.args["channel"] == slack.council
    assert "something went wrong" in told.args["text"]


def test_slack_rate_limit_is_waited_out_and_the_draft_still_posts(slack: Slack) -> None:
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    view_id = slack.standin.wait_for("views.open").response["view"]["id"]
    slack.standin.fail_next("chat.postMessage", kind="ratelimited", times=1, retry_after=1)
    answer = slack.driver.view_submission(
        user=slack.noor,
        view_id=view_id,
        values={
            "company": {"company": payloads.plain("Acme")},
            "role": {"role": payloads.plain("Engineering Manager")},
            "stage": {"stage": payloads.static_select("applied")},
            "mission": {"mission": payloads.plain("Grow a team that ships weekly.")},
            "objective_1": {"objective_1": payloads.plain("Ship weekly")},
            "krs_1": {"krs_1": payloads.plain("12 releases a quarter")},
        },
    )
    assert answer.status == 200
    assert not answer.body  # closed at once: the post and its retry come after the ack
    attempts = slack.standin.wait_for("chat.postMessage", count=2, timeout=10)
    assert [call.status for call in attempts] == [429, 200]
    slack.settle()
    with Session(slack.engine) as session:
        assert session.exec(select(MissionDraft)).one().message_ts == attempts[1].response["ts"]


def test_user_change_refreshes_the_cached_time_zone(slack: Slack) -> None:
    from storage.councils import Member

    event = {
        "type": "user_change",
        "user": {"id": slack.lena, "team_id": slack.workspace.team_id, "tz": "Asia/Tokyo"},
        "event_ts": "1700000000.000100",
    }
    assert slack.driver.event(event).status == 200
    for _ in range(200):
        with Session(slack.engine) as session:
            member = session.exec(select(Member).where(Member.user_id == slack.lena)).first()
        if member is not None:
            break
        threading.Event().wait(0.01)
    assert member is not None and member.tz == "Asia/Tokyo"


def test_the_council_is_registered_under_the_channels_real_name(slack: Slack) -> None:
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    slack.standin.wait_for("views.open")
    slack.settle()  # the modal opens first; the channel check registers the council after
    with Session(slack.engine) as session:
        assert session.exec(select(Council)).one().name == "council-demo"
