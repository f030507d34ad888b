"""RateLimiter: a token bucket per client IP, refilled by an alarm that re-arms itself.

Demonstrates a periodic alarm: each object keeps ``tokens`` in memory, every request takes one, and
an alarm every 10 s fills the bucket again and schedules the next refill, forever. The worker picks
the object by the ``CF-Connecting-IP`` header, so each client has its own bucket.
"""

from js import Date
from workers import DurableObject

from responses import compact_json

CAPACITY = 100
REFILL_EVERY_MS = 10_000
TOKENS_PER_REFILL = 1_000  # more than the capacity: every refill fills the bucket
RETRY_AFTER_MS = 10


class RateLimiter(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.tokens = CAPACITY

    async def fetch(self, request):
        try:
            await self.ensure_refill_alarm()
            if self.tokens > 0:
                self.tokens -= 1
                return compact_json({
                    "success": True,
                    "message": "Request allowed - upstream resource would be called here",
                    "tokens_remaining": self.tokens,
                })
            return await self.limited()
        except Exception as error:
            return compact_json({"error": "Internal rate limiter error", "details": str(error)}, status=500)

    async def limited(self):
        """The 429 answer: when the next refill comes."""
        refill_at = await self.ctx.storage.getAlarm()
        return compact_json(
            {
                "error": "Rate limit exceeded",
                "retry_after_ms": RETRY_AFTER_MS,
                "refill_in_ms": None if refill_at is None else max(0, refill_at - Date.now()),
                "refill_at": None if refill_at is None else Date.new(refill_at).toISOString(),
            },
            status=429,
        )

    async def alarm(self):
        self.tokens = min(CAPACITY, self.tokens + TOKENS_PER_REFILL)
        await self.ensure_refill_alarm()

    async def ensure_refill_alarm(self):
        """Schedule the next refill unless one is pending."""
        alarm = await self.ctx.storage.getAlarm()
        if alarm is None or alarm <= Date.now():
            await self.ctx.storage.setAlarm(Date.now() + REFILL_EVERY_MS)
