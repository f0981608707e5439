"""`/fit` end to end: signed requests in, what Slack received and the database holds out.

Lena writes her Two-Pager and her Candidate-Market Fit statement privately, posts them to
her council's private channel (#council-demo: Noor, Arjun, Maya, Lena and the bot), where
Noor suggests what she forgot (Lena accepts or declines, privately) and the others sign the
statement off with :white_check_mark: until "signed off by 2 of 3".
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.features.fit.rules import SIGNOFF_EMOJI
from bot.features.fit.views import (
    ACTION_ACCEPT,
    ACTION_DECLINE,
    ACTION_EDIT_STATEMENT,
    ACTION_EDIT_TWO_PAGER,
    ACTION_POST_STATEMENT,
    ACTION_POST_TWO_PAGER,
    ACTION_SUGGEST,
)
from bot.platform.mrkdwn import escape
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.fit import FitStatement, FitSuggestion, FitTwoPager, load_items
from tests.handlers.test_privacy_logs import whole_log
from tests.plugins.intruder import answers, assert_nothing_shown, intruder, quiet, sent
from tests.plugins.slack import Slack

WANT = "A Zqx-Secretwant team that ships weekly"
DONT = "No Zqx-Secretdont on-call rotations"
SUGGESTED = "A manager who <!channel> gives feedback"
SENTENCE = "A Zqx-Secretsentence staff engineer for Series B climate startups"
__all__ = ["whole_log"]  # the fixture, shared with the other features' log tests
ATTRS = {"stage": "Series B", "industry": "Climate", "role": "Staff engineer", "culture": ""}


# --- helpers --------------------------------------------------------------------------------------


def text_of(message: ApiCall | dict[str, Any]) -> str:
    args = message.args if isinstance(message, ApiCall) else message
    return json.dumps({"text": args.get("text"), "blocks": args.get("blocks")}, ensure_ascii=False)


def count(slack: Slack, method: str) -> int:
    return len(slack.standin.calls_to(method))


def last_call(slack: Slack, method: str, seen: int) -> ApiCall:
    found = slack.standin.wait_for(method, count=seen + 1)
    call = found[-1] if isinstance(found, list) else found
    assert call.ok, call.describe()
    return call


def dm_channel(slack: Slack, user: str) -> str:
    channel, _ = slack.workspace.open_im(user)
    return channel.id


def show_fit(slack: Slack, *, user: str | None = None, channel: str | None = None) -> ApiCall:
    """`/fit` (in the council channel by default): the private answer."""
    seen = count(slack, "response_url")
    answer = slack.driver.command(
        user=user or slack.lena, channel=channel or slack.council, command="/fit"
    )
    assert answer.status == 200
    return last_call(slack, "response_url", seen)


def fit_view(slack: Slack, user: str | None = None) -> dict[str, Any]:
    """The latest private `/fit` view shown to the member."""
    found = [
        e
        for e in slack.workspace.ephemerals_for(user or slack.lena)
        if "Your Two-Pager and Candidate-Market Fit" in text_of(e)
    ]
    assert found
    return found[-1]


def press(slack: Slack, message: dict[str, Any], action_id: str, **kwargs: Any) -> None:
    slack.driver.block_action(
        user=kwargs.pop("user", None) or message["user"],
        action_id=action_id,
        channel=message["channel"],
        message_ts=message["ts"],
        **kwargs,
    )


def open_form(slack: Slack, words: str, user: str | None = None) -> dict[str, Any]:
    seen = count(slack, "views.open")
    slack.driver.command(user=user or slack.lena, channel=slack.council, command="/fit", text=words)
    return dict(last_call(slack, "views.open", seen).response["view"])


def two_pager_values(wants: str | None, dont: str | None) -> dict[str, Any]:
    return {
        "fit_wants": {"fit_wants": payloads.plain(wants)},
        "fit_dont_wants": {"fit_dont_wants": payloads.plain(dont)},
    }


def statement_values(attrs: dict[str, str], sentence: str | None) -> dict[str, Any]:
    values = {f"fit_{k}": {f"fit_{k}": payloads.plain(v or None)} for k, v in attrs.items()}
    values["fit_sentence"] = {"fit_sentence": payloads.plain(sentence)}
    return values


def submit(slack: Slack, view_id: str, values: dict[str, Any], user: str | None = None) -> dict:
    answer = slack.driver.view_submission(user=user or slack.lena, view_id=view_id, values=values)
    assert answer.status == 200
    slack.settle()
    return answer.json or {}


def save_two_pager(
    slack: Slack, wants: str = f"{WANT}\n- Remote-friendly", dont: str = DONT
) -> None:
    view = open_form(slack, "twopager")
    assert view["callback_id"] == "fit_two_pager"
    assert not submit(slack, view["id"], two_pager_values(wants, dont)).get("errors")


def save_statement(
    slack: Slack, attrs: dict[str, str] | None = None, sentence: str = SENTENCE
) -> None:
    view = open_form(slack, "cmf")
    assert view["callback_id"] == "fit_statement"
    assert not submit(slack, view["id"], statement_values(attrs or ATTRS, sentence)).get("errors")


def channel_posts(slack: Slack, channel: str | None = None) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == (channel or slack.council)
    ]


def post(slack: Slack, action: str, *, channel: str | None = None) -> ApiCall | None:
    """`/fit` in `channel`, then its Post button: the channel post, or None."""
    show_fit(slack, channel=channel)
    posts = len(channel_posts(slack, channel))
    seen = count(slack, "response_url")
    press(slack, fit_view(slack), action)
    last_call(slack, "response_url", seen)  # the private "posted" or "not posted"
    slack.settle()
    found = channel_posts(slack, channel)
    return found[-1] if len(found) > posts else None


def two_pagers(slack: Slack) -> list[FitTwoPager]:
    with Session(slack.engine) as session:
        return list(session.exec(select(FitTwoPager).order_by(col(FitTwoPager.id))).all())


def statements(slack: Slack) -> list[FitStatement]:
    with Session(slack.engine) as session:
        return list(session.exec(select(FitStatement).order_by(col(FitStatement.id))).all())


def suggestions(slack: Slack) -> list[FitSuggestion]:
    with Session(slack.engine) as session:
        return list(session.exec(select(FitSuggestion).order_by(col(FitSuggestion.id))).all())


def message_now(slack: Slack, channel: str, ts: str) -> dict[str, Any]:
    found = slack.workspace.get_message(channel, ts)
    assert found is not None
    return dict(found)


def suggest(
    slack: Slack, posted: ApiCall, *, user: str, list_key: str = "wants", item: str = SUGGESTED
) -> dict:
    """`user` presses Suggest an addition on the posted Two-Pager and sends `item`."""
    seen = count(slack, "views.open")
    slack.driver.block_action(
        user=user, action_id=ACTION_SUGGEST, channel=slack.council, message_ts=posted.response["ts"]
    )
    view = last_call(slack, "views.open", seen).response["view"]
    assert view["callback_id"] == "fit_suggest"
    return submit(
        slack,
        view["id"],
        {
            "fit_suggest_list": {"fit_suggest_list": payloads.radio(list_key)},
            "fit_suggest_item": {"fit_suggest_item": payloads.plain(item)},
        },
        user=user,
    )


def suggestion_dms(slack: Slack) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == slack.lena and "suggests adding" in text_of(c)
    ]


def react(slack: Slack, posted: ApiCall, user: str, name: str = SIGNOFF_EMOJI) -> None:
    slack.driver.react(user=user, channel=slack.council, ts=posted.response["ts"], name=name)
    slack.settle()


# --- /fit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["dm", "council"])
def test_fit_alone_answers_only_the_member(slack: Slack, where: str) -> None:
    channel = dm_channel(slack, slack.lena) if where == "dm" else slack.council
    save_two_pager(slack)
    reply = show_fit(slack, channel=channel)
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    shown = text_of(reply)
    assert escape(WANT) in shown and escape(DONT) in shown and "version 1" in shown
    assert "Edit Two-Pager" in shown and "Post Two-Pager to council" in shown
    assert "Write your statement" in shown
    slack.settle()
    assert channel_posts(slack, channel) == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [("help", "/fit twopager"), ("zap", "I don't know `/fit zap`")],
)
def test_subcommands_answer_privately(slack: Slack, words: str, expected: str) -> None:
    slack.driver.command(user=slack.lena, channel=slack.council, command="/fit", text=words)
    reply = slack.standin.wait_for("response_url")
    assert expected in text_of(reply)
    if words == "help":
        for word in ("/fit cmf", "/fit history", ":white_check_mark:"):
            assert word in text_of(reply)
    slack.settle()
    assert slack.standin.calls_to("chat.postMessage") == []


# --- the Two-Pager --------------------------------------------------------------------------------


def test_a_saved_two_pager_is_a_version_and_the_private_view_shows_it(slack: Slack) -> None:
    save_two_pager(slack)
    (row,) = two_pagers(slack)
    assert load_items(row.wants) == (WANT, "Remote-friendly")  # the bullet is dropped
    assert load_items(row.dont_wants) == (DONT,)
    assert (row.number, row.user_id, row.team_id) == (1, slack.lena, slack.workspace.team_id)
    # The view it came from was the command's: a new private one says it is saved.
    assert "Saved version 1" in text_of(fit_view(slack))


@pytest.mark.parametrize(
    ("wants", "dont", "field", "says"),
    [
        ("", DONT, "fit_wants", "at least one thing"),
        (WANT, "  \n- \n", "fit_dont_wants", "at least one thing"),
        ("x" * 151, DONT, "fit_wants", "150 characters"),
        (WANT, "\n".join(f"item {i}" for i in range(16)), "fit_dont_wants", "15 items"),
    ],
)
def test_bad_lists_get_an_inline_error_and_nothing_is_stored(
    slack: Slack, wants: str, dont: str, field: str, says: str
) -> None:
    view = open_form(slack, "twopager")
    body = submit(slack, view["id"], two_pager_values(wants or None, dont))
    assert body.get("response_action") == "errors", body
    assert says in body["errors"][field], body["errors"]
    assert two_pagers(slack) == []
    assert not submit(slack, view["id"], two_pager_values(WANT, DONT)).get("errors")
    assert len(two_pagers(slack)) == 1


def test_a_posted_two_pager_takes_a_suggestion_the_author_accepts(slack: Slack) -> None:
    save_two_pager(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    assert escape(WANT) in text_of(posted) and f"<@{slack.lena}>" in text_of(posted)
    assert two_pagers(slack)[0].message_ts == posted.response["ts"]

    assert not suggest(slack, posted, user=slack.noor).get("errors")
    (suggestion,) = suggestions(slack)
    assert (suggestion.user_id, suggestion.owner_id, suggestion.status) == (
        slack.noor,
        slack.lena,
        "pending",
    )
    (asked,) = suggestion_dms(slack)
    assert escape(SUGGESTED) in text_of(asked) and "<!channel>" not in json.dumps(asked.args)
    # Her Home (refreshed) says one waits, without the item.
    homes = [c for c in slack.standin.calls_to("views.publish") if c.args["user_id"] == slack.lena]
    home = json.dumps(homes[-1].args["view"])
    assert "1 suggestion(s)" in home and "gives feedback" not in home
    # Nothing of the suggestion in the channel: it is Lena's to decide.
    assert SUGGESTED not in text_of(message_now(slack, slack.council, posted.response["ts"]))

    updates = count(slack, "chat.update")
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_ACCEPT,
        channel=asked.response["channel"],
        message_ts=asked.response["ts"],
    )
    last_call(slack, "chat.update", updates)
    slack.settle()
    first, second = two_pagers(slack)
    assert load_items(second.wants) == (WANT, "Remote-friendly", SUGGESTED)
    assert load_items(first.wants) == (WANT, "Remote-friendly")  # the earlier version stays
    assert second.number == 2 and second.message_ts == posted.response["ts"]
    assert suggestions(slack)[0].status == "accepted"
    shown = text_of(message_now(slack, slack.council, posted.response["ts"]))
    assert escape(SUGGESTED) in shown and "version 2" in shown
    assert "Added to" in text_of(
        message_now(slack, asked.response["channel"], asked.response["ts"])
    )
    # Noor hears back, without the item (it is Lena's list now).
    (told,) = [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.args["channel"] == slack.noor and "added your suggestion" in text_of(c)
    ]
    assert "gives feedback" not in text_of(told)


def test_a_declined_suggestion_changes_nothing_and_is_answered_once(slack: Slack) -> None:
    save_two_pager(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    suggest(slack, posted, user=slack.arjun, list_key="dont_wants", item="No Zqx-Declined travel")
    (asked,) = suggestion_dms(slack)
    before = text_of(message_now(slack, slack.council, posted.response["ts"]))
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_DECLINE,
        channel=asked.response["channel"],
        message_ts=asked.response["ts"],
    )
    slack.settle()
    assert len(two_pagers(slack)) == 1 and suggestions(slack)[0].status == "declined"
    assert text_of(message_now(slack, slack.council, posted.response["ts"])) == before
    answered = text_of(message_now(slack, asked.response["channel"], asked.response["ts"]))
    assert "Declined" in answered and ACTION_ACCEPT not in answered  # answered once: no buttons
    told = [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.args["channel"] == slack.arjun and "your suggestion" in text_of(c)
    ]
    assert len(told) == 1 and "left it off" in text_of(told[0])
    assert "Declined" not in text_of(told[0])


def test_only_the_author_can_accept_edit_or_be_suggested_to(slack: Slack) -> None:
    save_two_pager(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    suggest(slack, posted, user=slack.noor)
    (asked,) = suggestion_dms(slack)
    slack.standin.clear_calls()
    # Maya sends Accept from Lena's DM (a signed request can carry any message and id).
    slack.driver.block_action(
        user=slack.maya,
        action_id=ACTION_ACCEPT,
        channel=asked.response["channel"],
        message_ts=asked.response["ts"],
    )
    # Maya presses Edit on Lena's posted Two-Pager.
    slack.driver.block_action(
        user=slack.maya,
        action_id=ACTION_EDIT_TWO_PAGER,
        channel=slack.council,
        message_ts=posted.response["ts"],
    )
    slack.settle()
    said = answers(sent(slack))
    assert "someone else's Two-Pager" in said and "Only its author can edit" in said
    assert slack.standin.calls_to("views.open") == [] and count(slack, "chat.update") == 0
    assert len(two_pagers(slack)) == 1 and suggestions(slack)[0].status == "pending"
    # Lena's own Suggest button: she edits instead.
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_SUGGEST,
        channel=slack.council,
        message_ts=posted.response["ts"],
    )
    slack.settle()
    assert "your own Two-Pager" in answers(sent(slack))
    assert slack.standin.calls_to("views.open") == []


def test_someone_outside_the_council_channel_cannot_suggest(slack: Slack) -> None:
    save_two_pager(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None

    def open_suggest(user: str) -> dict[str, Any]:
        seen = count(slack, "views.open")
        slack.driver.block_action(
            user=user,
            action_id=ACTION_SUGGEST,
            channel=slack.council,
            message_ts=posted.response["ts"],
        )
        opened = last_call(slack, "views.open", seen).response["view"]
        slack.settle()
        return dict(opened)

    # Maya opens the form while in the council, then leaves before sending it: refused inline.
    view = open_suggest(slack.maya)
    slack.workspace.channels[slack.council].members.discard(slack.maya)
    body = submit(
        slack,
        view["id"],
        {
            "fit_suggest_list": {"fit_suggest_list": payloads.radio("wants")},
            "fit_suggest_item": {"fit_suggest_item": payloads.plain("Sneaky")},
        },
        user=slack.maya,
    )
    assert "not in that council's channel" in body["errors"]["fit_suggest_item"]
    # Outside it, the form becomes the explanation.
    open_suggest(slack.maya)
    notice = slack.standin.calls_to("views.update")[-1]
    assert "not in that council's channel" in json.dumps(notice.args["view"])
    assert suggestions(slack) == [] and suggestion_dms(slack) == []


@pytest.mark.parametrize("where", ["dm", "public", "ext_shared"])
def test_posting_outside_a_council_channel_is_refused_privately(slack: Slack, where: str) -> None:
    save_two_pager(slack)
    channel = {"dm": dm_channel(slack, slack.lena), "public": slack.public_channel}.get(
        where, slack.council
    )
    if where == "ext_shared":  # the council shared with another organisation since
        slack.workspace.channels[slack.council].is_ext_shared = True
        slack.runtime.services.extras.pop("council_channel_facts", None)  # as an event would
    assert post(slack, ACTION_POST_TWO_PAGER, channel=channel) is None
    assert "Not posted" in text_of(slack.standin.calls_to("response_url")[-1])
    assert two_pagers(slack)[0].message_ts is None


# --- the Candidate-Market Fit statement -----------------------------------------------------------


def test_a_statement_with_fewer_than_three_attributes_is_refused_inline(slack: Slack) -> None:
    view = open_form(slack, "cmf")
    assert "Company stage" in json.dumps(view) and "e.g." in json.dumps(view)  # the grid
    two = {"stage": "Seed", "industry": "", "role": "Designer", "culture": ""}
    body = submit(slack, view["id"], statement_values(two, SENTENCE))
    assert body.get("response_action") == "errors"
    assert "at least 3 of the four attributes" in body["errors"]["fit_industry"]
    long = {**ATTRS, "culture": "y" * 81}
    body = submit(slack, view["id"], statement_values(long, None))
    assert "80 characters" in body["errors"]["fit_culture"] and "fit_sentence" in body["errors"]
    assert statements(slack) == []
    assert not submit(slack, view["id"], statement_values(ATTRS, SENTENCE)).get("errors")
    (row,) = statements(slack)
    assert (row.stage, row.industry, row.role, row.culture, row.sentence) == (
        "Series B",
        "Climate",
        "Staff engineer",
        "",
        SENTENCE,
    )


def test_a_posted_statement_is_signed_off_by_a_majority_of_the_others(slack: Slack) -> None:
    save_statement(slack)
    posted = post(slack, ACTION_POST_STATEMENT)
    assert posted is not None
    shown = text_of(posted)
    assert escape(SENTENCE) in shown and ":white_check_mark: = I sign off" in shown
    assert "0 of 3 so far" in shown  # Noor, Arjun, Maya: the author and the bot do not count
    ts = posted.response["ts"]

    react(slack, posted, slack.lena)  # the author's own does not count
    react(slack, posted, slack.noor, name="tada")  # another emoji is no sign-off
    react(slack, posted, slack.noor)
    now = text_of(message_now(slack, slack.council, ts))
    assert "1 of 3 so far" in now and "Signed off by" not in now
    react(slack, posted, slack.arjun)
    assert "Signed off by 2 of 3" in text_of(message_now(slack, slack.council, ts))
    assert (statements(slack)[0].signed, statements(slack)[0].signers_of) == (2, 3)
    # Maya cannot edit Lena's statement from the message: a private answer, no form.
    opened = count(slack, "views.open")
    slack.driver.block_action(
        user=slack.maya, action_id=ACTION_EDIT_STATEMENT, channel=slack.council, message_ts=ts
    )
    slack.settle()
    assert count(slack, "views.open") == opened
    refused = [
        e for e in slack.workspace.ephemerals_for(slack.maya) if "Only its author" in text_of(e)
    ]
    assert len(refused) == 1
    # The private view says so too; taking one back drops below the majority.
    assert "Signed off by 2 of 3" in text_of(show_fit(slack))
    slack.driver.unreact(user=slack.arjun, channel=slack.council, ts=ts, name=SIGNOFF_EMOJI)
    slack.settle()
    assert "1 of 3 so far" in text_of(message_now(slack, slack.council, ts))


def test_the_sign_off_counts_who_is_in_the_channel_now_and_a_retry_changes_nothing(
    slack: Slack,
) -> None:
    save_statement(slack)
    posted = post(slack, ACTION_POST_STATEMENT)
    assert posted is not None
    ts = posted.response["ts"]
    react(slack, posted, slack.noor)
    answer = slack.driver.react(user=slack.arjun, channel=slack.council, ts=ts, name=SIGNOFF_EMOJI)
    slack.settle()
    assert "Signed off by 2 of 3" in text_of(message_now(slack, slack.council, ts))
    # Slack delivers the same event again: counted from Slack's own record, nothing moves.
    assert answer.payload is not None
    assert slack.driver.redeliver(answer.payload).status == 200
    slack.settle()
    assert (statements(slack)[0].signed, statements(slack)[0].signers_of) == (2, 3)
    # Arjun leaves the council: his reaction stays on the message but no longer counts.
    slack.workspace.channels[slack.council].members.discard(slack.arjun)
    react(slack, posted, slack.maya)
    assert "Signed off by 2 of 2" in text_of(message_now(slack, slack.council, ts))


def test_every_save_is_a_new_version_and_history_keeps_them(slack: Slack) -> None:
    save_statement(slack)
    posted = post(slack, ACTION_POST_STATEMENT)
    assert posted is not None
    # Edit from the posted message (Lena's own), save a revised sentence.
    seen = count(slack, "views.open")
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_EDIT_STATEMENT,
        channel=slack.council,
        message_ts=posted.response["ts"],
    )
    view = last_call(slack, "views.open", seen).response["view"]
    assert SENTENCE in json.dumps(view)  # the form starts from the current version
    assert not submit(slack, view["id"], statement_values(ATTRS, "Revised Zqx-Second")).get(
        "errors"
    )
    assert [s.number for s in statements(slack)] == [1, 2]
    assert statements(slack)[0].sentence == SENTENCE  # version 1 kept, with its post
    assert statements(slack)[0].message_ts == posted.response["ts"]
    seen = count(slack, "response_url")
    slack.driver.command(user=slack.lena, channel=slack.council, command="/fit", text="history")
    shown = text_of(last_call(slack, "response_url", seen))
    assert "v1" in shown and "v2" in shown and "Revised Zqx-Second" in shown


def test_home_shows_the_two_pager_and_the_sentence_privately(slack: Slack) -> None:
    save_two_pager(slack)
    save_statement(slack)
    published = count(slack, "views.publish")
    slack.driver.app_home_opened(user=slack.lena)
    home = last_call(slack, "views.publish", published)
    shown = json.dumps(home.args["view"], ensure_ascii=False)
    assert "2 wants, 1 don't-wants" in shown and escape(SENTENCE) in shown
    # Another member's Home shows nothing of Lena's.
    slack.driver.app_home_opened(user=slack.noor)
    noor = last_call(slack, "views.publish", published + 1)
    assert noor.args["user_id"] == slack.noor
    assert "Zqx" not in json.dumps(noor.args["view"]) and "Your fit" not in json.dumps(noor.args)


# --- workspace isolation --------------------------------------------------------------------------


def test_another_workspace_cannot_suggest_accept_or_edit(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_two_pager(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    suggest(slack, posted, user=slack.noor)
    (asked,) = suggestion_dms(slack)
    show_fit(slack)  # Lena's private view, with its Post button
    view = fit_view(slack)
    before = (
        [r.model_dump() for r in two_pagers(slack)],
        [r.model_dump() for r in suggestions(slack)],
    )
    quiet(slack)
    with intruder(slack, monkeypatch):
        press(slack, view, ACTION_POST_TWO_PAGER)
        slack.driver.block_action(
            user=slack.noor,
            action_id=ACTION_SUGGEST,
            channel=slack.council,
            message_ts=posted.response["ts"],
        )
        slack.driver.block_action(
            user=slack.lena,
            action_id=ACTION_ACCEPT,
            channel=asked.response["channel"],
            message_ts=asked.response["ts"],
        )
        slack.driver.block_action(
            user=slack.lena,
            action_id=ACTION_EDIT_TWO_PAGER,
            channel=slack.council,
            message_ts=posted.response["ts"],
        )
        calls = sent(slack)
    assert answers(calls).count("can't find that Two-Pager") == 4  # each one, the same answer
    assert_nothing_shown(calls, (WANT, DONT, SUGGESTED, "Secretwant", "Secretdont"))
    assert not [c for c in calls if c.method in ("views.open", "chat.update", "chat.postMessage")]
    after = (
        [r.model_dump() for r in two_pagers(slack)],
        [r.model_dump() for r in suggestions(slack)],
    )
    assert after == before


def test_another_workspace_cannot_sign_off_or_edit_a_statement(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_statement(slack)
    posted = post(slack, ACTION_POST_STATEMENT)
    assert posted is not None
    before = [r.model_dump() for r in statements(slack)]
    quiet(slack)
    with intruder(slack, monkeypatch):
        react(slack, posted, slack.noor)
        react(slack, posted, slack.arjun)
        slack.driver.block_action(
            user=slack.lena,
            action_id=ACTION_EDIT_STATEMENT,
            channel=slack.council,
            message_ts=posted.response["ts"],
        )
        calls = sent(slack)
    assert [c for c in calls if c.method in ("chat.update", "views.open")] == []
    assert "can't find" in answers(calls)
    assert_nothing_shown(calls, (SENTENCE, "Secretsentence", "Climate"))
    assert [r.model_dump() for r in statements(slack)] == before


# --- encryption at rest ---------------------------------------------------------------------------


def test_lists_attributes_sentence_and_suggestions_are_not_stored_in_plain_text(
    slack: Slack,
) -> None:
    save_two_pager(slack)
    save_statement(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    suggest(slack, posted, user=slack.noor, item="Zqx-Secretsuggest mentoring")
    with slack.engine.connect() as connection:
        raw = [
            *connection.execute(text("SELECT wants, dont_wants FROM fit_two_pagers")).one(),
            *connection.execute(
                text("SELECT stage, industry, role, culture, sentence FROM fit_statements")
            ).one(),
            *connection.execute(text("SELECT item FROM fit_suggestions")).one(),
        ]
    assert all(str(value).startswith("gAAAA") for value in raw)
    flat = " ".join(str(value) for value in raw)
    for secret in ("Secretwant", "Secretdont", "Secretsentence", "Climate", "Secretsuggest"):
        assert secret not in flat, secret


# --- the member's own data -----------------------------------------------------------------------


def test_erase_removes_the_members_fit_and_the_suggestions_they_wrote(slack: Slack) -> None:
    save_two_pager(slack)
    save_statement(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    suggest(slack, posted, user=slack.noor, item="Noor Zqx-Suggestion")
    (asked,) = suggestion_dms(slack)
    # Noor erases her data: her suggestion on Lena's Two-Pager goes, with the DM carrying it.
    opened = count(slack, "views.open")
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="erase")
    confirm = last_call(slack, "views.open", opened).response["view"]
    assert "fit_suggestions" in json.dumps(confirm) or "suggestion" in json.dumps(confirm)
    assert (
        slack.driver.view_submission(user=slack.noor, view_id=confirm["id"], values={}).status
        == 200
    )
    slack.settle()
    assert suggestions(slack) == [] and len(two_pagers(slack)) == 1
    deleted = {(c.args["channel"], c.args["ts"]) for c in slack.standin.calls_to("chat.delete")}
    assert (asked.response["channel"], asked.response["ts"]) in deleted
    # Lena erases hers: every version goes, and the posted Two-Pager leaves the channel.
    opened = count(slack, "views.open")
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="erase")
    confirm = last_call(slack, "views.open", opened).response["view"]
    assert (
        slack.driver.view_submission(user=slack.lena, view_id=confirm["id"], values={}).status
        == 200
    )
    slack.settle()
    assert two_pagers(slack) == [] and statements(slack) == []
    deleted = {(c.args["channel"], c.args["ts"]) for c in slack.standin.calls_to("chat.delete")}
    assert (slack.council, posted.response["ts"]) in deleted


# --- logs -----------------------------------------------------------------------------------------

LOGGED_SECRET = "Zq9-FIT-SECRET"


def test_the_whole_flow_leaves_no_member_text_in_the_log(
    slack: Slack, whole_log: pytest.LogCaptureFixture
) -> None:
    save_two_pager(slack, wants=f"{LOGGED_SECRET} want", dont=f"{LOGGED_SECRET} dont")
    save_statement(slack, sentence=f"{LOGGED_SECRET} sentence")
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    suggest(slack, posted, user=slack.noor, item=f"{LOGGED_SECRET} item")
    (asked,) = suggestion_dms(slack)
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_ACCEPT,
        channel=asked.response["channel"],
        message_ts=asked.response["ts"],
    )
    statement = post(slack, ACTION_POST_STATEMENT)
    assert statement is not None
    react(slack, statement, slack.noor)
    slack.settle()
    assert len(two_pagers(slack)) == 2 and statements(slack)[0].signed == 1
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    everything = whole_log.text + "\n".join(formatter.format(r) for r in whole_log.records)
    leaks = [
        line for line in everything.splitlines() if LOGGED_SECRET.casefold() in line.casefold()
    ]
    assert not leaks, "member text in the log:\n" + "\n".join(leaks[:10])


def test_the_members_export_holds_their_fit_and_the_erase_confirmation_names_it(
    slack: Slack,
) -> None:
    from tests.handlers.test_council import _exported

    save_two_pager(slack)
    save_statement(slack)
    posted = post(slack, ACTION_POST_TWO_PAGER)
    assert posted is not None
    suggest(slack, posted, user=slack.noor, item="Noor Zqx-Suggestion")
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="export")
    document, markdown = _exported(slack, slack.lena)
    assert [v["version"] for v in document["two_pager_versions"]] == [1]
    assert [s["sentence"] for s in document["cmf_statements"]] == [SENTENCE]
    assert "Your Two-Pager, every version" in markdown and SENTENCE in markdown
    slack.standin.clear_calls()  # one export at a time, as _exported reads them
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="export")
    noors, _markdown = _exported(slack, slack.noor)
    assert [s["item"] for s in noors["two_pager_suggestions_given"]] == ["Noor Zqx-Suggestion"]
    assert noors["two_pager_versions"] == [] and noors["cmf_statements"] == []
    opened = count(slack, "views.open")
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="erase")
    confirm = json.dumps(last_call(slack, "views.open", opened).response["view"])
    assert (
        "1 Two-Pager version" in confirm and "1 Candidate-Market Fit statement version" in confirm
    )
    assert "fit_two_pagers" not in confirm
