"""Block Kit for job missions: safe with hostile text, within Slack's limits, round-trips."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.features.missions import views
from bot.features.missions.rules import (
    COMPANY_MAX,
    KEY_RESULT_MAX,
    KEY_RESULTS_INPUT_MAX,
    LEGEND,
    MAX_KEY_RESULTS,
    MAX_OBJECTIVES,
    MISSION_MAX,
    OBJECTIVE_MAX,
    ROLE_MAX,
    DraftSummary,
    MissionForm,
    MissionInput,
    Objective,
    OwedFeedback,
    Tally,
    VersionSummary,
    interview_questions,
    quality_notes,
    tally,
    validate,
)
from bot.ui import blocks as common

AUTHOR = "UAUTHOR1"
REACTORS = ("UMEMBER1", "UMEMBER2", "UMEMBER3")
HOSTILE = "<!channel> & <@U123> <!here> <#C999> <https://evil.example|click> "


def hostile(limit: int) -> str:
    return (HOSTILE * (limit // len(HOSTILE) + 1))[:limit]


def realistic() -> MissionInput:
    return MissionInput(
        company="Acme Payments",
        role="Senior Product Manager, Checkout",
        stage="interviewing",
        mission="Make checkout effortless so first-time buyers come back, and merchants trust "
        "us with their growth.",
        objectives=(
            Objective(
                "Grow checkout conversion",
                ("Raise conversion from 2.1% to 3% by Q4", "Cut median checkout time to 30s"),
            ),
            Objective("Keep merchants with us", ("Cut monthly churn to 1%", "Delight merchants")),
        ),
    )


def worst_case() -> MissionInput:
    return MissionInput(
        company=hostile(COMPANY_MAX),
        role=hostile(ROLE_MAX),
        stage="offer",
        mission=hostile(MISSION_MAX),
        objectives=tuple(
            Objective(
                hostile(OBJECTIVE_MAX),
                tuple(hostile(KEY_RESULT_MAX) for _ in range(MAX_KEY_RESULTS)),
            )
            for _ in range(MAX_OBJECTIVES)
        ),
    )


def a_tally() -> Tally:
    return tally(
        [(REACTORS[0], "+1"), (REACTORS[1], "thumbsup"), (REACTORS[2], "warning")],
        author=AUTHOR,
        bot_user="UBOT",
    )


# --- walking Block Kit ------------------------------------------------------------------------


def text_objects(node: Any) -> list[dict]:
    """Every text object (dict with type plain_text/mrkdwn and text) anywhere in `node`."""
    found: list[dict] = []
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            found.append(node)
        for value in node.values():
            found.extend(text_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(text_objects(value))
    return found


_SPECIAL = re.compile(r"<([^<>]*)>")


def assert_inert(mrkdwn_text: str, *, allowed_users: tuple[str, ...] = ()) -> None:
    """Only the bot's own `<...>` sequences: chosen mentions, dates and permalinks."""
    for inner in _SPECIAL.findall(mrkdwn_text):
        if inner.startswith("@"):
            assert inner[1:] in allowed_users, f"unexpected mention <{inner}>"
        elif inner.startswith("!"):
            assert inner.startswith("!date^"), f"broadcast <{inner}>"
        else:
            assert inner.startswith("https://team.slack.test/"), f"link <{inner}>"
    assert "<!channel" not in mrkdwn_text
    assert "<@U123>" not in mrkdwn_text


def assert_safe(blocks: list[dict], *, allowed_users: tuple[str, ...] = ()) -> None:
    for obj in text_objects(blocks):
        if obj["type"] == "mrkdwn":
            assert_inert(obj["text"], allowed_users=allowed_users)


def assert_limits(blocks: list[dict], *, max_blocks: int) -> None:
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= common.SECTION_TEXT_MAX
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= common.HEADER_TEXT_MAX
        if block["type"] == "actions":
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= common.BUTTON_TEXT_MAX
    json.dumps(blocks)  # plain JSON, nothing left as SDK objects


@pytest.fixture
def blockkit() -> Any:
    return pytest.importorskip("bot.sandbox.standin.blockkit")


# --- the modal --------------------------------------------------------------------------------


