"""`GET /metrics` end to end: the real app served over HTTP against the Slack stand-in.

Signed requests (a slash command, a modal submission, a button click, an event) go in;
the scrape shows ack latency by request kind, Web API calls by method and outcome, and
the reminder backlog, and none of the ids or text the members sent. The series live in
one registry per process, so the tests compare scrapes before and after.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, update
from sqlmodel import col

from bot.cli import build_runtime
from bot.features.missions.views import ACTION_FEEDBACK
from bot.platform.metrics import REGISTRY, TimedSocketModeHandler
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import ApiCall, SlackStandIn
from bot.sandbox.standin.socket_driver import SocketModeDriver
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo
from bot.server import METRICS_PATH
from bot.services import Services
from bot.settings import Settings
from storage import reminders as store
from storage.db import session_scope
from storage.reminders import Reminder, ReminderStatus
from tests.plugins.clock import Clock
from tests.plugins.slack import Slack, eventually, text_of

# What a member typed, distinctive enough that finding it anywhere in a scrape is a leak.
COMPANY = "Quillfeather Vexon Labs"
ROLE = "Staff Zephyrologist"


def draft_values(company: str = COMPANY) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "company": {"company": payloads.plain(company)},
        "role": {"role": payloads.plain(ROLE)},
        "stage": {"stage": payloads.static_select("interviewing")},
        "mission": {"mission": payloads.plain("Make warehouse robots easy to deploy.")},
        "objective_1": {"objective_1": payloads.plain("Cut deployment time")},
        "krs_1": {"krs_1": payloads.plain("Deploy a site in 5 days, down from 30")},
    }


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(slack: Slack) -> tuple[str, str, Samples]:
    """GET /metrics: (the content type, the body, every sample by name and labels)."""
    with urllib.request.urlopen(slack.url + METRICS_PATH, timeout=10) as answer:
        assert answer.status == 200
        content_type, body = answer.headers["Content-Type"], answer.read().decode("utf-8")
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return content_type, body, samples


def acks(samples: Samples, kind: str) -> float:
    return samples.get(("council_ack_seconds_count", (("kind", kind),)), 0.0)


def api_calls(samples: Samples, method: str, outcome: str) -> float:
    key = ("council_slack_api_calls_total", (("method", method), ("outcome", outcome)))
    return samples.get(key, 0.0)


def gauge(samples: Samples, name: str) -> float | None:
    return samples.get((name, ()))


def next_call(slack: Slack, method: str, seen: int) -> ApiCall:
    found = slack.standin.wait_for(method, count=seen + 1)
    return found[-1] if isinstance(found, list) else found


def post_draft(slack: Slack, *, company: str = COMPANY) -> ApiCall:
    """noor types `/mission`, fills in the modal and submits: the draft's post."""
    seen = {m: len(slack.standin.calls_to(m)) for m in ("views.open", "views.publish")}
    posts = len(slack.standin.calls_to("chat.postMessage"))
    answer = slack.driver.command(user=slack.noor, channel=slack.council, command="/mission")
    assert answer.status == 200
    opened = next_call(slack, "views.open", seen["views.open"])
    assert opened.ok, opened.describe()
    submitted = slack.driver.view_submission(
        user=slack.noor, view_id=opened.response["view"]["id"], values=draft_values(company)
    )
    assert submitted.status == 200 and not (submitted.json or {}).get("errors"), submitted.json
    posted = next_call(slack, "chat.postMessage", posts)
    if posted.status == 429:  # an injected rate limit: the app's client posts again
        posted = next_call(slack, "chat.postMessage", posts + 1)
    assert posted.ok and posted.args["channel"] == slack.council, posted.describe()
    next_call(slack, "views.publish", seen["views.publish"])  # the author's Home, refreshed
    return posted


def test_metrics_is_prometheus_text_next_to_the_slack_path(slack: Slack) -> None:
    content_type, body, samples = scrape(slack)
    assert content_type.startswith("text/plain")
    assert "# TYPE council_ack_seconds histogram" in body
    assert ("council_ack_seconds_count", (("kind", "command"),)) in samples
    not_allowed = urllib.request.Request(slack.url + METRICS_PATH, method="POST", data=b"")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(not_allowed, timeout=10)
    assert refused.value.code == 405


def test_acks_and_web_api_calls_are_counted_and_no_member_data_is_exported(
    slack: Slack,
) -> None:
    _, _, before = scrape(slack)

    posted = post_draft(slack)  # a slash command, then a modal submission
    assert COMPANY in text_of(posted)  # what the member typed went through the app
    opens = len(slack.standin.calls_to("views.open"))
    clicked = slack.driver.block_action(
        user=slack.lena,
        action_id=ACTION_FEEDBACK,
        channel=slack.council,
        message_ts=posted.response["ts"],
    )
    assert clicked.status == 200
    assert next_call(slack, "views.open", opens).ok  # the feedback modal
    reacted = slack.driver.react(
        user=slack.lena, channel=slack.council, ts=posted.response["ts"], name="+1"
    )
    assert reacted.status == 200
    assert slack.driver.url_verification().status == 200

    # A Web API call is counted when its answer reaches the app, a moment after the
    # stand-in recorded it: wait for the counts rather than read them once.
    def counted() -> bool:
        samples = scrape(slack)[2]
        return all(
            api_calls(samples, method, "ok") >= api_calls(before, method, "ok") + n
            for method, n in (("views.open", 2), ("chat.postMessage", 1), ("views.publish", 1))
        )

    eventually(counted)
    _, body, after = scrape(slack)

    for kind in ("command", "view_submission", "block_actions", "event_callback"):
        assert acks(after, kind) >= acks(before, kind) + 1, kind
    assert acks(after, "url_verification") == acks(before, "url_verification") + 1
    # Only Web API method names label the calls, e.g. no user id in place of a method.
    methods = {dict(labels)["method"] for name, labels in after if name.startswith("council_slack")}
    assert {"views.open", "chat.postMessage", "views.publish"} <= methods
    assert all("." in method or method == "other" for method in methods)

    team = slack.workspace.team_id
    members = [member[0] for member in DEMO_MEMBERS]
    leaks = [COMPANY, ROLE, "Quillfeather", team, slack.council, *members]
    leaks += [posted.response["ts"], slack.standin.bot_token]
    assert [leak for leak in leaks if leak in body] == []
    assert [leak for leak in leaks if leak.lower() in body.lower()] == []


