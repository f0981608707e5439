"""Send the app signed requests exactly as Slack sends them.

:class:`SlackDriver` plays Slack's side of HTTP mode: slash command form posts,
``block_actions`` / ``view_submission`` / ``view_closed`` interaction payloads
and Events API envelopes, each signed with the app's signing secret
(``X-Slack-Request-Timestamp`` and ``X-Slack-Signature: v0=<hmac>``). Payloads
are built from the stand-in's state (users, channels, stored messages and
views), and trigger ids and response URLs are minted by the stand-in so the
app can use them against it. Conveniences such as :meth:`SlackDriver.react`
change the workspace first, then send the event Slack would.

A driver speaks for one workspace of the stand-in (the first, unless made with
:meth:`SlackDriver.for_workspace`): its team in every payload and envelope, its
members, channels, views, trigger ids and response URLs.

Only the standard library is used on the wire.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlencode

from bot.sandbox.standin.methods import check_view
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import Channel, View, Workspace

__all__ = [
    "Response",
    "SlackDriver",
    "checkboxes",
    "datepicker",
    "number",
    "plain",
    "radio",
    "static_select",
    "timepicker",
    "user",
    "users",
]

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass
class Response:
    """What the app answered; ``payload`` is what the driver sent.

    ``payload`` holds the slash command form fields, the interaction payload or
    the Events API envelope, so a test can inspect or redeliver it.
    """

    status: int
    body: str
    json: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] | None = None


# ------------------------------------------------- view.state.values builders
def _option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def plain(value: str | None) -> dict[str, Any]:
    """A ``plain_text_input`` value (``None``: left empty)."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A ``static_select`` choice (option text is filled from the view when found)."""
    return {
        "type": "static_select",
        "selected_option": None if value is None else _option(value, text),
    }


def datepicker(date: str | None) -> dict[str, Any]:
    """A ``datepicker`` value, ``"YYYY-MM-DD"``."""
    return {"type": "datepicker", "selected_date": date}


def timepicker(time_of_day: str | None) -> dict[str, Any]:
    """A ``timepicker`` value, ``"HH:mm"``."""
    return {"type": "timepicker", "selected_time": time_of_day}


def user(user_id: str | None) -> dict[str, Any]:
    """A ``users_select`` value."""
    return {"type": "users_select", "selected_user": user_id}


def users(user_ids: list[str]) -> dict[str, Any]:
    """A ``multi_users_select`` value."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def checkboxes(values: list[str]) -> dict[str, Any]:
    """A ``checkboxes`` value (option texts are filled from the view when found)."""
    return {"type": "checkboxes", "selected_options": [_option(v) for v in values]}


def radio(value: str | None) -> dict[str, Any]:
    """A ``radio_buttons`` value."""
    return {"type": "radio_buttons", "selected_option": None if value is None else _option(value)}


def number(value: float | int | str | None) -> dict[str, Any]:
    """A ``number_input`` value (Slack sends numbers as strings)."""
    return {"type": "number_input", "value": None if value is None else str(value)}


# ----------------------------------------------------------------- helpers
def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
    return [e for e in found if isinstance(e, dict)]


def _find_element(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None
) -> tuple[str | None, dict[str, Any] | None]:
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        for element in _elements(block):
            if element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, None


def _options_of(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _resolve_option(element: dict[str, Any] | None, option: Any) -> dict[str, Any] | None:
    """Turn an option value (or option dict) into the option as Slack sends it."""
    if option is None:
        return None
    value = option.get("value") if isinstance(option, dict) else str(option)
    for candidate in _options_of(element or {}):
        if candidate.get("value") == value:
            return {"text": candidate.get("text"), "value": value}
    return option if isinstance(option, dict) else _option(str(value))


def _fill_option_texts(values: dict[str, Any], blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace placeholder option texts with the view's real option texts."""
    filled: dict[str, Any] = json.loads(json.dumps(values))
    for block_id, actions in filled.items():
        for action_id, entry in actions.items():
            _, element = _find_element(blocks, action_id, block_id)
            if element is None:
                continue
            if entry.get("selected_option"):
                entry["selected_option"] = _resolve_option(element, entry["selected_option"])
            if entry.get("selected_options"):
                entry["selected_options"] = [
                    _resolve_option(element, o) for o in entry["selected_options"]
                ]
    return filled


def _channel_type(channel: Channel) -> str:
    if channel.is_im:
        return "im"
    return "group" if channel.is_private else "channel"


