"""The shared cleaning and check of member-typed text, and every feature's validation using it.

A NUL byte, a lone surrogate or another control character is refused with a message for the
member (never quoting the text); a field holding only invisible characters counts as empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.features.backchannel import rules as backchannel
from bot.features.debriefs import rules as debriefs
from bot.features.feedback import service as feedback
from bot.features.missions import rules as missions
from bot.features.negotiation import rules as negotiation
from bot.features.searches.rules import COMPANY_MAX, company_key, company_problem
from bot.features.text import is_invisible, multiline, one_line, unstorable

NUL = "Acme\x00Robotics"
SURROGATE = "Acme \ud83d Robotics"  # half of an emoji's UTF-16 pair
CONTROL = "Acme\x1bRobotics"  # ESC
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u202e \u00ad\u3164"


# --- the helper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [NUL, SURROGATE, CONTROL, "\x7f", "x\udfff"])
def test_unstorable_characters_are_refused_without_quoting_the_text(text: str) -> None:
    message = unstorable(one_line(text), "The company name")
    assert message is not None and message.startswith("The company name")
    assert "Acme" not in message and "Robotics" not in message


@pytest.mark.parametrize(
    "text",
    ["Acme Robotics", "Łódź Ünïcødé 株式会社", "👩\u200d💻 Labs", "Line one\n\tLine two", ""],
)
def test_ordinary_text_is_storable(text: str) -> None:
    assert unstorable(multiline(text), "The notes") is None


def test_only_invisible_characters_clean_to_empty() -> None:
    assert one_line(INVISIBLE) == ""
    assert multiline(INVISIBLE + "\n\u200b\r\n") == ""
    assert all(is_invisible(char) for char in INVISIBLE)


def test_invisible_edges_are_trimmed_and_the_inside_kept() -> None:
    assert one_line("\u200b  Acme \u200d Robotics\u2060 ") == "Acme \u200d Robotics"
    assert one_line("👩\u200d💻") == "👩\u200d💻"  # a joiner inside an emoji stays
    assert one_line("Love ❤\ufe0f") == "Love ❤\ufe0f"  # as does the emoji selector after it
    assert multiline("\u200bFirst\r\nSecond\rThird\u200b") == "First\nSecond\nThird"


def test_a_company_whose_folded_key_outgrows_the_column_is_refused() -> None:
    name = "ß" * 60  # 60 characters, folded to 120
    assert len(name) <= COMPANY_MAX < len(company_key(name))
    problem = company_problem(name)
    assert problem is not None and "shorten" in problem
    assert company_problem("Acme Robotics") is None
    assert "101" in (company_problem("a" * 101) or "")


# --- every feature's validation -----------------------------------------------------------------

Validator = Callable[[str], object]


def _mission(field: str) -> Validator:
    def run(text: str) -> object:
        values = {
            "company": "Acme",
            "role": "Head of Product",
            "stage": "interviewing",
            "mission": "Make robots easy.",
        }
        objective, key_results = "Cut deployment time", "Deploy in 5 days"
        if field == "objective_1":
            objective = text
        elif field == "krs_1":
            key_results = text
        else:
            values[field] = text
        form = missions.MissionForm(**values, objectives=[(objective, key_results)])
        return missions.validate(form)

    return run


def _feedback(text: str) -> object:
    return feedback.validate_answers(feedback.FeedbackAnswers(strong=text))


def _event(field: str) -> Validator:
    def run(text: str) -> object:
        form = debriefs.EventForm(
            company=text if field == "company" else "Acme",
            kind="interview",
            date="2026-03-05",
            time="14:00",
            with_whom=text if field == "with_whom" else "",
        )
        now = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
        return debriefs.validate_event(form, tz="UTC", now=now, searches={}, user_id="U1")

    return run


def _debrief(text: str) -> object:
    return debriefs.validate_debrief(debriefs.DebriefForm(rating="4", went_well=text))


def _gratitude(field: str) -> Validator:
    def run(text: str) -> object:
        name, note = (text, "") if field == "name" else ("Dana", text)
        return debriefs.validate_gratitude(name, note, existing=())

    return run


def _person(field: str) -> Validator:
    def run(text: str) -> object:
        form = backchannel.PersonForm(
            name=text if field == "name" else "Dana",
            relation=text if field == "relation" else "",
        )
        return backchannel.validate_person(form, existing=(), user_id="U1")

    return run


def _answer(text: str) -> object:
    form = backchannel.AnswerForm(status="answered", signal="positive", notes=text)
    return backchannel.validate_answer(form)


def _leg(text: str) -> object:
    form = negotiation.LegForm(ask=text, status="asked")
    return negotiation.validate_leg(form, objectives={})


# (validator, the block id its error must be under, whether empty is an error there)
VALIDATORS: dict[str, tuple[Validator, str, bool]] = {
    "mission company": (_mission("company"), missions.FIELD_COMPANY, True),
    "mission role": (_mission("role"), missions.FIELD_ROLE, True),
    "mission text": (_mission("mission"), missions.FIELD_MISSION, True),
    "mission objective": (_mission("objective_1"), "objective_1", True),
    "mission key results": (_mission("krs_1"), "krs_1", True),
    "feedback answer": (_feedback, feedback.FIELD_STRONG, True),
    "event company": (_event("company"), debriefs.FIELD_COMPANY, True),
    "event with whom": (_event("with_whom"), debriefs.FIELD_WITH, False),
    "debrief answer": (_debrief, debriefs.FIELD_WENT_WELL, True),
    "gratitude name": (_gratitude("name"), debriefs.FIELD_GRATITUDE_NAME, True),
    "gratitude note": (_gratitude("note"), debriefs.FIELD_GRATITUDE_NOTE, False),
    "backchannel company": (
        lambda t: backchannel.validate_start(backchannel.StartForm(company=t), searches={}),
        backchannel.FIELD_COMPANY,
        True,
    ),
    "backchannel manager": (
        lambda t: backchannel.validate_start(
            backchannel.StartForm(company="Acme", manager=t), searches={}
        ),
        backchannel.FIELD_MANAGER,
        False,
    ),
    "backchannel manager edit": (backchannel.validate_manager, backchannel.FIELD_MANAGER, False),
    "backchannel person": (_person("name"), backchannel.FIELD_NAME, True),
    "backchannel relation": (_person("relation"), backchannel.FIELD_RELATION, False),
    "backchannel notes": (_answer, backchannel.FIELD_NOTES, False),
    "backchannel share question": (backchannel.validate_share_ask, backchannel.FIELD_ASK, False),
    "negotiation company": (
        lambda t: negotiation.validate_pick(search_id="", company=t, searches={}),
        negotiation.FIELD_COMPANY,
        True,
    ),
    "negotiation ask": (_leg, negotiation.FIELD_ASK, True),
    "negotiation note": (negotiation.validate_note, negotiation.FIELD_NOTE, False),
}


@pytest.mark.parametrize("name", list(VALIDATORS))
@pytest.mark.parametrize("text", [NUL, SURROGATE, CONTROL], ids=["nul", "surrogate", "control"])
def test_every_free_text_field_refuses_unstorable_text_inline(name: str, text: str) -> None:
    validate, block, _ = VALIDATORS[name]
    result = validate(text)
    assert isinstance(result, dict), result
    assert "can't store" in result[block]


@pytest.mark.parametrize("name", list(VALIDATORS))
def test_every_free_text_field_treats_invisible_only_text_as_empty(name: str) -> None:
    validate, block, required = VALIDATORS[name]
    result = validate(INVISIBLE)
    if required:
        assert isinstance(result, dict) and block in result, result
        assert "can't store" not in result[block]
    else:
        assert not isinstance(result, dict) or block not in result, result
        assert INVISIBLE not in repr(result)
