"""Approvals in the Python client against the real server: a session asks a person and waits; another client answers,
with everything an answer can say (allow always, deny and stop, a question's answers), which the agent's hook reads."""

import asyncio
import json
import threading
import urllib.request
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from switchboard_client import Approval, AsyncClient, Client, Problem

NPM_TEST_SUGGESTION = [{"type": "addRules", "rules": [{"toolName": "Bash", "ruleContent": "npm test *"}], "behavior": "allow",
                        "destination": "localSettings"}]


@pytest.fixture()
def post_hook(shared_server):
    """``post_hook(agent, tool, tool_input, suggestions)`` posts a Claude Code ``PermissionRequest`` to ``/hooks/claude-code``
    as the agent does (session ``otel:s:{agent}``): only a hook asks a question or offers suggestions. The future ends
    with the hook's answer, once a person answered; what a failed test leaves pending is denied, so no hook stays held."""
    agents: list[str] = []

    def post(pool: ThreadPoolExecutor, agent: str, tool: str, tool_input: dict[str, Any],
             suggestions: list[dict[str, Any]] | None = None) -> Future:
        body = {"session_id": agent, "hook_event_name": "PermissionRequest", "cwd": "/work/repo", "permission_mode": "default",
                "tool_name": tool, "tool_input": tool_input, "permission_suggestions": suggestions or []}
        request = urllib.request.Request(shared_server.url + "/hooks/claude-code", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})

        def send() -> Any:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())

        agents.append(agent)
        return pool.submit(send)

    with ThreadPoolExecutor(1) as pool:
        yield lambda *args: post(pool, *args)
        c = Client(shared_server.url)
        for agent in agents:
            try:
                for left in c.list_approvals("otel:s:" + agent, ["pending"]):
                    c.answer_approval(left.session_id, left.id, "deny")
            except Problem:
                pass


def pending_approval(c: Client, session_id: str) -> Approval:
    for _ in range(300):
        try:
            pending = c.list_approvals(session_id, ["pending"])
        except Problem as p:
            if p.status != 404:  # the hook has not reached the server yet
                raise
            pending = []
        if pending:
            return pending[0]
        threading.Event().wait(0.05)
    raise AssertionError(f"no pending approval on {session_id}")


def hook_decision(hook: Future) -> dict[str, Any]:
    return hook.result(timeout=30)["hookSpecificOutput"]["decision"]


@pytest.mark.parametrize("decision", ["allow", "deny"])
def test_a_session_asks_a_person_and_gets_the_answer_an_operator_gives_on_another_client(shared_server, decision):
    c = Client(shared_server.url)
    operator = Client(shared_server.url)
    with c.session(id=f"ask-{uuid.uuid4().hex[:12]}", state="working") as s:
        result: list[Approval] = []
        asking = threading.Thread(target=lambda: result.append(s.request_approval("Rotate the production keys", tool="vault", wait=30)))
        asking.start()
        pending: list[Approval] = []
        for _ in range(300):
            pending = operator.list_approvals(s.id, ["pending"])
            if pending:
                break
            threading.Event().wait(0.05)
        assert [p.summary for p in pending] == ["Rotate the production keys"]
        assert operator.get_session(s.id).state == "waiting"

        operator.answer_approval(s.id, pending[0].id, decision, "ok by me")
        asking.join(timeout=30)
        assert not asking.is_alive()
        assert result[0].id == pending[0].id
        assert result[0].state == ("allowed" if decision == "allow" else "denied")
        assert result[0].note == "ok by me"
        assert operator.get_session(s.id).state == "working"
        with pytest.raises(Problem) as refused:
            operator.answer_approval(s.id, pending[0].id, "deny" if decision == "allow" else "allow")
        assert refused.value.status == 409 and refused.value.code == "approval_not_pending"


def test_a_question_is_answered_with_its_answers_which_the_agent_reads_beside_its_questions(shared_server, post_hook):
    c = Client(shared_server.url)
    agent = f"asks-{uuid.uuid4().hex[:12]}"
    questions = [{"question": "Which color?", "header": "Color", "multiSelect": False,
                  "options": [{"label": "Blue", "description": "Choose Blue"}, {"label": "Red", "description": "Choose Red"}]}]
    hook = post_hook(agent, "AskUserQuestion", {"questions": questions})
    pending = pending_approval(c, "otel:s:" + agent)
    assert pending.kind == "question"
    assert [q["question"] for q in pending.questions] == ["Which color?"]

    with pytest.raises(Problem) as allowed:
        c.answer_approval(pending.session_id, pending.id, "allow")
    assert (allowed.value.status, allowed.value.code, allowed.value.field) == (400, "invalid_field", "decision")
    with pytest.raises(Problem) as stranger:
        c.answer_approval(pending.session_id, pending.id, "answer", answers={"Which size?": "L"})
    assert (stranger.value.status, stranger.value.field) == (400, "answers")
    assert not hook.done(), "a refused answer changes nothing"

    answered = c.answer_approval(pending.session_id, pending.id, "answer", answers={"Which color?": "Red"})
    assert (answered.state, answered.answers) == ("allowed", {"Which color?": "Red"})
    decision = hook_decision(hook)
    assert decision["behavior"] == "allow"
    assert decision["updatedInput"] == {"questions": questions, "answers": {"Which color?": "Red"}}


