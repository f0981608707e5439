"""Text no database can store, or that only looks like text, in every modal's free-text fields.

A NUL byte (PostgreSQL refuses it), a lone surrogate (no UTF-8 for it), another control
character, or only zero-width characters: each is answered with an inline error next to its
field (`response_action: errors`), the member's typing stays on screen, nothing is stored or
posted, and no "Sorry, something went wrong" follows. Driven through signed requests against
the stand-in, on both databases.

The flow helpers here (open a modal, fill a form) are shared with test_privacy_logs.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from bot.app import SORRY
from bot.features.backchannel.views import ACTION_ADD, ACTION_ANSWER, ACTION_SHARE
from bot.features.debriefs.views import ACTION_WRITE
from bot.features.missions.views import ACTION_FEEDBACK
from bot.features.negotiation.views import ACTION_EDIT_LEG
from bot.features.negotiation.views import ACTION_SHARE as NEGOTIATION_SHARE
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.driver import Response
from bot.sandbox.standin.server import ApiCall
from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.councils import Council
from storage.debriefs import Debrief, GratitudePerson, InterviewEvent
from storage.missions import MissionDraft, WrittenFeedback
from storage.negotiation import NegotiationLeg
from storage.searches import Search
from tests.handlers.conftest import PostedDraft, post_draft
from tests.plugins.slack import Slack, text_of

NUL = "Acme\x00Robotics"
SURROGATE = "Acme \ud83d Robotics"  # half of an emoji's UTF-16 pair, as a broken client sends
CONTROL = "Acme\x1bRobotics"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
OVERLONG_KEY = "ß" * 60  # 60 characters, 120 once case-folded for the search key

CANT_STORE = "can't store"


# --- shared flow helpers ------------------------------------------------------------------------


def count(slack: Slack, method: str) -> int:
    return len(slack.standin.calls_to(method))


def latest(slack: Slack, method: str, seen: int, **options: Any) -> ApiCall:
    """The newest call to `method` once there are more than `seen`; it must have succeeded."""
    found = slack.standin.wait_for(method, count=seen + 1, **options)
    call = found[-1] if isinstance(found, list) else found
    assert call.ok, call.describe()
    return call


def current_view(slack: Slack, opened: ApiCall) -> dict[str, Any]:
    """A modal as the member sees it now: opened, then perhaps updated after a check."""
    slack.settle()
    view_id = opened.response["view"]["id"]
    updates = [c for c in slack.standin.calls_to("views.update") if c.args["view_id"] == view_id]
    return dict(updates[-1].response["view"] if updates else opened.response["view"])


def open_by_command(slack: Slack, user: str, command: str, text: str = "") -> dict[str, Any]:
    seen = count(slack, "views.open")
    answer = slack.driver.command(user=user, channel=slack.council, command=command, text=text)
    assert answer.status == 200, answer.body
    return current_view(slack, latest(slack, "views.open", seen))


def mission_values(**fields: str | None) -> dict[str, Any]:
    """A valid /mission submission, with `fields` (block id -> text) replaced."""
    texts: dict[str, str | None] = {
        "company": "Acme Robotics",
        "role": "Head of Product",
        "mission": "Make warehouse robots easy to deploy.",
        "objective_1": "Cut deployment time",
        "krs_1": "Deploy a site in 5 days, down from 30",
        **fields,
    }
    values = {block: {block: payloads.plain(text)} for block, text in texts.items()}
    values["stage"] = {"stage": payloads.static_select("interviewing")}
    return values


def open_feedback(slack: Slack, user: str, draft: PostedDraft) -> str:
    seen = count(slack, "views.open")
    slack.driver.block_action(
        user=user, action_id=ACTION_FEEDBACK, channel=draft.channel, message_ts=draft.ts
    )
    return str(latest(slack, "views.open", seen).response["view"]["id"])


def feedback_values(**answers: str | None) -> dict[str, Any]:
    blocks = ("strong", "unclear", "missing", "suggested_key_result")
    values: dict[str, Any] = {b: {b: payloads.plain(answers.get(b))} for b in blocks}
    values["anonymous"] = {"anonymous": payloads.checkboxes([])}
    return values


def event_values(slack: Slack, *, company: str | None, with_whom: str | None) -> dict[str, Any]:
    """A /debrief event two days ahead at 14:00 (any member's zone keeps it in the future)."""
    day = (slack.clock.now + timedelta(days=2)).date().isoformat()
    return {
        "company": {"company": payloads.plain(company)},
        "kind": {"kind": payloads.static_select("interview")},
        "date": {"date": payloads.datepicker(day)},
        "time": {"time": payloads.timepicker("14:00")},
        "with_whom": {"with_whom": payloads.plain(with_whom)},
        "partners": {"partners": payloads.users([])},
    }


def debrief_values(**answers: str | None) -> dict[str, Any]:
    blocks = ("went_well", "worries", "asked", "inner_critic", "evidence", "wants")
    values: dict[str, Any] = {b: {b: payloads.plain(answers.get(b))} for b in blocks}
    values["rating"] = {"rating": payloads.radio("4")}
    values["private"] = {"private": payloads.checkboxes([])}
    return values


def open_debrief_form(slack: Slack, user: str) -> str:
    """Log an interview, let its prompt come an hour after it starts, press its button."""
    view = open_by_command(slack, user, "/debrief")
    answer = slack.driver.view_submission(
        user=user,
        view_id=view["id"],
        values=event_values(slack, company="Globex", with_whom=None),
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    with Session(slack.engine) as session:
        event = session.exec(select(InterviewEvent).where(InterviewEvent.user_id == user)).one()
    slack.fast_forward(event.starts_at + timedelta(hours=1, minutes=1) - slack.clock.now)
    slack.settle()
    prompt = next(
        c
        for c in reversed(slack.standin.calls_to("chat.postMessage"))
        if c.ok and "debrief_write" in text_of(c)
    )
    seen = count(slack, "views.open")
    slack.driver.block_action(
        user=user,
        action_id=ACTION_WRITE,
        channel=prompt.response["channel"],
        message_ts=prompt.response["ts"],
    )
    return str(latest(slack, "views.open", seen).response["view"]["id"])


def start_checklist(slack: Slack, user: str, company: str = "Acme Robotics") -> int:
    view = open_by_command(slack, user, "/backchannel")
    answer = slack.driver.view_submission(
        user=user,
        view_id=view["id"],
        values={
            "bc_company": {"bc_company": payloads.plain(company)},
            "bc_manager": {"bc_manager": payloads.plain("Dana Reyes")},
        },
    )
    assert not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    with Session(slack.engine) as session:
        checklist = session.exec(
            select(BackchannelChecklist).where(BackchannelChecklist.user_id == user)
        ).one()
    assert checklist.id is not None and checklist.message_ts
    return checklist.id


def press_on_checklist(slack: Slack, checklist_id: int, action_id: str, **options: Any) -> str:
    """Press a button on the checklist message; the id of the modal it opened."""
    with Session(slack.engine) as session:
        checklist = session.get(BackchannelChecklist, checklist_id)
        assert checklist is not None and checklist.channel_id and checklist.message_ts
    seen = count(slack, "views.open")
    slack.driver.block_action(
        user=checklist.user_id,
        action_id=action_id,
        channel=checklist.channel_id,
        message_ts=checklist.message_ts,
        **options,
    )
    return str(latest(slack, "views.open", seen).response["view"]["id"])


def person_values(name: str | None, relation: str | None = None) -> dict[str, Any]:
    return {
        "bc_name_1": {"bc_name_1": payloads.plain(name)},
        "bc_relation_1": {"bc_relation_1": payloads.plain(relation)},
        "bc_user_1": {"bc_user_1": payloads.user(None)},
    }


def add_person(slack: Slack, user: str, checklist_id: int, name: str = "Sam") -> int:
    view_id = press_on_checklist(slack, checklist_id, ACTION_ADD)
    answer = slack.driver.view_submission(
        user=user, view_id=view_id, values=person_values(name, "worked with her")
    )
    assert (answer.json or {}).get("response_action") == "update", answer.body
    slack.settle()
    with Session(slack.engine) as session:
        person = session.exec(
            select(BackchannelPerson).where(BackchannelPerson.checklist_id == checklist_id)
        ).one()
    assert person.id is not None
    return person.id


def share_values(slack: Slack, ask: str | None) -> dict[str, Any]:
    with Session(slack.engine) as session:
        council = session.exec(select(Council).where(Council.channel_id == slack.council)).one()
    return {
        "bc_council": {"bc_council": payloads.static_select(str(council.id))},
        "bc_include": {"bc_include": payloads.checkboxes([])},
        "bc_ask": {"bc_ask": payloads.plain(ask)},
    }


def open_plan(slack: Slack, user: str, company: str = "Acme Robotics") -> str:
    """`/negotiate`, a company typed: the plan modal's view id."""
    view = open_by_command(slack, user, "/negotiate")
    answer = slack.driver.view_submission(
        user=user, view_id=view["id"], values={"company": {"company": payloads.plain(company)}}
    )
    assert (answer.json or {}).get("response_action") == "update", answer.body
    slack.settle()
    return str(view["id"])


def push_from_plan(slack: Slack, user: str, plan: str, action_id: str, **options: Any) -> str:
    seen = count(slack, "views.push")
    slack.driver.block_action(user=user, action_id=action_id, view_id=plan, **options)
    return str(latest(slack, "views.push", seen).response["view"]["id"])


def leg_values(ask: str | None) -> dict[str, Any]:
    return {
        "ask": {"ask": payloads.plain(ask)},
        "status": {"status": payloads.radio("asked")},
    }


# --- assertions ---------------------------------------------------------------------------------


def refused_inline(answer: Response, block: str, says: str) -> None:
    """The modal stays open with an error next to `block` saying `says`."""
    assert answer.status == 200, answer.body
    assert answer.json is not None and answer.json.get("response_action") == "errors", answer.body
    assert says in answer.json["errors"].get(block, ""), answer.json["errors"]


def nothing_went_wrong(slack: Slack) -> None:
    """No listener failed: nobody was told "Sorry, something went wrong"."""
    slack.settle()
    told = [text_of(c) for c in slack.standin.calls if c.method.startswith("chat.post")]
    assert not any(SORRY[:40] in text for text in told), told


def rows(slack: Slack, table: type[SQLModel]) -> int:
    with Session(slack.engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "text", "says"),
    [
        ("company", NUL, CANT_STORE),
        ("company", ZERO_WIDTH, "add the company"),
        ("company", OVERLONG_KEY, "shorten"),
        ("role", SURROGATE, CANT_STORE),
        ("mission", ZERO_WIDTH + "\n" + ZERO_WIDTH, "Please write"),
        ("mission", CONTROL, CANT_STORE),
        ("objective_1", NUL, CANT_STORE),
        ("krs_1", "Ship weekly\n" + SURROGATE, CANT_STORE),
    ],
    ids=["company-nul", "company-zero-width", "company-folded", "role-surrogate",
         "mission-zero-width", "mission-control", "objective-nul", "krs-surrogate"],
)  # fmt: skip
def test_the_mission_modal_answers_unstorable_text_inline(
    slack: Slack, block: str, text: str, says: str
) -> None:
    view = open_by_command(slack, slack.noor, "/mission")
    posts = count(slack, "chat.postMessage")
    answer = slack.driver.view_submission(
        user=slack.noor, view_id=view["id"], values=mission_values(**{block: text})
    )
    refused_inline(answer, block, says)
    nothing_went_wrong(slack)
    assert rows(slack, MissionDraft) == 0 and rows(slack, Search) == 0
    assert count(slack, "chat.postMessage") == posts
    # Fixed, the same modal posts.
    answer = slack.driver.view_submission(
        user=slack.noor, view_id=view["id"], values=mission_values()
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    slack.settle()
    assert rows(slack, MissionDraft) == 1


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_written_feedback_answers_unstorable_text_inline(slack: Slack, text: str) -> None:
    draft = post_draft(slack, author=slack.noor, channel=slack.council)
    view_id = open_feedback(slack, slack.lena, draft)
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=view_id,
        values=feedback_values(strong="Clear mission", missing=text),
    )
    refused_inline(answer, "missing", CANT_STORE)
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=view_id, values=feedback_values(strong=ZERO_WIDTH)
    )
    refused_inline(answer, "strong", "at least one")
    nothing_went_wrong(slack)
    assert rows(slack, WrittenFeedback) == 0


