"""The SSE subscriber: ``GET /api/stream``, resuming with ``Last-Event-ID`` after any disconnect."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterator, Union

from .errors import Problem, TransportError
from .models import Event, Joined, Session, SnapshotReset, Summary, Webhook, webhooks_from_json

Item = Union[Event, Joined, SnapshotReset]


class Subscriber:
    """
    Iterate it to get, in order: a :class:`SnapshotReset` whenever local state must be replaced (the first connect, or a
    resume the server could not honour), a :class:`Joined` after each successful resume, and every :class:`Event`.
    Reconnects with backoff and resumes from the last ``seq`` seen, so logged events arrive once each and without gaps.
    ``close()`` (from any thread) ends the iteration.
    """

    def __init__(self, base_url: str, topics: list[str] | str = "sessions", *, since: int | None = None,
                 epoch: str | None = None, labels: dict[str, str] | None = None, api_key: str | None = None,
                 read_timeout: float = 40.0, min_backoff: float = 0.2, max_backoff: float = 5.0, subtree: bool = False):
        self.base_url = base_url.rstrip("/")
        self.topics = [topics] if isinstance(topics, str) else list(topics)
        self.last_seq = since
        self.epoch = epoch
        self.labels = labels or {}
        self.subtree = subtree
        self.api_key = api_key
        self.read_timeout = read_timeout
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.connects = 0
        self._closed = threading.Event()
        # A duplicate of the open connection's descriptor, taken while it was surely open, for close() to shut down from
        # another thread. It keeps its own descriptor number, so it can never name another socket after the reader
        # closes the response; the lock orders close() against the reader's own clean-up.
        self._lock = threading.Lock()
        self._shutdown_handle: socket.socket | None = None

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            # A read under way holds the response's buffer until the server sends something (its heartbeat comes every
            # 15 s). Shutting the connection down ends that read at once, and the reader then closes the response
            # itself: closing it from this thread would race the reader inside it.
            if self._shutdown_handle is not None:
                try:
                    self._shutdown_handle.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # the server closed it first

    def __enter__(self) -> "Subscriber":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __iter__(self) -> Iterator[Item]:
        backoff = self.min_backoff
        while not self._closed.is_set():
            try:
                for item in self._connect_once():
                    backoff = self.min_backoff
                    yield item
            except Problem as p:
                if p.status not in (429, 503):
                    raise
            except (TransportError, OSError, ValueError, http.client.HTTPException):
                pass
            if self._closed.wait(backoff):
                return
            backoff = min(backoff * 2, self.max_backoff)

    def _target(self) -> str:
        """The stream's path and query: the topics, labels, and the epoch to resume in."""
        query: list[tuple[str, str]] = [("topics", ",".join(self.topics))]
        query += [("label", f"{k}={v}") for k, v in self.labels.items()]
        if self.epoch:
            query.append(("epoch", self.epoch))
        if self.subtree:
            query.append(("subtree", "true"))
        return f"/api/stream?{urllib.parse.urlencode(query)}"

    def _headers(self) -> dict[str, str]:
        """The next connect's headers: ``Last-Event-ID`` resumes after the last ``seq`` seen."""
        headers = {"Accept": "text/event-stream"}
        if self.last_seq is not None:
            headers["Last-Event-ID"] = str(self.last_seq)
        if self.api_key:
            headers["Authorization"] = "Bearer " + self.api_key
        return headers

    def _connect_once(self) -> Iterator[Item]:
        req = urllib.request.Request(self.base_url + self._target(), headers=self._headers())
        try:
            response = urllib.request.urlopen(req, timeout=self.read_timeout)
        except urllib.error.HTTPError as e:
            try:
                raise Problem.from_json(json.loads(e.read()), e.code) from None
            except ValueError:
                raise TransportError(f"stream: HTTP {e.code}") from None
        except urllib.error.URLError as e:
            raise TransportError(f"stream: {e}") from e
        try:
            handle = socket.fromfd(response.fileno(), socket.AF_INET, socket.SOCK_STREAM)
        except OSError:
            handle = None
        with self._lock:
            if self._closed.is_set():
                if handle is not None:
                    handle.close()
                response.close()
                return
            self._shutdown_handle = handle
        self.connects += 1
        asked = self.last_seq
        try:
            events = EventFraming()
            for raw in response:
                if self._closed.is_set():
                    return
                if (event := events.feed(raw.decode("utf-8").rstrip("\r\n"))) is not None:
                    if (item := self._dispatch(*event, asked)) is not None:
                        yield item
        finally:
            with self._lock:
                self._shutdown_handle = None
            if handle is not None:
                handle.close()
            response.close()

    def _dispatch(self, event_type: str, text: str, asked: int | None) -> Item | None:
        payload = json.loads(text)
        if event_type == "joined":
            self.epoch = payload["epoch"]
            if payload.get("resumed") and asked is not None:
                return Joined(topic=payload["topic"], seq=payload["seq"], epoch=payload["epoch"], resumed=True,
                              replayed=payload.get("replayed", 0))
            # A fresh snapshot: local state is replaced, and the stream continues after its seq.
            self.last_seq = payload["seq"]
            summary = payload.get("summary")
            return SnapshotReset(
                topic=payload["topic"], seq=payload["seq"], epoch=payload["epoch"],
                sessions=[Session.from_json(s) for s in payload.get("sessions", payload.get("descendants", []))],
                summary=Summary.from_json(summary) if summary else None, next_cursor=payload.get("next_cursor"),
                session=Session.from_json(payload["session"]) if payload.get("session") else None)
        if not isinstance(payload, dict) or "type" not in payload or "epoch" not in payload:
            return None
        event = Event.from_json(payload)
        if event.seq is not None:
            if self.last_seq is not None and event.seq <= self.last_seq:
                return None
            self.last_seq = event.seq
        return event


