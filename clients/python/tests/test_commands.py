"""Commands in the Python client against the real server: a session receives, acknowledges and obeys a command through
its heartbeat answers and through its stream (SSE), each once; the asyncio flavour; the calls and their problems."""

import asyncio
import threading

import pytest

from conftest import new_id
from switchboard_client import AsyncClient, Client, Command, CommandList, Problem



def command_events(c: Client, session_id: str) -> list[str]:
    return [e.type for e in c.events(session_id=session_id) if e.type.startswith("command_")]


def test_a_session_learns_a_command_from_its_heartbeat_answers_and_obeys_it(shared_server):
    c = Client(shared_server.url)
    with c.session(name="obedient", lease_seconds=1) as s:  # a heartbeat every third of a second
        issued = c.issue_command(s.id, "pause", "hold on")
        assert issued.state == "pending"
        received = []
        for cmd in s.commands(wait=15):
            received.append(cmd)
            s.update(state="paused")
            answered = s.ack(cmd, "done", "paused")
            assert answered.state == "acknowledged"
            break
        assert [(r.id, r.type, r.state, r.text) for r in received] == [(issued.id, "pause", "delivered", "hold on")]
        assert c.get_session(s.id).state == "paused"
        # Later heartbeats repeat nothing: the command is acknowledged, and repeats before that were dropped by id.
        assert list(s.commands(wait=1)) == []
    assert command_events(c, s.id) == ["command_issued", "command_delivered", "command_acknowledged"]


def test_a_session_on_its_stream_receives_a_command_the_moment_it_is_issued(shared_server):
    c = Client(shared_server.url)
    with c.session(name="listening", lease_seconds=3600, commands_over_stream=True) as s:  # heartbeats far apart
        threading.Timer(0.3, lambda: c.issue_command(s.id, "message", "hello")).start()
        cmd = next(iter(s.commands(wait=15)))
        assert (cmd.type, cmd.state, cmd.text) == ("message", "pending", "hello")
        s.ack(cmd, "done", "read")
        cancel = c.issue_command(s.id, "cancel")
        assert next(iter(s.commands(wait=15))).id == cancel.id
        s.ack(cancel)
    assert [(x.type, x.state, x.outcome) for x in c.list_commands(s.id).commands] == [
        ("message", "acknowledged", "done"), ("cancel", "acknowledged", "done")]


def test_the_asyncio_session_receives_and_acknowledges_commands(shared_server):
    async def run():
        c = AsyncClient(shared_server.url)
        async with c.session(name="async", lease_seconds=1) as s:
            issued = await c.issue_command(s.id, "resume")
            async for cmd in s.commands(wait=15):
                assert cmd.id == issued.id
                assert (await s.ack(cmd)).state == "acknowledged"
                break
            return s.id

    session_id = asyncio.run(run())
    assert command_events(Client(shared_server.url), session_id) == ["command_issued", "command_delivered", "command_acknowledged"]


def test_the_asyncio_session_on_its_stream_receives_a_command_the_moment_it_is_issued(shared_server):
    async def run() -> str:
        c = AsyncClient(shared_server.url)
        async with c.session(name="async-listening", lease_seconds=3600, commands_over_stream=True) as s:  # heartbeats far apart
            issued = await c.issue_command(s.id, "message", "hello")
            cmd = await anext(s.commands(wait=15))
            assert (cmd.id, cmd.type, cmd.state, cmd.text) == (issued.id, "message", "pending", "hello")
            await s.ack(cmd, "done", "read")
            cancel = await c.issue_command(s.id, "cancel")
            assert (await anext(s.commands(wait=15))).id == cancel.id
            await s.ack(cancel)
            assert s.heartbeats == 0
            return s.id

    session_id = asyncio.run(run())
    assert [(x.type, x.state, x.outcome) for x in Client(shared_server.url).list_commands(session_id).commands] == [
        ("message", "acknowledged", "done"), ("cancel", "acknowledged", "done")]


def test_the_command_calls_and_their_problems(shared_server):
    c = Client(shared_server.url)
    sid = new_id("calls")
    c.create_session(sid, lease_seconds=60)
    first = c.issue_command(sid, "message", "read this", data={"ticket": 7}, expires_in_seconds=120)
    assert isinstance(first, Command)
    assert first.data == {"ticket": 7}
    polled = c.poll_commands(sid, wait=5)
    assert isinstance(polled, CommandList)
    assert [(x.id, x.state, x.attempt) for x in polled.commands] == [(first.id, "delivered", 1)]
    # Handed over once: later answers leave it out until its visibility timeout (the server's Commands:RedeliverAfter).
    assert c.heartbeat(sid).commands == []
    resume = c.issue_command(sid, "resume")
    assert [(x.id, x.attempt) for x in c.heartbeat(sid).commands] == [(resume.id, 1)]
    second = c.issue_command(sid, "pause")
    assert c.withdraw_command(sid, second.id).state == "withdrawn"
    assert c.acknowledge_command(sid, first.id, "rejected", "not now").outcome == "rejected"
    assert c.get_command(sid, first.id).note == "not now"
    with pytest.raises(Problem) as conflict:
        c.acknowledge_command(sid, first.id, "done")
    assert conflict.value.status == 409
    with pytest.raises(Problem) as bad:
        c.issue_command(sid, "explode")
    assert (bad.value.status, bad.value.field) == (400, "type")
    assert [x.id for x in c.list_commands(sid, ["withdrawn"]).commands] == [second.id]
