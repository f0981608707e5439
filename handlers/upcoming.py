"""Commands the manifest declares whose features are not built yet.

They answer honestly (privately) instead of leaving the member with Slack's "dispatch
failed", and `help` says what each will do. Each moves to its own module when built.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.services import Services
from bot.views.common import section

UPCOMING = {
    "/backchannel": "plan back-channel reference conversations about a hiring manager, "
    "privately, with a checklist",
    "/negotiate": "prepare the four legs of an offer negotiation: resources, team "
    "development, mentorship, then compensation",
}


def register(app: App, _services: Services) -> None:
    for name, purpose in UPCOMING.items():
        app.command(name)(_answer(name, purpose))


def _answer(name: str, purpose: str) -> Any:
    def not_yet(ack: Ack, respond: Respond) -> None:
        ack()
        text = (
            f"`{name}` will {purpose}. It isn't available in this version of the bot yet; "
            "`/mission` is. Type `/mission help` to see what you can do today."
        )
        respond(text=text, blocks=[section(text).to_dict()])

    return not_yet
