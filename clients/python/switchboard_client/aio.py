"""The asyncio flavour: the same calls as coroutines, ``async with client.session(...)``, and ``async for`` over the stream."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import Any, AsyncGenerator, AsyncIterator, Callable

from ._aio_http import AsyncStream, AsyncTransport
from ._calls import Calls, Requests, _call, _command_on_topic, _q, _update_body, _usage
from ._http import HttpRequest
from .client import Client
from .errors import Problem, TransportError
from .models import Approval, Command, Event, Session, SnapshotReset, Webhook
from .sse import EventFraming, Item, Subscriber, WebhooksFollower, webhooks_pushed
from .streams import AsyncSessionStream, run_async, stream_write


class AsyncClient(Calls):
    """
    Every call of :class:`Client`, as a coroutine: the same requests, sent over ``asyncio`` connections (kept alive, at
    most ``pool_size`` idle) by the event loop itself. Cancelling a call (``asyncio.wait_for``, a cancelled task) closes
    its connection at once; no thread waits for the answer. ``await client.aclose()`` (or ``async with``) closes the idle
    connections.
    """

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 10.0, *, pool_size: int = 4):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.transport = AsyncTransport(self.base_url, pool_size)
        # The blocking client of the same server (its webhooks follower is read over asyncio by AsyncWebhooksFollower).
        self.sync = Client(base_url, api_key, timeout)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    def _bind(self, call: _call[Any, Any]) -> Callable[..., Any]:
        @functools.wraps(call.requests, updated=())
        async def bound(*args: Any, **kwargs: Any) -> Any:
            return await self._run(call.requests(self, *args, **kwargs))
        del bound.__wrapped__  # type: ignore[attr-defined]
        bound.__signature__ = call.bound_signature  # type: ignore[attr-defined]
        return bound

    async def _run(self, requests: Requests[Any]) -> Any:
        """Runs a call: awaits each request it yields and hands it the answer, until it returns its value."""
        try:
            request = next(requests)
            while True:
                request = requests.send(await self.transport.send(request))
        except StopIteration as done:
            return done.value
        finally:
            requests.close()

    async def request(self, method: str, path: str, body: Any = None, query: dict[str, Any] | list[tuple[str, Any]] | None = None,
                      timeout: float | None = None) -> Any:
        """One request to any API path: the answer's JSON, or :class:`Problem` raised."""
        return await self.transport.send(self._http(method, path, body, query, timeout))

    async def stream_request(self, method: str, path: str, body: bytes | None, content_type: str, headers: dict[str, str]) -> None:
        """:meth:`Client.stream_request` on the event loop: one Durable Streams write, repeated only when that is safe."""
        await run_async(stream_write(method, path, body, content_type, headers, self.api_key, self.timeout), self.transport)

    async def events(self, since: int = 0, session_id: str | None = None) -> list[Event]:
        """The logged events after ``since`` (pages followed)."""
        out: list[Event] = []
        while True:
            page = await self._events_page(since, session_id)
            out.extend(Event.from_json(e) for e in page["events"])
            if not page["has_more"]:
                return out
            since = page["next_since"]

    def follow_webhooks(self, **options: Any) -> "AsyncWebhooksFollower":
        """``async for webhooks in client.follow_webhooks():`` the whole list of endpoints each time it is pushed, as
        :meth:`Client.follow_webhooks` (same options, same reconnects; a key scoped by labels raises :class:`Problem` 403)."""
        return AsyncWebhooksFollower(self.sync.follow_webhooks(**options))

    def session(self, id: str | None = None, *, name: str | None = None, lease_seconds: int = 30,
                heartbeat_interval: float | None = None, commands_over_stream: bool = False, **fields: Any) -> "AsyncSessionContext":
        return AsyncSessionContext(self, id, name=name, lease_seconds=lease_seconds, heartbeat_interval=heartbeat_interval, fields=fields,
                                   commands_over_stream=commands_over_stream)

    def subscribe(self, topics: list[str] | str = "sessions", **options: Any) -> "AsyncSubscriber":
        return AsyncSubscriber(Subscriber(self.base_url, topics, api_key=self.api_key, **options))


