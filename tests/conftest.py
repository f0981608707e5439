"""Shared fixtures: databases (tests/plugins/databases.py) and the Slack stand-in with the
real app serving signed requests (tests/plugins/slack.py)."""

pytest_plugins = ["tests.plugins.databases"]
