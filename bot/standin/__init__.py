"""An offline, faithful stand-in for Slack, for tests and the local sandbox.

- ``bot.standin.state``: the fake workspace (users, channels, messages, views).
- ``bot.standin.server``: ``SlackStandIn``, the Web API on 127.0.0.1.
- ``bot.standin.driver``: ``SlackDriver``, signed requests to the app as Slack sends them.
- ``bot.standin.blockkit``: Block Kit validation used by the server.
"""
