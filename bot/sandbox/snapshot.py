"""What the page shows one member: their conversations, messages, modals, Home, the clock.

Built from the stand-in's state in Slack's own JSON shapes (messages as
`conversations.history` returns them, views as `views.open` does), plus the few facts a
Slack client knows about itself (who is acting, who everyone is).
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.actions import READ_ONLY_MESSAGES_TAB, Actions
from bot.sandbox.manifest import app_manifest
from bot.sandbox.runtime import Sandbox

#: Emoji the page offers for reactions: the bot's legend first (a draft's, then a posted
#: Candidate-Market Fit statement's sign-off), then a few others.
REACTION_PALETTE = (
    "+1",
    "question",
    "bulb",
    "warning",
    "white_check_mark",
    "heart",
    "eyes",
    "tada",
)
#: Commands the composer suggests when there is no manifest to read them from.
COMMAND_HINTS = (
    "/mission",
    "/mission help",
    "/mission list",
    "/debrief",
    "/debrief help",
    "/backchannel",
    "/negotiate",
)
CALLS_SHOWN = 25


def snapshot(sandbox: Sandbox, actions: Actions, *, user: str) -> dict[str, Any]:
    """Everything the page needs to draw itself as `user` sees the workspace."""
    workspace = sandbox.workspace
    with workspace.lock:
        conversations = _conversations(sandbox, user)
        messages = {c["id"]: _messages(sandbox, c["id"]) for c in conversations}
        modal_stack = workspace.modal_stack(user)
        top = modal_stack[-1] if modal_stack else None
        manifest = app_manifest()
        return {
            "me": user,
            "team": {
                "id": workspace.team_id,
                "name": workspace.team_name,
                "domain": workspace.team_domain,  # permalinks: https://DOMAIN.slack.com/...
            },
            "bot": {"id": workspace.bot_user_id, "name": "Council Bot"},
            "app": {
                "messages_tab_read_only": manifest.messages_tab_read_only,
                "read_only_note": READ_ONLY_MESSAGES_TAB,
            },
            "users": {
                u.id: {
                    "id": u.id,
                    "name": u.name,
                    "real_name": u.real_name,
                    "tz": u.tz,
                    "is_bot": u.is_bot,
                    "deleted": u.deleted,
                }
                for u in workspace.users.values()
            },
            "members": sandbox.member_ids(),
            "conversations": conversations,
            "messages": messages,
            "ephemerals": workspace.ephemerals_for(user),
            "home": workspace.home_view(user),
            "modal": {
                "stack": modal_stack,
                "errors": actions.view_errors(top["id"]) if top else {},
            },
            "clock": _clock(sandbox),
            "reactions": list(REACTION_PALETTE),
            "commands": manifest.hints() or list(COMMAND_HINTS),
            "notes": actions.notes(),
            "calls": _calls(sandbox),
        }


def _conversations(sandbox: Sandbox, user: str) -> list[dict[str, Any]]:
    workspace = sandbox.workspace
    found: list[dict[str, Any]] = []
    for channel in workspace.channels.values():
        if user not in channel.members:
            continue
        if channel.is_im:
            kind, name = "im", "Council Bot"
        else:
            kind, name = "channel", channel.name
        found.append(
            {
                "id": channel.id,
                "name": name,
                "kind": kind,
                "is_private": channel.is_private,
                "bot_is_member": workspace.bot_user_id in channel.members,
                "purpose": channel.purpose,
            }
        )
    # Channels by name, then the app's DM (Slack lists apps below channels).
    found.sort(key=lambda c: (c["kind"] == "im", c["name"]))
    return found


def _messages(sandbox: Sandbox, channel: str) -> list[dict[str, Any]]:
    workspace = sandbox.workspace
    shown = []
    for message in workspace.messages_in(channel):
        if message.get("reply_count"):
            thread = workspace.messages_in(channel, message["ts"])
            message["replies"] = [m for m in thread if m["ts"] != message["ts"]]
        shown.append(message)
    return shown


def _clock(sandbox: Sandbox) -> dict[str, Any]:
    engine = sandbox.reminders
    next_due = None
    if engine is not None and hasattr(engine, "next_due_at"):
        try:
            due = engine.next_due_at()
        except Exception:  # the page must draw even if the database hiccups
            due = None
        next_due = due.isoformat() if due is not None else None
    return {
        "now": sandbox.clock.utcnow().isoformat(),
        "epoch": sandbox.clock.epoch(),
        "offset_seconds": sandbox.clock.offset_seconds,
        "reminders_wired": engine is not None,
        "next_due_at": next_due,
    }


def _calls(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The app's latest Web API calls, for the curious (method and outcome only)."""
    return [
        {"method": call.method, "status": call.status, "ok": call.ok, "error": call.error}
        for call in sandbox.standin.calls[-CALLS_SHOWN:]
    ]
