"""How fast the App Home is published as a member's history grows.

Usage: .venv/bin/python benchmarks/home.py [--rounds 30] [--database-url URL]

Two scenarios, each on a fresh database behind the real app and the offline stand-in:

* small: one member with 3 mission drafts;
* large: the same member with 150 drafts over 12 companies, plus 20 drafts by the other
  council members.

Each draft has three objectives with key results, a few legend reactions from the council,
and every fifth one a second version. For each round the script sends a signed
`app_home_opened` event and measures until the stand-in records the `views.publish`
(the stand-in's own timestamp of the call, so polling adds nothing). It prints the median
and p95 for both, their ratio, and the SQL statements the app ran per Home build (counted
with a `before_cursor_execute` listener). It measures; it asserts nothing.

Without --database-url each scenario gets a temporary SQLite file. A PostgreSQL URL is
used as is, so point it at an empty scratch database: the script creates its tables and
deletes its rows between the scenarios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, col, select

from bot.cli import build_runtime
from bot.features.missions import service as missions
from bot.features.missions.rules import MissionInput, Objective
from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo
from bot.server import EVENTS_PATH, BackgroundServer
from bot.services import Services
from bot.settings import Settings
from storage.councils import upsert_council
from storage.db import make_engine
from storage.missions import MissionDraft, MissionVersion, ReactionFeedback

SECRET = "benchmark-signing-secret-0123456789"
MEMBER = DEMO_MEMBERS[0][0]
OTHERS = [member[0] for member in DEMO_MEMBERS[1:]]
COMPANIES = [
    "Acme Robotics",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Hooli",
    "Stark Industries",
    "Wayne Logistics",
    "Cyberdyne",
    "Soylent Foods",
    "Tyrell Labs",
    "Wonka Confectionery",
    "Aperture Science",
]
LEGEND = ("+1", "question", "bulb", "warning")


@dataclass(frozen=True)
class Scenario:
    name: str
    drafts: int
    companies: int
    other_drafts: int


SCENARIOS = (
    Scenario("3 drafts", drafts=3, companies=3, other_drafts=0),
    Scenario("150 drafts, 12 companies, +20 by others", drafts=150, companies=12, other_drafts=20),
)


def mission(company: str, number: int) -> MissionInput:
    return MissionInput(
        company=company,
        role=f"Head of Product #{number}",
        stage="interviewing",
        mission="Make warehouse robots easy to deploy for every mid-size operator.",
        objectives=tuple(
            Objective(
                text=f"Objective {o} for draft {number}",
                key_results=tuple(f"Reach {10 * k}% on metric {k} by Q{o}" for k in (1, 2, 3)),
            )
            for o in (1, 2, 3)
        ),
    )


def seed(engine: Engine, scenario: Scenario, team_id: str) -> None:
    with Session(engine) as session:
        council = upsert_council(
            session, team_id=team_id, channel_id=DEMO_COUNCIL_CHANNEL, name="council-demo"
        )
        session.commit()
        council_id = council.id or 0
    authors = [MEMBER] * scenario.drafts + [
        OTHERS[i % len(OTHERS)] for i in range(scenario.other_drafts)
    ]
    for number, author in enumerate(authors, start=1):
        company = COMPANIES[number % scenario.companies]
        draft_id = missions.create_draft(
            engine,
            team_id=team_id,
            council_id=council_id,
            channel_id=DEMO_COUNCIL_CHANNEL,
            author_id=author,
            mission=mission(company, number),
        )
        missions.attach_message(
            engine, draft_id=draft_id, team_id=team_id, message_ts=f"1700000000.{number:06d}"
        )
        if number % 5 == 0:
            missions.revise(
                engine,
                draft_id=draft_id,
                team_id=team_id,
                editor_id=author,
                mission=mission(company, number),
                now=datetime.now(UTC),
            )
    # A few legend reactions on every draft's current version, by the other members.
    with Session(engine) as session:
        versions = session.exec(
            select(MissionVersion)
            .join(MissionDraft, col(MissionDraft.id) == MissionVersion.draft_id)
            .where(col(MissionVersion.number) == col(MissionDraft.current_version))
        ).all()
        for index, version in enumerate(versions):
            for offset, reactor in enumerate(OTHERS):
                if (index + offset) % 2 == 0:
                    session.add(
                        ReactionFeedback(
                            version_id=version.id or 0,
                            user_id=reactor,
                            emoji=LEGEND[(index + offset) % len(LEGEND)],
                            event_ts=f"1700000001.{index:06d}",
                        )
                    )
        session.commit()


class StatementCounter:
    """SQL statements the engine sent to the database, from any thread."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        with self._lock:
            self.count += 1


def measure(
    standin: SlackStandIn, driver: SlackDriver, counter: StatementCounter, rounds: int
) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    statements: list[int] = []
    for _ in range(rounds):
        seen = len(standin.calls_to("views.publish"))
        before = counter.count
        started = time.time()
        answer = driver.app_home_opened(user=MEMBER)
        assert answer.status == 200, answer.body
        found = standin.wait_for("views.publish", count=seen + 1, timeout=30)
        published = found[-1] if isinstance(found, list) else found
        assert published.ok, published.describe()
        latencies.append((published.at - started) * 1000)
        # The listener's work ends with the publish; what it ran is in the counter.
        statements.append(counter.count - before)
    return latencies, statements


@contextmanager
def scenario_engine(database_url: str | None, tmp: Path, name: str) -> Iterator[Engine]:
    if database_url is None:
        engine = make_engine(f"sqlite:///{tmp / (name.split()[0] + '.db')}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        with engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                if table.name != "alembic_version":
                    connection.execute(table.delete())
        engine.dispose()


def run(scenario: Scenario, *, rounds: int, database_url: str | None, tmp: Path) -> dict[str, Any]:
    with (
        SlackStandIn(seed_demo()) as standin,
        scenario_engine(database_url, tmp, scenario.name) as engine,
    ):
        settings = Settings(
            slack_bot_token=standin.bot_token,  # type: ignore[arg-type]
            slack_signing_secret=SECRET,  # type: ignore[arg-type]
            slack_api_url=standin.api_url,
            _env_file=None,
        )
        runtime = build_runtime(settings, services=Services(engine=engine))
        seed(engine, scenario, standin.workspace.team_id)
        server = BackgroundServer(runtime.http_app())
        server.start()
        try:
            driver = SlackDriver(
                app_url=server.url + EVENTS_PATH, signing_secret=SECRET, standin=standin
            )
            counter = StatementCounter(engine)
            measure(standin, driver, counter, rounds=3)  # warm up
            latencies, statements = measure(standin, driver, counter, rounds=rounds)
        finally:
            server.stop()
    latencies.sort()
    return {
        "median": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "statements": statistics.median(statements),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in SCENARIOS:
            results[scenario.name] = run(
                scenario, rounds=args.rounds, database_url=args.database_url, tmp=Path(tmp)
            )

    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"App Home: app_home_opened -> views.publish, {args.rounds} rounds on {backend}, in ms")
    for name, result in results.items():
        print(
            f"  {name:42s} median {result['median']:7.1f}   p95 {result['p95']:7.1f}   "
            f"SQL statements per Home {result['statements']:5.0f}"
        )
    small, large = (results[s.name] for s in SCENARIOS)
    print(f"  ratio (150 drafts / 3 drafts), median: {large['median'] / small['median']:.2f}x")


if __name__ == "__main__":
    main()
