"""The sandbox page in a real browser: Debian's headless Chromium, driven by Playwright.

No browser is downloaded: Playwright launches /usr/bin/chromium (`.ci/browser-deps`
installs it in CI). Locally, without it, these tests are skipped with the reason.
The mission test saves the README's screenshot, docs/sandbox.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.reminders.engine import Delivered, Reminder, schedule
from bot.sandbox.runtime import Sandbox
from tests.sandbox.web_client import COUNCIL, LENA, NOOR, Web

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "sandbox.png"
# As root Chromium needs --no-sandbox; without the background-networking flags it keeps
# trying hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
NEW_YORK = "America/New_York"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run .ci/browser-deps (Debian's chromium package)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, web: Web) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 820}, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(web.url + "/")
    opened.get_by_test_id("composer").wait_for()
    # the first state has been drawn (the composer ignores what is typed before it)
    opened.locator("#acting-as option").first.wait_for(state="attached")
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], f"the page's script failed: {errors}"


# ------------------------------------------------------------------ helpers
def act_as(page: Any, name: str) -> None:
    """Switch member, then wait until the page has drawn that member's view."""
    page.get_by_test_id("acting-as").select_option(label=name)
    page.wait_for_function(
        "name => document.querySelector('[data-testid=acting-as]')"
        ".selectedOptions[0].text === name",
        arg=name,
    )
    page.wait_for_timeout(200)


def run_command(page: Any, text: str) -> None:
    composer = page.get_by_test_id("composer")
    composer.fill(text)
    composer.press("Enter")


def draft_message(page: Any) -> Any:
    return page.get_by_test_id("message").filter(has_text="Job mission:").first


def react(page: Any, message: Any, emoji: str) -> None:
    message.hover()
    message.get_by_label("Add reaction").click()
    page.get_by_label(f"React with {emoji}").click()


def dm_messages(page: Any) -> Any:
    page.get_by_test_id("conv-app-messages").click()
    return page.get_by_test_id("messages").get_by_test_id("message")


# -------------------------------------------------------------------- tests
def test_mission_draft_then_the_council_reacts_and_sees_the_tally(page: Any) -> None:
    expect = sync_api.expect
    run_command(page, "/mission")
    modal = page.get_by_test_id("modal")
    expect(modal).to_contain_text("New job mission")

    # Submitting it empty: the app's validation errors show next to the fields.
    page.get_by_test_id("modal-submit").click()
    expect(modal.locator(".field-error").first).to_be_visible()
    expect(modal).to_contain_text("Please add the company")

    modal.get_by_label("Company", exact=True).fill("Acme Robotics")
    modal.get_by_label("Role", exact=True).fill("Head of Product")
    modal.get_by_label("Where are you with them?").select_option(label="Interviewing")
    modal.get_by_label("Mission", exact=True).fill(
        "Make warehouse robots easy to deploy, so small shops can automate too."
    )
    modal.get_by_label("Objective 1", exact=True).fill("Cut deployment time")
    modal.get_by_label("Key results for objective 1", exact=True).fill(
        "Deploy a site in 5 days, down from 30\nNew sites rate the setup 9/10"
    )
    # views.update: the modal grows a second objective and keeps what was typed.
    modal.get_by_role("button", name="Add objective").click()
    expect(modal.get_by_label("Objective 2", exact=True)).to_be_visible()
    expect(modal.get_by_label("Company", exact=True)).to_have_value("Acme Robotics")
    modal.get_by_label("Objective 2", exact=True).fill("Grow the partner channel")
    modal.get_by_label("Key results for objective 2", exact=True).fill(
        "10 integrators certified by Q3"
    )
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()

    draft = draft_message(page)
    expect(draft).to_contain_text("Job mission: Head of Product at Acme Robotics")
    expect(draft).to_contain_text("No reactions yet")
    expect(draft.locator(".mention.me")).to_have_text("@Noor Haddad")

    act_as(page, "Lena Vogel")
    react(page, draft_message(page), "+1")
    expect(draft_message(page)).to_contain_text("1 council member reacted so far.")
    expect(draft_message(page).locator(".reaction.mine")).to_contain_text("1")

    act_as(page, "Arjun Mehta")
    react(page, draft_message(page), "bulb")
    expect(draft_message(page)).to_contain_text("2 council members reacted so far.")
    # Arjun's reply in the draft's thread
    draft_message(page).hover()
    draft_message(page).get_by_label("Reply in thread").click()
    page.get_by_test_id("thread-composer").fill("Could objective 2 say *which* partners?")
    page.get_by_test_id("thread-composer").press("Enter")
    expect(page.get_by_test_id("thread")).to_contain_text("which partners?")
    expect(draft_message(page)).to_contain_text("1 reply")
    page.get_by_label("Close thread").click()

    act_as(page, "Noor Haddad")
    expect(draft_message(page).locator(".reaction")).to_have_count(2)
    expect(draft_message(page)).to_contain_text("2 council members reacted so far.")
    page.wait_for_timeout(300)  # let the last poll settle before the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def test_app_home_shows_the_members_own_dashboard(page: Any) -> None:
    page.get_by_test_id("conv-app-home").click()
    sync_api.expect(page.get_by_test_id("home")).to_contain_text("Your job missions")


