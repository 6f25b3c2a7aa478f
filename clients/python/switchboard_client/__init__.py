"""Switchboard client: producer calls, a leased session context manager and an SSE subscriber. Standard library only."""

from .models import (
    Alert, AlertRule, Approval, Command, CommandList, Webhook, Session, Summary, Event, Heartbeat, Joined, SnapshotReset, UsageHistory, UsagePoint,
    UsageSeries, BatchResult, SessionCount, Fleet, SubscriberToken,
)
from .errors import Problem, TransportError
from .client import BatchOperation, Client, SessionContext
from .sse import Subscriber, WebhooksFollower
from .aio import AsyncClient, AsyncSessionContext, AsyncSubscriber, AsyncWebhooksFollower

__all__ = [
    "Client", "SessionContext", "Subscriber", "WebhooksFollower", "AsyncClient", "AsyncSessionContext", "AsyncSubscriber",
    "AsyncWebhooksFollower",
    "Session", "Summary", "Event", "Heartbeat", "Joined", "SnapshotReset", "Problem", "TransportError",
    "UsageHistory", "UsagePoint", "UsageSeries", "AlertRule", "Alert", "Webhook", "Command", "CommandList",
    "Approval", "BatchOperation", "BatchResult", "SessionCount", "Fleet", "SubscriberToken",
]
