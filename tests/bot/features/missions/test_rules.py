"""The job-mission rules, tested without Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.features.missions import rules as missions
from bot.features.missions.rules import (
    COMPANY_MAX,
    KEY_RESULT_MAX,
    LEGEND,
    MAX_KEY_RESULTS,
    MAX_OBJECTIVES,
    MAX_QUESTIONS,
    MISSION_MAX,
    OBJECTIVE_MAX,
    ROLE_MAX,
    STAGES,
    MissionForm,
    MissionInput,
    Objective,
    Tally,
    counts_as_feedback,
    interview_questions,
    is_measurable,
    normalise_emoji,
    quality_notes,
    share_live_suggestion,
    split_key_results,
    tally,
    validate,
)


def form(**overrides: object) -> MissionForm:
    values: dict[str, object] = {
        "company": "Acme Payments",
        "role": "Senior Product Manager",
        "stage": "interviewing",
        "mission": "Make checkout effortless so first-time buyers come back.",
        "objectives": (
            (
                "Grow checkout conversion",
                "Raise conversion from 2.1% to 3% by Q4\nCut checkout time to 30 seconds",
            ),
        ),
    }
    values.update(overrides)
    return MissionForm(**values)  # type: ignore[arg-type]


def mission(**overrides: object) -> MissionInput:
    values: dict[str, object] = {
        "company": "Acme Payments",
        "role": "Senior Product Manager",
        "stage": "interviewing",
        "mission": "Make checkout effortless so first-time buyers come back.",
        "objectives": (
            Objective(
                "Grow checkout conversion",
                ("Raise conversion from 2.1% to 3% by Q4", "Cut checkout time to 30 seconds"),
            ),
        ),
    }
    values.update(overrides)
    return MissionInput(**values)  # type: ignore[arg-type]


# --- validate ---------------------------------------------------------------------------------


def test_valid_form_gives_clean_input() -> None:
    result = validate(form(company="  Acme   Payments ", role=" Senior  PM "))
    assert isinstance(result, MissionInput)
    assert result.company == "Acme Payments"
    assert result.role == "Senior PM"
    assert result.stage == "interviewing"
    assert result.objectives == (
        Objective(
            "Grow checkout conversion",
            ("Raise conversion from 2.1% to 3% by Q4", "Cut checkout time to 30 seconds"),
        ),
    )


@pytest.mark.parametrize("field", ["company", "role", "mission"])
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_required_fields(field: str, blank: str) -> None:
    result = validate(form(**{field: blank}))
    assert isinstance(result, dict)
    assert set(result) == {field}
    assert result[field].startswith("Please")


@pytest.mark.parametrize(
    ("field", "limit"), [("company", COMPANY_MAX), ("role", ROLE_MAX), ("mission", MISSION_MAX)]
)
def test_length_limits(field: str, limit: int) -> None:
    assert isinstance(validate(form(**{field: "x" * limit})), MissionInput)
    result = validate(form(**{field: "x" * (limit + 1)}))
    assert isinstance(result, dict)
    assert f"{limit:,} characters" in result[field]


@pytest.mark.parametrize("stage", [value for value, _ in STAGES])
def test_every_stage_is_accepted(stage: str) -> None:
    result = validate(form(stage=stage))
    assert isinstance(result, MissionInput)
    assert result.stage == stage


@pytest.mark.parametrize("stage", ["", "hired", "Interviewing"])
def test_unknown_stage_is_an_error(stage: str) -> None:
    result = validate(form(stage=stage))
    assert isinstance(result, dict)
    assert set(result) == {"stage"}


def test_stages_are_ordered_and_include_the_method_steps() -> None:
    values = [value for value, _ in STAGES]
    assert values[-3:] == ["applied", "interviewing", "offer"]
    assert all(len(value) <= 20 for value in values)  # storage column width


def test_key_results_drop_blank_lines_and_bullets() -> None:
    text = (
        "- Raise NPS to 45\n\n"
        "* Cut churn by 2 points\n"
        "• Ship the new onboarding by March\n"
        "1. Hire two engineers\n"
        "2) Halve support tickets\n"
        "   \n"
        "-5% churn in Q1\n"
        "+20% revenue\n"
    )
    assert split_key_results(text) == [
        "Raise NPS to 45",
        "Cut churn by 2 points",
        "Ship the new onboarding by March",
        "Hire two engineers",
        "Halve support tickets",
        "-5% churn in Q1",
        "+20% revenue",
    ]


def test_key_results_windows_line_endings_and_lone_bullets() -> None:
    assert split_key_results("a 1\r\n-\r\n  *  \r\nb 2") == ["a 1", "b 2"]
    assert split_key_results("") == []
    assert split_key_results(None) == []


def test_at_most_five_key_results_per_objective() -> None:
    five = "\n".join(f"KR {n}" for n in range(MAX_KEY_RESULTS))
    assert isinstance(validate(form(objectives=(("Objective", five),))), MissionInput)
    six = "\n".join(f"KR {n}" for n in range(MAX_KEY_RESULTS + 1))
    result = validate(form(objectives=(("Objective", six),)))
    assert isinstance(result, dict)
    assert set(result) == {"krs_1"}
    assert "5 key results" in result["krs_1"]


def test_key_result_too_long() -> None:
    ok = "y" * KEY_RESULT_MAX
    assert isinstance(validate(form(objectives=(("Objective", ok),))), MissionInput)
    result = validate(form(objectives=(("Objective", f"fine 1\n{ok}z"),)))
    assert isinstance(result, dict)
    assert set(result) == {"krs_1"}
    assert "Key result 2" in result["krs_1"]


def test_objective_too_long() -> None:
    result = validate(form(objectives=(("o" * (OBJECTIVE_MAX + 1), "KR 1"),)))
    assert isinstance(result, dict)
    assert set(result) == {"objective_1"}


def test_key_results_without_objective_is_an_error_on_that_slot() -> None:
    result = validate(form(objectives=(("Grow", "KR 1"), ("", "Orphan KR 2"))))
    assert isinstance(result, dict)
    assert set(result) == {"objective_2"}
    assert "name" in result["objective_2"]


def test_objective_without_key_results_is_an_error_on_its_key_results() -> None:
    result = validate(form(objectives=(("Grow", "KR 1"), ("Lonely objective", "\n - \n"))))
    assert isinstance(result, dict)
    assert set(result) == {"krs_2"}
    assert "key result" in result["krs_2"]


def test_empty_slots_are_ignored() -> None:
    result = validate(
        form(objectives=(("", ""), ("Grow", "KR 1"), ("  ", " \n "), ("Keep", "KR 2")))
    )
    assert isinstance(result, MissionInput)
    assert [o.text for o in result.objectives] == ["Grow", "Keep"]


@pytest.mark.parametrize("objectives", [(), (("", ""),), (("", ""), (" ", "\n"))])
def test_at_least_one_objective_error_goes_on_first_slot(
    objectives: tuple[tuple[str, str], ...],
) -> None:
    result = validate(form(objectives=objectives))
    assert isinstance(result, dict)
    assert set(result) == {"objective_1"}
    assert "at least one objective" in result["objective_1"]


def test_all_errors_at_once_keyed_by_block_id() -> None:
    result = validate(
        MissionForm(
            company="",
            role="",
            stage="nope",
            mission="",
            objectives=(("", "KR"), ("Obj", "")),
        )
    )
    assert isinstance(result, dict)
    assert set(result) == {"company", "role", "stage", "mission", "objective_1", "krs_2"}
    for message in result.values():
        assert message.endswith((".", "?"))
        assert len(message) < 150


def test_slots_beyond_the_maximum_are_not_read() -> None:
    slots = tuple((f"Objective {n}", f"KR {n}") for n in range(MAX_OBJECTIVES + 2))
    result = validate(form(objectives=slots))
    assert isinstance(result, MissionInput)
    assert len(result.objectives) == MAX_OBJECTIVES


def test_mission_input_rows_round_trip() -> None:
    m = mission()
    assert (
        MissionInput.from_rows(
            company=m.company,
            role=m.role,
            stage=m.stage,
            mission=m.mission,
            objectives=m.as_rows(),
        )
        == m
    )


# --- quality notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key_result",
    [
        "Raise conversion to 3",
        "Lift retention",
        "Cut p95 latency",
        "Grow ARR",
        "Reduce churn among SMB customers",
        "Improve NPS",
        "Ship onboarding by March",
        "Launch before the end of the quarter",
        "Grow revenue 20%",
        "Save $2M in cloud spend",
        "Double weekly active teams",
        "Land the migration by May",
    ],
)
def test_measurable_key_results(key_result: str) -> None:
    assert is_measurable(key_result)
    assert quality_notes(mission(objectives=(Objective("O", (key_result,)),))) == []


@pytest.mark.parametrize(
    "key_result",
    ["Delight users", "Improve the onboarding experience", "Be a great partner to design"],
)
def test_unmeasurable_key_results_get_a_gentle_note(key_result: str) -> None:
    assert not is_measurable(key_result)
    notes = quality_notes(mission(objectives=(Objective("Make it lovely", (key_result,)),)))
    assert len(notes) == 1
    assert key_result.split()[0] in notes[0]
    assert "objective 1" in notes[0]


def test_unmeasurable_note_quotes_only_a_few_words() -> None:
    long_kr = "Make the whole onboarding flow feel friendly and welcoming for every new team"
    notes = quality_notes(mission(objectives=(Objective("O", (long_kr,)),)))
    assert "“Make the whole onboarding flow feel…”" in notes[0]


def test_many_unmeasurable_key_results_are_summarised() -> None:
    vague = tuple(f"Be nice variant {'abcdefg'[n]}" for n in range(5))
    notes = quality_notes(mission(objectives=(Objective("O", vague),)))
    assert len(notes) == 4
    assert notes[-1].startswith("2 more key results")


def test_more_than_five_objectives_note() -> None:
    objectives = tuple(Objective(f"O{n}", ("Grow revenue 5%",)) for n in range(6))
    notes = quality_notes(mission(objectives=objectives))
    assert len(notes) == 1
    assert "6 objectives" in notes[0]


@pytest.mark.parametrize(
    "text",
    [
        "Senior Product Manager",
        "senior product manager.",
        "Be the Senior Product Manager at Acme Payments",
        "To be a senior product manager",
    ],
)
def test_mission_that_restates_the_title(text: str) -> None:
    notes = quality_notes(mission(mission=text))
    assert len(notes) == 1
    assert "job title" in notes[0]


@pytest.mark.parametrize(
    "text",
    [
        "Make checkout effortless so first-time buyers come back.",
        "Lead product for Acme's payments platform to grow revenue in Europe",
        "Senior product manager who turns the checkout into the fastest in retail, "
        "so that small merchants win more customers and trust us with their growth",
    ],
)
def test_real_missions_are_not_flagged(text: str) -> None:
    assert quality_notes(mission(mission=text)) == []


def test_quality_notes_never_block_validation() -> None:
    result = validate(form(mission="Senior Product Manager", objectives=(("O", "Be nice"),)))
    assert isinstance(result, MissionInput)
    assert len(quality_notes(result)) == 2


# --- legend, reactions, tally -----------------------------------------------------------------


def test_legend() -> None:
    assert [entry.emoji for entry in LEGEND] == ["+1", "question", "bulb", "warning"]
    assert all(entry.meaning for entry in LEGEND)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1", "+1"),
        ("+1::skin-tone-3", "+1"),
        ("thumbsup", "+1"),
        ("thumbsup::skin-tone-6", "+1"),
        (":bulb:", "bulb"),
        ("grey_question", "question"),
        ("warning", "warning"),
        ("tada", "tada"),
    ],
)
def test_normalise_emoji(raw: str, expected: str) -> None:
    assert normalise_emoji(raw) == expected


@pytest.mark.parametrize(
    ("emoji", "reactor", "expected"),
    [
        ("+1", "UMEMBER", True),
        ("thumbsup::skin-tone-2", "UMEMBER", True),
        ("warning", "UMEMBER", True),
        ("tada", "UMEMBER", False),
        ("+1", "UAUTHOR", False),
        ("+1", "UBOT", False),
    ],
)
def test_counts_as_feedback(emoji: str, reactor: str, expected: bool) -> None:
    assert (
        counts_as_feedback(emoji=emoji, reactor=reactor, author="UAUTHOR", bot_user="UBOT")
        is expected
    )


def test_counts_as_feedback_without_known_bot_user() -> None:
    assert counts_as_feedback(emoji="bulb", reactor="UX", author="UA", bot_user=None)


def test_tally_counts_legend_reactions_per_meaning() -> None:
    result = tally(
        [
            ("U2", "+1"),
            ("U1", "thumbsup::skin-tone-4"),
            ("U1", "+1"),  # the same reaction twice (alias and skin tone) counts once
            ("U3", "question"),
            ("U3", "bulb"),
            ("UAUTHOR", "+1"),
            ("UBOT", "warning"),
            ("U4", "tada"),
        ],
        author="UAUTHOR",
        bot_user="UBOT",
    )
    assert result.users("+1") == ("U1", "U2")
    assert result.users("thumbsup") == ("U1", "U2")
    assert result.by_emoji == {
        "+1": ["U1", "U2"],
        "question": ["U3"],
        "bulb": ["U3"],
        "warning": [],
    }
    assert result.count("warning") == 0
    assert result.total == 4
    assert result.responders == {"U1", "U2", "U3"}
    assert [entry.emoji for entry, _ in result.rows()] == [e.emoji for e in LEGEND]


def test_empty_tally() -> None:
    empty = Tally()
    assert empty.total == 0
    assert empty.responders == frozenset()
    assert empty == Tally.from_reactions([])
    assert tally([], author="U", bot_user=None) == empty


def test_tally_is_a_value() -> None:
    a = tally([("U1", "+1"), ("U2", "bulb")], author="UA", bot_user="UB")
    b = tally([("U2", "bulb"), ("U1", "thumbsup")], author="UA", bot_user="UB")
    assert a == b
    assert hash(a) == hash(b)


# --- interview questions ----------------------------------------------------------------------


def test_interview_questions_from_objectives_and_metrics() -> None:
    m = mission(
        objectives=(
            Objective("Grow checkout conversion", ("Raise conversion from 2.1% to 3% by Q4",)),
            Objective("Keep merchants", ("Cut churn to 1% a month", "Lift NPS to 50")),
        )
    )
    questions = interview_questions(m)
    assert questions[0].startswith("If I joined")
    assert "“Grow checkout conversion”" in questions[0]
    assert "How does the team measure conversion today, and what is it now?" in questions
    assert "How does the team measure churn today, and what is it now?" in questions
    assert "How does the team measure NPS today, and what is it now?" in questions
    assert any(q.startswith("Who owns") for q in questions)
    assert len(questions) <= MAX_QUESTIONS
    assert all(q.endswith("?") for q in questions)


def test_interview_questions_are_deterministic_and_unique() -> None:
    objectives = tuple(
        Objective(f"Objective {n}", tuple(f"Grow revenue {k}0%" for k in range(5)))
        for n in range(5)
    )
    m = mission(objectives=objectives)
    first = interview_questions(m)
    assert first == interview_questions(m)
    assert len(first) == MAX_QUESTIONS
    assert len({q.casefold() for q in first}) == len(first)
    # the revenue question appears once although every key result names revenue
    assert sum("measure revenue" in q for q in first) == 1


def test_interview_questions_without_metrics() -> None:
    m = mission(objectives=(Objective("Make onboarding friendly", ("Be nice",)),))
    questions = interview_questions(m)
    assert 3 <= len(questions) <= MAX_QUESTIONS
    assert not any("measure" in q for q in questions)


@pytest.mark.parametrize(("interviews", "expected"), [(0, False), (1, False), (2, True), (5, True)])
def test_share_live_suggestion(interviews: int, expected: bool) -> None:
    assert share_live_suggestion(interviews) is expected


def test_module_has_no_slack_imports() -> None:
    tree = ast.parse(Path(missions.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not [name for name in imported if "slack" in name]


def test_quote_keeps_validated_text_whole_and_cuts_longer_text_at_a_word() -> None:
    from bot.features.missions.rules import KEY_RESULT_MAX, quote

    kr = "Deploy a site in 5 days, down from 30"
    assert quote(kr) == kr
    longest = ("word " * 60)[:KEY_RESULT_MAX].strip()
    assert quote(longest) == longest  # the longest a key result may be: whole
    cut = quote("alpha beta gamma delta", limit=14)
    assert cut == "alpha beta…"  # at a word boundary, marked
