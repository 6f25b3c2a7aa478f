"""Approvals in the Python client against the real server: a session asks a person and waits; another client answers."""

import threading
import uuid

import pytest

from switchboard_client import Approval, Client, Problem


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
