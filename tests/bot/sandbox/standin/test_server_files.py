"""files.uploadV2 on the stand-in: getUploadURLExternal, the upload URL, completeUploadExternal,
through the real slack_sdk WebClient and raw HTTP, with Slack's checks and errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.standin.server import UPLOAD_PATH, SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_OTHER_PRIVATE_CHANNEL, Workspace

NOOR = "U0NOOR0001"


def refusal(call: Callable[[], object]) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data  # type: ignore[return-value]


def post_bytes(url: str, data: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_get_upload_url_answers_a_file_id_and_an_upload_url_on_the_standin(
    client: WebClient, standin: SlackStandIn
) -> None:
    answer = client.files_getUploadURLExternal(filename="notes.json", length=12)
    assert answer["file_id"].startswith("F")
    assert answer["upload_url"].startswith(standin.base_url + UPLOAD_PATH)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"length": 3}, "filename"),
        ({"filename": "a.json"}, "length"),
        ({"filename": "a.json", "length": "three"}, "integer"),
        ({"filename": "a.json", "length": 0}, "at least 1"),
    ],
)
def test_get_upload_url_requires_a_filename_and_a_positive_length(
    client: WebClient, args: dict, message: str
) -> None:
    refused = refusal(lambda: client.api_call("files.getUploadURLExternal", params=args))
    assert refused["error"] == "invalid_arguments"
    assert message in " ".join(refused["response_metadata"]["messages"])


def test_the_upload_url_takes_exactly_the_announced_length_once(
    client: WebClient, workspace: Workspace
) -> None:
    answer = client.files_getUploadURLExternal(filename="a.md", length=5)
    url, file_id = answer["upload_url"], answer["file_id"]
    assert post_bytes(url, b"four")[0] == 400  # not the length announced
    # The first post of the right size is taken; a second one is refused.
    assert post_bytes(url, b"fifty") == (200, "OK - 5")
    assert workspace.files[file_id].content == b"fifty"
    status, text = post_bytes(url, b"fifty")
    assert (status, text.split()[0]) == (400, "already_uploaded")
    assert post_bytes(url.rsplit("/", 1)[0] + "/nope", b"x")[0] == 404


def test_upload_is_recorded_with_its_size(client: WebClient, standin: SlackStandIn) -> None:
    answer = client.files_getUploadURLExternal(filename="a.md", length=3)
    status, text = post_bytes(answer["upload_url"], b"abc")
    assert (status, text) == (200, "OK - 3")
    (call,) = standin.calls_to("file_upload")
    assert call.ok and call.args["size"] == 3


def test_files_upload_v2_shares_both_files_in_one_message_in_the_dm(
    client: WebClient, standin: SlackStandIn, workspace: Workspace
) -> None:
    dm = client.conversations_open(users=NOOR)["channel"]["id"]
    answer = client.files_upload_v2(
        file_uploads=[
            {"content": '{"a": 1}', "filename": "data.json", "title": "Your data (JSON)"},
            {"content": "# Héllo", "filename": "data.md", "title": "Your data"},
        ],
        channel=dm,
        initial_comment="Here is your data.",
    )
    files = answer["files"]
    assert [f["name"] for f in files] == ["data.json", "data.md"]
    assert [f["title"] for f in files] == ["Your data (JSON)", "Your data"]
    assert files[0]["mimetype"] == "application/json" and files[0]["ims"] == [dm]
    assert standin.file_content(files[0]["id"]) == b'{"a": 1}'
    assert standin.file_content(files[1]["id"]) == "# Héllo".encode()
    (message,) = workspace.messages_in(dm)
    assert message["text"] == "Here is your data."
    assert message["bot_id"] == workspace.bot_id
    assert [f["id"] for f in message["files"]] == [f["id"] for f in files]
    assert [f.id for f in workspace.files_in(dm)] == [f["id"] for f in files]
    # The getUploadURLExternal calls carried each file's exact length.
    lengths = [int(c.args["length"]) for c in standin.calls_to("files.getUploadURLExternal")]
    assert lengths == [len(b'{"a": 1}'), len("# Héllo".encode())]


def test_complete_refuses_unknown_and_unuploaded_ids_and_shares_nothing(
    client: WebClient, workspace: Workspace
) -> None:
    pending = client.files_getUploadURLExternal(filename="a.json", length=2)["file_id"]
    for files in ([{"id": "F0NOSUCHFILE"}], [{"id": pending, "title": "x"}]):
        refused = refusal(
            lambda files=files: client.files_completeUploadExternal(
                files=files, channel_id=DEMO_COUNCIL_CHANNEL
            )
        )
        assert refused["error"] == "file_not_found"
    assert workspace.messages_in(DEMO_COUNCIL_CHANNEL) == []


def test_complete_twice_is_refused_and_channels_follow_slacks_access_rules(
    client: WebClient, workspace: Workspace
) -> None:
    answer = client.files_getUploadURLExternal(filename="a.json", length=2)
    assert post_bytes(answer["upload_url"], b"{}")[0] == 200
    refused = refusal(
        lambda: client.files_completeUploadExternal(
            files=[{"id": answer["file_id"]}], channel_id=DEMO_OTHER_PRIVATE_CHANNEL
        )
    )
    assert refused["error"] == "channel_not_found"  # private, and the bot is not in it
    done = client.files_completeUploadExternal(
        files=[{"id": answer["file_id"], "title": "T"}], channel_id=DEMO_COUNCIL_CHANNEL
    )
    assert done["files"][0]["groups"] == [DEMO_COUNCIL_CHANNEL]
    again = refusal(
        lambda: client.files_completeUploadExternal(
            files=[{"id": answer["file_id"]}], channel_id=DEMO_COUNCIL_CHANNEL
        )
    )
    assert again["error"] == "file_not_found"
    assert len(workspace.messages_in(DEMO_COUNCIL_CHANNEL)) == 1


def test_complete_needs_files(client: WebClient) -> None:
    for files in ("[]", "not json"):
        refused = refusal(
            lambda files=files: client.api_call(
                "files.completeUploadExternal", params={"files": files}
            )
        )
        assert refused["error"] == "invalid_arguments"


def test_a_file_completed_without_a_channel_stays_private(
    client: WebClient, standin: SlackStandIn
) -> None:
    answer = client.files_upload_v2(content=json.dumps([1]), filename="x.json")
    assert answer["file"]["channels"] == [] and answer["file"]["ims"] == []
    assert standin.file_content(answer["file"]["id"]) == b"[1]"
