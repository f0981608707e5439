"""Shared Slack-side infrastructure: Web API client, mrkdwn, time zones, members, council gate."""
