"""A session's durable streams from Python: ``session.stream("output").append(...)`` against the real server."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request

from switchboard_client import AsyncClient, Client


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def test_appends_from_many_threads_are_all_kept_once_in_each_threads_order(shared_server):
    c = Client(shared_server.url)
    with c.session(name="py-streams") as s:
        output = s.stream("output")
        threads = [threading.Thread(target=lambda t=t: [output.append(f"t{t}:{i}\n") for i in range(40)]) for t in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert s.stream("output") is output
        lines = _read(f"{shared_server.url}/v1/stream/sessions/{s.id}/output?offset=-1").decode().splitlines()
        assert sorted(lines) == sorted(f"t{t}:{i}" for t in range(6) for i in range(40))
        for t in range(6):
            assert [line for line in lines if line.startswith(f"t{t}:")] == [f"t{t}:{i}" for i in range(40)]


def test_a_json_stream_keeps_each_message_whole(shared_server):
    c = Client(shared_server.url)
    with c.session(name="py-json") as s:
        events = s.stream("ag-ui", "application/json")
        events.append_json({"type": "start"})
        events.append_json([1, 2])
        events.append('{"type":"end"}')
        body = _read(f"{shared_server.url}/v1/stream/sessions/{s.id}/ag-ui?offset=-1")
        assert json.loads(body) == [{"type": "start"}, [1, 2], {"type": "end"}]


def test_the_asyncio_session_writes_its_streams_and_concurrent_appends_are_all_kept_once(shared_server):
    async def run() -> str:
        c = AsyncClient(shared_server.url)
        async with c.session(name="py-async-streams") as s:
            output = s.stream("output")
            assert s.stream("output") is output
            await asyncio.gather(*(output.append(f"t{t}\n") for t in range(20)))
            await output.append(b"last\n")
            events = s.stream("ag-ui", "application/json")
            await events.append_json({"type": "start"})
            await events.append('{"type":"end"}')
            return s.id

    session_id = asyncio.run(run())
    lines = _read(f"{shared_server.url}/v1/stream/sessions/{session_id}/output?offset=-1").decode().splitlines()
    assert sorted(lines[:-1]) == sorted(f"t{t}" for t in range(20)) and lines[-1] == "last"
    body = _read(f"{shared_server.url}/v1/stream/sessions/{session_id}/ag-ui?offset=-1")
    assert json.loads(body) == [{"type": "start"}, {"type": "end"}]
