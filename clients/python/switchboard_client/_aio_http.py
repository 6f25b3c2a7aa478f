"""HTTP/1.1 on ``asyncio.open_connection``: the transport :class:`AsyncClient` awaits its calls on, no thread involved."""

from __future__ import annotations

import asyncio
import select
import ssl
import urllib.parse
from typing import Any, AsyncIterator

from ._http import HttpRequest, answer
from .errors import TransportError


class _Stale(ConnectionError):
    """A kept-alive connection closed before this request's answer began: the server may or may not have read it."""


class _Connection:
    """One TCP connection; owned by the request using it, or idle in the pool, never both."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, loop: asyncio.AbstractEventLoop):
        self.reader = reader
        self.writer = writer
        self.loop = loop

    @property
    def usable(self) -> bool:
        """
        Open and silent: an idle kept-alive connection with anything to read (the server's close, which the loop may not
        have seen yet) is not used again, so a request is not sent on a connection that is already gone.
        """
        if self.writer.is_closing() or self.reader.at_eof():
            return False
        sock = self.writer.get_extra_info("socket")
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def abort(self) -> None:
        """Closes at once, dropping anything unsent: a cancelled request's connection is useless to anyone else."""
        try:
            self.writer.transport.abort()
        except RuntimeError:  # its event loop is closed, and the socket with it
            pass


