"""Following the webhook endpoints live (``follow_webhooks``, the ``webhooks`` topic over SSE), sync and asyncio, against
the real server: the whole list when the stream opens, on a create and on each delivery attempt, typed as
``list_webhooks()`` answers it; again after a reconnect; a key scoped by labels is refused as any stream is."""

import asyncio
import shutil

import pytest

from conftest import Items, _server, new_id
from switchboard_client import AsyncClient, AsyncWebhooksFollower, Client, Problem, Webhook, WebhooksFollower

#: Nothing listens there: every delivery attempt fails.
DOWN = "http://127.0.0.1:9/hook"
OPERATOR = "py-wh-operator-0123456789abcdef"
RED = "py-wh-red-key-0123456789abcdef01"


@pytest.fixture()
def scoped_server(server_dll):
    """A server with an operator key and one scoped by ``team=red``."""
    server, data = _server(server_dll, {"SWITCHBOARD_API_KEYS": f"{OPERATOR}, {RED} team=red"})
    yield server
    server.stop()
    shutil.rmtree(data, ignore_errors=True)


def _assert_failed_attempt(created: Webhook, failed: Webhook) -> None:
    assert failed.attempts >= 1 and failed.failures >= 1 and failed.consecutive_failures >= 1, failed
    assert failed.last_error and failed.last_attempt_at is not None, failed
    assert failed.lag >= 1, "the event is still to deliver"
    assert failed.cursor == created.cursor, "a failed delivery does not move the cursor"


def test_follow_webhooks_yields_the_whole_list_on_open_create_and_delivery_and_again_after_a_restart(own_server):
    c = Client(own_server.url)
    follower = c.follow_webhooks(min_backoff=0.1, max_backoff=0.5)
    assert isinstance(follower, WebhooksFollower)
    lists = Items(follower)
    try:
        assert lists.until(lambda _: True) == [], "no endpoints yet: an empty list"

        c.create_webhook(DOWN, id="ops")
        shown = lists.until(lambda l: len(l) == 1)
        created = shown[0]
        assert isinstance(created, Webhook)
        assert created.id == "ops" and created.url == DOWN and created.state == "active" and created.attempts == 0
        assert created.secret is None, "the topic never carries secrets"

        c.create_session(new_id("hooked"))
        failed = lists.until(lambda l: len(l) == 1 and l[0].attempts >= 1 and l[0].last_error is not None)[0]
        _assert_failed_attempt(created, failed)
        listed = c.list_webhooks()
        assert [type(w) for w in listed] == [Webhook] and listed[0].id == "ops"

        # A restart drops the stream; the follower reconnects and the new stream brings the current list again.
        own_server.kill9()
        own_server.start()
        again = lists.until(lambda l: follower.connects >= 2, timeout=30)
        assert [w.id for w in again] == ["ops"] and again[0].attempts >= 1, again

        c.delete_webhook("ops")
        assert lists.until(lambda l: l == []) == []
    finally:
        lists.close()
    assert not lists.thread.is_alive(), "close() ends the iteration"


def test_the_async_follower_yields_the_same_lists(own_server):
    async def main():
        c = AsyncClient(own_server.url)
        seen: list[list[Webhook]] = []
        async with c.follow_webhooks() as follower:
            assert isinstance(follower, AsyncWebhooksFollower)

            async def follow():
                async for webhooks in follower:
                    seen.append(webhooks)
                    if len(webhooks) == 1 and webhooks[0].attempts >= 1 and webhooks[0].last_error is not None:
                        return

            task = asyncio.create_task(follow())
            while not seen:
                await asyncio.sleep(0.05)
            assert seen[0] == []
            await c.create_webhook(DOWN, id="ops")
            while not any(len(l) == 1 for l in seen):
                await asyncio.sleep(0.05)
            await c.create_session(new_id("ahooked"))
            await asyncio.wait_for(task, 20)
        created = next(l for l in seen if len(l) == 1)[0]
        assert isinstance(created, Webhook) and created.id == "ops" and created.secret is None
        _assert_failed_attempt(created, seen[-1][0])
        assert (await c.list_webhooks())[0].id == "ops"

    asyncio.run(asyncio.wait_for(main(), 60))


def test_a_key_scoped_by_labels_is_refused_and_an_operator_follows(scoped_server):
    with pytest.raises(Problem) as refused:
        next(iter(Client(scoped_server.url, api_key=RED).follow_webhooks()))
    assert refused.value.status == 403

    async def refused_async():
        with pytest.raises(Problem) as e:
            async for _ in AsyncClient(scoped_server.url, api_key=RED).follow_webhooks():
                pass
        return e.value

    assert asyncio.run(refused_async()).status == 403

    with Client(scoped_server.url, api_key=OPERATOR).follow_webhooks() as follower:
        assert next(iter(follower)) == []