def _register_demo_reminder(sandbox: Sandbox) -> None:
    client = WebClient(token=sandbox.standin.bot_token, base_url=sandbox.standin.api_url)

    def send(reminder: Reminder) -> Delivered:
        client.chat_postMessage(channel=reminder.user_id, text="How did the interview go?")
        return Delivered()

    sandbox.reminders.register("browser_test_prompt", send, grace=timedelta(hours=2))
    with Session(sandbox.services.engine) as session:
        schedule(
            session,
            kind="browser_test_prompt",
            team_id=sandbox.workspace.team_id,
            user_id=NOOR,
            due_at=sandbox.clock.utcnow() + timedelta(minutes=45),
            payload=None,
        )
        session.commit()


def test_fast_forward_fires_a_reminder_into_the_dm(page: Any, sandbox: Sandbox) -> None:
    """The clock control with a reminder of the test's own (any feature's works the same)."""
    _register_demo_reminder(sandbox)
    messages = dm_messages(page)
    sync_api.expect(messages).to_have_count(0)
    page.get_by_role("button", name="+15 min").click()
    sync_api.expect(page.locator("#clock-note")).to_contain_text("No reminder was due.")
    sync_api.expect(messages).to_have_count(0)
    page.get_by_role("button", name="+1 hour").click()
    sync_api.expect(messages.first).to_contain_text("How did the interview go?")
    sync_api.expect(page.locator("#clock-offset")).to_contain_text("1 hour 15 minutes ahead")


def test_debrief_prompt_arrives_in_the_dm_after_fast_forward(page: Any, sandbox: Sandbox) -> None:
    """Log tomorrow's 10:00 interview, skip ahead to the reminders: the prompt arrives."""
    expect = sync_api.expect
    run_command(page, "/debrief")
    answer = page.get_by_test_id("modal").or_(page.locator(".message.ephemeral"))
    expect(answer.first).to_be_visible()
    if page.locator(".message.ephemeral", has_text="isn't available").count():
        pytest.skip("/debrief is not built yet: the app answers that it isn't available")
    modal = page.get_by_test_id("modal")
    expect(modal).to_contain_text("Log an")
    tomorrow = sandbox.clock.utcnow().astimezone(ZoneInfo("America/New_York")).date()
    tomorrow += timedelta(days=1)
    modal.get_by_label("Company", exact=True).fill("Acme Robotics")
    modal.get_by_label("Date", exact=True).fill(tomorrow.isoformat())
    modal.get_by_label("Starts at", exact=True).fill("10:00")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()

    messages = dm_messages(page)
    prompt = messages.filter(has_text="How did your interview at Acme Robotics go?")
    for _ in range(4):  # the Gratitude House nudge comes first, then the prompt
        if prompt.count():
            break
        expect(page.locator("#ff-next")).to_be_enabled()
        page.locator("#ff-next").click()
        expect(page.locator("#clock-note")).to_contain_text("Fast-forwarded")
        page.wait_for_timeout(700)
    expect(prompt.first).to_be_visible()
    # its button works from the DM: Slack's trigger id opens the debrief form
    prompt.first.get_by_role("button", name="Write my debrief").click()
    expect(modal).to_be_visible()


