"""The handler kit: what every listener module shares, so a listener only translates.

- `Listeners`: a module declares its listeners at module level (`@listeners.command`,
  `.action`, `.view`, `.event`) and `register(app)` adds them in one place; `route(app)`,
  once every module registered, gives Bolt one listener per kind, and the kit finds a
  request's listener by its name (a lookup, where Bolt would try each in turn). The functions
  stay plain module-level functions. Registration wraps each so that its ack never waits
  on anyone's Slack calls. The app runs Bolt with `process_before_response=True`, so the
  wrapper runs in the thread that answers Slack: commands and clicks are acked there and
  their listener queued in the `after_ack` work pool; events (acked when the wrapper
  returns) are queued there too; modal submissions, which validate before they ack, run in
  the `forms` pool, admitted only when a worker is free, and the request waits for their
  ack alone. A full pool answers "busy" privately instead of queueing without bound.
  Under `serve` and `socket` an `after_ack` job hands the request to a work process
  (bot.platform.offload), where the same wrapper runs the listener inline.
- `install(app, services, work=, report=)`: a global middleware that puts `Services`, the
  work pools and the error reporter into Bolt's context; listeners read
  `services_of(context)`, `context.user_id`, `context.team_id`.
- `Subcommands`: one router for a slash command's words, with `help` and the answer to an
  unknown subcommand built in.
- `submit_form`: read -> validate -> inline errors, or save -> ack; `NotAllowed` becomes an
  inline error next to the field it concerns. Slack calls come after, in the listener.
- `refresh_home`: features ask for a member's App Home to be refreshed; the Home feature
  provides the refresher, so no feature imports another's handlers. `refresh_draft` does
  the same for a posted draft's message (the missions feature provides it).
"""

from __future__ import annotations

import inspect
import logging
import re
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

from bot.features.errors import NotAllowed
from bot.platform import replays
from bot.platform.mrkdwn import escape
from bot.platform.offload import NoWorkerReady, WorkerLost, handoff_of
from bot.platform.work import WorkPools
from bot.services import Services
from bot.ui.blocks import section

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
R = TypeVar("R")

_SERVICES = "council_services"
_WORK = "council_work"
_REPORT = "council_report"

log = logging.getLogger("council_bot.handlers")

# Reports a listener's failure (the app's error handler: log, then tell the member).
Reporter = Callable[[BaseException, dict[str, Any], WebClient], None]

BUSY = (
    "I'm busy with a lot of requests right now and could not take this one. "
    "Nothing was saved or shared. Please try again in a minute."
)
# A submission whose listener did not answer within the wait: it is still running and may
# yet save, so it is not "nothing was saved"; a second submission of the same form is
# taken for a copy (and changes nothing) if the first one went through.
SLOW_FORM = (
    "This is taking me longer than Slack waits for, and I'm still on it. "
    "Give it a minute: if it doesn't show up, submit this again."
)


# --- registration -------------------------------------------------------------------------------


