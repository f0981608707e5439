"""An offline, faithful stand-in for Slack, for tests and the local sandbox.

- ``bot.sandbox.standin.state``: the fake workspace (users, channels, messages, views).
- ``bot.sandbox.standin.server``: ``SlackStandIn``, the Web API on 127.0.0.1.
- ``bot.sandbox.standin.driver``: ``SlackDriver``, signed requests to the app as Slack sends them.
- ``bot.sandbox.standin.socket_mode``: ``SocketModeServer``, Slack's Socket Mode WebSocket endpoint
  (``standin.socket_mode``; links handed out by ``apps.connections.open``).
- ``bot.sandbox.standin.socket_driver``: ``SocketModeDriver``, the driver's payloads as Socket Mode
  envelopes, returning the app's acks.
- ``bot.sandbox.standin.blockkit``: Block Kit validation used by the server.
"""
