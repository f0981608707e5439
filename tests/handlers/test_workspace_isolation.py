"""One deployment, many workspaces: a request from another workspace never reaches this one's
data, even carrying this workspace's ids (draft, event, debrief, plan ids in button values,
modal metadata, command text).

The stand-in serves one workspace (T0COUNCIL). The data is made there through the real
flows; then the very same requests are sent again, signed, but claiming another team
(T0INTRUDER): `intruder` rewrites the team in every payload the driver sends. The member
is even the same one (the author herself), so only the workspace check stands between the
request and the data. Each test asserts the ordinary "gone / not yours" answer, that
nothing of the data appears in anything Slack received, and that the database is unchanged.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.features.debriefs.rules import REMINDER_GRATITUDE, REMINDER_PROMPT
from bot.features.debriefs.views import ACTION_CANCEL, ACTION_MOVE, ACTION_REPOST, ACTION_WRITE
from bot.features.feedback_requests.rules import DIGEST_KIND, NUDGE_KIND
from bot.features.feedback_requests.views import BLOCK_DATE, BLOCK_MEMBERS, BLOCK_TIME
from bot.features.missions.service import RERENDER_KIND, SHARE_LIVE_KIND
from bot.features.missions.views import (
    ACTION_EDIT,
    ACTION_QUESTIONS,
    ACTION_REQUEST,
    ACTION_VERSIONS,
    ACTION_WITHDRAW,
)
from bot.features.negotiation.views import (
    ACTION_CHECKLIST,
    ACTION_EDIT_LEG,
    ACTION_EDIT_MONEY,
    ACTION_OPEN,
    ACTION_SCHEDULE,
    ACTION_SHARE,
)
from bot.reminders.engine import schedule
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from storage.debriefs import Debrief, InterviewEvent
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    MissionDraft,
    MissionVersion,
    ReactionFeedback,
)
from storage.negotiation import NegotiationCompensation, NegotiationLeg, NegotiationPlan
from storage.reminders import Reminder
from tests.handlers.conftest import DRAFT_VALUES, MISSION_SECRETS, PostedDraft, post_draft
from tests.handlers.test_debriefs import (
    debrief_values,
    dms_to,
    event_values,
    forward_to,
    log_event,
    open_debrief_form,
    open_event_modal,
    show_list,
    slot,
)
from tests.handlers.test_negotiation import (
    leg_values,
    money_values,
    open_pick,
    open_plan,
    post_mission,
    press,
    save_leg,
    save_money,
)
from tests.plugins.intruder import (
    INTRUDER,
    answers,
    assert_nothing_shown,
    everything,
    forged_action,
    intruder,
    quiet,
    rows,
    sent,
)
from tests.plugins.slack import Slack

# --- helpers --------------------------------------------------------------------------------------


def click(slack: Slack, draft: PostedDraft, action_id: str, value: str | None = None) -> None:
    slack.driver.block_action(
        user=slack.noor,
        action_id=action_id,
        value=value or str(draft.draft_id),
        channel=draft.channel,
        message_ts=draft.ts,
    )


def latest_view(slack: Slack, method: str = "views.open") -> dict[str, Any]:
    found = slack.standin.calls_to(method)
    assert found and found[-1].ok, found[-1].describe() if found else method
    return dict(found[-1].response["view"])


# --- missions -------------------------------------------------------------------------------------

MISSION_TABLES = (MissionDraft, MissionVersion)


def test_another_workspace_clicking_a_drafts_buttons_is_told_it_is_gone_and_sees_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    revise(slack, draft)  # a second version: the message has "Earlier versions" now
    before = rows(slack, *MISSION_TABLES)
    quiet(slack)
    with intruder(slack, monkeypatch):
        for action in (ACTION_EDIT, ACTION_WITHDRAW, ACTION_QUESTIONS, ACTION_VERSIONS):
            click(slack, draft, action)
        slack.standin.wait_for("response_url", count=4)
    calls = sent(slack)
    replies = [c for c in calls if c.method == "response_url"]
    assert len(replies) == 4
    assert all("withdrawn" in str(r.args.get("text")) for r in replies), answers(calls)
    assert all(r.args.get("response_type", "ephemeral") == "ephemeral" for r in replies)
    assert_nothing_shown(calls, MISSION_SECRETS)
    assert rows(slack, *MISSION_TABLES) == before


def test_another_workspace_submitting_a_modal_naming_a_draft_changes_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    before = rows(slack, *MISSION_TABLES)
    quiet(slack)
    # The author opens the edit, then the withdraw modal in her workspace: their metadata
    # carries the draft's id. Each submission then claims the other workspace.
    click(slack, draft, ACTION_EDIT)
    slack.standin.wait_for("views.open")
    edit_view = latest_view(slack)
    assert str(draft.draft_id) in edit_view["private_metadata"]
    quiet(slack)
    values = {**DRAFT_VALUES, "mission": {"mission": payloads.plain("Rewritten elsewhere.")}}
    with intruder(slack, monkeypatch):
        edited = slack.driver.view_submission(
            user=slack.noor, view_id=edit_view["id"], values=values
        )
    assert edited.json is not None and edited.json["response_action"] == "errors"
    assert "withdrawn" in json.dumps(edited.json["errors"])
    calls = sent(slack)

    click(slack, draft, ACTION_WITHDRAW)
    slack.standin.wait_for("views.open")
    withdraw_view = latest_view(slack)
    assert str(draft.draft_id) in withdraw_view["private_metadata"]
    quiet(slack)
    with intruder(slack, monkeypatch):
        withdrawn = slack.driver.view_submission(
            user=slack.noor, view_id=withdraw_view["id"], values={}
        )
    assert withdrawn.status == 200
    calls += sent(slack)
    # The withdrawal is refused privately, as for a draft withdrawn meanwhile.
    notes = [c for c in calls if c.method == "chat.postMessage"]
    assert [n.args["channel"] for n in notes] == [slack.noor], everything(calls)
    assert "withdrawn" in str(notes[0].args["text"])
    assert_nothing_shown(calls, MISSION_SECRETS)
    assert "Rewritten elsewhere." not in everything(calls)
    assert rows(slack, *MISSION_TABLES) == before


def test_another_workspaces_reactions_and_home_never_touch_or_show_this_ones_drafts(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    before = rows(slack, *MISSION_TABLES, ReactionFeedback)
    quiet(slack)
    with intruder(slack, monkeypatch):
        slack.driver.react(user=slack.lena, channel=draft.channel, ts=draft.ts, name="+1")
        slack.driver.app_home_opened(user=slack.noor)
    home = slack.standin.wait_for("views.publish")
    calls = sent(slack)
    assert home.args["user_id"] == slack.noor
    assert_nothing_shown(calls, MISSION_SECRETS)
    assert [c.method for c in calls] == ["views.publish"]  # no tally re-rendered
    assert rows(slack, *MISSION_TABLES, ReactionFeedback) == before


def revise(slack: Slack, draft: PostedDraft) -> None:
    """The author edits her draft, in her own workspace."""
    seen = len(slack.standin.calls_to("views.open"))
    click(slack, draft, ACTION_EDIT)
    slack.standin.wait_for("views.open", count=seen + 1)
    values = {**DRAFT_VALUES, "mission": {"mission": payloads.plain("Make robots boring.")}}
    answer = slack.driver.view_submission(
        user=slack.noor, view_id=latest_view(slack)["id"], values=values
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    slack.settle()


# --- debriefs -------------------------------------------------------------------------------------

DEBRIEF_SECRETS = (
    "Globex",
    "Initech",
    "Dana (hiring manager)",
    "They loved the roadmap story",
    "Salary came up too early",
)
DEBRIEF_TABLES = (InterviewEvent, Debrief, Reminder)


def debriefed_and_upcoming(slack: Slack) -> tuple[int, int, int]:
    """Lena's debriefed Globex interview and her upcoming Initech one, logged and written
    through the real flows: (debriefed event id, its debrief id, upcoming event id)."""
    day, at, starts_at = slot(slack, days=1)
    done = log_event(slack, day=day, at=at, company="Globex", with_whom="Dana (hiring manager)")
    later_day, later_at, _ = slot(slack, days=5)
    upcoming = log_event(slack, day=later_day, at=later_at, company="Initech")
    forward_to(slack, starts_at + timedelta(hours=1))
    prompt = dms_to(slack, slack.lena)[-1]
    view_id = open_debrief_form(slack, slack.lena, prompt)
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values=debrief_values(
            "4", went_well="They loved the roadmap story", worries="Salary came up too early"
        ),
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    with Session(slack.engine) as session:
        debrief = session.exec(select(Debrief)).one()
    assert debrief.id is not None and debrief.message_ts is not None
    return done, debrief.id, upcoming


def test_another_workspace_naming_an_event_or_a_debrief_is_told_it_is_not_theirs(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    done, debrief_id, upcoming = debriefed_and_upcoming(slack)
    before = rows(slack, *DEBRIEF_TABLES)
    quiet(slack)
    for action_id, value in (
        (ACTION_MOVE, upcoming),
        (ACTION_CANCEL, upcoming),
        (ACTION_WRITE, upcoming),
        (ACTION_WRITE, done),
        (ACTION_REPOST, debrief_id),
    ):
        forged_action(slack, action_id=action_id, value=str(value))
    slack.standin.wait_for("response_url", count=5)
    # And the list, asked from the other workspace, holds nothing of this one.
    with intruder(slack, monkeypatch):
        slack.driver.command(
            user=slack.lena, channel=slack.council, command="/debrief", text="list"
        )
    slack.standin.wait_for("response_url", count=6)
    calls = sent(slack)
    replies = [str(c.args.get("text")) for c in calls if c.method == "response_url"]
    assert len(replies) == 6, replies
    assert all("isn't one of yours" in r for r in replies[:5]), replies
    assert_nothing_shown(calls, DEBRIEF_SECRETS)
    assert rows(slack, *DEBRIEF_TABLES) == before


def test_another_workspace_submitting_an_event_or_debrief_form_changes_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _done, _debrief_id, upcoming = debriefed_and_upcoming(slack)
    with Session(slack.engine) as session:
        event = session.get(InterviewEvent, upcoming)
        assert event is not None
        starts_at = event.starts_at
    # Lena's own forms, opened in her workspace, their metadata naming her council or the
    # upcoming event; each submitted claiming the other workspace.
    # 1. A new event, its metadata naming this workspace's council and channel.
    new_event = open_event_modal(slack, slack.lena)
    assert '"council"' in new_event["private_metadata"]
    day, at, _ = slot(slack, days=9)
    calls = intruding_submission(
        slack,
        monkeypatch,
        view_id=new_event["id"],
        values=event_values(day=day, at=at, company="Umbrella"),
        refusal="find that council",
    )
    # 2. Moving the upcoming event (from her list's button).
    listing = show_list(slack, slack.lena)
    quiet(slack)
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_MOVE,
        value=str(upcoming),
        channel=listing["channel"],
        message_ts=listing["ts"],
    )
    move_view = str(slack.standin.wait_for("views.open").response["view"]["id"])
    later_day, later_at, _ = slot(slack, days=10)
    calls += intruding_submission(
        slack,
        monkeypatch,
        view_id=move_view,
        values=event_values(day=later_day, at=later_at, company="Umbrella"),
        refusal="isn't one of yours",
    )
    # 3. The debrief form of the upcoming event, from its prompt once it happened.
    forward_to(slack, starts_at + timedelta(hours=1))
    prompt = dms_to(slack, slack.lena)[-1]
    debrief_view = open_debrief_form(slack, slack.lena, prompt)
    calls += intruding_submission(
        slack,
        monkeypatch,
        view_id=debrief_view,
        values=debrief_values("2", went_well="Written from elsewhere"),
        refusal="isn't one of yours",
    )
    assert_nothing_shown(calls, (*DEBRIEF_SECRETS, "Written from elsewhere", "Umbrella"))
    assert [c for c in calls if c.method == "chat.postMessage"] == []


def intruding_submission(
    slack: Slack,
    monkeypatch: pytest.MonkeyPatch,
    *,
    view_id: str,
    values: dict[str, Any],
    refusal: str,
) -> list[ApiCall]:
    """Submit Lena's open form claiming the other workspace: refused inline with
    `refusal`, no row of events, debriefs or reminders changed; what Slack received."""
    slack.settle()
    before = rows(slack, *DEBRIEF_TABLES)
    quiet(slack)
    with intruder(slack, monkeypatch):
        answer = slack.driver.view_submission(user=slack.lena, view_id=view_id, values=values)
    assert answer.json is not None and answer.json["response_action"] == "errors", answer.body
    assert refusal in json.dumps(answer.json["errors"])
    calls = sent(slack)
    assert rows(slack, *DEBRIEF_TABLES) == before
    slack.driver.view_closed(user=slack.lena, view_id=view_id)
    return calls


# --- negotiation ----------------------------------------------------------------------------------

NEGOTIATION_SECRETS = (
    "Acme Robotics",
    "Two more engineers by March",
    "185,000",
    "185000",
    "200k",
    "200000",
    "Cut deployment time",
)
NEGOTIATION_TABLES = (NegotiationPlan, NegotiationLeg, NegotiationCompensation)


def prepared_plan(slack: Slack) -> tuple[int, str]:
    """Lena's plan for Acme Robotics, with an ask and her numbers, made through the real
    flows: (plan id, the plan modal's view id)."""
    post_mission(slack, slack.lena)
    plan_view = open_plan(slack, slack.lena, company="Acme Robotics")
    assert "errors" not in save_leg(
        slack, slack.lena, plan_view, "resources", "Two more engineers by March", "asked"
    )
    assert "errors" not in save_money(slack, slack.lena, plan_view, "185,000", "200k")
    slack.settle()
    with Session(slack.engine) as session:
        plan = session.exec(select(NegotiationPlan)).one()
    assert plan.id is not None
    return plan.id, plan_view


def test_another_workspace_naming_a_negotiation_plan_is_told_it_is_not_theirs(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id, plan_view = prepared_plan(slack)
    before = rows(slack, *NEGOTIATION_TABLES)
    quiet(slack)
    for action_id, value in (
        (ACTION_OPEN, str(plan_id)),
        (ACTION_EDIT_LEG, f"{plan_id}:resources"),
        (ACTION_EDIT_MONEY, str(plan_id)),
        (ACTION_SHARE, str(plan_id)),
        (ACTION_SCHEDULE, str(plan_id)),
    ):
        forged_action(slack, action_id=action_id, value=value)
    slack.standin.wait_for("response_url", count=5)
    with intruder(slack, monkeypatch):
        # A tick in the plan modal: the plan's id is in the modal's metadata.
        slack.driver.block_action(
            user=slack.lena,
            action_id=ACTION_CHECKLIST,
            view_id=plan_view,
            selected_options=["live"],
        )
        slack.driver.command(
            user=slack.lena, channel=slack.council, command="/negotiate", text="list"
        )
    slack.standin.wait_for("response_url", count=6)
    calls = sent(slack)
    replies = [str(c.args.get("text")) for c in calls if c.method == "response_url"]
    refusals = [r for r in replies if "isn't one of yours" in r]
    assert len(refusals) == 5, replies  # the tick is refused the same way, in a DM
    dms = [c for c in calls if c.method == "chat.postMessage"]
    assert [d.args["channel"] for d in dms] == [slack.lena]
    assert "isn't one of yours" in str(dms[0].args["text"])
    assert_nothing_shown(calls, NEGOTIATION_SECRETS)
    assert rows(slack, *NEGOTIATION_TABLES) == before


def test_another_workspace_submitting_a_plans_forms_changes_and_shares_nothing(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plan_id, plan_view = prepared_plan(slack)
    before = rows(slack, *NEGOTIATION_TABLES)
    # Lena's own forms over her plan (the leg, the numbers, sharing), each pushed in her
    # workspace and submitted claiming the other one.
    submissions = (
        (ACTION_EDIT_LEG, "leg_resources", leg_values("Ask from elsewhere", "declined")),
        (ACTION_EDIT_MONEY, None, money_values("1", "2")),
        (
            ACTION_SHARE,
            None,
            {
                "note": {"note": payloads.plain("Shared from elsewhere")},
                "include_numbers": {"include_numbers": payloads.checkboxes(["include_numbers"])},
            },
        ),
    )
    calls: list[ApiCall] = []
    for action_id, block_id, values in submissions:
        quiet(slack)
        pushed = press(slack, slack.lena, plan_view, action_id, block_id=block_id)
        quiet(slack)
        with intruder(slack, monkeypatch):
            answer = slack.driver.view_submission(user=slack.lena, view_id=pushed, values=values)
        assert answer.json is not None and answer.json["response_action"] == "errors", answer.body
        assert "isn't one of yours" in json.dumps(answer.json["errors"])
        calls += sent(slack)
        slack.driver.view_closed(user=slack.lena, view_id=pushed)
    assert_nothing_shown(calls, (*NEGOTIATION_SECRETS, "from elsewhere"))
    assert [c for c in calls if c.method == "chat.postMessage"] == []
    assert rows(slack, *NEGOTIATION_TABLES) == before


# --- feedback requests ----------------------------------------------------------------------------

REQUEST_TABLES = (FeedbackRequest, FeedbackAsk, Reminder)


def test_another_workspace_cannot_request_feedback_on_a_draft_by_its_id(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    before = rows(slack, *REQUEST_TABLES)
    quiet(slack)
    with intruder(slack, monkeypatch):
        click(slack, draft, ACTION_REQUEST)
    reply = slack.standin.wait_for("response_url")
    assert "withdrawn" in str(reply.args["text"])
    calls = sent(slack)
    assert_nothing_shown(calls, MISSION_SECRETS)
    # The author's own request modal (its metadata names the draft), submitted from the
    # other workspace: refused inline, nothing stored, scheduled or posted.
    quiet(slack)
    click(slack, draft, ACTION_REQUEST)
    request_view = str(slack.standin.wait_for("views.open").response["view"]["id"])
    quiet(slack)
    values = {
        BLOCK_DATE: {BLOCK_DATE: payloads.datepicker(_tomorrow(slack))},
        BLOCK_TIME: {BLOCK_TIME: payloads.timepicker("18:00")},
        BLOCK_MEMBERS: {BLOCK_MEMBERS: payloads.users([slack.lena])},
    }
    with intruder(slack, monkeypatch):
        answer = slack.driver.view_submission(user=slack.noor, view_id=request_view, values=values)
    assert answer.json is not None and answer.json["response_action"] == "errors", answer.body
    assert "withdrawn" in json.dumps(answer.json["errors"])
    calls = sent(slack)
    assert_nothing_shown(calls, MISSION_SECRETS)
    assert [c for c in calls if c.method == "chat.postMessage"] == []
    assert rows(slack, *REQUEST_TABLES) == before


def _tomorrow(slack: Slack) -> str:
    return (slack.clock.now + timedelta(days=1)).date().isoformat()


# --- reminders ------------------------------------------------------------------------------------


def test_a_reminder_of_another_workspace_naming_this_ones_rows_sends_nothing(
    slack: Slack,
) -> None:
    """Senders run outside any request, with the reminder's own workspace's client: a
    reminder of another workspace whose payload names this workspace's draft, request or
    event (a bug, a restored backup) is moot, and says nothing of them to anyone."""
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    values = {
        BLOCK_DATE: {BLOCK_DATE: payloads.datepicker(_tomorrow(slack))},
        BLOCK_TIME: {BLOCK_TIME: payloads.timepicker("18:00")},
        BLOCK_MEMBERS: {BLOCK_MEMBERS: payloads.users([slack.lena])},
    }
    quiet(slack)
    click(slack, draft, ACTION_REQUEST)
    request_view = str(slack.standin.wait_for("views.open").response["view"]["id"])
    answer = slack.driver.view_submission(user=slack.noor, view_id=request_view, values=values)
    assert not (answer.json or {}).get("errors"), answer.body
    day, at, _starts_at = slot(slack, days=3)
    event_id = log_event(slack, day=day, at=at, company="Globex")
    slack.settle()
    with Session(slack.engine) as session:
        request = session.exec(select(FeedbackRequest)).one()
        ours = {r.id for r in session.exec(select(Reminder)).all()}
        due = slack.clock.now + timedelta(minutes=1)
        for kind, user, payload in (
            (DIGEST_KIND, slack.noor, {"request": request.id}),
            (NUDGE_KIND, slack.lena, {"request": request.id}),
            (REMINDER_PROMPT, slack.lena, {"event": event_id, "revision": 1}),
            (REMINDER_GRATITUDE, slack.lena, {"event": event_id, "revision": 1}),
            (RERENDER_KIND, slack.noor, {"draft": draft.draft_id}),
            (SHARE_LIVE_KIND, slack.noor, {"draft": draft.draft_id, "search": 0}),
        ):
            schedule(
                session, kind=kind, team_id=INTRUDER, user_id=user, due_at=due, payload=payload
            )
        session.commit()
    before = rows(slack, MissionDraft, FeedbackRequest, FeedbackAsk, InterviewEvent)
    quiet(slack)
    slack.fast_forward(timedelta(minutes=2))
    calls = sent(slack)
    assert [c.method for c in calls if c.method.startswith("chat.")] == [], everything(calls)
    assert_nothing_shown(calls, (*MISSION_SECRETS, "Globex"))
    assert rows(slack, MissionDraft, FeedbackRequest, FeedbackAsk, InterviewEvent) == before
    with Session(slack.engine) as session:
        forged = [r for r in session.exec(select(Reminder)).all() if r.id not in ours]
    assert len(forged) == 6 and all(r.team_id == INTRUDER for r in forged)


def test_a_plan_opened_from_another_workspace_never_remembers_this_ones_council_channel(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pick form's metadata names the council channel the plan will be shared to:
    submitted claiming another workspace, that workspace gets its own plan, remembering no
    channel of this one (so nothing of it can ever be posted here)."""
    post_mission(slack, slack.lena)
    pick = open_pick(slack, slack.lena)
    assert slack.council in pick["private_metadata"]
    assert rows(slack, NegotiationPlan) == [[]]
    quiet(slack)
    with intruder(slack, monkeypatch):
        answer = slack.driver.view_submission(
            user=slack.lena,
            view_id=pick["id"],
            values={"company": {"company": payloads.plain("Umbrella")}},
        )
    assert answer.json is not None and answer.json["response_action"] == "update", answer.body
    calls = sent(slack)
    assert_nothing_shown(calls, NEGOTIATION_SECRETS)
    assert "Acme Robotics" not in json.dumps(answer.json["view"])
    with Session(slack.engine) as session:
        [plan] = session.exec(select(NegotiationPlan)).all()
    assert plan.team_id == INTRUDER
    assert plan.council_id is None and plan.channel_id is None
