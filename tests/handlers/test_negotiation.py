"""`/negotiate` end to end: signed requests in, what Slack received and the database holds out.

Lena (Europe/Berlin in the demo workspace) has an offer from Acme Robotics, where her job
mission has two objectives. She prepares the four legs in a private modal, asks her
council to review it, and schedules the call through `/debrief`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.features.debriefs.rules import REMINDER_GRATITUDE, REMINDER_PROMPT
from bot.features.missions.views import ACTION_ADD_OBJECTIVE
from bot.features.negotiation.views import (
    ACTION_CHECKLIST,
    ACTION_EDIT_LEG,
    ACTION_EDIT_MONEY,
    ACTION_OPEN,
    ACTION_SCHEDULE,
    ACTION_SHARE,
)
from bot.platform.timezones import to_utc
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall
from handlers.common import forget_channel_facts
from storage.debriefs import InterviewEvent
from storage.missions import MissionDraft, MissionVersion, Objective
from storage.negotiation import NegotiationCompensation, NegotiationLeg, NegotiationPlan
from storage.reminders import Reminder
from storage.searches import Search
from tests.plugins.slack import Slack

BERLIN = "Europe/Berlin"
OFFER, TARGET = "185,000", "200k"
SECRET_DIGITS = ("185", "200", "USD")  # none of these may reach a post without the box


# --- helpers --------------------------------------------------------------------------------------


def eventually(check: Callable[[], bool], *, timeout: float = 5.0) -> None:
    waited = 0.0
    while not check():
        if waited > timeout:
            raise AssertionError("condition not reached in time")
        threading.Event().wait(0.02)
        waited += 0.02


def mrkdwn_of(call: ApiCall) -> str:
    """Everything Slack parses for mentions: the top-level text and every mrkdwn object."""
    found: list[str] = [str(call.args.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.args.get("blocks"))
    return "\n".join(found)


def flat(thing: Any) -> str:
    return json.dumps(thing, ensure_ascii=False)


def _latest(slack: Slack, method: str, seen: int, **options: Any) -> ApiCall:
    found = slack.standin.wait_for(method, count=seen + 1, **options)
    call = found[-1] if isinstance(found, list) else found
    assert call.ok, call.describe()
    return call


def post_mission(slack: Slack, user: str, company: str = "Acme Robotics") -> int:
    """A job mission with two objectives, through `/mission` and its modal; the draft id."""
    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=user, channel=slack.council, command="/mission")
    view_id = _latest(slack, "views.open", seen).response["view"]["id"]
    updates = len(slack.standin.calls_to("views.update"))
    slack.driver.block_action(user=user, action_id=ACTION_ADD_OBJECTIVE, view_id=view_id)
    _latest(slack, "views.update", updates)
    posts = len(slack.standin.calls_to("chat.postMessage"))
    answer = slack.driver.view_submission(
        user=user,
        view_id=view_id,
        values={
            "company": {"company": payloads.plain(company)},
            "role": {"role": payloads.plain("Head of Product")},
            "stage": {"stage": payloads.static_select("offer")},
            "mission": {"mission": payloads.plain("Make warehouse robots easy to deploy.")},
            "objective_1": {"objective_1": payloads.plain("Cut deployment time")},
            "krs_1": {"krs_1": payloads.plain("Deploy a site in 5 days, down from 30")},
            "objective_2": {"objective_2": payloads.plain("Make releases boring")},
            "krs_2": {"krs_2": payloads.plain("Ship weekly with under 2% rollbacks")},
        },
    )
    assert not (answer.json or {}).get("errors"), answer.body
    _latest(slack, "chat.postMessage", posts)
    with Session(slack.engine) as session:
        draft = session.exec(select(MissionDraft).where(MissionDraft.author_id == user)).all()[-1]
    assert draft.id is not None
    return draft.id


def objectives_of(slack: Slack, draft_id: int) -> list[Objective]:
    with Session(slack.engine) as session:
        draft = session.get(MissionDraft, draft_id)
        assert draft is not None
        version = session.exec(
            select(MissionVersion).where(
                MissionVersion.draft_id == draft_id,
                MissionVersion.number == draft.current_version,
            )
        ).one()
        return list(
            session.exec(
                select(Objective)
                .where(Objective.version_id == version.id)
                .order_by(col(Objective.position))
            ).all()
        )


def search_id_of(slack: Slack, user: str, company: str) -> int:
    with Session(slack.engine) as session:
        search = session.exec(
            select(Search).where(Search.user_id == user, Search.company == company)
        ).one()
    assert search.id is not None
    return search.id


def open_pick(slack: Slack, user: str, channel: str | None = None) -> dict[str, Any]:
    seen = len(slack.standin.calls_to("views.open"))
    answer = slack.driver.command(user=user, channel=channel or slack.council, command="/negotiate")
    assert answer.status == 200
    view = _latest(slack, "views.open", seen).response["view"]
    assert view["callback_id"] == "negotiation_pick"
    return view


def open_plan(
    slack: Slack,
    user: str,
    *,
    company: str | None = None,
    search_id: int | None = None,
    channel: str | None = None,
) -> str:
    """`/negotiate`, pick the company, and return the plan modal's view id."""
    view = open_pick(slack, user, channel)
    values: dict[str, Any] = {"company": {"company": payloads.plain(company)}}
    if search_id is not None:
        values["search"] = {"search": payloads.static_select(str(search_id))}
    answer = slack.driver.view_submission(user=user, view_id=view["id"], values=values)
    assert answer.json is not None and answer.json.get("response_action") == "update", answer.body
    assert answer.json["view"]["callback_id"] == "negotiation_plan"
    return str(view["id"])