def test_a_rate_limited_post_is_counted_as_429_and_then_ok(slack: Slack) -> None:
    _, _, before = scrape(slack)
    slack.standin.fail_next("chat.postMessage", kind="ratelimited", retry_after=0)

    post_draft(slack)  # the app's client waits out the 429 and posts again

    assert [c.status for c in slack.standin.calls_to("chat.postMessage")][-2:] == [429, 200]

    def counted() -> bool:
        samples = scrape(slack)[2]
        return api_calls(samples, "chat.postMessage", "ok") > api_calls(
            before, "chat.postMessage", "ok"
        )

    eventually(counted)
    after = scrape(slack)[2]
    assert api_calls(after, "chat.postMessage", "429") == (
        api_calls(before, "chat.postMessage", "429") + 1
    )


def seed(engine: Engine, *, due_at: datetime, key: str, **row: Any) -> None:
    with session_scope(engine) as session:
        reminder = store.schedule(
            session,
            kind="debrief_prompt",
            team_id="T0SEEDED01",
            user_id="U0SEEDED01",
            due_at=due_at,
            payload={"company": COMPANY},
            dedupe_key=key,
        )
        reminder_id = reminder.id
    if row:
        with engine.begin() as conn:
            conn.execute(update(Reminder).where(col(Reminder.id) == reminder_id).values(**row))


def test_the_reminder_backlog_reflects_the_database_at_the_apps_clock(slack: Slack) -> None:
    now = slack.clock()
    seed(slack.engine, due_at=now - timedelta(seconds=30), key="on-time")
    seed(slack.engine, due_at=now - timedelta(minutes=10), key="late")
    seed(slack.engine, due_at=now + timedelta(hours=1), key="not-yet")
    seed(
        slack.engine,
        due_at=now - timedelta(minutes=3),
        key="in-flight",
        status=ReminderStatus.CLAIMED.value,
        claim_token="token-1",
        lease_until=now + timedelta(seconds=45),
    )
    seed(
        slack.engine,
        due_at=now - timedelta(hours=2),
        key="gave-up",
        status=ReminderStatus.FAILED.value,
    )

    _, body, samples = scrape(slack)
    assert gauge(samples, "council_reminders_due") == 2
    assert gauge(samples, "council_reminders_late") == 1
    assert gauge(samples, "council_reminders_claimed") == 1
    assert gauge(samples, "council_reminders_failed") == 1
    assert gauge(samples, "council_reminders_oldest_due_age_seconds") == 600
    assert "SEEDED" not in body and COMPANY not in body

    # A minute on: the on-time one is late too, and the claim's lease ran out (its worker
    # would have renewed it), so that one is due again, and late.
    slack.clock.advance(timedelta(minutes=1))
    samples = scrape(slack)[2]
    assert gauge(samples, "council_reminders_due") == 3
    assert gauge(samples, "council_reminders_late") == 3
    assert gauge(samples, "council_reminders_claimed") == 0
    assert gauge(samples, "council_reminders_oldest_due_age_seconds") == 660


# --- Socket Mode: no HTTP server, the same ack series ------------------------------------

# Socket Mode requests are not signed, and slack_sdk would tunnel the socket through a proxy.
UNSET = ("SLACK_SIGNING_SECRET", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture
def socket_driver(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[SocketModeDriver]:
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    standin = SlackStandIn(seed_demo()).start()
    settings = Settings(
        slack_bot_token=standin.bot_token,  # type: ignore[arg-type]
        slack_app_token=standin.app_token,  # type: ignore[arg-type]
        slack_api_url=standin.api_url,
        _env_file=None,
    )
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    runtime = build_runtime(
        settings, socket_mode=True, services=Services(engine=engine, clock=clock)
    )
    handler = TimedSocketModeHandler(runtime.app, settings.secret("SLACK_APP_TOKEN"))
    handler.connect()
    try:
        yield SocketModeDriver(standin)
    finally:
        handler.client.auto_reconnect_enabled = False
        for connection in standin.socket_mode.active_connections:
            connection.close(timeout=0.5)
        handler.close()
        standin.stop()


def socket_acks(kind: str) -> float:
    return REGISTRY.get_sample_value("council_ack_seconds_count", {"kind": kind}) or 0.0


def test_socket_mode_acks_are_observed_by_kind(socket_driver: SocketModeDriver) -> None:
    before = {kind: socket_acks(kind) for kind in ("command", "view_submission")}
    noor = DEMO_MEMBERS[0][0]
    socket_driver.command(user=noor, channel=DEMO_COUNCIL_CHANNEL, command="/mission")
    view_id = socket_driver.standin.wait_for("views.open").response["view"]["id"]
    socket_driver.view_submission(user=noor, view_id=view_id, values=draft_values())

    # The ack is sent inside the observed call: its count follows a moment after.
    eventually(lambda: socket_acks("command") == before["command"] + 1)
    eventually(lambda: socket_acks("view_submission") == before["view_submission"] + 1)
