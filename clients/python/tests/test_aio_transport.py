"""The asyncio client's own HTTP transport against the real server: a cancelled call closes its connection at once and
holds no thread, sequential calls share one kept-alive connection (and survive the server closing it), chunked answers
and problems read on the event loop alone, and the SSE subscriber reads, resumes and closes with no thread."""

import asyncio
import concurrent.futures
import http.client
import os
import threading
import time

import pytest

from conftest import new_id
from switchboard_client import AsyncClient, Event, Joined, Problem, Session, SnapshotReset, TransportError


def connections_to(port: int) -> set[int]:
    """The local ports of this process's established TCP connections to ``127.0.0.1:port`` (from /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    ports = set()
    with open("/proc/net/tcp") as table:
        for row in list(table)[1:]:
            fields = row.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if state == "01" and inode in inodes and int(remote.split(":")[1], 16) == port:
                ports.add(int(local.split(":")[1], 16))
    return ports


class NoThreads(concurrent.futures.ThreadPoolExecutor):
    """A default executor that fails whatever is handed to it: the calls under test must run on the event loop alone."""

    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError("a call was handed to a worker thread")


def test_cancelled_calls_close_their_connections_at_once_and_hold_no_thread(shared_server):
    # More long polls than the default executor has threads (min(32, cpus + 4)), each cancelled by wait_for while the
    # server holds it: none may keep a worker thread or a socket.
    polls = (os.cpu_count() or 1) + 8

    async def main():
        c = AsyncClient(shared_server.url)
        session_id = (await c.create_session(new_id("aio-cancel"))).id
        before = connections_to(shared_server.port)
        started = time.monotonic()
        results = await asyncio.gather(*(asyncio.wait_for(c.poll_commands(session_id, wait=10), 1.5) for _ in range(polls)),
                                       return_exceptions=True)
        elapsed = time.monotonic() - started
        # Each was still held by the server (no command was issued) when it was cancelled.
        assert [type(r) for r in results] == [asyncio.TimeoutError] * polls
        # Bounds far from what they guard, so that a loaded machine cannot trip them: a cancel that waited for the server's
        # answer would take the polls' 10 s, and a worker thread still held would be free only about 8.5 s from now.
        assert elapsed < 8
        # The default executor is free: a job handed to it now runs at once, not after the server lets the polls go.
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "ran"), 5) == "ran"
        assert connections_to(shared_server.port) - before == set(), "a cancelled call left its connection open"
        # And the client goes on working.
        assert (await c.get_session(session_id)).id == session_id
        await c.aclose()

    asyncio.run(main())


def test_sequential_calls_share_one_kept_alive_connection_and_survive_the_server_closing_it(own_server):
    async def main():
        c = AsyncClient(own_server.url)
        session_id = (await c.create_session(new_id("aio-keep"))).id
        used = set()
        for _ in range(5):
            assert (await c.get_session(session_id)).id == session_id
            used |= connections_to(own_server.port)
        assert len(used) == 1, f"five calls used {len(used)} connections"

        # The server goes away and comes back on the same port: the pooled connection is dead, the next call
        # notices before anything was answered and sends its request on a new connection.
        own_server.kill9()
        own_server.start()
        assert (await c.get_session(session_id)).id == session_id
        assert len(connections_to(own_server.port)) == 1
        await c.aclose()
        assert connections_to(own_server.port) == set(), "aclose left the idle connection open"

    asyncio.run(main())


def test_chunked_answers_and_problems_are_read_on_the_event_loop(shared_server):
    session_id = new_id("aio-chunked")
    # The server answers JSON chunked (no Content-Length): this test reads that framing.
    raw = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=10)
    raw.request("GET", "/api/sessions")
    answer = raw.getresponse()
    answer.read()
    raw.close()
    assert answer.getheader("Transfer-Encoding") == "chunked"

    async def main():
        asyncio.get_running_loop().set_default_executor(NoThreads())
        c = AsyncClient(shared_server.url)
        created = await c.create_session(session_id, labels={"suite": "aio"}, metadata={"text": "é" * 5000})
        assert isinstance(created, Session) and created.metadata == {"text": "é" * 5000}  # a longer body
        assert (await c.update_session(session_id, state="idle")).state == "idle"
        assert session_id in [s.id for s in await c.list_sessions(labels={"suite": "aio"})]
        assert [e.type for e in await c.events(session_id=session_id)][:2] == ["session_created", "session_updated"]

        with pytest.raises(Problem) as missing:
            await c.get_session(new_id("aio-missing"))
        assert (missing.value.status, missing.value.code) == (404, "session_not_found")
        with pytest.raises(Problem) as bad:
            await c.create_session(new_id("aio-bad"), state="sleeping")
        assert (bad.value.status, bad.value.code, bad.value.field) == (400, "invalid_field", "state")
        with pytest.raises(Problem) as gone:
            await c.acknowledge_command(session_id, "cmd-that-was-never-issued")
        assert gone.value.status == 404

        hook = await c.create_webhook("http://127.0.0.1:9/hook")
        assert await c.delete_webhook(hook.id) is None  # 204, no body
        # After problems and a 204, the connection still carries the next request.
        assert (await c.get_session(session_id)).state == "idle"
        await c.aclose()

    asyncio.run(main())


def with_length(head: bytes, body: bytes) -> bytes:
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_every_framing_of_an_answer_is_read_on_the_event_loop():
    # The real server answers chunked or empty; a scripted peer sends the other framings HTTP/1.1 allows, each answer
    # in small pieces, on one connection until it says close.
    answers = [
        with_length(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", b'{"alerts": []}\n'),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'4;ext=1\r\n{"is\r\n9\r\n_paused":\r\n6\r\n true}\r\n0\r\nX-Trailer: t\r\n\r\n',
        with_length(b"HTTP/1.1 409 Conflict\r\nContent-Type: application/problem+json\r\n",
                    b'{"status":409,"code":"version_conflict","detail":"stale"}'),
        with_length(b"HTTP/1.1 502 Bad Gateway\r\n", b"no json"),
        b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"is_paused": false}',
    ]
    requests: list[bytes] = []
    connections = 0

    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while answers:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
            requests.append(head + await reader.readexactly(length))
            answer = answers.pop(0)
            for i in range(0, len(answer), 7):
                writer.write(answer[i:i + 7])
                await writer.drain()
        writer.close()

    async def main():
        asyncio.get_running_loop().set_default_executor(NoThreads())
        server = await asyncio.start_server(peer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        c = AsyncClient(f"http://127.0.0.1:{port}/", api_key="k-123")
        assert await c.list_alerts(state="open", limit=5) == []
        assert (await c.pause_fleet()).is_paused is True
        with pytest.raises(Problem) as conflict:
            await c.update_session("s 1", name="x")
        assert (conflict.value.status, conflict.value.code, conflict.value.detail) == (409, "version_conflict", "stale")
        with pytest.raises(TransportError, match="DELETE /api/webhooks/w: HTTP 502 without a problem body"):
            await c.delete_webhook("w")
        assert (await c.resume_fleet()).is_paused is False
        await c.aclose()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert connections == 1
    first = requests[0].decode()
    assert first.startswith("GET /api/alerts?state=open&limit=5 HTTP/1.1\r\n") and "\r\nAuthorization: Bearer k-123\r\n" in first
    assert requests[1].startswith(b"POST /api/fleet/pause HTTP/1.1\r\n") and b"Content-Length: 0\r\n" in requests[1]
    assert requests[2].startswith(b"PATCH /api/sessions/s%201 ") and requests[2].endswith(b'\r\n\r\n{"name": "x"}')
    assert b"Content-Type: application/json\r\n" in requests[2]


def test_a_write_whose_kept_alive_connection_closes_unanswered_is_not_sent_again_but_a_read_is():
    # A scripted peer answers a first request, then reads each later one on that connection and closes it unanswered:
    # the peer may have applied it, so a POST (or a PUT with expected_version) fails with TransportError rather than
    # being applied twice; a GET, which is harmless to repeat, goes again on a new connection.
    requests: list[bytes] = []

    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = True
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
            requests.append(head.split(b" ", 2)[0] + b" " + head.split(b" ", 2)[1])
            await reader.readexactly(length)
            if not first:
                break
            first = False
            writer.write(with_length(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", b'{"is_paused": false}'))
            await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(peer, "127.0.0.1", 0)
        c = AsyncClient(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        assert (await c.get_fleet()).is_paused is False
        with pytest.raises(TransportError, match="POST /api/fleet/pause"):
            await c.pause_fleet()
        assert requests == [b"GET /api/fleet", b"POST /api/fleet/pause"], "the write was sent once"
        assert (await c.get_fleet()).is_paused is False  # on a new connection: the pool had nothing left
        requests.clear()
        assert (await c.get_fleet()).is_paused is False
        assert requests == [b"GET /api/fleet", b"GET /api/fleet"], "the read was sent again on a new connection"
        # A PUT is harmless to repeat, but not one guarded by the version it read: if the first landed, the second
        # would be a version_conflict of the caller's own write.
        requests.clear()
        with pytest.raises(TransportError, match="PUT /api/webhooks/w"):
            await c.replace_webhook("w", "http://127.0.0.1:9/", expected_version=3)
        assert requests == [b"PUT /api/webhooks/w"], "the guarded PUT was sent once"
        await c.aclose()
        server.close()
        await server.wait_closed()

    asyncio.run(main())


def test_the_subscriber_reads_and_resumes_across_kill9_on_the_event_loop_and_a_cancelled_reader_closes_its_connection(own_server):
    sid = new_id("aio-sse")

    async def main():
        c = AsyncClient(own_server.url)
        await c.create_session(sid, state="working")
        threads = threading.active_count()
        items = []
        arrived = asyncio.Event()
        subscriber = c.subscribe("sessions", min_backoff=0.1, max_backoff=0.5)

        async def read():
            async for item in subscriber:
                items.append(item)
                arrived.set()

        def usages():
            return [i for i in items if isinstance(i, Event) and i.session_id == sid and i.type == "session_updated"]

        async def until(n):
            while len(usages()) < n:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), 20)

        reader = asyncio.create_task(read())
        await asyncio.wait_for(arrived.wait(), 10)
        assert threading.active_count() == threads, "the subscriber started a thread"
        for i in range(3):
            await c.add_usage(sid, input_tokens=i + 1)
        await until(3)
        own_server.kill9()
        own_server.start()
        for i in range(3):
            await c.add_usage(sid, input_tokens=10)
        await until(6)
        assert connections_to(own_server.port) != set()

        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await c.aclose()
        assert connections_to(own_server.port) == set(), "the cancelled reader left its stream open"
        assert threading.active_count() == threads
        return subscriber, items, usages()

    subscriber, items, usages = asyncio.run(main())
    assert isinstance(items[0], SnapshotReset)
    assert subscriber.connects >= 2
    assert any(isinstance(i, Joined) and i.resumed for i in items), "the reconnect resumed rather than reset"
    assert [e.data["changes"]["input_tokens"] for e in usages] == [1, 3, 6, 16, 26, 36]  # each once, in order
