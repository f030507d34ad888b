"""The playground worker: routes each path prefix to its Durable Object.

Matching is a case-sensitive starts-with test on the raw pathname, in the order of ``ROUTES``; any
other path gets the index document. Every Durable Object class is imported here because Cloudflare
finds classes in the main module.
"""

import json
from urllib.parse import urlsplit

from workers import Response, WorkerEntrypoint

from batcher import Batcher
from chat_room import ChatRoom
from counter import Counter
from javascript import query_param
from kv_store import KVStore
from latency_tester import LatencyTester
from location import Location
from rate_limiter import RateLimiter
from responses import compact_json
from rpc import MyDurableObject
from session import Session
from streamer import Streamer

__all__ = [
    "Default",
    "Batcher",
    "ChatRoom",
    "Counter",
    "KVStore",
    "LatencyTester",
    "Location",
    "MyDurableObject",
    "RateLimiter",
    "Session",
    "Streamer",
]

LOCATION_HINTS = [
    "wnam - Western North America",
    "enam - Eastern North America",
    "sam - South America",
    "weur - Western Europe",
    "eeur - Eastern Europe",
    "apac - Asia-Pacific",
    "oc - Oceania",
    "afr - Africa",
    "me - Middle East",
]

INDEX = {
    "message": "Cloudflare Durable Objects Playground",
    "endpoints": {
        "counter": {
            "increment": "GET /counter/increment",
            "decrement": "GET /counter/decrement",
            "value": "GET /counter/value",
            "reset": "POST /counter/reset",
        },
        "chat": {
            "send": "POST /chat/send?room=<room_name>",
            "messages": "GET /chat/messages?room=<room_name>",
            "websocket": "GET /chat/ws?room=<room_name> (upgrade to WebSocket)",
        },
        "batcher": {
            "queue": "POST /batcher?name=<batcher_name> (with text body)",
            "description": "Batches requests for 10 seconds before processing",
        },
        "rateLimit": {
            "check": "GET /rate-limit",
            "description": "Token bucket rate limiter based on client IP (10,000 token capacity, 1ms per request)",
        },
        "location": {
            "check": "GET /location",
            "description": "Demonstrates in-memory state. Tracks location across requests until DO is evicted from memory.",
        },
        "session": {
            "set": "POST /session/set?id=<session_id> (with JSON body {key, value})",
            "get": "GET /session/get?id=<session_id>&key=<key>",
            "all": "GET /session/all?id=<session_id>",
            "description": "Auto-cleanup pattern. Session data deletes after 30 seconds of inactivity.",
        },
        "streamer": {
            "stream": "GET /streamer/stream",
            "description": "Streaming response pattern. Streams incrementing counter values, worker cancels after 5 messages.",
        },
        "rpc": {
            "greet": "GET /rpc",
            "description": "RPC Target pattern. Demonstrates using RpcTarget to pass metadata and call DO methods without direct fetch.",
        },
        "kvStore": {
            "put": "PUT /kv-store/kv?room=<room_id> (with JSON body {key: string, value: string})",
            "get": "GET /kv-store/kv?room=<room_id>&key=<key>",
            "delete": "DELETE /kv-store/kv?room=<room_id>&key=<key>",
            "stats": "GET /kv-store/stats?room=<room_id>",
            "list": "GET /kv-store/list?room=<room_id>&prefix=<prefix>&limit=<limit>",
            "description": "Workers KV integration. Demonstrates accessing KV namespace from within a Durable Object.",
        },
        "latencyTest": {
            "test": "GET /latency-test?locationHint=<hint>&name=<do_name>",
            "description": "Latency testing. Tests DO latency with optional location hints (wnam, enam, sam, weur, eeur, apac, oc, afr, me).",
            "hints": LOCATION_HINTS,
        },
    },
}


def not_ported(route, class_name):
    """Answer for routes whose object is not ported to Python yet."""
    return compact_json(
        {"error": "Not implemented yet", "route": route, "object": class_name},
        status=501,
    )


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlsplit(request.url).path
        env = self.env
        if path.startswith("/counter"):
            return await env.COUNTER.getByName("global-counter").fetch(request)
        if path.startswith("/chat"):
            room = query_param(request.url, "room") or "default"
            return await env.CHAT_ROOM.getByName(room).fetch(request)
        if path.startswith("/location"):
            return await env.LOCATION.getByName("A").fetch(request)
        if path.startswith("/rpc"):
            return await self.greet_over_rpc(path)
        for prefix, class_name in (
            ("/batcher", "Batcher"),
            ("/rate-limit", "RateLimiter"),
            ("/session", "Session"),
            ("/streamer", "Streamer"),
            ("/kv-store", "KVStore"),
            ("/latency-test", "LatencyTester"),
        ):
            if path.startswith(prefix):
                return not_ported(prefix, class_name)
        return Response(json.dumps(INDEX, indent=2), headers={"content-type": "application/json"})

    async def greet_over_rpc(self, path):
        """One object per pathname; its RpcTarget is used before the call that returns it resolves."""
        object_id = self.env.MY_DURABLE_OBJECT.idFromName(path)
        stub = self.env.MY_DURABLE_OBJECT.get(object_id)
        target = stub.setMetaData(object_id.name or "default")
        greeting = await target.computeMessage("world")
        simple = await target.simpleGreeting("world")
        initialized_at = await target.getInitializedAt()
        print("RpcTarget will be cleaned up automatically.")
        return compact_json({"greeting": greeting, "simpleGreeting": simple, "initializedAt": initialized_at})
