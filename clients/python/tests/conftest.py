"""Starts the real Switchboard executable (``dotnet $SWITCHBOARD_SERVER_DLL``) on a free loopback port."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real executable as a child process; ``kill9()`` then ``start()`` restarts it on the same port and data."""

    def __init__(self, dll: str, data_dir: str, env: dict[str, str] | None = None):
        self.dll = dll
        self.env = env or {}
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = open(os.path.join(data_dir, "server.log"), "ab")

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["dotnet", self.dll, "--urls", self.url, "--data-dir", os.path.join(self.data_dir, "data")],
            stdout=self.log, stderr=subprocess.STDOUT,
            # usage rolled up by team too; no OTLP/gRPC listener (127.0.0.1:4317 is left to the test that needs it)
            env={**os.environ, "Switchboard__Usage__GroupBy__0": "team", "Switchboard__Otlp__GrpcUrls": "", **self.env})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"switchboard exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("switchboard did not become ready within 30 s")

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


@pytest.fixture(scope="session")
def server_dll() -> str:
    dll = os.environ.get("SWITCHBOARD_SERVER_DLL")
    if not dll or not os.path.exists(dll):
        pytest.fail("Set SWITCHBOARD_SERVER_DLL to the built switchboard.dll (dotnet test does this).")
    if shutil.which("dotnet") is None:
        pytest.fail("dotnet is not on PATH")
    return dll


def _server(dll: str, env: dict[str, str] | None = None):
    data = tempfile.mkdtemp(prefix="switchboard-py-")
    server = Server(dll, data, env)
    server.start()
    return server, data


@pytest.fixture(scope="session")
def shared_server(server_dll):
    server, data = _server(server_dll)
    yield server
    server.stop()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture()
def own_server(server_dll):
    """A server of the test's own, for kill -9."""
    server, data = _server(server_dll)
    yield server
    server.stop()
    shutil.rmtree(data, ignore_errors=True)


#: The keys of :func:`auth_server`: an operator's (no suffix) and a read-only one.
OPERATOR_KEY = "py-operator-key-0123456789abcdef"
READ_KEY = "py-read-key-0123456789abcdef0123"


@pytest.fixture(scope="session")
def auth_server(server_dll):
    """A server with auth on (``SWITCHBOARD_API_KEYS``): :data:`OPERATOR_KEY` and :data:`READ_KEY`."""
    server, data = _server(server_dll, {"SWITCHBOARD_API_KEYS": f"{OPERATOR_KEY},{READ_KEY}:read"})
    yield server
    server.stop()
    shutil.rmtree(data, ignore_errors=True)


def new_id(prefix: str) -> str:
    """A session id no other test uses: ``prefix`` and 12 random hex digits."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Items:
    """
    Iterates a subscriber (a :class:`Subscriber`, a :class:`WebhooksFollower`: anything iterable with ``close()``) in a
    thread of its own, so a test waits for what it expects with a timeout. A refusal that ends the iteration is raised
    by the ``next`` or ``until`` that reaches it.
    """

    def __init__(self, source):
        self.source = source
        self.items: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for item in self.source:
                self.items.put(item)
        except BaseException as e:  # a refusal ends the iteration: the test reads it from the queue
            self.items.put(e)

    def next(self, timeout: float = 20.0):
        try:
            return self.items.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"nothing arrived within {timeout} s")

    def until(self, condition, timeout: float = 20.0):
        while True:
            item = self.next(timeout)
            if isinstance(item, BaseException):
                raise item
            if condition(item):
                return item

    def close(self) -> None:
        self.source.close()
        self.thread.join(10)
