"""Every API call, once: the requests it sends and what it makes of their answers, for :class:`Client` and :class:`AsyncClient`.

A call is a generator that yields each :class:`HttpRequest` and is sent back its answer's JSON (a problem is raised by the
transport, not sent). ``Client`` runs it on the blocking transport; ``AsyncClient`` awaits it on the asyncio one, so a
cancelled call closes its own connection and holds no thread.
"""

from __future__ import annotations

import functools
import inspect
import math
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Concatenate, Coroutine, Generator, Generic, Iterable, ParamSpec, TypeVar, overload

from ._http import HttpRequest, describe
from .models import (
    Alert, AlertRule, Approval, BatchResult, Command, CommandList, Fleet, Heartbeat, Session, SessionCount, SubscriberToken,
    Summary, UsageHistory, Webhook, webhooks_from_json,
)

if TYPE_CHECKING:
    from .aio import AsyncClient
    from .client import Client

_UNSET: Any = object()

P = ParamSpec("P")
R = TypeVar("R")
Requests = Generator[HttpRequest, Any, R]
"""A call: yields each request, is sent its answer's JSON, returns the call's value."""


class _call(Generic[P, R]):
    """
    A method that yields requests, as the client it is read from runs it: a blocking method returning the value on a
    :class:`Client`, a coroutine method on an :class:`AsyncClient` (typed so, for both).
    """

    def __init__(self, requests: Callable[Concatenate[Any, P], Requests[R]]):
        self.requests = requests
        functools.update_wrapper(self, requests)
        # What a bound call shows (help, inspect): no self, and the value it returns (or a coroutine returns).
        signature = inspect.signature(requests)
        returns = signature.return_annotation
        if isinstance(returns, str) and returns.startswith("Requests[") and returns.endswith("]"):
            returns = returns[len("Requests["):-1]
        self.bound_signature = signature.replace(parameters=list(signature.parameters.values())[1:], return_annotation=returns)

    @overload
    def __get__(self, client: None, owner: type) -> "_call[P, R]": ...

    @overload
    def __get__(self, client: "AsyncClient", owner: type) -> Callable[P, Coroutine[Any, Any, R]]: ...

    @overload
    def __get__(self, client: "Client", owner: type) -> Callable[P, R]: ...

    def __get__(self, client: Any, owner: type) -> Any:
        return self if client is None else client._bind(self)

    def __call__(self, client: Any, *args: Any, **kwargs: Any) -> Any:
        """``Client.get_session(client, id)``, as a plain method allows."""
        return client._bind(self)(*args, **kwargs)


@dataclass(frozen=True)
class BatchOperation:
    """
    One operation of :meth:`Client.batch`: build it with ``create``, ``update``, ``usage``, ``heartbeat`` or
    ``terminate``, which take what the single call of that name takes. ``body`` is its JSON object (``op`` included).
    """

    body: dict[str, Any]

    @property
    def op(self) -> str:
        return self.body["op"]

    @classmethod
    def create(cls, id: str | None = None, *, name: str | None = None, state: str | None = None,
               labels: dict[str, str] | None = None, metadata: dict[str, Any] | None = None,
               lease_seconds: int | None = None, parent_id: str | None = None, **fields: Any) -> "BatchOperation":
        return cls({"op": "create", **_fields(id=id, name=name, state=state, labels=labels, metadata=metadata,
                                              lease_seconds=lease_seconds, parent_id=parent_id, **fields)})

    @classmethod
    def update(cls, id: str, **fields: Any) -> "BatchOperation":
        """As :meth:`Client.update_session`: ``name=None`` (or ``error_message``, ``lease_seconds``) clears it."""
        return cls({"op": "update", "id": id, **_update_body(fields)})

    @classmethod
    def usage(cls, id: str, input_tokens: int = 0, output_tokens: int = 0, cost_usd: float = 0) -> "BatchOperation":
        return cls({"op": "usage", "id": id, **_usage(input_tokens, output_tokens, cost_usd)})

    @classmethod
    def heartbeat(cls, id: str) -> "BatchOperation":
        return cls({"op": "heartbeat", "id": id})

    @classmethod
    def terminate(cls, id: str, reason: str | None = None, expected_version: int | None = None, *,
                  cascade: bool = False) -> "BatchOperation":
        return cls({"op": "terminate", "id": id, **_fields(reason=reason, expected_version=expected_version,
                                                           cascade=True if cascade else None)})