class AsyncSessionContext:
    """
    ``async with client.session(name=…, lease_seconds=30) as s:`` — heartbeats in a task; terminate or error on exit.
    Commands arrive with the answers to its heartbeats, updates and usage (and, with ``commands_over_stream=True``, from
    its topic over SSE the moment they are issued): ``async for cmd in s.commands():`` yields each once,
    ``await s.ack(cmd)`` answers it. ``s.stream(name)`` and ``await s.request_approval(...)`` as in :class:`SessionContext`.
    """

    def __init__(self, client: AsyncClient, id: str | None, *, name: str | None, lease_seconds: int,
                 heartbeat_interval: float | None, fields: dict[str, Any], commands_over_stream: bool = False):
        self.client = client
        self._id = id
        self._name = name
        self._lease_seconds = lease_seconds
        self._interval = heartbeat_interval or max(lease_seconds / 3, 0.2)
        self._fields = fields
        self._task: asyncio.Task[None] | None = None
        self.session: Session | None = None
        self.heartbeats = 0
        self.heartbeat_error: BaseException | None = None
        self._commands: asyncio.Queue[Command | None] = asyncio.Queue()
        self._seen: set[str] = set()
        self._over_stream = commands_over_stream
        self._subscriber: AsyncSubscriber | None = None
        self._listener: asyncio.Task[None] | None = None
        self._streams: dict[str, AsyncSessionStream] = {}

    @property
    def id(self) -> str:
        assert self.session is not None
        return self.session.id

    async def __aenter__(self) -> "AsyncSessionContext":
        fields = {"state": "working", **self._fields}
        self.session = await self.client.create_session(self._id, name=self._name, lease_seconds=self._lease_seconds, **fields)
        self._task = asyncio.create_task(self._beat())
        if self._over_stream:
            self._subscriber = self.client.subscribe(f"session:{self.id}")
            self._listener = asyncio.create_task(self._listen())
        return self

    def stream(self, name: str, content_type: str = "text/plain") -> AsyncSessionStream:
        """The session's durable stream ``name`` (``/v1/stream/sessions/{id}/{name}``), created on its first append."""
        if name not in self._streams:
            self._streams[name] = AsyncSessionStream(self.client, self.id, name, content_type)
        return self._streams[name]

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                self._learn((await self.client.heartbeat(self.id)).commands)
                self.heartbeats += 1
            except (Problem, TransportError) as e:
                self.heartbeat_error = e

    async def _listen(self) -> None:
        """Follows ``session:{id}`` over SSE (resuming by ``Last-Event-ID``); after a snapshot, reads what is outstanding."""
        assert self._subscriber is not None
        try:
            async for item in self._subscriber:
                if isinstance(item, SnapshotReset):
                    self._learn((await self.client.list_commands(self.id, ["pending", "delivered"])).commands)
                elif (command := _command_on_topic(item)) is not None:
                    self._learn([command])
        except (Problem, TransportError) as e:
            self.heartbeat_error = e

    def _learn(self, commands: list[Command]) -> None:
        for command in commands:
            if command.state in ("pending", "delivered") and command.session_id == self.id and command.id not in self._seen:
                self._seen.add(command.id)
                self._commands.put_nowait(command)

    async def commands(self, wait: float | None = None) -> AsyncIterator[Command]:
        """Each command issued to the session, once; ends with the block, or after ``wait`` seconds without one."""
        while True:
            try:
                command = await asyncio.wait_for(self._commands.get(), wait)
            except asyncio.TimeoutError:
                return
            if command is None:
                return
            yield command

    async def ack(self, command: Command, outcome: str = "done", note: str | None = None) -> Command:
        return await self.client.acknowledge_command(self.id, command.id, outcome, note)

    async def request_approval(self, summary: str, *, tool: str | None = None, data: dict[str, Any] | None = None, wait: float = 300) -> Approval:
        """Asks a person to approve something this agent is about to do and waits for the answer (``wait`` seconds); the
        session is ``waiting`` meanwhile. Act only when the result's ``state`` is ``"allowed"``."""
        return await self.client.request_approval(self.id, summary, tool=tool, data=data, wait=wait)

    async def update(self, **fields: Any) -> Session:
        self.session, commands = await self.client._write("PATCH", f"/api/sessions/{_q(self.id)}", _update_body(fields))
        self._learn(commands)
        return self.session

    async def add_usage(self, **usage: Any) -> Session:
        self.session, commands = await self.client._write("POST", f"/api/sessions/{_q(self.id)}/usage", _usage(**usage))
        self._learn(commands)
        return self.session

    async def __aexit__(self, exc_type, exc, tb) -> None:
        for stream in self._streams.values():  # appends whose appenders stopped waiting land before the session ends
            await stream.wait_sent()
        self._commands.put_nowait(None)
        if self._subscriber is not None:
            self._subscriber.close()
        for task in (self._task, self._listener):
            if task is not None:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
        if exc is None:
            self.session = await self.client.terminate(self.id, reason="finished")
        else:
            self.session = await self.client.update_session(self.id, state="error", error_message=f"{exc_type.__name__}: {exc}"[:1000])


