"""`/mission` end to end: signed requests in, what Slack received and the database holds out."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, col, select

from bot.features.missions.views import (
    ACTION_ADD_OBJECTIVE,
    ACTION_EDIT,
    ACTION_QUESTIONS,
    ACTION_VERSIONS,
    ACTION_WITHDRAW,
)
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.missions import MissionDraft, MissionVersion, ReactionFeedback
from tests.plugins.slack import Slack, eventually, mrkdwn_of, text_of

FORM: dict[str, str] = {
    "company": "Acme Robotics",
    "role": "Head of Product",
    "stage": "interviewing",
    "mission": "Make warehouse robots easy to deploy for mid-size retailers.",
    "objective_1": "Cut deployment time",
    "krs_1": "Deploy a new site in 5 days, down from 30\nNPS of 50 from site managers",
}


def form_values(**overrides: str) -> dict[str, Any]:
    """Slack's view.state.values for the mission modal."""
    fields = {**FORM, **overrides}
    values: dict[str, Any] = {}
    for block_id, value in fields.items():
        element = payloads.static_select(value) if block_id == "stage" else payloads.plain(value)
        values[block_id] = {block_id: element}
    return values


def open_modal(slack: Slack, user: str | None = None) -> str:
    slack.standin.clear_calls()
    slack.driver.command(user=user or slack.noor, channel=slack.council, command="/mission")
    return str(slack.standin.wait_for("views.open").response["view"]["id"])


def post_draft(slack: Slack, **overrides: str) -> tuple[int, str]:
    """Draft a mission through the real modal as Noor; (draft id, message ts)."""
    view_id = open_modal(slack)
    answer = slack.driver.view_submission(
        user=slack.noor, view_id=view_id, values=form_values(**overrides)
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    slack.settle()  # the draft is posted after the modal closes
    posted = slack.standin.wait_for("chat.postMessage")
    with Session(slack.engine) as session:
        draft = session.exec(
            select(MissionDraft).where(MissionDraft.message_ts == posted.response["ts"])
        ).one()
    assert draft.id is not None
    return draft.id, str(posted.response["ts"])


def reactions_stored(slack: Slack) -> list[tuple[str, str, bool]]:
    with Session(slack.engine) as session:
        rows = session.exec(select(ReactionFeedback)).all()
        return sorted((r.user_id, r.emoji, r.present) for r in rows)


def last_update(slack: Slack, ts: str, count: int = 1) -> ApiCall:
    calls = slack.standin.wait_for(
        "chat.update", predicate=lambda c: c.args["ts"] == ts, count=count
    )
    return calls if isinstance(calls, ApiCall) else calls[-1]


# --- subcommands --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/mission", ["`/mission`", "`/mission list`", "`/mission help`"]),
        ("/debrief", ["`/debrief`", "`/debrief list`", "`/debrief gratitude`", "`/debrief help`"]),
    ],
)
def test_an_unknown_subcommand_gets_one_line_listing_the_subcommands(
    slack: Slack, command: str, expected: list[str]
) -> None:
    slack.driver.command(user=slack.noor, channel=slack.council, command=command, text="frobnicate")
    reply = slack.standin.wait_for("response_url")
    text = reply.args["text"]
    assert f"I don't know `{command} frobnicate`" in text
    for usage in expected:
        assert usage in text
    assert "\n" not in text and len(reply.args["blocks"]) == 1  # one line, not the guide
    assert "full guide" in text


def test_list_shows_only_my_drafts_privately(slack: Slack) -> None:
    post_draft(slack)
    slack.standin.clear_calls()
    slack.driver.command(user=slack.noor, channel=slack.council, command="/mission", text="list")
    mine = slack.standin.wait_for("response_url")
    assert mine.args.get("response_type", "ephemeral") == "ephemeral"
    assert "Acme Robotics" in json.dumps(mine.args["blocks"])
    slack.standin.clear_calls()
    slack.driver.command(user=slack.lena, channel=slack.council, command="/mission", text="list")
    theirs = slack.standin.wait_for("response_url")
    assert "Acme Robotics" not in json.dumps(theirs.args["blocks"])


