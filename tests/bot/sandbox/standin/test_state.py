"""The fake workspace: ids, timestamps, time zones, threads, reactions, triggers, views."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from bot.sandbox.standin.state import (
    DEMO_COUNCIL_CHANNEL,
    DEMO_GENERAL_CHANNEL,
    DEMO_OTHER_PRIVATE_CHANNEL,
    ShiftedClock,
    StandInError,
    Workspace,
    assign_block_ids,
    seed_demo,
)

JANUARY = datetime(2025, 1, 15, 12, tzinfo=UTC).timestamp()
JULY = datetime(2025, 7, 15, 12, tzinfo=UTC).timestamp()


def test_timestamps_strictly_increase_even_when_the_clock_stands_still() -> None:
    workspace = Workspace(clock=lambda: 1_700_000_000.0)
    stamps = [workspace.next_ts() for _ in range(5)]
    assert stamps[0] == "1700000000.000000"
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 5
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


def test_timestamps_keep_increasing_when_the_clock_goes_backwards() -> None:
    now = [1_700_000_100.0]
    workspace = Workspace(clock=lambda: now[0])
    first = workspace.next_ts()
    now[0] -= 50
    assert float(workspace.next_ts()) > float(first)


def test_concurrent_posts_get_unique_increasing_timestamps() -> None:
    workspace = seed_demo()
    stamps: list[str] = []
    lock = threading.Lock()

    def post() -> None:
        for _ in range(50):
            message = workspace.add_message(DEMO_COUNCIL_CHANNEL, text="x", as_bot=True)
            with lock:
                stamps.append(message.ts)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(stamps)) == 200
    stored = [m["ts"] for m in workspace.messages_in(DEMO_COUNCIL_CHANNEL)]
    assert stored == sorted(stored, key=float)


def test_seed_demo_has_four_members_in_four_time_zones_and_a_deactivated_user() -> None:
    workspace = seed_demo()
    council = workspace.channels[DEMO_COUNCIL_CHANNEL]
    humans = council.members - {workspace.bot_user_id}
    assert len(humans) == 4
    assert {workspace.users[u].tz for u in humans} == {
        "America/New_York",
        "Europe/Berlin",
        "Asia/Kolkata",
        "America/Los_Angeles",
    }
    assert workspace.find_user("sam").deleted
    assert workspace.team_id == "T0COUNCIL"


def test_seed_demo_puts_the_bot_only_in_the_private_council_channel() -> None:
    workspace = seed_demo()
    council = workspace.find_channel("#council-demo")
    assert council.id == DEMO_COUNCIL_CHANNEL and council.is_private
    assert workspace.bot_user_id in council.members
    general = workspace.channels[DEMO_GENERAL_CHANNEL]
    other = workspace.channels[DEMO_OTHER_PRIVATE_CHANNEL]
    assert not general.is_private and workspace.bot_user_id not in general.members
    assert other.is_private and workspace.bot_user_id not in other.members


@pytest.mark.parametrize(
    ("name", "at", "offset", "label"),
    [
        ("noor", JANUARY, -5 * 3600, "Eastern Standard Time"),
        ("noor", JULY, -4 * 3600, "Eastern Daylight Time"),
        ("lena", JANUARY, 3600, "Central European Time"),
        ("lena", JULY, 7200, "Central European Summer Time"),
        ("arjun", JULY, 19800, "India Standard Time"),
        ("maya", JANUARY, -8 * 3600, "Pacific Standard Time"),
    ],
)
def test_user_time_zone_offset_and_label_follow_the_clock_and_dst(
    name: str, at: float, offset: int, label: str
) -> None:
    workspace = seed_demo(clock=lambda: at)
    user = workspace.find_user(name).to_dict(workspace)
    assert (user["tz_offset"], user["tz_label"]) == (offset, label)


def test_deactivated_user_object_has_deleted_and_no_time_zone() -> None:
    workspace = seed_demo()
    sam = workspace.find_user("sam").to_dict(workspace)
    assert sam["deleted"] is True
    assert "tz" not in sam and "tz_offset" not in sam


def test_add_user_rejects_an_unknown_iana_zone() -> None:
    with pytest.raises(Exception, match="Mars"):
        Workspace().add_user(name="x", tz="Mars/Olympus_Mons")


def test_trigger_id_is_single_use() -> None:
    workspace = seed_demo()
    trigger_id = workspace.mint_trigger_id("U0NOOR0001")
    assert workspace.consume_trigger(trigger_id).user == "U0NOOR0001"
    with pytest.raises(StandInError) as refused:
        workspace.consume_trigger(trigger_id)
    assert refused.value.code == "exchanged_trigger_id"


def test_trigger_id_expires_after_three_seconds_by_the_clock() -> None:
    clock = ShiftedClock()
    workspace = seed_demo(clock=clock)
    trigger_id = workspace.mint_trigger_id("U0NOOR0001")
    clock.advance(3.1)
    with pytest.raises(StandInError) as refused:
        workspace.consume_trigger(trigger_id)
    assert refused.value.code == "expired_trigger_id"


def test_thread_reply_bumps_parent_reply_count_users_and_latest_reply() -> None:
    workspace = seed_demo()
    parent = workspace.add_message(DEMO_COUNCIL_CHANNEL, text="draft", as_bot=True)
    reply = workspace.post_user_message(DEMO_COUNCIL_CHANNEL, "U0LENA0002", "nice", parent.ts)
    workspace.post_user_message(DEMO_COUNCIL_CHANNEL, "U0LENA0002", "again", parent.ts)
    stored = workspace.get_message(DEMO_COUNCIL_CHANNEL, parent.ts)
    assert stored["thread_ts"] == parent.ts
    assert stored["reply_count"] == 2
    assert stored["reply_users"] == ["U0LENA0002"]
    assert reply["parent_user_id"] == workspace.bot_user_id
    assert [m["text"] for m in workspace.messages_in(DEMO_COUNCIL_CHANNEL, parent.ts)] == [
        "draft",
        "nice",
        "again",
    ]
    assert [m["text"] for m in workspace.messages_in(DEMO_COUNCIL_CHANNEL)] == ["draft"]


def test_replying_to_a_reply_joins_the_parents_thread() -> None:
    workspace = seed_demo()
    parent = workspace.add_message(DEMO_COUNCIL_CHANNEL, text="draft", as_bot=True)
    reply = workspace.post_user_message(DEMO_COUNCIL_CHANNEL, "U0LENA0002", "a", parent.ts)
    nested = workspace.post_user_message(DEMO_COUNCIL_CHANNEL, "U0NOOR0001", "b", reply["ts"])
    assert nested["thread_ts"] == parent.ts
    assert workspace.get_message(DEMO_COUNCIL_CHANNEL, parent.ts)["reply_count"] == 2


def test_a_non_member_cannot_post_a_human_message() -> None:
    workspace = seed_demo()
    with pytest.raises(StandInError) as refused:
        workspace.post_user_message(DEMO_OTHER_PRIVATE_CHANNEL, "U0MAYA0004", "hi")
    assert refused.value.code == "not_in_channel"


def test_reactions_are_tracked_per_user_and_a_repeat_is_already_reacted() -> None:
    workspace = seed_demo()
    draft = workspace.add_message(DEMO_COUNCIL_CHANNEL, text="draft", as_bot=True)
    workspace.add_reaction(DEMO_COUNCIL_CHANNEL, draft.ts, "U0LENA0002", "rocket")
    message = workspace.add_reaction(DEMO_COUNCIL_CHANNEL, draft.ts, "U0NOOR0001", "rocket")
    assert message["reactions"] == [
        {"name": "rocket", "users": ["U0LENA0002", "U0NOOR0001"], "count": 2}
    ]
    with pytest.raises(StandInError) as refused:
        workspace.add_reaction(DEMO_COUNCIL_CHANNEL, draft.ts, "U0LENA0002", "rocket")
    assert refused.value.code == "already_reacted"


def test_removing_reactions_drops_empty_ones_and_a_missing_one_is_no_reaction() -> None:
    workspace = seed_demo()
    draft = workspace.add_message(DEMO_COUNCIL_CHANNEL, text="draft", as_bot=True)
    workspace.add_reaction(DEMO_COUNCIL_CHANNEL, draft.ts, "U0LENA0002", "eyes")
    message = workspace.remove_reaction(DEMO_COUNCIL_CHANNEL, draft.ts, "U0LENA0002", "eyes")
    assert "reactions" not in message
    with pytest.raises(StandInError) as refused:
        workspace.remove_reaction(DEMO_COUNCIL_CHANNEL, draft.ts, "U0LENA0002", "eyes")
    assert refused.value.code == "no_reaction"


def test_unknown_message_is_message_not_found() -> None:
    with pytest.raises(StandInError) as refused:
        seed_demo().get_message(DEMO_COUNCIL_CHANNEL, "1.000001")
    assert refused.value.code == "message_not_found"


def test_ephemerals_are_listed_per_user() -> None:
    workspace = seed_demo()
    workspace.add_ephemeral(DEMO_COUNCIL_CHANNEL, "U0LENA0002", text="only you")
    workspace.add_ephemeral(DEMO_COUNCIL_CHANNEL, "U0NOOR0001", text="not lena")
    assert [e["text"] for e in workspace.ephemerals_for("U0LENA0002")] == ["only you"]


def test_blocks_get_the_block_and_action_ids_slack_assigns() -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}},
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}}],
        },
        {"type": "divider", "block_id": "mine"},
    ]
    filled = assign_block_ids(blocks)
    assert all(block["block_id"] for block in filled)
    assert filled[2]["block_id"] == "mine"
    assert filled[1]["elements"][0]["action_id"]
    assert "block_id" not in blocks[0], "the app's payload is not mutated"


def test_modal_stack_pushes_and_closing_the_root_closes_all() -> None:
    workspace = seed_demo()
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "A"}, "blocks": []}
    root = workspace.open_modal("U0NOOR0001", modal)
    pushed = workspace.push_modal("U0NOOR0001", modal)
    assert pushed.root_view_id == root.id and pushed.previous_view_id == root.id
    workspace.close_view(pushed.id)
    assert [v["id"] for v in workspace.modal_stack("U0NOOR0001")] == [root.id]
    workspace.push_modal("U0NOOR0001", modal)
    workspace.close_view(root.id)
    assert workspace.modal_stack("U0NOOR0001") == []


def test_home_view_keeps_its_id_across_publishes() -> None:
    workspace = seed_demo()
    home = {"type": "home", "blocks": []}
    first = workspace.publish_home("U0MAYA0004", home)
    second = workspace.publish_home("U0MAYA0004", home)
    assert first.id == second.id
    assert workspace.home_view("U0MAYA0004")["hash"] == second.hash
    assert workspace.home_view("U0NOOR0001") is None


def test_shifted_clock_runs_with_real_time_plus_an_offset() -> None:
    clock = ShiftedClock(base=lambda: 100.0)
    clock.advance(60)
    assert clock() == 160.0


def test_open_im_is_created_once_per_user_with_a_d_id() -> None:
    workspace = seed_demo()
    channel, already = workspace.open_im("U0ARJUN003")
    again, already_again = workspace.open_im("U0ARJUN003")
    assert channel.id.startswith("D") and not already
    assert again.id == channel.id and already_again
    assert channel.members == {"U0ARJUN003", workspace.bot_user_id}
