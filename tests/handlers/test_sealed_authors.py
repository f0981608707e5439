"""Anonymous written feedback keeps no readable link to its writer in the database, and
every behaviour that needs the writer still holds; shared back-channel summaries are
remembered, so erasing a member deletes theirs from the channel (and nobody else's).
End to end, through signed requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from bot.features.feedback.views import BLOCK_MISSING
from bot.features.missions.views import ACTION_FEEDBACK
from storage.backchannel import BackchannelPerson, BackchannelShare
from storage.feedback_requests import owed_requests
from storage.missions import WrittenFeedback
from tests.handlers.conftest import PostedDraft
from tests.handlers.test_backchannel import answered_checklist, share, start
from tests.handlers.test_council import _exported, _opened
from tests.handlers.test_feedback import values
from tests.handlers.test_feedback_requests import DEADLINE, START, dms_to, request_feedback
from tests.handlers.test_feedback_requests import run_until as run_reminders_until
from tests.plugins.slack import Slack

SECRET = "Zqy-Anonymous: say who the robots are for"


def _give_anonymously(slack: Slack, user: str, draft: PostedDraft, note: str = SECRET) -> int:
    """`user` presses "Give feedback" under the draft and sends it without their name; the
    row's id, once it is posted in the thread."""
    seen = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(
        user=user, action_id=ACTION_FEEDBACK, channel=draft.channel, message_ts=draft.ts
    )
    opened = _opened(slack, seen)
    answer = slack.driver.view_submission(
        user=user,
        view_id=opened["id"],
        values=values({BLOCK_MISSING: note}, anonymous=True),
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.body
    deadline = time.monotonic() + 5
    while True:
        with Session(slack.engine) as session:
            row = session.exec(
                select(WrittenFeedback).where(WrittenFeedback.missing == note)
            ).first()
        if row is not None and row.message_ts:
            slack.settle()
            assert row.id is not None
            return row.id
        assert time.monotonic() < deadline, "the feedback was not posted"
        time.sleep(0.01)


def _raw_rows(slack: Slack, query: str, **params: Any) -> list[tuple[Any, ...]]:
    with slack.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query), params).all()]


def _is_payload_of(value: Any, feedback_id: int) -> bool:
    try:
        decoded = json.loads(str(value))
    except ValueError:
        return False
    return isinstance(decoded, dict) and decoded.get("feedback") == feedback_id


def test_the_database_does_not_link_anonymous_feedback_to_its_writer(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    feedback_id = _give_anonymously(slack, slack.arjun, posted_draft)

    # The app still knows who wrote it (for counting, and for Arjun's own export/erase)...
    with Session(slack.engine) as session:
        row = session.get(WrittenFeedback, feedback_id)
        assert row is not None and row.anonymous and row.author_sealed == slack.arjun
    # ...but no column of the row holds his id readably: only a Fernet token does.
    (raw,) = _raw_rows(slack, "SELECT * FROM written_feedback WHERE id = :id", id=feedback_id)
    assert not any(slack.arjun in str(value) for value in raw)
    (sealed,) = _raw_rows(
        slack, "SELECT author_sealed FROM written_feedback WHERE id = :id", id=feedback_id
    )
    assert str(sealed[0]).startswith("gAAAA")
    # Nor does the reminder that would post it again (filed under the draft's author).
    posts = [
        r
        for r in _raw_rows(slack, "SELECT * FROM reminders WHERE kind = 'feedback.post'")
        if any(_is_payload_of(value, feedback_id) for value in r)
    ]
    assert posts, "the post was recorded as a reminder"
    for reminder in posts:
        assert not any(slack.arjun in str(value) for value in reminder)

    if slack.engine.dialect.name == "sqlite":
        database = slack.engine.url.database
        assert database is not None
        slack.engine.dispose()  # nothing left in a connection's cache: the file is all
        blob = b"".join(
            p.read_bytes() for p in (Path(database), Path(database + "-wal")) if p.exists()
        )
        secret, writer = SECRET.encode(), slack.arjun.encode()
        spots = [i for i in range(len(blob)) if blob.startswith(secret, i)]
        assert spots, "the check can see the feedback's text in the file"
        for spot in spots:
            # The record of the row: its columns sit just before the text it holds.
            assert writer not in blob[max(0, spot - 200) : spot], spot


def test_a_member_who_wrote_anonymously_is_not_nudged_nor_owes_it_and_stays_unnamed(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    slack.clock.now = START
    request_feedback(slack, posted_draft)  # Noor asks Lena, Arjun and Maya
    _give_anonymously(slack, slack.arjun, posted_draft)
    with Session(slack.engine) as session:
        team = slack.workspace.team_id
        owed = {
            user: owed_requests(session, team_id=team, user_id=user, now=START, limit=5)[1]
            for user in (slack.arjun, slack.lena, slack.maya)
        }
    assert owed == {slack.arjun: 0, slack.lena: 1, slack.maya: 1}

    run_reminders_until(slack, DEADLINE + timedelta(minutes=1))
    assert dms_to(slack, slack.arjun) == []  # answered: no nudge
    assert len(dms_to(slack, slack.lena)) == 1 and len(dms_to(slack, slack.maya)) == 1
    (digest,) = dms_to(slack, slack.noor)
    shown = json.dumps(digest.args["blocks"])
    assert SECRET.replace("'", "") in shown.replace("'", "")
    # The note is not his by name, and he is not singled out: nobody named themselves, so
    # every member asked is listed alike.
    assert "A council member" in shown
    assert f"<@{slack.arjun}>, <@{slack.lena}>, <@{slack.maya}>" in shown


def test_the_writer_exports_and_erases_their_anonymous_feedback_and_the_author_sees_no_name(
    slack: Slack, posted_draft: PostedDraft
) -> None:
    feedback_id = _give_anonymously(slack, slack.arjun, posted_draft)
    with Session(slack.engine) as session:
        row = session.get(WrittenFeedback, feedback_id)
        assert row is not None
        thread_ts = row.message_ts

    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="export")
    document, markdown = _exported(slack, slack.noor)
    (draft,) = document["drafts"]
    assert [(f["missing"], f["author_id"]) for f in draft["feedback_received"]] == [(SECRET, None)]
    assert slack.arjun not in json.dumps(document) + markdown

    slack.standin.clear_calls()
    slack.driver.command(user=slack.arjun, channel=slack.council, command="/council", text="export")
    document, _markdown = _exported(slack, slack.arjun)
    assert [(g["missing"], g["anonymous"]) for g in document["feedback_given"]] == [(SECRET, True)]

    opened_before = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.arjun, channel=slack.council, command="/council", text="erase")
    view = _opened(slack, opened_before)
    assert "1 piece of written feedback you gave on other members" in json.dumps(view["blocks"])
    answer = slack.driver.view_submission(user=slack.arjun, view_id=view["id"], values={})
    assert answer.status == 200
    slack.settle()
    with Session(slack.engine) as session:
        assert session.get(WrittenFeedback, feedback_id) is None
    deleted = {(c.args["channel"], c.args["ts"]) for c in slack.standin.calls_to("chat.delete")}
    assert (slack.council, thread_ts) in deleted
    # Noor's draft is re-rendered (its tally and thread lost the feedback).
    assert any(c.args.get("ts") == posted_draft.ts for c in slack.standin.calls_to("chat.update"))


