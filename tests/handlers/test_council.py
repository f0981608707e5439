"""`/council export` and `/council erase` (and the Home's "Your data" buttons), end to end:
signed requests in; the files uploaded to the stand-in, its messages and the database out,
on SQLite and PostgreSQL. Two members hold data; each request touches only its sender's."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from bot.features.council.views import ACTION_ERASE, ACTION_EXPORT, CALLBACK_ERASE
from storage.backchannel import BackchannelChecklist, BackchannelPerson, BackchannelShare
from storage.councils import Member, get_council
from storage.debriefs import Debrief, GratitudePerson, InterviewEvent
from storage.missions import (
    KeyResult,
    MissionDraft,
    MissionVersion,
    Objective,
    ReactionFeedback,
    WrittenFeedback,
    add_written_feedback,
    writer_of,
)
from storage.negotiation import NegotiationCompensation, NegotiationLeg, NegotiationPlan
from storage.reminders import Reminder
from storage.searches import Search
from storage.types import require_id
from tests.handlers.conftest import PostedDraft, post_draft
from tests.plugins.slack import Slack


@dataclass
class Seeded:
    """One member's data: the distinctive words in it, and the bot's messages showing it."""

    user: str
    tag: str
    draft_id: int
    draft_ts: str
    debrief_ts: str
    summary_ts: str
    offer: int
    share_ts: str = ""  # a back-channel summary they shared in the council channel

    def words(self) -> list[str]:
        return [f"{self.tag}{kind}" for kind in self.KINDS] + [str(self.offer)]

    KINDS = ("Mission", "Objective", "Debrief", "Mentor", "Boss", "Notes", "Company")


def _bot_message(slack: Slack, text: str, *, thread_ts: str | None = None) -> str:
    return slack.workspace.add_message(
        slack.council, text=text, as_bot=True, thread_ts=thread_ts
    ).ts


def seed_member(slack: Slack, user: str, tag: str, *, offer: int) -> Seeded:
    """A member's data in every table, straight through storage: a posted draft, an
    interview with a debrief posted in the council channel, a Gratitude House entry, a
    back-channel checklist with notes, a negotiation plan with figures (shared), a reminder."""
    now = slack.clock.now
    team = slack.workspace.team_id
    draft_ts = _bot_message(slack, f"draft of {user}")
    debrief_ts = _bot_message(slack, f"debrief of {user}")
    summary_ts = _bot_message(slack, f"negotiation summary of {user}")
    share_ts = _bot_message(slack, f"back-channel summary of {user}")
    with Session(slack.engine, expire_on_commit=False) as session:
        council = get_council(session, team_id=team, channel_id=slack.council)
        assert council is not None
        search = Search(
            team_id=team,
            user_id=user,
            company=f"{tag}Company",
            company_key=f"{tag}company".lower(),
            role="VP",
        )
        session.add(search)
        session.flush()
        draft = MissionDraft(
            search_id=require_id(search),
            council_id=require_id(council),
            author_id=user,
            channel_id=slack.council,
            message_ts=draft_ts,
        )
        session.add(draft)
        session.flush()
        version = MissionVersion(draft_id=require_id(draft), number=1, mission=f"{tag}Mission")
        session.add(version)
        session.flush()
        objective = Objective(version_id=require_id(version), position=1, text=f"{tag}Objective")
        session.add(objective)
        session.flush()
        session.add(KeyResult(objective_id=require_id(objective), position=1, text="Ship 3"))
        event = InterviewEvent(
            team_id=team,
            user_id=user,
            council_id=require_id(council),
            channel_id=slack.council,
            search_id=require_id(search),
            company=f"{tag}Company",
            starts_at=now - timedelta(days=1),
        )
        session.add(event)
        session.flush()
        session.add(
            Debrief(
                event_id=require_id(event),
                user_id=user,
                rating=4,
                went_well=f"{tag}Debrief",
                channel_id=slack.council,
                message_ts=debrief_ts,
            )
        )
        session.add(GratitudePerson(team_id=team, user_id=user, name=f"{tag}Mentor"))
        checklist = BackchannelChecklist(
            team_id=team, user_id=user, search_id=require_id(search), manager_name=f"{tag}Boss"
        )
        session.add(checklist)
        session.flush()
        session.add(
            BackchannelPerson(checklist_id=require_id(checklist), name="Ex", notes=f"{tag}Notes")
        )
        session.add(
            BackchannelShare(
                team_id=team,
                user_id=user,
                checklist_id=require_id(checklist),
                channel_id=slack.council,
                message_ts=share_ts,
            )
        )
        plan = NegotiationPlan(
            team_id=team,
            user_id=user,
            search_id=require_id(search),
            council_id=require_id(council),
            channel_id=slack.council,
            shared_channel_id=slack.council,
            shared_ts=summary_ts,
        )
        session.add(plan)
        session.flush()
        session.add(NegotiationLeg(plan_id=require_id(plan), leg="resources", ask="Two hires"))
        session.add(
            NegotiationCompensation(plan_id=require_id(plan), offer=offer, target=offer + 1)
        )
        session.add(
            Reminder(
                kind="debrief.prompt",
                team_id=team,
                user_id=user,
                due_at=now + timedelta(days=3),
                subject=f"event:{require_id(event)}",
            )
        )
        session.commit()
        return Seeded(
            user, tag, require_id(draft), draft_ts, debrief_ts, summary_ts, offer, share_ts
        )


def _version_of(slack: Slack, draft_id: int) -> int:
    with Session(slack.engine) as session:
        version = session.exec(
            select(MissionVersion).where(MissionVersion.draft_id == draft_id)
        ).first()
        assert version is not None
        return require_id(version)


def _written(
    slack: Slack, *, draft_id: int, user: str, text: str, anonymous: bool, channel_ts: str
) -> str:
    """Written feedback by `user` on a draft, posted (as the bot) in its thread."""
    ts = _bot_message(slack, f"feedback on {draft_id}", thread_ts=channel_ts)
    with Session(slack.engine) as session:
        # Stored as the app stores it (an anonymous writer only encrypted), then posted.
        row = add_written_feedback(
            session,
            version_id=_version_of(slack, draft_id),
            user_id=user,
            anonymous=anonymous,
            strong=text,
            unclear="",
            missing="",
            suggested_key_result="",
            created_at=datetime.now(UTC),
        )
        row.message_ts = ts
        session.commit()
    return ts


@dataclass
class Council:
    noor: Seeded
    lena: Seeded
    lena_draft: PostedDraft  # posted through /mission
    noor_feedback_ts: str  # noor's anonymous feedback in lena's draft's thread


NOOR_ANONYMOUS = "NoorQzAnonymousNote on Lena's draft"
ARJUN_ANONYMOUS = "ArjunQzAnonymous on Noor's draft"
LENA_NAMED = "LenaQzNamed on Noor's draft"


def seed_council(slack: Slack) -> Council:
    """Lena posts a draft through /mission; noor reacts to it (a signed reaction_added)
    and leaves anonymous feedback; both hold data everywhere; on noor's draft, lena
    reacted and wrote under her name and arjun wrote anonymously."""
    lena_draft = post_draft(slack, author=slack.lena, channel=slack.council)
    noor = seed_member(slack, slack.noor, "NoorQz", offer=918_273)
    lena = seed_member(slack, slack.lena, "LenaQz", offer=564_738)
    slack.driver.react(user=slack.noor, channel=slack.council, ts=lena_draft.ts, name="bulb")
    slack.settle()
    noor_feedback_ts = _written(
        slack,
        draft_id=lena_draft.draft_id,
        user=slack.noor,
        text=NOOR_ANONYMOUS,
        anonymous=True,
        channel_ts=lena_draft.ts,
    )
    _written(
        slack,
        draft_id=noor.draft_id,
        user=slack.arjun,
        text=ARJUN_ANONYMOUS,
        anonymous=True,
        channel_ts=noor.draft_ts,
    )
    _written(
        slack,
        draft_id=noor.draft_id,
        user=slack.lena,
        text=LENA_NAMED,
        anonymous=False,
        channel_ts=noor.draft_ts,
    )
    with Session(slack.engine) as session:
        session.add(
            ReactionFeedback(
                version_id=_version_of(slack, noor.draft_id), user_id=slack.lena, emoji="+1"
            )
        )
        session.commit()
    with Session(slack.engine) as session:
        reacted = session.exec(
            select(ReactionFeedback).where(ReactionFeedback.user_id == slack.noor)
        ).all()
        assert reacted, "noor's reaction on lena's draft was recorded"
    slack.standin.clear_calls()
    return Council(noor, lena, lena_draft, noor_feedback_ts)


# --- export ---------------------------------------------------------------------------------------


def _exported(slack: Slack, user: str) -> tuple[dict[str, Any], str]:
    """The JSON document and the Markdown the app uploaded into `user`'s DM."""
    slack.settle()
    dm = slack.workspace.im_for(user)
    assert dm is not None
    completed = [
        c
        for c in slack.standin.calls_to("files.completeUploadExternal")
        if c.ok and c.args.get("channel_id") == dm.id
    ]
    assert len(completed) == 1, [c.describe() for c in slack.standin.calls]
    files = completed[0].response["files"]
    by_name = {f["name"].rsplit(".", 1)[-1]: slack.standin.file_content(f["id"]) for f in files}
    assert set(by_name) == {"json", "md"}
    # Shared in the DM, as one message of the bot's with both files.
    (message,) = [m for m in slack.workspace.messages_in(dm.id) if m.get("files")]
    assert [f["id"] for f in message["files"]] == [f["id"] for f in files]
    # Every byte announced was uploaded.
    uploads = slack.standin.calls_to("file_upload")
    assert len(uploads) == 2 and all(u.ok for u in uploads)
    return json.loads(by_name["json"]), by_name["md"].decode("utf-8")


