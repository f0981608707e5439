"""The web pages of "Add to Slack": install, installed, and why an install failed.

Plain HTML, no scripts and nothing fetched from elsewhere: the person installing may be
doing it on a work laptop, and the pages should leave no trace beyond the visit. Anything
that comes from a request (a workspace name, an error code) is escaped.
"""

from __future__ import annotations

import html
import logging

from slack_bolt.oauth.callback_options import FailureArgs, SuccessArgs
from slack_bolt.response import BoltResponse

log = logging.getLogger("council_bot.oauth")

PRIVACY_PATH = "/privacy"

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1d1c1d}a.button{display:inline-block;background:#4a154b;"
    "color:#fff;padding:.7rem 1.2rem;border-radius:6px;text-decoration:none;font-weight:600}"
    "li{margin:.3rem 0}"
)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def install_page(*, authorize_url: str) -> str:
    return _page(
        "Add the council bot to Slack",
        "<h1>Council bot</h1>"
        "<p>A Slack bot for job-search councils: small groups of peers who support each "
        "other through a job search, in a private channel of their own.</p>"
        "<ul>"
        "<li><code>/mission</code> posts your job mission with OKRs for the council's "
        "feedback;</li>"
        "<li><code>/debrief</code> schedules debriefs after interviews and reminds you;</li>"
        "<li><code>/backchannel</code> and <code>/negotiate</code> walk you through "
        "reference checks and negotiation prep, privately.</li>"
        "</ul>"
        "<p>Searches are often secret. The bot only reads the channels it is invited to, "
        "keeps salary figures and notes encrypted, and deletes everything of a workspace "
        f"when it is uninstalled. <a href='{PRIVACY_PATH}'>What it stores, and for how "
        "long</a>.</p>"
        f"<p><a class='button' href='{html.escape(authorize_url, quote=True)}'>"
        "Add to Slack</a></p>",
    )


def installed_page(*, team_name: str) -> str:
    return _page(
        "The council bot is installed",
        "<h1>Installed</h1>"
        f"<p>The council bot is now in <strong>{html.escape(team_name)}</strong>. "
        "To start a council:</p>"
        "<ol>"
        "<li>create a <strong>private</strong> channel for your council in Slack;</li>"
        "<li>invite the bot: type <code>/invite @council bot</code> in it;</li>"
        "<li>type <code>/mission</code> to post your first job mission.</li>"
        "</ol>"
        "<p>You can close this page.</p>",
    )


# What a person who tried to install reads, by Bolt's (or Slack's) reason.
_REASONS: dict[str, str] = {
    "access_denied": "The install was cancelled in Slack, so nothing was installed.",
    "invalid_state": "This install link has expired or was already used. Start again from "
    "the install page.",
    "invalid_browser": "This install was started in another browser (or its cookie was "
    "blocked). Start again from the install page, in this browser.",
    "missing_code": "Slack did not send an install code. Start again from the install page.",
    "invalid_code": "Slack refused the install code (it may have expired). Start again "
    "from the install page.",
    "storage_error": "The install could not be saved on our side. Please try again in a "
    "few minutes.",
}


def failed_page(*, reason: str) -> str:
    message = _REASONS.get(
        reason, "Slack could not complete the install. Start again from the install page."
    )
    return _page(
        "The council bot was not installed",
        "<h1>Not installed</h1>"
        f"<p>{html.escape(message)}</p>"
        f"<p><a href='/slack/install'>Back to the install page</a></p>"
        f"<p><small>Reason: {html.escape(reason)}</small></p>",
    )


def on_success(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    log.info("installed in team=%s", installation.team_id)
    return BoltResponse(
        status=200,
        body=installed_page(team_name=installation.team_name or "your workspace"),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def on_failure(args: FailureArgs) -> BoltResponse:
    # The reason may come from the redirect's query string: only known ones are logged.
    log.warning("an install failed: %s", args.reason if args.reason in _REASONS else "other")
    return BoltResponse(
        status=args.suggested_status_code,
        body=failed_page(reason=args.reason),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