def _skip_ahead_until(page: Any, found: Any, *, tries: int = 8) -> None:
    """Fast-forward reminder by reminder until `found` shows (or `tries` run out)."""
    for _ in range(tries):
        if found.count():
            break
        sync_api.expect(page.locator("#ff-next")).to_be_enabled()
        page.locator("#ff-next").click()
        sync_api.expect(page.locator("#clock-note")).to_contain_text("Fast-forwarded")
        page.wait_for_timeout(700)
    sync_api.expect(found.first).to_be_visible()


def test_a_council_is_set_up_checks_in_and_gets_its_agenda(page: Any, sandbox: Sandbox) -> None:
    """/council setup -> fast-forward -> the check-in DM -> the agenda in the channel."""
    expect = sync_api.expect
    run_command(page, "/council setup")
    modal = page.get_by_test_id("modal")
    expect(modal).to_contain_text("How often you meet")
    first = sandbox.clock.utcnow().astimezone(ZoneInfo("America/New_York")).date()
    first += timedelta(days=2)
    modal.get_by_label("Council name", exact=True).fill("Thursday council")
    modal.get_by_label("First meeting", exact=True).fill(first.isoformat())
    modal.get_by_label("Meeting time", exact=True).fill("18:00")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()

    messages = dm_messages(page)
    checkin = messages.filter(has_text="Check in before the meeting")
    _skip_ahead_until(page, checkin)
    checkin.first.get_by_role("button", name="Check in").click()
    expect(modal).to_contain_text("Where are you this week?")
    modal.get_by_label("Where are you this week?", exact=True).fill("Two final rounds")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()

    page.get_by_test_id("conv-council-demo").click()
    agenda = (
        page.get_by_test_id("messages")
        .get_by_test_id("message")
        .filter(has_text="Two final rounds")
    )
    _skip_ahead_until(page, agenda)
    expect(agenda.first).to_contain_text("Thursday council")


# ------------------------------------------- Block Kit the bot does not send yet
EVERYTHING_MESSAGE = [
    {"type": "header", "text": {"type": "plain_text", "text": "Kitchen sink :tada:"}},
    {
        "type": "section",
        "block_id": "intro",
        "text": {
            "type": "mrkdwn",
            "text": "*bold* _italic_ ~gone~ `code` <https://example.org/x?a=1&amp;b=2|a link> "
            "<@U0LENA0002> <#C0COUNCIL01> &lt;not a tag&gt; &amp; "
            "<!date^1700000000^{date_short}|Nov 14, 2023> :warning:",
        },
        "fields": [
            {"type": "mrkdwn", "text": "*Stage*\nInterviewing"},
            {"type": "plain_text", "text": "Version 2"},
        ],
        "accessory": {
            "type": "overflow",
            "action_id": "more",
            "options": [
                {"text": {"type": "plain_text", "text": "Archive"}, "value": "archive"},
                {"text": {"type": "plain_text", "text": "Share"}, "value": "share"},
            ],
        },
    },
    {"type": "divider"},
    {
        "type": "actions",
        "block_id": "pick",
        "elements": [
            {
                "type": "static_select",
                "action_id": "stage",
                "placeholder": {"type": "plain_text", "text": "Stage"},
                "options": [
                    {"text": {"type": "plain_text", "text": "Applied"}, "value": "applied"},
                    {"text": {"type": "plain_text", "text": "Offer"}, "value": "offer"},
                ],
            },
            {"type": "datepicker", "action_id": "when", "initial_date": "2030-01-15"},
            {
                "type": "button",
                "action_id": "drop",
                "value": "7",
                "style": "danger",
                "text": {"type": "plain_text", "text": "Drop it"},
                "confirm": {
                    "title": {"type": "plain_text", "text": "Drop it?"},
                    "text": {"type": "plain_text", "text": "This cannot be undone."},
                    "confirm": {"type": "plain_text", "text": "Drop"},
                    "deny": {"type": "plain_text", "text": "Keep"},
                },
            },
        ],
    },
    {
        "type": "image",
        "image_url": "https://images.example.org/chart.png",
        "alt_text": "a chart",
        "title": {"type": "plain_text", "text": "Progress"},
    },
    {
        "type": "context",
        "elements": [
            {"type": "image", "image_url": "https://images.example.org/i.png", "alt_text": "i"},
            {"type": "mrkdwn", "text": "Only this council sees it"},
        ],
    },
]


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": block_id, **element},
        **extra,
    }


