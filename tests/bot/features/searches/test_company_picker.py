"""One rule for every company picker (a select of the member's searches, a text box beside
it): `/debrief`, `/backchannel` and `/negotiate` decide the same way on the same input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.features.backchannel.rules import StartForm, StartInput, validate_start
from bot.features.debriefs.rules import EventForm, EventInput, validate_event
from bot.features.negotiation.rules import PickInput, validate_pick
from bot.features.searches.rules import (
    PICK_COMPANY,
    PICK_SEARCH,
    CompanyPick,
    pick_company,
)

SEARCHES = {7: "Globex", 9: "Initech"}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _debrief(search_id: str, company: str) -> tuple[int | None, str] | set[str]:
    form = EventForm(
        search_id=search_id,
        company=company,
        kind="interview",
        date="2026-03-05",
        time="14:00",
    )
    result = validate_event(form, tz="Europe/Berlin", now=NOW, searches=SEARCHES, user_id="U1")
    if isinstance(result, EventInput):
        return result.search_id, result.company
    return set(result)


def _backchannel(search_id: str, company: str) -> tuple[int | None, str] | set[str]:
    result = validate_start(StartForm(search_id=search_id, company=company), searches=SEARCHES)
    if isinstance(result, StartInput):
        return result.search_id, result.company
    return set(result)


def _negotiation(search_id: str, company: str) -> tuple[int | None, str] | set[str]:
    result = validate_pick(search_id=search_id, company=company, searches=SEARCHES)
    if isinstance(result, PickInput):
        # The plan carries the company's name; the others carry "" for a known search.
        return result.search_id, "" if result.search_id is not None else result.company
    return set(result)


CASES = [
    # (picked, typed) -> (search id, new company) or the fields with errors
    (("7", ""), (7, "")),
    (("", "initech"), (9, "")),  # a search's name typed (any case) is that search
    (("", "Umbrella"), (None, "Umbrella")),
    (("7", "Initech"), (9, "")),  # picked Globex, typed Initech: the typed one wins
    (("7", "Umbrella"), (None, "Umbrella")),
    (("7", " globex "), (7, "")),
    (("", ""), {"company"}),
    (("8", ""), {"search"}),  # not one of theirs (any more)
]


@pytest.mark.parametrize(("given", "expected"), CASES)
@pytest.mark.parametrize("validate", [_debrief, _backchannel, _negotiation])
def test_every_company_picker_follows_the_one_rule(
    validate: object, given: tuple[str, str], expected: object
) -> None:
    result = validate(*given)  # type: ignore[operator]
    if isinstance(expected, set):
        # Each modal keys its errors by its own block ids; which field is what matters.
        assert isinstance(result, set) and len(result) == 1
        (field,) = result
        assert field.endswith(next(iter(expected)))
    else:
        assert result == expected


def test_pick_company_itself() -> None:
    assert pick_company(search_id="7", company="Initech", searches=SEARCHES, missing="?") == (
        CompanyPick(search_id=9, company="")
    )
    assert pick_company(search_id=None, company=None, searches={}, missing="Which?") == {
        PICK_COMPANY: "Which?"
    }
    gone = pick_company(search_id="x", company="", searches=SEARCHES, missing="?")
    assert isinstance(gone, dict) and set(gone) == {PICK_SEARCH}
    too_long = pick_company(search_id="7", company="x" * 101, searches=SEARCHES, missing="?")
    assert isinstance(too_long, dict) and "100" in too_long[PICK_COMPANY]
    assert CompanyPick(search_id=7, company="").name(SEARCHES) == "Globex"
    assert CompanyPick(search_id=None, company="Umbrella").name(SEARCHES) == "Umbrella"
