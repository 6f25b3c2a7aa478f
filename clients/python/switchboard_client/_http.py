"""What one API call sends (:class:`HttpRequest`), how its answer becomes a value or an exception, and the blocking transport."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from .errors import Problem, TransportError

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
"""Methods whose request may be sent again when a kept-alive connection turns out closed: a POST or PATCH may have been applied."""


@dataclass(frozen=True)
class HttpRequest:
    """One request of an API call, described once for both transports (blocking and asyncio)."""

    method: str
    path: str
    target: str
    """The path with its query string: what goes on the request line."""
    body: bytes | None
    headers: dict[str, str]
    timeout: float
    repeatable: bool
    """Whether sending it twice does what sending it once does: a transport may send it again when its connection
    closed under it before an answer came."""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def describe(method: str, path: str, body: Any, query: dict[str, Any] | list[tuple[str, Any]] | None, api_key: str | None,
             timeout: float) -> HttpRequest:
    """A JSON API request: ``query`` without its None values, ``body`` as JSON, the bearer key when there is one."""
    pairs = list(query.items()) if isinstance(query, dict) else list(query or [])
    pairs = [(k, v) for k, v in pairs if v is not None]
    target = path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")
    data = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    # A PUT guarded by the version it read is not: if the first landed, the second is a version_conflict of its own write.
    guarded = isinstance(body, dict) and "expected_version" in body
    return HttpRequest(method, path, target, data, headers, timeout, method in IDEMPOTENT and not guarded)


def answer(request: HttpRequest, status: int, body: bytes) -> Any:
    """The answer's JSON (None when empty); an error status raises its problem as :class:`Problem`."""
    if status >= 400:
        try:
            problem = json.loads(body)
        except ValueError:
            raise TransportError(f"{request.label}: HTTP {status} without a problem body") from None
        raise Problem.from_json(problem, status) from None
    return json.loads(body) if body else None


class BlockingTransport:
    """Sends each request on a connection of its own (``urllib``), holding the calling thread until the answer is read."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def send(self, request: HttpRequest) -> Any:
        """The answer's JSON, or :class:`Problem` / :class:`TransportError` raised."""
        return answer(request, *self.exchange(request))

    def exchange(self, request: HttpRequest) -> tuple[int, bytes]:
        """The answer's status and body, whatever the status; :class:`TransportError` when there is no answer."""
        req = urllib.request.Request(self.base_url + request.target, data=request.body, method=request.method,
                                     headers=request.headers)
        try:
            with urllib.request.urlopen(req, timeout=request.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            raise TransportError(f"{request.label}: {e}") from e