class Calls:
    """The API calls shared by :class:`Client` and :class:`AsyncClient`; each runs its requests as the client's ``_bind`` says."""

    base_url: str
    api_key: str | None
    timeout: float

    def _bind(self, call: "_call[Any, Any]") -> Callable[..., Any]:
        """The method that runs ``call``'s requests on this client's transport."""
        raise NotImplementedError

    def _http(self, method: str, path: str, body: Any = None, query: dict[str, Any] | list[tuple[str, Any]] | None = None,
              timeout: float | None = None) -> HttpRequest:
        return describe(method, path, body, query, self.api_key, timeout or self.timeout)

    # -- producer calls ---------------------------------------------------------------------------------------------

    @_call
    def create_session(self, id: str | None = None, *, name: str | None = None, state: str | None = None,
                       labels: dict[str, str] | None = None, metadata: dict[str, Any] | None = None,
                       lease_seconds: int | None = None, parent_id: str | None = None, **fields: Any) -> Requests[Session]:
        """Creates a session; ``parent_id`` makes it a child (the parent must exist and not be terminated; never changes)."""
        body = _fields(id=id, name=name, state=state, labels=labels, metadata=metadata, lease_seconds=lease_seconds,
                       parent_id=parent_id, **fields)
        return Session.from_json((yield self._http("POST", "/api/sessions", body)))

    @_call
    def get_session(self, id: str) -> Requests[Session]:
        return Session.from_json((yield self._http("GET", f"/api/sessions/{_q(id)}")))

    @_call
    def list_sessions(self, *, labels: dict[str, str] | None = None, states: list[str] | None = None,
                      limit: int | None = None, parent_id: str | None = None, roots: bool | None = None) -> Requests[list[Session]]:
        """All matching sessions (pages followed); ``parent_id`` for a session's children, ``roots=True`` for roots only."""
        out: list[Session] = []
        cursor = None
        while True:
            query = [("label", f"{k}={v}") for k, v in (labels or {}).items()]
            query += [(k, v) for k, v in (("state", ",".join(states or [])), ("limit", limit), ("cursor", cursor),
                                          ("parent_id", parent_id)) if v]
            if roots is not None:
                query.append(("roots", "true" if roots else "false"))
            page = yield self._http("GET", "/api/sessions", query=query)
            out.extend(Session.from_json(s) for s in page["sessions"])
            cursor = page["next_cursor"]
            if not cursor:
                return out

    @_call
    def update_session(self, id: str, *, name: Any = _UNSET, error_message: Any = _UNSET, lease_seconds: Any = _UNSET,
                       **fields: Any) -> Requests[Session]:
        """PATCH: pass only what changes; ``name=None`` (or ``error_message``, ``lease_seconds``) clears it."""
        body = {k: v for k, v in fields.items() if v is not None}
        for key, value in (("name", name), ("error_message", error_message), ("lease_seconds", lease_seconds)):
            if value is not _UNSET:
                body[key] = value
        return Session.from_json((yield self._http("PATCH", f"/api/sessions/{_q(id)}", body)))

    @_call
    def add_usage(self, id: str, *, input_tokens: int = 0, output_tokens: int = 0, cost_usd: float = 0) -> Requests[Session]:
        return Session.from_json((yield self._http("POST", f"/api/sessions/{_q(id)}/usage", _usage(input_tokens, output_tokens, cost_usd))))

    @_call
    def _write(self, method: str, path: str, body: Any) -> Requests[tuple[Session, list[Command]]]:
        """A producer's write: the session, and the outstanding commands its answer hands over."""
        answer = yield self._http(method, path, body)
        return Session.from_json(answer), [Command.from_json(c) for c in answer.get("commands", [])]

    @_call
    def heartbeat(self, id: str) -> Requests[Heartbeat]:
        return Heartbeat.from_json((yield self._http("POST", f"/api/sessions/{_q(id)}/heartbeat")))

    @_call
    def terminate(self, id: str, reason: str | None = None, expected_version: int | None = None, *,
                  cascade: bool = False) -> Requests[Session]:
        """Ends the session; with ``cascade=True`` every active descendant too, in the same commit (deepest first)."""
        body = _fields(reason=reason, expected_version=expected_version, cascade=True if cascade else None)
        return Session.from_json((yield self._http("POST", f"/api/sessions/{_q(id)}/terminate", body or None)))

    def _all_pages(self, path: str) -> Requests[list[Session]]:
        """Every session of a paged list of a session's (children, tree), in its order."""
        out: list[Session] = []
        cursor = None
        while True:
            page = yield self._http("GET", path, query=[("limit", 1000), ("cursor", cursor)])
            out.extend(Session.from_json(s) for s in page["sessions"])
            cursor = page["next_cursor"]
            if not cursor:
                return out

    @_call
    def children(self, id: str) -> Requests[list[Session]]:
        """A session's children, oldest first (pages followed)."""
        return (yield from self._all_pages(f"/api/sessions/{_q(id)}/children"))

    @_call
    def tree(self, id: str) -> Requests[list[Session]]:
        """The session's whole subtree in tree order (each parent right before its own subtree), the session first."""
        return (yield from self._all_pages(f"/api/sessions/{_q(id)}/tree"))

    @_call
    def batch(self, operations: Iterable[BatchOperation | dict[str, Any]]) -> Requests[list[BatchResult]]:
        """
        Sends many writes in one request (``POST /api/batch``, at most 1000): :class:`BatchOperation` items, or plain dicts
        with an ``op``. Each is applied or refused on its own, not all or nothing, and the applied ones share one commit;
        the answer is a :class:`BatchResult` per operation, in order, and a refused one (``ok`` False, its ``problem``
        set) left no trace. A batch that is malformed as a whole (too many operations) raises :class:`Problem`.
        """
        body = {"operations": [o.body if isinstance(o, BatchOperation) else o for o in operations]}
        return [BatchResult.from_json(r) for r in (yield self._http("POST", "/api/batch", body))["results"]]

    @_call
    def count_sessions(self) -> Requests[SessionCount]:
        """How many sessions are active (not terminated) and how many there are (``GET /api/sessions/count``)."""
        return SessionCount.from_json((yield self._http("GET", "/api/sessions/count")))

    @_call
    def summary(self) -> Requests[Summary]:
        return Summary.from_json((yield self._http("GET", "/api/summary")))

    # -- the fleet switch and subscriber tokens (docs/security.md) -------------------------------------------------

    @_call
    def get_fleet(self) -> Requests[Fleet]:
        """Whether an operator paused the fleet (``GET /api/fleet``; any key). The flag stops no write: producers read
        it and hold off themselves; consumers see it as the summary's ``is_paused`` and as ``fleet_updated`` on
        ``sessions``."""
        return Fleet.from_json((yield self._http("GET", "/api/fleet")))

    @_call
    def pause_fleet(self) -> Requests[Fleet]:
        """Pauses the fleet (``POST /api/fleet/pause``; an operator key not scoped by labels, else 403). Pausing a
        paused fleet answers the flag and appends no second ``fleet_updated``."""
        return Fleet.from_json((yield self._http("POST", "/api/fleet/pause")))

    @_call
    def resume_fleet(self) -> Requests[Fleet]:
        """Resumes the fleet (``POST /api/fleet/resume``; an operator key)."""
        return Fleet.from_json((yield self._http("POST", "/api/fleet/resume")))

    @_call
    def create_subscriber_token(self, topics: list[str] | None = None, labels: dict[str, str] | None = None,
                                ttl_seconds: int | None = None) -> Requests[SubscriberToken]:
        """
        Mints a subscriber token (``POST /api/tokens``; any key, a read key too) for a consumer that should not hold an
        API key: ``Subscriber(url, topics, api_key=token.token)``. It may join the topics matching ``topics`` (patterns
        such as ``sessions`` or ``session:agent-*``; by default all), sees only sessions carrying all of ``labels``
        (then never ``summary`` or ``usage``), and expires after ``ttl_seconds`` (the server's default 15 min, at most
        24 h). A bad field raises :class:`Problem` 400 naming it; with auth off, 404 ``auth_disabled``.
        """
        body = _fields(topics=topics, labels=labels, ttl_seconds=ttl_seconds)
        return SubscriberToken.from_json((yield self._http("POST", "/api/tokens", body)))

    @_call
    def usage(self, bucket: str = "1h", since: str | datetime | None = None, until: str | datetime | None = None,
              group_by: str | None = None, values: list[str] | None = None) -> Requests[UsageHistory]:
        """Usage history per ``bucket`` (``1m``, ``1h``, ``1d``); times are datetimes or durations back from now
        (``"24h"``); ``group_by`` is a label key the server rolls up by, ``values`` narrows it."""
        def text(t: str | datetime | None) -> str | None:
            return t.isoformat() if isinstance(t, datetime) else t
        query = {"bucket": bucket, "since": text(since), "until": text(until),
                 "group_by": None if group_by is None else f"label:{group_by}",
                 "labels": None if not values else ",".join(f"{group_by}={v}" for v in values)}
        return UsageHistory.from_json((yield self._http("GET", "/api/usage", query=query)))

    @_call
    def _events_page(self, since: int, session_id: str | None) -> Requests[dict[str, Any]]:
        """One page of the logged events after ``since``: ``events``, ``has_more`` and ``next_since``."""
        return (yield self._http("GET", "/api/events", query={"since": since, "session_id": session_id, "limit": 1000}))

    # -- commands (docs/commands.md) --------------------------------------------------------------------------------

    @_call
    def issue_command(self, session_id: str, type: str, text: str | None = None, *, data: dict[str, Any] | None = None,
                      expires_in_seconds: int | None = None) -> Requests[Command]:
        """Issues ``cancel``, ``pause``, ``resume`` or ``message`` to the session's producer (needs a write key)."""
        body = _fields(type=type, text=text, data=data, expires_in_seconds=expires_in_seconds)
        return Command.from_json((yield self._http("POST", f"/api/sessions/{_q(session_id)}/commands", body)))

    @_call
    def list_commands(self, session_id: str, states: list[str] | None = None, limit: int | None = None) -> Requests[CommandList]:
        """The session's commands in the order issued, only those in ``states`` when given."""
        query = {"state": ",".join(states) if states else None, "limit": limit}
        return CommandList.from_json((yield self._http("GET", f"/api/sessions/{_q(session_id)}/commands", query=query)))

    @_call
    def poll_commands(self, session_id: str, wait: int = 30, states: list[str] | None = None) -> Requests[CommandList]:
        """The producer's long-poll: answers as soon as a command is pending (or in ``states``), or after ``wait``
        seconds with none. With a write key exactly the commands it answers with are handed over (they become
        delivered), and a delivered command not acknowledged within the server's ``Commands:RedeliverAfter`` (30 s)
        counts as pending again: after a ``TransportError`` the poll may simply be sent again, a command whose answer
        was lost comes back once its visibility timeout passes (``attempt`` one higher)."""
        query = {"wait": wait, "state": ",".join(states) if states else None}
        # The answer may take the whole wait.
        return CommandList.from_json((yield self._http("GET", f"/api/sessions/{_q(session_id)}/commands", query=query, timeout=self.timeout + wait)))

    @_call
    def get_command(self, session_id: str, command_id: str) -> Requests[Command]:
        return Command.from_json((yield self._http("GET", f"/api/sessions/{_q(session_id)}/commands/{_q(command_id)}")))

    @_call
    def acknowledge_command(self, session_id: str, command_id: str, outcome: str = "done", note: str | None = None) -> Requests[Command]:
        """The producer's answer: ``done``, ``rejected`` or ``failed``; the same answer twice is fine, another is a 409."""
        body = _fields(outcome=outcome, note=note)
        return Command.from_json((yield self._http("POST", f"/api/sessions/{_q(session_id)}/commands/{_q(command_id)}/ack", body)))

    @_call
    def withdraw_command(self, session_id: str, command_id: str) -> Requests[Command]:
        """Withdraws a pending command (a 409 once a producer was handed it)."""
        return Command.from_json((yield self._http("DELETE", f"/api/sessions/{_q(session_id)}/commands/{_q(command_id)}")))

    # -- approvals (docs/approvals.md) -----------------------------------------------------------------------------

    @_call
    def request_approval(self, session_id: str, summary: str, *, tool: str | None = None, data: dict[str, Any] | None = None,
                         wait: float = 300) -> Requests[Approval]:
        """Asks a person to approve something the session's producer is about to do, and waits for the answer: up to
        ``wait`` seconds, in long-polls of at most 60. Returns the approval as it is then: act only when ``state`` is
        ``"allowed"``. The session is ``waiting`` until it is answered. Needs a write key."""
        deadline = time.monotonic() + wait
        # The ask is held up to the first slice; the approval expires after the whole wait.
        first = _approval_slice(deadline)
        body = _fields(summary=summary, tool=tool, data=data, expires_in_seconds=max(1, math.ceil(wait)))
        approval = Approval.from_json((yield self._http("POST", f"/api/sessions/{_q(session_id)}/approvals", body, query={"wait": first},
                                                        timeout=self.timeout + first)))
        while approval.state == "pending" and (left := _approval_slice(deadline)) > 0:
            approval = Approval.from_json((yield self._approval_read(session_id, approval.id, left)))
        return approval

    @_call
    def get_approval(self, session_id: str, approval_id: str, wait: int | None = None) -> Requests[Approval]:
        """One approval; with ``wait`` (seconds, at most 60), held until it is no longer pending."""
        return Approval.from_json((yield self._approval_read(session_id, approval_id, wait)))

    def _approval_read(self, session_id: str, approval_id: str, wait: int | None) -> HttpRequest:
        return self._http("GET", f"/api/sessions/{_q(session_id)}/approvals/{_q(approval_id)}", query={"wait": wait},
                          timeout=self.timeout + (wait or 0))

    @_call
    def list_approvals(self, session_id: str, states: list[str] | None = None, limit: int | None = None) -> Requests[list[Approval]]:
        """The session's approvals in the order asked, only those in ``states`` when given."""
        query = {"state": ",".join(states) if states else None, "limit": limit}
        return [Approval.from_json(a) for a in (yield self._http("GET", f"/api/sessions/{_q(session_id)}/approvals", query=query))["approvals"]]

    @_call
    def answer_approval(self, session_id: str, approval_id: str, decision: str, note: str | None = None, *,
                        interrupt: bool = False, answers: dict[str, str] | None = None, suggestion: int | None = None) -> Requests[Approval]:
        """An operator's answer (an operator key): ``allow``, with ``suggestion`` (an index into the approval's
        ``suggestions``) to allow always; ``deny``, with ``interrupt=True`` to stop the agent too; or ``answer`` a
        ``question`` approval with ``answers``, every question's text to an option's label (several joined with ``", "``)
        or free text. ``note`` goes with any; a denied agent reads it. A part that does not fit the decision or the
        approval is a 400 :class:`Problem` naming it (``field``) and changes nothing. The same answer twice is fine; any
        answer once it is not pending is a 409 ``approval_not_pending``."""
        body = _fields(decision=decision, note=note, interrupt=True if interrupt else None, answers=answers, suggestion=suggestion)
        return Approval.from_json((yield self._http("POST", f"/api/sessions/{_q(session_id)}/approvals/{_q(approval_id)}", body)))

    # -- alerts and webhooks (docs/alerts.md) ----------------------------------------------------------------------

    @_call
    def list_alert_rules(self) -> Requests[list[AlertRule]]:
        """Every rule: from configuration (``source == "config"``, read-only) and stored over HTTP."""
        return [AlertRule.from_json(r) for r in (yield self._http("GET", "/api/alert-rules"))["rules"]]

    @_call
    def create_alert_rule(self, name: str, condition: str, *, id: str | None = None, severity: str | None = None,
                          labels: dict[str, str] | None = None, enabled: bool | None = None, **fields: Any) -> Requests[AlertRule]:
        """Stores a rule (``seconds``, ``threshold``, ``metric``, ``window_seconds`` as the condition takes them); the
        id is generated when left out. A bad rule raises :class:`Problem` naming the field."""
        body = _fields(id=id, name=name, condition=condition, severity=severity, labels=labels, enabled=enabled, **fields)
        return AlertRule.from_json((yield self._http("POST", "/api/alert-rules", body)))

    @_call
    def get_alert_rule(self, id: str) -> Requests[AlertRule]:
        return AlertRule.from_json((yield self._http("GET", f"/api/alert-rules/{_q(id)}")))

    @_call
    def replace_alert_rule(self, id: str, name: str, condition: str, *, severity: str | None = None,
                           labels: dict[str, str] | None = None, enabled: bool | None = None, expected_version: int | None = None,
                           **fields: Any) -> Requests[AlertRule]:
        """``PUT``: creates the rule with this id or replaces it. With ``expected_version`` (the ``version`` read) it
        only replaces a rule still at that version: otherwise :class:`Problem` 409 ``version_conflict`` (404 when there
        is none) and nothing changes."""
        body = _fields(name=name, condition=condition, severity=severity, labels=labels, enabled=enabled,
                       expected_version=expected_version, **fields)
        return AlertRule.from_json((yield self._http("PUT", f"/api/alert-rules/{_q(id)}", body)))

    @_call
    def delete_alert_rule(self, id: str) -> Requests[None]:
        """Deletes a stored rule; its open alerts resolve with ``rule_deleted``."""
        yield self._http("DELETE", f"/api/alert-rules/{_q(id)}")

    @_call
    def list_alerts(self, state: str | None = None, limit: int | None = None) -> Requests[list[Alert]]:
        """Alerts, newest first: ``open`` (the server's default), ``resolved`` or ``all``."""
        page = yield self._http("GET", "/api/alerts", query={"state": state, "limit": limit})
        return [Alert.from_json(a) for a in page["alerts"]]

    @_call
    def get_alert(self, id: str) -> Requests[Alert]:
        return Alert.from_json((yield self._http("GET", f"/api/alerts/{_q(id)}")))

    @_call
    def acknowledge_alert(self, id: str, by: str, note: str | None = None) -> Requests[Alert]:
        """Records who acknowledged the alert and why; it stays open (acknowledging is not resolving)."""
        return Alert.from_json((yield self._http("POST", f"/api/alerts/{_q(id)}/ack", _fields(by=by, note=note))))

    @_call
    def list_webhooks(self) -> Requests[list[Webhook]]:
        return webhooks_from_json((yield self._http("GET", "/api/webhooks")))

    @_call
    def create_webhook(self, url: str, *, id: str | None = None, secret: str | None = None,
                       event_types: list[str] | None = None, labels: dict[str, str] | None = None,
                       alert_severities: list[str] | None = None, format: str | None = None,
                       enabled: bool | None = None) -> Requests[Webhook]:
        """Creates an endpoint; its answer is the only one that carries the ``secret`` (generated when left out)."""
        body = _fields(id=id, url=url, secret=secret, event_types=event_types, labels=labels,
                       alert_severities=alert_severities, format=format, enabled=enabled)
        return Webhook.from_json((yield self._http("POST", "/api/webhooks", body)))

    @_call
    def get_webhook(self, id: str) -> Requests[Webhook]:
        return Webhook.from_json((yield self._http("GET", f"/api/webhooks/{_q(id)}")))

    @_call
    def replace_webhook(self, id: str, url: str, *, secret: str | None = None, event_types: list[str] | None = None,
                        labels: dict[str, str] | None = None, alert_severities: list[str] | None = None,
                        format: str | None = None, enabled: bool | None = None,
                        expected_version: int | None = None) -> Requests[Webhook]:
        """``PUT``: replaces the configuration, keeping the delivery state (and the secret, unless one is given). With
        ``expected_version`` (the ``version`` read) only while the endpoint is at that version: otherwise
        :class:`Problem` 409 ``version_conflict`` and nothing changes."""
        body = _fields(url=url, secret=secret, event_types=event_types, labels=labels,
                       alert_severities=alert_severities, format=format, enabled=enabled, expected_version=expected_version)
        return Webhook.from_json((yield self._http("PUT", f"/api/webhooks/{_q(id)}", body)))

    @_call
    def delete_webhook(self, id: str) -> Requests[None]:
        yield self._http("DELETE", f"/api/webhooks/{_q(id)}")

    @_call
    def replay_webhook(self, id: str, from_seq: int) -> Requests[Webhook]:
        """Delivers every event from ``from_seq`` on again, in order, and makes the endpoint ``active``."""
        return Webhook.from_json((yield self._http("POST", f"/api/webhooks/{_q(id)}/replay", {"from_seq": from_seq})))


def _approval_slice(deadline: float) -> int:
    """The next long-poll of an approval's wait: the seconds left until ``deadline``, at most the server's 60."""
    return max(0, min(60, math.ceil(deadline - time.monotonic())))


def _command_on_topic(item: Any) -> Command | None:
    """The command an item of ``session:{id}`` hands over (``command_issued``, ``command_delivered``), else None."""
    if getattr(item, "type", "") in ("command_issued", "command_delivered"):
        return Command.from_json(item.data["command"])
    return None


def _usage(input_tokens: int = 0, output_tokens: int = 0, cost_usd: float = 0) -> dict[str, Any]:
    return {"input_tokens": input_tokens, "output_tokens": output_tokens, "cost_usd": cost_usd}


def _update_body(fields: dict[str, Any]) -> dict[str, Any]:
    """A PATCH body from keyword fields: None drops a field, except name, error_message and lease_seconds, which it clears."""
    body = {k: v for k, v in fields.items() if v is not None}
    for key in ("name", "error_message", "lease_seconds"):
        if key in fields:
            body[key] = fields[key]
    return body


def _fields(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


def _q(id: str) -> str:
    return urllib.parse.quote(id, safe="")
