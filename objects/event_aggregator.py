"""EventAggregator: buffers incoming events and rolls them up in batches.

Demonstrates write aggregation: many small events reach one object per stream, which keeps them in a
buffer and flushes them together, when 100 have gathered or 5 s after the first of a batch (alarm),
whichever comes first. A flush is where a real app would send one request to an analytics service;
here it adds the batch's counts per event ``type`` to running totals and logs a line.

Routes (``stream`` picks the object, default ``default``):

* ``POST /events?stream=S`` with a JSON event ``{"type": "click", ...}`` or an array of them
  → 202 ``{"accepted":N,"pending":P,"flushed":bool}``; 400 for anything else
* ``GET /events/summary?stream=S`` → ``{"pending":P,"flushed":F,"flushes":K,"totals":{type: count},"last_flush_at":ISO|null}``
"""

from urllib.parse import urlsplit

from js import Date
from workers import DurableObject

from javascript import parse_json, to_json
from responses import compact_json, pattern_not_found

FLUSH_SIZE = 100
FLUSH_AFTER_MS = 5_000
BAD_EVENTS = {"error": "Expected a JSON event with a string 'type', or a non-empty array of them"}


class EventAggregator(DurableObject):
    async def fetch(self, request):
        path, method = urlsplit(request.url).path, request.method
        if path == "/events" and method == "POST":
            events = parse_events(await request.text())
            if events is None:
                return compact_json(BAD_EVENTS, status=400)
            return await self.add(events)
        if path == "/events/summary" and method == "GET":
            return await self.summary()
        return pattern_not_found()

    async def add(self, events):
        """Buffer ``events``; flush at once when the buffer is full, else within FLUSH_AFTER_MS."""
        pending = (await self.ctx.storage.get("pending") or []) + events
        flushed = len(pending) >= FLUSH_SIZE
        if flushed:
            await self.flush(pending)
            await self.ctx.storage.deleteAlarm()
        else:
            await self.ctx.storage.put("pending", pending)
            if await self.ctx.storage.getAlarm() is None:
                await self.ctx.storage.setAlarm(Date.now() + FLUSH_AFTER_MS)
        return compact_json(
            {"accepted": len(events), "pending": 0 if flushed else len(pending), "flushed": flushed}, status=202
        )

    async def summary(self):
        stored = await self.ctx.storage.get(["pending", "flushed", "flushes", "totals", "last_flush_at"])
        last_flush_at = stored.get("last_flush_at")
        return compact_json({
            "pending": len(stored.get("pending", [])),
            "flushed": stored.get("flushed", 0),
            "flushes": stored.get("flushes", 0),
            "totals": stored.get("totals", {}),
            "last_flush_at": None if last_flush_at is None else Date.new(last_flush_at).toISOString(),
        })

    async def alarm(self):
        pending = await self.ctx.storage.get("pending")
        if pending:
            await self.flush(pending)

    async def flush(self, events):
        """Add the counts per type of ``events`` to the totals and empty the buffer."""
        counts = {}
        for event in events:
            counts[event["type"]] = counts.get(event["type"], 0) + 1
        stored = await self.ctx.storage.get(["flushed", "flushes", "totals"])
        totals = stored.get("totals", {})
        for event_type, count in counts.items():
            totals[event_type] = totals.get(event_type, 0) + count
        await self.ctx.storage.put({
            "pending": [],
            "flushed": stored.get("flushed", 0) + len(events),
            "flushes": stored.get("flushes", 0) + 1,
            "totals": totals,
            "last_flush_at": Date.now(),
        })
        print(f"Flushed {len(events)} events: {to_json(counts)}")


def parse_events(body):
    """The events of a request body (one event or an array of them), or None when it is not valid."""
    try:
        data = parse_json(body)
    except SyntaxError:
        return None
    events = data if isinstance(data, list) else [data]
    valid = all(isinstance(event, dict) and isinstance(event.get("type"), str) and event["type"] for event in events)
    return events if events and valid else None