# --- shared back-channel summaries ------------------------------------------------------------


def _shares(slack: Slack) -> list[BackchannelShare]:
    with Session(slack.engine) as session:
        return list(session.exec(select(BackchannelShare).order_by(BackchannelShare.id)).all())


def test_a_shared_summary_is_remembered_and_erase_deletes_only_the_erased_members(
    slack: Slack,
) -> None:
    lena_checklist = answered_checklist(slack)
    _answer, lena_post = share(slack, lena_checklist)
    assert lena_post is not None and lena_post.ok
    _answer, lena_again = share(slack, lena_checklist)  # shared twice: two messages
    assert lena_again is not None and lena_again.ok
    noor_checklist = start(slack, user=slack.noor, company="Initech", manager="Bill L.")
    with Session(slack.engine) as session:
        session.add(BackchannelPerson(checklist_id=noor_checklist, name="Someone"))
        session.commit()
    _answer, noor_post = share(slack, noor_checklist, user=slack.noor)
    assert noor_post is not None and noor_post.ok

    kept = [(s.user_id, s.checklist_id, s.channel_id, s.message_ts) for s in _shares(slack)]
    assert kept == [
        (slack.lena, lena_checklist, slack.council, lena_post.response["ts"]),
        (slack.lena, lena_checklist, slack.council, lena_again.response["ts"]),
        (slack.noor, noor_checklist, slack.council, noor_post.response["ts"]),
    ]
    slack.standin.clear_calls()
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="export")
    document, _markdown = _exported(slack, slack.lena)
    assert [s["message_ts"] for s in document["backchannel_shares"]] == [
        lena_post.response["ts"],
        lena_again.response["ts"],
    ]

    opened_before = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="erase")
    view = _opened(slack, opened_before)
    assert "2 back-channel summaries you shared" in json.dumps(view["blocks"])
    slack.driver.view_submission(user=slack.lena, view_id=view["id"], values={})
    slack.settle()

    deleted = {(c.args["channel"], c.args["ts"]) for c in slack.standin.calls_to("chat.delete")}
    assert (slack.council, lena_post.response["ts"]) in deleted
    assert (slack.council, lena_again.response["ts"]) in deleted
    assert (slack.council, noor_post.response["ts"]) not in deleted
    remaining = {m["ts"] for m in slack.workspace.messages_in(slack.council)}
    assert noor_post.response["ts"] in remaining
    assert lena_post.response["ts"] not in remaining
    assert [(s.user_id, s.message_ts) for s in _shares(slack)] == [
        (slack.noor, noor_post.response["ts"])
    ]
