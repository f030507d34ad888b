"""Session: key-value session data that deletes itself after 30 s of inactivity.

Demonstrates activity-based expiry: every request, whatever it asks, first moves the alarm to 30 s
from now; when the alarm finally fires, nobody has touched the session for 30 s and all of its data
is deleted.
"""

from urllib.parse import urlsplit

from js import Date
from workers import DurableObject

from javascript import UNDEFINED, js_or, parse_json, query_param, to_string
from responses import compact_json

TTL_MS = 30_000
INFO = {
    "message": "Session Durable Object",
    "endpoints": {
        "set": "POST /session/set with JSON body {key, value}",
        "get": "GET /session/get?key=<key>",
        "all": "GET /session/all",
    },
    "info": "Session auto-deletes after 30 seconds of inactivity",
}


class Session(DurableObject):
    async def fetch(self, request):
        expires_at = Date.now() + TTL_MS
        await self.ctx.storage.setAlarm(expires_at)
        ttl = {"ttl_seconds": TTL_MS // 1000, "alarm_scheduled_at": Date.new(expires_at).toISOString()}

        path = urlsplit(request.url).path
        if path == "/session/set" and request.method == "POST":
            key = await self.store(await request.text())
            return compact_json({"success": True, "message": f"Stored {key}", **ttl})
        if path == "/session/get":
            key = query_param(request.url, "key")
            if not key:
                return compact_json({"error": "Missing 'key' parameter"}, status=400)
            found = await self.ctx.storage.get([key])  # a dict: tells a stored null from a missing key
            value = found.get(key)
            return compact_json({"key": key, "value": js_or(value, None), "exists": key in found, **ttl})
        if path == "/session/all":
            data = dict(await self.ctx.storage.list())
            return compact_json({"data": data, "count": len(data), **ttl})
        return compact_json(INFO)

    async def store(self, body):
        """Store ``{"key", "value"}`` from a JSON body under ``String(key)``; return that key.

        Bad bodies fail as the JavaScript original does: a syntax error, ``null``, a missing value or
        an object as key raise, and the server answers 500.
        """
        data = parse_json(body)
        if data is None:
            raise TypeError("Cannot read properties of null (reading 'key')")
        fields = data if isinstance(data, dict) else {}
        key, value = fields.get("key", UNDEFINED), fields.get("value", UNDEFINED)
        if isinstance(key, dict):  # JavaScript reads an object as put(entries, options)
            raise TypeError("put() may only be called with a single key-value pair and optional options")
        if value is UNDEFINED:
            raise TypeError("put() called with undefined value.")
        key = to_string(key)
        await self.ctx.storage.put(key, value)
        return key

    async def alarm(self):
        print("Session TTL expired - cleaning up all data")
        await self.ctx.storage.deleteAll()
