"""Written feedback without Slack: the rules, storing, posting marks and reading back."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.features.feedback import service, views
from bot.features.feedback.service import (
    ANSWER_MAX,
    FIELD_MISSING,
    FIELD_STRONG,
    FIELD_SUGGESTED_KR,
    FIELD_UNCLEAR,
    FIELDS,
    LIMITS,
    SUGGESTED_KR_MAX,
    FeedbackAnswers,
    FeedbackRefused,
    FeedbackTarget,
    Refusal,
)
from bot.features.missions import service as missions_service
from bot.features.missions.rules import MissionInput, Objective
from bot.platform.councils import register_council
from bot.ui.blocks import SECTION_TEXT_MAX
from bot.ui.metadata import DraftRef
from storage.missions import WrittenFeedback
from tests.plugins.clock import Clock

TEAM, CHANNEL = "T0TEAM0001", "C0COUNCIL01"
AUTHOR, LENA, ARJUN = "U0NOOR0001", "U0LENA0002", "U0ARJUN003"
DRAFT_TS = "1700000000.000100"


def mission(text: str = "Make warehouse robots easy to deploy.") -> MissionInput:
    return MissionInput(
        company="Acme Robotics",
        role="Head of Product",
        stage="interviewing",
        mission=text,
        objectives=(Objective("Cut deployment time", ("Deploy a site in 5 days",)),),
    )


def new_draft(engine: Engine, *, author: str = AUTHOR, company: str = "Acme Robotics") -> int:
    council_id = register_council(engine, team_id=TEAM, channel_id=CHANNEL, name="council")
    draft_id = missions_service.create_draft(
        engine,
        team_id=TEAM,
        council_id=council_id,
        channel_id=CHANNEL,
        author_id=author,
        mission=replace(mission(), company=company),
    )
    missions_service.attach_message(engine, team_id=TEAM, draft_id=draft_id, message_ts=DRAFT_TS)
    return draft_id


# --- validation ---------------------------------------------------------------------------------


def test_answers_are_trimmed_and_line_endings_normalised() -> None:
    result = service.validate_answers(
        FeedbackAnswers(strong="  Clear mission.\r\nGood KRs.  ", missing="\n")
    )
    assert result == FeedbackAnswers(strong="Clear mission.\nGood KRs.")


@pytest.mark.parametrize("blank", ["", "   ", "\n\t\n"])
def test_all_answers_empty_is_one_error_on_the_first_prompt(blank: str) -> None:
    result = service.validate_answers(FeedbackAnswers(blank, blank, blank, blank))
    assert isinstance(result, dict)
    assert list(result) == [FIELDS[0]] == [FIELD_STRONG]
    assert "at least one" in result[FIELD_STRONG]


@pytest.mark.parametrize("field", FIELDS)
def test_any_single_answer_is_enough(field: str) -> None:
    result = service.validate_answers(FeedbackAnswers(**{field: "One thought."}))
    assert isinstance(result, FeedbackAnswers)
    assert result.given() == [(field, "One thought.")]


@pytest.mark.parametrize("field", FIELDS)
def test_an_answer_at_its_limit_is_accepted_and_one_over_is_an_error_on_that_field(
    field: str,
) -> None:
    limit = LIMITS[field]
    assert isinstance(
        service.validate_answers(FeedbackAnswers(**{field: "x" * limit})), FeedbackAnswers
    )
    others = {f: "fine" for f in FIELDS if f != field}
    result = service.validate_answers(FeedbackAnswers(**others, **{field: "x" * (limit + 1)}))
    assert isinstance(result, dict)
    assert list(result) == [field]
    assert str(limit) in result[field]


def test_limits_are_sensible() -> None:
    assert LIMITS == {
        FIELD_STRONG: ANSWER_MAX,
        FIELD_UNCLEAR: ANSWER_MAX,
        FIELD_MISSING: ANSWER_MAX,
        FIELD_SUGGESTED_KR: SUGGESTED_KR_MAX,
    }
    assert ANSWER_MAX == 1000 and SUGGESTED_KR_MAX <= ANSWER_MAX


def test_an_over_long_answer_alone_does_not_also_ask_for_at_least_one() -> None:
    result = service.validate_answers(FeedbackAnswers(unclear="x" * (ANSWER_MAX + 1)))
    assert isinstance(result, dict) and list(result) == [FIELD_UNCLEAR]


# --- who may give feedback ----------------------------------------------------------------------


def _target(*, status: str = "posted", author: str = AUTHOR) -> FeedbackTarget:
    return FeedbackTarget(
        draft_id=1,
        author_id=author,
        channel_id=CHANNEL,
        message_ts=DRAFT_TS,
        status=status,
        version=1,
        company="Acme",
        role="PM",
    )


def test_refusal_rules() -> None:
    assert service.refusal(None, user_id=LENA) is Refusal.GONE
    assert service.refusal(_target(status="withdrawn"), user_id=LENA) is Refusal.WITHDRAWN
    assert service.refusal(_target(), user_id=AUTHOR) is Refusal.OWN_DRAFT
    assert service.refusal(_target(), user_id=LENA) is None
    assert service.refusal(_target(status="shared"), user_id=LENA) is None


def test_target_describes_the_draft_for_the_button_and_modal(engine: Engine) -> None:
    draft_id = new_draft(engine)
    target = service.target(engine, team_id=TEAM, draft_id=draft_id)
    assert target == FeedbackTarget(
        draft_id=draft_id,
        author_id=AUTHOR,
        channel_id=CHANNEL,
        message_ts=DRAFT_TS,
        status="posted",
        version=1,
        company="Acme Robotics",
        role="Head of Product",
    )
    assert service.target(engine, team_id=TEAM, draft_id=draft_id + 999) is None


# --- storing ------------------------------------------------------------------------------------


def test_record_stores_named_feedback_on_the_current_version(engine: Engine, clock: Clock) -> None:
    draft_id = new_draft(engine)
    missions_service.revise(
        engine,
        team_id=TEAM,
        draft_id=draft_id,
        editor_id=AUTHOR,
        mission=mission("Sharper."),
        now=clock(),
    )
    answers = FeedbackAnswers(strong="Clear.", suggested_key_result="2 sites by Q3")
    stored = service.record(
        engine,
        team_id=TEAM,
        draft_id=draft_id,
        user_id=LENA,
        answers=answers,
        anonymous=False,
        now=clock(),
    )
    assert stored.version == 2
    assert stored.giver_id == LENA and not stored.anonymous
    assert (stored.channel_id, stored.thread_ts, stored.author_id) == (CHANNEL, DRAFT_TS, AUTHOR)
    with Session(engine) as session:
        row = session.get(WrittenFeedback, stored.feedback_id)
        assert row is not None
        assert (row.user_id, row.anonymous, row.message_ts) == (LENA, False, None)
        assert (row.strong, row.unclear, row.suggested_key_result) == (
            "Clear.",
            "",
            "2 sites by Q3",
        )
        assert row.created_at == clock()


def test_anonymous_feedback_keeps_the_giver_for_counts_but_never_hands_it_back(
    engine: Engine, clock: Clock
) -> None:
    draft_id = new_draft(engine)
    stored = service.record(
        engine,
        team_id=TEAM,
        draft_id=draft_id,
        user_id=ARJUN,
        answers=FeedbackAnswers(missing="A budget ask."),
        anonymous=True,
        now=clock(),
    )
    assert stored.giver_id is None and stored.anonymous
    with Session(engine) as session:
        row = session.get(WrittenFeedback, stored.feedback_id)
        # The giver is kept for counts, but only encrypted: no plain id next to the row.
        assert row is not None and row.anonymous
        assert row.user_id == "" and row.author_sealed == ARJUN
    [entry] = service.feedback_on(engine, draft_id=draft_id)
    assert entry.giver_id is None and entry.anonymous
    assert service.givers(engine, draft_id=draft_id) == {ARJUN}


@pytest.mark.parametrize(
    ("user", "withdraw", "reason"),
    [(AUTHOR, False, Refusal.OWN_DRAFT), (LENA, True, Refusal.WITHDRAWN)],
)
def test_record_refuses_and_stores_nothing(
    engine: Engine, clock: Clock, user: str, withdraw: bool, reason: Refusal
) -> None:
    draft_id = new_draft(engine)
    if withdraw:
        missions_service.withdraw(
            engine, team_id=TEAM, draft_id=draft_id, user_id=AUTHOR, now=clock()
        )
    with pytest.raises(FeedbackRefused) as refused:
        service.record(
            engine,
            team_id=TEAM,
            draft_id=draft_id,
            user_id=user,
            answers=FeedbackAnswers(strong="x"),
            anonymous=False,
            now=clock(),
        )
    assert refused.value.reason is reason
    with Session(engine) as session:
        assert session.exec(select(WrittenFeedback)).all() == []


def test_record_on_a_missing_draft_is_refused_as_gone(engine: Engine, clock: Clock) -> None:
    with pytest.raises(FeedbackRefused) as refused:
        service.record(
            engine,
            team_id=TEAM,
            draft_id=12345,
            user_id=LENA,
            answers=FeedbackAnswers(strong="x"),
            anonymous=False,
            now=clock(),
        )
    assert refused.value.reason is Refusal.GONE


def test_record_refuses_unvalidated_empty_answers(engine: Engine, clock: Clock) -> None:
    draft_id = new_draft(engine)
    with pytest.raises(ValueError):
        service.record(
            engine,
            team_id=TEAM,
            draft_id=draft_id,
            user_id=LENA,
            answers=FeedbackAnswers(),
            anonymous=False,
            now=clock(),
        )


def test_mark_posted_records_the_thread_message(engine: Engine, clock: Clock) -> None:
    draft_id = new_draft(engine)
    stored = service.record(
        engine,
        team_id=TEAM,
        draft_id=draft_id,
        user_id=LENA,
        answers=FeedbackAnswers(strong="x"),
        anonymous=False,
        now=clock(),
    )
    [before] = service.feedback_on(engine, draft_id=draft_id)
    assert not before.posted
    service.mark_posted(
        engine, team_id=TEAM, feedback_id=stored.feedback_id, message_ts="1700000001.000200"
    )
    [after] = service.feedback_on(engine, draft_id=draft_id)
    assert after.posted and after.message_ts == "1700000001.000200"
    service.mark_posted(
        engine, team_id=TEAM, feedback_id=stored.feedback_id + 99, message_ts="1.2"
    )  # no-op


# --- reading back -------------------------------------------------------------------------------


def test_feedback_on_lists_a_draft_or_one_version_oldest_first(
    engine: Engine, clock: Clock
) -> None:
    draft_id = new_draft(engine)
    other_draft = new_draft(engine, author=LENA, company="Other Co")

    def give(draft: int, user: str, text: str, *, anonymous: bool = False) -> None:
        service.record(
            engine,
            team_id=TEAM,
            draft_id=draft,
            user_id=user,
            answers=FeedbackAnswers(strong=text),
            anonymous=anonymous,
            now=clock(),
        )
        clock.advance(timedelta(minutes=5))

    give(draft_id, LENA, "v1 from lena")
    give(draft_id, ARJUN, "v1 from someone", anonymous=True)
    give(other_draft, ARJUN, "elsewhere")
    missions_service.revise(
        engine,
        team_id=TEAM,
        draft_id=draft_id,
        editor_id=AUTHOR,
        mission=mission("v2"),
        now=clock(),
    )
    give(draft_id, ARJUN, "v2 from arjun")

    everything = service.feedback_on(engine, draft_id=draft_id)
    assert [(e.version, e.giver_id, e.answers.strong) for e in everything] == [
        (1, LENA, "v1 from lena"),
        (1, None, "v1 from someone"),
        (2, ARJUN, "v2 from arjun"),
    ]
    assert [
        e.answers.strong for e in service.feedback_on(engine, draft_id=draft_id, version=2)
    ] == ["v2 from arjun"]
    assert service.feedback_on(engine, draft_id=draft_id, version=3) == []
    assert service.givers(engine, draft_id=draft_id) == {LENA, ARJUN}
    since = everything[2].created_at
    assert service.givers(engine, draft_id=draft_id, since=since) == {ARJUN}
    assert [e.answers.strong for e in service.feedback_on(engine, draft_id=other_draft)] == [
        "elsewhere"
    ]


# --- rendering what the service returns ---------------------------------------------------------

HOSTILE = "<!channel> & <@U123> <!here> <https://evil.example|click> "


def _hostile(limit: int) -> str:
    return (HOSTILE * (limit // len(HOSTILE) + 1))[:limit]


@pytest.mark.parametrize("giver", [LENA, None])
def test_thread_message_of_worst_case_answers_fits_and_stays_inert(giver: str | None) -> None:
    answers = FeedbackAnswers(**{field: _hostile(LIMITS[field]) for field in FIELDS})
    text, blocks = views.feedback_message(giver_id=giver, answers=answers, version=3)
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT_MAX
    shown = json.dumps(blocks) + text
    for raw in ("<!channel>", "<!here>", "<@U123>", "<https://evil"):
        assert raw not in shown
    if giver is None:
        assert "<@" not in shown and "A council member" in shown
    else:
        assert f"<@{giver}>" in shown


def test_thread_message_shows_only_the_answered_prompts() -> None:
    _, blocks = views.feedback_message(
        giver_id=LENA, answers=FeedbackAnswers(missing="A budget ask."), version=1
    )
    shown = json.dumps(blocks)
    assert "What is missing" in shown and "A budget ask." in shown
    assert "What is strong" not in shown and "suggested key result" not in shown


def test_modal_round_trips_through_read_feedback_form() -> None:
    modal = views.feedback_modal(
        draft_id=7, author_id=AUTHOR, company="<Acme>", role="PM & more", version=2
    )
    assert DraftRef.decode(modal["private_metadata"]).draft == 7
    assert "&lt;Acme&gt;" in json.dumps(modal) and "<Acme>" not in json.dumps(modal)
    state = {
        FIELD_STRONG: {FIELD_STRONG: {"type": "plain_text_input", "value": "Clear."}},
        FIELD_UNCLEAR: {FIELD_UNCLEAR: {"type": "plain_text_input", "value": None}},
        views.BLOCK_ANONYMOUS: {
            views.BLOCK_ANONYMOUS: {
                "type": "checkboxes",
                "selected_options": [{"value": views.ANONYMOUS_VALUE}],
            }
        },
    }
    form = views.read_feedback_form(state)
    assert form.anonymous
    assert form.answers == FeedbackAnswers(strong="Clear.")
    assert not views.read_feedback_form({}).anonymous
