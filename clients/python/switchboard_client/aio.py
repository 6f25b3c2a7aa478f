"""The asyncio flavour: the same calls as coroutines, ``async with client.session(...)``, and ``async for`` over the stream."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, AsyncIterator, Iterable

from .client import BatchOperation, Client, _approval_slice, _command_on_topic, _q, _update_body, _usage
from .errors import Problem, TransportError
from .models import (
    Alert, AlertRule, Approval, BatchResult, Command, CommandList, Event, Fleet, Heartbeat, Session, SessionCount, SnapshotReset,
    SubscriberToken, Summary, UsageHistory, Webhook,
)
from .sse import Item, Subscriber, WebhooksFollower
from .streams import AsyncSessionStream, SessionStream


class AsyncClient:
    """Coroutine versions of :class:`Client`'s calls; the blocking HTTP runs in a worker thread."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 10.0):
        self.sync = Client(base_url, api_key, timeout)

    async def create_session(self, id: str | None = None, **fields: Any) -> Session:
        return await asyncio.to_thread(self.sync.create_session, id, **fields)

    async def get_session(self, id: str) -> Session:
        return await asyncio.to_thread(self.sync.get_session, id)

    async def list_sessions(self, **filters: Any) -> list[Session]:
        return await asyncio.to_thread(self.sync.list_sessions, **filters)

    async def update_session(self, id: str, **fields: Any) -> Session:
        return await asyncio.to_thread(self.sync.update_session, id, **fields)

    async def add_usage(self, id: str, **usage: Any) -> Session:
        return await asyncio.to_thread(self.sync.add_usage, id, **usage)

    async def heartbeat(self, id: str) -> Heartbeat:
        return await asyncio.to_thread(self.sync.heartbeat, id)

    async def terminate(self, id: str, reason: str | None = None, expected_version: int | None = None, *,
                        cascade: bool = False) -> Session:
        return await asyncio.to_thread(lambda: self.sync.terminate(id, reason, expected_version, cascade=cascade))

    async def children(self, id: str) -> list[Session]:
        return await asyncio.to_thread(self.sync.children, id)

    async def tree(self, id: str) -> list[Session]:
        return await asyncio.to_thread(self.sync.tree, id)

    async def batch(self, operations: Iterable[BatchOperation | dict[str, Any]]) -> list[BatchResult]:
        return await asyncio.to_thread(self.sync.batch, list(operations))

    async def count_sessions(self) -> SessionCount:
        return await asyncio.to_thread(self.sync.count_sessions)

    async def summary(self) -> Summary:
        return await asyncio.to_thread(self.sync.summary)

    async def get_fleet(self) -> Fleet:
        return await asyncio.to_thread(self.sync.get_fleet)

    async def pause_fleet(self) -> Fleet:
        return await asyncio.to_thread(self.sync.pause_fleet)

    async def resume_fleet(self) -> Fleet:
        return await asyncio.to_thread(self.sync.resume_fleet)

    async def create_subscriber_token(self, topics: list[str] | None = None, labels: dict[str, str] | None = None,
                                      ttl_seconds: int | None = None) -> SubscriberToken:
        return await asyncio.to_thread(self.sync.create_subscriber_token, topics, labels, ttl_seconds)

    async def usage(self, **query: Any) -> UsageHistory:
        return await asyncio.to_thread(lambda: self.sync.usage(**query))

    async def events(self, since: int = 0, session_id: str | None = None) -> list[Event]:
        return await asyncio.to_thread(lambda: list(self.sync.events(since, session_id)))

    async def list_alert_rules(self) -> list[AlertRule]:
        return await asyncio.to_thread(self.sync.list_alert_rules)

    async def create_alert_rule(self, name: str, condition: str, **fields: Any) -> AlertRule:
        return await asyncio.to_thread(lambda: self.sync.create_alert_rule(name, condition, **fields))

    async def get_alert_rule(self, id: str) -> AlertRule:
        return await asyncio.to_thread(self.sync.get_alert_rule, id)

    async def replace_alert_rule(self, id: str, name: str, condition: str, **fields: Any) -> AlertRule:
        return await asyncio.to_thread(lambda: self.sync.replace_alert_rule(id, name, condition, **fields))

    async def delete_alert_rule(self, id: str) -> None:
        return await asyncio.to_thread(self.sync.delete_alert_rule, id)

    async def list_alerts(self, state: str | None = None, limit: int | None = None) -> list[Alert]:
        return await asyncio.to_thread(self.sync.list_alerts, state, limit)

    async def get_alert(self, id: str) -> Alert:
        return await asyncio.to_thread(self.sync.get_alert, id)

    async def acknowledge_alert(self, id: str, by: str, note: str | None = None) -> Alert:
        return await asyncio.to_thread(self.sync.acknowledge_alert, id, by, note)

    async def list_webhooks(self) -> list[Webhook]:
        return await asyncio.to_thread(self.sync.list_webhooks)

    async def create_webhook(self, url: str, **fields: Any) -> Webhook:
        return await asyncio.to_thread(lambda: self.sync.create_webhook(url, **fields))

    async def get_webhook(self, id: str) -> Webhook:
        return await asyncio.to_thread(self.sync.get_webhook, id)

    async def replace_webhook(self, id: str, url: str, **fields: Any) -> Webhook:
        return await asyncio.to_thread(lambda: self.sync.replace_webhook(id, url, **fields))

    async def delete_webhook(self, id: str) -> None:
        return await asyncio.to_thread(self.sync.delete_webhook, id)

    async def replay_webhook(self, id: str, from_seq: int) -> Webhook:
        return await asyncio.to_thread(self.sync.replay_webhook, id, from_seq)

    def follow_webhooks(self, **options: Any) -> "AsyncWebhooksFollower":
        """``async for webhooks in client.follow_webhooks():`` the whole list of endpoints each time it is pushed, as
        :meth:`Client.follow_webhooks` (same options, same reconnects; a key scoped by labels raises :class:`Problem` 403)."""
        return AsyncWebhooksFollower(self.sync.follow_webhooks(**options))

    async def issue_command(self, session_id: str, type: str, text: str | None = None, **fields: Any) -> Command:
        return await asyncio.to_thread(lambda: self.sync.issue_command(session_id, type, text, **fields))

    async def list_commands(self, session_id: str, states: list[str] | None = None, limit: int | None = None) -> CommandList:
        return await asyncio.to_thread(self.sync.list_commands, session_id, states, limit)

    async def poll_commands(self, session_id: str, wait: int = 30, states: list[str] | None = None) -> CommandList:
        return await asyncio.to_thread(self.sync.poll_commands, session_id, wait, states)

    async def get_command(self, session_id: str, command_id: str) -> Command:
        return await asyncio.to_thread(self.sync.get_command, session_id, command_id)

    async def acknowledge_command(self, session_id: str, command_id: str, outcome: str = "done", note: str | None = None) -> Command:
        return await asyncio.to_thread(self.sync.acknowledge_command, session_id, command_id, outcome, note)

    async def withdraw_command(self, session_id: str, command_id: str) -> Command:
        return await asyncio.to_thread(self.sync.withdraw_command, session_id, command_id)

    async def request_approval(self, session_id: str, summary: str, *, tool: str | None = None, data: dict[str, Any] | None = None,
                               wait: float = 300) -> Approval:
        """As :meth:`Client.request_approval`. Each long-poll (at most 60 s) runs in a worker thread of its own, so a
        cancelled call asks no more once the one under way ends."""
        return await asyncio.to_thread(lambda: self.sync.request_approval(session_id, summary, tool=tool, data=data, wait=wait))

    async def get_approval(self, session_id: str, approval_id: str, wait: int | None = None) -> Approval:
        return await asyncio.to_thread(self.sync.get_approval, session_id, approval_id, wait)

    async def list_approvals(self, session_id: str, states: list[str] | None = None, limit: int | None = None) -> list[Approval]:
        return await asyncio.to_thread(self.sync.list_approvals, session_id, states, limit)

    async def answer_approval(self, session_id: str, approval_id: str, decision: str, note: str | None = None, *,
                              interrupt: bool = False, answers: dict[str, str] | None = None, suggestion: int | None = None) -> Approval:
        """As :meth:`Client.answer_approval`: ``allow`` (``suggestion``), ``deny`` (``interrupt``) or ``answer`` (``answers``)."""
        return await asyncio.to_thread(lambda: self.sync.answer_approval(session_id, approval_id, decision, note, interrupt=interrupt,
                                                                         answers=answers, suggestion=suggestion))

    def session(self, id: str | None = None, *, name: str | None = None, lease_seconds: int = 30,
                heartbeat_interval: float | None = None, commands_over_stream: bool = False, **fields: Any) -> "AsyncSessionContext":
        return AsyncSessionContext(self, id, name=name, lease_seconds=lease_seconds, heartbeat_interval=heartbeat_interval, fields=fields,
                                   commands_over_stream=commands_over_stream)

    def subscribe(self, topics: list[str] | str = "sessions", **options: Any) -> "AsyncSubscriber":
        return AsyncSubscriber(Subscriber(self.sync.base_url, topics, api_key=self.sync.api_key, **options))


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
            self._streams[name] = AsyncSessionStream(SessionStream(self.client.sync, self.id, name, content_type))
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
        self.session, commands = await asyncio.to_thread(self.client.sync._write, "PATCH", f"/api/sessions/{_q(self.id)}", _update_body(fields))
        self._learn(commands)
        return self.session

    async def add_usage(self, **usage: Any) -> Session:
        self.session, commands = await asyncio.to_thread(self.client.sync._write, "POST", f"/api/sessions/{_q(self.id)}/usage", _usage(**usage))
        self._learn(commands)
        return self.session

    async def __aexit__(self, exc_type, exc, tb) -> None:
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
    """``async for item in client.subscribe("sessions"):`` over a :class:`Subscriber` running in a thread."""

    def __init__(self, subscriber: Subscriber):
        self.subscriber = subscriber
        self._queue: asyncio.Queue[Any] | None = None
        self._thread: threading.Thread | None = None

    def close(self) -> None:
        self.subscriber.close()

    async def __aenter__(self) -> "AsyncSubscriber":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    def __aiter__(self) -> AsyncIterator[Item]:
        return self._items()

    def _source(self) -> Iterable[Any]:
        """What the worker thread iterates; its items are handed to ``async for`` in order."""
        return self.subscriber

    async def _items(self) -> AsyncIterator[Any]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        done = object()

        def hand(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the consumer's loop has closed: nobody reads any more
                self.subscriber.close()

        def pump() -> None:
            try:
                for item in self._source():
                    hand(item)
            except BaseException as e:  # handed to the consumer
                hand(e)
            hand(done)

        self._thread = threading.Thread(target=pump, daemon=True, name="switchboard-sse")
        self._thread.start()
        try:
            while True:
                item = await queue.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.subscriber.close()


class AsyncWebhooksFollower(AsyncSubscriber):
    """
    ``async for webhooks in client.follow_webhooks():`` — a :class:`WebhooksFollower` running in a thread: each item is
    the whole ``list[Webhook]`` as pushed. ``close()``, leaving ``async with`` or breaking out of the loop stops it.
    """

    def __init__(self, follower: WebhooksFollower):
        super().__init__(follower.subscriber)
        self.follower = follower

    async def __aenter__(self) -> "AsyncWebhooksFollower":
        return self

    def __aiter__(self) -> AsyncIterator[list[Webhook]]:  # type: ignore[override]
        return self._items()

    def _source(self) -> Iterable[Any]:
        return self.follower