def _pointer_or_setup(slack: Slack, user: str, channel: str) -> tuple[str, str]:
    """`/mission` typed in a channel that is no council: (private answer, what the modal
    became), as JSON."""
    slack.standin.clear_calls()
    slack.driver.command(user=user, channel=channel, command="/mission")
    reply = slack.standin.wait_for("response_url")
    replaced = slack.standin.wait_for("views.update")
    slack.settle()
    return json.dumps(reply.args["blocks"]), json.dumps(replaced.args["view"]["blocks"])


@pytest.mark.parametrize("where", ["general", "dm"])
def test_mission_outside_a_council_points_a_council_member_to_their_council_channel(
    slack: Slack, where: str
) -> None:
    post_draft(slack)  # the bot now knows the council channel
    channel = (
        slack.public_channel if where == "general" else slack.workspace.open_im(slack.lena)[0].id
    )
    answer, modal = _pointer_or_setup(slack, slack.lena, channel)
    for shown in (answer, modal):
        assert f"<#{slack.council}>" in shown and "`/mission` there" in shown
        assert "/invite" not in shown  # no setup steps for someone who has a council


def test_mission_outside_a_council_tells_a_member_of_none_how_to_set_one_up(
    slack: Slack,
) -> None:
    post_draft(slack)
    newcomer = slack.workspace.add_user("U0NEWB0006", name="newb", real_name="New Bie")
    dm, _ = slack.workspace.open_im(newcomer.id)
    answer, modal = _pointer_or_setup(slack, newcomer.id, dm.id)
    assert f"<#{slack.council}>" not in answer + modal  # not theirs: not even named
    assert "/invite" in answer and "/invite" in modal


# --- drafting -----------------------------------------------------------------------------------


def test_empty_required_fields_get_inline_errors_and_nothing_is_stored(slack: Slack) -> None:
    view_id = open_modal(slack)
    answer = slack.driver.view_submission(
        user=slack.noor, view_id=view_id, values=form_values(company="  ", mission="", krs_1="")
    )
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) >= {"company", "mission", "krs_1"}
    assert slack.standin.calls_to("chat.postMessage") == []
    with Session(slack.engine) as session:
        assert session.exec(select(MissionDraft)).all() == []


def test_the_modal_accepts_it_with_only_the_fields_not_labelled_optional_filled(
    slack: Slack,
) -> None:
    # What the form labels optional must be optional: a member who fills in exactly the
    # fields Slack shows without "(optional)" is not told to fill in one of the others.
    view_id = open_modal(slack)
    opened = slack.standin.wait_for("views.open")
    inputs = [b for b in opened.args["view"]["blocks"] if b["type"] == "input"]
    required = {b["block_id"] for b in inputs if not b.get("optional")}
    assert {"objective_1", "krs_1"} <= required
    values = {k: v for k, v in form_values().items() if k in required}
    answer = slack.driver.view_submission(user=slack.noor, view_id=view_id, values=values)
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    assert len(slack.standin.calls_to("chat.postMessage")) == 1


def test_added_objective_slots_are_labelled_optional(slack: Slack) -> None:
    view_id = open_modal(slack)
    slack.driver.block_action(
        user=slack.noor, action_id=ACTION_ADD_OBJECTIVE, value="2", view_id=view_id
    )
    updated = slack.standin.wait_for("views.update")
    optional = {
        b["block_id"]: bool(b.get("optional"))
        for b in updated.args["view"]["blocks"]
        if b["type"] == "input"
    }
    assert optional["objective_1"] is False and optional["krs_1"] is False
    assert optional["objective_2"] is True and optional["krs_2"] is True


def test_oversized_mission_gets_an_inline_error(slack: Slack) -> None:
    view_id = open_modal(slack)
    answer = slack.driver.view_submission(
        user=slack.noor, view_id=view_id, values=form_values(mission="x" * 1001)
    )
    assert answer.json is not None and "mission" in answer.json["errors"]
    assert slack.standin.calls_to("chat.postMessage") == []