class Listeners:
    """One module's listeners, registered on an app by `register(app)`."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, Any, Sequence[Callable[..., bool]], Callable[..., Any]]] = []

    def _add(
        self, kind: str, matcher: Any, matchers: Sequence[Callable[..., bool]] = ()
    ) -> Callable[[F], F]:
        def decorate(fn: F) -> F:
            self._entries.append((kind, matcher, tuple(matchers), fn))
            return fn

        return decorate

    def command(self, name: str) -> Callable[[F], F]:
        return self._add("command", name)

    def action(self, action_id: str | Mapping[str, Any]) -> Callable[[F], F]:
        return self._add("action", action_id)

    def view(self, callback_id: str) -> Callable[[F], F]:
        return self._add("view", callback_id)

    def event(
        self, event_type: str, *, matchers: Sequence[Callable[..., bool]] = ()
    ) -> Callable[[F], F]:
        """`matchers` (Bolt's: they take the listener's argument names) narrow which of
        these events the listener takes. Bolt runs the first listener that matches, so a
        narrowed one must be registered before a broad one for the same event."""
        return self._add("event", event_type, matchers)

    def register(self, app: App) -> None:
        """Add this module's listeners to the app's routes (`route(app)` serves them)."""
        routes = _routes.setdefault(app, _Routes())
        for kind, matcher, matchers, fn in self._entries:
            routes.add(kind, matcher, matchers, _handed_off(kind, fn))


# --- routing ------------------------------------------------------------------------------------

# A routed listener: the wrapper `_handed_off` makes, given Bolt's arguments by name.
Routed = Callable[[Mapping[str, Any]], BoltResponse | None]


@dataclass(frozen=True)
class _Candidate:
    order: int  # registration order: Bolt runs the first listener that matches
    matchers: tuple[Callable[..., bool], ...]  # Bolt-style: they take argument names
    listener: Routed


class _Routes:
    """Every kit listener of one app, found by the request's own key.

    Bolt tries its listeners in turn and builds each matcher's arguments anew for every
    try, so with a hundred listeners an ack spent most of its time matching, the longer
    the later its listener was registered. `route(app)` registers one Bolt listener per
    kind (commands, clicks, events, submissions, closes) whose pattern holds every name
    the kit serves, and the listener is then looked up here: the same first-registered-wins
    choice, in a dict lookup.
    """

    def __init__(self) -> None:
        self.routed = False
        self._order = 0
        self.commands: dict[str, _Candidate] = {}
        self.actions: dict[str, _Candidate] = {}
        self.action_patterns: list[tuple[re.Pattern[str], _Candidate]] = []
        self.views: dict[str, _Candidate] = {}
        self.closes: dict[str, _Candidate] = {}
        self.events: dict[str, list[_Candidate]] = {}

    def add(
        self, kind: str, matcher: Any, matchers: Sequence[Callable[..., bool]], listener: Routed
    ) -> None:
        if self.routed:
            raise RuntimeError("listeners registered after route(app) would never run")
        self._order += 1
        entry = _Candidate(self._order, tuple(matchers), listener)
        if matchers and kind != "event":
            raise TypeError("only event listeners take extra matchers")
        if kind == "command" and isinstance(matcher, str):
            self.commands.setdefault(matcher, entry)
        elif kind == "action" and isinstance(matcher, str):
            self.actions.setdefault(matcher, entry)
        elif kind == "action" and isinstance(matcher, Mapping) and set(matcher) == {"action_id"}:
            pattern = matcher["action_id"]
            if isinstance(pattern, str):
                self.actions.setdefault(pattern, entry)
            elif isinstance(pattern, re.Pattern) and pattern.flags == re.UNICODE:
                self.action_patterns.append((pattern, entry))
            else:
                raise TypeError(f"an action id is a name or a plain pattern: {pattern!r}")
        elif kind == "view" and isinstance(matcher, str):
            self.views.setdefault(matcher, entry)
        elif (
            kind == "view"
            and isinstance(matcher, Mapping)
            and set(matcher) == {"type", "callback_id"}
            and matcher["type"] == "view_closed"
            and isinstance(matcher["callback_id"], str)
        ):
            self.closes.setdefault(matcher["callback_id"], entry)
        elif kind == "event" and isinstance(matcher, str) and matcher != "message":
            self.events.setdefault(matcher, []).append(entry)
        else:
            raise TypeError(f"the kit does not route a {kind} listener on {matcher!r}")

    def names(self) -> dict[str, set[str]]:
        """What the app serves, by kind (the manifest must declare the same)."""
        return {
            "command": set(self.commands),
            "action": set(self.actions) | {p.pattern for p, _ in self.action_patterns},
            "view": set(self.views) | set(self.closes),
            "event": set(self.events),
            "shortcut": set(),
        }

    def action(self, action_id: str) -> _Candidate | None:
        found = [c for p, c in self.action_patterns if p.search(action_id)]
        exact = self.actions.get(action_id)
        if exact is not None:
            found.append(exact)
        return min(found, key=lambda c: c.order) if found else None

    def event(self, event_type: str, given: Mapping[str, Any]) -> _Candidate | None:
        for candidate in self.events.get(event_type, ()):
            if all(_call_by_name(m, given) for m in candidate.matchers):
                return candidate
        return None


_routes: weakref.WeakKeyDictionary[Any, _Routes] = weakref.WeakKeyDictionary()


def _call_by_name(fn: Callable[..., Any], given: Mapping[str, Any]) -> Any:
    """Call a Bolt-style function with the arguments it names, as Bolt would."""
    return fn(**{name: given[name] for name in inspect.getfullargspec(fn).args})


def _alternatives(names: Sequence[str]) -> re.Pattern[str]:
    """A pattern matching exactly these names (Bolt matches a pattern with re.search)."""
    return re.compile("^(?:" + "|".join(re.escape(n) for n in sorted(names)) + ")$")


def served(app: App) -> dict[str, set[str]]:
    """The commands, actions, views and events the kit serves on `app`."""
    return _routes.get(app, _Routes()).names()


def route(app: App) -> None:
    """Serve every listener registered with `Listeners.register(app)` (call once, last)."""
    routes = _routes.setdefault(app, _Routes())
    if routes.routed:
        raise RuntimeError("route(app) was already called")
    routes.routed = True

    def dispatcher(
        find: Callable[[dict[str, Any], dict[str, Any]], _Candidate | None],
    ) -> Callable[..., BoltResponse | None]:
        def routed(
            ack: Ack,
            body: dict[str, Any],
            payload: dict[str, Any],
            client: WebClient,
            context: BoltContext,
            respond: Respond,
            say: Any,
            logger: logging.Logger,
            request: BoltRequest,
        ) -> BoltResponse | None:
            given = {
                "ack": ack,
                "body": body,
                "payload": payload,
                "client": client,
                "context": context,
                "respond": respond,
                "say": say,
                "logger": logger,
                "request": request,
            }
            found = find(body, given)
            if found is None:  # Bolt's pattern matched, so one of ours does too
                raise LookupError("no kit listener for a request its pattern matched")
            return found.listener(given)

        return routed

    def command(body: dict[str, Any], _given: dict[str, Any]) -> _Candidate | None:
        return routes.commands.get(str(body.get("command", "")))

    def action(body: dict[str, Any], _given: dict[str, Any]) -> _Candidate | None:
        return routes.action(str(((body.get("actions") or [{}])[0]).get("action_id", "")))

    def event(body: dict[str, Any], given: dict[str, Any]) -> _Candidate | None:
        event_given = {**given, "event": given["payload"]}
        return routes.event(str((body.get("event") or {}).get("type", "")), event_given)

    def view(body: dict[str, Any], _given: dict[str, Any]) -> _Candidate | None:
        callback_id = str((body.get("view") or {}).get("callback_id", ""))
        table = routes.closes if body.get("type") == "view_closed" else routes.views
        return table.get(callback_id)

    # Bolt tries these in this order: the kinds that must ack fastest first.
    if routes.commands:
        app.command(_alternatives(list(routes.commands)))(dispatcher(command))
    if routes.actions or routes.action_patterns:
        exact = [_alternatives(list(routes.actions)).pattern] if routes.actions else []
        sources = [*exact, *(p.pattern for p, _ in routes.action_patterns)]
        either = re.compile("|".join(f"(?:{s})" for s in sources))
        app.action({"action_id": either})(dispatcher(action))
    if routes.events:
        narrowed_only = [t for t, found in routes.events.items() if all(c.matchers for c in found)]
        if narrowed_only:  # Bolt's "unhandled" answer for the rest would need a matcher
            raise TypeError(f"events with only narrowed listeners: {narrowed_only}")
        app.event(_alternatives(list(routes.events)))(dispatcher(event))
    if routes.views:
        app.view(_alternatives(list(routes.views)))(dispatcher(view))
    if routes.closes:
        closes = _alternatives(list(routes.closes))
        app.view({"type": "view_closed", "callback_id": closes})(dispatcher(view))


# What a wrapped listener may ask for by name, as Bolt would have given it.
_PAYLOAD_NAMES = frozenset({"command", "event", "view", "action", "shortcut", "message"})
_GIVEN_NAMES = frozenset(
    {"ack", "body", "payload", "client", "context", "respond", "say", "logger"}
)


def _noop_ack(*_args: Any, **_kwargs: Any) -> None:
    """The ack a handed-off listener calls: the request was acked before it started."""


def _handed_off(kind: str, fn: Callable[..., Any]) -> Routed:
    """`fn` as a routed listener whose slow part runs in a work pool (see the module doc).

    It takes what Bolt gave the kind's one listener (`route`), by name, and hands `fn` the
    names `fn` declared, as Bolt would have.
    """
    names = inspect.getfullargspec(fn).args
    unknown = set(names) - _PAYLOAD_NAMES - _GIVEN_NAMES
    if unknown:
        raise TypeError(f"{fn.__name__} asks for arguments the kit does not pass: {unknown}")

    def listener(given: Mapping[str, Any]) -> BoltResponse | None:
        ack: Ack = given["ack"]
        body: dict[str, Any] = given["body"]
        payload: dict[str, Any] = given["payload"]
        client: WebClient = given["client"]
        context: BoltContext = given["context"]
        respond: Respond = given["respond"]
        request: BoltRequest = given["request"]
        label = _label(kind, body)
        work, report = _work_of(context), _reporter_of(context)

        def run(with_ack: Callable[..., Any]) -> Callable[[], None]:
            key = replays.request_key(kind, body)
            engine = services_of(context).engine

            def ack_refusals_unclaimed(*args: Any, **kwargs: Any) -> None:
                # Inline errors leave the modal open with the same view id and hash: release
                # the claim before Slack hears the answer, so the corrected submission (which
                # may come at once) is not taken for a copy of this one.
                if key is not None and kwargs.get("response_action") == "errors":
                    replays.release(engine, key)
                with_ack(*args, **kwargs)

            call = {n: payload if n in _PAYLOAD_NAMES else given[n] for n in names}
            if "ack" in call:
                call["ack"] = ack_refusals_unclaimed

            def once() -> None:
                if key is not None and not replays.claim(engine, key):
                    log.info("%s: a copy of a request already handled was skipped", label)
                    with_ack()  # the first copy answered Slack; this one changes nothing
                    return
                try:
                    fn(**call)
                except BaseException:
                    if key is not None:
                        replays.release(engine, key)  # it failed: let Slack's retry run
                    raise

            return once

        def on_error(exc: BaseException) -> None:
            report(exc, body, client)

        def after_ack() -> Callable[[], None]:
            """The job of a command, click or event: here, or in a work process."""
            offload = work.offload
            if offload is None:
                return run(_noop_ack)
            handoff = handoff_of(request.mode, request.raw_body, request.body, request.headers)
            here = run(_noop_ack)

            def handed_off() -> None:
                try:
                    offload.run(handoff)
                except NoWorkerReady:  # none ready (one is being replaced): run it here
                    here()
                except WorkerLost:
                    if kind != "event":
                        raise  # the member is told; their trigger has likely expired
                    # Slack never sends an acked event again, so it would be lost. Event
                    # listeners take Slack's own redeliveries (event ids, idempotent
                    # writes), so running it again here is as safe as one of those.
                    log.warning("%s: its work process ended; running it here", label)
                    here()

            return handed_off

        owner = _team_in(body)  # one workspace never takes another's room in the pools
        if kind == "view":
            # Validation answers in the ack itself: the job acks, so it must start now,
            # and this thread (Slack's request) waits for that ack, not for the job's end.
            if not work.forms.admit(kind=label, owner=owner):
                _answer_busy_view(ack, body)
                return None
            acked = threading.Event()

            def ack_then_release(*args: Any, **kwargs: Any) -> None:
                ack(*args, **kwargs)
                acked.set()

            def job() -> None:
                try:
                    run(ack_then_release)()
                finally:
                    acked.set()  # it raised or returned without acking: stop waiting

            work.forms.start(job, kind=label, on_error=on_error, owner=owner)
            if not acked.wait(work.form_ack_wait) and ack.response is None:
                log.warning(
                    "%s did not ack in %.1f s: answered that it is slow", label, work.form_ack_wait
                )
                _answer_busy_view(ack, body, text=SLOW_FORM)
            return None
        if kind == "event":  # Bolt acks when this returns; Slack waits for nothing else
            if work.after_ack.submit(after_ack(), kind=label, on_error=on_error, owner=owner):
                return None
            # Full: not acked, so Slack delivers the event again later (its retries back
            # off over minutes). Nothing piles up here and nothing is lost.
            return BoltResponse(status=503, body="")
        if not work.after_ack.admit(kind=label, owner=owner):
            _answer_busy(kind, ack, body, client, respond, work)
            return None
        ack()
        work.after_ack.start(after_ack(), kind=label, on_error=on_error, owner=owner)
        return None

    return listener


def _label(kind: str, body: Mapping[str, Any]) -> str:
    """The request kind for logs and metrics: a command name, action id, callback id or
    event type, all fixed by the app's code, never member text."""
    if kind == "command":
        return f"command:{body.get('command', '')}"
    if kind == "action":
        return f"action:{((body.get('actions') or [{}])[0]).get('action_id', '')}"
    if kind == "view":
        return f"view:{(body.get('view') or {}).get('callback_id', '')}"
    return f"{kind}:{(body.get('event') or {}).get('type', '')}"


