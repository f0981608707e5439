"""Slack Web API methods answered by the stand-in.

Each handler takes the :class:`~bot.sandbox.standin.state.Workspace` and the parsed
arguments (JSON-encoded ``blocks``/``view``/``attachments`` already decoded) and
returns Slack's documented success body, or raises
:class:`~bot.sandbox.standin.state.StandInError` carrying Slack's error code. The HTTP
server (``bot.sandbox.standin.server``) handles transport, auth, faults and recording.

Block Kit is checked with ``bot.sandbox.standin.blockkit`` (``validate_message`` and
``validate_view``), imported at call time so tests can substitute it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

from bot.sandbox.standin.state import StandInError, Workspace, assign_block_ids

__all__ = [
    "APP_LEVEL_METHODS",
    "METHODS",
    "Handler",
    "check_message",
    "check_view",
    "respond_via_url",
    "token_error",
]

Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]

# Validator answers that are Slack error codes of their own, not ``invalid_blocks``.
_BARE_MESSAGE_ERRORS = frozenset({"msg_too_long", "invalid_blocks_format"})


# ------------------------------------------------------------------ helpers
def _flag(value: Any) -> bool:
    """Slack's boolean arguments: ``true``/``1`` (form) or JSON ``true``."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _text(args: dict[str, Any], key: str = "text") -> str | None:
    value = args.get(key)
    return None if value is None else str(value)


def _list_arg(args: dict[str, Any], key: str, *, error: str) -> list[dict[str, Any]] | None:
    value = args.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise StandInError(error)
    return value


def _as_metadata_messages(errors: list[str]) -> list[str]:
    return [e if e.startswith("[") else f"[ERROR] {e}" for e in errors]


def _blockkit() -> Any:
    return importlib.import_module("bot.sandbox.standin.blockkit")


def check_message(
    *, text: str | None, blocks: list[dict[str, Any]] | None, has_attachments: bool = False
) -> None:
    """Reject message content Slack would reject.

    A validator answer of just ``no_text``, ``msg_too_long`` or
    ``invalid_blocks_format`` becomes that error code; anything else becomes
    ``invalid_blocks`` with ``errors`` and ``response_metadata.messages``.
    Attachments alone are valid content.
    """
    errors = list(_blockkit().validate_message(text=text, blocks=blocks))
    if not errors:
        return
    if errors == ["no_text"]:
        if has_attachments:
            return
        raise StandInError("no_text")
    if len(errors) == 1 and errors[0] in _BARE_MESSAGE_ERRORS:
        raise StandInError(errors[0])
    raise StandInError(
        "invalid_blocks", extra={"errors": errors}, messages=_as_metadata_messages(errors)
    )


def check_view(view: Any, *, expected_type: str) -> dict[str, Any]:
    """Return the view payload, or raise ``invalid_arguments`` as Slack does."""
    if not isinstance(view, dict):
        raise StandInError("invalid_arguments", messages=["[ERROR] missing required field: view"])
    errors = list(_blockkit().validate_view(view))
    if not errors and view.get("type") != expected_type:
        errors = [f"must be '{expected_type}' [json-pointer:/view/type]"]
    if errors:
        raise StandInError("invalid_arguments", messages=_as_metadata_messages(errors))
    return view


def _require(args: dict[str, Any], key: str, *, error: str | None = None) -> str:
    value = args.get(key)
    if value in (None, ""):
        if error:
            raise StandInError(error)
        raise StandInError("invalid_arguments", messages=[f"[ERROR] missing required field: {key}"])
    return str(value)


def _message_content(
    args: dict[str, Any],
) -> tuple[str | None, list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    blocks = _list_arg(args, "blocks", error="invalid_blocks_format")
    attachments = _list_arg(args, "attachments", error="invalid_attachments")
    return _text(args), blocks, attachments


# --------------------------------------------------------------------- auth
#: Methods called with an app-level token (``xapp-``) instead of the bot token. The
#: server answers them itself: ``apps.connections.open`` hands out a Socket Mode link.
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})


