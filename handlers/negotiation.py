"""`/negotiate`: the four legs of an offer negotiation, prepared privately.

Listeners only translate: Slack payload in, `bot.features.negotiation.service` call, Block Kit out.
The plan lives in a modal (nothing about it is posted unless the member asks their
council to review it); each leg, the numbers and the share form are views pushed on top
of it, and the plan beneath is refreshed with `views.update` after each save.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features.errors import NotAllowed
from bot.features.negotiation import service
from bot.features.negotiation.rules import (
    FIELD_ASK,
    FIELD_COMPANY,
    FIELD_NOTE,
    FIELD_OFFER,
    LEG_KEYS,
    Plan,
    validate_compensation,
    validate_leg,
    validate_note,
    validate_pick,
)
from bot.features.negotiation.views import (
    ACTION_CHECKLIST,
    ACTION_EDIT_LEG,
    ACTION_EDIT_MONEY,
    ACTION_OPEN,
    ACTION_SCHEDULE,
    ACTION_SHARE,
    CALLBACK_LEG,
    CALLBACK_MONEY,
    CALLBACK_PICK,
    CALLBACK_SHARE,
    help_blocks,
    leg_modal,
    list_message,
    money_modal,
    negotiation_call_modal,
    no_council_text,
    notice_modal,
    pick_modal,
    plan_modal,
    read_leg_form,
    read_money_form,
    read_pick_form,
    read_share_form,
    share_failed,
    share_message,
    share_modal,
    shared_notice,
)
from bot.platform.councils import ChannelProblem
from bot.platform.mrkdwn import escape
from bot.services import Services
from bot.ui.blocks import (
    channel_problem_blocks,
    channel_problem_reason,
    channel_problem_text,
    section,
)
from bot.ui.metadata import MetadataError, ModalMetadata
from handlers import kit
from handlers.common import (
    council_channel_problem,
    council_for_command,
    fail_fast,
    tell,
    tz_of,
)

log = logging.getLogger("council_bot.negotiation")

COMMAND = "/negotiate"


class PickMeta(ModalMetadata):
    """The pick modal: the council channel it was opened in (none from a DM)."""

    council: int | None = None
    channel: str | None = None


class PlanMeta(ModalMetadata):
    """The plan modal (views encode `plan`), and the views pushed over it (`root` too)."""

    plan: int
    root: str | None = None  # the plan modal beneath: the view to refresh after a save


class LegMeta(PlanMeta):
    """A leg's modal: which leg of the plan."""

    leg: str


class CallMeta(ModalMetadata):
    """The `/debrief` new-event modal's metadata, as handlers/debriefs.py reads it."""

    council: int | None = None
    channel: str
    tz: str


listeners = kit.Listeners()
commands = kit.Subcommands(
    command=COMMAND, help_title="How /negotiate works", help_blocks=help_blocks
)


def register(app: App, services: Services) -> None:
    """Every listener of the negotiation feature."""
    listeners.register(app)


commands.register(listeners)


@commands.on("list")
def list_plans(call: kit.CommandCall) -> None:
    summaries = service.plans(call.services.engine, team_id=call.team_id, user_id=call.user_id)
    call.respond(text="Your negotiation plans", blocks=list_message(summaries))


@commands.bare
def new_plan(call: kit.CommandCall) -> None:
    _open_pick(call.services, call.client, call.command, call.respond)