EVERYTHING_MODAL = {
    "type": "modal",
    "callback_id": "kitchen_sink",
    "title": {"type": "plain_text", "text": "Every input"},
    "submit": {"type": "plain_text", "text": "Save"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "blocks": [
        _input("line", "One line", {"type": "plain_text_input"}),
        _input("notes", "Notes", {"type": "plain_text_input", "multiline": True}, optional=True),
        _input(
            "pick",
            "Pick one",
            {"type": "static_select", "options": [_option("Red", "r"), _option("Blue", "b")]},
        ),
        _input(
            "ticks",
            "Tick some",
            {"type": "checkboxes", "options": [_option("Tea", "tea"), _option("Cake", "cake")]},
        ),
        _input(
            "radio",
            "Choose",
            {
                "type": "radio_buttons",
                "options": [_option("Call", "call"), _option("Mail", "mail")],
            },
        ),
        _input("day", "Day", {"type": "datepicker"}),
        _input("time", "Time", {"type": "timepicker"}),
        _input("who", "Who", {"type": "users_select"}),
        _input("whom", "With whom", {"type": "multi_users_select"}),
        _input("where", "Where", {"type": "conversations_select"}),
    ],
}


def _record_driver_calls(sandbox: Sandbox, name: str) -> list[dict[str, Any]]:
    recorded: list[dict[str, Any]] = []
    original = getattr(sandbox.driver, name)

    def recording(**kwargs: Any) -> Any:
        recorded.append(kwargs)
        return original(**kwargs)

    setattr(sandbox.driver, name, recording)
    return recorded


def test_block_kit_renders_and_each_element_sends_slacks_action(
    page: Any, sandbox: Sandbox
) -> None:
    expect = sync_api.expect
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith("http://127.0.0.1") else outside.append(request.url)
        ),
    )
    actions = _record_driver_calls(sandbox, "block_action")
    sandbox.workspace.add_message(
        "C0COUNCIL01", text="Kitchen sink", as_bot=True, blocks=EVERYTHING_MESSAGE
    )
    message = page.get_by_test_id("message").filter(has_text="Kitchen sink").first
    expect(message.locator(".bk-header")).to_have_text("Kitchen sink 🎉")
    text = message.locator(".bk-section .text").first
    expect(text.locator("b").first).to_have_text("bold")
    expect(text.locator("i")).to_have_text("italic")
    expect(text.locator("s")).to_have_text("gone")
    expect(text.locator("code")).to_have_text("code")
    expect(text.locator("a")).to_have_attribute("href", "https://example.org/x?a=1&b=2")
    expect(text).to_contain_text("@Lena Vogel")
    expect(text).to_contain_text("#council-demo")
    expect(text).to_contain_text("<not a tag> &")
    expect(text.locator(".date")).to_have_text("Nov 14, 2023")
    expect(text).to_contain_text("⚠️")
    expect(message.locator(".bk-fields")).to_contain_text("Version 2")
    expect(message.locator(".img-ph").first).to_be_visible()  # not fetched from afar

    def sent_count(n: int) -> None:
        # Each element posts on its own request, served on its own thread: wait for one
        # to arrive before using the next, so the recorded order is the user's order.
        for _ in range(100):
            if len(actions) >= n:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"{n} actions expected, {len(actions)} arrived")

    message.get_by_label("More actions").click()
    page.get_by_role("menuitem", name="Share").click()
    sent_count(1)
    message.locator("select").select_option("offer")
    sent_count(2)
    message.locator("input[type=date]").fill("2030-02-01")
    sent_count(3)
    message.get_by_role("button", name="Drop it").click()
    page.get_by_role("button", name="Keep").click()  # the confirm dialog: nothing sent
    message.get_by_role("button", name="Drop it").click()
    page.get_by_role("button", name="Drop", exact=True).click()
    expect(page.locator("#confirm-layer")).to_be_hidden()
    sent_count(4)
    page.wait_for_timeout(300)  # and nothing more arrives after
    sent = [
        (a["action_id"], {k: v for k, v in a.items() if k.startswith(("selected", "value"))})
        for a in actions
    ]
    assert sent == [
        ("more", {"selected_option": "share"}),
        ("stage", {"selected_option": "offer"}),
        ("when", {"selected_date": "2030-02-01"}),
        ("drop", {}),
    ]
    assert all(a["channel"] == "C0COUNCIL01" and a["message_ts"] for a in actions)
    assert outside == []


