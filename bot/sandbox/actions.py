"""What a person does on the sandbox page, turned into what Slack would do.

Each method changes the stand-in workspace the way Slack's client would (a reaction is
added, a reply is stored, a modal is closed) and sends the app the signed request Slack
sends for it, through `SlackDriver`. Answers are small dicts the page shows: `ok`, and a
`note` or `error` in plain words.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.reminders.engine import DispatchReport
from bot.sandbox.manifest import app_manifest
from bot.sandbox.reminders import SandboxReminderEngine
from bot.sandbox.runtime import Sandbox
from bot.sandbox.standin.driver import Response
from bot.sandbox.standin.state import StandInError

log = logging.getLogger("council_bot.sandbox")

#: Reaction names Slack accepts: lowercase words, digits, _, + and - (and skin tones).
_EMOJI_NAME = re.compile(r"^[a-z0-9_+\-']{1,64}(::skin-tone-[2-6])?$")
#: Selections a block action may carry, as Slack names them in the action payload.
_ACTION_FIELDS = (
    "value",
    "selected_option",
    "selected_options",
    "selected_date",
    "selected_time",
    "selected_user",
    "selected_users",
    "action_type",
    "block_id",
)
NOTES_KEPT = 50
#: What Slack's client says in place of the composer when the manifest makes the app's
#: Messages tab read-only (`messages_tab_read_only_enabled`).
READ_ONLY_MESSAGES_TAB = "Sending messages to this app has been turned off."
#: Slackbot's answer to a `/word` that no app in the workspace declares.
NOT_A_COMMAND = (
    '{command} is not a valid command. In Slack, all messages that start with the "/" '
    "character are interpreted as commands.\n\nIf you are trying to send a message and not "
    'run a command, try preceding the "/" with an empty space.'
)


class SandboxError(Exception):
    """Something the person asked for cannot be done; the message says why."""


@dataclass
class Note:
    """One line in the page's activity panel."""

    at: float
    text: str
    level: str = "info"  # or "warning"

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "text": self.text, "level": self.level}