class SlackDriver:
    """Plays Slack: signs and sends requests to the app at ``app_url``.

    Every sending method accepts ``signature`` (``None``: correct; ``"bad"``: a
    well-formed wrong one; any other string: sent verbatim) and
    ``timestamp_offset`` in seconds (e.g. ``-600`` for a stale request), so
    tests can produce requests the app must answer with 401.

    Payloads are built here and leave through three methods only: ``_send_form``
    (slash commands), ``_send_interaction`` and ``redeliver`` (Events API).
    ``bot.sandbox.standin.socket_driver.SocketModeDriver`` overrides those three to send
    the very same payloads as Socket Mode envelopes.
    """

    def __init__(
        self,
        *,
        app_url: str,
        signing_secret: str,
        standin: SlackStandIn,
        timeout: float = 10.0,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.standin = standin
        self.timeout = timeout
        #: The workspace this driver speaks for; ``None``: the stand-in's first.
        self.team_id: str | None = None

    @property
    def workspace(self) -> Workspace:
        if self.team_id is None:
            return self.standin.workspace
        return self.standin.workspaces[self.team_id]

    def for_workspace(self, team_id: str) -> Self:
        """This driver (same app, secret and transport) speaking for workspace ``team_id``.

        ``KeyError`` if the stand-in has no such workspace.
        """
        if team_id not in self.standin.workspaces:
            raise KeyError(team_id)
        driver = copy.copy(self)
        driver.team_id = team_id
        return driver

    def _response_url(self, **target: Any) -> str:
        return self.standin.mint_response_url(team_id=self.workspace.team_id, **target)

    # ---------------------------------------------------------------- signing
    def sign(self, body: str, timestamp: str, *, secret: str | None = None) -> str:
        """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{ts}:{body}``."""
        key = (secret if secret is not None else self.signing_secret).encode()
        digest = hmac.new(key, f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return f"v0={digest}"

    def send(
        self,
        body: str,
        *,
        content_type: str,
        signature: str | None = None,
        timestamp_offset: int = 0,
        headers: dict[str, str] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Response:
        """POST a raw body to the app, signed, and return its answer."""
        timestamp = str(int(time.time()) + timestamp_offset)
        if signature is None:
            signed = self.sign(body, timestamp)
        elif signature == "bad":
            signed = self.sign(body, timestamp, secret="not-" + self.signing_secret)
        else:
            signed = signature
        request = urllib.request.Request(
            self.app_url,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": content_type,
                "User-Agent": _USER_AGENT,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signed,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, raw, answer_headers = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            status, raw, answer_headers = error.code, error.read(), error.headers
        text = raw.decode("utf-8", errors="replace")
        parsed: dict[str, Any] | None = None
        if text.strip().startswith("{"):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return Response(status, text, parsed, dict(answer_headers.items()), payload)

    def _send_form(self, fields: dict[str, Any], **options: Any) -> Response:
        return self.send(urlencode(fields), content_type=_FORM, payload=fields, **options)

    def _send_interaction(self, payload: dict[str, Any], **options: Any) -> Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.send(body, content_type=_FORM, payload=payload, **options)

    # ------------------------------------------------------------ common bits
    def _user(self, user_id: str) -> dict[str, Any]:
        member = self.workspace.get_user(user_id)
        return {
            "id": member.id,
            "username": member.name,
            "name": member.name,
            "team_id": self.workspace.team_id,
        }

    def _team(self) -> dict[str, Any]:
        return {"id": self.workspace.team_id, "domain": self.workspace.team_domain}

    def _channel(self, channel_id: str) -> Channel:
        channel = self.workspace.channels.get(channel_id)
        if channel is None:
            raise ValueError(f"no channel {channel_id!r} in the stand-in workspace")
        return channel

    def _open_view(self, view_id: str, user_id: str, *, modal: bool = False) -> View:
        """The view a user interacts with; it must be on their screen."""
        view = self.workspace.find_view(view_id=view_id)
        if view.user != user_id:
            raise ValueError(f"view {view_id} belongs to {view.user}, not {user_id}")
        if not view.is_open or (modal and view.type != "modal"):
            raise ValueError(f"view {view_id} is not an open modal; Slack would not send this")
        return view

    # --------------------------------------------------------- slash commands
    def command(
        self,
        *,
        user: str,
        channel: str,
        command: str,
        text: str = "",
        signature: str | None = None,
        timestamp_offset: int = 0,
    ) -> Response:
        """Run a slash command as ``user`` in ``channel`` (a form post, as Slack sends it).

        ``channel_name`` is ``directmessage`` in a DM and ``privategroup`` in a
        private channel, as Slack reports them.
        """
        workspace = self.workspace
        target = self._channel(channel)
        member = workspace.get_user(user)
        if target.is_im:
            channel_name = "directmessage"
        elif target.is_private:
            channel_name = "privategroup"
        else:
            channel_name = target.name
        fields = {
            "token": workspace.verification_token,
            "team_id": workspace.team_id,
            "team_domain": workspace.team_domain,
            "channel_id": target.id,
            "channel_name": channel_name,
            "user_id": member.id,
            "user_name": member.name,
            "command": command if command.startswith("/") else f"/{command}",
            "text": text,
            "api_app_id": workspace.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(user=member.id, channel=target.id),
            "trigger_id": workspace.mint_trigger_id(member.id),
        }
        return self._send_form(fields, signature=signature, timestamp_offset=timestamp_offset)

    # ----------------------------------------------------------- interactions
    def block_action(
        self,
        *,
        user: str,
        action_id: str,
        block_id: str | None = None,
        value: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
        action_type: str | None = None,
        selected_option: str | dict[str, Any] | None = None,
        selected_options: list[str] | None = None,
        selected_date: str | None = None,
        selected_time: str | None = None,
        selected_user: str | None = None,
        selected_users: list[str] | None = None,
        state: dict[str, Any] | None = None,
        signature: str | None = None,
        timestamp_offset: int = 0,
    ) -> Response:
        """``user`` uses an interactive element in a message or a view.

        Give ``channel`` and ``message_ts`` (a stored or ephemeral message) or
        ``view_id`` (a modal or App Home). The element is looked up by
        ``action_id`` (and ``block_id``) in the stored blocks, so its type,
        text, value and options come from what the app really sent; it must
        exist. ``state`` is ``view.state.values`` (modals) or the message's
        input state.
        """
        workspace = self.workspace
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": workspace.app_id,
            "token": workspace.verification_token,
        }
        if view_id is not None:
            self._open_view(view_id, user)
            if state is not None:
                workspace.set_view_state(view_id, state)
            view = workspace.get_view(view_id)
            blocks = view["blocks"]
            payload["container"] = {"type": "view", "view_id": view_id}
        elif channel is not None and message_ts is not None:
            self._channel(channel)
            ephemeral = workspace.ephemeral(channel, message_ts)
            message = None if ephemeral else workspace.get_message(channel, message_ts)
            blocks = ephemeral.blocks if ephemeral else (message or {}).get("blocks", [])
            container: dict[str, Any] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral is not None,
            }
            if message and message.get("thread_ts"):
                container["thread_ts"] = message["thread_ts"]
            payload["container"] = container
        else:
            raise ValueError("block_action needs view_id, or channel and message_ts")

        found_block_id, element = _find_element(blocks, action_id, block_id)
        if element is None:
            raise ValueError(f"no element with action_id={action_id!r} (block_id={block_id!r})")
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": found_block_id,
            "type": action_type or element.get("type", "button"),
            "action_ts": f"{workspace.clock():.6f}",
        }
        if element.get("text") is not None and action["type"] == "button":
            action["text"] = element["text"]
        if value is not None or element.get("value") is not None:
            action["value"] = value if value is not None else element.get("value")
        if element.get("style"):
            action["style"] = element["style"]
        if selected_option is not None:
            action["selected_option"] = _resolve_option(element, selected_option)
        if selected_options is not None:
            action["selected_options"] = [_resolve_option(element, o) for o in selected_options]
        for key, chosen in (
            ("selected_date", selected_date),
            ("selected_time", selected_time),
            ("selected_user", selected_user),
            ("selected_users", selected_users),
        ):
            if chosen is not None:
                action[key] = chosen

        payload["trigger_id"] = workspace.mint_trigger_id(user)
        payload["team"] = self._team()
        payload["enterprise"] = None
        payload["is_enterprise_install"] = False
        if view_id is not None:
            payload["view"] = workspace.get_view(view_id)
            payload["state"] = payload["view"]["state"]
        else:
            assert channel is not None and message_ts is not None
            target = self._channel(channel)
            payload["channel"] = {
                "id": channel,
                "name": "directmessage" if target.is_im else target.name,
            }
            is_ephemeral = payload["container"]["is_ephemeral"]
            if not is_ephemeral:
                payload["message"] = workspace.get_message(channel, message_ts)
            payload["state"] = {"values": state or {}}
            payload["response_url"] = self._response_url(
                user=user, channel=channel, message_ts=message_ts, is_ephemeral=is_ephemeral
            )
        payload["actions"] = [action]
        return self._send_interaction(
            payload, signature=signature, timestamp_offset=timestamp_offset
        )

    def view_submission(
        self,
        *,
        user: str,
        view_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        signature: str | None = None,
        timestamp_offset: int = 0,
    ) -> Response:
        """``user`` presses Submit on modal ``view_id`` with ``values``.

        ``values`` is ``view.state.values``: ``{block_id: {action_id: {...}}}``
        (see :func:`plain`, :func:`static_select`, ...). After the app answers,
        the stand-in's modal stack follows the answer as Slack would: empty
        ``ack()`` closes the view, ``response_action`` ``clear`` closes them all,
        ``update`` / ``push`` change the stack, ``errors`` keeps it open. Tests
        read ``response.json["response_action"]`` and ``["errors"]``.
        """
        workspace = self.workspace
        view = self._open_view(view_id, user, modal=True)
        workspace.set_view_state(view_id, _fill_option_texts(values, view.blocks))
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": workspace.app_id,
            "token": workspace.verification_token,
            "trigger_id": workspace.mint_trigger_id(user),
            "view": workspace.get_view(view_id),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        response = self._send_interaction(
            payload, signature=signature, timestamp_offset=timestamp_offset
        )
        if response.status == 200:
            self._follow_view_answer(user, view_id, response.json or {})
        return response

    def _follow_view_answer(self, user: str, view_id: str, answer: dict[str, Any]) -> None:
        workspace = self.workspace
        action = answer.get("response_action")
        with workspace.lock:
            if action is None:
                workspace.close_view(view_id)
            elif action == "clear":
                workspace.close_view(view_id, clear=True)
            elif action == "update":
                view = check_view(answer.get("view"), expected_type="modal")
                workspace.update_view(view, view_id=view_id)
            elif action == "push":
                view = check_view(answer.get("view"), expected_type="modal")
                workspace.push_modal(user, view)

    def view_closed(
        self,
        *,
        user: str,
        view_id: str,
        signature: str | None = None,
        timestamp_offset: int = 0,
    ) -> Response | None:
        """``user`` presses Close on modal ``view_id``.

        The stand-in closes the view (the whole stack with ``clear_on_close``).
        Like Slack, a ``view_closed`` payload is only sent when the view set
        ``notify_on_close``; otherwise nothing is sent and ``None`` is returned.
        """
        workspace = self.workspace
        view = self._open_view(view_id, user, modal=True)
        payload = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": workspace.app_id,
            "token": workspace.verification_token,
            "view": view.to_dict(),
            "is_cleared": view.clear_on_close,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        workspace.close_view(view_id, clear=view.clear_on_close)
        if not view.notify_on_close:
            return None
        return self._send_interaction(
            payload, signature=signature, timestamp_offset=timestamp_offset
        )

    # ------------------------------------------------------------------ events
    def envelope(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """An Events API ``event_callback`` envelope around ``event``."""
        workspace = self.workspace
        body = dict(event)
        body.setdefault("event_ts", workspace.next_ts())
        context = {
            "et": body.get("type"),
            "tid": workspace.team_id,
            "aid": workspace.app_id,
            "cid": body.get("channel") or (body.get("item") or {}).get("channel"),
        }
        encoded_context = base64.b64encode(json.dumps(context).encode()).decode()
        return {
            "token": workspace.verification_token,
            "team_id": workspace.team_id,
            "context_team_id": workspace.team_id,
            "context_enterprise_id": None,
            "api_app_id": workspace.app_id,
            "event": body,
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(workspace.clock()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": workspace.team_id,
                    "user_id": workspace.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{encoded_context}",
        }

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        signature: str | None = None,
        timestamp_offset: int = 0,
    ) -> Response:
        """Deliver ``event`` in an Events API envelope.

        With ``retry_num``, the ``X-Slack-Retry-Num`` / ``X-Slack-Retry-Reason``
        headers mark it as Slack's retry. ``response.payload`` is the envelope;
        pass it to :meth:`redeliver` to send the very same event again.
        """
        return self.redeliver(
            self.envelope(event, event_id=event_id),
            retry_num=retry_num,
            retry_reason=retry_reason,
            signature=signature,
            timestamp_offset=timestamp_offset,
        )

    def redeliver(
        self,
        envelope: dict[str, Any],
        *,
        retry_num: int | None = 1,
        retry_reason: str = "http_timeout",
        signature: str | None = None,
        timestamp_offset: int = 0,
    ) -> Response:
        """Send an envelope again (by default as Slack's first retry)."""
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.send(
            json.dumps(envelope),
            content_type=_JSON,
            signature=signature,
            timestamp_offset=timestamp_offset,
            headers=headers,
            payload=envelope,
        )

    def url_verification(self, *, signature: str | None = None) -> Response:
        """Slack's Request URL check; the app must echo ``challenge``."""
        payload = {
            "token": self.workspace.verification_token,
            "challenge": secrets.token_urlsafe(24),
            "type": "url_verification",
        }
        return self.send(
            json.dumps(payload), content_type=_JSON, signature=signature, payload=payload
        )

    # --------------------------------------------------- state + event helpers
    def react(self, *, user: str, channel: str, ts: str, name: str, **options: Any) -> Response:
        """``user`` adds reaction ``name`` to a message; sends ``reaction_added``."""
        message = self.workspace.add_reaction(channel, ts, user, name)
        return self.event(
            self._reaction_event("reaction_added", user, channel, ts, name, message), **options
        )

    def unreact(self, *, user: str, channel: str, ts: str, name: str, **options: Any) -> Response:
        """``user`` removes reaction ``name``; sends ``reaction_removed``."""
        message = self.workspace.remove_reaction(channel, ts, user, name)
        return self.event(
            self._reaction_event("reaction_removed", user, channel, ts, name, message), **options
        )

    def app_uninstalled(self, **options: Any) -> Response:
        """The app was uninstalled from this workspace; sends ``app_uninstalled``.

        Revoke the tokens first (``standin.uninstall(team_id)``) as Slack does.
        """
        return self.event({"type": "app_uninstalled"}, **options)

    def tokens_revoked(
        self, *, bot: list[str] | None = None, oauth: list[str] | None = None, **options: Any
    ) -> Response:
        """Tokens of this workspace were revoked; sends ``tokens_revoked``.

        ``bot`` (default: the bot user) and ``oauth`` are the user ids whose tokens went.
        """
        bots = [self.workspace.bot_user_id] if bot is None else list(bot)
        tokens = {"oauth": list(oauth or []), "bot": bots}
        return self.event({"type": "tokens_revoked", "tokens": tokens}, **options)

    def _reaction_event(
        self, kind: str, user_id: str, channel: str, ts: str, name: str, message: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "type": kind,
            "user": user_id,
            "reaction": name,
            "item_user": message.get("user"),
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": self.workspace.next_ts(),
        }

    def app_home_opened(self, *, user: str, **options: Any) -> Response:
        """``user`` opens the app's Home tab; sends ``app_home_opened``."""
        workspace = self.workspace
        channel, _ = workspace.open_im(user)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": channel.id,
            "tab": "home",
            "event_ts": workspace.next_ts(),
        }
        home = workspace.home_view(user)
        if home is not None:
            event["view"] = home
        return self.event(event, **options)

    def message(
        self,
        *,
        user: str,
        channel: str,
        text: str,
        thread_ts: str | None = None,
        **options: Any,
    ) -> Response:
        """``user`` posts ``text`` (in a thread with ``thread_ts``); sends the message event."""
        workspace = self.workspace
        posted = workspace.post_user_message(channel, user, text, thread_ts)
        event: dict[str, Any] = {
            "type": "message",
            "client_msg_id": str(uuid.uuid4()),
            "text": text,
            "user": user,
            "ts": posted["ts"],
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": secrets.token_urlsafe(3),
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                    ],
                }
            ],
            "team": workspace.team_id,
            "channel": channel,
            "event_ts": posted["ts"],
            "channel_type": _channel_type(self._channel(channel)),
        }
        if posted.get("thread_ts"):
            event["thread_ts"] = posted["thread_ts"]
            if posted.get("parent_user_id"):
                event["parent_user_id"] = posted["parent_user_id"]
        return self.event(event, **options)

    def reply_in_thread(
        self, *, user: str, channel: str, thread_ts: str, text: str, **options: Any
    ) -> Response:
        """``user`` replies in the thread under ``thread_ts``; sends the message event."""
        return self.message(user=user, channel=channel, text=text, thread_ts=thread_ts, **options)
