"""The negotiation rules without Slack: reading amounts, validating the forms, the red flag;
and the Block Kit views checked against the stand-in's validator."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.features.negotiation import rules, views
from bot.features.negotiation.rules import (
    ASKED,
    COMMITTED,
    DECLINED,
    FIELD_ASK,
    FIELD_COMPANY,
    FIELD_CURRENCY,
    FIELD_OBJECTIVE,
    FIELD_OFFER,
    FIELD_SEARCH,
    FIELD_STATUS,
    FIELD_TARGET,
    NOT_ASKED,
    AmountError,
    Compensation,
    CompensationForm,
    Leg,
    LegForm,
    LegInput,
    ObjectiveOption,
    PickInput,
    Plan,
    PlanSummary,
    money_script,
    objective_for,
    parse_amount,
    red_flag,
    validate_compensation,
    validate_leg,
    validate_note,
    validate_pick,
)

HOSTILE = "<!channel> <!here> <@U0MAYA0004> <https://evil.example|click> & *bold*"


# --- reading amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("185000", 185_000),
        ("185,000", 185_000),
        ("185k", 185_000),
        ("185K", 185_000),
        (" 185 k ", 185_000),
        ("$185,000", 185_000),
        ("€ 90.000", 90_000),
        ("185 000", 185_000),
        ("185\u00a0000", 185_000),
        ("185'000", 185_000),
        ("USD 185,000", 185_000),
        ("185k usd", 185_000),
        ("185,000.00", 185_000),
        ("1,85,000", 185_000),  # lakh grouping
        ("1.250.000", 1_250_000),
        ("1.5k", 1_500),
        ("1,5k", 1_500),
        ("185.5k", 185_500),
        ("1.2m", 1_200_000),
        ("2M", 2_000_000),
    ],
)
def test_amounts_members_type_are_read(typed: str, amount: int) -> None:
    assert parse_amount(typed) == amount


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("a lot", "couldn't read"),
        ("", "couldn't read"),
        ("twelve", "couldn't read"),
        ("12abc", "couldn't read"),
        ("1e5", "couldn't read"),
        ("185kk", "couldn't read"),
        ("1,2,3", "couldn't read"),
        ("1..5", "couldn't read"),
        ("-5", "negative"),
        ("-185k", "negative"),
        ("−185,000", "negative"),
        ("$-5", "negative"),
        ("(5,000)", "negative"),
        ("0", "above zero"),
        ("0k", "above zero"),
        ("9" * 14, "zeros"),
    ],
)
def test_what_is_not_an_amount_says_why(typed: str, why: str) -> None:
    with pytest.raises(AmountError, match=why):
        parse_amount(typed)


@given(st.integers(min_value=1, max_value=rules.AMOUNT_MAX))
def test_grouped_amounts_read_back_exactly(amount: int) -> None:
    assert parse_amount(f"{amount:,}") == amount
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"{amount:,}".replace(",", " ")) == amount


@given(st.text(max_size=20))
def test_parsing_never_crashes(text: str) -> None:
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert 0 < value <= rules.AMOUNT_MAX


# --- the compensation form ------------------------------------------------------------------------


def test_compensation_accepts_both_forms_and_either_number_alone() -> None:
    assert validate_compensation(CompensationForm("185,000", "200k", "USD")) == Compensation(
        185_000, 200_000, "USD"
    )
    assert validate_compensation(CompensationForm("185k", "", "eur")) == Compensation(
        185_000, None, "EUR"
    )
    assert validate_compensation(CompensationForm("", "", "")) == Compensation()


def test_a_target_below_or_at_the_offer_is_an_error_on_the_target() -> None:
    below = validate_compensation(CompensationForm("185k", "150,000", "USD"))
    assert isinstance(below, dict) and set(below) == {FIELD_TARGET}
    assert "below the current offer (185,000 USD)" in below[FIELD_TARGET]
    same = validate_compensation(CompensationForm("185k", "185,000", "USD"))
    assert isinstance(same, dict) and "the offer itself" in same[FIELD_TARGET]


def test_non_numeric_and_negative_numbers_get_errors_on_their_fields() -> None:
    errors = validate_compensation(CompensationForm("lots", "-5", "XXX"))
    assert isinstance(errors, dict)
    assert set(errors) == {FIELD_OFFER, FIELD_TARGET, FIELD_CURRENCY}
    assert "couldn't read" in errors[FIELD_OFFER] and "negative" in errors[FIELD_TARGET]
    long = validate_compensation(CompensationForm("1" * 31, "", "USD"))
    assert isinstance(long, dict) and FIELD_OFFER in long


def test_the_script_names_the_target_as_a_question() -> None:
    script = money_script(Compensation(185_000, 200_000, "USD"))
    assert script is not None and "would you be open to 200,000 USD?" in script
    assert money_script(Compensation(185_000, None, "USD")) is None


# --- legs and the red flag ------------------------------------------------------------------------

OBJECTIVES = {11: "Cut deployment time", 12: "Make releases boring"}


def test_a_leg_is_cleaned() -> None:
    assert validate_leg(
        LegForm("  A budget for tech debt ", "11", ASKED), objectives=OBJECTIVES
    ) == LegInput("A budget for tech debt", 11, ASKED)
    assert validate_leg(LegForm("", "", ""), objectives={}) == LegInput("", None, NOT_ASKED)


def test_leg_errors() -> None:
    too_long = validate_leg(LegForm("x" * 301, "", ASKED), objectives=OBJECTIVES)
    assert isinstance(too_long, dict) and "300" in too_long[FIELD_ASK]
    empty_but_asked = validate_leg(LegForm(" ", "", DECLINED), objectives=OBJECTIVES)
    assert isinstance(empty_but_asked, dict) and "They declined" in empty_but_asked[FIELD_ASK]
    stale = validate_leg(LegForm("Ask", "99", ASKED), objectives=OBJECTIVES)
    assert isinstance(stale, dict) and set(stale) == {FIELD_OBJECTIVE}
    status = validate_leg(LegForm("Ask", "", "maybe"), objectives=OBJECTIVES)
    assert isinstance(status, dict) and set(status) == {FIELD_STATUS}


def legs(*statuses: str) -> list[Leg]:
    keys = rules.LEG_KEYS
    return [Leg(key=keys[i], ask="an ask", status=s) for i, s in enumerate(statuses)]


@pytest.mark.parametrize(
    ("statuses", "flagged"),
    [
        ((NOT_ASKED, NOT_ASKED, NOT_ASKED), False),  # nothing asked yet
        ((DECLINED, NOT_ASKED, NOT_ASKED), True),  # the one ask made was declined
        ((DECLINED, DECLINED, DECLINED), True),
        ((DECLINED, DECLINED, ASKED), False),  # one still open
        ((DECLINED, COMMITTED, DECLINED), False),  # one commitment
        ((ASKED, ASKED, NOT_ASKED), False),
        ((COMMITTED, COMMITTED, COMMITTED), False),
    ],
)
def test_red_flag(statuses: tuple[str, ...], flagged: bool) -> None:
    assert red_flag(legs(*statuses)) is flagged
    summary = PlanSummary(plan_id=1, company="Acme", legs=tuple(legs(*statuses)))
    assert summary.red_flag is flagged


def test_a_link_to_an_earlier_version_follows_the_same_words() -> None:
    current = (ObjectiveOption(21, 1, "Cut deployment time"), ObjectiveOption(22, 2, "New"))
    same_words = Leg("resources", "ask", objective_id=11, objective_text="cut deployment  time")
    assert objective_for(same_words, current) == (current[0], False)
    gone = Leg("resources", "ask", objective_id=12, objective_text="Make releases boring")
    assert objective_for(gone, current) == (None, True)
    assert objective_for(Leg("team"), current) == (None, False)


# --- picking the search ---------------------------------------------------------------------------

SEARCHES = {1: "Acme Robotics", 2: "Globex"}


def test_pick_a_search_or_type_a_company() -> None:
    assert validate_pick(search_id="2", company="", searches=SEARCHES) == PickInput(2, "Globex")
    assert validate_pick(search_id="", company=" acme  ROBOTICS", searches=SEARCHES) == PickInput(
        1, "Acme Robotics"
    )
    assert validate_pick(search_id="", company="Initech", searches=SEARCHES) == PickInput(
        None, "Initech"
    )
    assert validate_pick(search_id="1", company="Acme Robotics", searches=SEARCHES) == PickInput(
        1, "Acme Robotics"
    )


def test_pick_errors() -> None:
    nothing = validate_pick(search_id="", company="", searches=SEARCHES)
    assert isinstance(nothing, dict) and FIELD_COMPANY in nothing
    # A company typed wins over the select (bot.features.searches.rules.pick_company).
    assert validate_pick(search_id="1", company="Globex", searches=SEARCHES) == PickInput(
        2, "Globex"
    )
    gone = validate_pick(search_id="7", company="", searches=SEARCHES)
    assert isinstance(gone, dict) and FIELD_SEARCH in gone
    long = validate_pick(search_id="", company="x" * 101, searches={})
    assert isinstance(long, dict) and "100" in long[FIELD_COMPANY]
    assert validate_note("x" * 501) == {
        "note": "Please keep this to 500 characters or fewer (it has 501 now)."
    }
    assert validate_note("  fine ") == "fine"


# --- views ----------------------------------------------------------------------------------------


@pytest.fixture
def blockkit() -> Any:
    return pytest.importorskip("bot.sandbox.standin.blockkit")


def plan(**overrides: Any) -> Plan:
    values: dict[str, Any] = {
        "plan_id": 7,
        "user_id": "U0LENA0002",
        "search_id": 3,
        "company": HOSTILE,
        "legs": (
            Leg("resources", HOSTILE * 4, 11, HOSTILE, DECLINED),
            Leg("team", "Two SREs\n<!channel> too", 99, "Gone " + HOSTILE, DECLINED),
            Leg("mentorship"),
        ),
        "compensation": Compensation(185_000, 200_000, "USD"),
        "checklist": ("live", "order"),
        "objectives": (ObjectiveOption(11, 1, HOSTILE * 2), ObjectiveOption(12, 2, "Ship")),
        "mission_version": 3,
        "channel_id": "C0COUNCIL01",
    }
    values.update(overrides)
    return Plan(**values)


def mrkdwn_texts(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            found.append(str(node.get("text")))
        for value in node.values():
            found.extend(mrkdwn_texts(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(mrkdwn_texts(value))
    return found


def assert_inert(blocks: Any, allowed: tuple[str, ...] = ("<@U0LENA0002>",)) -> None:
    text = "\n".join(mrkdwn_texts(blocks))
    for allowed_mention in allowed:
        text = text.replace(allowed_mention, "")
    for dangerous in ("<!channel>", "<!here>", "<@U0MAYA0004>", "<https://evil"):
        assert dangerous not in text


def test_every_modal_validates_and_member_text_is_inert(blockkit: Any) -> None:
    p = plan()
    modals = [
        views.plan_modal(p),
        views.plan_modal(p, notice=views.shared_notice("C0COUNCIL01")),
        views.plan_modal(plan(compensation=Compensation(), objectives=(), mission_version=None)),
        views.pick_modal(searches=[(i, HOSTILE * 3) for i in range(120)], private_metadata="{}"),
        views.pick_modal(searches=[], private_metadata="{}"),
        views.money_modal(p.compensation or Compensation(), private_metadata="{}"),
        views.money_modal(Compensation(), private_metadata="{}"),
        views.share_modal(p, channel_id="C0COUNCIL01", has_numbers=True, private_metadata="{}"),
        views.share_modal(p, channel_id="C0COUNCIL01", has_numbers=False, private_metadata="{}"),
        views.notice_modal(views.no_council_text("share your plan")),
        *(views.leg_modal(p, key, private_metadata="{}") for key in rules.LEG_KEYS),
        views.leg_modal(plan(objectives=()), "team", private_metadata="{}"),
    ]
    for modal in modals:
        assert blockkit.validate_view(modal) == [], json.dumps(modal)[:500]
        assert_inert(modal["blocks"])
    shown = json.dumps(modals[0])
    assert "&lt;!channel&gt;" in shown and "Red flag" in shown and "185,000 USD" in shown
    assert "earlier version" in json.dumps(views.leg_modal(p, "team", private_metadata="{}"))


def test_the_plan_without_a_mission_invites_one_and_has_no_script() -> None:
    shown = json.dumps(
        views.plan_modal(plan(compensation=Compensation(), objectives=(), mission_version=None))
    )
    assert "/mission" in shown and "open to" not in shown and "Add the numbers" in shown


def test_the_council_summary_without_numbers_has_none(blockkit: Any) -> None:
    private = plan(compensation=None)
    text, blocks = views.share_message(private, note=HOSTILE)
    assert blockkit.validate_message(text=text, blocks=blocks) == []
    everything = text + json.dumps(blocks)
    assert "185" not in everything and "200" not in everything and "USD" not in everything
    assert "stays private" in everything and "Red flag" in everything
    assert_inert(blocks)
    assert "<!channel>" not in text


def test_the_council_summary_with_numbers_shows_them(blockkit: Any) -> None:
    text, blocks = views.share_message(plan())
    assert blockkit.validate_message(text=text, blocks=blocks) == []
    shown = json.dumps(blocks)
    assert "185,000 USD" in shown and "200,000 USD" in shown and "8% above" in shown


def test_the_negotiation_call_modal_is_the_debrief_modal_prefilled(blockkit: Any) -> None:
    from datetime import UTC, datetime

    view = views.negotiation_call_modal(
        searches=[(3, "Acme"), (4, "Globex")],
        search_id=3,
        tz="Europe/Berlin",
        now=datetime(2026, 3, 3, 8, tzinfo=UTC),
        private_metadata='{"council":1,"channel":"C1","tz":"Europe/Berlin"}',
    )
    assert blockkit.validate_view(view) == []
    assert view["callback_id"] == "debrief_event_new"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["kind"]["element"]["initial_option"]["value"] == "negotiation"
    assert blocks["search"]["element"]["initial_option"]["value"] == "3"


def test_lists_home_and_help_validate(blockkit: Any) -> None:
    flagged = PlanSummary(
        plan_id=1, company=HOSTILE, legs=tuple(legs(DECLINED, NOT_ASKED, NOT_ASKED))
    )
    calm = PlanSummary(plan_id=2, company="Globex", legs=tuple(legs(ASKED, ASKED, COMMITTED)))
    many = [dataclasses.replace(calm, plan_id=i) for i in range(30)]
    for blocks in (
        views.list_message([]),
        views.list_message([flagged, calm]),
        views.list_message(many),
        views.help_blocks(),
    ):
        assert blockkit.validate_message(text="fallback", blocks=blocks) == []
        assert_inert(blocks)
    home = views.home_section([flagged, *many])
    assert blockkit.validate_blocks(home, surface="home") == []
    assert len(home) <= 10  # room for every other feature on the 100-block Home tab
    assert "Red flag" in json.dumps(home)
    assert "block_id" not in json.dumps(home)  # composed with other sections
    assert "Red flag" in json.dumps(views.home_section([flagged]))
    assert "Red flag" not in json.dumps(views.home_section([calm]))


def test_help_is_in_the_bots_own_words() -> None:
    shown = json.dumps(views.help_blocks())
    for words in ("Resources", "Team development", "Mentorship", "87%", "185k"):
        assert words in shown
    assert "That was really what I was hoping for" not in shown
