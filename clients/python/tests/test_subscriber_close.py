"""close() from another thread, racing the reader's own clean-up: it must end the iteration quietly, every time."""

from __future__ import annotations

import http.server
import json
import sys
import threading

from switchboard_client.sse import Subscriber


class _Firehose(http.server.BaseHTTPRequestHandler):
    """An SSE stream that never pauses, so the reader is always between two lines when close() comes."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seq = 0
        try:
            while True:
                seq += 1
                event = {"seq": seq, "epoch": "e", "type": "session.updated", "session_id": "s",
                         "at": "2026-11-29T00:00:00Z", "data": {}}
                self.wfile.write(f"id: {seq}\ndata: {json.dumps(event)}\n\n".encode())
        except OSError:
            pass  # the subscriber went away

    def log_message(self, *args) -> None:
        pass


def test_close_racing_the_readers_own_end_never_raises():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Firehose)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads between almost every two bytecodes, so the two sides interleave
    try:
        for round in range(200):
            subscriber = Subscriber(url, min_backoff=0.01)
            failures: list[BaseException] = []
            started = threading.Event()

            def read() -> None:
                try:
                    for _ in subscriber:
                        started.set()
                except BaseException as e:  # noqa: BLE001 (the test reports whatever it was)
                    failures.append(e)
                started.set()

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            assert started.wait(10), f"round {round}: no event arrived"
            subscriber.close()
            reader.join(10)
            assert not reader.is_alive(), f"round {round}: close() did not end the iteration"
            assert failures == [], f"round {round}: {failures!r}"
    finally:
        sys.setswitchinterval(interval)
        server.shutdown()
        server.server_close()
