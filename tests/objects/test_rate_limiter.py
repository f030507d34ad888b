"""PLAYGROUND §5.4: /rate-limit — a 100-token bucket per client IP, refilled every 10 s by an alarm."""

from __future__ import annotations

from conftest import ip, iso

ALLOWED = "Request allowed - upstream resource would be called here"


async def exhaust(send, address: str = "10.0.0.1") -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        assert (await send("GET", "/rate-limit", headers=ip(address))).status == 200


async def test_rate_limit_fresh_bucket_allows_with_99_left(send) -> None:
    reply = await send("GET", "/rate-limit")
    assert (reply.status, reply.content_type) == (200, "application/json")
    assert reply.text == f'{{"success":true,"message":"{ALLOWED}","tokens_remaining":99}}'


async def test_rate_limit_101st_request_is_429_until_the_refill(send, clock) -> None:
    for remaining in range(99, -1, -1):
        assert (await send("GET", "/rate-limit", headers=ip("10.0.0.1"))).json()["tokens_remaining"] == remaining
    reply = await send("GET", "/rate-limit", headers=ip("10.0.0.1"))
    refill_at = iso(clock.now_ms() + 10_000)
    assert (reply.status, reply.content_type) == (429, "application/json")
    assert reply.text == (
        f'{{"error":"Rate limit exceeded","retry_after_ms":10,"refill_in_ms":10000,"refill_at":"{refill_at}"}}'
    )
    assert "Retry-After" not in reply.headers


async def test_rate_limit_refill_in_counts_down(send, clock) -> None:
    await exhaust(send)
    await clock.advance(9_200)
    assert (await send("GET", "/rate-limit", headers=ip("10.0.0.1"))).json()["refill_in_ms"] == 800


async def test_rate_limit_each_ip_has_its_own_bucket(send) -> None:
    await exhaust(send, "10.0.0.1")
    assert (await send("GET", "/rate-limit/anything", headers=ip("10.0.0.2"))).json()["tokens_remaining"] == 99
    assert (await send("POST", "/rate-limitXYZ", headers=ip("10.0.0.1"))).status == 429


async def test_rate_limit_without_header_uses_the_peer_address(send) -> None:
    await send("GET", "/rate-limit")
    assert (await send("GET", "/rate-limit", headers=ip("127.0.0.1"))).json()["tokens_remaining"] == 98


async def test_rate_limit_alarm_refills_the_bucket(send, clock) -> None:
    await exhaust(send)
    await clock.advance(10_000)
    assert (await send("GET", "/rate-limit", headers=ip("10.0.0.1"))).json()["tokens_remaining"] == 99


async def test_rate_limit_alarm_re_arms_itself_every_10_s(send, clock) -> None:
    start = clock.now_ms()
    await exhaust(send)
    assert (await send("GET", "/rate-limit", headers=ip("10.0.0.1"))).json()["refill_at"] == iso(start + 10_000)
    await clock.advance(10_000)
    await exhaust(send)
    assert (await send("GET", "/rate-limit", headers=ip("10.0.0.1"))).json()["refill_at"] == iso(start + 20_000)
    await clock.advance(30_000)  # three more refills, although no request came
    await exhaust(send)
    assert (await send("GET", "/rate-limit", headers=ip("10.0.0.1"))).json()["refill_at"] == iso(start + 50_000)