class AsyncTransport:
    """
    Sends each request on a kept-alive connection from a small pool, or a new one. A request owns its connection until
    the answer is read whole; then it goes back to the pool (at most ``pool_size`` idle). A request that is cancelled
    (``asyncio.wait_for``, a task cancelled at shutdown), times out or fails aborts its own connection, and only that one.
    ``timeout`` bounds the whole exchange: connecting, sending and reading the answer.
    """

    def __init__(self, base_url: str, pool_size: int = 4):
        url = urllib.parse.urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._host = url.hostname
        self._port = url.port or (443 if url.scheme == "https" else 80)
        self._ssl = ssl.create_default_context() if url.scheme == "https" else None
        self._authority = url.netloc.rpartition("@")[2]
        self._prefix = url.path.rstrip("/")
        self.pool_size = pool_size
        self._idle: list[_Connection] = []

    async def send(self, request: HttpRequest) -> Any:
        """The answer's JSON, or :class:`Problem` / :class:`TransportError` raised, as the blocking transport does."""
        status, body = await self.exchange(request)
        return answer(request, status, body)

    async def exchange(self, request: HttpRequest) -> tuple[int, bytes]:
        """The answer's status and body (de-chunked)."""
        try:
            async with asyncio.timeout(request.timeout):
                return await self._exchange(request)
        except TimeoutError:
            raise TransportError(f"{request.label}: timed out") from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:  # ValueError: a malformed answer, or a line too long
            raise TransportError(f"{request.label}: {e}") from e

    async def aclose(self) -> None:
        """Closes the idle connections (a request under way closes its own when it ends)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.abort()
        await asyncio.gather(*(c.writer.wait_closed() for c in idle if c.loop is asyncio.get_running_loop()), return_exceptions=True)

    async def _exchange(self, request: HttpRequest) -> tuple[int, bytes]:
        head = self._head(request)
        while True:
            connection = self._take()
            reused = connection is not None
            if connection is None:
                connection = await self._connect()
            try:
                status, body, keep = await _round_trip(connection, head, request)
            except _Stale:
                connection.abort()
                if reused and request.repeatable:
                    continue  # closed under it: the server may have read it or not, and the same request again is harmless
                raise
            except BaseException:
                connection.abort()
                raise
            if keep:
                self._give_back(connection)
            else:
                connection.abort()
            return status, body

    async def open_stream(self, request: HttpRequest) -> "AsyncStream":
        """
        Sends a request whose answer is read as it arrives (SSE), on a connection of its own that is never pooled.
        ``request.timeout`` bounds the opening; an error status is read whole and raised as :meth:`send` raises it.
        """
        try:
            async with asyncio.timeout(request.timeout):
                connection = await self._connect()
                try:
                    connection.writer.write(self._head(request) + (request.body or b""))
                    await connection.writer.drain()
                    _, status, headers = await _read_head(connection.reader, await connection.reader.readline())
                    if status != 200:
                        body, _ = await _read_body(connection.reader, request.method, status, headers)
                        answer(request, status, body)  # raises a problem
                        raise TransportError(f"{request.label}: HTTP {status}")
                except BaseException:
                    connection.abort()
                    raise
        except TimeoutError:
            raise TransportError(f"{request.label}: timed out") from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            raise TransportError(f"{request.label}: {e}") from e
        return AsyncStream(connection, headers)

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port, ssl=self._ssl)
        return _Connection(reader, writer, asyncio.get_running_loop())

    def _head(self, request: HttpRequest) -> bytes:
        lines = [f"{request.method} {self._prefix}{request.target} HTTP/1.1", f"Host: {self._authority}"]
        lines += [f"{name}: {value}" for name, value in request.headers.items()]
        if request.body is not None or request.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(request.body or b'')}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _take(self) -> _Connection | None:
        loop = asyncio.get_running_loop()
        while self._idle:
            connection = self._idle.pop()
            if connection.loop is loop and connection.usable:
                return connection
            connection.abort()  # closed by the server meanwhile, or left by an event loop that has ended
        return None

    def _give_back(self, connection: _Connection) -> None:
        if len(self._idle) < self.pool_size and connection.usable:
            self._idle.append(connection)
        else:
            connection.abort()


async def _round_trip(connection: _Connection, head: bytes, request: HttpRequest) -> tuple[int, bytes, bool]:
    """Sends the request and reads its answer: status, body and whether the connection may carry another request."""
    reader, writer = connection.reader, connection.writer
    try:
        writer.write(head + (request.body or b""))
        await writer.drain()
        line = await reader.readline()
    except ConnectionError as e:
        raise _Stale(str(e)) from e
    if not line:
        raise _Stale("the server closed the connection")
    while True:
        version, status, headers = await _read_head(reader, line)
        if not 100 <= status < 200:
            break
        line = await reader.readline()  # an interim answer (100 Continue): the real one follows
    body, delimited = await _read_body(reader, request.method, status, headers)
    keep = delimited and version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    return status, body, keep


async def _read_body(reader: asyncio.StreamReader, method: str, status: int, headers: dict[str, str]) -> tuple[bytes, bool]:
    """The body, and whether it ended by its own framing (else by the end of the connection)."""
    if method == "HEAD" or status in (204, 304):
        return b"", True
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader), True
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"])), True
    return await reader.read(), False


async def _read_head(reader: asyncio.StreamReader, status_line: bytes) -> tuple[str, int, dict[str, str]]:
    if not status_line:
        raise asyncio.IncompleteReadError(b"", None)
    parts = status_line.decode("latin-1").split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError(f"not an HTTP answer: {status_line[:80]!r}")
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n"):
        if not line:
            raise asyncio.IncompleteReadError(b"", None)
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return parts[0], int(parts[1]), headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readline()
        if not size_line:
            raise asyncio.IncompleteReadError(b"", None)
        size = int(size_line.split(b";", 1)[0].strip(), 16)  # a chunk extension after ';' is ignored
        if size == 0:
            while (line := await reader.readline()) not in (b"\r\n", b"\n"):  # trailers, ignored
                if not line:
                    raise asyncio.IncompleteReadError(b"", None)
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ValueError("a chunk does not end with CRLF")


class AsyncStream:
    """An answer read as it arrives, owned by its one reader; :meth:`close` (on the loop) aborts its connection."""

    def __init__(self, connection: _Connection, headers: dict[str, str]):
        self._connection = connection
        self._chunked = "chunked" in headers.get("transfer-encoding", "").lower()

    async def pieces(self, read_timeout: float) -> AsyncIterator[bytes]:
        """The body as it comes (de-chunked), until it ends or the connection closes; a read waits ``read_timeout``."""
        reader = self._connection.reader
        while True:
            async with asyncio.timeout(read_timeout):
                if self._chunked:
                    size_line = await reader.readline()
                    if not size_line or (size := int(size_line.split(b";", 1)[0].strip(), 16)) == 0:
                        return
                    piece = await reader.readexactly(size)
                    await reader.readexactly(2)
                else:
                    piece = await reader.read(65536)
                    if not piece:
                        return
            yield piece

    def close(self) -> None:
        self._connection.abort()
