"""The reminder engine: rows in the database, claimed atomically, delivered through Slack."""
