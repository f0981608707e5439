"""Value types of the fake Slack workspace, rendered in Slack's JSON shapes.

Users, channels, messages, ephemeral messages, views, trigger ids and
response-URL targets are small dataclasses; each ``to_dict`` gives the object
exactly as Slack puts it in API responses and interaction payloads. Also here:
:class:`StandInError` (a Slack error code), :class:`ShiftedClock`, time zone
labels and offsets, and the ids Slack assigns to blocks.

:class:`bot.sandbox.standin.state.Workspace` owns instances of these; import them from
either module.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.sandbox.standin.state import Workspace

__all__ = [
    "Channel",
    "EphemeralMessage",
    "File",
    "Message",
    "ResponseTarget",
    "ShiftedClock",
    "StandInError",
    "Trigger",
    "User",
    "View",
    "assign_block_ids",
    "tz_label_for",
    "tz_offset_for",
]


# Element types Slack gives an ``action_id`` when the app leaves it out.
_INTERACTIVE_ELEMENTS = frozenset(
    {
        "button",
        "channels_select",
        "checkboxes",
        "conversations_select",
        "datepicker",
        "datetimepicker",
        "email_text_input",
        "external_select",
        "file_input",
        "multi_channels_select",
        "multi_conversations_select",
        "multi_external_select",
        "multi_static_select",
        "multi_users_select",
        "number_input",
        "overflow",
        "plain_text_input",
        "radio_buttons",
        "rich_text_input",
        "static_select",
        "timepicker",
        "url_text_input",
        "users_select",
        "workflow_button",
    }
)


def _short_id() -> str:
    return secrets.token_urlsafe(3)


def assign_block_ids(blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A copy of ``blocks`` with the ids Slack fills in when the app omits them.

    Slack stores every block with a ``block_id`` and every interactive element
    with an ``action_id`` (short random strings such as ``"P0z+f"``), and sends
    those in interaction payloads.
    """
    filled = copy.deepcopy(blocks or [])
    for block in filled:
        if not isinstance(block, dict):
            continue
        if not block.get("block_id"):
            block["block_id"] = _short_id()
        elements = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
        for element in elements:
            interactive = isinstance(element, dict) and element.get("type") in _INTERACTIVE_ELEMENTS
            if interactive and not element.get("action_id"):
                element["action_id"] = _short_id()
    return filled


class StandInError(Exception):
    """A Slack Web API error: ``{"ok": false, "error": code, ...}``.

    ``messages`` become ``response_metadata.messages``; ``extra`` is merged into
    the top level of the response (e.g. ``errors`` for ``invalid_blocks``).
    """

    def __init__(
        self, code: str, *, messages: list[str] | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages or [])
        self.extra = dict(extra or {})

    def to_response(self) -> dict[str, Any]:
        """The JSON body Slack answers with for this error."""
        body: dict[str, Any] = {"ok": False, "error": self.code, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


class ShiftedClock:
    """Real time plus an adjustable offset; call it like ``time.time``."""

    def __init__(self, offset: float = 0.0, base: Callable[[], float] = time.time) -> None:
        self.offset = offset
        self._base = base

    def __call__(self) -> float:
        return self._base() + self.offset

    def advance(self, seconds: float) -> None:
        """Move this clock ``seconds`` into the future."""
        self.offset += seconds


# Long names Slack shows as ``tz_label``, keyed by the zone abbreviation in effect.
_TZ_LABELS = {
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "JST": "Japan Standard Time",
    "KST": "Korean Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "NZST": "New Zealand Standard Time",
    "NZDT": "New Zealand Daylight Time",
}
# Abbreviations that mean different things in different places.
_TZ_LABEL_OVERRIDES = {
    ("Asia/Kolkata", "IST"): "India Standard Time",
    ("Asia/Calcutta", "IST"): "India Standard Time",
    ("Europe/Dublin", "IST"): "Irish Standard Time",
    ("Asia/Jerusalem", "IST"): "Israel Standard Time",
    ("Asia/Jerusalem", "IDT"): "Israel Daylight Time",
}


def tz_label_for(tz: str, at: float) -> str:
    """Slack-style long time zone name for IANA zone ``tz`` at epoch ``at``."""
    abbreviation = datetime.fromtimestamp(at, ZoneInfo(tz)).tzname() or tz
    return _TZ_LABEL_OVERRIDES.get((tz, abbreviation)) or _TZ_LABELS.get(abbreviation, abbreviation)


def tz_offset_for(tz: str, at: float) -> int:
    """UTC offset in seconds of IANA zone ``tz`` at epoch ``at`` (DST aware)."""
    offset = datetime.fromtimestamp(at, ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


@dataclass
class User:
    """A workspace member (or the bot user)."""

    id: str
    name: str
    real_name: str
    tz: str = "UTC"
    tz_label: str | None = None  # None: computed from ``tz`` and the clock
    is_bot: bool = False
    deleted: bool = False
    email: str | None = None
    is_admin: bool = False

    def to_dict(self, workspace: Workspace) -> dict[str, Any]:
        """The ``user`` object of ``users.info``.

        Like Slack, a deactivated user carries no time zone or admin fields.
        """
        now = workspace.clock()
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": workspace.team_id,
        }
        if self.email and not self.is_bot:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = workspace.bot_id
            profile["api_app_id"] = workspace.app_id
        body: dict[str, Any] = {
            "id": self.id,
            "team_id": workspace.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "profile": profile,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": int(now),
        }
        if not self.deleted:
            body.update(
                {
                    "color": "9f69e7",
                    "tz": self.tz,
                    "tz_label": self.tz_label or tz_label_for(self.tz, now),
                    "tz_offset": tz_offset_for(self.tz, now),
                    "is_admin": self.is_admin,
                    "is_owner": False,
                    "is_primary_owner": False,
                    "is_restricted": False,
                    "is_ultra_restricted": False,
                }
            )
        return body


@dataclass
class Channel:
    """A public or private channel, or an IM between the bot and one user."""

    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    members: set[str] = field(default_factory=set)
    created: int = 0
    im_user: str | None = None  # for IMs: the human on the other side
    is_archived: bool = False
    topic: str = ""
    purpose: str = ""
    # Shared with another organisation (Slack Connect).
    is_ext_shared: bool = False

    def to_dict(self, workspace: Workspace, *, include_num_members: bool = False) -> dict[str, Any]:
        """The ``channel`` object of ``conversations.info``."""
        if self.is_im:
            user = workspace.users.get(self.im_user or "")
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": workspace.team_id,
                "user": self.im_user,
                "is_user_deleted": bool(user and user.deleted),
                "priority": 0,
            }
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": self.is_ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "is_ext_shared": self.is_ext_shared,
            "context_team_id": workspace.team_id,
            "creator": "",
            "is_member": workspace.bot_user_id in self.members,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if include_num_members:
            body["num_members"] = len(self.members)
        return body


