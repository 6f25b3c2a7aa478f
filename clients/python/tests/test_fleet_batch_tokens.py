"""Batch writes, the session count, the fleet pause switch and subscriber tokens, against the real server."""

import asyncio
from datetime import datetime, timezone

import pytest

from conftest import OPERATOR_KEY, READ_KEY, Items, new_id
from switchboard_client import (AsyncClient, BatchOperation, BatchResult, Client, Event, Fleet, Problem, Session,
                                SessionCount, SnapshotReset, Subscriber, SubscriberToken)


def test_a_batch_applies_its_good_operations_and_refuses_each_bad_one_on_its_own(shared_server):
    c = Client(shared_server.url)
    fresh, plain, existing = new_id("batch"), new_id("batch"), new_id("batch")
    c.create_session(existing, state="working", lease_seconds=60)
    results = c.batch([
        BatchOperation.create(fresh, name="one", state="working", labels={"team": "batch"}),
        BatchOperation.create(existing),                                    # a duplicate: 409
        BatchOperation.update(existing, state="sleeping"),                  # no such state: 400
        BatchOperation.usage(existing, input_tokens=10, output_tokens=5, cost_usd=0.5),
        BatchOperation.update("no-such-session", name="x"),                 # 404
        BatchOperation.heartbeat(existing),
        {"op": "create", "id": plain, "state": "idle"},                     # a plain dict is an operation too
        BatchOperation.usage(existing, input_tokens=-1),                    # negative usage: 400
        BatchOperation.terminate(fresh, reason="done"),
    ])
    assert all(isinstance(r, BatchResult) for r in results)
    assert [r.status for r in results] == [201, 409, 400, 200, 404, 200, 201, 400, 200]
    assert [r.ok for r in results] == [True, False, False, True, False, True, True, False, True]
    for r in results:
        assert (r.session is None) == (not r.ok) and (r.problem is None) == r.ok
        if not r.ok:
            assert isinstance(r.problem, Problem) and r.problem.status == r.status and r.problem.code and r.problem.detail
    assert results[2].problem.field == "operations[2].state" and results[7].problem.field == "input_tokens"
    assert results[4].problem.code == "session_not_found"
    assert isinstance(results[0].session, Session) and results[0].session.id == fresh
    assert results[3].session.input_tokens == 10 and isinstance(results[3].commands, list)
    assert results[8].session.state == "terminated"

    # The good ones are applied, the refused ones left no trace.
    s = c.get_session(existing)
    assert s.state == "working" and s.input_tokens == 10 and s.output_tokens == 5 and s.cost_usd == pytest.approx(0.5)
    assert [e.type for e in c.events(session_id=existing)] == ["session_created", "session_updated"]
    assert c.get_session(fresh).state == "terminated" and c.get_session(plain).state == "idle"
    with pytest.raises(Problem) as missing:
        c.get_session("no-such-session")
    assert missing.value.status == 404


def test_a_malformed_batch_raises_a_problem_and_applies_nothing(shared_server):
    c = Client(shared_server.url)
    sid = new_id("batch")
    c.create_session(sid)
    with pytest.raises(Problem) as too_many:
        c.batch([BatchOperation.usage(sid, input_tokens=1)] * 1001)  # the server takes at most 1000
    assert too_many.value.status == 400 and too_many.value.field == "operations"
    assert c.get_session(sid).input_tokens == 0
    assert c.batch([]) == []


def test_the_session_count_matches_the_sessions(own_server):
    c = Client(own_server.url)
    assert c.count_sessions() == SessionCount(active_sessions=0, total_sessions=0)
    ids = [new_id("count") for _ in range(3)]
    c.batch([BatchOperation.create(i, state="working") for i in ids])
    c.terminate(ids[0])
    count = c.count_sessions()
    assert isinstance(count, SessionCount) and count == SessionCount(active_sessions=2, total_sessions=3)
    assert len(c.list_sessions()) == count.total_sessions and len(c.list_sessions(states=["working"])) == count.active_sessions
    summary = c.summary()
    assert (summary.active_count, summary.total_count) == (count.active_sessions, count.total_sessions)