def _answer_busy(
    kind: str,
    ack: Ack,
    body: Mapping[str, Any],
    client: WebClient,
    respond: Respond,
    work: WorkPools,
) -> None:
    if kind == "command":
        # An answer in the ack itself, seen only by the member: no Slack call needed.
        ack(text=BUSY, response_type="ephemeral")
        return
    ack()
    user = (body.get("user") or {}).get("id")
    has_url = bool(body.get("response_url"))

    def tell() -> None:  # a click has no answer in its ack: say it privately, as any answer
        if has_url:
            respond(text=BUSY, replace_original=False, response_type="ephemeral")
        elif user:
            client.chat_postMessage(channel=user, text=BUSY)

    # On a small pool of its own, never on the thread that answers Slack; when even that
    # is full, the log line (already written) is all there is.
    work.notices.submit(tell, kind="notice", on_error=lambda _e: None)


def _answer_busy_view(ack: Ack, body: Mapping[str, Any], *, text: str = BUSY) -> None:
    """Keep the modal open with the member's typing, and say why it did not go through."""
    blocks = (body.get("view") or {}).get("blocks") or []
    first_input = next((b.get("block_id") for b in blocks if b.get("type") == "input"), None)
    if first_input:
        ack(response_action="errors", errors={first_input: text})
    else:
        ack()