def token_error(workspace: Workspace, method: str, token: str | None) -> str | None:
    """Slack's error for calling ``method`` with ``token``, or ``None`` if it may.

    No token: ``not_authed``. A token of the workspace but of the wrong type (the
    bot token for ``apps.connections.open``, an app-level token for anything
    else): ``not_allowed_token_type``. Any other token: ``invalid_auth``.
    """
    if not token:
        return "not_authed"
    allowed = workspace.app_tokens if method in APP_LEVEL_METHODS else workspace.bot_tokens
    if token in allowed:
        return None
    if token in workspace.app_tokens or token in workspace.bot_tokens:
        return "not_allowed_token_type"
    return "invalid_auth"


def auth_test(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{workspace.team_domain}.slack.com/",
        "team": workspace.team_name,
        "user": workspace.bot_name,
        "team_id": workspace.team_id,
        "user_id": workspace.bot_user_id,
        "bot_id": workspace.bot_id,
        "is_enterprise_install": False,
    }


# --------------------------------------------------------------------- chat
def chat_post_message(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    text, blocks, attachments = _message_content(args)
    check_message(text=text, blocks=blocks, has_attachments=bool(attachments))
    channel = workspace.bot_channel(channel_id, to_post=True)
    metadata = args.get("metadata")
    message = workspace.add_message(
        channel.id,
        text=text or "",
        as_bot=True,
        blocks=blocks,
        attachments=attachments,
        thread_ts=_text(args, "thread_ts") or None,
        reply_broadcast=_flag(args.get("reply_broadcast")),
        metadata=metadata if isinstance(metadata, dict) else None,
    )
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "message": message.to_dict(workspace),
    }


