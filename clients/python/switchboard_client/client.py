"""The synchronous client: the API calls on a blocking transport, and a leased session as a context manager."""

from __future__ import annotations

import functools
import queue
import threading
from typing import Any, Callable, Iterator

from ._calls import (  # noqa: F401  (BatchOperation and the body helpers are imported from here too)
    BatchOperation, Calls, Requests, _call, _approval_slice, _command_on_topic, _fields, _q, _update_body, _usage,
)
from ._http import BlockingTransport
from .errors import Problem, TransportError
from .models import Approval, Command, Event, Session
from .sse import WebhooksFollower
from .streams import run_blocking, stream_write


class Client(Calls):
    """``Client("http://127.0.0.1:5080", api_key=None)``. Every method raises :class:`Problem` on an error status."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._transport = BlockingTransport(self.base_url)

    # -- HTTP -------------------------------------------------------------------------------------------------------

    def _bind(self, call: _call[Any, Any]) -> Callable[..., Any]:
        @functools.wraps(call.requests, updated=())
        def bound(*args: Any, **kwargs: Any) -> Any:
            return self._run(call.requests(self, *args, **kwargs))
        del bound.__wrapped__  # type: ignore[attr-defined]
        bound.__signature__ = call.bound_signature  # type: ignore[attr-defined]
        return bound

    def _run(self, requests: Requests[Any]) -> Any:
        """Runs a call: sends each request it yields and hands it the answer, until it returns its value."""
        try:
            request = next(requests)
            while True:
                request = requests.send(self._transport.send(request))
        except StopIteration as done:
            return done.value
        finally:
            requests.close()

    def request(self, method: str, path: str, body: Any = None, query: dict[str, Any] | list[tuple[str, Any]] | None = None,
                timeout: float | None = None) -> Any:
        """One request to any API path: the answer's JSON, or :class:`Problem` raised."""
        return self._transport.send(self._http(method, path, body, query, timeout))

    def stream_request(self, method: str, path: str, body: bytes | None, content_type: str, headers: dict[str, str]) -> None:
        """
        Sends one Durable Streams write (a session stream's create or append). Repeated after a transport error only when
        that is safe: a create, or an append carrying idempotent-producer headers (the server recognises the retry).
        """
        run_blocking(stream_write(method, path, body, content_type, headers, self.api_key, self.timeout), self._transport)

    def events(self, since: int = 0, session_id: str | None = None) -> Iterator[Event]:
        """Replays logged events after ``since``, lazily (pages followed)."""
        while True:
            page = self._events_page(since, session_id)
            for e in page["events"]:
                yield Event.from_json(e)
            if not page["has_more"]:
                return
            since = page["next_since"]

    def follow_webhooks(self, **options: Any) -> WebhooksFollower:
        """
        Follows the endpoints live (the ``webhooks`` topic over SSE): iterate it to get the whole list, as
        :meth:`list_webhooks` gives it, when the stream opens and again whenever anything in it changes. Reconnects as
        :class:`Subscriber` does; a key scoped by labels raises :class:`Problem` 403. ``options`` are the subscriber's
        (``read_timeout``, ``min_backoff``, ``max_backoff``). See :class:`WebhooksFollower`.
        """
        return WebhooksFollower(self.base_url, api_key=self.api_key, **options)


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
