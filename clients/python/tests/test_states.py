"""The ``waiting`` state through the client against the real server, and a state the client does not know: a newer
server's state is read, kept by its name and counted, never refused. A real server sends only states this client knows,
so an unknown one is made by a proxy that renames ``waiting`` in everything the real server answers, the SSE stream
included."""

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import new_id
from switchboard_client import Client, Event, Session, SnapshotReset, Subscriber, Summary



def state_moves(sub, sid: str, count: int) -> list[str]:
    """The next ``count`` state changes of ``sid`` on the stream, as ``before→after``."""
    moves = []
    for item in sub:
        if isinstance(item, Event) and item.session_id == sid and "state" in item.data.get("changes", {}):
            moves.append(f"{item.data['previous_state']}→{item.data['changes']['state']}")
            if len(moves) == count:
                return moves
    pytest.fail("the stream ended")


def test_a_session_goes_working_waiting_working_through_calls_and_the_stream(shared_server):
    c = Client(shared_server.url)
    sid = new_id("py-asks")
    c.create_session(sid, state="working", labels={"flow": sid})
    with Subscriber(shared_server.url, f"session:{sid}", read_timeout=15) as sub:
        items = iter(sub)
        assert isinstance(next(items), SnapshotReset)
        assert c.update_session(sid, state="waiting").state == "waiting"
        assert c.get_session(sid).state == "waiting"
        assert c.heartbeat(sid).state == "waiting"
        assert [s.id for s in c.list_sessions(labels={"flow": sid}, states=["waiting"])] == [sid]
        assert c.summary().counts["waiting"] >= 1
        c.update_session(sid, state="working")
        assert c.list_sessions(labels={"flow": sid}, states=["waiting"]) == []
        assert state_moves(items, sid, 2) == ["working→waiting", "waiting→working"]


class _RenamingProxy(BaseHTTPRequestHandler):
    """Forwards to the real server and renames ``"waiting"`` to ``"napping"`` in its answers, line by line for SSE."""

    upstream = ""
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "last-event-id", "authorization")}
        request = urllib.request.Request(self.upstream + self.path, data=body, method=self.command, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as e:
            response = e
        with response:
            self.send_response(response.status)
            content_type = response.headers.get("Content-Type", "")
            self.send_header("Content-Type", content_type)
            self.end_headers()
            if content_type.startswith("text/event-stream"):
                try:
                    for line in response:
                        self.wfile.write(line.replace(b'"waiting"', b'"napping"'))
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the subscriber closed its stream
            else:
                self.wfile.write(response.read().replace(b'"waiting"', b'"napping"'))

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward


@pytest.fixture()
def newer_server(shared_server):
    handler = type("Proxy", (_RenamingProxy,), {"upstream": shared_server.url})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    proxy.daemon_threads = True
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{proxy.server_address[1]}"
    proxy.shutdown()
    proxy.server_close()


def test_a_state_the_client_does_not_know_is_kept_by_name_in_reads_the_summary_and_the_stream(shared_server, newer_server):
    real, older = Client(shared_server.url), Client(newer_server)
    sid = new_id("py-napping")
    real.create_session(sid, state="working")
    with Subscriber(newer_server, f"session:{sid}", read_timeout=15) as sub:
        items = iter(sub)
        assert isinstance(next(items), SnapshotReset)
        real.update_session(sid, state="waiting")
        assert state_moves(items, sid, 1) == ["working→napping"]
    session = older.get_session(sid)
    assert isinstance(session, Session) and session.state == "napping"
    assert older.heartbeat(sid).state == "napping"
    summary = older.summary()
    assert summary.counts["napping"] == real.summary().counts["waiting"] >= 1 and "waiting" not in summary.counts
    assert [e.data.get("changes", {}).get("state") for e in older.events(session_id=sid)] == [None, "napping"]
    assert older.terminate(sid).state == "terminated"


def test_crafted_wire_shapes_with_an_unknown_state_are_read():
    session = Session.from_json({
        "id": "s1", "name": None, "state": "dreaming", "labels": {}, "metadata": {}, "error_message": None, "input_tokens": 0,
        "output_tokens": 0, "total_tokens": 0, "cost_usd": 0, "tasks_running": 0, "lease_seconds": None,
        "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z", "terminated_at": None, "version": 1,
        "accepts_commands": True, "parent_id": None, "root_id": "s1", "depth": 0,
        "subtree": {"sessions": 1, "active": 1, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0, "cost_usd": 0},
    })
    assert session.state == "dreaming"
    summary = Summary.from_json({
        "as_of_seq": 3, "active_count": 2, "total_count": 2, "counts": {"working": 1, "dreaming": 1}, "tasks_running": 0,
        "input_tokens": 0, "output_tokens": 0, "total_tokens": 0, "estimated_cost_usd": 0, "is_paused": False, "duration_seconds": 0,
    })
    assert summary.counts == {"working": 1, "dreaming": 1}
