"""Encryption at rest: the column types, the list of encrypted columns, the migration that
encrypts existing rows, and re-encryption with a new key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from storage import crypto
from storage.migrate import alembic_config


@pytest.fixture
def restore_keys() -> Iterator[None]:
    """Tests here reconfigure the process's keys; put the suite's keys back after."""
    saved = crypto._keys
    yield
    crypto._keys = saved


def test_every_encrypted_column_is_listed_and_every_listed_one_is_encrypted() -> None:
    typed = {
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, crypto.EncryptedText | crypto.EncryptedInt)
    }
    assert typed == set(crypto.ENCRYPTED_COLUMNS)


def test_values_round_trip_and_tokens_differ_each_time() -> None:
    first, second = crypto.encrypt("Initech, 180k"), crypto.encrypt("Initech, 180k")
    assert first != second and "Initech" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "Initech, 180k"


def test_a_token_from_another_key_is_refused_without_echoing_it(restore_keys: None) -> None:
    token = crypto.encrypt("a note")
    crypto.configure([crypto.new_key()])
    with pytest.raises(crypto.DataKeyError) as refused:
        crypto.decrypt(token)
    assert token not in str(refused.value)
    with pytest.raises(crypto.DataKeyError):
        crypto.decrypt("plain text from before the migration")


def test_malformed_or_missing_keys_are_refused() -> None:
    with pytest.raises(crypto.DataKeyError):
        crypto.parse_keys(["not-a-fernet-key"])
    with pytest.raises(crypto.DataKeyError):
        crypto.parse_keys([" ", ""])


def test_the_migration_encrypts_rows_stored_in_plain_text(empty_engine: Engine) -> None:
    config = alembic_config()
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO searches (team_id, user_id, company, company_key, role, stage, "
                "created_at) VALUES ('T1', 'U1', 'Acme', 'acme', '', "
                "'offer', '2026-01-01 00:00:00')"
            )
        )
        search = connection.execute(text("SELECT id FROM searches")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO negotiation_plans (search_id, team_id, user_id, checklist, "
                "created_at, updated_at) VALUES "
                "(:s, 'T1', 'U1', '[]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            ),
            {"s": search},
        )
        plan = connection.execute(text("SELECT id FROM negotiation_plans")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO negotiation_compensation (plan_id, offer, target, currency, "
                "updated_at) VALUES (:p, 150000, 170000, 'EUR', '2026-01-01 00:00:00')"
            ),
            {"p": plan},
        )
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with empty_engine.connect() as connection:
        offer, target = connection.execute(
            text("SELECT offer, target FROM negotiation_compensation")
        ).one()
    assert "150000" not in offer and crypto.decrypt(offer) == "150000"
    assert crypto.decrypt(target) == "170000"
    with empty_engine.begin() as connection:  # and back, for a downgrade
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT offer FROM negotiation_compensation")).scalar() in (
            150000,
            "150000",
        )


def test_reencrypting_moves_every_value_to_the_new_key(
    migrated_engine: Engine, restore_keys: None
) -> None:
    old = crypto.new_key()
    crypto.configure([old])
    with migrated_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO gratitude_people (team_id, user_id, name, note, created_at) "
                "VALUES ('T1', 'U1', :name, :note, '2026-01-01 00:00:00')"
            ),
            {"name": crypto.encrypt("Dana Reyes"), "note": crypto.encrypt("an intro")},
        )
    new = crypto.new_key()
    crypto.configure([new, old])
    assert crypto.reencrypt_all(migrated_engine) == 2
    crypto.configure([new])  # the old key is gone: everything still reads
    with migrated_engine.connect() as connection:
        name, note = connection.execute(text("SELECT name, note FROM gratitude_people")).one()
    assert (crypto.decrypt(name), crypto.decrypt(note)) == ("Dana Reyes", "an intro")
