"""One use case, one unit of work: session_scope joins an enclosing unit_of_work."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from storage.councils import Council, upsert_council
from storage.db import make_engine, session_scope, unit_of_work


def _councils(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(Council)).one())


def test_scopes_inside_a_unit_of_work_share_its_session(engine: Engine) -> None:
    with unit_of_work(engine) as outer:
        with session_scope(engine) as first:
            upsert_council(first, team_id="T1", channel_id="G1", name="one")
        with session_scope(engine) as second:
            upsert_council(second, team_id="T1", channel_id="G2", name="two")
        assert first is outer and second is outer
    assert _councils(engine) == 2


def test_scopes_outside_a_unit_of_work_each_get_their_own_session(engine: Engine) -> None:
    with session_scope(engine) as first:
        pass
    with session_scope(engine) as second:
        assert second is not first


def test_an_error_inside_a_unit_of_work_rolls_back_every_joined_write(engine: Engine) -> None:
    with pytest.raises(RuntimeError), unit_of_work(engine):
        with session_scope(engine) as session:
            upsert_council(session, team_id="T1", channel_id="G1", name="one")
        raise RuntimeError("the use case failed after its first write")
    assert _councils(engine) == 0


def test_a_unit_of_work_on_another_engine_is_not_joined(engine: Engine, tmp_path: Path) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with unit_of_work(other) as outer, session_scope(engine) as inner:
            assert inner is not outer
    finally:
        other.dispose()