@dataclass
class Message:
    """A channel message, a thread parent or a thread reply."""

    channel: str
    ts: str
    text: str = ""
    user: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    reply_count: int = 0
    reply_users: list[str] = field(default_factory=list)
    latest_reply: str | None = None
    parent_user_id: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    edited: dict[str, str] | None = None
    metadata: dict[str, Any] | None = None
    subtype: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)  # shared files (file objects)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_dict(self, workspace: Workspace) -> dict[str, Any]:
        """Slack's message object (as in ``conversations.history``)."""
        body: dict[str, Any] = {"type": "message"}
        if self.subtype:
            body["subtype"] = self.subtype
        body["text"] = self.text
        if self.user:
            body["user"] = self.user
        if self.bot_id:
            body["bot_id"] = self.bot_id
            body["app_id"] = self.app_id
            body["bot_profile"] = {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": workspace.bot_name,
                "deleted": False,
                "team_id": workspace.team_id,
            }
        body["ts"] = self.ts
        body["team"] = workspace.team_id
        if self.blocks:
            body["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments:
            body["attachments"] = copy.deepcopy(self.attachments)
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        if self.is_reply and self.parent_user_id:
            body["parent_user_id"] = self.parent_user_id
        if self.reply_count:
            body["reply_count"] = self.reply_count
            body["reply_users_count"] = len(self.reply_users)
            body["reply_users"] = list(self.reply_users)
            body["latest_reply"] = self.latest_reply
        if self.reactions:
            body["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in self.reactions.items()
            ]
        if self.edited:
            body["edited"] = dict(self.edited)
        if self.metadata:
            body["metadata"] = copy.deepcopy(self.metadata)
        if self.files:
            body["files"] = copy.deepcopy(self.files)
            body["upload"] = True
            body["display_as_bot"] = False
        return body


@dataclass
class EphemeralMessage:
    """A message only ``user`` sees in ``channel``; Slack never stores it."""

    channel: str
    user: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    source: str = "chat.postEphemeral"  # or "response_url"

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "channel": self.channel,
            "user": self.user,
            "ts": self.ts,
            "text": self.text,
            "blocks": copy.deepcopy(self.blocks),
            "source": self.source,
        }
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        return body