def test_modal_inputs_become_view_state_values_and_push_goes_back(
    page: Any, sandbox: Sandbox
) -> None:
    expect = sync_api.expect
    root = sandbox.workspace.open_modal(NOOR, EVERYTHING_MODAL)
    modal = page.get_by_test_id("modal")
    expect(modal).to_contain_text("Every input")
    modal.get_by_label("One line").fill("hello")
    modal.get_by_label("Notes").fill("two\nlines")
    modal.get_by_label("Pick one").select_option("b")
    modal.get_by_label("Cake").check()
    modal.get_by_label("Mail").check()
    modal.get_by_label("Day").fill("2030-03-04")
    modal.get_by_label("Time").fill("09:30")
    modal.get_by_label("Who", exact=True).select_option(label="Maya Chen")
    modal.get_by_label("With whom").select_option(label=["Lena Vogel", "Arjun Mehta"])
    modal.get_by_label("Where").select_option(label="#council-demo")

    # views.push (as an app's response_action would): the pushed view, then Back.
    sandbox.workspace.push_modal(
        NOOR,
        {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Second step"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Pushed"}}],
        },
    )
    expect(modal).to_contain_text("Second step")
    modal.get_by_label("Back").click()
    expect(modal).to_contain_text("Every input")

    submissions = _record_driver_calls(sandbox, "view_submission")
    page.get_by_test_id("modal-submit").click()
    page.wait_for_timeout(500)
    assert len(submissions) == 1 and submissions[0]["view_id"] == root.id
    values = sandbox.workspace.find_view(view_id=root.id).state["values"]
    assert values["line"]["line"] == {"type": "plain_text_input", "value": "hello"}
    assert values["notes"]["notes"]["value"] == "two\nlines"
    assert values["pick"]["pick"]["selected_option"]["value"] == "b"
    assert values["pick"]["pick"]["selected_option"]["text"]["text"] == "Blue"
    assert [o["value"] for o in values["ticks"]["ticks"]["selected_options"]] == ["cake"]
    assert values["radio"]["radio"]["selected_option"]["value"] == "mail"
    assert values["day"]["day"]["selected_date"] == "2030-03-04"
    assert values["time"]["time"]["selected_time"] == "09:30"
    assert values["who"]["who"]["selected_user"] == "U0MAYA0004"
    assert values["whom"]["whom"]["selected_users"] == ["U0LENA0002", "U0ARJUN003"]
    assert values["where"]["where"]["selected_conversation"] == "C0COUNCIL01"