def test_the_debrief_modals_answer_unstorable_text_inline(slack: Slack) -> None:
    view = open_by_command(slack, slack.lena, "/debrief")
    for company, with_whom, block, says in (
        (ZERO_WIDTH, None, "company", "Which company"),
        (NUL, None, "company", CANT_STORE),
        ("Globex", SURROGATE, "with_whom", CANT_STORE),
    ):
        answer = slack.driver.view_submission(
            user=slack.lena,
            view_id=view["id"],
            values=event_values(slack, company=company, with_whom=with_whom),
        )
        refused_inline(answer, block, says)
    assert rows(slack, InterviewEvent) == 0 and rows(slack, Search) == 0

    gratitude = open_by_command(slack, slack.lena, "/debrief", "gratitude")
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=gratitude["id"],
        values={
            "gratitude_name_1": {"gratitude_name_1": payloads.plain("Dana")},
            "gratitude_note_1": {"gratitude_note_1": payloads.plain(CONTROL)},
        },
    )
    refused_inline(answer, "gratitude_note_1", CANT_STORE)
    assert rows(slack, GratitudePerson) == 0

    form = open_debrief_form(slack, slack.lena)
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=form, values=debrief_values(went_well="Fine", worries=NUL)
    )
    refused_inline(answer, "worries", CANT_STORE)
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=form, values=debrief_values(went_well=ZERO_WIDTH)
    )
    refused_inline(answer, "went_well", "Write a line")
    nothing_went_wrong(slack)
    assert rows(slack, Debrief) == 0


