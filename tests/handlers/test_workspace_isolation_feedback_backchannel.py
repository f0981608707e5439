"""One deployment, many workspaces: written feedback and back-channel checklists.

As in test_workspace_isolation.py (whose intruder helpers these reuse): the data is made in
the stand-in's workspace through the real flows, then the very same requests (buttons,
modal submissions, events) are sent again, signed, but claiming another team
(T0INTRUDER), by the very member who owns the data, so only the workspace check stands
between the request and the data. Each test asserts the ordinary "gone / not yours"
answer, that nothing of the data appears in anything Slack received, and that the
database is unchanged. Reminders of another workspace naming this one's rows send nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.features.backchannel.rules import REMINDER_FOLLOWUP
from bot.features.backchannel.views import (
    ACTION_ADD,
    ACTION_ANSWER,
    ACTION_CLOSE,
    ACTION_MANAGER,
    ACTION_OPEN,
    ACTION_REMOVE,
    ACTION_REOPEN,
    ACTION_SHARE,
    asked_action_id,
)
from bot.features.feedback import service
from bot.features.feedback.service import POST_KIND
from bot.features.feedback.views import BLOCK_STRONG
from bot.features.feedback_requests.views import BLOCK_DATE, BLOCK_MEMBERS, BLOCK_TIME
from bot.features.missions.views import ACTION_FEEDBACK, ACTION_REQUEST
from bot.reminders.engine import schedule
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.backchannel import BackchannelChecklist, BackchannelPerson, BackchannelShare
from storage.councils import Council
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    MissionDraft,
    MissionVersion,
    ReactionFeedback,
    WrittenFeedback,
)
from storage.reminders import Reminder, ReminderStatus
from storage.searches import Search
from tests.handlers.conftest import MISSION_SECRETS, post_draft
from tests.handlers.test_backchannel import (
    add_person_modal,
    answer_modal,
    answered_checklist,
    open_start_modal,
    people,
    person_values,
    press,
    row,
    start_values,
)
from tests.handlers.test_feedback import ANSWERS, open_modal, stored, values
from tests.plugins.intruder import (
    INTRUDER,
    assert_nothing_shown,
    everything,
    forged_action,
    intruder,
    quiet,
    rows,
    sent,
)
from tests.plugins.slack import Slack

# --- written feedback -----------------------------------------------------------------------------

FEEDBACK_SECRETS = (*MISSION_SECRETS, *ANSWERS.values())
FEEDBACK_TABLES = (MissionDraft, MissionVersion, WrittenFeedback, ReactionFeedback, Reminder)
GONE = "can't find that job mission draft"


def test_another_workspace_pressing_give_feedback_is_told_the_draft_is_gone(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    quiet(slack)
    before = rows(slack, *FEEDBACK_TABLES)
    with intruder(slack, monkeypatch):
        # Lena, a member of the council, under the draft and (as from her Home) by its id.
        slack.driver.block_action(
            user=slack.lena, action_id=ACTION_FEEDBACK, channel=draft.channel, message_ts=draft.ts
        )
    forged_action(slack, action_id=ACTION_FEEDBACK, value=str(draft.draft_id))
    slack.standin.wait_for("response_url", count=2)
    calls = sent(slack)
    replies = [str(c.args.get("text")) for c in calls if c.method == "response_url"]
    assert len(replies) == 2 and all(GONE in r for r in replies), replies
    # Not even the council's membership is looked up for another workspace's request.
    assert [c.method for c in calls] == ["response_url", "response_url"], everything(calls)
    assert_nothing_shown(calls, FEEDBACK_SECRETS)
    assert rows(slack, *FEEDBACK_TABLES) == before


def test_another_workspace_submitting_the_feedback_modal_stores_and_posts_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    # Lena opens the modal in her workspace: its metadata names the draft.
    quiet(slack)
    view = open_modal(slack, slack.lena, draft)
    assert str(draft.draft_id) in view["private_metadata"]
    quiet(slack)
    before = rows(slack, *FEEDBACK_TABLES)
    with intruder(slack, monkeypatch):
        answer = slack.driver.view_submission(
            user=slack.lena, view_id=view["id"], values=values(ANSWERS, anonymous=True)
        )
    assert answer.json is not None and answer.json["response_action"] == "errors", answer.body
    # Exactly what a draft deleted meanwhile gets (the refusal's reason, next to the text).
    assert answer.json["errors"] == {BLOCK_STRONG: service.Refusal.GONE.value}
    calls = sent(slack)
    assert [c for c in calls if c.method.startswith("chat.")] == [], everything(calls)
    assert_nothing_shown(calls, FEEDBACK_SECRETS)
    assert rows(slack, *FEEDBACK_TABLES) == before
    assert stored(slack) == []


def test_another_workspaces_reaction_answers_no_request_and_counts_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reaction event is feedback too: from another workspace it is not counted, closes
    no nudge of this one's request for feedback, and re-renders nothing."""
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    _request_feedback(slack, draft.draft_id, draft.channel, draft.ts, asked=slack.lena)
    tables = (*FEEDBACK_TABLES, FeedbackRequest, FeedbackAsk)
    quiet(slack)
    before = rows(slack, *tables)
    with intruder(slack, monkeypatch):
        slack.driver.react(user=slack.lena, channel=draft.channel, ts=draft.ts, name="bulb")
        slack.driver.react(user=slack.lena, channel=draft.channel, ts=draft.ts, name="+1")
    calls = sent(slack)
    assert [c for c in calls if c.method.startswith(("chat.", "views."))] == [], everything(calls)
    assert_nothing_shown(calls, FEEDBACK_SECRETS)
    assert rows(slack, *tables) == before


