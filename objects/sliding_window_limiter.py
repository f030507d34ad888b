"""SlidingWindowLimiter: at most 10 requests per client in any 60-second window.

Demonstrates a sliding-window log: the object of a client (picked by ``CF-Connecting-IP``) stores
the times of its recent requests and allows a new one only while fewer than ``LIMIT`` fall inside
the last ``WINDOW_MS``. Unlike a fixed window, a burst at the end of one minute and the start of the
next cannot double the rate. An alarm deletes the log once the client has been quiet for a window.

Route: any method on ``/limit/sliding`` → 200 ``{"allowed":true,"limit":10,"remaining":R,"reset_at":ISO}``
or 429 ``{"allowed":false,"limit":10,"remaining":0,"retry_after_ms":MS,"reset_at":ISO}`` with
``Retry-After`` (seconds); ``reset_at`` is when the oldest request in the window leaves it.
"""

import math

from js import Date
from workers import DurableObject

from responses import compact_json

LIMIT = 10
WINDOW_MS = 60_000


class SlidingWindowLimiter(DurableObject):
    async def fetch(self, request):
        now = Date.now()
        recent = [t for t in await self.ctx.storage.get("requests") or [] if t > now - WINDOW_MS]
        if len(recent) >= LIMIT:
            reset_at = recent[0] + WINDOW_MS
            return compact_json(
                {
                    "allowed": False,
                    "limit": LIMIT,
                    "remaining": 0,
                    "retry_after_ms": reset_at - now,
                    "reset_at": Date.new(reset_at).toISOString(),
                },
                status=429,
                headers={"retry-after": str(math.ceil((reset_at - now) / 1000))},
            )
        recent.append(now)
        await self.ctx.storage.put("requests", recent)
        await self.ctx.storage.setAlarm(now + WINDOW_MS)  # forget the client once it has been quiet
        return compact_json({
            "allowed": True,
            "limit": LIMIT,
            "remaining": LIMIT - len(recent),
            "reset_at": Date.new(recent[0] + WINDOW_MS).toISOString(),
        })

    async def alarm(self):
        await self.ctx.storage.deleteAll()
