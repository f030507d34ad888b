"""Batcher: collects request bodies and processes them together from an alarm.

Demonstrates batching and debouncing with one alarm. In batch mode the first request of a window
sets the alarm and later ones leave it alone, so the batch runs 10 s after the first request; a body
``{"debounce": true}`` pushes the alarm back instead, so the batch runs 10 s after the last request.
Queued bodies wait in storage under ``"1"``, ``"2"``, ...; the alarm handles them all and starts over.
"""

from js import Date
from workers import DurableObject

from javascript import console_array, parse_json
from responses import compact_json

WINDOW_MS = 10_000


class Batcher(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.count = 0
        ctx.blockConcurrencyWhile(self.restore_count)

    async def restore_count(self):
        """Continue numbering after the greatest stored key (in string order, as storage sorts)."""
        last = await self.ctx.storage.list({"reverse": True, "limit": 1})
        self.count = int(next(iter(last))) if last else 0

    async def fetch(self, request):
        self.count += 1
        body = await request.text()
        debounce = wants_debounce(body)
        if debounce or await self.ctx.storage.getAlarm() is None:
            await self.ctx.storage.setAlarm(Date.now() + WINDOW_MS)
        await self.ctx.storage.put(str(self.count), body)
        return compact_json(
            {"queued": self.count, "debounce": debounce},
            content_type="application/json;charset=UTF-8",
        )

    async def alarm(self):
        items = list((await self.ctx.storage.list()).values())
        print(f"Processing batch of {len(items)} items: {console_array(items)}")
        await self.ctx.storage.deleteAll()
        self.count = 0


def wants_debounce(body):
    """True only for a JSON object whose ``debounce`` member is exactly ``true``."""
    try:
        data = parse_json(body)
    except SyntaxError:
        return False
    return isinstance(data, dict) and data.get("debounce") is True