def test_export_sends_the_member_everything_of_theirs_and_nothing_of_anyone_else(
    slack: Slack,
) -> None:
    council = seed_council(slack)
    answer = slack.driver.command(
        user=slack.noor, channel=slack.council, command="/council", text="export"
    )
    assert answer.status == 200
    document, markdown = _exported(slack, slack.noor)
    raw = json.dumps(document, ensure_ascii=False)

    assert document["format"] == "council-bot/member-export" and document["version"] == 1
    assert document["user_id"] == slack.noor
    for word in council.noor.words():
        assert word in raw, word
        assert word in markdown, word
    (draft,) = [d for d in document["drafts"] if d["id"] == council.noor.draft_id]
    assert draft["versions"][0]["mission"] == "NoorQzMission"
    assert draft["versions"][0]["objectives"] == [
        {"text": "NoorQzObjective", "key_results": ["Ship 3"]}
    ]
    received = {f["strong"]: f for f in draft["feedback_received"]}
    # Anonymous feedback to her stays anonymous; named feedback carries its author.
    assert received[ARJUN_ANONYMOUS]["author_id"] is None
    assert received[LENA_NAMED]["author_id"] == slack.lena
    assert slack.arjun not in raw and slack.arjun not in markdown
    # Her own anonymous feedback is hers to see.
    (given,) = document["feedback_given"]
    assert given["strong"] == NOOR_ANONYMOUS and given["anonymous"] is True
    assert given["draft_id"] == council.lena_draft.draft_id
    assert document["reactions_given"] == [
        {"draft_id": council.lena_draft.draft_id, "version": 1, "emoji": "bulb"}
    ]
    (plan,) = document["negotiation_plans"]
    assert plan["compensation"] == {"currency": "USD", "offer": 918_273, "target": 918_274}
    assert document["interview_events"][0]["debrief"]["went_well"] == "NoorQzDebrief"
    assert [p["notes"] for p in document["backchannel_checklists"][0]["people"]] == ["NoorQzNotes"]
    assert [r["kind"] for r in document["reminders"]] == ["debrief.prompt"]
    assert [(s["channel_id"], s["message_ts"]) for s in document["backchannel_shares"]] == [
        (slack.council, council.noor.share_ts)
    ]
    # Nothing of Lena's: not her draft (posted through /mission), not her data.
    for word in [*council.lena.words(), "Make warehouse robots easy to deploy", "Acme Robotics"]:
        assert word not in raw and word not in markdown, word


