"""The fake Slack workspace behind the stand-in Web API.

Everything the stand-in knows (users, channels, messages, ephemeral messages,
views, App Home tabs, trigger ids and response URLs) lives in one
:class:`Workspace`, guarded by one re-entrant lock so the HTTP server's worker
threads, the driver and the tests can all touch it safely.

Objects are the small dataclasses of ``bot.sandbox.standin.models`` (re-exported here),
rendered in Slack's documented JSON shapes (``to_dict``), so tests and the
driver hand them out exactly as Slack puts them in API responses and payloads.

The clock is injectable: ``workspace.clock`` is any ``Callable[[], float]``
returning epoch seconds. :class:`ShiftedClock` is a ready-made real-time clock
that can be moved forward (tests expire trigger ids with it; the sandbox
fast-forwards to due reminders).
"""

from __future__ import annotations

import base64
import copy
import itertools
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.standin.models import (
    Channel,
    EphemeralMessage,
    File,
    Message,
    ResponseTarget,
    ShiftedClock,
    StandInError,
    Trigger,
    User,
    View,
    assign_block_ids,
    tz_label_for,
    tz_offset_for,
)

__all__ = [
    "TRIGGER_TTL_SECONDS",
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
    "Workspace",
    "assign_block_ids",
    "demo_id",
    "seed_demo",
    "tz_label_for",
    "tz_offset_for",
]

#: Slack lets an app exchange a ``trigger_id`` for a modal for three seconds.
TRIGGER_TTL_SECONDS = 3.0
#: Most modal views Slack keeps stacked (the root plus two pushed views).
MAX_VIEW_STACK = 3
#: A ``response_url`` works five times within thirty minutes.
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60


