"""Typed views of the wire shapes. The HTTP API's are generated from the server's /openapi/v1.json into ``_wire``
(``node clients/codegen/generate.mjs``); the live stream's, which the document does not describe, are here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import Problem
from ._wire import (
    Alert, AlertRule, Approval, Command, CommandList, Fleet, Heartbeat, Session, SessionCount, SubscriberToken, Summary, UsageHistory,
    UsagePoint, UsageSeries, Webhook, _time,
)

__all__ = [
    "Alert", "AlertRule", "Approval", "BatchResult", "Command", "CommandList", "Event", "Fleet", "Heartbeat", "Joined", "Session",
    "SessionCount", "SnapshotReset", "SubscriberToken", "Summary", "UsageHistory", "UsagePoint", "UsageSeries", "Webhook",
    "webhooks_from_json",
]


def webhooks_from_json(d: dict[str, Any]) -> list[Webhook]:
    """The endpoints of a ``{"webhooks": [...]}`` list: what ``GET /api/webhooks`` answers and what the ``webhooks`` topic
    pushes. The one reading of that list, for ``list_webhooks()`` and ``follow_webhooks()`` alike."""
    return [Webhook.from_json(w) for w in d["webhooks"]]


@dataclass(frozen=True)
class Event:
    """A logged event (``seq`` is set) or a summary push (``seq`` is None)."""

    seq: int | None
    epoch: str
    type: str
    session_id: str | None
    at: datetime
    data: dict[str, Any]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Event":
        return cls(seq=d["seq"], epoch=d["epoch"], type=d["type"], session_id=d["session_id"], at=_time(d["at"]), data=d["data"])

    @property
    def ancestors(self) -> list[str]:
        """For an event of a child that changed its totals: its ancestors' ids, root first (else empty)."""
        return list(self.data.get("ancestors", [])) if isinstance(self.data, dict) else []

    @property
    def subtree_delta(self) -> dict[str, Any] | None:
        """What the event added to the ``subtree`` totals of each of :attr:`ancestors` (no event is sent per ancestor)."""
        return self.data.get("subtree_delta") if isinstance(self.data, dict) else None


@dataclass(frozen=True)
class Joined:
    """A topic's join answer: ``resumed`` is True when the missed events follow (``replayed`` of them)."""

    topic: str
    seq: int
    epoch: str
    resumed: bool
    replayed: int


@dataclass(frozen=True)
class SnapshotReset:
    """
    The server could not replay what was missed (first connect, a purged log, a replaced epoch): drop local state and take
    this snapshot. ``sessions`` and ``summary`` are as of ``seq``; events after it follow.
    """

    topic: str
    seq: int
    epoch: str
    sessions: list[Session] = field(default_factory=list)
    summary: Summary | None = None
    next_cursor: str | None = None
    #: ``session:{id}``: the session (None while it does not exist); with ``subtree=True`` its descendants are ``sessions``.
    session: Session | None = None


@dataclass(frozen=True)
class BatchResult:
    """
    One operation's outcome in ``POST /api/batch`` (``BatchResponse.results``, in the order sent; written here rather
    than generated because its problem is the client's :class:`Problem`). Each operation is
    applied or refused on its own: ``status`` is 201 (a create) or 200 with the ``session`` after it, or the status of
    the ``problem`` that refused it, which then left no trace.
    """

    status: int
    session: Session | None
    problem: Problem | None
    #: After an applied update, usage or heartbeat: the session's outstanding commands this answer hands over.
    commands: list[Command] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the operation was applied."""
        return self.problem is None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "BatchResult":
        problem = d.get("problem")
        return cls(
            status=d["status"],
            session=Session.from_json(d["session"]) if d.get("session") else None,
            problem=Problem.from_json(problem, d["status"]) if problem else None,
            commands=[Command.from_json(c) for c in d.get("commands", [])],
        )
