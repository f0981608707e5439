"""The kit's routes: Bolt gets one listener per kind, and each request still reaches the
listener a module registered for its name, the first registered winning as in Bolt."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_bolt.authorization import AuthorizeResult

from bot.platform.work import WorkPools
from bot.services import Services
from handlers import kit
from storage.db import make_engine

FORM = {"content-type": ["application/x-www-form-urlencoded"]}


@dataclass
class Routed:
    """A Bolt app served by the kit, and which test listener each request reached."""

    app: App
    work: WorkPools
    hits: list[str] = field(default_factory=list)

    def send(self, request: BoltRequest) -> int:
        status = self.app.dispatch(request).status
        assert self.work.wait_idle(5)
        return status

    def listener(self, name: str) -> Any:
        def reached(ack: Ack) -> None:
            ack()
            self.hits.append(name)

        reached.__name__ = name
        return reached


@pytest.fixture
def routed() -> Iterator[Routed]:
    app = App(
        signing_secret="unused",
        request_verification_enabled=False,
        process_before_response=True,
        authorize=lambda **_: AuthorizeResult(
            enterprise_id=None, team_id="T1", bot_user_id="UB", bot_id="B1", bot_token="xoxb-1"
        ),
    )
    work = WorkPools(workers=2, queue_limit=10, form_workers=2, form_ack_wait=0.3)
    kit.install(app, Services(engine=make_engine("sqlite://")), work=work, report=_fail)
    yield Routed(app, work)
    work.close()


def _fail(exc: BaseException, _body: dict[str, Any], _client: Any) -> None:
    pytest.fail(f"a routed listener failed: {exc!r}")


def command(name: str) -> BoltRequest:
    body = urlencode({"command": name, "text": "", "user_id": "U1", "team_id": "T1"})
    return BoltRequest(body=body, headers=FORM)


def interaction(payload: dict[str, Any]) -> BoltRequest:
    payload = {"user": {"id": "U1"}, "team": {"id": "T1"}, **payload}
    return BoltRequest(body=urlencode({"payload": json.dumps(payload)}), headers=FORM)


def click(action_id: str) -> BoltRequest:
    action = {"action_id": action_id, "block_id": "b", "type": "button", "value": "1"}
    return interaction({"type": "block_actions", "actions": [action]})


def modal(kind: str, callback_id: str) -> BoltRequest:
    view = {
        "type": "modal",
        "callback_id": callback_id,
        "state": {"values": {}},
        "blocks": [{"type": "input", "block_id": "name", "element": {"type": "plain_text_input"}}],
    }
    return interaction({"type": kind, "view": view})


def event(event_type: str, **fields: Any) -> BoltRequest:
    body = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev1",
        "event": {"type": event_type, "user": "U1", **fields},
    }
    return BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})


def test_each_request_reaches_the_listener_registered_for_its_name(routed: Routed) -> None:
    first, second = kit.Listeners(), kit.Listeners()
    first.command("/one")(routed.listener("one"))
    first.action("press")(routed.listener("press"))
    second.command("/two")(routed.listener("two"))
    second.action({"action_id": re.compile(r"^pick_\d+$")})(routed.listener("pick"))
    second.view("form")(routed.listener("form"))
    second._add("view", {"type": "view_closed", "callback_id": "form"})(routed.listener("closed"))
    second.event("app_home_opened")(routed.listener("home"))
    first.register(routed.app)
    second.register(routed.app)
    kit.route(routed.app)

    for request in (
        command("/two"),
        command("/one"),
        click("pick_12"),
        click("press"),
        modal("view_submission", "form"),
        modal("view_closed", "form"),
        event("app_home_opened", tab="home"),
    ):
        assert routed.send(request) == 200
    assert routed.hits == ["two", "one", "pick", "press", "form", "closed", "home"]
    assert kit.served(routed.app)["command"] == {"/one", "/two"}


def test_what_no_listener_names_stays_unhandled_as_bolt_answers_it(routed: Routed) -> None:
    listeners = kit.Listeners()
    listeners.command("/one")(routed.listener("one"))
    listeners.action({"action_id": re.compile(r"^pick_\d+$")})(routed.listener("pick"))
    listeners.event("app_home_opened")(routed.listener("home"))
    listeners.register(routed.app)
    kit.route(routed.app)

    for request in (
        command("/one-more"),  # a name is matched whole, not as a prefix
        command("/on"),
        click("pick_x"),
        modal("view_submission", "form"),
        event("member_joined_channel", channel="C1"),
    ):
        assert routed.send(request) == 404
    assert routed.hits == []


def test_the_first_registered_of_a_name_and_a_pattern_wins(routed: Routed) -> None:
    listeners = kit.Listeners()
    listeners.action({"action_id": re.compile(r"^pick_")})(routed.listener("any pick"))
    listeners.action("pick_1")(routed.listener("pick 1"))
    listeners.action("keep")(routed.listener("keep"))
    listeners.action({"action_id": re.compile(r"^kee")})(routed.listener("kee..."))
    listeners.register(routed.app)
    kit.route(routed.app)

    for action_id in ("pick_1", "pick_2", "keep", "keen"):
        routed.send(click(action_id))
    assert routed.hits == ["any pick", "any pick", "keep", "kee..."]


def test_a_narrowed_event_listener_takes_what_it_matches_and_the_broad_one_the_rest(
    routed: Routed,
) -> None:
    def on_star(event: dict[str, Any]) -> bool:
        return event.get("reaction") == "star"

    listeners = kit.Listeners()
    listeners.event("reaction_added", matchers=[on_star])(routed.listener("star"))
    listeners.event("reaction_added")(routed.listener("any"))
    listeners.register(routed.app)
    kit.route(routed.app)

    routed.send(event("reaction_added", reaction="star"))
    routed.send(event("reaction_added", reaction="eyes"))
    assert routed.hits == ["star", "any"]


def test_routes_are_fixed_once_served(routed: Routed) -> None:
    listeners = kit.Listeners()
    listeners.command("/one")(routed.listener("one"))
    listeners.register(routed.app)
    kit.route(routed.app)
    late = kit.Listeners()
    late.command("/late")(routed.listener("late"))
    with pytest.raises(RuntimeError, match="never run"):
        late.register(routed.app)
    with pytest.raises(RuntimeError, match="already"):
        kit.route(routed.app)


def test_an_event_only_narrowed_listeners_take_is_refused_at_start(routed: Routed) -> None:
    listeners = kit.Listeners()
    listeners.event("reaction_added", matchers=[lambda event: False])(routed.listener("never"))
    listeners.register(routed.app)
    with pytest.raises(TypeError, match="only narrowed"):
        kit.route(routed.app)


def test_a_submission_slower_than_the_wait_is_told_so_and_still_finishes(routed: Routed) -> None:
    go_on, finished = threading.Event(), threading.Event()

    def slow(ack: Ack) -> None:
        go_on.wait(5)  # e.g. a machine too busy to save within Slack's 3 s
        ack()
        finished.set()

    listeners = kit.Listeners()
    listeners.view("form")(slow)
    listeners.register(routed.app)
    kit.route(routed.app)

    answer = routed.app.dispatch(modal("view_submission", "form"))
    # The modal stays open with a note by the field: not "nothing was saved" (it may be).
    assert json.loads(answer.body) == {
        "response_action": "errors",
        "errors": {"name": kit.SLOW_FORM},
    }
    assert "doesn't show up, submit this again" in kit.SLOW_FORM
    go_on.set()
    assert finished.wait(5)  # the listener ran to its end: what it saved stays saved
    assert routed.work.wait_idle(5)