@pytest.mark.parametrize("slots", range(1, MAX_OBJECTIVES + 1))
def test_new_modal_shape(slots: int) -> None:
    view = views.mission_modal(
        callback_id=views.CALLBACK_NEW, objective_slots=slots, initial=None, private_metadata="C1"
    )
    assert view["type"] == "modal"
    assert view["callback_id"] == "mission_new"
    assert view["title"]["text"] == "New job mission"
    assert view["submit"]["text"] == "Post to council"
    assert view["private_metadata"] == "C1"
    assert len(view["title"]["text"]) <= common.MODAL_TITLE_MAX
    assert len(view["blocks"]) <= common.MODAL_MAX_BLOCKS
    ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert ids[:4] == ["company", "role", "stage", "mission"]
    expected_slots = [f"{kind}_{n}" for n in range(1, slots + 1) for kind in ("objective", "krs")]
    assert ids[4:] == expected_slots
    add = [b for b in view["blocks"] if b.get("block_id") == views.BLOCK_ADD_OBJECTIVE]
    if slots < MAX_OBJECTIVES:
        assert add[0]["elements"][0]["action_id"] == "mission_add_objective"
        assert add[0]["elements"][0]["text"]["text"] == "Add objective"
    else:
        assert add == []


def test_modal_inputs_carry_domain_limits() -> None:
    view = views.mission_modal(
        callback_id=views.CALLBACK_NEW, objective_slots=1, initial=None, private_metadata=""
    )
    by_id = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert by_id["company"]["element"]["max_length"] == COMPANY_MAX
    assert by_id["role"]["element"]["max_length"] == ROLE_MAX
    assert by_id["mission"]["element"]["max_length"] == MISSION_MAX
    assert by_id["mission"]["element"]["multiline"] is True
    assert by_id["objective_1"]["element"]["max_length"] == OBJECTIVE_MAX
    assert by_id["krs_1"]["element"]["max_length"] == KEY_RESULTS_INPUT_MAX
    assert by_id["krs_1"]["element"]["multiline"] is True
    assert "one per line" in by_id["krs_1"]["hint"]["text"].lower()
    assert by_id["stage"]["element"]["type"] == "static_select"
    assert by_id["stage"]["element"]["initial_option"]["value"] == "interviewing"


def test_edit_modal_prefills_and_keeps_every_objective() -> None:
    m = worst_case()
    view = views.mission_modal(
        callback_id=views.CALLBACK_EDIT, objective_slots=1, initial=m, private_metadata="42"
    )
    assert view["title"]["text"] == "Edit job mission"
    assert view["submit"]["text"] == "Save new version"
    by_id = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert by_id["company"]["element"]["initial_value"] == m.company  # raw: it is plain text
    assert by_id["stage"]["element"]["initial_option"]["value"] == "offer"
    assert by_id["krs_5"]["element"]["initial_value"] == "\n".join(m.objectives[4].key_results)
    assert views.BLOCK_ADD_OBJECTIVE not in {b.get("block_id") for b in view["blocks"]}


def simulate_submission(view: dict, edits: dict[str, str] | None = None) -> dict:
    """Slack's view.state.values for a modal submitted as prefilled, plus `edits`."""
    edits = edits or {}
    values: dict[str, dict] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        block_id, action_id = block["block_id"], element["action_id"]
        if element["type"] == "static_select":
            chosen = element.get("initial_option")
            values[block_id] = {action_id: {"type": "static_select", "selected_option": chosen}}
        else:
            value = edits.get(block_id, element.get("initial_value"))
            values[block_id] = {action_id: {"type": "plain_text_input", "value": value or None}}
    return values


@pytest.mark.parametrize("make", [realistic, worst_case])
def test_read_form_round_trips_the_modal(make: Any) -> None:
    m = make()
    view = views.mission_modal(
        callback_id=views.CALLBACK_EDIT, objective_slots=1, initial=m, private_metadata=""
    )
    form = views.read_form(simulate_submission(view))
    assert validate(form) == m


def test_read_form_of_an_empty_modal() -> None:
    view = views.mission_modal(
        callback_id=views.CALLBACK_NEW, objective_slots=3, initial=None, private_metadata=""
    )
    state = simulate_submission(view)
    state["stage"]["stage"]["selected_option"] = None
    form = views.read_form(state)
    assert form == MissionForm(objectives=(("", ""), ("", ""), ("", "")))
    errors = validate(form)
    assert isinstance(errors, dict)
    assert set(errors) == {"company", "role", "stage", "mission", "objective_1"}
    # every error key is a block id of the modal, so Slack can show it next to the field
    assert set(errors) <= {b.get("block_id") for b in view["blocks"]}


