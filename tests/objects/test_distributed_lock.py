"""/lock: DistributedLock — a lease that expires through the alarm; waiters get the lock in order."""

from __future__ import annotations

import asyncio

import pytest

from conftest import iso


async def test_lock_acquire_free_lock(send, clock) -> None:
    reply = await send("POST", "/lock/acquire?name=db&owner=a&ttl=5000")
    assert (reply.status, reply.content_type) == (200, "application/json")
    assert reply.text == f'{{"acquired":true,"owner":"a","expires_at":"{iso(clock.now_ms() + 5_000)}","waited_ms":0}}'
    assert (await send("GET", "/lock/status?name=db")).json() == {
        "locked": True, "owner": "a", "expires_at": iso(clock.now_ms() + 5_000), "waiting": 0,
    }


async def test_lock_held_lock_is_409_without_waiting(send, clock) -> None:
    await send("POST", "/lock/acquire?name=db&owner=a")
    reply = await send("POST", "/lock/acquire?name=db&owner=b")
    assert reply.status == 409
    assert reply.json() == {"acquired": False, "owner": "a", "expires_at": iso(clock.now_ms() + 30_000)}


async def test_lock_names_are_separate_locks(send) -> None:
    await send("POST", "/lock/acquire?name=db&owner=a")
    assert (await send("POST", "/lock/acquire?name=cache&owner=b")).json()["acquired"] is True
    assert (await send("GET", "/lock/status")).json()["locked"] is False  # name defaults to "default"


async def test_lock_owner_reacquiring_renews_the_lease(send, clock) -> None:
    await send("POST", "/lock/acquire?owner=a&ttl=1000")
    await clock.advance(800)
    assert (await send("POST", "/lock/acquire?owner=a&ttl=1000")).json()["expires_at"] == iso(clock.now_ms() + 1_000)
    await clock.advance(800)
    assert (await send("GET", "/lock/status")).json()["owner"] == "a"


async def test_lock_release_frees_it(send) -> None:
    await send("POST", "/lock/acquire?owner=a")
    assert (await send("POST", "/lock/release?owner=a")).text == '{"released":true}'
    assert (await send("GET", "/lock/status")).json() == {"locked": False, "owner": None, "expires_at": None, "waiting": 0}
    assert (await send("POST", "/lock/acquire?owner=b")).json()["acquired"] is True


async def test_lock_release_by_someone_else_is_409(send, clock) -> None:
    await send("POST", "/lock/acquire?owner=a")
    reply = await send("POST", "/lock/release?owner=b")
    assert reply.status == 409
    assert reply.json() == {
        "released": False, "error": "Not lock holder", "owner": "a", "expires_at": iso(clock.now_ms() + 30_000),
    }
    assert (await send("POST", "/lock/release?owner=b&name=free")).json()["owner"] is None


async def test_lock_expires_through_the_alarm(send, clock, capsys) -> None:
    await send("POST", "/lock/acquire?owner=a&ttl=2000")
    await clock.advance(1_999)
    assert (await send("GET", "/lock/status")).json()["locked"] is True
    await clock.advance(1)
    assert capsys.readouterr().out.splitlines() == ["Lock held by a expired"]
    assert (await send("GET", "/lock/status")).json()["locked"] is False


async def test_lock_waiter_gets_the_lock_on_release(send, clock) -> None:
    await send("POST", "/lock/acquire?owner=a")
    waiting = asyncio.ensure_future(send("POST", "/lock/acquire?owner=b&timeout=5000"))
    await asyncio.sleep(0.05)
    assert (await send("GET", "/lock/status")).json()["waiting"] == 1
    await clock.advance(300)
    await send("POST", "/lock/release?owner=a")
    reply = await waiting
    assert reply.json() == {"acquired": True, "owner": "b", "expires_at": iso(clock.now_ms() + 30_000), "waited_ms": 300}


async def test_lock_waiters_are_served_in_arrival_order_also_on_expiry(send, clock) -> None:
    await send("POST", "/lock/acquire?owner=a&ttl=1000")
    second = asyncio.ensure_future(send("POST", "/lock/acquire?owner=b&timeout=5000&ttl=1000"))
    await asyncio.sleep(0.02)
    third = asyncio.ensure_future(send("POST", "/lock/acquire?owner=c&timeout=5000"))
    await asyncio.sleep(0.02)
    await clock.advance(1_000)  # a's lease ends: b gets the lock
    assert (await second).json()["owner"] == "b"
    await clock.advance(1_000)  # b's lease ends: c gets the lock
    assert (await third).json()["owner"] == "c"


async def test_lock_wait_times_out_with_409(send) -> None:
    await send("POST", "/lock/acquire?owner=a")
    reply = await send("POST", "/lock/acquire?owner=b&timeout=50")  # waits 50 ms of real time
    assert reply.status == 409 and reply.json()["owner"] == "a"
    assert (await send("GET", "/lock/status")).json()["waiting"] == 0


@pytest.mark.parametrize(
    "query", ["owner=a&ttl=0", "owner=a&ttl=abc", "owner=a&ttl=3600001", "owner=a&timeout=-1", "owner=a&timeout=x"]
)
async def test_lock_bad_ttl_or_timeout_is_400(send, query: str) -> None:
    reply = await send("POST", f"/lock/acquire?{query}")
    assert (reply.status, reply.text) == (400, '{"error":"\'ttl\' must be 1 to 3600000 ms, \'timeout\' 0 ms or more"}')


@pytest.mark.parametrize("path", ["/lock/acquire", "/lock/release?owner="])
async def test_lock_needs_an_owner(send, path: str) -> None:
    reply = await send("POST", path)
    assert (reply.status, reply.text) == (400, '{"error":"Missing \'owner\' parameter"}')


@pytest.mark.parametrize(("method", "path"), [("GET", "/lock/acquire?owner=a"), ("POST", "/lock/status"), ("GET", "/lock")])
async def test_lock_other_routes_are_404(send, method: str, path: str) -> None:
    reply = await send(method, path)
    assert (reply.status, reply.text) == (404, '{"error":"Not found","routes":"GET /patterns"}')
