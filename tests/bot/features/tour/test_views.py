"""The Listening Tour's Block Kit: member text escaped, only what was ticked shared."""

from __future__ import annotations

import json
from datetime import date

from bot.features.tour.rules import GOLDEN_QUESTION, Conversation, Progress, ShareChoice
from bot.features.tour.views import (
    help_blocks,
    home_line,
    prompts_blocks,
    share_modal,
    takeaway_message,
    thanks_message,
    tour_message,
)

SAM = Conversation(
    id=3,
    team_id="T1",
    user_id="U0LENA0002",
    name="<!channel> Sam & co",
    kind="recruiter",
    held_on=date(2026, 3, 9),
    heard="Zqx-heard: the market is <@U0BOSS> cold",
    takeaway="Aim one level up <!here>",
    thanks=False,
)


def flat(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_a_takeaway_alone_names_no_one_and_no_kind() -> None:
    text, blocks = takeaway_message(conversation=SAM, choice=ShareChoice(), user_id=SAM.user_id)
    shown = text + flat(blocks)
    assert "Aim one level up &lt;!here&gt;" in shown and "<!here>" not in shown
    assert "Sam" not in shown and "recruiter" not in shown.lower()
    assert "Zqx-heard" not in shown and "<@U0LENA0002>" in shown


def test_a_takeaway_with_the_name_and_kind_ticked_escapes_them() -> None:
    _, blocks = takeaway_message(
        conversation=SAM, choice=ShareChoice(kind=True, name=True), user_id=SAM.user_id
    )
    shown = flat(blocks)
    assert "&lt;!channel&gt; Sam &amp; co" in shown and "<!channel>" not in shown
    assert "(recruiter)" in shown and "Zqx-heard" not in shown


def test_the_share_modal_previews_only_the_takeaway() -> None:
    view = share_modal(
        conversation=SAM, councils=[(1, "C1", "council-demo")], private_metadata="{}"
    )
    shown = flat(view)
    assert "Aim one level up" in shown and "#council-demo" in shown
    assert "Sam" not in shown and "Zqx-heard" not in shown


def test_the_tour_view_escapes_names_and_suggests_the_cmf_near_the_target() -> None:
    text, blocks = tour_message(Progress(counts={"recruiter": 3}), [SAM])
    shown = text + flat(blocks)
    assert "3 of 12" in shown and "Recruiter: 3" in shown and "Wider network: 0" in shown
    assert "&lt;!channel&gt; Sam &amp; co" in shown and "<!channel>" not in shown
    assert "Candidate-Market Fit" not in shown and "Zqx-heard" not in shown
    _, near = tour_message(Progress(counts={"network": 10}), [SAM])
    assert "Candidate-Market Fit" in flat(near)


def test_prompts_and_help_carry_the_golden_question() -> None:
    prompts = flat(prompts_blocks())
    assert prompts.count(GOLDEN_QUESTION) == 4
    for kind in ("Reverse exit interview", "Wider network", "Recruiter"):
        assert kind in prompts
    assert GOLDEN_QUESTION in flat(help_blocks()) and "/tour log" in flat(help_blocks())


def test_the_thanks_dm_names_the_person_escaped() -> None:
    text, blocks = thanks_message(SAM)
    assert "&lt;!channel&gt;" in text + flat(blocks) and "<!channel>" not in flat(blocks)
    assert "Zqx-heard" not in flat(blocks)


def test_the_home_line_shows_only_once_something_is_logged() -> None:
    assert home_line(0, 12) == []
    assert "1 of 12" in flat(home_line(1, 12)) and "Candidate" not in flat(home_line(1, 12))
    assert "Candidate-Market Fit" in flat(home_line(10, 12))