def test_read_form_missing_blocks_are_empty() -> None:
    assert views.read_form({}) == MissionForm()
    state = {"krs_2": {"krs_2": {"type": "plain_text_input", "value": "Grow 5%"}}}
    assert views.read_form(state).objectives == (("", ""), ("", "Grow 5%"))
    assert views.objective_slots_in(state) == 2


def test_modal_keeps_unsaved_form_input() -> None:
    raw = MissionForm(
        company="Acme",
        role="PM",
        stage="applied",
        mission="m",
        objectives=(("Obj", "- kr 1\n- kr 2"),),
    )
    view = views.mission_modal(
        callback_id=views.CALLBACK_NEW, objective_slots=2, initial=raw, private_metadata=""
    )
    assert views.read_form(simulate_submission(view)) == MissionForm(
        company="Acme",
        role="PM",
        stage="applied",
        mission="m",
        objectives=(("Obj", "- kr 1\n- kr 2"), ("", "")),
    )


def test_modal_rejects_oversized_private_metadata() -> None:
    with pytest.raises(ValueError):
        views.mission_modal(
            callback_id=views.CALLBACK_NEW,
            objective_slots=1,
            initial=None,
            private_metadata="x" * 3001,
        )


@pytest.mark.parametrize("slots", [1, 3, 5])
@pytest.mark.parametrize("initial", [None, realistic(), worst_case()])
def test_modal_validates_with_the_standin(
    blockkit: Any, slots: int, initial: MissionInput | None
) -> None:
    view = views.mission_modal(
        callback_id=views.CALLBACK_NEW, objective_slots=slots, initial=initial, private_metadata=""
    )
    assert blockkit.validate_view(view) == []


# --- the draft message ------------------------------------------------------------------------


def draft(m: MissionInput, **overrides: Any) -> tuple[str, list[dict]]:
    values: dict[str, Any] = {
        "draft_id": 7,
        "author_id": AUTHOR,
        "mission": m,
        "version": 3,
        "revised": True,
        "tally": a_tally(),
        "notes": quality_notes(m),
    }
    values.update(overrides)
    return views.draft_message(**values)


def test_realistic_draft_message() -> None:
    text, blocks = draft(realistic())
    assert (
        text
        == "Job mission: Senior Product Manager, Checkout at Acme Payments, version 3 (revised)"
    )
    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "Job mission: Senior Product Manager, Checkout at Acme Payments",
            "emoji": True,
        },
    }
    flat = json.dumps(blocks)
    assert f"<@{AUTHOR}>" in blocks[1]["elements"][0]["text"]
    assert "Interviewing" in blocks[1]["elements"][0]["text"]
    assert "version 3 (revised)" in blocks[1]["elements"][0]["text"]
    assert "Raise conversion from 2.1% to 3% by Q4" in flat
    for entry in LEGEND:
        assert f":{entry.emoji}:" in flat
        assert entry.meaning in flat
    tally_block = next(
        b for b in blocks if "React to this message" in b.get("text", {}).get("text", "")
    )
    assert "*2*  <@UMEMBER1>, <@UMEMBER2>" in tally_block["text"]["text"]
    assert "Delight merchants" in flat  # the quality note
    actions = next(b for b in blocks if b["type"] == "actions")
    assert actions["block_id"] == views.BLOCK_ACTIONS
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [
        "mission_feedback",
        "mission_request",
        "mission_questions",
        "mission_edit",
        "mission_versions",
        "mission_withdraw",
    ]
    assert {e["value"] for e in actions["elements"]} == {"7"}
    withdraw = actions["elements"][-1]
    assert withdraw["style"] == "danger"
    assert "confirm" not in withdraw  # the bot asks the author itself (withdraw_modal)
    assert_safe(blocks, allowed_users=(AUTHOR, *REACTORS))
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)


def test_first_version_has_no_earlier_versions_button() -> None:
    _, blocks = draft(realistic(), version=1, revised=False, tally=Tally(), notes=None)
    actions = next(b for b in blocks if b["type"] == "actions")
    assert "mission_versions" not in [e["action_id"] for e in actions["elements"]]
    assert "revised" not in json.dumps(blocks)
    assert "No reactions yet" in json.dumps(blocks)


