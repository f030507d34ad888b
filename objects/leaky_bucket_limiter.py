"""LeakyBucketLimiter: requests fill a bucket of 10 that drains at one request per second.

Demonstrates a leaky bucket (as a meter): each request of a client (picked by ``CF-Connecting-IP``)
adds one unit, the bucket leaks one unit per second, and a request that would overflow it is
refused. Bursts of up to 10 pass, then the client is held to the leak rate. The object stores a
single number, the time at which the bucket will be empty; an alarm at that time deletes it.

Route: any method on ``/limit/leaky`` → 200 ``{"allowed":true,"level":L,"capacity":10}`` or
429 ``{"allowed":false,"level":L,"capacity":10,"retry_after_ms":MS}`` with ``Retry-After`` (seconds);
``level`` is how full the bucket is, in requests.
"""

import math

from js import Date
from workers import DurableObject

from responses import compact_json

CAPACITY = 10
LEAK_INTERVAL_MS = 1_000  # one request leaks out per second


class LeakyBucketLimiter(DurableObject):
    async def fetch(self, request):
        now = Date.now()
        empty_at = max(now, await self.ctx.storage.get("empty_at") or 0)
        overflow_ms = empty_at + LEAK_INTERVAL_MS - now - CAPACITY * LEAK_INTERVAL_MS
        if overflow_ms > 0:
            return compact_json(
                {
                    "allowed": False,
                    "level": (empty_at - now) / LEAK_INTERVAL_MS,
                    "capacity": CAPACITY,
                    "retry_after_ms": overflow_ms,
                },
                status=429,
                headers={"retry-after": str(math.ceil(overflow_ms / 1000))},
            )
        empty_at += LEAK_INTERVAL_MS
        await self.ctx.storage.put("empty_at", empty_at)
        await self.ctx.storage.setAlarm(empty_at)
        return compact_json({"allowed": True, "level": (empty_at - now) / LEAK_INTERVAL_MS, "capacity": CAPACITY})

    async def alarm(self):
        await self.ctx.storage.deleteAll()