def test_pausing_the_fleet_shows_in_the_summary_and_on_the_stream_and_stops_no_write(shared_server):
    c = Client(shared_server.url)
    assert c.get_fleet() == Fleet(is_paused=False)
    since = c.summary().as_of_seq
    watch = Items(Subscriber(shared_server.url, "sessions"))
    try:
        watch.until(lambda i: isinstance(i, SnapshotReset))
        paused = c.pause_fleet()
        assert isinstance(paused, Fleet) and paused.is_paused
        assert c.get_fleet().is_paused and c.summary().is_paused
        # Consumers see it live as fleet_updated on `sessions`.
        live = watch.until(lambda i: isinstance(i, Event) and i.type == "fleet_updated")
        assert live.data == {"is_paused": True} and live.session_id is None
        # The flag stops no write: producers read it and hold off themselves.
        sid = new_id("paused")
        assert c.create_session(sid, state="working").state == "working"
        assert c.add_usage(sid, input_tokens=3).input_tokens == 3
        assert c.pause_fleet().is_paused  # pausing a paused fleet appends no second fleet_updated
        resumed = c.resume_fleet()
        assert resumed == Fleet(is_paused=False) and not c.get_fleet().is_paused and not c.summary().is_paused
    finally:
        watch.close()
        c.resume_fleet()
    logged = [e.data for e in c.events(since) if e.type == "fleet_updated"]
    assert logged == [{"is_paused": True}, {"is_paused": False}]


def test_only_an_operator_pauses_the_fleet(auth_server):
    reader = Client(auth_server.url, api_key=READ_KEY)
    assert reader.get_fleet().is_paused is False  # any key reads the flag
    with pytest.raises(Problem) as refused:
        reader.pause_fleet()
    assert refused.value.status == 403
    assert Client(auth_server.url, api_key=OPERATOR_KEY).get_fleet().is_paused is False


def test_a_minted_token_subscribes_to_what_it_names_and_is_refused_the_rest(auth_server):
    op = Client(auth_server.url, api_key=OPERATOR_KEY)
    sid, other = new_id("tok"), new_id("other")
    op.create_session(sid, state="working")
    op.create_session(other, state="working")
    token = op.create_subscriber_token(topics=[f"session:{sid}"], ttl_seconds=120)
    assert isinstance(token, SubscriberToken) and token.token_type == "Bearer" and token.token.count(".") == 2
    assert token.topics == [f"session:{sid}"] and token.labels is None and 0 < token.expires_in <= 120
    assert token.expires_at > datetime.now(timezone.utc)

    watch = Items(Subscriber(auth_server.url, f"session:{sid}", api_key=token.token))
    try:
        snapshot = watch.until(lambda i: isinstance(i, SnapshotReset))
        assert snapshot.session is not None and snapshot.session.id == sid
        op.update_session(sid, name="seen")
        event = watch.until(lambda i: isinstance(i, Event) and i.type == "session_updated")
        assert event.session_id == sid
    finally:
        watch.close()

    for topic in ("sessions", f"session:{other}", "summary"):
        with pytest.raises(Problem) as refused:
            next(iter(Subscriber(auth_server.url, topic, api_key=token.token)))
        assert refused.value.status == 403, topic
    with pytest.raises(Problem) as anonymous:
        next(iter(Subscriber(auth_server.url, f"session:{sid}")))
    assert anonymous.value.status == 401

    # A read key mints too; a labels-scoped token leaves out the fleet-wide topics.
    scoped = Client(auth_server.url, api_key=READ_KEY).create_subscriber_token(labels={"team": "red"})
    assert scoped.labels == {"team": "red"} and "summary" not in scoped.topics and "sessions" in scoped.topics


def test_a_bad_token_request_raises_a_problem(auth_server, shared_server):
    op = Client(auth_server.url, api_key=OPERATOR_KEY)
    with pytest.raises(Problem) as ttl:
        op.create_subscriber_token(ttl_seconds=0)
    assert ttl.value.status == 400 and ttl.value.field == "ttl_seconds"
    with pytest.raises(Problem) as topic:
        op.create_subscriber_token(topics=["no spaces"])
    assert topic.value.status == 400 and topic.value.field.startswith("topics")
    with pytest.raises(Problem) as off:
        Client(shared_server.url).create_subscriber_token()
    assert off.value.status == 404 and off.value.code == "auth_disabled"


def test_the_async_client_has_them_too(shared_server, auth_server):
    async def main():
        c = AsyncClient(shared_server.url)
        sid = new_id("abatch")
        results = await c.batch([BatchOperation.create(sid, state="working"), BatchOperation.update("no-such-session", name="x")])
        assert [r.status for r in results] == [201, 404]
        count = await c.count_sessions()
        assert isinstance(count, SessionCount) and count.total_sessions >= count.active_sessions >= 1
        try:
            assert (await c.pause_fleet()).is_paused and (await c.get_fleet()).is_paused
        finally:
            assert not (await c.resume_fleet()).is_paused
        token = await AsyncClient(auth_server.url, api_key=OPERATOR_KEY).create_subscriber_token(topics=["sessions"], ttl_seconds=60)
        assert token.topics == ["sessions"]
        with pytest.raises(Problem):
            await AsyncClient(auth_server.url, api_key=OPERATOR_KEY).create_subscriber_token(ttl_seconds=-1)

    asyncio.run(main())