def install(app: App, services: Services, *, work: WorkPools, report: Reporter) -> None:
    """Every listener finds the services, the work pools and the error reporter in its
    context (one middleware, before them all)."""

    def put_services(context: BoltContext, next: Callable[[], None]) -> None:
        context[_SERVICES] = services
        context[_WORK] = work
        context[_REPORT] = report
        next()

    app.middleware(put_services)


def _work_of(context: BoltContext) -> WorkPools:
    work = context.get(_WORK)
    if not isinstance(work, WorkPools):
        raise RuntimeError("handlers.kit.install(app, services, work=...) was not called")
    return work


def _reporter_of(context: BoltContext) -> Reporter:
    report = context.get(_REPORT)
    if not callable(report):
        raise RuntimeError("handlers.kit.install(app, services, report=...) was not called")
    return report  # type: ignore[no-any-return]


def services_of(context: BoltContext) -> Services:
    services = context.get(_SERVICES)
    if not isinstance(services, Services):
        raise RuntimeError("handlers.kit.install(app, services) was not called")
    return services


def user_of(context: BoltContext) -> str:
    """The member who sent the request (every command, action and view has one)."""
    if not context.user_id:
        raise RuntimeError("this request carries no user")
    return context.user_id


def team_of(context: BoltContext) -> str:
    return context.team_id or ""


