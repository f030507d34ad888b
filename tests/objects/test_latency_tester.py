"""PLAYGROUND §5.10: /latency-test — a LatencyTester per name and location hint times Cloudflare's trace.

pyworker answers ``https://www.cloudflare.com/cdn-cgi/trace`` locally (``pyworker.runtime.local_answers``),
so the route answers 200 offline where ``wrangler dev`` answers 500.
"""

from __future__ import annotations

import pytest
from js import Date

TRACE = {
    "fl": "0f000", "h": "www.cloudflare.com", "ip": "127.0.0.1", "ts": "1700000000.000", "visit_scheme": "https",
    "colo": "DFW", "sliver": "none", "http": "http/1.1", "loc": "US", "tls": "TLSv1.3", "sni": "plaintext",
    "warp": "off", "gateway": "off", "rbi": "off", "kex": "X25519",
}


async def test_latency_test_answers_trace_timing_and_names(send, clock) -> None:
    reply = await send("GET", "/latency-test")
    assert (reply.status, reply.content_type) == (200, "application/json")
    data = reply.json()
    assert list(data) == ["trace", "processingTime", "timestamp", "totalLatency", "locationHint", "doName"]
    assert data["trace"] == TRACE  # the trace's empty uag= line is dropped, as the original drops it
    assert data["timestamp"] == Date.new(clock.now_ms()).toISOString()
    assert (data["processingTime"], data["totalLatency"]) == (0, 0)  # no time passes on the manual clock
    assert (data["locationHint"], data["doName"]) == ("none", "test")


@pytest.mark.parametrize(
    ("query", "hint", "name"),
    [("?locationHint=enam", "enam", "test-enam"), ("?name=probe&locationHint=weur", "weur", "probe-weur"),
     ("?name=probe", "none", "probe"), ("?name=&locationHint=", "none", "test"), ("?locationHint=bogus", "bogus", "test-bogus")],
)
async def test_latency_test_object_name_comes_from_name_and_hint(send, query: str, hint: str, name: str) -> None:
    data = (await send("GET", f"/latency-test{query}")).json()
    assert (data["locationHint"], data["doName"]) == (hint, name)


async def test_latency_test_prefix_is_not_segment_aware(send) -> None:
    assert (await send("POST", "/latency-testfoo")).json()["doName"] == "test"
