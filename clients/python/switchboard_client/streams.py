"""A session's durable streams, written by its producer (``session.stream("output").append(...)``, or ``await …`` in asyncio)."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import urllib.parse
from typing import Any


class _Batch:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None


class SessionStream:
    """
    One durable stream of a session (``/v1/stream/sessions/{id}/{name}``). ``append`` returns once its bytes are durable
    on the server; appends made by other threads while a request is on its way go together in the next one. Each request
    is an idempotent producer's (``Producer-Id``, ``-Epoch``, ``-Seq``), so a retry after a lost answer is never appended
    twice; after a failure a new epoch starts, so a later append cannot be taken for that retry.
    """

    def __init__(self, client: Any, session_id: str, name: str, content_type: str = "text/plain"):
        self.client = client
        self.name = name
        self.content_type = content_type
        self._path = f"/v1/stream/sessions/{urllib.parse.quote(session_id, safe='')}/{urllib.parse.quote(name, safe='')}"
        self._json = content_type.split(";")[0].strip().lower() == "application/json"
        self._producer = "sdk-" + secrets.token_hex(8)
        self._lock = threading.Lock()
        self._pending: list[bytes] = []
        self._batch = _Batch()
        self._sending = False
        self._created = False
        self._epoch = 0
        self._seq = 0

    def append(self, data: str | bytes) -> None:
        """Appends text (UTF-8) or bytes; on a JSON stream, one message's JSON text. Raises :class:`Problem` when refused."""
        with self._lock:
            self._pending.append(data.encode() if isinstance(data, str) else bytes(data))
            batch = self._batch
            lead = not self._sending
            self._sending = True
        if lead:
            self._drain()
        batch.done.wait()
        if batch.error is not None:
            raise batch.error

    def append_json(self, message: Any) -> None:
        """Appends one message to a JSON stream."""
        self.append(json.dumps(message, separators=(",", ":")))

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._sending = False
                    return
                chunks, batch = self._pending, self._batch
                self._pending, self._batch = [], _Batch()
            try:
                self._send(b"[" + b",".join(chunks) + b"]" if self._json else b"".join(chunks))
            except BaseException as e:  # handed to every append of the batch
                batch.error = e
            batch.done.set()

    def _send(self, body: bytes) -> None:
        if not self._created:
            # A create of a stream that exists with the same content type answers 200, so a restarted producer goes on.
            self.client.stream_request("PUT", self._path, None, self.content_type, {})
            self._created = True
        headers = {"Producer-Id": self._producer, "Producer-Epoch": str(self._epoch), "Producer-Seq": str(self._seq)}
        try:
            self.client.stream_request("POST", self._path, body, self.content_type, headers)
            self._seq += 1
        except BaseException:
            self._epoch += 1
            self._seq = 0
            raise


class AsyncSessionStream:
    """
    :class:`SessionStream` for asyncio (``await s.stream("output").append(...)``): each append waits in a worker thread,
    so appends awaited together share requests as threads do, with the same idempotent-producer headers.
    """

    def __init__(self, stream: SessionStream):
        self.sync = stream
        self.name = stream.name
        self.content_type = stream.content_type

    async def append(self, data: str | bytes) -> None:
        """Appends text (UTF-8) or bytes; on a JSON stream, one message's JSON text. Raises :class:`Problem` when refused."""
        await asyncio.to_thread(self.sync.append, data)

    async def append_json(self, message: Any) -> None:
        """Appends one message to a JSON stream."""
        await asyncio.to_thread(self.sync.append_json, message)