@listeners.view(CALLBACK_PICK)
def submit_pick(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = PickMeta.decode(view["private_metadata"])
    search_id, company = read_pick_form(view["state"]["values"])
    result = validate_pick(
        search_id=search_id,
        company=company,
        searches=service.company_searches(services.engine, team_id=team_id, user_id=user_id),
    )
    if isinstance(result, dict):
        ack(response_action="errors", errors=result)
        return
    try:
        plan = service.open_plan(
            services.engine,
            team_id=team_id,
            user_id=user_id,
            pick=result,
            council_id=meta.council,
            channel_id=meta.channel,
            now=services.clock(),
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={FIELD_COMPANY: str(exc)})
        return
    ack(response_action="update", view=plan_modal(plan))
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_OPEN)
def open_plan(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    plan = _own_plan(context, client, body, respond, kit.action_id_value(body))
    if plan is None:
        return
    try:
        client.views_open(trigger_id=body["trigger_id"], view=plan_modal(plan))
    except SlackApiError as exc:
        tell(client, body, respond, _slack_trouble("open your plan", exc))


@listeners.action(ACTION_EDIT_LEG)
def edit_leg(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    plan_id, _, leg = kit.action_value(body).partition(":")
    if leg not in LEG_KEYS:
        return
    plan = _own_plan(context, client, body, respond, int(plan_id))
    if plan is None:
        return
    metadata = LegMeta(plan=plan.plan_id, leg=leg, root=_root(body)).encode()
    _push(client, body, respond, leg_modal(plan, leg, private_metadata=metadata))


@listeners.view(CALLBACK_LEG)
def submit_leg(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = LegMeta.decode(view["private_metadata"])
    try:
        plan = service.plan(services.engine, plan_id=meta.plan, team_id=team_id, user_id=user_id)
    except NotAllowed as exc:
        ack(response_action="errors", errors={FIELD_ASK: str(exc)})
        return
    result = validate_leg(
        read_leg_form(view["state"]["values"]),
        objectives={o.id: o.text for o in plan.objectives},
    )
    if isinstance(result, dict):
        ack(response_action="errors", errors=result)
        return
    updated = service.save_leg(
        services.engine,
        plan_id=plan.plan_id,
        team_id=team_id,
        user_id=user_id,
        leg=meta.leg,
        data=result,
        now=services.clock(),
    )
    ack()  # stored; closing this view shows the plan again, refreshed just below
    _refresh(client, meta.root, updated)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_EDIT_MONEY)
def edit_money(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    plan = _own_plan(context, client, body, respond, kit.action_id_value(body))
    if plan is None or plan.compensation is None:  # the member's own plan has its numbers
        return
    metadata = PlanMeta(plan=plan.plan_id, root=_root(body)).encode()
    _push(client, body, respond, money_modal(plan.compensation, private_metadata=metadata))


@listeners.view(CALLBACK_MONEY)
def submit_money(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user_id, team_id = kit.caller(context)
    meta = PlanMeta.decode(view["private_metadata"])
    done, updated = kit.submit_form(
        ack,
        validate=lambda: validate_compensation(read_money_form(view["state"]["values"])),
        save=lambda data: service.save_compensation(
            services.engine,
            plan_id=meta.plan,
            team_id=team_id,
            user_id=user_id,
            data=data,
            now=services.clock(),
        ),
        error_block=FIELD_OFFER,
    )
    if not done or updated is None:
        return
    _refresh(client, meta.root, updated)
    kit.refresh_home(services, client, team_id=team_id, user_id=user_id)


@listeners.action(ACTION_CHECKLIST)
def tick(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    view = body.get("view") or {}
    try:
        plan_id = PlanMeta.decode(view.get("private_metadata")).plan
    except MetadataError:
        return
    services, user_id, team_id = kit.caller(context)
    chosen = body["actions"][0].get("selected_options") or []
    try:
        service.set_checklist(
            services.engine,
            plan_id=plan_id,
            team_id=team_id,
            user_id=user_id,
            ticked=[str(o.get("value")) for o in chosen],
            now=services.clock(),
        )
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))


@listeners.action(ACTION_SHARE)
def open_share(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    plan = _own_plan(context, client, body, respond, kit.action_id_value(body))
    if plan is None:
        return
    if not plan.channel_id:
        _push(client, body, respond, notice_modal(no_council_text("share your plan")))
        return
    if plan.compensation is None:  # the member's own plan has its numbers
        return
    _push(
        client,
        body,
        respond,
        share_modal(
            plan,
            channel_id=plan.channel_id,
            has_numbers=not plan.compensation.empty,
            private_metadata=PlanMeta(plan=plan.plan_id, root=_root(body)).encode(),
        ),
    )


@listeners.view(CALLBACK_SHARE)
def submit_share(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    include_numbers, raw_note = read_share_form(view["state"]["values"])
    note = validate_note(raw_note)
    if isinstance(note, dict):
        ack(response_action="errors", errors=note)
        return
    services, user_id, team_id = kit.caller(context)
    meta = PlanMeta.decode(view["private_metadata"])
    try:
        # Without the box ticked the numbers are not even read.
        plan = service.plan(
            services.engine,
            plan_id=meta.plan,
            team_id=team_id,
            user_id=user_id,
            with_numbers=include_numbers,
        )
    except NotAllowed as exc:
        ack(response_action="errors", errors={FIELD_NOTE: str(exc)})
        return
    if not plan.channel_id:
        ack(response_action="errors", errors={FIELD_NOTE: no_council_text("share it")})
        return
    # Check and post before closing the form, so a refusal leaves the member's note open.
    # The form waits on this answer: a 429 is reported, never slept out (fail_fast).
    quick = fail_fast(client)
    try:
        problem = council_channel_problem(services, quick, channel_id=plan.channel_id)
        if problem is not None:  # made public or shared outside since: the plan stays out
            log.warning("negotiation plan %s held: the channel is %s", plan.plan_id, problem.value)
            ack(response_action="errors", errors={FIELD_NOTE: channel_problem_reason(problem)})
            return
        text, blocks = share_message(plan, note=note)
        posted = quick.chat_postMessage(channel=plan.channel_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        reason = escape(str(exc.response.get("error") or "an error"))
        log.warning("negotiation plan %s not shared: %s", plan.plan_id, reason)
        ack(response_action="errors", errors={FIELD_NOTE: share_failed(reason)})
        return
    ack()
    now = services.clock()
    service.mark_shared(
        services.engine,
        plan_id=plan.plan_id,
        team_id=team_id,
        user_id=user_id,
        channel_id=plan.channel_id,
        message_ts=str(posted["ts"]),
        now=now,
    )
    fresh = service.plan(services.engine, plan_id=plan.plan_id, team_id=team_id, user_id=user_id)
    _refresh(client, meta.root, fresh, notice=shared_notice(plan.channel_id))


@listeners.action(ACTION_SCHEDULE)
def schedule_call(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    services, user_id, team_id = kit.caller(context)
    plan = _own_plan(context, client, body, respond, kit.action_id_value(body))
    if plan is None:
        return
    if not plan.channel_id:
        _push(
            client,
            body,
            respond,
            notice_modal(no_council_text("schedule the call and debrief it afterwards")),
        )
        return
    tz = tz_of(services, client, team_id=team_id, user_id=user_id)
    others = service.company_searches(services.engine, team_id=team_id, user_id=user_id)
    searches = [(plan.search_id, plan.company)] + [
        (sid, company) for sid, company in others.items() if sid != plan.search_id
    ]
    # The very modal `/debrief` opens, with the metadata its submission listener reads.
    view = negotiation_call_modal(
        searches=searches[:100],
        search_id=plan.search_id,
        tz=tz,
        now=services.clock(),
        private_metadata=CallMeta(council=plan.council_id, channel=plan.channel_id, tz=tz).encode(),
    )
    _push(client, body, respond, view)


# --- helpers ------------------------------------------------------------------------------------


def _open_pick(
    services: Services, client: WebClient, command: dict[str, Any], respond: Respond
) -> None:
    council_id, problem = council_for_command(services, client, command)
    if problem is not None and problem != ChannelProblem.DIRECT_MESSAGE:
        intro = (
            "Your negotiation plan is private, so `/negotiate` works in your council's "
            "private channel or in a direct message with me. (`/negotiate list` and "
            "`/negotiate help` work anywhere.)"
        )
        respond(
            text=f"{intro} {channel_problem_text(problem)}",
            blocks=[section(intro).to_dict(), *channel_problem_blocks(problem)],
        )
        return
    searches = service.company_searches(
        services.engine, team_id=command["team_id"], user_id=command["user_id"]
    )
    in_council = problem is None
    metadata = PickMeta(
        council=council_id if in_council else None,
        channel=command["channel_id"] if in_council else None,
    ).encode()
    try:
        client.views_open(
            trigger_id=command["trigger_id"],
            view=pick_modal(searches=list(searches.items()), private_metadata=metadata),
        )
    except SlackApiError as exc:
        text = _slack_trouble("open your plan", exc)
        respond(text=text, blocks=[section(text).to_dict()])


def _own_plan(
    context: BoltContext, client: WebClient, body: dict[str, Any], respond: Respond, plan_id: int
) -> Plan | None:
    """The member's own plan (with their numbers), or None after telling them why not."""
    try:
        services, user_id, team_id = kit.caller(context)
        return service.plan(services.engine, plan_id=plan_id, team_id=team_id, user_id=user_id)
    except NotAllowed as exc:
        tell(client, body, respond, str(exc))
        return None


def _root(body: dict[str, Any]) -> str | None:
    """The plan modal a button was pressed in: the view to refresh after a save."""
    view = body.get("view") or {}
    return view.get("id")


def _push(client: WebClient, body: dict[str, Any], respond: Respond, view: dict) -> None:
    """Push a view over the plan (or open it, from a message or Home)."""
    try:
        if (body.get("container") or {}).get("type") == "view" and body.get("view", {}).get(
            "type"
        ) == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        tell(client, body, respond, _slack_trouble("open that", exc))


def _refresh(client: WebClient, view_id: str | None, plan: Plan, notice: str | None = None) -> None:
    """Show the saved plan in the modal beneath; the member can always reopen it."""
    if not view_id:
        return
    try:
        client.views_update(view_id=view_id, view=plan_modal(plan, notice=notice))
    except SlackApiError as exc:
        log.info("plan view %s not refreshed: %s", view_id, exc.response.get("error"))


def _slack_trouble(what: str, exc: SlackApiError) -> str:
    reason = escape(str(exc.response.get("error") or "an error"))
    return (
        f"I couldn't {what} just now (Slack said: {reason}). Nothing you saved is lost: "
        "please try again in a moment."
    )
