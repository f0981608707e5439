"""The local sandbox: try the bot without a Slack workspace.

`council-bot sandbox` (and plain `council-bot` with no Slack tokens) starts the offline
Slack stand-in seeded with a demo council, the real app against it, and a small Slack-like
page on 127.0.0.1 to act as any member: type slash commands, click buttons, fill modals,
react, reply in threads, open App Home, and fast-forward the clock so reminders fire now.

- `runtime`: the stand-in, the app and the signed driver (`Sandbox`)
- `clock`: the one clock both sides read (`SandboxClock`)
- `persist`: with `--data-dir`, the workspace is kept beside the bot's database
- `actions`: what a person does, turned into Slack's requests (`Actions`)
- `snapshot`: what one member sees, as JSON for the page
- `web`: the page and its JSON API (Starlette); `static/` holds the page itself
- `main`: `run_sandbox`, what the command line calls
"""
