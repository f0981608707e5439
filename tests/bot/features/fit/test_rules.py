"""The rules of `/fit` without Slack: lists, attributes, suggestions and the sign-off."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.features.fit.rules import (
    FIELD_CULTURE,
    FIELD_DONT_WANTS,
    FIELD_INDUSTRY,
    FIELD_SENTENCE,
    FIELD_STAGE,
    FIELD_SUGGEST_ITEM,
    FIELD_SUGGEST_LIST,
    FIELD_WANTS,
    ITEM_MAX,
    ITEMS_MAX,
    SignOff,
    StatementInput,
    TwoPager,
    TwoPagerInput,
    count_signoff,
    split_items,
    validate_statement,
    validate_suggestion,
    validate_two_pager,
)

FULL = {"stage": "Series B", "industry": "Climate", "role": "Staff engineer", "culture": ""}


def test_items_are_one_per_line_without_bullets_or_blank_lines() -> None:
    assert split_items("- one\n\n* two  words \n• three\r\n   ") == ["one", "two words", "three"]


def test_a_two_pager_needs_both_lists_with_short_items() -> None:
    assert validate_two_pager("a\nb", "c") == TwoPagerInput(wants=("a", "b"), dont_wants=("c",))
    errors = validate_two_pager("", "- \n")
    assert isinstance(errors, dict) and set(errors) == {FIELD_WANTS, FIELD_DONT_WANTS}
    long = validate_two_pager("ok\n" + "x" * (ITEM_MAX + 1), "c")
    assert isinstance(long, dict) and f"Item 2 is {ITEM_MAX + 1}" in long[FIELD_WANTS]
    many = validate_two_pager("a", "\n".join(str(i) for i in range(ITEMS_MAX + 1)))
    assert isinstance(many, dict) and f"{ITEMS_MAX} items" in many[FIELD_DONT_WANTS]
    hidden = validate_two_pager("a\x00b", "c")
    assert isinstance(hidden, dict) and FIELD_WANTS in hidden


def test_a_statement_needs_three_attributes_and_a_sentence() -> None:
    ok = validate_statement(FULL, "  A staff engineer  for climate ")
    assert ok == StatementInput(attributes=FULL, sentence="A staff engineer for climate")
    two = validate_statement({"stage": "Seed", "role": "PM"}, "x")
    assert isinstance(two, dict) and "(2 now)" in two[FIELD_INDUSTRY]  # the first left empty
    none = validate_statement({}, None)
    assert isinstance(none, dict) and set(none) == {FIELD_STAGE, FIELD_SENTENCE}
    long = validate_statement({**FULL, "culture": "y" * 81}, "s" * 301)
    assert isinstance(long, dict)
    assert "80 characters" in long[FIELD_CULTURE] and "300 characters" in long[FIELD_SENTENCE]


def test_a_suggestion_names_its_list_and_one_item() -> None:
    assert validate_suggestion("wants", " A  mentor ") == ("wants", "A mentor")
    errors = validate_suggestion("maybe", "")
    assert isinstance(errors, dict) and set(errors) == {FIELD_SUGGEST_LIST, FIELD_SUGGEST_ITEM}


def test_an_accepted_item_is_added_once() -> None:
    two_pager = TwoPager(
        id=1,
        team_id="T",
        user_id="U",
        number=1,
        wants=("A mentor",),
        dont_wants=(),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert two_pager.with_item("dont_wants", "Travel").dont_wants == ("Travel",)
    assert two_pager.with_item("wants", "a MENTOR").wants == ("A mentor",)


@pytest.mark.parametrize(
    ("signed", "of", "done"),
    [(0, 3, False), (1, 3, False), (2, 3, True), (2, 4, False), (3, 4, True), (0, 0, False)],
)
def test_a_majority_of_the_others_signs_off(signed: int, of: int, done: bool) -> None:
    assert SignOff(signed, of).done is done


def test_only_other_members_in_the_channel_count() -> None:
    signoff = count_signoff(
        reactors=["AUTHOR", "NOOR", "GONE", "BOT"],
        members=["AUTHOR", "NOOR", "ARJUN", "MAYA", "BOT"],
        author_id="AUTHOR",
        bot_user="BOT",
    )
    assert signoff == SignOff(signed=1, of=3)
