"""Play Slack's side of Socket Mode: the driver's payloads, as envelopes over the socket.

:class:`SocketModeDriver` is :class:`~bot.sandbox.standin.driver.SlackDriver` with another
transport: every payload the HTTP driver builds (slash command fields,
``block_actions`` / ``view_submission`` / ``view_closed`` payloads, Events API
``event_callback`` envelopes, and conveniences such as ``react``) is sent to the
app's Socket Mode connection in Slack's envelope::

    {"envelope_id": "...", "type": "slash_commands" | "interactive" | "events_api",
     "payload": {...}, "accepts_response_payload": true | false,
     "retry_attempt": 0, "retry_reason": ""}   # the last two for events_api only

and the call returns the app's ack as a :class:`SocketAck`. Socket Mode
requests are not signed, so ``signature`` / ``timestamp_offset`` are refused.

Example::

    with SlackStandIn(seed_demo()) as slack:
        handler = SocketModeHandler(app, slack.app_token)  # app's client on slack.api_url
        handler.connect()
        ack = SocketModeDriver(slack).command(user=..., channel=..., command="/mission")
        assert ack.envelope_id == ack.envelope["envelope_id"]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NoReturn

from bot.sandbox.standin.driver import Response, SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.socket_mode import SocketConnection, SocketModeServer

__all__ = ["SocketAck", "SocketModeDriver"]


@dataclass
class SocketAck(Response):
    """The app's acknowledgement of one envelope.

    Socket Mode has no status codes: ``status`` is 200 once the app acked (an
    envelope it never acks raises ``TimeoutError``). ``json`` is the ack's
    ``payload`` (what the app would have answered over HTTP: ``response_action``,
    ``errors``, a message...) or ``None``; ``payload`` is what the driver sent
    inside the envelope, as for :class:`~bot.sandbox.standin.driver.Response`.
    """

    envelope_id: str = ""
    envelope: dict[str, Any] = field(default_factory=dict)
    ack: dict[str, Any] = field(default_factory=dict)
    connection_id: str = ""


class SocketModeDriver(SlackDriver):
    """Sends :class:`SlackDriver`'s payloads to the app connected to ``standin`` in Socket Mode.

    Each call waits up to ``timeout`` seconds for an active connection (so it can
    follow the app through a reconnect) and as long again for the ack.
    """

    def __init__(self, standin: SlackStandIn, *, timeout: float = 10.0) -> None:
        # No Request URL and no signing secret: Slack pushes over the app's own connection.
        super().__init__(app_url="", signing_secret="", standin=standin, timeout=timeout)
        self.acks: list[SocketAck] = []

    @property
    def server(self) -> SocketModeServer:
        return self.standin.socket_mode

    def connection(self) -> SocketConnection:
        """The connection the next envelope goes to (the newest active one)."""
        return self.server.current(timeout=self.timeout)

    # -------------------------------------------------------------- transport
    def deliver(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> SocketAck:
        """Send ``payload`` in an envelope of ``type`` and wait for the app's ack."""
        connection = self.connection()
        envelope = connection.send_envelope(
            type,
            payload,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        ack = connection.wait_for_ack(envelope["envelope_id"], timeout=self.timeout)
        body = ack.get("payload")
        answer = SocketAck(
            status=200,
            body="" if body is None else json.dumps(body),
            json=body if isinstance(body, dict) else None,
            payload=payload,
            envelope_id=envelope["envelope_id"],
            envelope=envelope,
            ack=ack,
            connection_id=connection.id,
        )
        self.acks.append(answer)
        return answer

    def _send_form(self, fields: dict[str, Any], **options: Any) -> SocketAck:
        _unsigned(options)
        return self.deliver("slash_commands", fields, accepts_response_payload=True)

    def _send_interaction(self, payload: dict[str, Any], **options: Any) -> SocketAck:
        _unsigned(options)
        return self.deliver("interactive", payload, accepts_response_payload=True)

    def redeliver(
        self,
        envelope: dict[str, Any],
        *,
        retry_num: int | None = 1,
        retry_reason: str = "timeout",
        signature: str | None = None,
        timestamp_offset: int = 0,
    ) -> SocketAck:
        """Send an Events API envelope; with ``retry_num``, as Slack's retry of it."""
        _unsigned({"signature": signature, "timestamp_offset": timestamp_offset})
        return self.deliver(
            "events_api",
            envelope,
            accepts_response_payload=False,
            retry_attempt=retry_num or 0,
            retry_reason=retry_reason if retry_num else "",
        )

    # ----------------------------------------------- HTTP-only, not in Socket Mode
    def sign(self, body: str, timestamp: str, *, secret: str | None = None) -> NoReturn:
        raise TypeError("Socket Mode requests are not signed")

    def send(self, body: str, **options: Any) -> NoReturn:
        raise TypeError("Socket Mode has no HTTP request; use deliver() to send an envelope")

    def url_verification(self, *, signature: str | None = None) -> NoReturn:
        raise TypeError("Slack verifies Request URLs only in HTTP mode")


def _unsigned(options: dict[str, Any]) -> None:
    if options.get("signature") is not None or options.get("timestamp_offset", 0):
        raise TypeError("Socket Mode requests are not signed: no signature or timestamp_offset")
