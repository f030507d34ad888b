"""KVStore: Workers KV used from inside a Durable Object.

Demonstrates combining the two stores: the data lives in the KV namespace ``KV_CACHE``, global and
shared by every room, while each room's object counts its reads and writes in its own Durable
Object storage. The worker strips ``/kv-store`` from the path, so this object serves ``/kv``,
``/stats`` and ``/list``.
"""

from urllib.parse import urlsplit

from workers import DurableObject

from javascript import destructure, js_or, parse_int, parse_json, query_param, to_string, truthy
from responses import compact_json

DEFAULT_LIST_LIMIT = "10"
NOT_FOUND = {
    "error": "Not found",
    "available_endpoints": {
        "put": "PUT /kv with JSON body {key: string, value: string}",
        "get": "GET /kv?key=<key>",
        "delete": "DELETE /kv?key=<key>",
        "stats": "GET /stats",
        "list": "GET /list?prefix=<prefix>&limit=<limit>",
    },
}


class KVStore(DurableObject):
    async def fetch(self, request):
        path, method = urlsplit(request.url).path, request.method
        if path == "/kv" and method == "PUT":
            return await self.put(request)
        if path == "/kv" and method in ("GET", "DELETE"):
            key = query_param(request.url, "key")
            if not key:
                return compact_json({"error": "Missing key query parameter"}, status=400)
            if method == "GET":
                return await self.get(key)
            return await self.delete(key)
        if path == "/stats" and method == "GET":
            return await self.stats()
        if path == "/list" and method == "GET":
            return await self.list_keys(request.url)
        return compact_json(NOT_FOUND, status=404)

    async def put(self, request):
        """Write ``{"key", "value"}`` to KV and count the write; any failure is a 400."""
        try:
            key, value = destructure(parse_json(await request.text()), "key", "value")
            if not (truthy(key) and truthy(value)):
                return compact_json({"error": "Missing key or value in request body"}, status=400)
            if isinstance(value, (dict, list)):
                raise TypeError("KV put() accepts only strings, ArrayBuffers and ReadableStreams as values.")
            name = to_string(key)
            await self.env.KV_CACHE.put(name, to_string(value))
            writes = (await self.ctx.storage.get("write_count") or 0) + 1
            await self.ctx.storage.put({"write_count": writes, "last_key_written": key})
            return compact_json({"success": True, "message": f'Wrote key "{name}" to KV', "write_count": writes})
        except Exception:
            return compact_json({"error": "Invalid JSON body. Expected {key: string, value: string}"}, status=400)

    async def get(self, key):
        value = await self.env.KV_CACHE.get(key)
        reads = (await self.ctx.storage.get("read_count") or 0) + 1
        await self.ctx.storage.put({"read_count": reads, "last_key_read": key})
        return compact_json({"key": key, "value": value, "found": value is not None, "read_count": reads})

    async def delete(self, key):
        await self.env.KV_CACHE.delete(key)
        return compact_json({"success": True, "message": f'Deleted key "{key}" from KV'})

    async def stats(self):
        stored = await self.ctx.storage.get(["write_count", "read_count", "last_key_written", "last_key_read"])
        return compact_json({
            "statistics": {
                "total_writes": js_or(stored.get("write_count"), 0),
                "total_reads": js_or(stored.get("read_count"), 0),
                "last_key_written": js_or(stored.get("last_key_written"), None),
                "last_key_read": js_or(stored.get("last_key_read"), None),
            },
            "note": "Statistics are tracked in Durable Object storage, while actual data is in KV",
        })

    async def list_keys(self, url):
        """Keys of KV under ``prefix``, at most ``limit``; ``cursor`` only when more keys follow."""
        options = {"prefix": query_param(url, "prefix") or ""}
        limit = parse_int(query_param(url, "limit") or DEFAULT_LIST_LIMIT)
        if limit > 0:  # KV treats zero, negative and NaN limits as "no limit"
            options["limit"] = limit
        result = await self.env.KV_CACHE.list(**options)
        listing = {"keys": [key["name"] for key in result["keys"]], "list_complete": result["list_complete"]}
        if not result["list_complete"]:
            listing["cursor"] = result["cursor"]
        return compact_json({**listing, "count": len(listing["keys"])})