def chat_update(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    ts = _require(args, "ts", error="message_not_found")
    text, blocks, attachments = _message_content(args)
    channel = workspace.bot_channel(channel_id, to_post=True)
    message = workspace.message(channel.id, ts)
    if message.bot_id != workspace.bot_id:
        raise StandInError("cant_update_message")
    # Omitted fields keep their current value; an empty list clears blocks.
    new_text = message.text if text is None else text
    new_blocks = message.blocks if blocks is None else blocks
    new_attachments = message.attachments if attachments is None else attachments
    check_message(text=new_text, blocks=new_blocks or None, has_attachments=bool(new_attachments))
    workspace.update_message(
        channel.id, ts, text=new_text, blocks=new_blocks, attachments=new_attachments
    )
    return {
        "ok": True,
        "channel": channel.id,
        "ts": ts,
        "text": new_text,
        "message": message.to_dict(workspace),
    }


def chat_post_ephemeral(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    user_id = _require(args, "user", error="user_not_in_channel")
    text, blocks, attachments = _message_content(args)
    check_message(text=text, blocks=blocks, has_attachments=bool(attachments))
    channel = workspace.bot_channel(channel_id, to_post=True)
    if user_id not in channel.members:
        raise StandInError("user_not_in_channel")
    ephemeral = workspace.add_ephemeral(
        channel.id,
        user_id,
        text=text or "",
        blocks=blocks,
        thread_ts=_text(args, "thread_ts") or None,
    )
    return {"ok": True, "message_ts": ephemeral.ts}


def chat_delete(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    ts = _require(args, "ts", error="message_not_found")
    channel = workspace.bot_channel(channel_id, to_post=True)
    message = workspace.message(channel.id, ts)
    if message.bot_id != workspace.bot_id:
        raise StandInError("cant_delete_message")
    workspace.delete_message(channel.id, ts)
    return {"ok": True, "channel": channel.id, "ts": ts}


def chat_get_permalink(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    ts = _require(args, "message_ts", error="message_not_found")
    channel = workspace.bot_channel(channel_id, to_post=False)
    message = workspace.message(channel.id, ts)
    permalink = (
        f"https://{workspace.team_domain}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
    )
    if message.is_reply:
        permalink += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"ok": True, "channel": channel.id, "permalink": permalink}


# ------------------------------------------------------------ conversations
def conversations_open(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        channel = workspace.bot_channel(str(args["channel"]), to_post=False)
        return {"ok": True, "channel": channel.to_dict(workspace)}
    users = args.get("users")
    user_ids = users if isinstance(users, list) else str(users or "").split(",")
    user_ids = [u.strip() for u in user_ids if u and u.strip()]
    if not user_ids:
        raise StandInError("users_list_not_supplied")
    if len(user_ids) > 1:
        # Group DMs (mpim) are outside what the council bot needs.
        raise StandInError("not_supported_by_standin", messages=["[ERROR] group DMs"])
    channel, already_open = workspace.open_im(user_ids[0])
    body: dict[str, Any] = {"ok": True}
    if already_open:
        body.update({"no_op": True, "already_open": True})
    body["channel"] = (
        channel.to_dict(workspace) if _flag(args.get("return_im")) else {"id": channel.id}
    )
    return body


def conversations_info(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    channel = workspace.bot_channel(channel_id, to_post=False)
    return {
        "ok": True,
        "channel": channel.to_dict(
            workspace, include_num_members=_flag(args.get("include_num_members"))
        ),
    }


def conversations_members(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    channel = workspace.bot_channel(channel_id, to_post=False)
    try:
        limit = int(args.get("limit") or 100)
    except (TypeError, ValueError) as error:
        raise StandInError("invalid_limit") from error
    if limit < 1 or limit > 1000:
        raise StandInError("invalid_limit")
    members = sorted(channel.members)
    start = 0
    if args.get("cursor"):
        key = Workspace.decode_cursor(str(args["cursor"]))
        if key not in members:
            raise StandInError("invalid_cursor")
        start = members.index(key)
    page = members[start : start + limit]
    rest = members[start + limit :]
    next_cursor = Workspace.encode_cursor(rest[0]) if rest else ""
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


# ---------------------------------------------------------------- users etc.
def users_info(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = workspace.get_user(_require(args, "user", error="user_not_found"))
    return {"ok": True, "user": user.to_dict(workspace)}


def reactions_get(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id = _require(args, "channel", error="channel_not_found")
    ts = _require(args, "timestamp", error="message_not_found")
    channel = workspace.bot_channel(channel_id, to_post=False)
    message = workspace.message(channel.id, ts)
    return {
        "ok": True,
        "type": "message",
        "channel": channel.id,
        "message": message.to_dict(workspace),
    }


# -------------------------------------------------------------------- views
def views_open(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    trigger_id = _require(args, "trigger_id")
    view = check_view(args.get("view"), expected_type="modal")
    trigger = workspace.consume_trigger(trigger_id)
    opened = workspace.open_modal(trigger.user, view)
    return {"ok": True, "view": opened.to_dict()}


def views_push(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    trigger_id = _require(args, "trigger_id")
    view = check_view(args.get("view"), expected_type="modal")
    trigger = workspace.consume_trigger(trigger_id)
    pushed = workspace.push_modal(trigger.user, view)
    return {"ok": True, "view": pushed.to_dict()}


def views_update(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id = _text(args, "view_id") or None
    external_id = _text(args, "external_id") or None
    if not view_id and not external_id:
        raise StandInError(
            "invalid_arguments", messages=["[ERROR] either view_id or external_id is required"]
        )
    current = workspace.find_view(view_id=view_id, external_id=external_id)
    view = check_view(args.get("view"), expected_type=current.type)
    updated = workspace.update_view(
        view,
        view_id=view_id,
        external_id=external_id,
        hash=_text(args, "hash") or None,
    )
    return {"ok": True, "view": updated.to_dict()}


def views_publish(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user_id = _text(args, "user_id") or ""
    user = workspace.users.get(user_id)
    if user is None or user.is_bot:
        raise StandInError("invalid_arguments", messages=["[ERROR] invalid `user_id`"])
    view = check_view(args.get("view"), expected_type="home")
    published = workspace.publish_home(user_id, view, hash=_text(args, "hash") or None)
    return {"ok": True, "view": published.to_dict()}


# -------------------------------------------------------------------- files
#: The largest file Slack takes (1 GB).
MAX_FILE_LENGTH = 1024 * 1024 * 1024


def files_get_upload_url_external(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """Step one of files.uploadV2: a file id and a one-time URL to POST its bytes to.

    ``filename`` and ``length`` (the exact number of bytes that will be sent, an integer
    of at least 1) are required.
    """
    filename = _require(args, "filename")
    raw_length = _require(args, "length")
    try:
        length = int(raw_length)
    except ValueError:
        raise StandInError(
            "invalid_arguments", messages=["[ERROR] length must be an integer"]
        ) from None
    if length < 1:
        raise StandInError("invalid_arguments", messages=["[ERROR] length must be at least 1"])
    if length > MAX_FILE_LENGTH:
        raise StandInError("file_upload_size_restricted")
    file = workspace.new_file(
        filename=filename,
        length=length,
        alt_txt=_text(args, "alt_txt") or "",
        snippet_type=_text(args, "snippet_type") or "",
    )
    return {"ok": True, "upload_url": workspace.upload_url(file), "file_id": file.id}


def files_complete_upload_external(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """Step three: finish uploads (``files``: ``[{"id", "title"}]``) and, with
    ``channel_id`` (or ``channels``, one of them), share them there in one message."""
    value = args.get("files")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise StandInError(
                "invalid_arguments", messages=["[ERROR] files must be a JSON array"]
            ) from None
    if not isinstance(value, list) or not value:
        raise StandInError("invalid_arguments", messages=["[ERROR] missing required field: files"])
    items: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, dict) or not item.get("id"):
            raise StandInError("invalid_arguments", messages=["[ERROR] each file needs an id"])
        items.append((str(item["id"]), str(item.get("title") or "")))
    channel_id = _text(args, "channel_id") or None
    channels = [c.strip() for c in (_text(args, "channels") or "").split(",") if c.strip()]
    if channel_id and channels:
        raise StandInError(
            "invalid_arguments", messages=["[ERROR] give channel_id or channels, not both"]
        )
    if len(channels) > 1:
        raise StandInError("not_supported_by_standin", messages=["[ERROR] several channels"])
    files = workspace.complete_files(
        items,
        channel_id=channel_id or (channels[0] if channels else None),
        initial_comment=_text(args, "initial_comment") or "",
        thread_ts=_text(args, "thread_ts") or None,
    )
    return {"ok": True, "files": [file.to_dict(workspace) for file in files]}


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "users.info": users_info,
    "reactions.get": reactions_get,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}


# ------------------------------------------------------------- response_url
def respond_via_url(workspace: Workspace, target_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Apply a ``response_url`` post the way Slack does.

    ``delete_original`` / ``replace_original`` act on the message the action
    came from (ephemeral or not); otherwise ``response_type: in_channel`` posts a
    channel message as the app and the default (``ephemeral``) shows an
    ephemeral message to the user who interacted.
    """
    target = workspace.use_response_target(target_id)
    if _flag(body.get("delete_original")):
        if not target.message_ts:
            raise StandInError("message_not_found")
        if target.is_ephemeral:
            workspace.delete_ephemeral(target.channel, target.message_ts)
        else:
            workspace.delete_message(target.channel, target.message_ts)
        return {"ok": True}
    text, blocks, attachments = _message_content(body)
    check_message(text=text, blocks=blocks, has_attachments=bool(attachments))
    thread_ts = _text(body, "thread_ts") or None
    if _flag(body.get("replace_original")):
        if not target.message_ts:
            raise StandInError("message_not_found")
        if target.is_ephemeral:
            ephemeral = workspace.ephemeral(target.channel, target.message_ts)
            if ephemeral is None:
                raise StandInError("message_not_found")
            ephemeral.text = text or ""
            ephemeral.blocks = assign_block_ids(blocks)
        else:
            workspace.update_message(
                target.channel, target.message_ts, text=text or "", blocks=blocks or []
            )
            workspace.message(target.channel, target.message_ts).edited = None
        return {"ok": True}
    if body.get("response_type") == "in_channel":
        workspace.add_message(
            target.channel, text=text or "", as_bot=True, blocks=blocks, thread_ts=thread_ts
        )
    else:
        workspace.add_ephemeral(
            target.channel,
            target.user,
            text=text or "",
            blocks=blocks,
            thread_ts=thread_ts,
            source="response_url",
        )
    return {"ok": True}
