"""Features, one package each: rules (no Slack imports), service (use cases), views (Block Kit)."""