# ------------------------------------------------ drawn as Slack draws them (#13)
def _bot_message(sandbox: Sandbox, channel: str, text: str, **extra: Any) -> str:
    return sandbox.workspace.add_message(channel, text=text, as_bot=True, **extra).ts


def test_every_emoji_name_slack_knows_is_drawn(page: Any, sandbox: Sandbox) -> None:
    expect = sync_api.expect
    _bot_message(
        sandbox,
        COUNCIL,
        "Legend :jigsaw: :bar_chart: :small_blue_diamond: :large_yellow_circle: "
        ":triangular_flag_on_post: :+1::skin-tone-3: :no_such_emoji:",
    )
    message = page.get_by_test_id("message").filter(has_text="Legend").first
    expect(message).to_contain_text("Legend 🧩 📊 🔹 🟡 🚩 👍🏼 :no_such_emoji:")


def _slack_date(when: datetime, zone: str, *, now: datetime) -> str:
    """`{date_short_pretty} at {time}` as Slack shows it to a member in `zone`."""
    local, today = when.astimezone(ZoneInfo(zone)), now.astimezone(ZoneInfo(zone)).date()
    days = (local.date() - today).days
    day = {-1: "Yesterday", 0: "Today", 1: "Tomorrow"}.get(days)
    day = day or f"{local:%b} {local.day}, {local.year}"
    return f"{day} at {local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


def test_dates_show_in_the_acting_members_own_zone(page: Any, sandbox: Sandbox) -> None:
    expect = sync_api.expect
    now = sandbox.clock.utcnow()
    fixed = datetime(2030, 3, 4, 14, 30, tzinfo=UTC)
    soon = now + timedelta(hours=20)
    fmt = "{date_short_pretty} at {time}"
    _bot_message(
        sandbox,
        COUNCIL,
        f"Dates <!date^{int(fixed.timestamp())}^{fmt}|4 Mar 2030 09:30 New York> and "
        f"<!date^{int(soon.timestamp())}^{fmt}|in the author's zone>",
    )
    for name, zone in (("Noor Haddad", NEW_YORK), ("Lena Vogel", "Europe/Berlin")):
        act_as(page, name)
        dates = page.get_by_test_id("message").filter(has_text="Dates").first.locator(".date")
        expect(dates.nth(0)).to_have_text(_slack_date(fixed, zone, now=now))
        expect(dates.nth(1)).to_have_text(_slack_date(soon, zone, now=now))
    act_as(page, "Arjun Mehta")
    expect(page.get_by_test_id("message").filter(has_text="Dates").first).to_contain_text(
        "Mar 4, 2030 at 8:00 PM"  # 14:30 UTC in Kolkata
    )


def _permalink(sandbox: Sandbox, channel: str, ts: str) -> str:
    client = WebClient(token=sandbox.standin.bot_token, base_url=sandbox.standin.api_url)
    return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])


def test_permalinks_of_sandbox_messages_open_the_message_in_the_page(
    page: Any, sandbox: Sandbox
) -> None:
    expect = sync_api.expect
    draft = _bot_message(sandbox, COUNCIL, "The draft to open")
    reply = sandbox.workspace.add_message(
        COUNCIL, text="A reply to find", user=LENA, thread_ts=draft
    ).ts
    im = sandbox.workspace.open_im(NOOR)[0].id
    _bot_message(
        sandbox,
        im,
        "Links",
        blocks=[
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"<{_permalink(sandbox, COUNCIL, draft)}|Open the draft>",
                },
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "see_replies",
                        "text": {"type": "plain_text", "text": "See it and the replies"},
                        "url": _permalink(sandbox, COUNCIL, reply),
                    }
                ],
            },
        ],
    )
    pages_before = len(page.context.pages)
    dm_messages(page)
    page.get_by_role("link", name="Open the draft").click()
    expect(page.locator("#conv-title")).to_have_text("🔒 council-demo")
    target = page.locator(f".message[data-ts='{draft}']")
    expect(target).to_have_class(re.compile(r"\bhighlight\b"))
    expect(target).to_be_in_viewport()

    dm_messages(page)
    page.get_by_role("button", name="See it and the replies").click()
    expect(page.get_by_test_id("thread")).to_be_visible()
    expect(page.locator(f"#thread-messages .message[data-ts='{reply}']")).to_have_class(
        re.compile(r"\bhighlight\b")
    )
    assert len(page.context.pages) == pages_before  # no tab opened on slack.com


