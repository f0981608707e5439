"""The App Home end to end: a signed `app_home_opened`, and the view the stand-in got.

A member with a long history sees their most recent drafts first, as many as fit, and a
pointer to `/mission list` for the rest; everything they typed arrives escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.features.missions import service as missions
from bot.features.missions.rules import MissionInput, Objective
from bot.features.missions.views import HOME_MAX_DRAFTS
from bot.sandbox.standin.server import ApiCall
from storage.councils import upsert_council
from storage.db import session_scope
from storage.types import require_id
from tests.handlers.conftest import post_draft
from tests.plugins.slack import Slack

SEEDED = 20
HOSTILE = "<!channel> & Sons"


def seed_drafts(slack: Slack, *, author: str, count: int, prefix: str) -> list[int]:
    """`count` drafts by `author` in the council channel, oldest first, stored through the
    mission use case (posting each through the modal would only make the test slow)."""
    with session_scope(slack.engine) as session:
        council_id = require_id(
            upsert_council(
                session, team_id=slack.workspace.team_id, channel_id=slack.council, name="council"
            )
        )
    ids = []
    for i in range(1, count + 1):
        company = HOSTILE if i == count else f"{prefix} {i}"
        draft_id = missions.create_draft(
            slack.engine,
            team_id=slack.workspace.team_id,
            council_id=council_id,
            channel_id=slack.council,
            author_id=author,
            mission=MissionInput(
                company=company,
                role=f"{prefix} role {i}",
                stage="applied",
                mission="Help the team ship.",
                objectives=(Objective("Ship more", ("Two releases a month",)),),
            ),
        )
        # Edited in the order they were made, so "most recently changed" is well defined.
        missions.revise(
            slack.engine,
            team_id=slack.workspace.team_id,
            draft_id=draft_id,
            editor_id=author,
            mission=MissionInput(
                company=company,
                role=f"{prefix} role {i}",
                stage="interviewing",
                mission="Help the team ship, reliably.",
                objectives=(Objective("Ship more", ("Two releases a month",)),),
            ),
            now=datetime.now(UTC) - timedelta(hours=count - i),
        )
        ids.append(draft_id)
    return ids


def open_home(slack: Slack, user: str) -> ApiCall:
    def theirs(call: ApiCall) -> bool:
        return bool(call.args["user_id"] == user)

    seen = len([c for c in slack.standin.calls_to("views.publish") if theirs(c)])
    answer = slack.driver.app_home_opened(user=user)
    assert answer.status == 200
    found = slack.standin.wait_for("views.publish", predicate=theirs, count=seen + 1)
    published = found[-1] if isinstance(found, list) else found
    assert published.ok, published.describe()
    return published


def mrkdwn_in(node: Any) -> list[str]:
    """Every mrkdwn text of a view: what Slack parses for mentions."""
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_in(item)]
    if not isinstance(node, dict):
        return []
    own = [str(node.get("text", ""))] if node.get("type") == "mrkdwn" else []
    return own + [text for value in node.values() for text in mrkdwn_in(value)]


def block_texts(view: dict[str, Any]) -> list[str]:
    texts = []
    for block in view["blocks"]:
        if block["type"] in ("section", "header"):
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts.append(block["elements"][0]["text"])
    return texts


def test_a_long_history_shows_the_most_recent_drafts_first_and_points_to_mission_list(
    slack: Slack,
) -> None:
    seed_drafts(slack, author=slack.noor, count=SEEDED, prefix="Company")
    seed_drafts(slack, author=slack.lena, count=5, prefix="Lena's company")
    post_draft(slack, author=slack.noor, channel=slack.council)  # the newest, posted for real
    slack.standin.clear_calls()

    published = open_home(slack, slack.noor)
    texts = block_texts(published.args["view"])
    drafts = [t for t in texts if " role " in t or "Head of Product" in t]
    assert len(drafts) == HOME_MAX_DRAFTS
    # Newest first: the one just posted, then the seeded ones from the last edited back.
    assert drafts[0].startswith("*Head of Product* at *Acme Robotics*")
    assert drafts[1].startswith(f"*Company role {SEEDED}* at *&lt;!channel&gt; &amp; Sons*")
    for shown, number in zip(drafts[2:], range(SEEDED - 1, 0, -1), strict=False):
        assert shown.startswith(f"*Company role {number}* at *Company {number}*"), shown
    assert "Version 2" in drafts[1] and "Interviewing" in drafts[1]
    # What doesn't fit is one line away, right under the drafts.
    more = SEEDED + 1 - HOME_MAX_DRAFTS
    hint = texts.index(f"…and {more} more in `/mission list`.")
    assert texts[hint + 1] == "*Feedback you owe*"
    assert texts[hint - 1] == drafts[-1] or texts[hint - 1].startswith(":speech_balloon:")
    # Lena's drafts are hers.
    assert not any("Lena's company" in t for t in texts)
    # The company name a member typed cannot ping the channel.
    assert not any("<!channel>" in text for text in mrkdwn_in(published.args["view"]))


def test_the_home_of_a_member_with_a_few_drafts_lists_them_all_without_a_pointer(
    slack: Slack,
) -> None:
    seed_drafts(slack, author=slack.noor, count=3, prefix="Company")
    published = open_home(slack, slack.noor)
    texts = block_texts(published.args["view"])
    assert [t.split("*")[3] for t in texts if " role " in t] == [
        "&lt;!channel&gt; &amp; Sons",
        "Company 2",
        "Company 1",
    ]
    assert not any("more in `/mission list`" in t for t in texts)