def test_channel_mention_in_member_text_cannot_ping_anyone(slack: Slack) -> None:
    post_draft(
        slack,
        company="<!channel> Acme",
        mission="Hello <!everyone> and <@U0LENA0002>, see <https://evil.example|this>",
    )
    posted = slack.standin.calls_to("chat.postMessage")[0]
    sent = mrkdwn_of(posted)
    for dangerous in ("<!channel>", "<!everyone>", "<@U0LENA0002>", "<https://evil"):
        assert dangerous not in sent
    assert "&lt;!channel&gt;" in sent
    assert posted.args.get("link_names") in (None, False, 0, "0", "false")


def test_add_objective_grows_the_modal_and_keeps_what_was_typed(slack: Slack) -> None:
    view_id = open_modal(slack)
    slack.workspace.set_view_state(view_id, form_values(company="Typed Co"))
    slack.driver.block_action(
        user=slack.noor, action_id=ACTION_ADD_OBJECTIVE, value="2", view_id=view_id
    )
    updated = slack.standin.wait_for("views.update")
    assert updated.ok, updated.response
    blocks = json.dumps(updated.args["view"]["blocks"])
    assert '"objective_2"' in blocks and '"krs_2"' in blocks
    assert "Typed Co" in blocks


def test_unmeasurable_key_result_gets_a_gentle_private_note_and_still_posts(slack: Slack) -> None:
    post_draft(slack, krs_1="Be a great partner to sales")
    note = slack.standin.wait_for("chat.postEphemeral")
    assert note.args["user"] == slack.noor
    assert "Be a great partner" in text_of(note)
    assert len(slack.standin.calls_to("chat.postMessage")) == 1


# --- editing, versions, withdrawing ---------------------------------------------------------------


def test_editing_makes_a_new_version_and_the_message_says_revised(slack: Slack) -> None:
    draft_id, ts = post_draft(slack)
    slack.standin.clear_calls()
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_EDIT,
        value=str(draft_id),
        channel=slack.council,
        message_ts=ts,
    )
    opened = slack.standin.wait_for("views.open")
    assert "Acme Robotics" in json.dumps(opened.args["view"])  # prefilled
    answer = slack.driver.view_submission(
        user=slack.noor,
        view_id=opened.response["view"]["id"],
        values=form_values(mission="Make robots deployable in a week by any retailer."),
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors")
    update = last_update(slack, ts)
    assert "revised" in text_of(update).lower()
    assert "deployable in a week" in text_of(update)
    with Session(slack.engine) as session:
        versions = session.exec(
            select(MissionVersion)
            .where(MissionVersion.draft_id == draft_id)
            .order_by(col(MissionVersion.number))
        ).all()
    assert [v.number for v in versions] == [1, 2]
    assert "easy to deploy" in versions[0].mission  # the earlier version is kept

    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_VERSIONS,
        value=str(draft_id),
        channel=slack.council,
        message_ts=ts,
    )
    earlier = slack.standin.wait_for("response_url")
    assert "easy to deploy" in json.dumps(earlier.args["blocks"])


def test_earlier_versions_name_the_author_to_anyone_else_and_say_your_to_the_author(
    slack: Slack,
) -> None:
    draft_id, ts = post_draft(slack)
    _edit(slack, draft_id, ts, role="VP Product")
    seen: dict[str, str] = {}
    for viewer in (slack.lena, slack.noor):
        before = len(slack.standin.calls_to("response_url"))
        slack.driver.block_action(
            user=viewer,
            action_id=ACTION_VERSIONS,
            value=str(draft_id),
            channel=slack.council,
            message_ts=ts,
        )
        found = slack.standin.wait_for("response_url", count=before + 1)
        reply = found[-1] if isinstance(found, list) else found
        seen[viewer] = json.dumps(reply.args["blocks"])
    assert f"Earlier versions of <@{slack.noor}>'s job mission" in seen[slack.lena]
    assert "your job mission" not in seen[slack.lena]
    assert "Earlier versions of your job mission" in seen[slack.noor]


def test_only_the_author_can_edit_withdraw_or_get_questions(slack: Slack) -> None:
    draft_id, ts = post_draft(slack)
    slack.standin.clear_calls()
    for action in (ACTION_EDIT, ACTION_WITHDRAW, ACTION_QUESTIONS):
        slack.driver.block_action(
            user=slack.lena,
            action_id=action,
            value=str(draft_id),
            channel=slack.council,
            message_ts=ts,
        )
    refusals = slack.standin.wait_for("response_url", count=3)
    assert all("author" in r.args["text"] for r in refusals)
    assert slack.standin.calls_to("views.open") == []
    slack.settle()
    assert "withdrawn" not in text_of(slack.workspace.get_message(slack.council, ts))