class Workspace:
    """A stateful fake Slack workspace with one bot installed.

    All public methods are thread-safe (one re-entrant ``lock``). Methods that
    mirror a Slack operation raise :class:`StandInError` with Slack's error code.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0COUNCIL",
        team_domain: str = "council-demo",
        team_name: str = "Council Demo",
        bot_user_id: str = "U0COUNCILBOT",
        bot_id: str = "B0COUNCILBOT",
        bot_name: str = "councilbot",
        app_id: str = "A0COUNCILAPP",
        bot_tokens: Iterable[str] = ("xoxb-0000-standin-council-bot",),
        app_tokens: Iterable[str] = ("xapp-1-A0COUNCILAPP-0000-standin",),
        verification_token: str = "standin-verification-token",
        clock: Callable[[], float] = time.time,
        id_prefix: str = "",
    ) -> None:
        self.lock = threading.RLock()
        #: Put after the type letter of every id this workspace mints (``new_id``), so two
        #: workspaces of one stand-in never hand out the same id, as Slack's are global.
        self.id_prefix = id_prefix
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.bot_tokens: set[str] = set(bot_tokens)
        #: App-level tokens (``xapp-``): they only open Socket Mode connections.
        self.app_tokens: set[str] = set(app_tokens)
        self.verification_token = verification_token
        self.clock: Callable[[], float] = clock
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, View] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_targets: dict[str, ResponseTarget] = {}
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[EphemeralMessage] = []
        self._home_views: dict[str, str] = {}  # user id -> view id
        self._modal_stacks: dict[str, list[str]] = {}  # user id -> view ids, root first
        self._ims: dict[str, str] = {}  # user id -> IM channel id
        self.files: dict[str, File] = {}
        self._uploads: dict[str, str] = {}  # upload URL id -> file id
        #: Where upload URLs point (``http://127.0.0.1:PORT/upload/v1/``); the server sets it.
        self.upload_url_base = "http://127.0.0.1/upload/v1/"
        self._last_ts_micros = 0
        self._ids = itertools.count(1)
        self.users[bot_user_id] = User(
            id=bot_user_id, name=bot_name, real_name="Council Bot", is_bot=True
        )

    # ----------------------------------------------------------------- basics
    @property
    def bot_token(self) -> str:
        """One token the stand-in accepts (the first, in sorted order)."""
        return sorted(self.bot_tokens)[0]

    @property
    def app_token(self) -> str:
        """One app-level token the stand-in accepts for ``apps.connections.open``."""
        return sorted(self.app_tokens)[0]

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-style id such as ``D000000000A`` (``DS000000000A`` with prefix S)."""
        with self.lock:
            return f"{prefix}{self.id_prefix}{next(self._ids):010X}"

    def demo_id(self, default_id: str) -> str:
        """The id that a demo id of the default workspace (``DEMO_COUNCIL_CHANNEL``,
        ``U0NOOR0001``...) has in this one: the prefix after its type letter."""
        return demo_id(default_id, self.id_prefix)

    def has_upload(self, upload_id: str) -> bool:
        """Whether ``upload_id`` is one of this workspace's upload URLs."""
        with self.lock:
            return upload_id in self._uploads

    def next_ts(self) -> str:
        """A message timestamp (``"1700000000.000100"``), strictly increasing."""
        with self.lock:
            micros = max(int(self.clock() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # ---------------------------------------------------------------- people
    def add_user(
        self,
        id: str | None = None,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "UTC",
        tz_label: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
        is_admin: bool = False,
    ) -> User:
        """Add a member; ``tz`` is an IANA name (validated with ``zoneinfo``)."""
        ZoneInfo(tz)
        with self.lock:
            user = User(
                id=id or self.new_id("U"),
                name=name,
                real_name=real_name or name,
                tz=tz,
                tz_label=tz_label,
                is_bot=is_bot,
                deleted=deleted,
                email=email,
                is_admin=is_admin,
            )
            self.users[user.id] = user
            return user

    def get_user(self, user_id: str) -> User:
        """The user, or ``StandInError("user_not_found")``."""
        with self.lock:
            user = self.users.get(user_id)
            if user is None:
                raise StandInError("user_not_found")
            return user

    def find_user(self, name: str) -> User:
        """Look a user up by ``name`` (tests and the sandbox use it)."""
        with self.lock:
            for user in self.users.values():
                if user.name == name:
                    return user
        raise KeyError(name)

    def deactivate_user(self, user_id: str) -> None:
        """Mark a user deleted, as an admin deactivating them would."""
        with self.lock:
            self.get_user(user_id).deleted = True

    # -------------------------------------------------------------- channels
    def add_channel(
        self,
        id: str | None = None,
        *,
        name: str,
        members: Iterable[str] = (),
        is_private: bool = False,
        is_archived: bool = False,
        topic: str = "",
        purpose: str = "",
    ) -> Channel:
        """Add a channel. Include ``bot_user_id`` in ``members`` for the bot to be in it."""
        with self.lock:
            channel = Channel(
                id=id or self.new_id("C"),
                name=name,
                is_private=is_private,
                members=set(members),
                created=int(self.clock()),
                is_archived=is_archived,
                topic=topic,
                purpose=purpose,
            )
            self.channels[channel.id] = channel
            self._messages.setdefault(channel.id, [])
            return channel

    def find_channel(self, name: str) -> Channel:
        """Look a channel up by name (without ``#``)."""
        with self.lock:
            for channel in self.channels.values():
                if channel.name == name.lstrip("#"):
                    return channel
        raise KeyError(name)

    def open_im(self, user_id: str) -> tuple[Channel, bool]:
        """The bot's IM channel with ``user_id``, created on first use.

        Returns ``(channel, already_open)``. Raises ``user_not_found``,
        ``user_disabled`` or ``cannot_dm_bot`` like ``conversations.open``.
        """
        with self.lock:
            user = self.get_user(user_id)
            if user.deleted:
                raise StandInError("user_disabled")
            if user.is_bot:
                raise StandInError("cannot_dm_bot")
            existing = self._ims.get(user_id)
            if existing:
                return self.channels[existing], True
            channel = Channel(
                id=self.new_id("D"),
                name=user_id,
                is_private=True,
                is_im=True,
                members={user_id, self.bot_user_id},
                created=int(self.clock()),
                im_user=user_id,
            )
            self.channels[channel.id] = channel
            self._messages[channel.id] = []
            self._ims[user_id] = channel.id
            return channel, False

    def im_for(self, user_id: str) -> Channel | None:
        """The bot's IM channel with ``user_id`` if it was opened."""
        with self.lock:
            channel_id = self._ims.get(user_id)
            return self.channels[channel_id] if channel_id else None

    def bot_channel(self, channel_id: str, *, to_post: bool) -> Channel:
        """Resolve a channel the bot acts on, enforcing Slack's access rules.

        Unknown ids and private channels the bot is not in give
        ``channel_not_found``. Public channels the bot is not in give
        ``not_in_channel`` when ``to_post`` (reading them is allowed). A ``U…``
        id (post only) means the bot's DM with that user; an IM with a
        deactivated user gives ``user_disabled``.
        """
        with self.lock:
            if to_post and channel_id.startswith(("U", "W")):
                if channel_id not in self.users:
                    raise StandInError("channel_not_found")
                return self.open_im(channel_id)[0]
            channel = self.channels.get(channel_id)
            if channel is None:
                raise StandInError("channel_not_found")
            if channel.is_im:
                user = self.users.get(channel.im_user or "")
                if to_post and user is not None and user.deleted:
                    raise StandInError("user_disabled")
                return channel
            if self.bot_user_id not in channel.members:
                if channel.is_private:
                    raise StandInError("channel_not_found")
                if to_post:
                    raise StandInError("not_in_channel")
            if to_post and channel.is_archived:
                raise StandInError("is_archived")
            return channel

    # -------------------------------------------------------------- messages
    def _find_message(self, channel: str, ts: str) -> Message | None:
        for message in self._messages.get(channel, []):
            if message.ts == ts:
                return message
        return None

    def message(self, channel: str, ts: str) -> Message:
        """The stored message, or ``StandInError("message_not_found")``."""
        with self.lock:
            found = self._find_message(channel, ts)
            if found is None:
                raise StandInError("message_not_found")
            return found

    def add_message(
        self,
        channel: str,
        *,
        text: str = "",
        user: str | None = None,
        as_bot: bool = False,
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        metadata: dict[str, Any] | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> Message:
        """Store a message (no access checks) and maintain thread counters."""
        with self.lock:
            if channel not in self.channels:
                raise StandInError("channel_not_found")
            parent: Message | None = None
            if thread_ts:
                parent = self._find_message(channel, thread_ts)
                if parent is not None and parent.is_reply:
                    thread_ts = parent.thread_ts  # a reply's ts means its thread
                    parent = self._find_message(channel, thread_ts or "")
            author = self.bot_user_id if as_bot else user
            message = Message(
                channel=channel,
                ts=self.next_ts(),
                text=text,
                user=author,
                bot_id=self.bot_id if as_bot else None,
                app_id=self.app_id if as_bot else None,
                blocks=assign_block_ids(blocks),
                attachments=copy.deepcopy(attachments or []),
                thread_ts=thread_ts,
                metadata=copy.deepcopy(metadata),
                subtype="thread_broadcast" if thread_ts and reply_broadcast else None,
                files=copy.deepcopy(files or []),
            )
            if parent is not None:
                parent.thread_ts = parent.ts
                parent.reply_count += 1
                parent.latest_reply = message.ts
                if author and author not in parent.reply_users:
                    parent.reply_users.append(author)
                message.parent_user_id = parent.user
            self._messages[channel].append(message)
            return message

    def post_user_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A human posts ``text`` (optionally in a thread); returns the message object."""
        with self.lock:
            target = self.channels.get(channel)
            if target is None:
                raise StandInError("channel_not_found")
            if user not in target.members:
                raise StandInError("not_in_channel")
            return self.add_message(channel, text=text, user=user, thread_ts=thread_ts).to_dict(
                self
            )

    def update_message(
        self,
        channel: str,
        ts: str,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None,
        attachments: list[dict[str, Any]] | None = None,
        editor: str | None = None,
    ) -> Message:
        """Replace a message's content and mark it edited."""
        with self.lock:
            message = self.message(channel, ts)
            message.text = text
            if blocks is not None:
                message.blocks = assign_block_ids(blocks)
            if attachments is not None:
                message.attachments = copy.deepcopy(attachments)
            message.edited = {"user": editor or self.bot_user_id, "ts": self.next_ts()}
            return message

    def delete_message(self, channel: str, ts: str) -> None:
        """Remove a message; a deleted reply no longer counts in its thread."""
        with self.lock:
            message = self.message(channel, ts)
            self._messages[channel].remove(message)
            if message.is_reply:
                parent = self._find_message(channel, message.thread_ts or "")
                if parent is not None:
                    parent.reply_count = max(0, parent.reply_count - 1)
                    replies = [m for m in self._messages[channel] if m.thread_ts == parent.ts]
                    replies = [m for m in replies if m.is_reply]
                    parent.latest_reply = replies[-1].ts if replies else None

    def get_message(self, channel: str, ts: str) -> dict[str, Any]:
        """Slack's message object for ``ts`` in ``channel``."""
        with self.lock:
            return self.message(channel, ts).to_dict(self)

    def messages_in(self, channel: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Message objects, oldest first.

        Without ``thread_ts``: the channel's top-level messages (thread parents
        and broadcast replies, as ``conversations.history`` shows them). With
        it: the thread, parent first (as ``conversations.replies`` does).
        """
        with self.lock:
            stored = self._messages.get(channel, [])
            if thread_ts is None:
                chosen = [m for m in stored if not m.is_reply or m.subtype == "thread_broadcast"]
            else:
                chosen = [m for m in stored if m.ts == thread_ts or m.thread_ts == thread_ts]
            return [m.to_dict(self) for m in chosen]

    # ------------------------------------------------------------- reactions
    def add_reaction(self, channel: str, ts: str, user: str, name: str) -> dict[str, Any]:
        """``user`` reacts with ``name``; ``already_reacted`` if they had."""
        with self.lock:
            message = self.message(channel, ts)
            users = message.reactions.setdefault(name, [])
            if user in users:
                raise StandInError("already_reacted")
            users.append(user)
            return message.to_dict(self)

    def remove_reaction(self, channel: str, ts: str, user: str, name: str) -> dict[str, Any]:
        """``user`` takes reaction ``name`` back; ``no_reaction`` if they had none."""
        with self.lock:
            message = self.message(channel, ts)
            users = message.reactions.get(name, [])
            if user not in users:
                raise StandInError("no_reaction")
            users.remove(user)
            if not users:
                del message.reactions[name]
            return message.to_dict(self)

    # ------------------------------------------------------------ ephemerals
    def add_ephemeral(
        self,
        channel: str,
        user: str,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        source: str = "chat.postEphemeral",
    ) -> EphemeralMessage:
        """Record an ephemeral message shown to ``user`` in ``channel``."""
        with self.lock:
            ephemeral = EphemeralMessage(
                channel=channel,
                user=user,
                ts=self.next_ts(),
                text=text,
                blocks=assign_block_ids(blocks),
                thread_ts=thread_ts,
                source=source,
            )
            self._ephemerals.append(ephemeral)
            return ephemeral

    def ephemeral(self, channel: str, ts: str) -> EphemeralMessage | None:
        """The ephemeral message with ``ts`` in ``channel``, if any."""
        with self.lock:
            for ephemeral in self._ephemerals:
                if ephemeral.channel == channel and ephemeral.ts == ts:
                    return ephemeral
            return None

    def delete_ephemeral(self, channel: str, ts: str) -> None:
        """Drop an ephemeral message (``delete_original`` on a response_url)."""
        with self.lock:
            found = self.ephemeral(channel, ts)
            if found is not None:
                self._ephemerals.remove(found)

    def ephemerals_for(self, user: str) -> list[dict[str, Any]]:
        """Ephemeral messages shown to ``user``, oldest first."""
        with self.lock:
            return [e.to_dict() for e in self._ephemerals if e.user == user]

    # -------------------------------------------------------------- triggers
    def mint_trigger_id(self, user_id: str) -> str:
        """Issue a ``trigger_id`` for an interaction by ``user_id``."""
        with self.lock:
            number = next(self._ids)
            trigger_id = f"{number}.{number * 7919 % 10**10}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = Trigger(trigger_id, user_id, self.clock())
            return trigger_id

    def consume_trigger(self, trigger_id: str | None) -> Trigger:
        """Exchange a trigger id once.

        Unknown or older than :data:`TRIGGER_TTL_SECONDS` by the clock:
        ``expired_trigger_id``; already exchanged: ``exchanged_trigger_id``
        (Slack's documented code for a reused trigger).
        """
        with self.lock:
            trigger = self.triggers.get(trigger_id or "")
            if trigger is None:
                raise StandInError("expired_trigger_id")
            if trigger.used:
                raise StandInError("exchanged_trigger_id")
            if self.clock() - trigger.issued_at > TRIGGER_TTL_SECONDS:
                raise StandInError("expired_trigger_id")
            trigger.used = True
            return trigger

    # ----------------------------------------------------------------- views
    def _new_hash(self) -> str:
        return f"{int(self.clock())}.{secrets.token_hex(4)}"

    def _build_view(self, user: str, payload: dict[str, Any]) -> View:
        view = View(
            id=self.new_id("V"),
            team_id=self.team_id,
            type=payload.get("type", "modal"),
            user=user,
            hash=self._new_hash(),
            app_id=self.app_id,
            bot_id=self.bot_id,
        )
        view.apply_payload(payload)
        return view

    def _check_external_id(self, external_id: str, *, except_view: str | None = None) -> None:
        if not external_id:
            return
        for view in self.views.values():
            if view.external_id == external_id and view.id != except_view:
                raise StandInError("duplicate_external_id")

    def open_modal(self, user: str, payload: dict[str, Any]) -> View:
        """Open ``payload`` as a new root modal for ``user`` (closing any open one)."""
        with self.lock:
            self._check_external_id(payload.get("external_id") or "")
            self.close_all_modals(user)
            view = self._build_view(user, payload)
            view.root_view_id = view.id
            self.views[view.id] = view
            self._modal_stacks[user] = [view.id]
            return view

    def push_modal(self, user: str, payload: dict[str, Any]) -> View:
        """Push ``payload`` onto ``user``'s open modal (at most three stacked)."""
        with self.lock:
            stack = self._modal_stacks.get(user) or []
            if not stack:
                raise StandInError(
                    "invalid_arguments", messages=["[ERROR] no open modal to push a view onto"]
                )
            if len(stack) >= MAX_VIEW_STACK:
                raise StandInError("push_limit_reached")
            self._check_external_id(payload.get("external_id") or "")
            view = self._build_view(user, payload)
            view.root_view_id = stack[0]
            view.previous_view_id = stack[-1]
            self.views[view.id] = view
            stack.append(view.id)
            return view

    def find_view(self, *, view_id: str | None = None, external_id: str | None = None) -> View:
        """A view by id or external id, or ``StandInError("not_found")``."""
        with self.lock:
            if view_id:
                view = self.views.get(view_id)
                if view is not None:
                    return view
            elif external_id:
                for view in self.views.values():
                    if view.external_id == external_id:
                        return view
            raise StandInError("not_found")

    def update_view(
        self,
        payload: dict[str, Any],
        *,
        view_id: str | None = None,
        external_id: str | None = None,
        hash: str | None = None,
    ) -> View:
        """Replace a view's content; a stale ``hash`` gives ``hash_conflict``."""
        with self.lock:
            view = self.find_view(view_id=view_id, external_id=external_id)
            if hash and hash != view.hash:
                raise StandInError("hash_conflict")
            self._check_external_id(payload.get("external_id") or "", except_view=view.id)
            view.apply_payload(payload)
            view.hash = self._new_hash()
            return view

    def publish_home(self, user: str, payload: dict[str, Any], *, hash: str | None = None) -> View:
        """Publish ``payload`` as ``user``'s App Home (the view id stays stable)."""
        with self.lock:
            existing_id = self._home_views.get(user)
            if existing_id:
                view = self.views[existing_id]
                if hash and hash != view.hash:
                    raise StandInError("hash_conflict")
                view.apply_payload(payload)
                view.hash = self._new_hash()
                return view
            view = self._build_view(user, payload)
            view.root_view_id = view.id
            self.views[view.id] = view
            self._home_views[user] = view.id
            return view

    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """Close a modal view and those pushed on it (``clear``: the whole stack).

        An empty ``ack()`` to a submission closes the submitted view; the user
        pressing Close does too, clearing the stack when ``clear_on_close``.
        """
        with self.lock:
            view = self.views.get(view_id)
            if view is None or view.type != "modal":
                return
            stack = self._modal_stacks.get(view.user, [])
            if clear or (stack and stack[0] == view_id):
                self.close_all_modals(view.user)
                return
            if view_id in stack:
                index = stack.index(view_id)
                for closed in stack[index:]:
                    self.views[closed].is_open = False
                del stack[index:]

    def close_all_modals(self, user: str) -> None:
        """Close every modal ``user`` has open."""
        with self.lock:
            for view_id in self._modal_stacks.pop(user, []):
                self.views[view_id].is_open = False

    def set_view_state(self, view_id: str, values: dict[str, Any]) -> None:
        """Store what the user typed/selected (``view.state.values``)."""
        with self.lock:
            self.find_view(view_id=view_id).state = {"values": copy.deepcopy(values)}

    def get_view(self, view_id: str) -> dict[str, Any]:
        """Slack's view object for ``view_id``."""
        with self.lock:
            return self.find_view(view_id=view_id).to_dict()

    def modal_stack(self, user: str) -> list[dict[str, Any]]:
        """``user``'s open modal views, root first."""
        with self.lock:
            return [self.views[v].to_dict() for v in self._modal_stacks.get(user, [])]

    def home_view(self, user: str) -> dict[str, Any] | None:
        """The App Home view published for ``user``, if any."""
        with self.lock:
            view_id = self._home_views.get(user)
            return self.views[view_id].to_dict() if view_id else None

    # --------------------------------------------------------- response urls
    def mint_response_target(
        self,
        *,
        user: str,
        channel: str,
        message_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> ResponseTarget:
        """Register where a new ``response_url`` posts to (the server builds the URL)."""
        with self.lock:
            target = ResponseTarget(
                id=secrets.token_urlsafe(12),
                user=user,
                channel=channel,
                issued_at=self.clock(),
                message_ts=message_ts,
                is_ephemeral=is_ephemeral,
            )
            self.response_targets[target.id] = target
            return target

    def use_response_target(self, target_id: str) -> ResponseTarget:
        """Count one use of a response URL; ``expired_url`` / ``used_url`` when spent."""
        with self.lock:
            target = self.response_targets.get(target_id)
            if target is None or self.clock() - target.issued_at > RESPONSE_URL_TTL_SECONDS:
                raise StandInError("expired_url")
            if target.uses >= RESPONSE_URL_MAX_USES:
                raise StandInError("used_url")
            target.uses += 1
            return target

    # ----------------------------------------------------------------- files
    def new_file(
        self, *, filename: str, length: int, alt_txt: str = "", snippet_type: str = ""
    ) -> File:
        """A file waiting for its bytes (``files.getUploadURLExternal``)."""
        with self.lock:
            file = File(
                id=self.new_id("F"),
                filename=filename,
                length=length,
                user=self.bot_user_id,
                created=int(self.clock()),
                upload_id=secrets.token_urlsafe(16),
                alt_txt=alt_txt,
                snippet_type=snippet_type,
            )
            self.files[file.id] = file
            self._uploads[file.upload_id] = file.id
            return file

    def upload_url(self, file: File) -> str:
        return f"{self.upload_url_base}{file.upload_id}"

    def receive_upload(self, upload_id: str, data: bytes) -> File:
        """The bytes POSTed to a file's upload URL: exactly its ``length``, once.

        ``upload_not_found`` for an unknown URL, ``already_uploaded`` for a second post,
        ``length_mismatch`` when the size is not the ``length`` announced.
        """
        with self.lock:
            file = self.files.get(self._uploads.get(upload_id, ""))
            if file is None:
                raise StandInError("upload_not_found")
            if file.is_uploaded:
                raise StandInError("already_uploaded")
            if len(data) != file.length:
                raise StandInError(
                    "length_mismatch",
                    messages=[f"[ERROR] got {len(data)} bytes, expected {file.length}"],
                )
            file.content = bytes(data)
            return file

    def complete_files(
        self,
        items: list[tuple[str, str]],
        *,
        channel_id: str | None,
        initial_comment: str = "",
        thread_ts: str | None = None,
    ) -> list[File]:
        """Finish uploads (``files.completeUploadExternal``): ``items`` are (file id, title).

        Every file must exist and have received its bytes, and none may be completed
        already (``file_not_found`` otherwise, naming it). With ``channel_id`` they are
        shared into that conversation in one message, the bot's, with ``initial_comment``
        as its text; without it they stay private to the uploader.
        """
        with self.lock:
            files: list[File] = []
            for file_id, _title in items:
                file = self.files.get(file_id)
                if file is None or not file.is_uploaded or file.completed:
                    why = (
                        "unknown"
                        if file is None
                        else "never uploaded"
                        if not file.is_uploaded
                        else "already completed"
                    )
                    raise StandInError("file_not_found", messages=[f"[ERROR] {file_id}: {why}"])
                files.append(file)
            channel = self.bot_channel(channel_id, to_post=True) if channel_id else None
            for file, (_file_id, title) in zip(files, items, strict=True):
                file.title = title or file.filename
                file.completed = True
            if channel is not None:
                message = self.add_message(
                    channel.id,
                    text=initial_comment,
                    as_bot=True,
                    thread_ts=thread_ts,
                    files=[f.to_dict(self) for f in files],
                )
                for file in files:
                    file.shares.append((channel.id, message.ts))
                message.files = [f.to_dict(self) for f in files]
            return files

    def file_content(self, file_id: str) -> bytes:
        """The bytes of an uploaded file (tests read what the app sent)."""
        with self.lock:
            file = self.files.get(file_id)
            if file is None or file.content is None:
                raise KeyError(file_id)
            return file.content

    def files_in(self, channel: str) -> list[File]:
        """Files shared into ``channel``, oldest first."""
        with self.lock:
            return [f for f in self.files.values() if any(c == channel for c, _ in f.shares)]

    # ---------------------------------------------------------------- cursor
    @staticmethod
    def encode_cursor(key: str) -> str:
        """A Slack-looking opaque cursor (base64 of ``user:<id>``)."""
        return base64.b64encode(f"user:{key}".encode()).decode()

    @staticmethod
    def decode_cursor(cursor: str) -> str:
        """The key inside a cursor; ``invalid_cursor`` if it is not one of ours."""
        try:
            decoded = base64.b64decode(cursor.encode(), validate=True).decode()
        except (ValueError, UnicodeDecodeError) as error:
            raise StandInError("invalid_cursor") from error
        if not decoded.startswith("user:"):
            raise StandInError("invalid_cursor")
        return decoded.removeprefix("user:")


# ----------------------------------------------------------------- demo seed
DEMO_MEMBERS = (
    ("U0NOOR0001", "noor", "Noor Haddad", "America/New_York"),
    ("U0LENA0002", "lena", "Lena Vogel", "Europe/Berlin"),
    ("U0ARJUN003", "arjun", "Arjun Mehta", "Asia/Kolkata"),
    ("U0MAYA0004", "maya", "Maya Chen", "America/Los_Angeles"),
)
DEMO_DEACTIVATED = ("U0SAM00005", "sam", "Sam Former", "America/Chicago")
DEMO_COUNCIL_CHANNEL = "C0COUNCIL01"
DEMO_GENERAL_CHANNEL = "C0GENERAL01"
DEMO_OTHER_PRIVATE_CHANNEL = "C0OTHERPRV1"


DEMO_TEAM_ID = "T0COUNCIL"
DEMO_TEAM_NAME = "Council Demo"
DEMO_TEAM_DOMAIN = "council-demo"


def demo_id(default_id: str, id_prefix: str) -> str:
    """``default_id`` with ``id_prefix`` after its type letter: ``U0NOOR0001``, ``US0NOOR0001``."""
    return f"{default_id[0]}{id_prefix}{default_id[1:]}"


def seed_demo(
    *,
    clock: Callable[[], float] = time.time,
    team_id: str = DEMO_TEAM_ID,
    team_name: str = DEMO_TEAM_NAME,
    team_domain: str = DEMO_TEAM_DOMAIN,
    id_prefix: str = "",
) -> Workspace:
    """A council workspace for tests and the sandbox.

    Four members in New York, Berlin, Kolkata and Los Angeles; a private
    ``#council-demo`` with them and the bot; a public ``#general`` and a private
    ``#other-private`` the bot is not in; and a deactivated member, ``sam``.

    Another workspace for the same stand-in (``SlackStandIn.add_workspace``) takes its own
    ``team_id`` and an ``id_prefix`` (e.g. ``"S"``): the same people and channels under
    ids that cannot collide with the default's (``workspace.demo_id(DEMO_COUNCIL_CHANNEL)``,
    or ``find_user("noor")`` / ``find_channel("council-demo")``), and its own bot token.
    With the defaults it is exactly the workspace it always was.
    """
    ids: dict[str, Any] = {}
    if id_prefix or team_id != DEMO_TEAM_ID:
        ids = {
            "bot_user_id": demo_id("U0COUNCILBOT", id_prefix),
            "bot_id": demo_id("B0COUNCILBOT", id_prefix),
            "bot_tokens": (f"xoxb-0000-standin-{team_id.lower()}-bot",),
        }
    workspace = Workspace(
        clock=clock,
        team_id=team_id,
        team_name=team_name,
        team_domain=team_domain,
        id_prefix=id_prefix,
        **ids,
    )
    member_ids = []
    for user_id, name, real_name, tz in DEMO_MEMBERS:
        member_ids.append(
            workspace.add_user(
                demo_id(user_id, id_prefix),
                name=name,
                real_name=real_name,
                tz=tz,
                email=f"{name}@example.org",
            ).id
        )
    sam_id, sam_name, sam_real_name, sam_tz = DEMO_DEACTIVATED
    workspace.add_user(
        demo_id(sam_id, id_prefix), name=sam_name, real_name=sam_real_name, tz=sam_tz, deleted=True
    )
    workspace.add_channel(
        demo_id(DEMO_COUNCIL_CHANNEL, id_prefix),
        name="council-demo",
        members=[*member_ids, workspace.bot_user_id],
        is_private=True,
        purpose="Our job-search council",
    )
    workspace.add_channel(
        demo_id(DEMO_GENERAL_CHANNEL, id_prefix), name="general", members=member_ids
    )
    workspace.add_channel(
        demo_id(DEMO_OTHER_PRIVATE_CHANNEL, id_prefix),
        name="other-private",
        members=member_ids[:2],
        is_private=True,
    )
    return workspace
