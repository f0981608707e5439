"""The App Home view: every section with what fits, the "see all" line under its items,
member text escaped, and a view Slack accepts at the largest a Home gets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.features.backchannel.rules import STATUS_ANSWERED, Checklist, Person
from bot.features.debriefs.rules import EventSummary
from bot.features.home.service import Dashboard, Shown
from bot.features.home.views import HOME_CAPS, home_view
from bot.features.missions.rules import DraftSummary, OwedFeedback
from bot.features.negotiation.rules import DECLINED, Leg, PlanSummary

NOW = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
HOSTILE = "<!channel> & <@U0NOOR0001> *bold* " + "x" * 400


def drafts(count: int, company: str = "Acme") -> list[DraftSummary]:
    return [
        DraftSummary(
            draft_id=i,
            company=f"{company} {i}",
            role="Head of Product",
            stage="offer",
            version=1 + i % 3,
            status="posted",
            interviews_logged=i % 4,
        )
        for i in range(count)
    ]


def owed(count: int, company: str = "Globex") -> list[OwedFeedback]:
    return [
        OwedFeedback(
            draft_id=100 + i,
            author_id="U0LENA0002",
            company=f"{company} {i}",
            role="CTO",
            deadline=NOW + timedelta(days=1 + i),
        )
        for i in range(count)
    ]


def events(count: int, company: str = "Initech") -> list[EventSummary]:
    return [
        EventSummary(
            event_id=200 + i,
            user_id="U0NOOR0001",
            company=f"{company} {i}",
            kind="interview",
            starts_at=NOW + timedelta(hours=i - 2),
            tz="Europe/Berlin",
            with_whom=company,
        )
        for i in range(count)
    ]


def checklists(count: int, company: str = "Hooli") -> list[Checklist]:
    people = tuple(
        Person(id=p, name=f"Person {p}", status=STATUS_ANSWERED, signal="mixed", notes="secret")
        for p in range(3)
    )
    return [
        Checklist(
            id=300 + i,
            team_id="T1",
            user_id="U0NOOR0001",
            search_id=i,
            company=f"{company} {i}",
            manager_name=company,
            people=people,
        )
        for i in range(count)
    ]


def plans(count: int, company: str = "Stark") -> list[PlanSummary]:
    return [
        PlanSummary(
            plan_id=400 + i,
            company=f"{company} {i}",
            legs=(Leg(key="resources", ask="A team", status=DECLINED),),
            has_numbers=bool(i % 2),
        )
        for i in range(count)
    ]


def board(total: int, company: str | None = None) -> Dashboard:
    """A Home whose every section holds `total` items, of which the caps' worth are shown."""

    def shown(items: list[Any], cap: int) -> Shown[Any]:
        return Shown(items=tuple(items[:cap]), total=total)

    named = {"company": company} if company is not None else {}
    return Dashboard(
        drafts=shown(drafts(total, **named), HOME_CAPS.drafts),
        owed=shown(owed(total, **named), HOME_CAPS.owed),
        events=shown(events(total, **named), HOME_CAPS.events),
        gratitude_count=total,
        now=NOW,
        negotiations=shown(plans(total, **named), HOME_CAPS.plans),
        checklists=shown(checklists(total, **named), HOME_CAPS.checklists),
    )


def texts(view: dict) -> list[str]:
    """Each block's own text (a section's, a header's, a context's first element's)."""
    found: list[str] = []
    for block in view["blocks"]:
        if block["type"] in ("section", "header"):
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found.append(block["elements"][0]["text"])
        else:
            found.append(block["type"])
    return found


@pytest.fixture
def blockkit() -> Any:
    return pytest.importorskip("bot.sandbox.standin.blockkit")


@pytest.mark.parametrize("total", [0, 1, 5, 150])
def test_the_home_validates_with_the_standin_however_much_there_is(
    blockkit: Any, total: int
) -> None:
    view = home_view(board(total))
    assert blockkit.validate_view(view) == []
    json.dumps(view)


def test_each_section_shows_its_cap_and_points_to_its_list_for_the_rest() -> None:
    lines = texts(home_view(board(150)))
    shown_drafts = [t for t in lines if t.startswith("*Head of Product* at ")]
    assert len(shown_drafts) == HOME_CAPS.drafts
    for command, cap in (
        ("/mission list", HOME_CAPS.drafts),
        ("/debrief list", HOME_CAPS.events),
        ("/backchannel list", HOME_CAPS.checklists),
        ("/negotiate list", HOME_CAPS.plans),
    ):
        assert lines.count(f"…and {150 - cap} more in `{command}`.") == 1, command
    assert f"…and {150 - HOME_CAPS.owed} more requests; they show here as you answer these." in (
        lines
    )
    # Each pointer sits right under its section's items.
    drafts_hint = lines.index(f"…and {150 - HOME_CAPS.drafts} more in `/mission list`.")
    assert lines[drafts_hint + 1] == "*Feedback you owe*"
    events_hint = lines.index(f"…and {150 - HOME_CAPS.events} more in `/debrief list`.")
    assert lines[events_hint + 1].startswith(":house_with_garden: *Your Gratitude House*")
    assert lines[events_hint - 1] == "actions"  # the last event's buttons
    checklists_hint = lines.index(f"…and {150 - HOME_CAPS.checklists} more in `/backchannel list`.")
    assert lines[checklists_hint + 1] == "divider"
    plans_hint = lines.index(f"…and {150 - HOME_CAPS.plans} more in `/negotiate list`.")
    assert lines[plans_hint + 1] == "divider"


@pytest.mark.parametrize("total", [0, 1, 5])
def test_no_pointer_when_everything_fits(total: int) -> None:
    flat = json.dumps(home_view(board(total)))
    assert "more in `/" not in flat and "more requests" not in flat


def mrkdwn(node: Any) -> list[str]:
    """Every mrkdwn text in a view: what Slack parses for mentions (plain_text it shows
    as typed, and cannot ping)."""
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn(item)]
    if not isinstance(node, dict):
        return []
    own = [str(node.get("text", ""))] if node.get("type") == "mrkdwn" else []
    return own + [text for value in node.values() for text in mrkdwn(value)]


def test_member_text_is_escaped_everywhere_and_private_notes_stay_off_the_home() -> None:
    view = home_view(board(150, company=HOSTILE))
    parsed = "\n".join(mrkdwn(view))
    assert "<!channel>" not in parsed and "<@U0NOOR0001>" not in parsed
    assert parsed.count("&lt;!channel&gt; &amp; &lt;@U0NOOR0001&gt;") >= sum(
        (HOME_CAPS.drafts, HOME_CAPS.owed, HOME_CAPS.events, HOME_CAPS.plans)
    )
    flat = json.dumps(view)
    assert "secret" not in flat and "Person 1" not in flat  # no names or notes on Home
