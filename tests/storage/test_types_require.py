"""Explicit errors instead of asserts: a row used before flush, a row the schema promises."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from storage.councils import Council, upsert_council
from storage.db import session_scope
from storage.types import MissingRow, require_id, require_row


def test_require_id_raises_for_a_row_that_was_never_flushed() -> None:
    with pytest.raises(RuntimeError, match="Council has no id yet"):
        require_id(Council(team_id="T1", channel_id="G1", name="c"))


def test_require_id_returns_the_id_the_database_gave_on_flush(engine: Engine) -> None:
    with session_scope(engine) as session:
        council = upsert_council(session, team_id="T1", channel_id="G1", name="c")
        assert require_id(council) == council.id
        assert isinstance(council.id, int)


def test_require_row_names_what_is_missing() -> None:
    with pytest.raises(MissingRow, match="the draft's current version is missing"):
        require_row(None, "the draft's current version")


def test_require_row_hands_back_a_row_that_is_there() -> None:
    council = Council(team_id="T1", channel_id="G1", name="c")
    assert require_row(council, "the council") is council
