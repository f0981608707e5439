"""The member erase knows every column that names a member, as the workspace purge knows
every table: a new one fails here until storage.purge.MEMBER_COLUMNS says what it does."""

from __future__ import annotations

from storage import purge


def test_every_column_naming_a_member_is_erased_or_explained() -> None:
    assert purge.member_columns_unknown() == []


def test_the_erase_steps_are_the_ones_it_reports() -> None:
    assert len(set(purge.MEMBER_STEPS)) == len(purge.MEMBER_STEPS)
    assert all(reason for reason in purge.MEMBER_COLUMNS.values())
