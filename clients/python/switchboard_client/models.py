"""Typed views of the wire shapes (see the server's /openapi/v1.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Session:
    id: str
    name: str | None
    state: str
    labels: dict[str, str]
    metadata: dict[str, Any]
    error_message: str | None
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_usd: float
    tasks_running: int
    lease_seconds: int | None
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None
    version: int

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Session":
        return cls(
            id=d["id"], name=d["name"], state=d["state"], labels=dict(d["labels"]), metadata=dict(d["metadata"]),
            error_message=d["error_message"], input_tokens=d["input_tokens"], output_tokens=d["output_tokens"],
            total_tokens=d["total_tokens"], cost_usd=d["cost_usd"], tasks_running=d["tasks_running"],
            lease_seconds=d["lease_seconds"], created_at=_time(d["created_at"]), updated_at=_time(d["updated_at"]),
            terminated_at=_time(d["terminated_at"]), version=d["version"],
        )


@dataclass(frozen=True)
class Summary:
    as_of_seq: int
    active_count: int
    total_count: int
    counts: dict[str, int]
    tasks_running: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    estimated_cost_usd: float
    is_paused: bool
    duration_seconds: int

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Summary":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Heartbeat:
    id: str
    state: str
    lease_seconds: int | None
    lease_expires_at: datetime | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Heartbeat":
        return cls(id=d["id"], state=d["state"], lease_seconds=d["lease_seconds"], lease_expires_at=_time(d["lease_expires_at"]))


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


@dataclass(frozen=True)
class UsagePoint:
    """One bucket of usage; buckets without events are absent."""
    start: datetime
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_usd: float
    sessions_created: int
    sessions_terminated: int
    sessions_errored: int
    busy_seconds: float
    peak_active_sessions: int

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "UsagePoint":
        values = {k: d[k] for k in cls.__dataclass_fields__}
        values["start"] = _time(d["start"])
        return cls(**values)


@dataclass(frozen=True)
class UsageSeries:
    """The buckets of the fleet (``group`` empty) or of one label value (``{"team": "red"}``)."""
    group: dict[str, str]
    points: list[UsagePoint]


@dataclass(frozen=True)
class UsageHistory:
    """``GET /api/usage``: counts exactly the events up to ``as_of_seq``."""
    bucket: str
    group_by: str
    since: datetime
    until: datetime
    epoch: str
    as_of_seq: int
    series: list[UsageSeries]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "UsageHistory":
        return cls(
            bucket=d["bucket"], group_by=d["group_by"], since=_time(d["since"]), until=_time(d["until"]),
            epoch=d["epoch"], as_of_seq=d["as_of_seq"],
            series=[UsageSeries(dict(s["group"]), [UsagePoint.from_json(p) for p in s["points"]]) for s in d["series"]])


@dataclass(frozen=True)
class AlertRule:
    """A rule (``AlertRuleResponse``): ``condition`` takes only its own fields (``seconds``, ``threshold``, ``metric``,
    ``window_seconds``; the others are None); ``source`` is ``config`` (read-only) or ``api``."""
    id: str
    name: str
    condition: str
    severity: str
    seconds: int | None
    threshold: float | None
    metric: str | None
    window_seconds: int | None
    labels: dict[str, str]
    enabled: bool
    source: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "AlertRule":
        values = {k: d[k] for k in cls.__dataclass_fields__}
        values["labels"] = dict(d["labels"])
        return cls(**values)


@dataclass(frozen=True)
class Alert:
    """An alert (``AlertResponse``): one per rule and subject (a session id or ``fleet``) while ``state`` is ``open``."""
    id: str
    rule_id: str
    rule_name: str
    condition: str
    severity: str
    subject: str
    session_id: str | None
    labels: dict[str, str] | None
    state: str
    message: str
    value: float | None
    raised_at: datetime
    raised_seq: int
    resolved_at: datetime | None
    resolved_seq: int | None
    resolve_reason: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Alert":
        values = {k: d[k] for k in cls.__dataclass_fields__}
        for k in ("raised_at", "resolved_at", "acknowledged_at"):
            values[k] = _time(d[k])
        return cls(**values)


@dataclass(frozen=True)
class Webhook:
    """A webhook endpoint with its delivery state (``WebhookResponse``); ``secret`` is set only in the create answer."""
    id: str
    url: str
    event_types: list[str]
    labels: dict[str, str]
    alert_severities: list[str]
    format: str
    enabled: bool
    state: str
    cursor: int
    lag: int
    attempts: int
    failures: int
    consecutive_failures: int
    last_error: str | None
    last_attempt_at: datetime | None
    delivering_node: str | None
    created_at: datetime
    secret: str | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Webhook":
        values = {k: d.get(k) for k in cls.__dataclass_fields__}
        for k in ("last_attempt_at", "created_at"):
            values[k] = _time(d[k])
        values["event_types"] = list(d["event_types"])
        values["alert_severities"] = list(d["alert_severities"])
        values["labels"] = dict(d["labels"])
        return cls(**values)