def test_escape_closes_the_modal(page: Any, sandbox: Sandbox) -> None:
    expect = sync_api.expect
    run_command(page, "/mission")
    modal = page.get_by_test_id("modal")
    expect(modal).to_be_visible()
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    assert sandbox.workspace.modal_stack(NOOR) == []


def test_an_unknown_command_gets_slacks_own_answer(page: Any) -> None:
    expect = sync_api.expect
    run_command(page, "/foo")
    answer = page.locator(".message.ephemeral").last
    expect(answer).to_contain_text("/foo is not a valid command.")
    expect(answer.locator(".name")).to_have_text("Slackbot")
    expect(page.locator("#toast")).to_be_hidden()  # no "dispatch_failed (HTTP 404)"


def test_the_bots_messages_tab_is_read_only(page: Any) -> None:
    expect = sync_api.expect
    dm_messages(page)
    expect(page.get_by_test_id("read-only")).to_have_text(
        "Sending messages to this app has been turned off."
    )
    expect(page.get_by_test_id("composer")).to_be_hidden()
    page.get_by_test_id("conv-council-demo").click()
    expect(page.get_by_test_id("composer")).to_be_visible()
    expect(page.get_by_test_id("read-only")).to_be_hidden()


def _fits(page: Any, locator: Any, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_the_page_works_420_px_wide(browser: Any, web: Web, sandbox: Sandbox) -> None:
    expect = sync_api.expect
    width = 420
    context = browser.new_context(viewport={"width": width, "height": 820}, locale="en-GB")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(web.url + "/")
        page.locator("#acting-as option").first.wait_for(state="attached")
        no_overflow = "document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(no_overflow)
        composer = page.get_by_test_id("composer")
        expect(composer).to_be_in_viewport()
        _fits(page, composer, width)
        expect(page.get_by_test_id("conv-general")).not_to_be_in_viewport()  # a drawer now

        page.get_by_test_id("nav-toggle").click()
        expect(page.get_by_test_id("conv-general")).to_be_in_viewport()
        page.get_by_test_id("conv-council-demo").click()
        expect(page.get_by_test_id("conv-general")).not_to_be_in_viewport()

        run_command(page, "/mission help")
        expect(page.locator(".message.ephemeral").first).to_be_visible()
        assert page.evaluate(no_overflow)
        run_command(page, "/mission")
        modal = page.get_by_test_id("modal")
        expect(modal).to_be_visible()
        _fits(page, modal, width)
        _fits(page, page.get_by_test_id("modal-submit"), width)
        page.keyboard.press("Escape")
        expect(modal).to_be_hidden()

        draft = _bot_message(sandbox, COUNCIL, "A message with a thread")
        sandbox.workspace.add_message(COUNCIL, text="In the thread", user=LENA, thread_ts=draft)
        message = page.get_by_test_id("message").filter(has_text="A message with a thread")
        message.get_by_role("button", name="1 reply").click()
        thread = page.get_by_test_id("thread")
        expect(thread).to_contain_text("In the thread")
        _fits(page, thread, width)
        _fits(page, page.get_by_test_id("thread-composer"), width)
        page.get_by_label("Close thread").click()
        expect(composer).to_be_in_viewport()
        assert page.evaluate(no_overflow)
    finally:
        context.close()
