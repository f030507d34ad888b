"""Counter: one global number in Durable Object storage.

Demonstrates atomic read-modify-write: concurrent increments never lose an update, because while
the object awaits its own storage no other request is delivered to it (the input gate).
"""

from urllib.parse import urlsplit

from workers import DurableObject

from responses import compact_json, text

HELP = "Counter endpoint. Try /counter/value, /counter/increment, or /counter/decrement"


class Counter(DurableObject):
    async def fetch(self, request):
        path = urlsplit(request.url).path
        if path == "/counter/value":
            return compact_json({"value": await self.value()})
        if path == "/counter/increment":
            return compact_json({"value": await self.add(1), "action": "incremented"})
        if path == "/counter/decrement":
            return compact_json({"value": await self.add(-1), "action": "decremented"})
        if path == "/counter/reset" and request.method == "POST":
            await self.ctx.storage.put("counter", 0)
            return compact_json({"value": 0, "action": "reset"})
        return text(HELP, status=404)

    async def value(self):
        """The current value (0 before the first write)."""
        return await self.ctx.storage.get("counter") or 0

    async def add(self, amount):
        """Add ``amount`` and return the new value."""
        value = await self.value() + amount
        await self.ctx.storage.put("counter", value)
        return value