class AsyncSubscriber:
    """
    ``async for item in client.subscribe("sessions"):`` — a :class:`Subscriber` read over ``asyncio``: the same items,
    resumes and backoff, with no thread. ``close()``, leaving ``async with`` or breaking out of the loop ends it and
    closes its connection.
    """

    def __init__(self, subscriber: Subscriber):
        self.subscriber = subscriber
        self._transport = AsyncTransport(subscriber.base_url)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self._stream: AsyncStream | None = None

    @property
    def connects(self) -> int:
        """How many times the stream was opened."""
        return self.subscriber.connects

    def close(self) -> None:
        """Ends the iteration; from the loop's thread or any other."""
        self.subscriber.close()
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._abort()
        else:
            try:
                loop.call_soon_threadsafe(self._abort)
            except RuntimeError:  # the loop has closed: nothing is reading
                pass

    def _abort(self) -> None:
        if self._closing is not None:
            self._closing.set()
        if self._stream is not None:
            self._stream.close()  # ends the read under way; the reader then finds itself closed

    async def __aenter__(self) -> "AsyncSubscriber":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    def __aiter__(self) -> AsyncIterator[Item]:
        return self._items()

    async def _items(self) -> AsyncGenerator[Item, None]:
        sub = self.subscriber
        self._loop = asyncio.get_running_loop()
        self._closing = asyncio.Event()
        backoff = sub.min_backoff
        try:
            while not sub._closed.is_set():
                try:
                    async with contextlib.aclosing(self._connect_once()) as items:
                        async for item in items:
                            backoff = sub.min_backoff
                            yield item
                except Problem as p:
                    if p.status not in (429, 503):
                        raise
                except (TransportError, OSError, ValueError, asyncio.IncompleteReadError):
                    pass
                try:
                    await asyncio.wait_for(self._closing.wait(), backoff)
                    return
                except asyncio.TimeoutError:
                    backoff = min(backoff * 2, sub.max_backoff)
        finally:
            self.close()

    async def _connect_once(self) -> AsyncGenerator[Item, None]:
        sub = self.subscriber
        target = sub._target()
        request = HttpRequest("GET", target.partition("?")[0], target, None, sub._headers(), sub.read_timeout, True)
        stream = await self._transport.open_stream(request)
        if sub._closed.is_set():
            stream.close()
            return
        self._stream = stream
        sub.connects += 1
        asked = sub.last_seq
        events = EventFraming()
        rest = b""
        try:
            async for piece in stream.pieces(sub.read_timeout):
                *lines, rest = (rest + piece).split(b"\n")
                for line in lines:
                    if sub._closed.is_set():
                        return
                    if (event := events.feed(line.decode("utf-8").rstrip("\r"))) is not None:
                        if (item := sub._dispatch(*event, asked)) is not None:
                            yield item
        finally:
            self._stream = None
            stream.close()


class AsyncWebhooksFollower(AsyncSubscriber):
    """
    ``async for webhooks in client.follow_webhooks():`` — a :class:`WebhooksFollower` read over ``asyncio``: each item
    is the whole ``list[Webhook]`` as pushed. ``close()``, leaving ``async with`` or breaking out of the loop stops it.
    """

    def __init__(self, follower: WebhooksFollower):
        super().__init__(follower.subscriber)
        self.follower = follower

    async def __aenter__(self) -> "AsyncWebhooksFollower":
        return self

    def __aiter__(self) -> AsyncIterator[list[Webhook]]:  # type: ignore[override]
        return self._webhooks()

    async def _webhooks(self) -> AsyncGenerator[list[Webhook], None]:
        async with contextlib.aclosing(self._items()) as items:
            async for item in items:
                if (webhooks := webhooks_pushed(item)) is not None:
                    yield webhooks
