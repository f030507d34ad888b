"""/limit/sliding: SlidingWindowLimiter — at most 10 requests per client IP in any 60 s."""

from __future__ import annotations

from conftest import ip, iso


async def test_sliding_window_allows_ten_then_429(send, clock) -> None:
    start = clock.now_ms()
    for remaining in range(9, -1, -1):
        reply = await send("GET", "/limit/sliding")
        assert (reply.status, reply.content_type) == (200, "application/json")
        assert reply.text == f'{{"allowed":true,"limit":10,"remaining":{remaining},"reset_at":"{iso(start + 60_000)}"}}'
    limited = await send("GET", "/limit/sliding")
    assert limited.status == 429 and limited.headers["Retry-After"] == "60"
    assert limited.text == (
        f'{{"allowed":false,"limit":10,"remaining":0,"retry_after_ms":60000,"reset_at":"{iso(start + 60_000)}"}}'
    )


async def test_sliding_window_frees_slots_as_old_requests_leave_it(send, clock) -> None:
    for _ in range(5):
        await send("GET", "/limit/sliding")
    await clock.advance(30_000)
    for _ in range(5):
        await send("GET", "/limit/sliding")
    assert (await send("GET", "/limit/sliding")).json()["retry_after_ms"] == 30_000
    await clock.advance(30_000)  # the first five leave the window, the last five stay
    assert (await send("GET", "/limit/sliding")).json()["remaining"] == 4


async def test_sliding_window_is_per_client_ip(send) -> None:
    for _ in range(10):
        await send("GET", "/limit/sliding", headers=ip("10.0.0.1"))
    assert (await send("GET", "/limit/sliding", headers=ip("10.0.0.1"))).status == 429
    assert (await send("POST", "/limit/sliding/any", headers=ip("10.0.0.2"))).status == 200


async def test_sliding_window_is_full_again_after_a_quiet_window(send, clock) -> None:
    for _ in range(10):
        await send("GET", "/limit/sliding")
    await clock.advance(60_000)  # the alarm deletes the log of the quiet client
    assert (await send("GET", "/limit/sliding")).json()["remaining"] == 9