def test_worst_case_draft_message_is_inert_and_within_limits() -> None:
    m = worst_case()
    many = tally([(f"U{n:03d}", "+1") for n in range(30)], author=AUTHOR, bot_user=None)
    text, blocks = draft(m, tally=many, notes=[*quality_notes(m), hostile(500)])
    assert_inert(text)
    assert "&lt;!channel&gt;" in text
    assert len(text) < 40_000
    assert_safe(blocks, allowed_users=(AUTHOR, *(f"U{n:03d}" for n in range(30))))
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)
    assert len(blocks) < 30
    assert "and 20 more" in json.dumps(blocks)
    # every objective is shown, cut to fit rather than dropped
    assert sum("*Objective" in o["text"] for o in text_objects(blocks)) == MAX_OBJECTIVES


def test_company_overrides_and_mention_in_plain_header_is_inert() -> None:
    m = realistic()
    _, blocks = draft(m, company="<@U123> & Co", role="PM", stage="offer")
    assert blocks[0]["text"]["type"] == "plain_text"  # plain text never mentions anyone
    assert blocks[0]["text"]["text"] == "Job mission: PM at <@U123> & Co"
    assert "Offer on the table" in blocks[1]["elements"][0]["text"]


@pytest.mark.parametrize("make", [realistic, worst_case])
def test_draft_message_validates_with_the_standin(blockkit: Any, make: Any) -> None:
    text, blocks = draft(make())
    assert blockkit.validate_message(text=text, blocks=blocks) == []


def test_withdrawn() -> None:
    text, blocks = views.withdrawn_message()
    assert text == views.withdrawn_text()
    assert "withdrawn" in text
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)


# --- ephemeral messages and Home --------------------------------------------------------------


def summaries(m: MissionInput, n: int) -> list[DraftSummary]:
    return [
        DraftSummary(
            draft_id=i,
            company=m.company,
            role=m.role,
            stage=m.stage,
            version=i % 3 + 1,
            status=("posted", "shared", "withdrawn")[i % 3],
            tally=a_tally() if i % 2 else Tally(),
            permalink=f"https://team.slack.test/archives/C1/p{i}" if i % 2 else None,
            interviews_logged=i,
        )
        for i in range(1, n + 1)
    ]


def owed(m: MissionInput, n: int) -> list[OwedFeedback]:
    return [
        OwedFeedback(
            draft_id=100 + i,
            author_id=AUTHOR,
            company=m.company,
            role=m.role,
            deadline=datetime(2025, 3, 14, 17, 0, tzinfo=UTC) if i % 2 else None,
            permalink="https://team.slack.test/archives/C1/p9&x=1" if i % 2 else None,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("make", [realistic, worst_case])
@pytest.mark.parametrize("n", [0, 1, 3, 60])
def test_list_message(make: Any, n: int) -> None:
    blocks = views.list_message(summaries(make(), n))
    flat = json.dumps(blocks)
    assert_safe(blocks)
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)
    if n == 0:
        assert "`/mission`" in flat
    else:
        assert "Version 2" in flat
        assert "Shared with the hiring manager" in flat
        assert ":+1: 2" in flat
    if n > views.LIST_MAX_DRAFTS:
        assert f"and {n - views.LIST_MAX_DRAFTS} more" in flat


def test_help_blocks_cover_everything() -> None:
    blocks = views.help_blocks()
    flat = " ".join(o["text"] for o in text_objects(blocks))
    for command in ("`/mission`", "`/mission list`", "`/mission help`"):
        assert command in flat
    for entry in LEGEND:
        assert f":{entry.emoji}:" in flat
    for button in ("Give feedback", "Request feedback", "Interview questions", "Withdraw"):
        assert button in flat
    assert "private channel" in flat
    assert "live" in flat
    assert_safe(blocks)
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)


@pytest.mark.parametrize("make", [realistic, worst_case])
def test_questions_message(make: Any) -> None:
    questions = interview_questions(make())
    blocks = views.questions_message(questions)
    assert_safe(blocks)
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)
    assert "1. " in blocks[0]["text"]["text"]
    assert views.questions_message([])[0]["type"] == "section"


@pytest.mark.parametrize("make", [realistic, worst_case])
def test_quality_blocks(make: Any) -> None:
    notes = quality_notes(make())
    blocks = views.quality_blocks(notes)
    assert_safe(blocks)
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)
    assert views.quality_blocks([]) == []


