"""What a leaked database file reveals: none of the salary figures or back-channel notes a
member typed through Slack, on SQLite (the raw file) and PostgreSQL (the raw columns)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from storage import crypto
from storage.backchannel import BackchannelPerson
from storage.negotiation import NegotiationCompensation
from tests.handlers.test_backchannel import add_people, record, start
from tests.handlers.test_negotiation import open_plan, save_money, search_id_of
from tests.handlers.test_negotiation import post_mission as post_negotiation_mission
from tests.plugins.slack import Slack

SALARY = "187345"
TARGET = "203977"
NOTE = "Zqx-Secretnote shields her team from reorgs"
PERSON = "Zqx Quillfeather"


def _raw_values(slack: Slack) -> list[str]:
    values: list[str] = []
    with slack.engine.connect() as connection:
        for table, column in crypto.ENCRYPTED_COLUMNS:
            rows = connection.execute(
                text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")
            ).all()
            values.extend(str(value) for (value,) in rows)
    return values


def test_salary_figures_and_back_channel_notes_are_not_stored_in_plain_text(
    slack: Slack,
) -> None:
    checklist_id = start(slack)
    (person,) = add_people(slack, checklist_id, (PERSON, "worked for her at Initech"))
    assert not record(slack, checklist_id, person, "would_work_again", NOTE).get("errors")
    post_negotiation_mission(slack, slack.lena)
    plan = open_plan(slack, slack.lena, search_id=search_id_of(slack, slack.lena, "Acme Robotics"))
    assert not save_money(slack, slack.lena, plan, SALARY, TARGET).get("errors")
    slack.settle()

    # The app reads back what was typed...
    with Session(slack.engine) as session:
        stored = session.get(BackchannelPerson, person)
        assert stored is not None and stored.notes == NOTE and stored.name == PERSON
        (money,) = session.exec(text("SELECT plan_id FROM negotiation_compensation")).all()
        compensation = session.get(NegotiationCompensation, money[0])
        assert compensation is not None
        assert (compensation.offer, compensation.target) == (int(SALARY), int(TARGET))
    # ...while every encrypted column holds Fernet tokens, none of the typed text.
    raw = _raw_values(slack)
    assert raw and all(value.startswith("gAAAA") for value in raw)
    for secret in (SALARY, TARGET, NOTE, PERSON, "Secretnote", "Quillfeather"):
        assert not any(secret in value for value in raw), secret
    if slack.engine.dialect.name == "sqlite":
        database = slack.engine.url.database
        assert database is not None
        slack.engine.dispose()  # nothing left in a connection's cache: the file is all
        blob = Path(database).read_bytes()
        for wal in (Path(database + "-wal"),):
            if wal.exists():
                blob += wal.read_bytes()
        for secret in (SALARY, TARGET, "Secretnote", "Quillfeather"):
            assert secret.encode() not in blob, secret
