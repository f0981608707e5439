"""A small HTTP client for the sandbox page's JSON API, as the page itself uses it."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_GENERAL_CHANNEL, DEMO_MEMBERS

NOOR, LENA, ARJUN, MAYA = (member[0] for member in DEMO_MEMBERS)
COUNCIL = DEMO_COUNCIL_CHANNEL
GENERAL = DEMO_GENERAL_CHANNEL


@dataclass
class Web:
    """The page's server at `url` (http://127.0.0.1:PORT)."""

    url: str

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        text = raw.decode("utf-8")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.request(
            "POST",
            path,
            json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )

    def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST and insist on 200 and ok: true."""
        status, answer = self.post(path, body)
        assert status == 200 and answer.get("ok"), (status, answer)
        return answer

    def state(self, user: str) -> dict[str, Any]:
        status, snapshot = self.request("GET", f"/api/state?user={user}")
        assert status == 200, snapshot
        return snapshot

    def wait(
        self, user: str, predicate: Callable[[dict[str, Any]], Any], *, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Poll the state as the page does until `predicate` holds; returns that state."""
        deadline = time.monotonic() + timeout
        while True:
            snapshot = self.state(user)
            if predicate(snapshot):
                return snapshot
            if time.monotonic() > deadline:
                raise AssertionError(f"state never matched; last: {json.dumps(snapshot)[:3000]}")
            time.sleep(0.05)


def channel_messages(snapshot: dict[str, Any], channel: str = COUNCIL) -> list[dict[str, Any]]:
    return snapshot["messages"][channel]


def top_modal(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    stack = snapshot["modal"]["stack"]
    return stack[-1] if stack else None


def mission_values(**overrides: str) -> dict[str, Any]:
    """A valid mission modal's view.state.values, as the page collects them."""
    fields = {
        "company": "Acme Robotics",
        "role": "Head of Product",
        "mission": "Make warehouse robots easy to deploy.",
        "objective_1": "Cut deployment time",
        "krs_1": "Deploy a site in 5 days, down from 30",
        **overrides,
    }
    values: dict[str, Any] = {
        key: {key: {"type": "plain_text_input", "value": value or None}}
        for key, value in fields.items()
    }
    values["stage"] = {
        "stage": {"type": "static_select", "selected_option": {"value": "interviewing"}}
    }
    return values
