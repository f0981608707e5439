"""views.* methods: trigger ids, the modal stack, hashes, external ids, App Home."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.standin.state import ShiftedClock, Workspace

NOOR, MAYA = "U0NOOR0001", "U0MAYA0004"


def modal(title: str = "Job mission", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "mission_draft",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "mission",
                "label": {"type": "plain_text", "text": "Mission"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
        **extra,
    }


HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}


def refusal(call: Callable[[], object]) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data  # type: ignore[return-value]


def test_views_open_with_a_fresh_trigger_opens_a_modal_in_slacks_view_shape(
    client: WebClient, workspace: Workspace
) -> None:
    trigger_id = workspace.mint_trigger_id(NOOR)
    view = client.views_open(trigger_id=trigger_id, view=modal(private_metadata="m1"))["view"]
    assert view["id"].startswith("V") and view["root_view_id"] == view["id"]
    assert view["hash"] and view["team_id"] == workspace.team_id
    assert (view["callback_id"], view["private_metadata"]) == ("mission_draft", "m1")
    assert view["state"] == {"values": {}} and view["previous_view_id"] is None
    assert workspace.get_view(view["id"]) == view
    assert [v["id"] for v in workspace.modal_stack(NOOR)] == [view["id"]]


def test_a_trigger_id_used_twice_is_exchanged_trigger_id(
    client: WebClient, workspace: Workspace
) -> None:
    trigger_id = workspace.mint_trigger_id(NOOR)
    client.views_open(trigger_id=trigger_id, view=modal())
    body = refusal(lambda: client.views_open(trigger_id=trigger_id, view=modal()))
    assert body["error"] == "exchanged_trigger_id"


def test_an_unknown_trigger_id_is_expired_trigger_id(client: WebClient) -> None:
    body = refusal(lambda: client.views_open(trigger_id="123.456.abc", view=modal()))
    assert body["error"] == "expired_trigger_id"


def test_a_trigger_id_older_than_three_seconds_is_expired_trigger_id(
    client: WebClient, workspace: Workspace, clock: ShiftedClock
) -> None:
    trigger_id = workspace.mint_trigger_id(NOOR)
    clock.advance(3.5)
    body = refusal(lambda: client.views_open(trigger_id=trigger_id, view=modal()))
    assert body["error"] == "expired_trigger_id"


def test_an_invalid_view_is_invalid_arguments_and_keeps_the_trigger_usable(
    client: WebClient, workspace: Workspace
) -> None:
    trigger_id = workspace.mint_trigger_id(NOOR)
    broken = modal()
    del broken["title"]
    body = refusal(lambda: client.views_open(trigger_id=trigger_id, view=broken))
    assert body["error"] == "invalid_arguments"
    assert any("title" in m for m in body["response_metadata"]["messages"])
    assert client.views_open(trigger_id=trigger_id, view=modal())["ok"]


def test_views_open_refuses_a_home_view(client: WebClient, workspace: Workspace) -> None:
    body = refusal(lambda: client.views_open(trigger_id=workspace.mint_trigger_id(NOOR), view=HOME))
    assert body["error"] == "invalid_arguments"


def test_views_push_stacks_on_the_open_modal_up_to_three(
    client: WebClient, workspace: Workspace
) -> None:
    root = client.views_open(trigger_id=workspace.mint_trigger_id(NOOR), view=modal())["view"]
    second = client.views_push(trigger_id=workspace.mint_trigger_id(NOOR), view=modal("Two"))
    third = client.views_push(trigger_id=workspace.mint_trigger_id(NOOR), view=modal("Three"))
    assert second["view"]["root_view_id"] == root["id"]
    assert second["view"]["previous_view_id"] == root["id"]
    assert third["view"]["previous_view_id"] == second["view"]["id"]
    body = refusal(
        lambda: client.views_push(trigger_id=workspace.mint_trigger_id(NOOR), view=modal("Four"))
    )
    assert body["error"] == "push_limit_reached"
    assert len(workspace.modal_stack(NOOR)) == 3


def test_views_push_without_an_open_modal_is_refused(
    client: WebClient, workspace: Workspace
) -> None:
    body = refusal(
        lambda: client.views_push(trigger_id=workspace.mint_trigger_id(NOOR), view=modal())
    )
    assert body["error"] == "invalid_arguments"


def test_views_update_by_view_id_changes_content_and_hash(
    client: WebClient, workspace: Workspace
) -> None:
    opened = client.views_open(trigger_id=workspace.mint_trigger_id(NOOR), view=modal())["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Saved ✓"))[
        "view"
    ]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert workspace.get_view(opened["id"])["title"]["text"] == "Saved ✓"


def test_views_update_by_external_id(client: WebClient, workspace: Workspace) -> None:
    opened = client.views_open(
        trigger_id=workspace.mint_trigger_id(NOOR), view=modal(external_id="mission-42")
    )["view"]
    updated = client.views_update(
        external_id="mission-42", view=modal("Loaded", external_id="mission-42")
    )
    assert updated["view"]["id"] == opened["id"]


def test_views_update_with_a_stale_hash_is_hash_conflict(
    client: WebClient, workspace: Workspace
) -> None:
    opened = client.views_open(trigger_id=workspace.mint_trigger_id(NOOR), view=modal())["view"]
    client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("First"))
    body = refusal(
        lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Late"))
    )
    assert body["error"] == "hash_conflict"


def test_views_update_of_an_unknown_view_is_not_found(client: WebClient) -> None:
    assert refusal(lambda: client.views_update(view_id="V0NOPE", view=modal()))["error"] == (
        "not_found"
    )
    assert refusal(lambda: client.views_update(external_id="nope", view=modal()))["error"] == (
        "not_found"
    )


def test_a_second_view_with_the_same_external_id_is_duplicate_external_id(
    client: WebClient, workspace: Workspace
) -> None:
    client.views_open(trigger_id=workspace.mint_trigger_id(NOOR), view=modal(external_id="x1"))
    body = refusal(
        lambda: client.views_open(
            trigger_id=workspace.mint_trigger_id(MAYA), view=modal(external_id="x1")
        )
    )
    assert body["error"] == "duplicate_external_id"


def test_views_publish_sets_the_users_home_tab(client: WebClient, workspace: Workspace) -> None:
    view = client.views_publish(user_id=MAYA, view=HOME)["view"]
    assert view["type"] == "home"
    assert workspace.home_view(MAYA) == view
    again = client.views_publish(user_id=MAYA, view=HOME, hash=view["hash"])["view"]
    assert again["id"] == view["id"]


def test_views_publish_with_a_stale_hash_is_hash_conflict(
    client: WebClient, workspace: Workspace
) -> None:
    first = client.views_publish(user_id=MAYA, view=HOME)["view"]
    client.views_publish(user_id=MAYA, view=HOME)
    body = refusal(lambda: client.views_publish(user_id=MAYA, view=HOME, hash=first["hash"]))
    assert body["error"] == "hash_conflict"


def test_views_publish_for_an_unknown_user_is_invalid_arguments(client: WebClient) -> None:
    body = refusal(lambda: client.views_publish(user_id="U0NOBODY", view=HOME))
    assert body["error"] == "invalid_arguments"
    assert body["response_metadata"]["messages"] == ["[ERROR] invalid `user_id`"]


def test_view_validator_errors_become_invalid_arguments_messages(
    client: WebClient, workspace: Workspace, fake_validator: Callable[..., None]
) -> None:
    fake_validator(view=["must be less than 25 characters [json-pointer:/view/title/text]"])
    body = refusal(
        lambda: client.views_open(trigger_id=workspace.mint_trigger_id(NOOR), view=modal())
    )
    assert body == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {
            "messages": ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"]
        },
    }


def test_views_update_that_omits_external_id_keeps_it(
    client: WebClient, workspace: Workspace
) -> None:
    opened = client.views_open(
        trigger_id=workspace.mint_trigger_id(NOOR), view=modal(external_id="mission-9")
    )["view"]
    client.views_update(view_id=opened["id"], view=modal("Step 2"))
    assert workspace.get_view(opened["id"])["external_id"] == "mission-9"