def test_the_backchannel_modals_answer_unstorable_text_inline(slack: Slack) -> None:
    start = open_by_command(slack, slack.lena, "/backchannel")
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=start["id"],
        values={
            "bc_company": {"bc_company": payloads.plain(SURROGATE)},
            "bc_manager": {"bc_manager": payloads.plain("Dana")},
        },
    )
    refused_inline(answer, "bc_company", CANT_STORE)
    assert rows(slack, BackchannelChecklist) == 0 and rows(slack, Search) == 0

    checklist = start_checklist(slack, slack.lena)
    add = press_on_checklist(slack, checklist, ACTION_ADD)
    answer = slack.driver.view_submission(user=slack.lena, view_id=add, values=person_values(NUL))
    refused_inline(answer, "bc_name_1", CANT_STORE)
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=add, values=person_values(ZERO_WIDTH)
    )
    refused_inline(answer, "bc_name_1", "type their name")
    assert rows(slack, BackchannelPerson) == 0

    person = add_person(slack, slack.lena, checklist)
    record = press_on_checklist(slack, checklist, ACTION_ANSWER, value=str(person))
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=record,
        values={
            "bc_status": {"bc_status": payloads.radio("answered")},
            "bc_signal": {"bc_signal": payloads.radio("positive")},
            "bc_notes": {"bc_notes": payloads.plain("Said she is great\n" + CONTROL)},
        },
    )
    refused_inline(answer, "bc_notes", CANT_STORE)

    share = press_on_checklist(slack, checklist, ACTION_SHARE)
    posts = count(slack, "chat.postMessage")
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=share, values=share_values(slack, NUL)
    )
    refused_inline(answer, "bc_ask", CANT_STORE)
    nothing_went_wrong(slack)
    assert count(slack, "chat.postMessage") == posts