@dataclass
class View:
    """A modal (possibly one of a stack) or a user's App Home view."""

    id: str
    team_id: str
    type: str
    user: str
    hash: str
    app_id: str
    bot_id: str
    callback_id: str = ""
    private_metadata: str = ""
    external_id: str = ""
    title: dict[str, Any] | None = None
    close: dict[str, Any] | None = None
    submit: dict[str, Any] | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=lambda: {"values": {}})
    root_view_id: str | None = None
    previous_view_id: str | None = None
    clear_on_close: bool = False
    notify_on_close: bool = False
    submit_disabled: bool = False
    is_open: bool = True

    def apply_payload(self, payload: dict[str, Any]) -> None:
        """Replace the app-controlled parts with a view payload from the app."""
        self.type = payload.get("type", self.type)
        self.callback_id = payload.get("callback_id") or ""
        self.private_metadata = payload.get("private_metadata") or ""
        self.external_id = payload.get("external_id") or self.external_id
        self.title = copy.deepcopy(payload.get("title"))
        self.close = copy.deepcopy(payload.get("close"))
        self.submit = copy.deepcopy(payload.get("submit"))
        self.blocks = assign_block_ids(payload.get("blocks"))
        self.clear_on_close = bool(payload.get("clear_on_close", False))
        self.notify_on_close = bool(payload.get("notify_on_close", False))
        self.submit_disabled = bool(payload.get("submit_disabled", False))

    def to_dict(self) -> dict[str, Any]:
        """Slack's view object (``views.open`` response, interaction payloads)."""
        body: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "type": self.type,
            "blocks": copy.deepcopy(self.blocks),
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "state": copy.deepcopy(self.state),
            "hash": self.hash,
            "title": copy.deepcopy(self.title),
            "clear_on_close": self.clear_on_close,
            "notify_on_close": self.notify_on_close,
            "close": copy.deepcopy(self.close),
            "submit": copy.deepcopy(self.submit),
            "previous_view_id": self.previous_view_id,
            "root_view_id": self.root_view_id,
            "app_id": self.app_id,
            "external_id": self.external_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if self.type == "modal":
            body["submit_disabled"] = self.submit_disabled
        return body


@dataclass
class Trigger:
    """A ``trigger_id`` Slack issued with an interaction; single use, short lived."""

    id: str
    user: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseTarget:
    """Where a ``response_url`` minted for an interaction posts to."""

    id: str
    user: str
    channel: str
    issued_at: float
    message_ts: str | None = None  # the message an action came from, if any
    is_ephemeral: bool = False  # that message was ephemeral
    uses: int = 0


# What Slack reports for a file by its name's extension: (mimetype, filetype, pretty_type).
_FILE_TYPES = {
    "json": ("application/json", "json", "JSON"),
    "md": ("text/markdown", "markdown", "Markdown (raw)"),
    "txt": ("text/plain", "text", "Plain Text"),
    "csv": ("text/csv", "csv", "CSV"),
}


@dataclass
class File:
    """A file uploaded the files.uploadV2 way.

    ``files.getUploadURLExternal`` creates it (a ``filename`` and the ``length`` the app
    will send) with a one-time upload URL; a POST of exactly ``length`` bytes to that URL
    fills in ``content``; ``files.completeUploadExternal`` gives it a title and shares it
    into a conversation (``shares``: ``(channel, message ts)``).
    """

    id: str
    filename: str
    length: int
    user: str  # who uploaded it (the bot's user)
    created: int
    upload_id: str  # the secret path segment of its upload URL
    title: str = ""
    alt_txt: str = ""
    snippet_type: str = ""
    content: bytes | None = None  # None until the upload URL received the bytes
    completed: bool = False
    shares: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_uploaded(self) -> bool:
        return self.content is not None

    def to_dict(self, workspace: Workspace) -> dict[str, Any]:
        """Slack's file object (as in ``files.completeUploadExternal``'s ``files``)."""
        extension = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""
        mimetype, filetype, pretty = _FILE_TYPES.get(
            extension, ("application/octet-stream", "binary", "Binary")
        )
        channels = [c for c, _ts in self.shares]
        ims = [c for c in channels if workspace.channels.get(c) and workspace.channels[c].is_im]
        groups = [
            c
            for c in channels
            if c not in ims and workspace.channels.get(c) and workspace.channels[c].is_private
        ]
        public = [c for c in channels if c not in ims and c not in groups]
        base = f"https://files.{workspace.team_domain}.slack.com/files-pri/{workspace.team_id}-{self.id}"
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": pretty,
            "user": self.user,
            "user_team": workspace.team_id,
            "editable": False,
            "size": len(self.content) if self.content is not None else 0,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(public),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{base}/{self.filename}",
            "url_private_download": f"{base}/download/{self.filename}",
            "permalink": f"https://{workspace.team_domain}.slack.com/files/{self.user}/{self.id}/{self.filename}",
            "channels": public,
            "groups": groups,
            "ims": ims,
            "has_rich_preview": False,
            "alt_txt": self.alt_txt or None,
        }