def plan_view(slack: Slack, view_id: str) -> dict[str, Any]:
    return slack.workspace.get_view(view_id)


def press(
    slack: Slack, user: str, view_id: str, action_id: str, block_id: str | None = None
) -> str:
    """Press a button in the plan modal; the id of the view it pushed."""
    seen = len(slack.standin.calls_to("views.push"))
    slack.driver.block_action(user=user, action_id=action_id, block_id=block_id, view_id=view_id)
    return str(_latest(slack, "views.push", seen).response["view"]["id"])


def submit_and_refresh(
    slack: Slack, user: str, pushed: str, values: dict[str, Any], plan: str
) -> dict[str, Any]:
    """Submit a pushed view; wait for the plan beneath to be refreshed (or the errors)."""
    seen = len([c for c in slack.standin.calls_to("views.update") if c.args.get("view_id") == plan])
    answer = slack.driver.view_submission(user=user, view_id=pushed, values=values)
    assert answer.status == 200
    result = answer.json or {}
    if result.get("response_action") != "errors":
        _latest(slack, "views.update", seen, predicate=lambda c: c.args.get("view_id") == plan)
    return result


def leg_values(ask: str | None, status: str, objective: int | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "ask": {"ask": payloads.plain(ask)},
        "status": {"status": payloads.radio(status)},
    }
    if objective is not None:
        values["objective"] = {"objective": payloads.static_select(str(objective))}
    return values


def save_leg(
    slack: Slack,
    user: str,
    plan: str,
    leg: str,
    ask: str | None,
    status: str,
    objective: int | None = None,
) -> dict[str, Any]:
    pushed = press(slack, user, plan, ACTION_EDIT_LEG, block_id=f"leg_{leg}")
    return submit_and_refresh(slack, user, pushed, leg_values(ask, status, objective), plan)


def money_values(offer: str | None, target: str | None, currency: str = "USD") -> dict[str, Any]:
    return {
        "currency": {"currency": payloads.static_select(currency)},
        "offer": {"offer": payloads.plain(offer)},
        "target": {"target": payloads.plain(target)},
    }


