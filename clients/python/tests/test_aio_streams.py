"""The asyncio session's durable streams against the real server: appends from many tasks go together on the event loop
alone (no worker thread), each lands once and in its task's order, a cancelled append leaves the batch it was in to the
others, and a producer goes on across kill -9 with no duplicate."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request

import pytest

from switchboard_client import AsyncClient, Client
from test_aio_transport import NoThreads


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def _lines(server, session_id: str, name: str = "output") -> list[str]:
    return _read(f"{server.url}/v1/stream/sessions/{session_id}/{name}?offset=-1").decode().splitlines()


class Appends:
    """Records the stream appends (the requests carrying ``Producer-Seq``) the client's transport sends; while ``gate`` is
    clear, each waits before it is sent, and ``sending`` is set."""

    def __init__(self, client: AsyncClient):
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.sending = asyncio.Event()
        exchange = client.transport.exchange

        async def recorded(request):
            if "Producer-Seq" in request.headers:
                self.sending.set()
                await self.gate.wait()
                self.bodies.append(request.body)
                self.headers.append(dict(request.headers))
            return await exchange(request)

        client.transport.exchange = recorded  # type: ignore[method-assign]


def test_appends_from_many_tasks_go_together_and_each_lands_once_in_its_tasks_order(shared_server):
    tasks, each = 8, 30

    async def main() -> str:
        asyncio.get_running_loop().set_default_executor(NoThreads())
        c = AsyncClient(shared_server.url)
        appends = Appends(c)
        async with c.session(name="py-aio-appends") as s:
            output = s.stream("output")

            async def writer(t: int) -> None:
                for i in range(each):
                    await output.append(f"t{t}:{i}\n")

            await asyncio.gather(*(writer(t) for t in range(tasks)))
            session_id = s.id
        await c.aclose()
        # Appends awaited together went in one request: far fewer requests than appends.
        assert len(appends.bodies) <= each + 1 < tasks * each
        assert [h["Producer-Seq"] for h in appends.headers] == [str(n) for n in range(len(appends.bodies))]
        assert {h["Producer-Epoch"] for h in appends.headers} == {"0"}
        assert len({h["Producer-Id"] for h in appends.headers}) == 1
        return session_id

    session_id = asyncio.run(main())
    lines = _lines(shared_server, session_id)
    assert sorted(lines) == sorted(f"t{t}:{i}" for t in range(tasks) for i in range(each))
    for t in range(tasks):
        assert [line for line in lines if line.startswith(f"t{t}:")] == [f"t{t}:{i}" for i in range(each)]


def test_appends_and_json_messages_run_on_the_event_loop_with_no_worker_thread(shared_server):
    async def main() -> str:
        # Any asyncio.to_thread / run_in_executor fails the append that makes it.
        asyncio.get_running_loop().set_default_executor(NoThreads())
        threads = threading.active_count()
        c = AsyncClient(shared_server.url)
        async with c.session(name="py-aio-nothreads") as s:
            events = s.stream("ag-ui", "application/json")
            await asyncio.gather(*(events.append_json({"n": n}) for n in range(10)))
            await events.append('{"type":"end"}')
            await s.stream("output").append(b"bytes\n")
            assert threading.active_count() == threads, "an append started a thread"
            session_id = s.id
        await c.aclose()
        return session_id

    session_id = asyncio.run(main())
    messages = json.loads(_read(f"{shared_server.url}/v1/stream/sessions/{session_id}/ag-ui?offset=-1"))
    assert sorted(m["n"] for m in messages[:-1]) == list(range(10)) and messages[-1] == {"type": "end"}
    assert _lines(shared_server, session_id) == ["bytes"]


def test_a_cancelled_append_leaves_its_batch_to_the_other_appenders(shared_server):
    async def main() -> tuple[str, list[bytes]]:
        asyncio.get_running_loop().set_default_executor(NoThreads())
        c = AsyncClient(shared_server.url)
        appends = Appends(c)
        async with c.session(name="py-aio-cancel") as s:
            output = s.stream("output")
            await output.append("first\n")  # the stream exists; what follows is appends only
            appends.gate.clear()
            appends.sending.clear()
            # x0 starts the request; x1…x4 are appended before it goes, so all five are one batch.
            first = [asyncio.create_task(output.append(f"x{i}\n")) for i in range(5)]
            await asyncio.wait_for(appends.sending.wait(), 20)
            # While that request is held: the next batch gathers, and then x0 (whose append started the request),
            # x2 and y1 (waiting for the next batch) are cancelled.
            second = [asyncio.create_task(output.append(f"y{i}\n")) for i in range(3)]
            for _ in range(1000):  # each task runs to its wait in a turn of the loop or two
                if output._pending == [b"y0\n", b"y1\n", b"y2\n"]:
                    break
                await asyncio.sleep(0)
            assert output._pending == [b"y0\n", b"y1\n", b"y2\n"]
            for task in (first[0], first[2], second[1]):
                task.cancel()
            done, _ = await asyncio.wait([first[0], first[2], second[1]], timeout=20)
            assert len(done) == 3, "a cancelled append waited for its request"
            assert not any(t.done() for t in (first[1], first[3], first[4], second[0], second[2]))
            appends.gate.set()
            results = await asyncio.wait_for(asyncio.gather(*first, *second, return_exceptions=True), 30)
            assert [type(r).__name__ for r in results] == ["CancelledError", "NoneType", "CancelledError", "NoneType",
                                                           "NoneType", "NoneType", "CancelledError", "NoneType"]
            await output.append("last\n")  # the stream goes on
            session_id = s.id
        await c.aclose()
        return session_id, appends.bodies

    session_id, bodies = asyncio.run(main())
    # The batches were sent whole: a cancelled append stops its caller's wait, not the request it is in.
    assert bodies == [b"first\n", b"x0\nx1\nx2\nx3\nx4\n", b"y0\ny1\ny2\n", b"last\n"]
    assert _lines(shared_server, session_id) == ["first", "x0", "x1", "x2", "x3", "x4", "y0", "y1", "y2", "last"]


def test_appends_go_on_across_kill9_and_restart_with_no_duplicate(own_server):
    async def main() -> tuple[str, list[dict[str, str]]]:
        asyncio.get_running_loop().set_default_executor(NoThreads())
        c = AsyncClient(own_server.url)
        appends = Appends(c)
        async with c.session(name="py-aio-kill9", lease_seconds=300) as s:
            output = s.stream("output")
            await asyncio.gather(*(output.append(f"a{t}:{i}\n") for t in range(4) for i in range(5)))
            await output.append("before\n")
            own_server.kill9()
            own_server.start()  # blocks the loop while the server starts: nothing else runs meanwhile
            # The pooled connection is dead; the next append notices and sends again on a new one.
            await asyncio.gather(*(output.append(f"b{t}\n") for t in range(6)))
            await output.append("after\n")
            session_id = s.id
        await c.aclose()
        return session_id, appends.headers

    session_id, headers = asyncio.run(main())
    lines = _lines(own_server, session_id)
    assert sorted(lines) == sorted([f"a{t}:{i}" for t in range(4) for i in range(5)] + ["before"] + [f"b{t}" for t in range(6)] + ["after"])
    assert lines.index("before") == 20 and lines[-1] == "after"
    # One producer, one epoch: the restarted server took the next sequence numbers as the same producer's.
    assert [h["Producer-Seq"] for h in headers] == [str(n) for n in range(len(headers))]
    assert {h["Producer-Epoch"] for h in headers} == {"0"}


class LosingProxy:
    """A TCP relay to the server that hands it the request carrying ``Producer-Seq: 1`` once, then drops that answer and
    the connection. ``seen``: the ``Producer-Seq`` lines the server was sent."""

    def __init__(self, port: int):
        self.port = port
        self.dropped = asyncio.Event()
        self.seen: list[bytes] = []
        self.relays: set[asyncio.Task] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stops listening and ends the relays under way."""
        self.server.close()
        relays = list(self.relays)
        for task in relays:
            task.cancel()
        await asyncio.gather(*relays, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        relay = asyncio.current_task()
        self.relays.add(relay)
        try:
            await self._pipe(reader, writer)
        finally:
            self.relays.discard(relay)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        asked = bytearray()

        async def upward() -> None:
            while data := await reader.read(65536):
                self.seen.extend(line for line in data.split(b"\r\n") if line.startswith(b"Producer-Seq: "))
                asked.extend(data)
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        pump = asyncio.create_task(upward())
        self.relays.add(pump)
        try:
            while data := await up_reader.read(65536):
                if b"\r\nProducer-Seq: 1\r\n" in asked and not self.dropped.is_set():
                    self.dropped.set()
                    return
                asked.clear()
                writer.write(data)
                await writer.drain()
        finally:
            pump.cancel()
            writer.transport.abort()
            up_writer.transport.abort()


def test_an_append_whose_answer_is_lost_is_sent_again_and_kept_once(shared_server):
    # The proxy hands the server the second append, then drops its answer: the server has kept the batch, the client
    # does not know, sends it again with the same producer headers, and the server recognises it.
    proxy = LosingProxy(shared_server.port)

    async def main() -> str:
        asyncio.get_running_loop().set_default_executor(NoThreads())
        c = AsyncClient(f"http://127.0.0.1:{await proxy.start()}")
        appends = Appends(c)
        async with c.session(name="py-aio-lost") as s:
            output = s.stream("output")
            await output.append("one\n")
            await output.append("two\n")
            assert proxy.dropped.is_set()
            await output.append("three\n")
            session_id = s.id
        await c.aclose()
        await proxy.close()
        # Whichever resent it (the transport, finding its kept-alive connection closed with no answer, or the append's
        # own retry after a transport error), it went again as the same producer's same batch.
        assert {h["Producer-Epoch"] for h in appends.headers} == {"0"}
        return session_id

    session_id = asyncio.run(main())
    assert proxy.seen == [b"Producer-Seq: 0", b"Producer-Seq: 1", b"Producer-Seq: 1", b"Producer-Seq: 2"]
    assert _lines(shared_server, session_id) == ["one", "two", "three"]


def test_the_blocking_client_retries_an_append_whose_answer_is_lost_the_same_way(shared_server):
    # The same protocol code on the blocking transport: urllib sees the connection end with no answer, and the append's
    # retry sends the batch again with the same producer headers.
    proxy = LosingProxy(shared_server.port)
    loop = asyncio.new_event_loop()
    port = loop.run_until_complete(proxy.start())
    relay = threading.Thread(target=loop.run_forever, daemon=True)
    relay.start()
    try:
        with Client(f"http://127.0.0.1:{port}").session(name="py-sync-lost") as s:
            output = s.stream("output")
            for line in ("one\n", "two\n", "three\n"):
                output.append(line)
            session_id = s.id
    finally:
        asyncio.run_coroutine_threadsafe(proxy.close(), loop).result(20)
        loop.call_soon_threadsafe(loop.stop)
        relay.join(10)
        loop.close()
    assert proxy.dropped.is_set()
    assert proxy.seen == [b"Producer-Seq: 0", b"Producer-Seq: 1", b"Producer-Seq: 1", b"Producer-Seq: 2"]
    assert _lines(shared_server, session_id) == ["one", "two", "three"]