class EventFraming:
    """SSE framing, fed a line at a time (without its end): an ``(event type, data)`` pair at each blank line ending one."""

    def __init__(self) -> None:
        self._type = "message"
        self._data: list[str] = []

    def feed(self, line: str) -> tuple[str, str] | None:
        if line == "":
            event = (self._type, "\n".join(self._data)) if self._data else None
            self._type, self._data = "message", []
            return event
        if not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                self._type = value
            elif name == "data":
                self._data.append(value)
        return None


def webhooks_pushed(item: Item) -> list[Webhook] | None:
    """The whole list of endpoints an item of the ``webhooks`` topic pushes, else None."""
    if isinstance(item, Event) and item.type == "webhooks":
        return webhooks_from_json(item.data)
    return None


class WebhooksFollower:
    """
    The webhook endpoints, live (the ``webhooks`` topic): iterate it to get, each time the server pushes it, the whole
    list as ``Client.list_webhooks()`` gives it (``list[Webhook]``, no secrets): once the stream opens (an empty list when
    there are none), then whenever anything in it changes (an endpoint created, changed or removed, a delivery attempt,
    the lag). It runs on a :class:`Subscriber`, so it reconnects with backoff as that does; the list is whole, so there is
    nothing to resume and each reconnect brings the current one. The topic is fleet-wide: a key (or token) scoped by
    labels is refused, and iterating raises :class:`Problem` 403. ``close()`` (from any thread) ends the iteration.
    """

    def __init__(self, base_url: str, *, api_key: str | None = None, read_timeout: float = 40.0, min_backoff: float = 0.2,
                 max_backoff: float = 5.0):
        self.subscriber = Subscriber(base_url, "webhooks", api_key=api_key, read_timeout=read_timeout,
                                     min_backoff=min_backoff, max_backoff=max_backoff)

    @property
    def connects(self) -> int:
        """How many times the stream was opened (1 until a reconnect)."""
        return self.subscriber.connects

    def close(self) -> None:
        self.subscriber.close()

    def __enter__(self) -> "WebhooksFollower":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __iter__(self) -> Iterator[list[Webhook]]:
        for item in self.subscriber:
            if (webhooks := webhooks_pushed(item)) is not None:
                yield webhooks
