"""An offline, faithful stand-in for Slack, for tests and the local sandbox.

- ``bot.sandbox.standin.state``: the fake workspace (users, channels, messages, views).
- ``bot.sandbox.standin.server``: ``SlackStandIn``, the Web API on 127.0.0.1, for one workspace
  or several (``add_workspace``; each call answered by the workspace of its token).
- ``bot.sandbox.standin.oauth``: the app's OAuth v2 install flow (``standin.oauth``): the
  authorize step, ``oauth.v2.access``, token rotation, revocation.
- ``bot.sandbox.standin.driver``: ``SlackDriver``, signed requests to the app as Slack sends them
  (``for_workspace(team_id)``: on behalf of another workspace).
- ``bot.sandbox.standin.socket_mode``: ``SocketModeServer``, Slack's Socket Mode WebSocket endpoint
  (``standin.socket_mode``; links handed out by ``apps.connections.open``).
- ``bot.sandbox.standin.socket_driver``: ``SocketModeDriver``, the driver's payloads as Socket Mode
  envelopes, returning the app's acks.
- ``bot.sandbox.standin.blockkit``: Block Kit validation used by the server.
"""