def _request_feedback(slack: Slack, draft_id: int, channel: str, ts: str, *, asked: str) -> None:
    """The author asks `asked` for feedback by tomorrow, in her own workspace."""
    quiet(slack)
    slack.driver.block_action(
        user=slack.noor, action_id=ACTION_REQUEST, channel=channel, message_ts=ts
    )
    view_id = str(slack.standin.wait_for("views.open").response["view"]["id"])
    tomorrow = (slack.clock.now + timedelta(days=1)).date().isoformat()
    answer = slack.driver.view_submission(
        user=slack.noor,
        view_id=view_id,
        values={
            BLOCK_DATE: {BLOCK_DATE: payloads.datepicker(tomorrow)},
            BLOCK_TIME: {BLOCK_TIME: payloads.timepicker("18:00")},
            BLOCK_MEMBERS: {BLOCK_MEMBERS: payloads.users([asked])},
        },
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    with Session(slack.engine) as session:
        assert session.exec(select(FeedbackAsk)).all(), "the request was stored"


def test_a_feedback_post_reminder_of_another_workspace_posts_nothing(slack: Slack) -> None:
    """Feedback whose post failed waits for its reminder; another workspace's reminder
    naming its id (a bug, a restored backup) is moot and posts nothing anywhere."""
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    quiet(slack)
    view = open_modal(slack, slack.lena, draft)
    slack.standin.fail_next("chat.postMessage", kind="server_error", times=3)
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view["id"], values=values(ANSWERS)
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    [feedback] = stored(slack)
    assert feedback.id is not None and feedback.message_ts is None
    with Session(slack.engine) as session:
        # This workspace's own retry is called off, so only the other one's remains.
        for own in session.exec(select(Reminder).where(Reminder.kind == POST_KIND)).all():
            own.status = ReminderStatus.CANCELLED
            session.add(own)
        schedule(
            session,
            kind=POST_KIND,
            team_id=INTRUDER,
            user_id=slack.lena,
            due_at=slack.clock.now + timedelta(minutes=1),
            payload={"feedback": feedback.id},
        )
        session.commit()
    quiet(slack)
    before = rows(slack, MissionDraft, WrittenFeedback)
    slack.fast_forward(timedelta(minutes=3))
    calls = sent(slack)
    assert [c for c in calls if c.method.startswith("chat.")] == [], everything(calls)
    assert_nothing_shown(calls, FEEDBACK_SECRETS)
    assert rows(slack, MissionDraft, WrittenFeedback) == before


# --- back-channel checklists ----------------------------------------------------------------------

BACKCHANNEL_SECRETS = (
    "Acme Robotics",
    "Dana Reyes",
    "Priya Natarajan",
    "Tom Becker",
    "Ines Alvarez",
    "reported to Dana",
    "peer at Initech",
    "Loves roadmaps",
    "Burned out two leads",
)
BACKCHANNEL_TABLES = (BackchannelChecklist, BackchannelPerson, BackchannelShare, Reminder, Search)
NOT_YOURS = "That checklist isn't one of yours."
NO_LONGER = "That person is no longer on your checklist."


def test_another_workspace_using_a_checklists_buttons_is_told_it_is_not_theirs(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    checklist_id = answered_checklist(slack)
    priya = people(slack, checklist_id)[0].id or 0
    answer_view = answer_modal(slack, checklist_id, priya)  # her own, in her workspace
    quiet(slack)
    before = rows(slack, *BACKCHANNEL_TABLES)
    with intruder(slack, monkeypatch):
        # Lena's own checklist message in her DM, every button and the ticks on it.
        for action_id in (ACTION_ADD, ACTION_MANAGER, ACTION_SHARE, ACTION_CLOSE):
            press(slack, checklist_id, action_id)
        press(slack, checklist_id, asked_action_id(0), selected_options=[])  # untick all
        press(slack, checklist_id, ACTION_ANSWER, value=str(priya))
        # "Remove" in her answer modal: said in a DM, as the modal has no response_url.
        slack.driver.block_action(user=slack.lena, action_id=ACTION_REMOVE, view_id=answer_view)
    # Buttons elsewhere (her list, an old copy of the checklist), by id.
    forged_action(slack, action_id=ACTION_OPEN, value=str(checklist_id), user=slack.lena)
    forged_action(slack, action_id=ACTION_REOPEN, value=str(checklist_id), user=slack.lena)
    forged_action(slack, action_id=ACTION_REMOVE, value=str(priya), user=slack.lena)
    slack.standin.wait_for("response_url", count=9)
    calls = sent(slack)
    replies = [str(c.args.get("text")) for c in calls if c.method == "response_url"]
    assert sorted(replies) == sorted([NOT_YOURS] * 7 + [NO_LONGER] * 2), replies
    dms = [c for c in calls if c.method == "chat.postMessage"]
    assert [(d.args["channel"], d.args["text"]) for d in dms] == [(slack.lena, NO_LONGER)]
    assert [c for c in calls if c.method == "views.update"] == []
    assert_nothing_shown(calls, BACKCHANNEL_SECRETS)
    assert rows(slack, *BACKCHANNEL_TABLES) == before


def test_another_workspace_submitting_a_checklists_forms_changes_and_shares_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    checklist_id = answered_checklist(slack)
    priya = people(slack, checklist_id)[0].id or 0
    with Session(slack.engine) as session:
        council = session.exec(select(Council).where(Council.channel_id == slack.council)).one()
    # Lena's own forms, opened in her workspace (their metadata names her checklist or a
    # person on it), each submitted claiming the other workspace.
    submissions: tuple[tuple[Callable[[], str], dict, str, str], ...] = (
        (
            lambda: add_person_modal(slack, checklist_id),
            person_values(1, "Eve Elsewhere", "from elsewhere"),
            "bc_name_1",
            NOT_YOURS,
        ),
        (
            lambda: answer_modal(slack, checklist_id, priya),
            {
                "bc_status": {"bc_status": payloads.radio("answered")},
                "bc_signal": {"bc_signal": payloads.radio("mixed")},
                "bc_notes": {"bc_notes": payloads.plain("Written from elsewhere")},
            },
            "bc_notes",
            NO_LONGER,
        ),
        (
            lambda: _opened(slack, checklist_id, ACTION_MANAGER),
            {"bc_manager": {"bc_manager": payloads.plain("Manager from elsewhere")}},
            "bc_manager",
            NOT_YOURS,
        ),
        (
            lambda: _opened(slack, checklist_id, ACTION_SHARE),
            {
                "bc_council": {"bc_council": payloads.static_select(str(council.id))},
                "bc_include": {"bc_include": payloads.checkboxes(["names"])},
                "bc_ask": {"bc_ask": payloads.plain("Asked from elsewhere")},
            },
            "bc_council",
            "Please pick one of your council channels.",
        ),
    )
    calls: list[ApiCall] = []
    for open_form, state, block, refusal in submissions:
        view_id = open_form()
        quiet(slack)
        before = rows(slack, *BACKCHANNEL_TABLES)
        with intruder(slack, monkeypatch):
            answer = slack.driver.view_submission(user=slack.lena, view_id=view_id, values=state)
        assert answer.json is not None and answer.json["response_action"] == "errors", answer.body
        assert answer.json["errors"].get(block) == refusal, answer.json["errors"]
        calls += sent(slack)
        assert rows(slack, *BACKCHANNEL_TABLES) == before
        slack.driver.view_closed(user=slack.lena, view_id=view_id)
    assert [c for c in calls if c.method.startswith(("chat.", "views."))] == [], everything(calls)
    assert_nothing_shown(calls, (*BACKCHANNEL_SECRETS, "from elsewhere"))


def _opened(slack: Slack, checklist_id: int, action_id: str) -> str:
    seen = len(slack.standin.calls_to("views.open"))
    press(slack, checklist_id, action_id)
    found = slack.standin.wait_for("views.open", count=seen + 1)
    opened = found[-1] if isinstance(found, list) else found
    assert opened.ok, opened.describe()
    return str(opened.response["view"]["id"])


def test_another_workspaces_start_form_reaches_neither_this_ones_search_nor_council(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    checklist_id = answered_checklist(slack)
    search_id = row(slack, checklist_id).search_id
    before = rows(slack, *BACKCHANNEL_TABLES)
    # 1. Lena's start form, typed in her council channel, its select set to her search.
    view = open_start_modal(slack, slack.lena, slack.council)
    assert '"council"' in view["private_metadata"]
    quiet(slack)
    with intruder(slack, monkeypatch):
        answer = slack.driver.view_submission(
            user=slack.lena, view_id=view["id"], values=start_values(search_id=search_id)
        )
    assert answer.json is not None and answer.json["response_action"] == "errors", answer.body
    calls = sent(slack)
    assert [c for c in calls if c.method.startswith(("chat.", "views."))] == []
    assert_nothing_shown(calls, BACKCHANNEL_SECRETS)
    assert rows(slack, *BACKCHANNEL_TABLES) == before
    # 2. The same form for a new company: a checklist of the other workspace, which does
    # not take this workspace's council (from the form's metadata) as its own.
    view = open_start_modal(slack, slack.lena, slack.council)
    quiet(slack)
    with intruder(slack, monkeypatch):
        answer = slack.driver.view_submission(
            user=slack.lena, view_id=view["id"], values=start_values(company="Umbrella")
        )
    assert not (answer.json or {}).get("errors"), answer.body
    calls = sent(slack)
    assert_nothing_shown(calls, BACKCHANNEL_SECRETS)
    with Session(slack.engine) as session:
        theirs = session.exec(
            select(BackchannelChecklist).where(BackchannelChecklist.team_id == INTRUDER)
        ).one()
        ours = session.exec(
            select(BackchannelChecklist).where(BackchannelChecklist.team_id != INTRUDER)
        ).all()
    assert theirs.council_id is None
    assert [r.id for r in ours] == [checklist_id] and row(slack, checklist_id).council_id


def test_another_workspaces_home_and_follow_up_show_nothing_of_a_checklist(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event (App Home opened) shows none of the checklists; a follow-up reminder of
    another workspace naming this one's person sends nothing."""
    checklist_id = answered_checklist(slack)
    ines = people(slack, checklist_id)[2].id or 0  # asked, not answered yet
    with Session(slack.engine) as session:
        schedule(
            session,
            kind=REMINDER_FOLLOWUP,
            team_id=INTRUDER,
            user_id=slack.lena,
            due_at=slack.clock.now + timedelta(minutes=1),
            payload={"person": ines, "checklist": checklist_id},
        )
        session.commit()
    quiet(slack)
    before = rows(slack, BackchannelChecklist, BackchannelPerson, BackchannelShare)
    with intruder(slack, monkeypatch):
        slack.driver.app_home_opened(user=slack.lena)
    home = slack.standin.wait_for("views.publish")
    assert home.args["user_id"] == slack.lena
    slack.fast_forward(timedelta(minutes=2))  # well before this workspace's own follow-up
    calls = sent(slack)
    assert [c.method for c in calls if c.method.startswith("chat.")] == [], everything(calls)
    assert_nothing_shown(calls, BACKCHANNEL_SECRETS)
    assert rows(slack, BackchannelChecklist, BackchannelPerson, BackchannelShare) == before
    assert "Acme" not in json.dumps(home.args["view"])