def test_an_allow_with_a_suggestion_hands_the_agents_own_rule_back(shared_server, post_hook):
    c = Client(shared_server.url)
    agent = f"always-{uuid.uuid4().hex[:12]}"
    hook = post_hook(agent, "Bash", {"command": "npm test"}, NPM_TEST_SUGGESTION)
    pending = pending_approval(c, "otel:s:" + agent)
    assert [(s["scope"], s["permission"]) for s in pending.suggestions] == [("local", NPM_TEST_SUGGESTION[0])]

    with pytest.raises(Problem) as out_of_range:
        c.answer_approval(pending.session_id, pending.id, "allow", suggestion=1)
    assert (out_of_range.value.status, out_of_range.value.field) == (400, "suggestion")
    with pytest.raises(Problem) as with_deny:
        c.answer_approval(pending.session_id, pending.id, "deny", suggestion=0)
    assert (with_deny.value.status, with_deny.value.field) == (400, "suggestion")
    assert not hook.done()

    answered = c.answer_approval(pending.session_id, pending.id, "allow", suggestion=0)
    assert (answered.state, answered.applied_suggestion) == ("allowed", 0)
    assert c.answer_approval(pending.session_id, pending.id, "allow", suggestion=0) == answered, "the same answer again is fine"
    decision = hook_decision(hook)
    assert (decision["behavior"], decision["updatedPermissions"]) == ("allow", NPM_TEST_SUGGESTION)


def test_a_deny_with_interrupt_tells_the_agent_why_and_stops_it(shared_server, post_hook):
    c = Client(shared_server.url)
    agent = f"denied-{uuid.uuid4().hex[:12]}"
    hook = post_hook(agent, "Bash", {"command": "rm -rf build"})
    pending = pending_approval(c, "otel:s:" + agent)

    with pytest.raises(Problem) as with_allow:
        c.answer_approval(pending.session_id, pending.id, "allow", interrupt=True)
    assert (with_allow.value.status, with_allow.value.field) == (400, "interrupt")
    assert not hook.done()

    answered = c.answer_approval(pending.session_id, pending.id, "deny", "use make clean", interrupt=True)
    assert (answered.state, answered.note, answered.interrupt) == ("denied", "use make clean", True)
    assert c.get_approval(pending.session_id, pending.id).interrupt is True
    decision = hook_decision(hook)
    assert (decision["behavior"], decision["interrupt"]) == ("deny", True)
    assert decision["message"] == "Denied by the operator (Switchboard): use make clean"


def test_the_asyncio_client_asks_lists_reads_and_answers_approvals(shared_server):
    async def run() -> tuple[str, list[Approval]]:
        c = AsyncClient(shared_server.url)
        operator = AsyncClient(shared_server.url)
        async with c.session(name="async-asks", state="working") as s:
            asking = asyncio.create_task(s.request_approval("Drop the staging database", tool="psql", data={"db": "staging"}, wait=30))
            pending: list[Approval] = []
            for _ in range(300):
                pending = await operator.list_approvals(s.id, ["pending"])
                if pending:
                    break
                await asyncio.sleep(0.05)
            assert [(p.summary, p.tool, p.data) for p in pending] == [("Drop the staging database", "psql", {"db": "staging"})]
            assert (await operator.get_approval(s.id, pending[0].id)).state == "pending"
            denied = await operator.answer_approval(s.id, pending[0].id, "deny", "not today", interrupt=True)
            assert (denied.state, denied.note, denied.interrupt) == ("denied", "not today", True)
            asked = await asyncio.wait_for(asking, 30)
            assert (asked.id, asked.state, asked.note) == (pending[0].id, "denied", "not today")

            # The client's own call, answered while it waits.
            again = asyncio.create_task(c.request_approval(s.id, "Drop it now?", wait=30))
            while not (waiting := await operator.list_approvals(s.id, ["pending"])):
                await asyncio.sleep(0.05)
            assert (await operator.get_approval(s.id, waiting[0].id, wait=1)).state == "pending"
            await operator.answer_approval(s.id, waiting[0].id, "allow")
            assert (await asyncio.wait_for(again, 30)).state == "allowed"
            with pytest.raises(Problem) as refused:
                await operator.answer_approval(s.id, waiting[0].id, "deny")
            assert (refused.value.status, refused.value.code) == (409, "approval_not_pending")
            return s.id, await operator.list_approvals(s.id)

    session_id, approvals = asyncio.run(run())
    assert [(a.summary, a.state) for a in approvals] == [("Drop the staging database", "denied"), ("Drop it now?", "allowed")]
    assert Client(shared_server.url).get_session(session_id).state == "terminated"
