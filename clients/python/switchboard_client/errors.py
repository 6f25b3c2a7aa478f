"""Errors: RFC 9457 problem details from the server as exceptions."""

from __future__ import annotations

from typing import Any


class TransportError(Exception):
    """The server could not be reached, or answered with something that is not the API's JSON."""


class Problem(Exception):
    """A problem+json answer: ``status``, ``code`` (e.g. ``session_not_found``), ``title``, ``detail`` and ``field``."""

    def __init__(self, status: int, code: str, title: str, detail: str, field: str | None = None, type: str | None = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field
        self.type = type

    @classmethod
    def from_json(cls, data: dict[str, Any], status: int | None = None) -> "Problem":
        return cls(
            status=int(data.get("status", status or 0)),
            code=str(data.get("code", "")),
            title=str(data.get("title", "")),
            detail=str(data.get("detail", "")),
            field=data.get("field"),
            type=data.get("type"),
        )