@pytest.mark.parametrize("make", [realistic, worst_case])
@pytest.mark.parametrize("n", [1, 2, 15])
def test_versions_message(make: Any, n: int) -> None:
    m = make()
    versions = [
        VersionSummary(number=i, mission=m, created_at=datetime(2025, 1, i, tzinfo=UTC))
        for i in range(1, n + 1)
    ]
    blocks = views.versions_message(company=m.company, role=m.role, versions=versions, current=n)
    flat = json.dumps(blocks)
    assert_safe(blocks)
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)
    if n == 1:
        assert "only one version" in flat
    else:
        assert f"*Version {n - 1}*" in flat
        assert f"*Version {n}*" not in flat
        assert "<!date^" in flat


@pytest.mark.parametrize("make", [realistic, worst_case])
@pytest.mark.parametrize(("n_drafts", "n_owed"), [(0, 0), (2, 1), (30, 30)])
def test_home_section(make: Any, n_drafts: int, n_owed: int) -> None:
    m = make()
    blocks = views.home_section(summaries(m, n_drafts), owed(m, n_owed))
    flat = json.dumps(blocks)
    assert_safe(blocks, allowed_users=(AUTHOR,))
    # leave room in the 100-block Home tab for the other features
    assert_limits(blocks, max_blocks=40)
    assert "Feedback you owe" in flat
    if n_owed:
        assert f"<@{AUTHOR}> asked for your feedback" in flat
        assert '"action_id": "mission_feedback"' in flat
    else:
        assert "all caught up" in flat
    if n_drafts:
        assert "Withdrawn" not in flat  # withdrawn drafts stay in /mission list only
        assert '"action_id": "mission_edit"' in flat
    # draft 3 is posted with three interviews logged: time to share it live
    assert ("walk the hiring manager through this draft live" in flat) is (n_drafts >= 3)
    assert "block_id" not in flat  # composed with other sections: no id collisions


@pytest.mark.parametrize("make", [realistic, worst_case])
def test_ephemeral_and_home_views_validate_with_the_standin(blockkit: Any, make: Any) -> None:
    m = make()
    versions = [VersionSummary(number=i, mission=m) for i in (1, 2, 3)]
    for blocks in (
        views.list_message(summaries(m, 60)),
        views.help_blocks(),
        views.questions_message(interview_questions(m)),
        views.quality_blocks(quality_notes(m) or ["A note"]),
        views.versions_message(company=m.company, role=m.role, versions=versions, current=3),
        views.withdrawn_message()[1],
    ):
        assert blockkit.validate_message(text="fallback", blocks=blocks) == []
    home = views.home_section(summaries(m, 30), owed(m, 30))
    assert blockkit.validate_blocks(home, surface="home") == []
    assert blockkit.validate_view({"type": "home", "blocks": home}) == []


# --- common -----------------------------------------------------------------------------------


def test_esc_cuts_without_splitting_entities() -> None:
    assert common.esc("a & b") == "a &amp; b"
    cut = common.esc("<" * 100, 10)
    assert cut == "&lt;&lt;…"
    assert len(common.esc(hostile(1000), 333)) <= 333
    assert common.esc("short", 10) == "short"


def test_fit_lines_fits() -> None:
    lines = [hostile(800) for _ in range(6)]
    text = common.fit_lines(lines, 3000, prefix="•  ")
    assert len(text) <= 3000
    assert text.count("\n") == 5
    assert_inert(text)


def test_setup_help() -> None:
    blocks = common.setup_help()
    flat = " ".join(o["text"] for o in text_objects(blocks))
    assert "/invite @Council Bot" in flat
    assert "private" in flat
    assert "`/mission`" in flat
    assert "/invite @Council Bot" in common.setup_help_text()
    assert_limits(blocks, max_blocks=common.MESSAGE_MAX_BLOCKS)


def test_error_text() -> None:
    assert "try again" in common.error_text()
    assert_inert(common.error_blocks("<!channel> broke")[0]["text"]["text"])


def test_setup_and_error_validate_with_the_standin(blockkit: Any) -> None:
    assert (
        blockkit.validate_message(text=common.setup_help_text(), blocks=common.setup_help()) == []
    )
    assert blockkit.validate_message(text=common.error_text(), blocks=common.error_blocks()) == []
