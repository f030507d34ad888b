"""/limit/leaky: LeakyBucketLimiter — bursts of 10 per client IP, then one request per second."""

from __future__ import annotations

from conftest import ip


async def test_leaky_bucket_allows_a_burst_of_ten(send) -> None:
    for level in range(1, 11):
        reply = await send("GET", "/limit/leaky")
        assert (reply.status, reply.content_type) == (200, "application/json")
        assert reply.text == f'{{"allowed":true,"level":{level},"capacity":10}}'
    limited = await send("GET", "/limit/leaky")
    assert limited.status == 429 and limited.headers["Retry-After"] == "1"
    assert limited.text == '{"allowed":false,"level":10,"capacity":10,"retry_after_ms":1000}'


async def test_leaky_bucket_drains_one_request_per_second(send, clock) -> None:
    for _ in range(10):
        await send("GET", "/limit/leaky")
    await clock.advance(2_500)
    assert (await send("GET", "/limit/leaky")).json() == {"allowed": True, "level": 8.5, "capacity": 10}
    assert (await send("GET", "/limit/leaky")).json() == {"allowed": True, "level": 9.5, "capacity": 10}
    assert (await send("GET", "/limit/leaky")).json()["retry_after_ms"] == 500


async def test_leaky_bucket_is_empty_again_after_it_drained(send, clock) -> None:
    for _ in range(10):
        await send("GET", "/limit/leaky")
    await clock.advance(10_000)
    assert (await send("GET", "/limit/leaky")).json()["level"] == 1


async def test_leaky_bucket_is_per_client_ip(send) -> None:
    for _ in range(10):
        await send("GET", "/limit/leaky", headers=ip("10.0.0.1"))
    assert (await send("GET", "/limit/leaky", headers=ip("10.0.0.1"))).status == 429
    assert (await send("GET", "/limit/leaky", headers=ip("10.0.0.2"))).json()["level"] == 1