def test_withdrawing_replaces_the_message_with_a_note_and_keeps_its_thread(
    slack: Slack,
) -> None:
    draft_id, ts = post_draft(slack)
    slack.driver.reply_in_thread(
        user=slack.lena, channel=slack.council, thread_ts=ts, text="Objective 1 is strong."
    )
    _withdraw(slack, draft_id, ts)
    told = slack.standin.wait_for(
        "chat.postEphemeral", predicate=lambda c: "withdrawn" in c.args["text"]
    )
    slack.settle()
    assert slack.standin.calls_to("chat.delete") == []
    note = slack.workspace.get_message(slack.council, ts)
    assert "withdrawn by its author" in text_of(note)
    assert "Acme Robotics" not in text_of(note) and "mission_withdraw" not in text_of(note)
    thread = slack.workspace.messages_in(slack.council, thread_ts=ts)
    assert thread[0]["ts"] == ts  # the draft message itself, still the parent
    assert any(m.get("text") == "Objective 1 is strong." for m in thread)
    # The author is told what happened, and it is what happened.
    assert told.args["user"] == slack.noor
    assert "thread" in told.args["text"] and "/mission list" in told.args["text"]
    assert _status(slack, draft_id) == "withdrawn"


def _withdraw(slack: Slack, draft_id: int, ts: str) -> dict[str, Any]:
    """Noor presses Withdraw and confirms in the modal it opens; that modal."""
    opened = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_WITHDRAW,
        value=str(draft_id),
        channel=slack.council,
        message_ts=ts,
    )
    found = slack.standin.wait_for("views.open", count=opened + 1)
    modal = (found[-1] if isinstance(found, list) else found).response["view"]
    answer = slack.driver.view_submission(user=slack.noor, view_id=modal["id"], values={})
    assert answer.status == 200 and not answer.body, answer.body
    return dict(modal)


def test_the_withdraw_confirmation_says_the_thread_stays(slack: Slack) -> None:
    draft_id, ts = post_draft(slack)
    modal = _withdraw(slack, draft_id, ts)
    said = json.dumps(modal["blocks"])
    assert "replaced by a short note" in said and "thread" in said
    assert "for everyone" not in said
    assert modal["submit"]["text"] == "Withdraw" and modal["close"]["text"] == "Keep it"


def test_a_non_author_pressing_withdraw_is_refused_at_once_with_no_confirmation(
    slack: Slack,
) -> None:
    draft_id, ts = post_draft(slack)
    blocks = slack.workspace.get_message(slack.council, ts)["blocks"]
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    # No client-side dialog (Slack would show it to whoever presses the button).
    assert "confirm" not in next(e for e in buttons if e["action_id"] == ACTION_WITHDRAW)
    slack.standin.clear_calls()
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_WITHDRAW,
        value=str(draft_id),
        channel=slack.council,
        message_ts=ts,
    )
    refusal = slack.standin.wait_for("response_url")
    assert "author" in refusal.args["text"]
    slack.settle()
    assert slack.standin.calls_to("views.open") == []  # no confirmation to press through
    assert _status(slack, draft_id) == "posted"


def _status(slack: Slack, draft_id: int) -> str:
    with Session(slack.engine) as session:
        draft = session.get(MissionDraft, draft_id)
        assert draft is not None
        return draft.status


def test_interview_questions_come_privately_to_the_author(slack: Slack) -> None:
    draft_id, ts = post_draft(slack)
    slack.standin.clear_calls()
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_QUESTIONS,
        value=str(draft_id),
        channel=slack.council,
        message_ts=ts,
    )
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    assert "NPS" in json.dumps(reply.args["blocks"])  # derived from the key results
    assert slack.standin.calls_to("chat.postMessage") == []


