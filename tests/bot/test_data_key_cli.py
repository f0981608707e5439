"""`council-bot new-key` and `council-bot rotate-key`, as an organiser runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from storage import crypto


def _run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_new_key_prints_a_usable_key(tmp_path: Path) -> None:
    done = _run("new-key", cwd=tmp_path, env={})
    assert done.returncode == 0, done.stderr
    crypto.parse_keys([done.stdout.strip()])


def test_rotate_key_reencrypts_stored_values_and_replaces_the_key_file(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", "DATA_DIR": str(tmp_path / "data")}
    env.pop("DATA_KEY", None)
    migrated = _run("migrate", cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr
    key_path = tmp_path / "data" / "data.key"
    old_key = key_path.read_text().strip()
    old = crypto.parse_keys([old_key])
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO gratitude_people (team_id, user_id, name, note, created_at) "
                "VALUES ('T1', 'U1', :name, '', '2026-01-01 00:00:00')"
            ),
            {"name": old.encrypt(b"Dana Reyes").decode()},
        )
        connection.execute(
            text("UPDATE gratitude_people SET note = :note"),
            {"note": old.encrypt(b"").decode()},
        )
    rotated = _run("rotate-key", cwd=tmp_path, env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert "re-encrypted 2 values" in rotated.stdout
    new_key = key_path.read_text().strip()
    assert new_key != old_key
    with engine.connect() as connection:
        (name,) = connection.execute(text("SELECT name FROM gratitude_people")).one()
    assert crypto.parse_keys([new_key]).decrypt(name.encode()) == b"Dana Reyes"
    engine.dispose()