def test_the_home_export_button_exports_the_clicker_whatever_its_value_says(
    slack: Slack,
) -> None:
    council = seed_council(slack)
    slack.driver.app_home_opened(user=slack.lena)
    slack.settle()
    home = slack.workspace.home_view(slack.lena)
    assert home is not None
    # A forged value naming noor: the export is still lena's, the clicker's.
    slack.driver.block_action(
        user=slack.lena, action_id=ACTION_EXPORT, view_id=home["id"], value=slack.noor
    )
    document, markdown = _exported(slack, slack.lena)
    assert document["user_id"] == slack.lena
    raw = json.dumps(document, ensure_ascii=False)
    for word in council.lena.words():
        assert word in raw
    for word in council.noor.words():
        assert word not in raw and word not in markdown, word
    # Noor's anonymous note on lena's draft is lena's to read, without noor's name on it.
    (lena_draft,) = [d for d in document["drafts"] if d["id"] == council.lena_draft.draft_id]
    assert [(f["strong"], f["author_id"]) for f in lena_draft["feedback_received"]] == [
        (NOOR_ANONYMOUS, None)
    ]
    # Lena's named feedback on noor's draft is hers; noor's draft itself is not.
    assert [g["strong"] for g in document["feedback_given"]] == [LENA_NAMED]
    noor_dm = slack.workspace.im_for(slack.noor)
    assert noor_dm is None or not any(
        m.get("files") for m in slack.workspace.messages_in(noor_dm.id)
    )