def test_interview_questions_quote_key_results_whole(slack: Slack) -> None:
    draft_id, ts = post_draft(
        slack,
        objective_1="Make deployment a non-event for every new warehouse site we open",
        krs_1="Deploy a new site in 5 days, down from 30 in the last two quarters",
    )
    slack.standin.clear_calls()
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_QUESTIONS,
        value=str(draft_id),
        channel=slack.council,
        message_ts=ts,
    )
    asked = json.dumps(slack.standin.wait_for("response_url").args["blocks"], ensure_ascii=False)
    assert "“Deploy a new site in 5 days, down from 30 in the last two quarters”" in asked
    assert "“Make deployment a non-event for every new warehouse site we open”" in asked
    assert "…”" not in asked  # nothing cut mid-phrase


# --- feedback by reaction -----------------------------------------------------------------------


def test_a_legend_reaction_updates_the_live_tally(slack: Slack) -> None:
    _, ts = post_draft(slack)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    update = last_update(slack, ts)
    assert "U0LENA0002" in text_of(update)
    assert reactions_stored(slack) == [(slack.lena, "+1", True)]


def test_a_reaction_event_delivered_four_times_counts_once(slack: Slack) -> None:
    _, ts = post_draft(slack)
    first = slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="bulb")
    assert first.payload is not None
    for retry in (1, 2, 3):
        assert slack.driver.redeliver(first.payload, retry_num=retry).status == 200
    last_update(slack, ts)
    threading.Event().wait(0.3)  # give any (wrong) extra processing time to show
    assert reactions_stored(slack) == [(slack.lena, "bulb", True)]
    assert len(slack.standin.calls_to("chat.update")) == 1


def test_a_removal_delivered_before_its_add_leaves_no_reaction(slack: Slack) -> None:
    _, ts = post_draft(slack)
    added_at, removed_at = slack.workspace.next_ts(), slack.workspace.next_ts()
    item = {"type": "message", "channel": slack.council, "ts": ts}
    removal = {
        "type": "reaction_removed",
        "user": slack.maya,
        "reaction": "warning",
        "item": item,
        "event_ts": removed_at,
    }
    addition = {
        "type": "reaction_added",
        "user": slack.maya,
        "reaction": "warning",
        "item": item,
        "event_ts": added_at,
    }
    slack.driver.event(removal)
    eventually(lambda: reactions_stored(slack) == [(slack.maya, "warning", False)])
    slack.driver.event(addition)
    threading.Event().wait(0.3)
    assert reactions_stored(slack) == [(slack.maya, "warning", False)]


def test_reactions_by_the_author_the_bot_or_outside_the_legend_do_not_count(slack: Slack) -> None:
    _, ts = post_draft(slack)
    slack.driver.react(user=slack.noor, channel=slack.council, ts=ts, name="+1")  # the author
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="tada")  # not in legend
    slack.driver.event(
        {
            "type": "reaction_added",
            "user": slack.workspace.bot_user_id,
            "reaction": "+1",
            "item": {"type": "message", "channel": slack.council, "ts": ts},
        }
    )
    slack.driver.react(user=slack.arjun, channel=slack.council, ts=ts, name="question")
    update = last_update(slack, ts)
    assert reactions_stored(slack) == [(slack.arjun, "question", True)]
    assert "U0NOOR0001" not in json.dumps(update.args["blocks"][-4:])  # author absent from tally


def test_skin_tone_and_alias_reactions_count_as_their_legend_entry(slack: Slack) -> None:
    _, ts = post_draft(slack)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1::skin-tone-4")
    update = last_update(slack, ts)
    assert "U0LENA0002" in text_of(update)  # counted as 👍
    assert reactions_stored(slack) == [(slack.lena, "+1::skin-tone-4", True)]


def test_a_skin_tone_variant_is_its_own_reaction_and_counts_once_as_its_base(
    slack: Slack,
) -> None:
    # Slack shows 👍 and 👍🏽 as two pills; removing one leaves the other on the message.
    _, ts = post_draft(slack)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1::skin-tone-4")
    update = last_update(slack, ts, count=2)
    assert text_of(update).count("U0LENA0002") == 1  # one member, one 👍
    slack.driver.unreact(user=slack.lena, channel=slack.council, ts=ts, name="+1::skin-tone-4")
    update = last_update(slack, ts, count=3)
    assert reactions_stored(slack) == [
        (slack.lena, "+1", True),
        (slack.lena, "+1::skin-tone-4", False),
    ]
    assert "U0LENA0002" in text_of(update)  # the plain 👍 still stands, and still counts


