"""An offline, faithful stand-in for Slack, for tests and the local sandbox.

- ``bot.standin.state``: the fake workspace (users, channels, messages, views).
- ``bot.standin.server``: ``SlackStandIn``, the Web API on 127.0.0.1.
- ``bot.standin.driver``: ``SlackDriver``, signed requests to the app as Slack sends them.
- ``bot.standin.socket_mode``: ``SocketModeServer``, Slack's Socket Mode WebSocket endpoint
  (``standin.socket_mode``; links handed out by ``apps.connections.open``).
- ``bot.standin.socket_driver``: ``SocketModeDriver``, the driver's payloads as Socket Mode
  envelopes, returning the app's acks.
- ``bot.standin.blockkit``: Block Kit validation used by the server.
"""