# --- erase ----------------------------------------------------------------------------------------


def _rows_of(slack: Slack, user: str) -> dict[str, int]:
    """Rows naming `user` as their owner, per table."""
    checks = {
        "searches": select(func.count()).select_from(Search).where(Search.user_id == user),
        "drafts": select(func.count())
        .select_from(MissionDraft)
        .where(MissionDraft.author_id == user),
        "reactions": select(func.count())
        .select_from(ReactionFeedback)
        .where(ReactionFeedback.user_id == user),
        "events": select(func.count())
        .select_from(InterviewEvent)
        .where(InterviewEvent.user_id == user),
        "debriefs": select(func.count()).select_from(Debrief).where(Debrief.user_id == user),
        "gratitude": select(func.count())
        .select_from(GratitudePerson)
        .where(GratitudePerson.user_id == user),
        "checklists": select(func.count())
        .select_from(BackchannelChecklist)
        .where(BackchannelChecklist.user_id == user),
        "plans": select(func.count())
        .select_from(NegotiationPlan)
        .where(NegotiationPlan.user_id == user),
        "reminders": select(func.count()).select_from(Reminder).where(Reminder.user_id == user),
        "members": select(func.count()).select_from(Member).where(Member.user_id == user),
    }
    with Session(slack.engine) as session:
        found = {name: int(session.exec(query).one()) for name, query in checks.items()}
        # Written feedback by its writer, anonymous included (stored only encrypted then).
        found["written"] = sum(
            writer_of(row) == user for row in session.exec(select(WrittenFeedback)).all()
        )
        found["shares"] = int(
            session.exec(
                select(func.count())
                .select_from(BackchannelShare)
                .where(BackchannelShare.user_id == user)
            ).one()
        )
        return found


def _open_erase_from_home(slack: Slack, user: str) -> dict[str, Any]:
    slack.driver.app_home_opened(user=user)
    slack.settle()
    home = slack.workspace.home_view(user)
    assert home is not None
    opened_before = len(slack.standin.calls_to("views.open"))
    slack.driver.block_action(user=user, action_id=ACTION_ERASE, view_id=home["id"])
    return _opened(slack, opened_before)


def _opened(slack: Slack, before: int) -> dict[str, Any]:
    """The modal of the first views.open after the `before` already recorded."""
    found = slack.standin.wait_for("views.open", count=before + 1)
    opened = found[-1] if isinstance(found, list) else found
    assert opened.ok, opened.describe()
    view: dict[str, Any] = opened.response["view"]
    return view