def test_removing_a_reaction_takes_it_out_of_the_tally(slack: Slack) -> None:
    _, ts = post_draft(slack)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    last_update(slack, ts)
    slack.driver.unreact(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    update = last_update(slack, ts, count=2)
    assert reactions_stored(slack) == [(slack.lena, "+1", False)]
    assert "No reactions yet" in text_of(update)


def _edit(slack: Slack, draft_id: int, ts: str, **overrides: str) -> None:
    """Noor edits her draft through the real button and modal."""
    opened = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.noor,
        action_id=ACTION_EDIT,
        value=str(draft_id),
        channel=slack.council,
        message_ts=ts,
    )
    found = slack.standin.wait_for("views.open", count=opened + 1)
    view = found[-1] if isinstance(found, list) else found
    answer = slack.driver.view_submission(
        user=slack.noor, view_id=view.response["view"]["id"], values=form_values(**overrides)
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    slack.settle()


def _tally_on_message(slack: Slack, ts: str) -> str:
    """The tally section of the draft's message as it is in the channel now."""
    blocks = slack.workspace.get_message(slack.council, ts)["blocks"]
    return next(
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and "React to this message" in b["text"]["text"]
    )


def test_reactions_on_the_message_carry_over_to_the_edited_version(slack: Slack) -> None:
    draft_id, ts = post_draft(slack)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    slack.driver.react(user=slack.arjun, channel=slack.council, ts=ts, name="bulb")
    slack.settle()
    _edit(slack, draft_id, ts, role="VP Product")
    # Slack still shows the pills on the edited message: the tally counts them.
    message = slack.workspace.get_message(slack.council, ts)
    assert "VP Product" in json.dumps(message["blocks"])
    assert {r["name"] for r in message.get("reactions", [])} == {"+1", "bulb"}
    tally = _tally_on_message(slack, ts)
    assert f":+1:  Clear and compelling  ·  *1*  <@{slack.lena}>" in tally
    assert f":bulb:  An idea, or something missing  ·  *1*  <@{slack.arjun}>" in tally
    assert "No reactions yet" not in text_of({"blocks": message["blocks"]})
    # Taking a carried-over reaction off takes it out of the tally, with no re-adding.
    slack.driver.unreact(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    slack.settle()
    assert ":+1:  Clear and compelling  ·  *0*" in _tally_on_message(slack, ts)
    with Session(slack.engine) as session:
        v1, v2 = session.exec(select(MissionVersion).order_by(col(MissionVersion.number))).all()
        rows = session.exec(select(ReactionFeedback)).all()
    on_v1 = sorted((r.user_id, r.emoji, r.present) for r in rows if r.version_id == v1.id)
    on_v2 = sorted((r.user_id, r.emoji, r.present) for r in rows if r.version_id == v2.id)
    assert on_v1 == [(slack.arjun, "bulb", True), (slack.lena, "+1", True)]  # the record
    assert on_v2 == [(slack.arjun, "bulb", True), (slack.lena, "+1", False)]


def test_a_stale_reaction_event_from_before_an_edit_changes_nothing_after_it(
    slack: Slack,
) -> None:
    draft_id, ts = post_draft(slack)
    added = slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    slack.driver.unreact(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    slack.settle()
    _edit(slack, draft_id, ts, role="VP Product")
    assert added.payload is not None
    # The same reaction event again, under a new event id (so only its event_ts can tell).
    slack.driver.event(dict(added.payload["event"]))
    slack.settle()
    assert ":+1:  Clear and compelling  ·  *0*" in _tally_on_message(slack, ts)


def test_reactions_on_a_withdrawn_draft_are_ignored(slack: Slack) -> None:
    draft_id, ts = post_draft(slack)
    _withdraw(slack, draft_id, ts)
    eventually(lambda: _status(slack, draft_id) == "withdrawn")
    slack.driver.event(
        {
            "type": "reaction_added",
            "user": slack.lena,
            "reaction": "+1",
            "item": {"type": "message", "channel": slack.council, "ts": ts},
        }
    )
    threading.Event().wait(0.3)
    assert reactions_stored(slack) == []


# --- App Home -----------------------------------------------------------------------------------


def test_app_home_shows_my_drafts_with_their_tally(slack: Slack) -> None:
    _, ts = post_draft(slack)
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    last_update(slack, ts)
    slack.standin.clear_calls()
    slack.driver.app_home_opened(user=slack.noor)
    published = slack.standin.wait_for("views.publish")
    assert published.ok, published.response
    assert published.args["user_id"] == slack.noor
    home = json.dumps(published.args["view"])
    assert "Acme Robotics" in home and "Head of Product" in home


@pytest.mark.parametrize("subcommand", ["help", "list"])
def test_help_and_list_work_in_a_direct_message(slack: Slack, subcommand: str) -> None:
    dm, _ = slack.workspace.open_im(slack.noor)
    slack.driver.command(user=slack.noor, channel=dm.id, command="/mission", text=subcommand)
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"


def test_submitting_the_same_modal_twice_makes_one_draft_and_one_post(slack: Slack) -> None:
    # An ack that reached Slack too late: the member presses Submit again on the same modal.
    view_id = open_modal(slack)
    first = slack.driver.view_submission(user=slack.noor, view_id=view_id, values=form_values())
    assert first.status == 200 and not first.body and first.payload is not None
    slack.settle()
    # Slack never saw the ack, so the modal is still open and sends the same payload again.
    again = slack.driver.send(
        urlencode({"payload": json.dumps(first.payload)}),
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status == 200 and not again.body
    slack.settle()
    assert len(slack.standin.calls_to("chat.postMessage")) == 1
    with Session(slack.engine) as session:
        drafts = session.exec(select(MissionDraft)).all()
    assert len(drafts) == 1 and drafts[0].submission_key == view_id
    assert drafts[0].message_ts == slack.standin.calls_to("chat.postMessage")[0].response["ts"]


def test_a_refused_post_keeps_the_draft_and_offers_to_post_it_again(slack: Slack) -> None:
    view_id = open_modal(slack)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)  # past retries
    answer = slack.driver.view_submission(user=slack.noor, view_id=view_id, values=form_values())
    assert answer.status == 200 and not answer.body  # the modal closes: the draft is saved
    told = slack.standin.wait_for("chat.postEphemeral")
    assert told.args["user"] == slack.noor
    assert "saved" in told.args["text"] and "internal_error" in told.args["text"]
    slack.settle()
    with Session(slack.engine) as session:
        draft = session.exec(select(MissionDraft)).one()
    assert draft.message_ts is None
    slack.standin.clear_calls()
    slack.driver.block_action(
        user=slack.noor,
        action_id="mission_post_again",
        channel=slack.council,
        message_ts=told.response["message_ts"],
    )
    posted = slack.standin.wait_for("chat.postMessage")
    assert posted.ok and posted.args["channel"] == slack.council
    slack.settle()
    with Session(slack.engine) as session:
        assert session.exec(select(MissionDraft)).one().message_ts == posted.response["ts"]
    # A second press posts nothing more: the draft is already in the channel.
    slack.driver.block_action(
        user=slack.noor,
        action_id="mission_post_again",
        channel=slack.council,
        message_ts=told.response["message_ts"],
    )
    slack.settle()
    assert len(slack.standin.calls_to("chat.postMessage")) == 1


def test_a_tally_update_slack_refuses_is_rendered_again_by_the_engine(slack: Slack) -> None:
    # Issue 11, item 8: the tally stayed stale until the next reaction.
    _, ts = post_draft(slack)
    slack.standin.fail_next("chat.update", kind="server_error", times=3)  # past retries
    slack.driver.react(user=slack.lena, channel=slack.council, ts=ts, name="+1")
    slack.settle()
    assert not any(c.ok for c in slack.standin.calls_to("chat.update"))
    report = slack.fast_forward(timedelta(minutes=2))
    assert report.sent == 1
    fixed = [c for c in slack.standin.calls_to("chat.update") if c.ok]
    assert len(fixed) == 1 and "U0LENA0002" in text_of(fixed[0])
    assert slack.fast_forward(timedelta(hours=1)).sent == 0  # once
