"""The back-channel rules without Slack: validation, status changes, the follow-up time
(quiet hours, DST), summaries; and the Block Kit views checked against the stand-in's
validator, with hostile member text kept inert and names kept out of summaries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.features.backchannel import views
from bot.features.backchannel.rules import (
    FIELD_COMPANY,
    FIELD_MANAGER,
    FIELD_NAME,
    FIELD_NOTES,
    FIELD_RELATION,
    FIELD_SEARCH,
    FIELD_SIGNAL,
    FIELD_SLACK_USER,
    FIELD_STATUS,
    MAX_PEOPLE,
    PROMPTS,
    REFERENCE_TIP,
    SIGNAL_AGAIN,
    SIGNAL_MIXED,
    SIGNAL_NONE,
    SIGNAL_NOT,
    STATUS_ANSWERED,
    STATUS_ASKED,
    STATUS_TO_ASK,
    AnswerForm,
    AnswerInput,
    Checklist,
    Person,
    PersonForm,
    PersonInput,
    StartForm,
    StartInput,
    asked_changes,
    followup_dedupe_key,
    followup_is_moot,
    followup_time,
    status_times,
    summarize,
    validate_answer,
    validate_manager,
    validate_person,
    validate_start,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
ME = "U0LENA0002"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def people(n: int, **overrides: Any) -> list[Person]:
    return [Person(id=i, name=f"Person {i}", **overrides) for i in range(1, n + 1)]


# --- starting a checklist -----------------------------------------------------------------------


def test_starting_with_a_search_or_a_typed_company() -> None:
    searches = {7: "Acme Robotics", 9: "Globex"}
    picked = validate_start(StartForm(search_id="7", manager="  Dana   Reyes "), searches=searches)
    assert picked == StartInput(search_id=7, company="", manager_name="Dana Reyes")
    typed = validate_start(StartForm(company="  Initech  "), searches=searches)
    assert typed == StartInput(search_id=None, company="Initech", manager_name="")
    # Typing an existing search's name uses it; a typed company wins over the select.
    again = validate_start(StartForm(search_id="9", company="acme   ROBOTICS"), searches=searches)
    assert again == StartInput(search_id=7, company="", manager_name="")


def test_starting_needs_a_company_and_fits_the_limits() -> None:
    assert FIELD_COMPANY in validate_start(StartForm(), searches={})  # type: ignore[operator]
    assert FIELD_SEARCH in validate_start(StartForm(search_id="3"), searches={7: "Acme"})  # type: ignore[operator]
    errors = validate_start(StartForm(company="x" * 101, manager="y" * 81), searches={})
    assert isinstance(errors, dict) and set(errors) == {FIELD_COMPANY, FIELD_MANAGER}
    assert "101" in errors[FIELD_COMPANY]


def test_the_managers_name() -> None:
    assert validate_manager("  Dana  Reyes ") == "Dana Reyes"
    assert validate_manager("") == ""  # clears it
    assert FIELD_MANAGER in validate_manager("d" * 81)  # type: ignore[operator]


# --- people -------------------------------------------------------------------------------------


def test_adding_a_person() -> None:
    result = validate_person(
        PersonForm(
            name="  Sam   Okafor ", relation=" reported to her ", slack_user_id="U0NOOR0001"
        ),
        existing=[],
        user_id=ME,
    )
    assert result == PersonInput("Sam Okafor", "reported to her", "U0NOOR0001")


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (PersonForm(name="   "), FIELD_NAME, "type their name"),
        (PersonForm(name="n" * 81), FIELD_NAME, "80"),
        (PersonForm(name="person 1"), FIELD_NAME, "already"),
        (PersonForm(name="Ok", relation="r" * 151), FIELD_RELATION, "150"),
        (PersonForm(name="Ok", slack_user_id=ME), FIELD_SLACK_USER, "you"),
    ],
)
def test_bad_people_get_errors_on_their_field(form: PersonForm, field: str, words: str) -> None:
    errors = validate_person(form, existing=people(1), user_id=ME)
    assert isinstance(errors, dict) and words in errors[field]


def test_the_checklist_holds_at_most_25_people() -> None:
    assert isinstance(
        validate_person(PersonForm(name="New"), existing=people(24), user_id=ME), PersonInput
    )
    errors = validate_person(PersonForm(name="New"), existing=people(MAX_PEOPLE), user_id=ME)
    assert isinstance(errors, dict) and "25" in errors[FIELD_NAME]


# --- answers and statuses -----------------------------------------------------------------------


def test_recording_an_answer() -> None:
    result = validate_answer(AnswerForm(status="answered", signal="mixed", notes="  Tough  \n"))
    assert result == AnswerInput(status=STATUS_ANSWERED, signal=SIGNAL_MIXED, notes="Tough")
    # No signal picked means no clear signal.
    assert validate_answer(AnswerForm(status="asked")) == AnswerInput(STATUS_ASKED, SIGNAL_NONE, "")


def test_bad_answers_get_errors() -> None:
    errors = validate_answer(AnswerForm(status="", signal="bogus", notes="n" * 1001))
    assert isinstance(errors, dict) and set(errors) == {FIELD_STATUS, FIELD_SIGNAL, FIELD_NOTES}
    assert "1,000" in errors[FIELD_NOTES] and "1,001" in errors[FIELD_NOTES]
    # A signal from someone who hasn't answered is a contradiction, not a guess.
    contradiction = validate_answer(AnswerForm(status="asked", signal="would_not"))
    assert isinstance(contradiction, dict) and "Answered" in contradiction[FIELD_STATUS]


def test_status_times() -> None:
    now, earlier = utc(2026, 3, 5, 9), utc(2026, 3, 1, 9)
    fresh = Person(1, "A")
    assert status_times(fresh, STATUS_ASKED, now) == (now, None)
    assert status_times(fresh, STATUS_ANSWERED, now) == (now, now)
    asked = Person(1, "A", status=STATUS_ASKED, asked_at=earlier)
    assert status_times(asked, STATUS_ASKED, now) == (earlier, None)
    assert status_times(asked, STATUS_ANSWERED, now) == (earlier, now)
    assert status_times(asked, STATUS_TO_ASK, now) == (None, None)


def test_the_asked_checkboxes() -> None:
    by_id = {
        1: Person(1, "A"),
        2: Person(2, "B", status=STATUS_ASKED),
        3: Person(3, "C", status=STATUS_ANSWERED),
        4: Person(4, "D"),
    }
    # Ticking A, unticking B; C (answered) and a removed person (9) are left alone.
    changes = asked_changes(by_id, shown=[1, 2, 3, 4, 9], ticked=[1, 3, 9])
    assert changes == {1: STATUS_ASKED, 2: STATUS_TO_ASK}
    assert asked_changes(by_id, shown=[1, 2], ticked=[2]) == {}


def test_summaries_count_signals_of_answers_only() -> None:
    summary = summarize(
        [
            Person(1, "A", status=STATUS_ANSWERED, signal=SIGNAL_AGAIN),
            Person(2, "B", status=STATUS_ANSWERED, signal=SIGNAL_AGAIN),
            Person(3, "C", status=STATUS_ANSWERED, signal=SIGNAL_NOT),
            Person(4, "D", status=STATUS_ANSWERED),
            Person(5, "E", status=STATUS_ASKED),
            Person(6, "F"),
        ]
    )
    assert (summary.people, summary.asked, summary.answered, summary.waiting) == (6, 5, 4, 1)
    assert summary.count(SIGNAL_AGAIN) == 2 and summary.count(SIGNAL_NOT) == 1
    assert summary.count(SIGNAL_MIXED) == 0 and summary.count(SIGNAL_NONE) == 1


# --- the follow-up ------------------------------------------------------------------------------


def test_the_follow_up_is_three_days_later_at_ten_local() -> None:
    asked = utc(2026, 3, 3, 15)  # Tue 16:00 in Berlin
    due = followup_time(asked, tz=BERLIN)
    assert due.astimezone(ZoneInfo(BERLIN)).replace(tzinfo=None) == datetime(2026, 3, 6, 10, 0)
    # Asked late at night in New York (already the next day in UTC): three days from the
    # member's own day, 10:00 their time.
    late = utc(2026, 3, 4, 3, 30)  # Tue 22:30 in New York
    local = followup_time(late, tz=NEW_YORK).astimezone(ZoneInfo(NEW_YORK))
    assert (local.day, local.hour, local.minute) == (6, 10, 0)


def test_the_follow_up_keeps_ten_oclock_across_dst() -> None:
    # New York springs forward on Sun 8 Mar 2026.
    asked = utc(2026, 3, 6, 15)  # Fri 10:00 EST
    due = followup_time(asked, tz=NEW_YORK)
    assert due == utc(2026, 3, 9, 14)  # Mon 10:00 EDT
    assert due - asked == timedelta(days=3) - timedelta(hours=1)


def test_a_follow_up_is_moot_unless_still_waiting() -> None:
    waiting = Person(1, "A", status=STATUS_ASKED)
    checklist = Checklist(id=1, team_id="T", user_id=ME, search_id=1, company="Acme")
    assert not followup_is_moot(checklist, waiting)
    assert followup_is_moot(checklist, Person(1, "A", status=STATUS_ANSWERED))
    assert followup_is_moot(checklist, Person(1, "A"))
    assert followup_is_moot(checklist, None) and followup_is_moot(None, waiting)
    closed = Checklist(id=1, team_id="T", user_id=ME, search_id=1, company="A", status="closed")
    assert followup_is_moot(closed, waiting)
    assert followup_dedupe_key(5) == followup_dedupe_key(5) != followup_dedupe_key(6)


def test_the_prompts_and_the_tip_are_there() -> None:
    text = " ".join(question for _, question in PROMPTS).lower()
    assert "work with this person again" in text
    assert "pressure" in " ".join(t.lower() for t, _ in PROMPTS)
    assert "grow" in text and "leave" in text
    assert "call" in REFERENCE_TIP and "outstanding" in REFERENCE_TIP


# --- views --------------------------------------------------------------------------------------

HOSTILE = "<!channel> <@U0MAYA0004> & <https://evil.example|x> *bold*"
DANGEROUS = ("<!channel>", "<@U0MAYA0004>", "<https://evil")


def hostile_checklist(n: int = MAX_PEOPLE) -> Checklist:
    statuses = [STATUS_TO_ASK, STATUS_ASKED, STATUS_ANSWERED]
    signals = [SIGNAL_AGAIN, SIGNAL_MIXED, SIGNAL_NOT, SIGNAL_NONE]
    crowd = tuple(
        Person(
            id=i,
            name=(HOSTILE + str(i))[:80],
            relation=(HOSTILE * 4)[:150],
            slack_user_id="U0NOOR0001" if i % 2 else None,
            status=statuses[i % 3],
            signal=signals[i % 4] if statuses[i % 3] == STATUS_ANSWERED else SIGNAL_NONE,
            notes=("secret " + HOSTILE * 40)[:1000],
            asked_at=utc(2026, 3, 3, 9) if statuses[i % 3] != STATUS_TO_ASK else None,
        )
        for i in range(1, n + 1)
    )
    return Checklist(
        id=4,
        team_id="T",
        user_id=ME,
        search_id=2,
        company=HOSTILE[:100],
        manager_name=HOSTILE[:80],
        people=crowd,
    )


def mrkdwn(blocks: Any) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


@pytest.fixture
def blockkit() -> Any:
    return pytest.importorskip("bot.sandbox.standin.blockkit")


def test_every_view_validates_and_member_text_is_inert(blockkit: Any) -> None:
    full = hostile_checklist()
    empty = Checklist(id=5, team_id="T", user_id=ME, search_id=3, company="Acme")
    closed = Checklist(id=6, team_id="T", user_id=ME, search_id=3, company=HOSTILE, status="closed")
    messages = [
        views.checklist_message(full),
        views.checklist_message(empty),
        views.checklist_message(closed),
        views.moved_message(full),
        views.summary_message(checklist=full, include_names=False),
        views.summary_message(checklist=full, include_names=True, ask=HOSTILE * 10),
        views.followup_message(person=full.people[1], checklist=full),
    ]
    for text, blocks in messages:
        assert blockkit.validate_message(text=text, blocks=blocks) == [], text
        flat = mrkdwn(blocks) + text
        for dangerous in DANGEROUS:
            assert dangerous not in flat
    for blocks in (
        views.list_message([full, empty] * 10, note="note"),
        views.help_blocks(),
        views.prompts_blocks(),
    ):
        assert blockkit.validate_message(text="fallback", blocks=blocks) == []
        assert "<!channel>" not in mrkdwn(blocks)
    home = views.home_section([full, empty] * 5)
    assert blockkit.validate_view({"type": "home", "blocks": home}) == []
    modals = [
        views.start_modal(searches=[(i, HOSTILE) for i in range(150)], private_metadata="{}"),
        views.start_modal(searches=[], private_metadata="{}"),
        views.person_modal(checklist=full, version=3, private_metadata="{}", added=HOSTILE),
        views.answer_modal(person=full.people[2], checklist=full, private_metadata="{}"),
        views.answer_modal(person=full.people[0], checklist=full, private_metadata="{}"),
        views.removed_modal(HOSTILE),
        views.manager_modal(checklist=full, private_metadata="{}"),
        views.share_modal(
            checklist=full,
            councils=[(1, "C1", "council-one"), (2, "C2", "")],
            chosen=2,
            private_metadata="{}",
        ),
        views.shared_modal(channel_label="#council", permalink="https://x/y", include_names=True),
    ]
    for modal in modals:
        assert blockkit.validate_view(modal) == [], modal["callback_id"]
        assert "<!channel>" not in mrkdwn(modal["blocks"])


def test_the_checklist_shows_people_checkboxes_and_buttons() -> None:
    full = hostile_checklist(12)
    _, blocks = views.checklist_message(full)
    flat = json.dumps(blocks)
    assert len(blocks) <= 50
    # Two checkbox groups (ten at most each) for the eight people not answered.
    asked = next(b for b in blocks if b.get("block_id") == views.asked_block_id(full.id))
    options = [o["value"] for e in asked["elements"] for o in e["options"]]
    assert options == [str(p.id) for p in full.people if p.status != STATUS_ANSWERED]
    ticked = [o["value"] for e in asked["elements"] for o in e.get("initial_options", [])]
    assert ticked == [str(p.id) for p in full.people if p.status == STATUS_ASKED]
    for action in (views.ACTION_ADD, views.ACTION_SHARE, views.ACTION_CLOSE, views.ACTION_ANSWER):
        assert action in flat
    assert "secret" in flat  # the member's own notes, in their own DM
    assert "<@U0NOOR0001>" in mrkdwn(blocks)  # a person in this Slack, to message them


def test_a_summary_without_names_has_counts_only() -> None:
    full = hostile_checklist()
    text, blocks = views.summary_message(checklist=full, include_names=False)
    flat = json.dumps({"text": text, "blocks": blocks})
    for person in full.people:
        assert person.name not in flat and views.esc(person.name) not in flat
    assert "secret" not in flat and "&lt;!channel&gt;" in flat  # only the company
    assert views.esc(full.manager_name) not in mrkdwn(blocks)
    assert "<@U0NOOR0001>" not in flat  # nobody on the list is ever mentioned
    summary = full.summary()
    assert f"{summary.answered} answered" in flat


def test_a_summary_with_names_never_has_notes_or_mentions() -> None:
    full = hostile_checklist()
    text, blocks = views.summary_message(checklist=full, include_names=True)
    flat = json.dumps({"text": text, "blocks": blocks})
    assert views.esc(full.people[0].name, 100) in flat
    assert "secret" not in flat and "<@U0NOOR0001>" not in flat


def test_reading_the_forms_back() -> None:
    start = views.read_start_form(
        {
            "bc_search": {
                "bc_search": {"type": "static_select", "selected_option": {"value": "7"}}
            },
            "bc_company": {"bc_company": {"type": "plain_text_input", "value": None}},
            "bc_manager": {"bc_manager": {"type": "plain_text_input", "value": "Dana"}},
        }
    )
    assert start == StartForm(search_id="7", company="", manager="Dana")
    person = views.read_person_form(
        {
            "bc_name_2": {"bc_name_2": {"type": "plain_text_input", "value": "Sam"}},
            "bc_user_2": {"bc_user_2": {"type": "users_select", "selected_user": "U1"}},
        },
        2,
    )
    assert person == PersonForm(name="Sam", relation="", slack_user_id="U1")
    answer = views.read_answer_form(
        {
            "bc_status": {
                "bc_status": {"type": "radio_buttons", "selected_option": {"value": "answered"}}
            },
            "bc_signal": {"bc_signal": {"type": "radio_buttons", "selected_option": None}},
        }
    )
    assert answer == AnswerForm(status="answered", signal="", notes="")
    share = views.read_share_form(
        {
            "bc_council": {
                "bc_council": {"type": "static_select", "selected_option": {"value": "3"}}
            },
            "bc_include": {
                "bc_include": {"type": "checkboxes", "selected_options": [{"value": "names"}]}
            },
        }
    )
    assert share == ("3", True, "")


def test_what_a_summary_may_and_may_not_say() -> None:
    checklist = Checklist(
        id=1,
        team_id="T",
        user_id=ME,
        search_id=1,
        company="Acme Robotics",
        manager_name="Dana Reyes",
        people=(
            Person(
                1,
                "Priya Natarajan",
                "reported to Dana",
                "U0NOOR0001",
                STATUS_ANSWERED,
                SIGNAL_AGAIN,
                "Loves roadmaps, hates surprises",
            ),
            Person(
                2,
                "Tom Becker",
                "peer at Initech",
                None,
                STATUS_ANSWERED,
                SIGNAL_NOT,
                "Burned out two leads",
            ),
            Person(3, "Ines Alvarez", "", None, STATUS_ASKED),
        ),
    )
    private = (
        "Priya",
        "Natarajan",
        "Tom Becker",
        "Ines",
        "Dana Reyes",
        "reported to Dana",
        "peer at Initech",
        "roadmaps",
        "Burned out",
        "U0NOOR0001",
    )
    text, blocks = views.summary_message(checklist=checklist, include_names=False)
    counts_only = json.dumps({"text": text, "blocks": blocks})
    for word in private:
        assert word not in counts_only, word
    assert "Acme Robotics" in counts_only and "2 answered" in counts_only
    assert "Would work with them again: *1*" in counts_only
    assert "Would not work with them again: *1*" in counts_only

    text, blocks = views.summary_message(checklist=checklist, include_names=True, ask="Thoughts?")
    named = json.dumps({"text": text, "blocks": blocks})
    for word in ("Priya Natarajan", "Tom Becker", "Ines Alvarez", "Dana Reyes", "peer at Initech"):
        assert word in named, word
    for word in ("roadmaps", "Burned out", "U0NOOR0001"):
        assert word not in named, word
    assert "Thoughts?" in named