def caller(context: BoltContext) -> tuple[Services, str, str]:
    """(services, user id, team id): what nearly every listener starts with."""
    return services_of(context), user_of(context), team_of(context)


# --- payload reading ----------------------------------------------------------------------------


def _team_in(body: Mapping[str, Any]) -> str | None:
    """The workspace a request comes from, wherever its kind of payload carries it."""
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team) if team else None


def action_value(body: Mapping[str, Any]) -> str:
    """The value of the clicked button (or the selected option) of a block_actions payload."""
    action = body["actions"][0]
    if "value" in action:
        return str(action["value"])
    selected = action.get("selected_option") or {}
    return str(selected.get("value") or "")


def action_id_value(body: Mapping[str, Any]) -> int:
    """The clicked button's value as the id it carries."""
    return int(action_value(body))


# --- slash-command words -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandCall:
    """One slash command as a subcommand handler sees it."""

    command: dict[str, Any]
    client: WebClient
    respond: Respond
    context: BoltContext
    words: tuple[str, ...]  # what follows the subcommand

    @property
    def services(self) -> Services:
        return services_of(self.context)

    @property
    def user_id(self) -> str:
        return str(self.command["user_id"])

    @property
    def team_id(self) -> str:
        return str(self.command["team_id"])


class Subcommands:
    """A slash command's words routed to handlers: `help`, named ones, and the bare command.

    An unknown word is answered with what the command can do, so nobody is left guessing.
    """

    def __init__(
        self, *, command: str, help_title: str, help_blocks: Callable[[], list[dict]]
    ) -> None:
        self.command = command
        self._help_title = help_title
        self._help_blocks = help_blocks
        self._routes: dict[str, Callable[[CommandCall], None]] = {}
        self._bare: Callable[[CommandCall], None] | None = None

    def on(self, *words: str) -> Callable[[Callable[[CommandCall], None]], Any]:
        def decorate(fn: Callable[[CommandCall], None]) -> Callable[[CommandCall], None]:
            for word in words:
                self._routes[word] = fn
            return fn

        return decorate

    def bare(self, fn: Callable[[CommandCall], None]) -> Callable[[CommandCall], None]:
        """The handler of the command with no words (usually: open its modal)."""
        self._bare = fn
        return fn

    def dispatch(
        self,
        *,
        command: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        words = str(command.get("text") or "").split()
        first = words[0].lower() if words else ""
        call = CommandCall(command, client, respond, context, tuple(words[1:]))
        if first == "help":
            respond(text=self._help_title, blocks=self._help_blocks())
        elif first in self._routes:
            self._routes[first](call)
        elif first or self._bare is None:
            # One line: what was not understood, the words that are (each handler once:
            # aliases share one, the first word registered stands for them), and `help`
            # for the whole guide (which is long, and not what a typo asked for).
            known: list[str] = [f"`{self.command}`"] if self._bare is not None else []
            handlers: list[Callable[[CommandCall], None]] = []
            for word, handler in self._routes.items():
                if handler not in handlers:
                    handlers.append(handler)
                    known.append(f"`{self.command} {word}`")
            unknown = (
                f"I don't know `{self.command} {escape(words[0][:40] if words else '')}`. "
                + (f"Try {', '.join(known)}, or " if known else "Try ")
                + f"`{self.command} help` for the full guide."
            )
            respond(text=unknown, blocks=[section(unknown).to_dict()])
        else:
            self._bare(call)

    def listener(self) -> Callable[..., None]:
        """The Bolt listener: ack at once, then route."""

        def on_command(
            ack: Ack,
            command: dict[str, Any],
            client: WebClient,
            respond: Respond,
            context: BoltContext,
        ) -> None:
            ack()
            self.dispatch(command=command, client=client, respond=respond, context=context)

        on_command.__name__ = f"on_{self.command.strip('/')}_command"
        return on_command

    def register(self, listeners: Listeners) -> None:
        listeners.command(self.command)(self.listener())


# --- modal submissions --------------------------------------------------------------------------


def submit_form(
    ack: Ack,
    *,
    validate: Callable[[], T | dict[str, str]],
    save: Callable[[T], R],
    error_block: str,
    refused: Sequence[type[Exception]] = (),
) -> tuple[bool, R | None]:
    """Validate a modal's input and save it before acking; Slack calls come after.

    Returns (True, what `save` returned) when the modal closed, (False, None) when the
    member was shown inline errors. `NotAllowed` (and any of `refused`) from `save` becomes
    an inline error on `error_block`, with the exception's text, so the member's typing stays
    on screen.
    """
    result = validate()
    if isinstance(result, dict):
        ack(response_action="errors", errors=result)
        return False, None
    caught: tuple[type[Exception], ...] = (NotAllowed, *refused)
    try:
        saved = save(result)
    except caught as exc:
        ack(response_action="errors", errors={error_block: str(exc)})
        return False, None
    ack()
    return True, saved


# --- App Home -----------------------------------------------------------------------------------

_home_refreshers: list[Callable[..., None]] = []


def provide_home_refresher(refresh: Callable[..., None]) -> None:
    """The Home feature says how to refresh a member's Home tab (once, at import)."""
    if refresh not in _home_refreshers:
        _home_refreshers.append(refresh)


def refresh_home(services: Services, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Refresh a member's App Home after a change (a no-op when no Home feature is loaded)."""
    for refresh in _home_refreshers:
        refresh(services, client, team_id=team_id, user_id=user_id)


# --- the bot joining a channel ------------------------------------------------------------------

_join_listeners: list[Callable[..., None]] = []


def on_bot_joined(listener: Callable[..., None]) -> None:
    """A feature says what to do when the bot is added to a channel (once, at register)."""
    if listener not in _join_listeners:
        _join_listeners.append(listener)


def bot_joined(
    services: Services, client: WebClient, *, team_id: str, channel_id: str, event_id: str
) -> None:
    """The bot was added to a channel (Slack's `member_joined_channel` naming the bot)."""
    for listener in _join_listeners:
        listener(services, client, team_id=team_id, channel_id=channel_id, event_id=event_id)


# --- a draft's message --------------------------------------------------------------------------

_draft_refreshers: list[Callable[..., None]] = []


def provide_draft_refresher(refresh: Callable[..., None]) -> None:
    """The missions feature says how to re-render a posted draft's message (its tally)."""
    if refresh not in _draft_refreshers:
        _draft_refreshers.append(refresh)


def refresh_draft(services: Services, client: WebClient, *, draft_id: int) -> None:
    """Re-render a posted draft's message after its feedback changed from elsewhere (a
    member's erase); a no-op when no missions feature is loaded."""
    for refresh in _draft_refreshers:
        refresh(services, client, draft_id=draft_id)