def test_the_negotiation_modals_answer_unstorable_text_inline(slack: Slack) -> None:
    pick = open_by_command(slack, slack.lena, "/negotiate")
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=pick["id"],
        values={"company": {"company": payloads.plain(NUL)}},
    )
    refused_inline(answer, "company", CANT_STORE)
    answer = slack.driver.view_submission(
        user=slack.lena,
        view_id=pick["id"],
        values={"company": {"company": payloads.plain(ZERO_WIDTH)}},
    )
    refused_inline(answer, "company", "Which company")
    assert rows(slack, Search) == 0

    plan = open_plan(slack, slack.lena)
    leg = push_from_plan(slack, slack.lena, plan, ACTION_EDIT_LEG, block_id="leg_resources")
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=leg, values=leg_values(SURROGATE)
    )
    refused_inline(answer, "ask", CANT_STORE)
    with Session(slack.engine) as session:
        assert [leg.ask for leg in session.exec(select(NegotiationLeg)).all()] == ["", "", ""]

    share = push_from_plan(slack, slack.lena, plan, NEGOTIATION_SHARE)
    posts = count(slack, "chat.postMessage")
    answer = slack.driver.view_submission(
        user=slack.lena, view_id=share, values={"note": {"note": payloads.plain(CONTROL)}}
    )
    refused_inline(answer, "note", CANT_STORE)
    nothing_went_wrong(slack)
    assert count(slack, "chat.postMessage") == posts
