"""A session's durable streams from Python: ``session.stream("output").append(...)`` against the real server."""

from __future__ import annotations

import json
import threading
import urllib.request

from switchboard_client import Client


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