def _modal_text(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


def test_erase_says_what_goes_then_deletes_it_and_its_messages_and_leaves_lena_whole(
    slack: Slack,
) -> None:
    council = seed_council(slack)
    lena_before = _rows_of(slack, slack.lena)
    view = _open_erase_from_home(slack, slack.noor)
    assert view["callback_id"] == CALLBACK_ERASE
    said = _modal_text(view)
    for line in (
        "1 job mission draft",
        "1 version of them",
        "2 pieces of written feedback on your drafts",
        "1 reaction you gave on other members",
        "1 piece of written feedback you gave on other members",
        "1 debrief",
        "1 person in your Gratitude House",
        "1 back-channel checklist",
        "1 set of offer and target figures",
        "1 back-channel summary you shared",
    ):
        assert line in said, line

    answer = slack.driver.view_submission(user=slack.noor, view_id=view["id"], values={})
    assert answer.status == 200 and not (answer.json or {}).get("response_action")
    slack.settle()

    assert set(_rows_of(slack, slack.noor).values()) == {0}
    after = _rows_of(slack, slack.lena)
    # Lena lost only what was on noor's draft: her named feedback and her reaction there.
    assert after == {**lena_before, "written": lena_before["written"] - 1, "reactions": 0}
    with Session(slack.engine) as session:
        assert session.get(MissionDraft, council.lena_draft.draft_id) is not None
        assert session.get(MissionDraft, council.noor.draft_id) is None
    # The bot's messages showing noor's data are gone; lena's draft stays and is re-rendered.
    deleted = {(c.args["channel"], c.args["ts"]) for c in slack.standin.calls_to("chat.delete")}
    for ts in (
        council.noor.draft_ts,
        council.noor.debrief_ts,
        council.noor.summary_ts,
        council.noor.share_ts,
        council.noor_feedback_ts,
    ):
        assert (slack.council, ts) in deleted
    assert (slack.council, council.lena.share_ts) not in deleted  # lena's summary stays
    remaining = {m["ts"] for m in slack.workspace.messages_in(slack.council)}
    assert council.noor.draft_ts not in remaining
    assert {
        council.lena_draft.ts,
        council.lena.draft_ts,
        council.lena.debrief_ts,
        council.lena.share_ts,
    } <= remaining
    assert any(
        c.args.get("ts") == council.lena_draft.ts for c in slack.standin.calls_to("chat.update")
    )
    # Her Home is republished empty of her data.
    home = json.dumps(slack.workspace.home_view(slack.noor))
    assert "NoorQz" not in home
    assert all(word not in home for word in council.noor.words())
    # A second erase finds nothing.
    view = _open_erase_from_home(slack, slack.noor)
    assert "nothing to erase" in _modal_text(view)

    if slack.engine.dialect.name == "sqlite":
        path = Path(str(slack.engine.url.database))
        raw = b"".join(
            p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
        )
        for word in ("NoorQzMission", "NoorQzCompany", "NoorQzObjective", NOOR_ANONYMOUS):
            assert word.encode() not in raw, word
        assert b"LenaQzMission" in raw  # the check can see what is still there


def test_erase_by_slash_command_erases_only_the_sender_whatever_the_modal_carries(
    slack: Slack,
) -> None:
    council = seed_council(slack)
    noor_before = _rows_of(slack, slack.noor)
    opened_before = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.lena, channel=slack.council, command="/council", text="erase")
    view = _opened(slack, opened_before)
    # The metadata names nobody; one forged to name noor changes nothing.
    slack.workspace.views[view["id"]].private_metadata = json.dumps(
        {"counts": json.loads(view["private_metadata"])["counts"], "user": slack.noor}
    )
    answer = slack.driver.view_submission(user=slack.lena, view_id=view["id"], values={})
    assert answer.status == 200
    slack.settle()
    assert set(_rows_of(slack, slack.lena).values()) == {0}
    noor_after = _rows_of(slack, slack.noor)
    # Noor keeps everything but her feedback on lena's erased draft (went with it).
    assert noor_after == {**noor_before, "reactions": 0, "written": 0}
    deleted = {c.args["ts"] for c in slack.standin.calls_to("chat.delete")}
    assert not deleted & {
        council.noor.draft_ts,
        council.noor.debrief_ts,
        council.noor.summary_ts,
        council.noor.share_ts,
    }
    assert council.lena.share_ts in deleted
    assert council.lena_draft.ts in deleted and council.lena.draft_ts in deleted


def test_erase_confirmed_after_the_data_changed_shows_the_new_counts_and_deletes_nothing(
    slack: Slack,
) -> None:
    seed_council(slack)
    opened_before = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="erase")
    view = _opened(slack, opened_before)
    with Session(slack.engine) as session:
        session.add(
            GratitudePerson(team_id=slack.workspace.team_id, user_id=slack.noor, name="New one")
        )
        session.commit()
    before = _rows_of(slack, slack.noor)
    answer = slack.driver.view_submission(user=slack.noor, view_id=view["id"], values={})
    assert (answer.json or {}).get("response_action") == "update"
    assert "2 people in your Gratitude House" in json.dumps(answer.json)
    slack.settle()
    assert _rows_of(slack, slack.noor) == before
    assert slack.standin.calls_to("chat.delete") == []


def test_council_help_lists_export_and_erase(slack: Slack) -> None:
    slack.driver.command(user=slack.noor, channel=slack.council, command="/council", text="help")
    answer = slack.standin.wait_for("response_url")
    text = json.dumps(answer.args.get("blocks"))
    assert "/council export" in text and "/council erase" in text


def test_nothing_held_is_said_plainly(slack: Slack) -> None:
    opened_before = len(slack.standin.calls_to("views.open"))
    slack.driver.command(user=slack.maya, channel=slack.council, command="/council", text="erase")
    view = _opened(slack, opened_before)
    assert "nothing to erase" in json.dumps(view["blocks"])