def save_money(
    slack: Slack, user: str, plan: str, offer: str | None, target: str | None
) -> dict[str, Any]:
    pushed = press(slack, user, plan, ACTION_EDIT_MONEY)
    return submit_and_refresh(slack, user, pushed, money_values(offer, target), plan)


def share(
    slack: Slack, user: str, plan: str, *, numbers: bool, note: str | None = None
) -> dict[str, Any]:
    pushed = press(slack, user, plan, ACTION_SHARE)
    values: dict[str, Any] = {"note": {"note": payloads.plain(note)}}
    shown = slack.workspace.get_view(pushed)
    if "include_numbers" in flat(shown["blocks"]):
        chosen = ["include_numbers"] if numbers else []
        values["include_numbers"] = {"include_numbers": payloads.checkboxes(chosen)}
    answer = slack.driver.view_submission(user=user, view_id=pushed, values=values)
    assert answer.status == 200
    return answer.json or {}


def council_posts(slack: Slack) -> list[ApiCall]:
    return [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == slack.council
    ]


def the_plan(slack: Slack, user: str) -> NegotiationPlan:
    with Session(slack.engine) as session:
        return session.exec(select(NegotiationPlan).where(NegotiationPlan.user_id == user)).one()


def legs_of(slack: Slack, plan_id: int) -> dict[str, NegotiationLeg]:
    with Session(slack.engine) as session:
        rows = session.exec(select(NegotiationLeg).where(NegotiationLeg.plan_id == plan_id)).all()
    return {row.leg: row for row in rows}


def home_of(slack: Slack, user: str) -> str:
    seen = len(slack.standin.calls_to("views.publish"))
    slack.driver.app_home_opened(user=user)
    return flat(_latest(slack, "views.publish", seen).args["view"])


@pytest.fixture
def mission(slack: Slack) -> tuple[int, list[Objective]]:
    """Lena's job mission for Acme Robotics (two objectives); calls recorded so far cleared."""
    draft_id = post_mission(slack, slack.lena)
    objectives = objectives_of(slack, draft_id)
    assert [o.text for o in objectives] == ["Cut deployment time", "Make releases boring"]
    slack.standin.clear_calls()
    return draft_id, objectives


# --- the plan -------------------------------------------------------------------------------------


