import asyncio
import threading
import time

import pytest

from conftest import new_id
from switchboard_client import (Alert, AlertRule, AsyncClient, Client, Event, Joined, Problem, Session, SnapshotReset,
                                Subscriber, Webhook)



def eventually(condition, what: str, timeout: float = 15.0):
    """Polls ``condition`` until it returns something truthy; fails with ``what`` after ``timeout`` (generous: CI has
    two busy cores)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_producer_calls(shared_server):
    c = Client(shared_server.url)
    sid = new_id("py")
    s = c.create_session(sid, name="agent", labels={"team": "py"}, metadata={"model": "m1"}, state="working")
    assert isinstance(s, Session) and s.id == sid and s.state == "working" and s.version == 1
    assert c.get_session(sid).labels == {"team": "py"}
    s = c.update_session(sid, name=None, tasks_running=2, lease_seconds=60)
    assert s.name is None and s.tasks_running == 2 and s.lease_seconds == 60
    s = c.add_usage(sid, input_tokens=100, output_tokens=20, cost_usd=0.01)
    assert s.total_tokens == 120 and s.cost_usd == pytest.approx(0.01)
    hb = c.heartbeat(sid)
    assert hb.id == sid and hb.lease_expires_at is not None
    assert [x.id for x in c.list_sessions(labels={"team": "py"}, states=["working"])] == [sid]
    s = c.terminate(sid, reason="done")
    assert s.state == "terminated" and s.terminated_at is not None
    events = [e for e in c.events(session_id=sid)]
    assert [e.type for e in events] == ["session_created", "session_updated", "session_updated", "session_terminated"]
    assert c.summary().total_count >= 1


def test_problems_are_exceptions(shared_server):
    c = Client(shared_server.url)
    with pytest.raises(Problem) as missing:
        c.get_session("no-such-session")
    assert missing.value.status == 404 and missing.value.code == "session_not_found"
    with pytest.raises(Problem) as bad:
        c.create_session(new_id("py"), state="sleeping")
    assert bad.value.status == 400 and bad.value.field == "state"
    sid = new_id("py")
    c.create_session(sid)
    with pytest.raises(Problem) as dup:
        c.create_session(sid)
    assert dup.value.status == 409


def test_usage_history(shared_server):
    c = Client(shared_server.url)
    team = new_id("team")
    for tokens in (100, 23):
        sid = new_id("py")
        c.create_session(sid, labels={"team": team})
        c.add_usage(sid, input_tokens=tokens, output_tokens=1, cost_usd=0.5)
    mine = c.usage(bucket="1m", since="1h", group_by="team", values=[team])
    assert mine.bucket == "1m" and mine.group_by == "label:team" and mine.as_of_seq >= 4
    assert [s.group for s in mine.series] == [{"team": team}]
    points = mine.series[0].points
    assert sum(p.input_tokens for p in points) == 123 and sum(p.total_tokens for p in points) == 125
    assert sum(p.sessions_created for p in points) == 2 and sum(p.cost_usd for p in points) == pytest.approx(1.0)
    fleet = c.usage(bucket="1h", since=mine.since)
    assert fleet.group_by == "all" and sum(p.input_tokens for p in fleet.series[0].points) >= 123
    with pytest.raises(Problem) as bad:
        c.usage(group_by="model")
    assert bad.value.status == 400 and bad.value.field == "group_by"
    assert asyncio.run(AsyncClient(shared_server.url).usage(bucket="1m", group_by="team", values=[team])).series[0].group == {"team": team}


def test_session_context_heartbeats_and_terminates(shared_server):
    c = Client(shared_server.url)
    # A 6 s lease heartbeated every second: a stall of up to 5 s on a loaded machine still leaves it alive (the server
    # checks leases every second).
    lease = 6
    started = time.monotonic()
    with c.session(name="loop", lease_seconds=lease, heartbeat_interval=1.0) as s:
        # The same lease, created after this one and never heartbeated, runs out later than this session's first lease
        # would: the check that expires it (every due lease at once) would have expired this one too, had the heartbeats
        # not moved its lease on.
        unattended = c.create_session(new_id("py-unattended"), state="working", lease_seconds=lease)
        eventually(lambda: c.get_session(unattended.id).state != "working", "the unattended lease to expire", 30.0)
        assert time.monotonic() - started > lease, "observed for longer than the lease"
        assert c.get_session(s.id).state == "working"
        s.add_usage(input_tokens=5)
    assert any(e.data.get("reason") == "lease_expired" for e in c.events(session_id=unattended.id))
    assert not any(e.data.get("reason") == "lease_expired" for e in c.events(session_id=s.id))
    assert s.heartbeats >= 3
    ended = c.get_session(s.id)
    assert ended.state == "terminated" and ended.input_tokens == 5


def test_session_context_error_path(shared_server):
    c = Client(shared_server.url)
    with pytest.raises(RuntimeError):
        with c.session(name="failing", lease_seconds=30) as s:
            raise RuntimeError("tool crashed")
    failed = c.get_session(s.id)
    assert failed.state == "error" and "tool crashed" in failed.error_message


def test_async_flavour(shared_server):
    async def main():
        c = AsyncClient(shared_server.url)
        seen = []
        joined = asyncio.Event()
        async with c.subscribe("sessions") as sub:
            async def read():
                async for item in sub:
                    seen.append(item)
                    joined.set()
                    if isinstance(item, Event) and item.type == "session_terminated" and item.session_id == sid:
                        return
            sid = new_id("py-async")
            reader = asyncio.create_task(read())
            await asyncio.wait_for(joined.wait(), 10)
            async with c.session(sid, lease_seconds=30) as s:
                await s.update(state="idle")
            await asyncio.wait_for(reader, 10)
        assert isinstance(seen[0], SnapshotReset)
        mine = [i.type for i in seen if isinstance(i, Event) and i.session_id == sid]
        assert mine == ["session_created", "session_updated", "session_terminated"]
        assert (await c.get_session(sid)).state == "terminated"

    asyncio.run(main())


def test_snapshot_reset_when_the_log_cannot_resume(shared_server):
    c = Client(shared_server.url)
    sid = new_id("py")
    c.create_session(sid)
    with Subscriber(shared_server.url, "sessions", since=1, epoch="not-this-log") as sub:
        first = next(iter(sub))
    assert isinstance(first, SnapshotReset)
    assert sid in [s.id for s in first.sessions] and first.summary is not None and first.seq >= 1


def test_closing_a_subscriber_ends_its_read_at_once_not_at_the_servers_next_heartbeat(shared_server):
    sub = Subscriber(shared_server.url, "sessions")
    joined = threading.Event()
    reader = threading.Thread(target=lambda: [joined.set() for _ in sub])
    reader.start()
    assert joined.wait(10)
    time.sleep(0.3)  # the reader waits in its next read; the server's SSE heartbeat comes 15 s after the connect
    started = time.monotonic()
    sub.close()
    reader.join(10)
    assert not reader.is_alive()
    assert time.monotonic() - started < 3


def test_resume_across_kill9_without_gap_or_duplicate(own_server):
    c = Client(own_server.url)
    sid = new_id("py-kill")
    c.create_session(sid, state="working")
    items = []
    got = threading.Condition()
    sub = Subscriber(own_server.url, "sessions", min_backoff=0.1, max_backoff=0.5)

    def pump():
        for item in sub:
            with got:
                items.append(item)
                got.notify_all()

    def usages():
        return [i for i in items if isinstance(i, Event) and i.session_id == sid and i.type == "session_updated"]

    def wait_for(n):
        with got:
            assert got.wait_for(lambda: len(usages()) >= n, timeout=20), f"got {len(usages())} of {n}"

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        with got:
            assert got.wait_for(lambda: len(items) > 0, timeout=10), "the stream joined"
        for i in range(5):
            c.add_usage(sid, input_tokens=i + 1)
        wait_for(5)
        own_server.kill9()
        own_server.start()
        for i in range(5):
            c.add_usage(sid, input_tokens=10)
        wait_for(10)
    finally:
        sub.close()
        thread.join(10)
    assert isinstance(items[0], SnapshotReset)
    assert sub.connects >= 2
    assert any(isinstance(i, Joined) and i.resumed for i in items), "the reconnect resumed rather than reset"
    logged = [e.seq for e in c.events(session_id=sid)][1:]  # the usages, after the create
    assert [e.seq for e in usages()] == logged
    assert [e.data["changes"]["input_tokens"] for e in usages()] == [1, 3, 6, 10, 15, 25, 35, 45, 55, 65]


def test_alert_rule_raises_on_session_error_and_is_acknowledged(shared_server):
    c = Client(shared_server.url)
    team = new_id("team")
    rule = c.create_alert_rule("Errored agents", "session_error", id=new_id("rule"), severity="critical",
                               labels={"team": team})
    assert isinstance(rule, AlertRule) and rule.condition == "session_error" and rule.severity == "critical"
    assert rule.source == "api" and rule.enabled and rule.seconds is None
    assert c.get_alert_rule(rule.id).labels == {"team": team}
    assert rule.id in [r.id for r in c.list_alert_rules()]

    sid = new_id("py")
    c.create_session(sid, state="working", labels={"team": team})
    c.update_session(sid, state="error", error_message="tool crashed")
    alert = eventually(lambda: next((a for a in c.list_alerts(state="open")
                                     if a.rule_id == rule.id and a.session_id == sid), None),
                       "the session_error alert to open")
    assert isinstance(alert, Alert) and alert.state == "open" and alert.subject == sid
    assert alert.severity == "critical" and alert.acknowledged_by is None and alert.raised_seq > 0

    acked = c.acknowledge_alert(alert.id, "ops@example.com", note="restarting the worker")
    assert acked.state == "open", "acknowledging is not resolving"
    assert acked.acknowledged_by == "ops@example.com" and acked.note == "restarting the worker"
    assert acked.acknowledged_at is not None
    assert c.get_alert(alert.id).note == "restarting the worker"

    replaced = c.replace_alert_rule(rule.id, "Errored agents", "session_error", severity="warning", labels={"team": team})
    assert replaced.severity == "warning"
    c.delete_alert_rule(rule.id)
    with pytest.raises(Problem) as gone:
        c.get_alert_rule(rule.id)
    assert gone.value.status == 404
    resolved = eventually(lambda: (lambda a: a if a.state == "resolved" else None)(c.get_alert(alert.id)),
                          "the alert to resolve when its rule is deleted")
    assert resolved.resolve_reason == "rule_deleted" and resolved.resolved_at is not None
    assert alert.id in [a.id for a in c.list_alerts(state="resolved")]


def test_bad_alert_rule_is_a_problem_naming_the_field(shared_server):
    c = Client(shared_server.url)
    rid = new_id("rule")
    with pytest.raises(Problem) as bad:
        c.create_alert_rule("Stuck", "stalled", id=rid)
    assert bad.value.status == 400 and bad.value.field == "seconds"
    assert rid not in [r.id for r in c.list_alert_rules()]
    with pytest.raises(Problem) as bad:
        asyncio.run(AsyncClient(shared_server.url).create_alert_rule("Stuck", "stalled", id=rid, seconds=60, threshold=1))
    assert bad.value.status == 400 and bad.value.field == "threshold"


def test_webhooks_create_list_replay_delete(shared_server):
    c = Client(shared_server.url)
    hook = c.create_webhook("http://127.0.0.1:9/hook", event_types=["alert_raised"], alert_severities=["critical"],
                            enabled=False)
    assert isinstance(hook, Webhook) and hook.id.startswith("wh_") and hook.url == "http://127.0.0.1:9/hook"
    assert hook.secret and len(hook.secret) >= 16, "the create answer carries the generated secret"
    assert hook.event_types == ["alert_raised"] and hook.state == "active" and not hook.enabled
    listed = [w for w in c.list_webhooks() if w.id == hook.id]
    assert len(listed) == 1 and listed[0].secret is None, "the secret is not shown again"
    assert c.get_webhook(hook.id).format == "json"
    assert c.replace_webhook(hook.id, "http://127.0.0.1:9/other", enabled=False).url == "http://127.0.0.1:9/other"

    sid = new_id("py")
    c.create_session(sid)
    created_seq = next(iter(c.events(session_id=sid))).seq
    replayed = c.replay_webhook(hook.id, created_seq)
    assert replayed.cursor == created_seq - 1 and replayed.state == "active"

    async def async_calls():
        ac = AsyncClient(shared_server.url)
        assert (await ac.get_webhook(hook.id)).id == hook.id
        await ac.delete_webhook(hook.id)
        return await ac.list_webhooks()

    assert hook.id not in [w.id for w in asyncio.run(async_calls())]
    with pytest.raises(Problem) as gone:
        c.get_webhook(hook.id)
    assert gone.value.status == 404


def test_a_put_over_a_stale_expected_version_is_a_version_conflict(shared_server):
    c = Client(shared_server.url)
    rule = c.create_alert_rule("Errors", "session_error", id=new_id("rule"))
    assert rule.version == 1
    assert c.replace_alert_rule(rule.id, "Renamed", "session_error", expected_version=1).version == 2
    with pytest.raises(Problem) as stale:
        c.replace_alert_rule(rule.id, "Stale", "session_error", expected_version=1)
    assert stale.value.status == 409 and stale.value.code == "version_conflict"
    assert c.get_alert_rule(rule.id).name == "Renamed"
    c.delete_alert_rule(rule.id)

    hook = c.create_webhook("http://127.0.0.1:9/a")
    assert hook.version == 1
    assert c.replace_webhook(hook.id, "http://127.0.0.1:9/b", expected_version=1).version == 2
    with pytest.raises(Problem) as stale:
        asyncio.run(AsyncClient(shared_server.url).replace_webhook(hook.id, "http://127.0.0.1:9/c", expected_version=1))
    assert stale.value.status == 409 and stale.value.code == "version_conflict"
    got = c.get_webhook(hook.id)
    assert (got.url, got.version) == ("http://127.0.0.1:9/b", 2)
    c.delete_webhook(hook.id)


def test_trees(shared_server):
    c = Client(shared_server.url)
    run = c.create_session(new_id("run"))
    task = c.create_session(parent_id=run.id, cost_usd=0.25)
    assert (task.parent_id, task.root_id, task.depth) == (run.id, run.id, 1)
    leaf = c.create_session(parent_id=task.id, input_tokens=40)
    c.add_usage(leaf.id, output_tokens=2, cost_usd=0.5)
    root = c.get_session(run.id)
    assert root.subtree == {"sessions": 3, "active": 3, "input_tokens": 40, "output_tokens": 2, "total_tokens": 42, "cost_usd": 0.75}
    assert [s.id for s in c.children(run.id)] == [task.id]
    assert [s.id for s in c.tree(run.id)] == [run.id, task.id, leaf.id]
    assert [s.id for s in c.list_sessions(parent_id=task.id)] == [leaf.id]
    assert run.id in [s.id for s in c.list_sessions(roots=True)]
    with pytest.raises(Problem) as refused:
        c.create_session(parent_id=new_id("nope"))
    assert (refused.value.status, refused.value.code, refused.value.field) == (404, "parent_not_found", "parent_id")
    usage = [e for e in c.events(session_id=leaf.id) if e.type == "session_updated"][0]
    assert usage.ancestors == [run.id, task.id]
    assert usage.subtree_delta["cost_usd"] == 0.5
    ended = c.terminate(run.id, cascade=True)
    assert ended.subtree["active"] == 0 and c.get_session(leaf.id).state == "terminated"


def test_subtree_stream_over_sse(shared_server):
    c = Client(shared_server.url)
    run = c.create_session(new_id("sse-run"))
    child = c.create_session(parent_id=run.id)
    with Subscriber(shared_server.url, f"session:{run.id}", subtree=True) as sub:
        items = iter(sub)
        reset = next(items)
        assert isinstance(reset, SnapshotReset) and reset.session.id == run.id
        assert [s.id for s in reset.sessions] == [child.id]
        c.add_usage(child.id, input_tokens=5)
        event = next(items)
        assert event.type == "session_updated" and event.session_id == child.id and event.ancestors == [run.id]
