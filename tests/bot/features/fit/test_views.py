"""`/fit` Block Kit without Slack: member text escaped, the legend and the tally."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.features.fit.rules import SignOff, Statement, TwoPager
from bot.features.fit.views import home_section, statement_post, two_pager_post

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_member_text_is_escaped_in_the_posted_two_pager() -> None:
    two_pager = TwoPager(1, "T", "U0LENA", 1, ("<!channel> & <@U0X>",), ("*bold*",), NOW)
    text, blocks = two_pager_post(two_pager)
    shown = json.dumps(blocks)
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp; &lt;@U0X&gt;" in shown
    assert "<@U0LENA>" in text


def test_the_statement_shows_its_legend_and_signed_off_only_at_a_majority() -> None:
    statement = Statement(
        1, "T", "U0LENA", 2, {"stage": "Seed", "role": "<!here>"}, "A PM", NOW, "C1", "1.0"
    )
    pending = json.dumps(
        statement_post(Statement(**{**_fields(statement), "signoff": SignOff(1, 3)}))[1]
    )
    assert ":white_check_mark: = I sign off" in pending and "Signed off by" not in pending
    assert "&lt;!here&gt;" in pending and "1 of 3 so far" in pending
    done = json.dumps(
        statement_post(Statement(**{**_fields(statement), "signoff": SignOff(2, 3)}))[1]
    )
    assert "Signed off by 2 of 3" in done


def test_home_is_empty_until_something_is_written() -> None:
    assert home_section(None, None) == []
    two_pager = TwoPager(1, "T", "U", 3, ("a", "b"), ("c",), NOW)
    assert "v3: 2 wants, 1 don't-wants" in json.dumps(home_section(two_pager, None))


def _fields(statement: Statement) -> dict:
    return {name: getattr(statement, name) for name in Statement.__slots__}