def test_a_full_plan_across_the_four_legs_tied_to_mission_objectives(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    _, (deploy, releases) = mission
    lena = slack.lena
    pick = open_pick(slack, lena)
    assert "Acme Robotics" in flat(pick["blocks"])  # her search, in the select
    search_id = search_id_of(slack, lena, "Acme Robotics")
    answer = slack.driver.view_submission(
        user=lena,
        view_id=pick["id"],
        values={
            "search": {"search": payloads.static_select(str(search_id))},
            "company": {"company": payloads.plain(None)},
        },
    )
    assert answer.json is not None and answer.json["response_action"] == "update"
    plan = str(pick["id"])
    shown = flat(plan_view(slack, plan)["blocks"])
    assert "Acme Robotics" in shown and "version 1 of your job mission" in shown
    assert "Red flag" not in shown
    for leg in ("Resources", "Team development", "Mentorship"):
        assert leg in shown

    # Each success-factor leg: the ask, the objective it serves, where it stands.
    pushed = press(slack, lena, plan, ACTION_EDIT_LEG, block_id="leg_resources")
    modal = flat(slack.workspace.get_view(pushed))
    assert "O1. Cut deployment time" in modal and "O2. Make releases boring" in modal
    submit_and_refresh(
        slack,
        lena,
        pushed,
        leg_values("A budget to retire the legacy deploy scripts in Q1", "asked", deploy.id),
        plan,
    )
    save_leg(slack, lena, plan, "team", "Two SREs and a designer by Q2", "committed", releases.id)
    save_leg(slack, lena, plan, "mentorship", "A mentor on the exec team", "not_asked")

    # Then the money, with the forms members really type.
    assert save_money(slack, lena, plan, OFFER, TARGET) == {}
    shown = flat(plan_view(slack, plan)["blocks"])
    assert "A budget to retire the legacy deploy scripts in Q1" in shown
    assert "Serves: O1. Cut deployment time" in shown
    assert "Serves: O2. Make releases boring" in shown
    assert "They committed" in shown and "Asked, waiting to hear" in shown
    assert "185,000 USD" in shown and "200,000 USD" in shown and "8% above the offer" in shown
    assert "would you be open to 200,000 USD?" in shown  # the collaborative script
    assert "87%" in shown
    assert "Red flag" not in shown

    # The checklist before the call.
    checklist = plan_view(slack, plan)
    assert "not by email" in flat(checklist) and "hiring manager" in flat(checklist)
    slack.driver.block_action(
        user=lena,
        action_id=ACTION_CHECKLIST,
        view_id=plan,
        selected_options=["enthusiasm", "live"],
    )
    eventually(lambda: json.loads(the_plan(slack, lena).checklist) == ["enthusiasm", "live"])

    stored = the_plan(slack, lena)
    assert stored.search_id == search_id and stored.channel_id == slack.council
    legs = legs_of(slack, stored.id or 0)
    assert legs["resources"].objective_id == deploy.id and legs["resources"].status == "asked"
    assert legs["team"].objective_id == releases.id and legs["team"].status == "committed"
    assert legs["mentorship"].objective_id is None and legs["mentorship"].status == "not_asked"
    with Session(slack.engine) as session:
        money = session.get(NegotiationCompensation, stored.id)
    assert money is not None and (money.offer, money.target, money.currency) == (
        185_000,
        200_000,
        "USD",
    )
    # Nothing went to any channel: the plan is private.
    assert council_posts(slack) == []
    assert slack.standin.calls_to("chat.postEphemeral") == []
    # Home lists the plan, without the numbers.
    home = home_of(slack, lena)
    assert "Negotiation plans" in home and "Acme Robotics" in home
    assert "185,000" not in home and "200,000" not in home


def test_reopening_keeps_one_plan_per_search(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    plan = open_plan(slack, slack.lena, company="acme  robotics")  # typed, matched
    save_leg(slack, slack.lena, plan, "resources", "Tooling budget", "asked")
    again = open_plan(slack, slack.lena, search_id=search_id_of(slack, slack.lena, "Acme Robotics"))
    assert "Tooling budget" in flat(plan_view(slack, again)["blocks"])
    with Session(slack.engine) as session:
        assert len(session.exec(select(NegotiationPlan)).all()) == 1
        assert len(session.exec(select(Search).where(Search.user_id == slack.lena)).all()) == 1


def test_the_red_flag_when_every_ask_that_was_made_is_declined(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    lena = slack.lena
    plan = open_plan(slack, lena, company="Acme Robotics")
    save_leg(slack, lena, plan, "resources", "A budget for tech debt", "declined")
    save_leg(slack, lena, plan, "team", "A design lead", "asked")
    assert "Red flag" not in flat(plan_view(slack, plan)["blocks"])  # one still open
    save_leg(slack, lena, plan, "team", "A design lead", "declined")
    shown = flat(plan_view(slack, plan)["blocks"])
    assert "Red flag" in shown and "council" in shown
    assert "Red flag" in home_of(slack, lena)
    # One commitment takes the flag down again.
    save_leg(slack, lena, plan, "mentorship", "Two conferences a year", "committed")
    assert "Red flag" not in flat(plan_view(slack, plan)["blocks"])
    assert "Red flag" not in home_of(slack, lena)


def test_bad_numbers_get_inline_errors_and_nothing_is_stored(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    lena = slack.lena
    plan = open_plan(slack, lena, company="Acme Robotics")
    pushed = press(slack, lena, plan, ACTION_EDIT_MONEY)
    answer = slack.driver.view_submission(
        user=lena, view_id=pushed, values=money_values("a lot", "-5000")
    )
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "couldn't read" in answer.json["errors"]["offer"]
    assert "negative" in answer.json["errors"]["target"]
    answer = slack.driver.view_submission(
        user=lena, view_id=pushed, values=money_values("185k", "150,000")
    )
    assert answer.json is not None
    assert set(answer.json["errors"]) == {"target"} and "below" in answer.json["errors"]["target"]
    with Session(slack.engine) as session:
        assert session.exec(select(NegotiationCompensation)).all() == []
    # The same modal, corrected: saved.
    result = submit_and_refresh(slack, lena, pushed, money_values("185k", "1.2m", "EUR"), plan)
    assert result == {}
    assert "1,200,000 EUR" in flat(plan_view(slack, plan)["blocks"])


def test_bad_asks_get_inline_errors(slack: Slack, mission: tuple[int, list[Objective]]) -> None:
    lena = slack.lena
    plan = open_plan(slack, lena, company="Acme Robotics")
    pushed = press(slack, lena, plan, ACTION_EDIT_LEG, block_id="leg_team")
    answer = slack.driver.view_submission(
        user=lena, view_id=pushed, values=leg_values("x" * 301, "asked")
    )
    assert answer.json is not None and "300" in answer.json["errors"]["ask"]
    answer = slack.driver.view_submission(
        user=lena, view_id=pushed, values=leg_values(None, "committed")
    )
    assert answer.json is not None and "ask" in answer.json["errors"]
    assert legs_of(slack, the_plan(slack, lena).id or 0)["team"].status == "not_asked"


# --- sharing with the council ---------------------------------------------------------------------


def _prepared(slack: Slack) -> str:
    lena = slack.lena
    plan = open_plan(slack, lena, company="Acme Robotics")
    save_leg(slack, lena, plan, "resources", "A budget to retire legacy deploys", "declined")
    save_leg(slack, lena, plan, "team", "Two more SREs", "declined")
    save_money(slack, lena, plan, OFFER, TARGET)
    return plan


def test_sharing_without_numbers_leaks_no_numbers(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    plan = _prepared(slack)
    pushed_before = len(slack.standin.calls_to("views.push"))
    answer = share(slack, slack.lena, plan, numbers=False, note="Is the SRE ask too much?")
    assert answer == {}, answer
    (posted,) = council_posts(slack)
    sent = mrkdwn_of(posted)
    everything = flat(posted.args)
    for secret in SECRET_DIGITS:
        assert secret not in everything, secret
    assert "A budget to retire legacy deploys" in sent and "Two more SREs" in sent
    assert "Is the SRE ask too much?" in sent
    assert "Red flag" in sent  # every ask so far was declined
    assert "<@U0LENA0002>" in sent and "private" in sent
    assert "feedback in the thread" in sent
    eventually(lambda: the_plan(slack, slack.lena).shared_ts == posted.response["ts"])
    eventually(lambda: "Posted to" in flat(plan_view(slack, plan)["blocks"]))
    # The share form offered the numbers unticked.
    share_view = slack.standin.calls_to("views.push")[pushed_before]
    assert "initial_options" not in flat(share_view.args["view"])


def test_sharing_with_numbers_when_the_member_ticks_the_box(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    plan = _prepared(slack)
    assert share(slack, slack.lena, plan, numbers=True) == {}
    (posted,) = council_posts(slack)
    sent = mrkdwn_of(posted)
    assert "185,000 USD" in sent and "200,000 USD" in sent


def test_a_slack_error_while_sharing_keeps_the_plan_and_tells_the_member(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    plan = _prepared(slack)
    council = slack.workspace.channels[slack.council]
    council.members.discard(slack.workspace.bot_user_id)  # someone removed the bot
    pushed = press(slack, slack.lena, plan, ACTION_SHARE)
    values = {"note": {"note": payloads.plain("Thoughts?")}}
    answer = slack.driver.view_submission(user=slack.lena, view_id=pushed, values=values)
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "couldn't post" in answer.json["errors"]["note"]
    assert "saved" in answer.json["errors"]["note"]
    assert the_plan(slack, slack.lena).shared_ts is None
    assert len(legs_of(slack, the_plan(slack, slack.lena).id or 0)) == 3
    council.members.add(slack.workspace.bot_user_id)
    again = slack.driver.view_submission(user=slack.lena, view_id=pushed, values=values)
    assert again.json is None or not again.json.get("errors")
    assert len(council_posts(slack)) == 1


def test_a_plan_is_not_shared_into_a_council_channel_made_public(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    plan = _prepared(slack)
    council = slack.workspace.channels[slack.council]
    council.is_private = False
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    pushed = press(slack, slack.lena, plan, ACTION_SHARE)
    values = {"note": {"note": payloads.plain("Thoughts?")}}
    answer = slack.driver.view_submission(user=slack.lena, view_id=pushed, values=values)
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "public" in answer.json["errors"]["note"]  # said why; the form, her note, stay
    assert council_posts(slack) == [] and the_plan(slack, slack.lena).shared_ts is None
    council.is_private = True
    forget_channel_facts(slack.runtime.services, channel_id=slack.council)
    again = slack.driver.view_submission(user=slack.lena, view_id=pushed, values=values)
    assert again.json is None or not again.json.get("errors")
    assert len(council_posts(slack)) == 1


def test_a_rate_limited_share_is_answered_at_once_and_posts_once_when_sent_again(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    plan = _prepared(slack)
    pushed = press(slack, slack.lena, plan, ACTION_SHARE)
    values = {"note": {"note": payloads.plain("Thoughts?")}}
    slack.standin.fail_next("chat.postMessage", kind="ratelimited", retry_after=5)
    started = monotonic()
    answer = slack.driver.view_submission(user=slack.lena, view_id=pushed, values=values)
    assert monotonic() - started < 3  # acked in Slack's time, not after a 5 s Retry-After
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "ratelimited" in answer.json["errors"]["note"]
    assert council_posts(slack) == [] and the_plan(slack, slack.lena).shared_ts is None
    again = slack.driver.view_submission(user=slack.lena, view_id=pushed, values=values)
    assert again.json is None or not again.json.get("errors")
    assert len(council_posts(slack)) == 1


def test_channel_mentions_are_escaped_everywhere(slack: Slack) -> None:
    lena = slack.lena
    plan = open_plan(slack, lena, company="<!channel> Corp")
    save_leg(slack, lena, plan, "resources", "<!here> a budget <@U0MAYA0004>", "asked")
    shown = flat(plan_view(slack, plan)["blocks"])
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert share(slack, lena, plan, numbers=False, note="<!everyone> please") == {}
    (posted,) = council_posts(slack)
    sent = mrkdwn_of(posted)
    for dangerous in ("<!channel>", "<!here>", "<!everyone>", "<@U0MAYA0004>"):
        assert dangerous not in sent
    assert "&lt;!here&gt;" in sent and "&lt;!everyone&gt;" in sent


# --- scheduling the call through /debrief ---------------------------------------------------------


def test_schedule_the_call_opens_the_debrief_modal_prefilled_and_titled_a_negotiation(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    lena = slack.lena
    plan = open_plan(slack, lena, company="Acme Robotics")
    search_id = search_id_of(slack, lena, "Acme Robotics")
    pushed = press(slack, lena, plan, ACTION_SCHEDULE)
    view = slack.workspace.get_view(pushed)
    assert view["callback_id"] == "debrief_event_new"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["kind"]["element"]["initial_option"]["value"] == "negotiation"
    assert blocks["search"]["element"]["initial_option"]["value"] == str(search_id)
    assert view["title"]["text"] == "Log a negotiation"  # not "Log an interview"
    day: date = slack.clock.now.astimezone(ZoneInfo(BERLIN)).date() + timedelta(days=2)
    starts_at = to_utc(day, time(15, 0), BERLIN)
    ephemerals = len(slack.standin.calls_to("chat.postEphemeral"))
    answer = slack.driver.view_submission(
        user=lena,
        view_id=pushed,
        values={
            "search": {"search": payloads.static_select(str(search_id))},
            "company": {"company": payloads.plain(None)},
            "kind": {"kind": payloads.static_select("negotiation")},
            "date": {"date": payloads.datepicker(day.isoformat())},
            "time": {"time": payloads.timepicker("15:00")},
            "with_whom": {"with_whom": payloads.plain("Dana, the hiring manager")},
            "partners": {"partners": payloads.users([])},
        },
    )
    assert not (answer.json or {}).get("errors"), answer.body
    note = _latest(slack, "chat.postEphemeral", ephemerals)
    assert note.args["channel"] == slack.council and "Negotiation" in flat(note.args)
    with Session(slack.engine) as session:
        event = session.exec(select(InterviewEvent)).one()
        reminders = session.exec(select(Reminder).where(Reminder.subject == f"event:{event.id}"))
        kinds = {r.kind for r in reminders}
    assert event.kind == "negotiation" and event.search_id == search_id
    assert event.starts_at == starts_at and event.channel_id == slack.council
    assert {REMINDER_GRATITUDE, REMINDER_PROMPT} <= kinds
    # The plan modal is still there beneath, open.
    assert [v["id"] for v in slack.workspace.modal_stack(lena)] == [plan]


# --- where it works, and subcommands --------------------------------------------------------------


def test_a_plan_started_in_a_dm_shares_in_the_mission_drafts_channel(
    slack: Slack, mission: tuple[int, list[Objective]]
) -> None:
    dm, _ = slack.workspace.open_im(slack.lena)
    plan = open_plan(slack, slack.lena, company="Acme Robotics", channel=dm.id)
    assert the_plan(slack, slack.lena).channel_id is None
    assert share(slack, slack.lena, plan, numbers=False) == {}
    assert len(council_posts(slack)) == 1


def test_without_any_council_sharing_and_scheduling_explain_the_next_step(slack: Slack) -> None:
    dm, _ = slack.workspace.open_im(slack.lena)
    plan = open_plan(slack, slack.lena, company="Globex", channel=dm.id)
    for action in (ACTION_SHARE, ACTION_SCHEDULE):
        pushed = press(slack, slack.lena, plan, action)
        shown = slack.workspace.get_view(pushed)
        assert shown["callback_id"] == "negotiation_notice"
        assert "council's private channel" in flat(shown)
    assert council_posts(slack) == []


def test_negotiate_in_a_public_channel_explains_where_it_works(slack: Slack) -> None:
    slack.driver.command(user=slack.lena, channel=slack.public_channel, command="/negotiate")
    reply = slack.standin.wait_for("response_url")
    assert "direct message" in flat(reply.args) and "private channel" in flat(reply.args)
    assert slack.standin.calls_to("views.open") == []


@pytest.mark.parametrize("where", ["council", "dm"])
def test_help_explains_the_four_legs_privately(slack: Slack, where: str) -> None:
    channel = slack.council if where == "council" else slack.workspace.open_im(slack.lena)[0].id
    slack.driver.command(user=slack.lena, channel=channel, command="/negotiate", text="help")
    reply = slack.standin.wait_for("response_url")
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    text = flat(reply.args)
    for words in ("Resources", "Team development", "Mentorship", "87%", "/negotiate list"):
        assert words in text


def test_an_unknown_subcommand_gets_help(slack: Slack) -> None:
    slack.driver.command(user=slack.lena, channel=slack.council, command="/negotiate", text="zap")
    reply = slack.standin.wait_for("response_url")
    assert "zap" in reply.args["text"] and "/negotiate list" in flat(reply.args)


def test_list_shows_plans_and_opens_one(slack: Slack, mission: tuple[int, list[Objective]]) -> None:
    plan = open_plan(slack, slack.lena, company="Acme Robotics")
    save_leg(slack, slack.lena, plan, "resources", "Budget", "declined")
    slack.driver.view_closed(user=slack.lena, view_id=plan)
    seen = len(slack.standin.calls_to("response_url"))
    slack.driver.command(user=slack.lena, channel=slack.council, command="/negotiate", text="list")
    slack.standin.wait_for("response_url", count=seen + 1)
    (listing,) = [
        e for e in slack.workspace.ephemerals_for(slack.lena) if "Your negotiation plans" in flat(e)
    ]
    assert "Acme Robotics" in flat(listing) and "Red flag" in flat(listing)
    opens = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_OPEN,
        channel=listing["channel"],
        message_ts=listing["ts"],
    )
    opened = _latest(slack, "views.open", opens)
    assert opened.args["view"]["callback_id"] == "negotiation_plan"
    assert "Budget" in flat(opened.args["view"])


def test_list_is_empty_and_kind_before_any_plan(slack: Slack) -> None:
    slack.driver.command(user=slack.lena, channel=slack.council, command="/negotiate", text="list")
    reply = slack.standin.wait_for("response_url")
    assert "No plans yet" in flat(reply.args)


def test_only_the_owner_can_open_a_plan(slack: Slack) -> None:
    plan = open_plan(slack, slack.lena, company="Globex")
    save_money(slack, slack.lena, plan, OFFER, TARGET)
    plan_id = the_plan(slack, slack.lena).id
    dm, _ = slack.workspace.open_im(slack.maya)
    fake = slack.workspace.add_message(
        dm.id,
        text="x",
        as_bot=True,
        blocks=[
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ACTION_OPEN,
                        "text": {"type": "plain_text", "text": "Open"},
                        "value": str(plan_id),
                    }
                ],
            }
        ],
    )
    opens = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.maya, action_id=ACTION_OPEN, channel=dm.id, message_ts=fake.ts
    )
    refusal = slack.standin.wait_for("response_url")
    assert "isn't one of yours" in str(refusal.args.get("text"))
    assert len(slack.standin.calls_to("views.open")) == opens
    assert "185" not in flat(refusal.args)


def test_the_home_button_opens_the_plan(slack: Slack) -> None:
    plan = open_plan(slack, slack.lena, company="Globex")
    slack.driver.view_closed(user=slack.lena, view_id=plan)
    home_of(slack, slack.lena)
    opens = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_OPEN,
        view_id=slack.workspace.home_view(slack.lena)["id"],
    )
    opened = _latest(slack, "views.open", opens)
    assert opened.args["view"]["callback_id"] == "negotiation_plan"
    assert "Globex" in flat(opened.args["view"])


def test_when_slack_refuses_to_open_a_form_the_member_is_told_and_nothing_is_lost(
    slack: Slack,
) -> None:
    lena = slack.lena
    plan = open_plan(slack, lena, company="Globex")
    save_money(slack, lena, plan, OFFER, TARGET)
    slack.standin.fail_next("views.push", times=3, kind="server_error")  # past the retries
    slack.driver.block_action(user=lena, action_id=ACTION_EDIT_MONEY, view_id=plan)
    dm = slack.standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.ok and c.args["channel"] == lena
    )
    assert "couldn't open that just now" in flat(dm.args) and "try again" in flat(dm.args)
    assert "185" not in flat(dm.args)
    pushed = press(slack, lena, plan, ACTION_EDIT_MONEY)  # the next press works
    assert "185,000" in flat(slack.workspace.get_view(pushed))
