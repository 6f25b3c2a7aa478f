"""A session's durable streams, written by its producer (``session.stream("output").append(...)``, or ``await …`` in asyncio).

The protocol is written once, as generators of steps (:data:`Steps`): an :class:`HttpRequest` to exchange (the generator
is sent the answer's status and body, or thrown the transport's error) or a number of seconds to wait. :func:`run_blocking`
runs them on :class:`BlockingTransport` with ``time.sleep``, :func:`run_async` on :class:`AsyncTransport` with
``asyncio.sleep``; :class:`SessionStream` and :class:`AsyncSessionStream` differ only in how appenders wait for a batch.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import urllib.parse
from typing import Any, Generator, Union

from ._http import IDEMPOTENT, HttpRequest, answer
from .errors import TransportError

Steps = Generator[Union[HttpRequest, float], Any, None]
"""What a stream write does: requests to exchange (answered with ``(status, body)``) and pauses (seconds) between them."""

ATTEMPTS = 5


def stream_write(method: str, path: str, body: bytes | None, content_type: str, headers: dict[str, str],
                 api_key: str | None, timeout: float) -> Steps:
    """
    One Durable Streams write (a session stream's create or append). Repeated after a transport error only when that is
    safe: a create, or an append carrying idempotent-producer headers (the server recognises the retry); after 429 and
    503 always. An error status raises its :class:`Problem`.
    """
    retryable = method == "PUT" or "Producer-Id" in headers
    sent = {"Content-Type": content_type, **headers}
    if api_key:
        sent["Authorization"] = "Bearer " + api_key
    request = HttpRequest(method, path, path, body if body is not None else b"", sent, timeout, method in IDEMPOTENT)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            status, text = yield request
        except TransportError:
            if not retryable or attempt == ATTEMPTS:
                raise
            yield 0.05 * 2 ** attempt
            continue
        if status in (429, 503) and attempt < ATTEMPTS:
            yield 0.1 * 2 ** attempt
            continue
        if status >= 400:
            answer(request, status, text)  # raises the problem
        return


def run_blocking(steps: Steps, transport: Any) -> None:
    """Runs a write on the blocking transport, in the calling thread."""
    try:
        step = next(steps)
        while True:
            if isinstance(step, HttpRequest):
                try:
                    exchanged = transport.exchange(step)
                except BaseException as e:
                    step = steps.throw(e)
                    continue
                step = steps.send(exchanged)
            else:
                time.sleep(step)
                step = steps.send(None)
    except StopIteration:
        return
    finally:
        steps.close()


async def run_async(steps: Steps, transport: Any) -> None:
    """Runs a write on the asyncio transport, on the event loop."""
    try:
        step = next(steps)
        while True:
            try:
                if isinstance(step, HttpRequest):
                    exchanged = await transport.exchange(step)
                else:
                    await asyncio.sleep(step)
                    exchanged = None
            except BaseException as e:  # a cancel too: the write learns that its request may have gone
                step = steps.throw(e)
                continue
            step = steps.send(exchanged)
    except StopIteration:
        return
    finally:
        steps.close()


class _Producer:
    """
    The idempotent producer of one stream (``Producer-Id``, ``-Epoch``, ``-Seq``): what each batch sends, and the
    bookkeeping of its answer. Used by one sender at a time.
    """

    def __init__(self, client: Any, session_id: str, name: str, content_type: str):
        self.client = client
        self.content_type = content_type
        self.path = f"/v1/stream/sessions/{urllib.parse.quote(session_id, safe='')}/{urllib.parse.quote(name, safe='')}"
        self.json = content_type.split(";")[0].strip().lower() == "application/json"
        self.id = "sdk-" + secrets.token_hex(8)
        self.created = False
        self.epoch = 0
        self.seq = 0

    def body(self, chunks: list[bytes]) -> bytes:
        """A batch's body: the appends one after the other, or on a JSON stream the messages as one JSON array."""
        return b"[" + b",".join(chunks) + b"]" if self.json else b"".join(chunks)

    def send(self, chunks: list[bytes]) -> Steps:
        """Sends one batch: creates the stream first if this producer has not yet, then appends it as the next ``seq``.
        After a failure (whatever it is) a new epoch starts, so a later batch cannot be taken for this one's retry."""
        if not self.created:
            # A create of a stream that exists with the same content type answers 200, so a restarted producer goes on.
            yield from self._write("PUT", None, {})
            self.created = True
        headers = {"Producer-Id": self.id, "Producer-Epoch": str(self.epoch), "Producer-Seq": str(self.seq)}
        try:
            yield from self._write("POST", self.body(chunks), headers)
            self.seq += 1
        except BaseException:
            self.epoch += 1
            self.seq = 0
            raise

    def _write(self, method: str, body: bytes | None, headers: dict[str, str]) -> Steps:
        return stream_write(method, self.path, body, self.content_type, headers, self.client.api_key, self.client.timeout)


def _encode(data: str | bytes) -> bytes:
    return data.encode() if isinstance(data, str) else bytes(data)


def _message(message: Any) -> str:
    return json.dumps(message, separators=(",", ":"))


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
        self._producer = _Producer(client, session_id, name, content_type)
        self._lock = threading.Lock()
        self._pending: list[bytes] = []
        self._batch = _Batch()
        self._sending = False

    def append(self, data: str | bytes) -> None:
        """Appends text (UTF-8) or bytes; on a JSON stream, one message's JSON text. Raises :class:`Problem` when refused."""
        with self._lock:
            self._pending.append(_encode(data))
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
        self.append(_message(message))

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._sending = False
                    return
                chunks, batch = self._pending, self._batch
                self._pending, self._batch = [], _Batch()
            try:
                run_blocking(self._producer.send(chunks), self.client._transport)
            except BaseException as e:  # handed to every append of the batch
                batch.error = e
            batch.done.set()


class AsyncSessionStream:
    """
    :class:`SessionStream` for asyncio (``await s.stream("output").append(...)``), on the event loop with no thread:
    appends awaited while a request is on its way go together in the next one, with the same idempotent-producer
    headers. Each batch is sent by a task of the stream's, not by an appender, so cancelling ``await append(...)`` stops
    only that wait: once ``append`` has begun, its bytes go with their batch, and the other appends of that batch are
    answered as if nothing had happened.
    """

    def __init__(self, client: Any, session_id: str, name: str, content_type: str = "text/plain"):
        self.client = client
        self.name = name
        self.content_type = content_type
        self._producer = _Producer(client, session_id, name, content_type)
        self._pending: list[bytes] = []
        self._batch: asyncio.Future[None] | None = None
        self._sender: asyncio.Task[None] | None = None

    async def append(self, data: str | bytes) -> None:
        """Appends text (UTF-8) or bytes; on a JSON stream, one message's JSON text. Raises :class:`Problem` when refused."""
        loop = asyncio.get_running_loop()
        self._pending.append(_encode(data))
        if self._batch is None:
            self._batch = loop.create_future()
        batch = self._batch
        if self._sender is None:
            self._sender = loop.create_task(self._drain())
        # The batch is everyone's: a cancelled wait must not cancel it (awaiting a future directly would).
        await asyncio.shield(batch)

    async def append_json(self, message: Any) -> None:
        """Appends one message to a JSON stream."""
        await self.append(_message(message))

    async def wait_sent(self) -> None:
        """Waits until the appends begun so far have been answered (whether their appenders still wait or not)."""
        while (sender := self._sender) is not None:
            await asyncio.wait([sender])  # neither raises what the sender did nor cancels it when this wait is

    async def _drain(self) -> None:
        try:
            while self._pending:
                chunks, batch = self._pending, self._batch
                self._pending, self._batch = [], None
                assert batch is not None
                try:
                    await run_async(self._producer.send(chunks), self.client.transport)
                except asyncio.CancelledError:  # the loop is ending
                    batch.cancel()
                    raise
                except BaseException as e:  # handed to every append of the batch
                    batch.set_exception(e)
                else:
                    batch.set_result(None)
        finally:
            self._sender = None
            if self._batch is not None:  # cancelled: the appends not yet sent are not going to be
                self._pending, batch, self._batch = [], self._batch, None
                batch.cancel()