class Actions:
    """The page's verbs. Thread-safe enough: the workspace locks itself; notes are locked."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._notes: deque[Note] = deque(maxlen=NOTES_KEPT)
        self._lock = threading.Lock()
        # Validation errors from the app's `response_action: errors`, by view id.
        self._view_errors: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------ notes
    def note(self, text: str, *, level: str = "info") -> None:
        with self._lock:
            self._notes.append(Note(at=time.time(), text=text, level=level))

    def notes(self) -> list[dict[str, Any]]:
        with self._lock:
            return [note.to_dict() for note in reversed(self._notes)]

    def view_errors(self, view_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._view_errors.get(view_id, {}))

    # ------------------------------------------------------------- checks
    def _member(self, user: Any) -> str:
        if user not in self.sandbox.member_ids():
            raise SandboxError(f"unknown member {user!r}")
        return str(user)

    def _channel(self, user: str, channel: Any) -> str:
        found = self.sandbox.workspace.channels.get(str(channel))
        if found is None or user not in found.members:
            raise SandboxError(f"{user} is not in conversation {channel!r}")
        return found.id

    def _writable(self, channel: str) -> None:
        """Refuse a message or command in the app's DM when its Messages tab is read-only."""
        found = self.sandbox.workspace.channels.get(channel)
        if found is not None and found.is_im and app_manifest().messages_tab_read_only:
            raise SandboxError(READ_ONLY_MESSAGES_TAB)

    def _not_a_command(self, user: str, channel: str, command: str) -> dict[str, Any]:
        """Slackbot's private answer, as Slack gives it without asking any app."""
        self.sandbox.workspace.add_ephemeral(
            channel, user, text=NOT_A_COMMAND.format(command=command), source="slackbot"
        )
        return {"ok": True}

    def _answered(self, what: str, response: Response | None) -> dict[str, Any]:
        if response is None or response.status == 200:
            return {"ok": True}
        if response.status == 404:
            error = f"{what}: the app has no listener for it (yet), HTTP 404"
        else:
            error = f"{what}: the app answered HTTP {response.status}"
        self.note(error, level="warning")
        return {"ok": False, "error": error}

    # --------------------------------------------------------------- verbs
    def command(self, *, user: Any, channel: Any, text: str) -> dict[str, Any]:
        """Type `/command rest` in a conversation: Slack's slash command form post."""
        user = self._member(user)
        channel = self._channel(user, channel)
        name, _, rest = text.strip().partition(" ")
        if not re.fullmatch(r"/[a-z0-9_\-]{1,31}", name):
            raise SandboxError(f"{name!r} is not a slash command")
        self._writable(channel)
        if app_manifest().knows(name) is False:
            return self._not_a_command(user, channel, name)  # Slack never sends it
        response = self.sandbox.driver.command(
            user=user, channel=channel, command=name, text=rest.strip()
        )
        if response.status == 404:  # no manifest to ask: the app has no such command
            return self._not_a_command(user, channel, name)
        if response.status != 200:
            error = f'{name} failed with the error "dispatch_failed" (HTTP {response.status})'
            self.note(error, level="warning")
            return {"ok": False, "error": error}
        # A body on the ack is shown to the member alone, as Slack shows it.
        body = response.json or ({"text": response.body} if response.body.strip() else None)
        if body and (body.get("text") or body.get("blocks")):
            self.sandbox.workspace.add_ephemeral(
                channel,
                user,
                text=str(body.get("text") or ""),
                blocks=body.get("blocks"),
                source="command_response",
            )
        return {"ok": True}

    def action(self, *, user: Any, action: dict[str, Any]) -> dict[str, Any]:
        """Click a button, pick an option, choose a date: a `block_actions` payload."""
        user = self._member(user)
        action_id = action.get("action_id")
        if not isinstance(action_id, str) or not action_id:
            raise SandboxError("an action needs its action_id")
        options: dict[str, Any] = {
            k: action[k] for k in _ACTION_FIELDS if action.get(k) is not None
        }
        view_id = action.get("view_id")
        if view_id:
            self._own_view(user, str(view_id))
            options["view_id"] = str(view_id)
            if isinstance(action.get("state"), dict):
                options["state"] = action["state"]
        else:
            options["channel"] = self._channel(user, action.get("channel"))
            options["message_ts"] = str(action.get("message_ts") or "")
        try:
            response = self.sandbox.driver.block_action(user=user, action_id=action_id, **options)
        except (ValueError, StandInError) as exc:
            raise SandboxError(f"that element is gone ({exc})") from None
        return self._answered(f"action {action_id}", response)

    def _own_view(self, user: str, view_id: str) -> dict[str, Any]:
        try:
            view = self.sandbox.workspace.get_view(view_id)
        except StandInError:
            raise SandboxError("that view is closed") from None
        if view.get("type") == "modal" and view_id not in {
            v["id"] for v in self.sandbox.workspace.modal_stack(user)
        }:
            raise SandboxError("that modal is not open for this member")
        return view

    def submit(self, *, user: Any, view_id: Any, values: Any) -> dict[str, Any]:
        """Press Submit: a `view_submission`; the stand-in follows `response_action`."""
        user = self._member(user)
        view_id = str(view_id)
        self._own_view(user, view_id)
        if not isinstance(values, dict):
            raise SandboxError("values must be view.state.values")
        try:
            response = self.sandbox.driver.view_submission(
                user=user, view_id=view_id, values=values
            )
        except StandInError as exc:
            # e.g. the app answered response_action "push" onto a full stack
            error = f"the app's answer to the submission was refused: {exc.code}"
            self.note(error, level="warning")
            return {"ok": False, "error": error}
        answer = response.json or {}
        errors = answer.get("errors") if answer.get("response_action") == "errors" else None
        with self._lock:
            if errors:
                self._view_errors[view_id] = {str(k): str(v) for k, v in errors.items()}
            else:
                self._view_errors.pop(view_id, None)
        if errors:
            return {"ok": True, "errors": errors}
        return self._answered("submission", response)

    def close(self, *, user: Any, view_id: Any) -> dict[str, Any]:
        """Press Close (or the back arrow of a pushed view)."""
        user = self._member(user)
        view_id = str(view_id)
        self._own_view(user, view_id)
        response = self.sandbox.driver.view_closed(user=user, view_id=view_id)
        with self._lock:
            self._view_errors.pop(view_id, None)
        return self._answered("view_closed", response)

    def react(self, *, user: Any, channel: Any, ts: Any, name: Any) -> dict[str, Any]:
        """Click an emoji: add the reaction, or take it back if the member had it."""
        user = self._member(user)
        channel = self._channel(user, channel)
        name = str(name).strip(":").lower()
        if not _EMOJI_NAME.match(name):
            raise SandboxError(f"{name!r} is not an emoji name")
        driver = self.sandbox.driver
        try:
            message = self.sandbox.workspace.get_message(channel, str(ts))
        except StandInError:
            raise SandboxError("that message is gone") from None
        reacted = any(
            r["name"] == name and user in r["users"] for r in message.get("reactions", [])
        )
        verb = driver.unreact if reacted else driver.react
        response = verb(user=user, channel=channel, ts=str(ts), name=name)
        result = self._answered(f"reaction {name}", response)
        result["added"] = not reacted
        return result

    def post(
        self, *, user: Any, channel: Any, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """Send a message (or a reply in a thread); the message event goes to the app."""
        user = self._member(user)
        channel = self._channel(user, channel)
        text = text.strip()
        if not text:
            raise SandboxError("the message is empty")
        self._writable(channel)
        if len(text) > 4000:
            raise SandboxError("messages are at most 4000 characters")
        try:
            response = self.sandbox.driver.message(
                user=user, channel=channel, text=text, thread_ts=thread_ts or None
            )
        except StandInError as exc:
            raise SandboxError(f"Slack refused the message: {exc.code}") from None
        if response.status == 404:
            return {"ok": True}  # the app listens for no message events: people see it
        return self._answered("message", response)

    def open_home(self, *, user: Any) -> dict[str, Any]:
        """Open the app's Home tab: Slack sends `app_home_opened` every time."""
        user = self._member(user)
        return self._answered("app_home_opened", self.sandbox.driver.app_home_opened(user=user))

    def dismiss(self, *, user: Any, channel: Any, ts: Any) -> dict[str, Any]:
        """Dismiss an ephemeral message (Slack's client does it without telling the app)."""
        user = self._member(user)
        ephemeral = self.sandbox.workspace.ephemeral(str(channel), str(ts))
        if ephemeral is None or ephemeral.user != user:
            raise SandboxError("no such message")
        self.sandbox.workspace.delete_ephemeral(str(channel), str(ts))
        return {"ok": True}

    # ----------------------------------------------------------- the clock
    def fast_forward(
        self, *, seconds: float | None = None, to_next: bool = False
    ) -> dict[str, Any]:
        """Move the sandbox clock, then have the reminder engine send what is due now."""
        clock = self.sandbox.clock
        engine = self.sandbox.reminders
        # What passes do from here on is this fast-forward's doing, the scheduler's too.
        mark = engine.mark() if isinstance(engine, SandboxReminderEngine) else None
        if to_next:
            if engine is None:
                raise SandboxError("the reminder engine is not wired into the app yet")
            due = engine.next_due_at()
            if due is None:
                return {"ok": True, "note": "No reminder is waiting."}
            before = clock.utcnow()
            clock.advance_to(due)
            moved = clock.utcnow() - before
        else:
            if seconds is None:
                raise SandboxError("say how far to fast-forward")
            try:
                clock.advance(float(seconds))
            except ValueError as exc:
                raise SandboxError(str(exc)) from None
            moved = timedelta(seconds=float(seconds))
        text = f"Fast-forwarded {_human(moved)}. " + self._dispatch_now(engine, mark)
        self.note(text)
        return {"ok": True, "note": text}

    def _dispatch_now(self, engine: Any, mark: tuple[DispatchReport, int] | None = None) -> str:
        if engine is None:
            return (
                "The app has no reminder engine wired in yet, so the clock moved "
                "but no reminder can fire."
            )
        try:
            if isinstance(engine, SandboxReminderEngine):
                report, quiet = engine.dispatch_counted(mark)
            else:
                report, quiet = engine.dispatch_due(), 0
        except Exception as exc:
            log.exception("reminder dispatch failed in the sandbox")
            return f"The reminder engine failed: {exc}."
        return _dispatch_note(report, quiet=quiet)


def _dispatch_note(report: DispatchReport, *, quiet: int) -> str:
    """What one pass did, in words: a moot reminder is not called sent."""
    posted = max(report.sent - quiet, 0)
    parts = []
    if posted:
        parts.append(f"{_count(posted, 'reminder')} sent.")
    if quiet:
        parts.append(
            f"{_count(quiet, 'reminder')} came due but had nothing left to say "
            "(what it was about was cancelled or already done), so nothing was sent."
        )
    if report.retrying or report.rate_limited:
        parts.append(
            f"{_count(report.retrying + report.rate_limited, 'reminder')} will be retried."
        )
    if report.failed or report.undeliverable:
        parts.append(
            f"{_count(report.failed + report.undeliverable, 'reminder')} could not be sent."
        )
    if report.expired:
        parts.append(f"{_count(report.expired, 'reminder')} expired, too late to send.")
    return " ".join(parts) or "No reminder was due."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _human(delta: timedelta) -> str:
    """Days, hours and minutes, to the nearest minute: the clock keeps running while a jump
    is computed, so a jump of 3 hours is a few milliseconds short of it."""
    seconds = round(delta.total_seconds())
    if seconds <= 0:
        return "0 minutes"
    if seconds >= 60:
        seconds = round(seconds / 60) * 60
    parts = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "under a minute"
