"""``pyworker.runtime.local_answers``: Cloudflare-only endpoints answered by pyworker itself."""

from __future__ import annotations

from pyworker.runtime import current
from pyworker.runtime.clock import ManualClock
from pyworker.runtime.http import Request, fetch
from pyworker.runtime.local_answers import local_answer


async def test_local_answers_cdn_cgi_trace_matches_the_local_request_cf() -> None:
    current.set_clock(ManualClock(1_700_000_000_123))
    try:
        response = await fetch("https://www.cloudflare.com/cdn-cgi/trace", headers={"User-Agent": "probe/1"})
    finally:
        current.set_clock(None)
    assert (response.status, response.headers["content-type"]) == (200, "text/plain")
    assert await response.text() == (
        "fl=0f000\nh=www.cloudflare.com\nip=127.0.0.1\nts=1700000000.123\nvisit_scheme=https\nuag=probe/1\n"
        "colo=DFW\nsliver=none\nhttp=http/1.1\nloc=US\ntls=TLSv1.3\nsni=plaintext\nwarp=off\ngateway=off\n"
        "rbi=off\nkex=X25519\n"
    )


def test_local_answers_leave_other_urls_to_the_network() -> None:
    assert local_answer(Request("https://www.cloudflare.com/")) is None
    assert local_answer(Request("https://example.com/cdn-cgi/trace")) is None
