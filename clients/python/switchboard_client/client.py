"""The synchronous client: producer calls over HTTP and a leased session as a context manager."""

from __future__ import annotations

import json
import math
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from .errors import Problem, TransportError
from datetime import datetime

from .models import (
    Alert, AlertRule, Approval, BatchResult, Command, CommandList, Event, Fleet, Heartbeat, Session, SessionCount, SubscriberToken,
    Summary, UsageHistory, Webhook, webhooks_from_json,
)
from .sse import WebhooksFollower

_UNSET: Any = object()


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


class Client:
    """``Client("http://127.0.0.1:5080", api_key=None)``. Every method raises :class:`Problem` on an error status."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    # -- HTTP -------------------------------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, query: dict[str, Any] | list[tuple[str, Any]] | None = None,
                timeout: float | None = None) -> Any:
        url = self.base_url + path
        pairs = list(query.items()) if isinstance(query, dict) else list(query or [])
        pairs = [(k, v) for k, v in pairs if v is not None]
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.api_key:
            req.add_header("Authorization", "Bearer " + self.api_key)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                text = resp.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                problem = json.loads(text)
            except ValueError:
                raise TransportError(f"{method} {path}: HTTP {e.code} without a problem body") from None
            raise Problem.from_json(problem, e.code) from None
        except (urllib.error.URLError, OSError) as e:
            raise TransportError(f"{method} {path}: {e}") from e

    def stream_request(self, method: str, path: str, body: bytes | None, content_type: str, headers: dict[str, str]) -> None:
        """
        Sends one Durable Streams write (a session stream's create or append). Repeated after a transport error only when
        that is safe: a create, or an append carrying idempotent-producer headers (the server recognises the retry).
        """
        retryable = method == "PUT" or "Producer-Id" in headers
        for attempt in range(1, 6):
            req = urllib.request.Request(self.base_url + path, data=body if body is not None else b"", method=method)
            req.add_header("Content-Type", content_type)
            for name, value in headers.items():
                req.add_header(name, value)
            if self.api_key:
                req.add_header("Authorization", "Bearer " + self.api_key)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    resp.read()
                    return
            except urllib.error.HTTPError as e:
                text = e.read()
                if e.code in (429, 503) and attempt < 5:
                    time.sleep(0.1 * 2 ** attempt)
                    continue
                try:
                    problem = json.loads(text)
                except ValueError:
                    raise TransportError(f"{method} {path}: HTTP {e.code} without a problem body") from None
                raise Problem.from_json(problem, e.code) from None
            except (urllib.error.URLError, OSError) as e:
                if not retryable or attempt == 5:
                    raise TransportError(f"{method} {path}: {e}") from e
                time.sleep(0.05 * 2 ** attempt)

    # -- producer calls ---------------------------------------------------------------------------------------------

    def create_session(self, id: str | None = None, *, name: str | None = None, state: str | None = None,
                       labels: dict[str, str] | None = None, metadata: dict[str, Any] | None = None,
                       lease_seconds: int | None = None, parent_id: str | None = None, **fields: Any) -> Session:
        """Creates a session; ``parent_id`` makes it a child (the parent must exist and not be terminated; never changes)."""
        body = _fields(id=id, name=name, state=state, labels=labels, metadata=metadata, lease_seconds=lease_seconds,
                       parent_id=parent_id, **fields)
        return Session.from_json(self.request("POST", "/api/sessions", body))

    def get_session(self, id: str) -> Session:
        return Session.from_json(self.request("GET", f"/api/sessions/{_q(id)}"))

    def list_sessions(self, *, labels: dict[str, str] | None = None, states: list[str] | None = None,
                      limit: int | None = None, parent_id: str | None = None, roots: bool | None = None) -> list[Session]:
        """All matching sessions (pages followed); ``parent_id`` for a session's children, ``roots=True`` for roots only."""
        out: list[Session] = []
        cursor = None
        while True:
            query = [("label", f"{k}={v}") for k, v in (labels or {}).items()]
            query += [(k, v) for k, v in (("state", ",".join(states or [])), ("limit", limit), ("cursor", cursor),
                                          ("parent_id", parent_id)) if v]
            if roots is not None:
                query.append(("roots", "true" if roots else "false"))
            page = self.request("GET", "/api/sessions", query=query)
            out.extend(Session.from_json(s) for s in page["sessions"])
            cursor = page["next_cursor"]
            if not cursor:
                return out

    def update_session(self, id: str, *, name: Any = _UNSET, error_message: Any = _UNSET, lease_seconds: Any = _UNSET,
                       **fields: Any) -> Session:
        """PATCH: pass only what changes; ``name=None`` (or ``error_message``, ``lease_seconds``) clears it."""
        body = {k: v for k, v in fields.items() if v is not None}
        for key, value in (("name", name), ("error_message", error_message), ("lease_seconds", lease_seconds)):
            if value is not _UNSET:
                body[key] = value
        return self._write("PATCH", f"/api/sessions/{_q(id)}", body)[0]

    def add_usage(self, id: str, *, input_tokens: int = 0, output_tokens: int = 0, cost_usd: float = 0) -> Session:
        return self._write("POST", f"/api/sessions/{_q(id)}/usage", _usage(input_tokens, output_tokens, cost_usd))[0]

    def _write(self, method: str, path: str, body: Any) -> tuple[Session, list[Command]]:
        """A producer's write: the session, and the outstanding commands its answer hands over."""
        answer = self.request(method, path, body)
        return Session.from_json(answer), [Command.from_json(c) for c in answer.get("commands", [])]

    def heartbeat(self, id: str) -> Heartbeat:
        return Heartbeat.from_json(self.request("POST", f"/api/sessions/{_q(id)}/heartbeat"))

    def terminate(self, id: str, reason: str | None = None, expected_version: int | None = None, *,
                  cascade: bool = False) -> Session:
        """Ends the session; with ``cascade=True`` every active descendant too, in the same commit (deepest first)."""
        body = _fields(reason=reason, expected_version=expected_version, cascade=True if cascade else None)
        return Session.from_json(self.request("POST", f"/api/sessions/{_q(id)}/terminate", body or None))

    def children(self, id: str) -> list[Session]:
        """A session's children, oldest first (pages followed)."""
        out: list[Session] = []
        cursor = None
        while True:
            page = self.request("GET", f"/api/sessions/{_q(id)}/children", query=[("limit", 1000), ("cursor", cursor)])
            out.extend(Session.from_json(s) for s in page["sessions"])
            cursor = page["next_cursor"]
            if not cursor:
                return out

    def tree(self, id: str) -> list[Session]:
        """The session's whole subtree in tree order (each parent right before its own subtree), the session first."""
        out: list[Session] = []
        cursor = None
        while True:
            page = self.request("GET", f"/api/sessions/{_q(id)}/tree", query=[("limit", 1000), ("cursor", cursor)])
            out.extend(Session.from_json(s) for s in page["sessions"])
            cursor = page["next_cursor"]
            if not cursor:
                return out

    def batch(self, operations: Iterable[BatchOperation | dict[str, Any]]) -> list[BatchResult]:
        """
        Sends many writes in one request (``POST /api/batch``, at most 1000): :class:`BatchOperation` items, or plain dicts
        with an ``op``. Each is applied or refused on its own, not all or nothing, and the applied ones share one commit;
        the answer is a :class:`BatchResult` per operation, in order, and a refused one (``ok`` False, its ``problem``
        set) left no trace. A batch that is malformed as a whole (too many operations) raises :class:`Problem`.
        """
        body = {"operations": [o.body if isinstance(o, BatchOperation) else o for o in operations]}
        return [BatchResult.from_json(r) for r in self.request("POST", "/api/batch", body)["results"]]

    def count_sessions(self) -> SessionCount:
        """How many sessions are active (not terminated) and how many there are (``GET /api/sessions/count``)."""
        return SessionCount.from_json(self.request("GET", "/api/sessions/count"))

    def summary(self) -> Summary:
        return Summary.from_json(self.request("GET", "/api/summary"))

    # -- the fleet switch and subscriber tokens (docs/security.md) -------------------------------------------------

    def get_fleet(self) -> Fleet:
        """Whether an operator paused the fleet (``GET /api/fleet``; any key). The flag stops no write: producers read
        it and hold off themselves; consumers see it as the summary's ``is_paused`` and as ``fleet_updated`` on
        ``sessions``."""
        return Fleet.from_json(self.request("GET", "/api/fleet"))

    def pause_fleet(self) -> Fleet:
        """Pauses the fleet (``POST /api/fleet/pause``; an operator key not scoped by labels, else 403). Pausing a
        paused fleet answers the flag and appends no second ``fleet_updated``."""
        return Fleet.from_json(self.request("POST", "/api/fleet/pause"))

    def resume_fleet(self) -> Fleet:
        """Resumes the fleet (``POST /api/fleet/resume``; an operator key)."""
        return Fleet.from_json(self.request("POST", "/api/fleet/resume"))

    def create_subscriber_token(self, topics: list[str] | None = None, labels: dict[str, str] | None = None,
                                ttl_seconds: int | None = None) -> SubscriberToken:
        """
        Mints a subscriber token (``POST /api/tokens``; any key, a read key too) for a consumer that should not hold an
        API key: ``Subscriber(url, topics, api_key=token.token)``. It may join the topics matching ``topics`` (patterns
        such as ``sessions`` or ``session:agent-*``; by default all), sees only sessions carrying all of ``labels``
        (then never ``summary`` or ``usage``), and expires after ``ttl_seconds`` (the server's default 15 min, at most
        24 h). A bad field raises :class:`Problem` 400 naming it; with auth off, 404 ``auth_disabled``.
        """
        body = _fields(topics=topics, labels=labels, ttl_seconds=ttl_seconds)
        return SubscriberToken.from_json(self.request("POST", "/api/tokens", body))

    def usage(self, bucket: str = "1h", since: str | datetime | None = None, until: str | datetime | None = None,
              group_by: str | None = None, values: list[str] | None = None) -> UsageHistory:
        """Usage history per ``bucket`` (``1m``, ``1h``, ``1d``); times are datetimes or durations back from now
        (``"24h"``); ``group_by`` is a label key the server rolls up by, ``values`` narrows it."""
        def text(t: str | datetime | None) -> str | None:
            return t.isoformat() if isinstance(t, datetime) else t
        query = {"bucket": bucket, "since": text(since), "until": text(until),
                 "group_by": None if group_by is None else f"label:{group_by}",
                 "labels": None if not values else ",".join(f"{group_by}={v}" for v in values)}
        return UsageHistory.from_json(self.request("GET", "/api/usage", query=query))

    def events(self, since: int = 0, session_id: str | None = None) -> Iterator[Event]:
        """Replays logged events after ``since`` (pages followed)."""
        while True:
            page = self.request("GET", "/api/events", query={"since": since, "session_id": session_id, "limit": 1000})
            for e in page["events"]:
                yield Event.from_json(e)
            if not page["has_more"]:
                return
            since = page["next_since"]

    # -- commands (docs/commands.md) --------------------------------------------------------------------------------

    def issue_command(self, session_id: str, type: str, text: str | None = None, *, data: dict[str, Any] | None = None,
                      expires_in_seconds: int | None = None) -> Command:
        """Issues ``cancel``, ``pause``, ``resume`` or ``message`` to the session's producer (needs a write key)."""
        body = _fields(type=type, text=text, data=data, expires_in_seconds=expires_in_seconds)
        return Command.from_json(self.request("POST", f"/api/sessions/{_q(session_id)}/commands", body))

    def list_commands(self, session_id: str, states: list[str] | None = None, limit: int | None = None) -> CommandList:
        """The session's commands in the order issued, only those in ``states`` when given."""
        query = {"state": ",".join(states) if states else None, "limit": limit}
        return CommandList.from_json(self.request("GET", f"/api/sessions/{_q(session_id)}/commands", query=query))

    def poll_commands(self, session_id: str, wait: int = 30, states: list[str] | None = None) -> CommandList:
        """The producer's long-poll: answers as soon as a command is pending (or in ``states``), or after ``wait``
        seconds with none. With a write key exactly the commands it answers with are handed over (they become
        delivered), and a delivered command not acknowledged within the server's ``Commands:RedeliverAfter`` (30 s)
        counts as pending again: after a ``TransportError`` the poll may simply be sent again, a command whose answer
        was lost comes back once its visibility timeout passes (``attempt`` one higher)."""
        query = {"wait": wait, "state": ",".join(states) if states else None}
        # The answer may take the whole wait.
        return CommandList.from_json(self.request("GET", f"/api/sessions/{_q(session_id)}/commands", query=query, timeout=self.timeout + wait))

    def get_command(self, session_id: str, command_id: str) -> Command:
        return Command.from_json(self.request("GET", f"/api/sessions/{_q(session_id)}/commands/{_q(command_id)}"))

    def acknowledge_command(self, session_id: str, command_id: str, outcome: str = "done", note: str | None = None) -> Command:
        """The producer's answer: ``done``, ``rejected`` or ``failed``; the same answer twice is fine, another is a 409."""
        body = _fields(outcome=outcome, note=note)
        return Command.from_json(self.request("POST", f"/api/sessions/{_q(session_id)}/commands/{_q(command_id)}/ack", body))

    def withdraw_command(self, session_id: str, command_id: str) -> Command:
        """Withdraws a pending command (a 409 once a producer was handed it)."""
        return Command.from_json(self.request("DELETE", f"/api/sessions/{_q(session_id)}/commands/{_q(command_id)}"))

    # -- approvals (docs/approvals.md) -----------------------------------------------------------------------------

    def request_approval(self, session_id: str, summary: str, *, tool: str | None = None, data: dict[str, Any] | None = None,
                         wait: float = 300) -> Approval:
        """Asks a person to approve something the session's producer is about to do, and waits for the answer: up to
        ``wait`` seconds, in long-polls of at most 60. Returns the approval as it is then: act only when ``state`` is
        ``"allowed"``. The session is ``waiting`` until it is answered. Needs a write key."""
        deadline = time.monotonic() + wait
        approval = self._ask_approval(session_id, summary, tool, data, wait, _approval_slice(deadline))
        while approval.state == "pending" and (left := _approval_slice(deadline)) > 0:
            approval = self.get_approval(session_id, approval.id, wait=left)
        return approval

    def _ask_approval(self, session_id: str, summary: str, tool: str | None, data: dict[str, Any] | None, wait: float,
                      first: int) -> Approval:
        """The ask, held up to ``first`` seconds; the approval expires after the whole ``wait``."""
        body = _fields(summary=summary, tool=tool, data=data, expires_in_seconds=max(1, math.ceil(wait)))
        return Approval.from_json(self.request("POST", f"/api/sessions/{_q(session_id)}/approvals", body, query={"wait": first},
                                               timeout=self.timeout + first))

    def get_approval(self, session_id: str, approval_id: str, wait: int | None = None) -> Approval:
        """One approval; with ``wait`` (seconds, at most 60), held until it is no longer pending."""
        return Approval.from_json(self.request("GET", f"/api/sessions/{_q(session_id)}/approvals/{_q(approval_id)}", query={"wait": wait},
                                               timeout=self.timeout + (wait or 0)))

    def list_approvals(self, session_id: str, states: list[str] | None = None, limit: int | None = None) -> list[Approval]:
        """The session's approvals in the order asked, only those in ``states`` when given."""
        query = {"state": ",".join(states) if states else None, "limit": limit}
        return [Approval.from_json(a) for a in self.request("GET", f"/api/sessions/{_q(session_id)}/approvals", query=query)["approvals"]]

    def answer_approval(self, session_id: str, approval_id: str, decision: str, note: str | None = None, *,
                        interrupt: bool = False, answers: dict[str, str] | None = None, suggestion: int | None = None) -> Approval:
        """An operator's answer (an operator key): ``allow``, with ``suggestion`` (an index into the approval's
        ``suggestions``) to allow always; ``deny``, with ``interrupt=True`` to stop the agent too; or ``answer`` a
        ``question`` approval with ``answers``, every question's text to an option's label (several joined with ``", "``)
        or free text. ``note`` goes with any; a denied agent reads it. A part that does not fit the decision or the
        approval is a 400 :class:`Problem` naming it (``field``) and changes nothing. The same answer twice is fine; any
        answer once it is not pending is a 409 ``approval_not_pending``."""
        body = _fields(decision=decision, note=note, interrupt=True if interrupt else None, answers=answers, suggestion=suggestion)
        return Approval.from_json(self.request("POST", f"/api/sessions/{_q(session_id)}/approvals/{_q(approval_id)}", body))

    # -- alerts and webhooks (docs/alerts.md) ----------------------------------------------------------------------

    def list_alert_rules(self) -> list[AlertRule]:
        """Every rule: from configuration (``source == "config"``, read-only) and stored over HTTP."""
        return [AlertRule.from_json(r) for r in self.request("GET", "/api/alert-rules")["rules"]]

    def create_alert_rule(self, name: str, condition: str, *, id: str | None = None, severity: str | None = None,
                          labels: dict[str, str] | None = None, enabled: bool | None = None, **fields: Any) -> AlertRule:
        """Stores a rule (``seconds``, ``threshold``, ``metric``, ``window_seconds`` as the condition takes them); the
        id is generated when left out. A bad rule raises :class:`Problem` naming the field."""
        body = _fields(id=id, name=name, condition=condition, severity=severity, labels=labels, enabled=enabled, **fields)
        return AlertRule.from_json(self.request("POST", "/api/alert-rules", body))

    def get_alert_rule(self, id: str) -> AlertRule:
        return AlertRule.from_json(self.request("GET", f"/api/alert-rules/{_q(id)}"))

    def replace_alert_rule(self, id: str, name: str, condition: str, *, severity: str | None = None,
                           labels: dict[str, str] | None = None, enabled: bool | None = None, **fields: Any) -> AlertRule:
        """``PUT``: creates the rule with this id or replaces it."""
        body = _fields(name=name, condition=condition, severity=severity, labels=labels, enabled=enabled, **fields)
        return AlertRule.from_json(self.request("PUT", f"/api/alert-rules/{_q(id)}", body))

    def delete_alert_rule(self, id: str) -> None:
        """Deletes a stored rule; its open alerts resolve with ``rule_deleted``."""
        self.request("DELETE", f"/api/alert-rules/{_q(id)}")

    def list_alerts(self, state: str | None = None, limit: int | None = None) -> list[Alert]:
        """Alerts, newest first: ``open`` (the server's default), ``resolved`` or ``all``."""
        page = self.request("GET", "/api/alerts", query={"state": state, "limit": limit})
        return [Alert.from_json(a) for a in page["alerts"]]

    def get_alert(self, id: str) -> Alert:
        return Alert.from_json(self.request("GET", f"/api/alerts/{_q(id)}"))

    def acknowledge_alert(self, id: str, by: str, note: str | None = None) -> Alert:
        """Records who acknowledged the alert and why; it stays open (acknowledging is not resolving)."""
        return Alert.from_json(self.request("POST", f"/api/alerts/{_q(id)}/ack", _fields(by=by, note=note)))

    def list_webhooks(self) -> list[Webhook]:
        return webhooks_from_json(self.request("GET", "/api/webhooks"))

    def follow_webhooks(self, **options: Any) -> WebhooksFollower:
        """
        Follows the endpoints live (the ``webhooks`` topic over SSE): iterate it to get the whole list, as
        :meth:`list_webhooks` gives it, when the stream opens and again whenever anything in it changes. Reconnects as
        :class:`Subscriber` does; a key scoped by labels raises :class:`Problem` 403. ``options`` are the subscriber's
        (``read_timeout``, ``min_backoff``, ``max_backoff``). See :class:`WebhooksFollower`.
        """
        return WebhooksFollower(self.base_url, api_key=self.api_key, **options)

    def create_webhook(self, url: str, *, id: str | None = None, secret: str | None = None,
                       event_types: list[str] | None = None, labels: dict[str, str] | None = None,
                       alert_severities: list[str] | None = None, format: str | None = None,
                       enabled: bool | None = None) -> Webhook:
        """Creates an endpoint; its answer is the only one that carries the ``secret`` (generated when left out)."""
        body = _fields(id=id, url=url, secret=secret, event_types=event_types, labels=labels,
                       alert_severities=alert_severities, format=format, enabled=enabled)
        return Webhook.from_json(self.request("POST", "/api/webhooks", body))

    def get_webhook(self, id: str) -> Webhook:
        return Webhook.from_json(self.request("GET", f"/api/webhooks/{_q(id)}"))

    def replace_webhook(self, id: str, url: str, *, secret: str | None = None, event_types: list[str] | None = None,
                        labels: dict[str, str] | None = None, alert_severities: list[str] | None = None,
                        format: str | None = None, enabled: bool | None = None) -> Webhook:
        """``PUT``: replaces the configuration, keeping the delivery state (and the secret, unless one is given)."""
        body = _fields(url=url, secret=secret, event_types=event_types, labels=labels,
                       alert_severities=alert_severities, format=format, enabled=enabled)
        return Webhook.from_json(self.request("PUT", f"/api/webhooks/{_q(id)}", body))

    def delete_webhook(self, id: str) -> None:
        self.request("DELETE", f"/api/webhooks/{_q(id)}")

    def replay_webhook(self, id: str, from_seq: int) -> Webhook:
        """Delivers every event from ``from_seq`` on again, in order, and makes the endpoint ``active``."""
        return Webhook.from_json(self.request("POST", f"/api/webhooks/{_q(id)}/replay", {"from_seq": from_seq}))

    def session(self, id: str | None = None, *, name: str | None = None, lease_seconds: int = 30,
                heartbeat_interval: float | None = None, commands_over_stream: bool = False, **fields: Any) -> "SessionContext":
        """``with client.session(name="agent", lease_seconds=30) as s:`` — see :class:`SessionContext`."""
        return SessionContext(self, id, name=name, lease_seconds=lease_seconds, heartbeat_interval=heartbeat_interval, fields=fields,
                              commands_over_stream=commands_over_stream)


class SessionContext:
    """
    A leased session for the length of a ``with`` block: created (state ``working``) on entry, heartbeated in a background
    thread every third of the lease, terminated on a normal exit and put in state ``error`` (with the exception as its
    ``error_message``) when the block raises. The exception still propagates.

    Commands issued to the session arrive with the answers to its heartbeats, updates and usage (and, with
    ``commands_over_stream=True``, from its topic over SSE the moment they are issued): ``for cmd in s.commands():``
    yields each once (the server hands a command over again when it is not acknowledged within its visibility timeout,
    30 s by default; repeats are dropped by id), and
    ``s.ack(cmd)`` answers it.
    """

    def __init__(self, client: Client, id: str | None, *, name: str | None, lease_seconds: int,
                 heartbeat_interval: float | None, fields: dict[str, Any], commands_over_stream: bool = False):
        self.client = client
        self._id = id
        self._name = name
        self._lease_seconds = lease_seconds
        self._interval = heartbeat_interval or max(lease_seconds / 3, 0.2)
        self._fields = fields
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.session: Session | None = None
        self.heartbeats = 0
        self.heartbeat_error: BaseException | None = None
        self._commands: queue.Queue[Command | None] = queue.Queue()
        self._seen: set[str] = set()
        self._seen_lock = threading.Lock()
        self._over_stream = commands_over_stream
        self._stream: Any = None
        self._stream_thread: threading.Thread | None = None

    @property
    def id(self) -> str:
        assert self.session is not None, "the session exists inside the with block"
        return self.session.id

    def stream(self, name: str, content_type: str = "text/plain") -> "SessionStream":
        """The session's durable stream ``name`` (``/v1/stream/sessions/{id}/{name}``), created on its first append."""
        from .streams import SessionStream
        with self._seen_lock:
            streams = self.__dict__.setdefault("_streams", {})
            if name not in streams:
                streams[name] = SessionStream(self.client, self.id, name, content_type)
            return streams[name]

    def __enter__(self) -> "SessionContext":
        fields = {"state": "working", **self._fields}
        self.session = self.client.create_session(self._id, name=self._name, lease_seconds=self._lease_seconds, **fields)
        self._thread = threading.Thread(target=self._beat, name=f"switchboard-heartbeat-{self.session.id}", daemon=True)
        self._thread.start()
        if self._over_stream:
            self._stream_thread = threading.Thread(target=self._listen, name=f"switchboard-commands-{self.session.id}", daemon=True)
            self._stream_thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._learn(self.client.heartbeat(self.id).commands)
                self.heartbeats += 1
            except (Problem, TransportError) as e:
                self.heartbeat_error = e

    def _listen(self) -> None:
        """Follows ``session:{id}`` over SSE (resuming by ``Last-Event-ID``); after a snapshot, reads what is outstanding."""
        from .sse import Subscriber
        from .models import SnapshotReset
        self._stream = Subscriber(self.client.base_url, f"session:{self.id}", api_key=self.client.api_key)
        try:
            for item in self._stream:
                if isinstance(item, SnapshotReset):
                    self._learn(self.client.list_commands(self.id, ["pending", "delivered"]).commands)
                elif (command := _command_on_topic(item)) is not None:
                    self._learn([command])
        except (Problem, TransportError) as e:
            self.heartbeat_error = e

    def _learn(self, commands: list[Command]) -> None:
        for command in commands:
            if command.state not in ("pending", "delivered") or command.session_id != self.id:
                continue
            with self._seen_lock:
                if command.id in self._seen:
                    continue
                self._seen.add(command.id)
            self._commands.put(command)

    def commands(self, wait: float | None = None) -> Iterator[Command]:
        """Each command issued to the session, once, as it arrives. Without ``wait`` it runs until the ``with`` block
        ends; with ``wait`` (seconds) it also ends once no command came for that long."""
        while True:
            try:
                command = self._commands.get(timeout=wait)
            except queue.Empty:
                return
            if command is None:
                return
            yield command

    def ack(self, command: Command, outcome: str = "done", note: str | None = None) -> Command:
        """Answers a command: ``done`` once done, ``rejected`` or ``failed`` (with a note) otherwise."""
        return self.client.acknowledge_command(self.id, command.id, outcome, note)

    def request_approval(self, summary: str, *, tool: str | None = None, data: dict[str, Any] | None = None, wait: float = 300) -> Approval:
        """Asks a person to approve something this agent is about to do and waits for the answer (``wait`` seconds); the
        session is ``waiting`` meanwhile. Act only when the result's ``state`` is ``"allowed"``."""
        return self.client.request_approval(self.id, summary, tool=tool, data=data, wait=wait)

    def update(self, **fields: Any) -> Session:
        self.session, commands = self.client._write("PATCH", f"/api/sessions/{_q(self.id)}", _update_body(fields))
        self._learn(commands)
        return self.session

    def add_usage(self, **usage: Any) -> Session:
        self.session, commands = self.client._write("POST", f"/api/sessions/{_q(self.id)}/usage", _usage(**usage))
        self._learn(commands)
        return self.session

    def __exit__(self, exc_type, exc, tb) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._stream is not None:
            self._stream.close()
        self._commands.put(None)
        if exc is None:
            self.session = self.client.terminate(self.id, reason="finished")
        else:
            message = f"{exc_type.__name__}: {exc}"[:1000]
            self.session = self.client.update_session(self.id, state="error", error_message=message)


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
