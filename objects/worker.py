"""The playground worker: routes each path prefix to its Durable Object.

The playground's routes are matched as the original matches them: a case-sensitive starts-with test
on the raw pathname, in the order of ``Default.fetch``. Then come the classic patterns (listed by
``GET /patterns``), matched by whole path segments; any other path gets the playground's index
document. Every Durable Object class is imported here because Cloudflare finds classes in the main
module.
"""

import json
from urllib.parse import urlsplit, urlunsplit

from js import Date, TextDecoder
from workers import Request, Response, WorkerEntrypoint

from batcher import Batcher
from chat_room import ChatRoom
from counter import Counter
from distributed_lock import DistributedLock
from event_aggregator import EventAggregator
from javascript import query_param
from kv_store import KVStore
from latency_tester import LatencyTester
from leader_election import LeaderElection
from leaky_bucket_limiter import LeakyBucketLimiter
from location import Location
from rate_limiter import RateLimiter
from responses import compact_json
from rpc import MyDurableObject
from session import Session
from sliding_window_limiter import SlidingWindowLimiter
from streamer import Streamer

__all__ = [
    "Default",
    "Batcher",
    "ChatRoom",
    "Counter",
    "DistributedLock",
    "EventAggregator",
    "KVStore",
    "LatencyTester",
    "LeaderElection",
    "LeakyBucketLimiter",
    "Location",
    "MyDurableObject",
    "RateLimiter",
    "Session",
    "SlidingWindowLimiter",
    "Streamer",
]

STREAM_VALUES = 5

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


PATTERNS = {
    "message": "Classic Durable Object patterns",
    "patterns": {
        "lock": {
            "acquire": "POST /lock/acquire?name=<resource>&owner=<owner>&ttl=<ms>&timeout=<ms>",
            "release": "POST /lock/release?name=<resource>&owner=<owner>",
            "status": "GET /lock/status?name=<resource>",
            "description": "Distributed lock. A lease that expires through an alarm; waiters get the lock in arrival order.",
        },
        "leader": {
            "claim": "POST /leader/claim?group=<group>&node=<node>&ttl=<ms>",
            "resign": "POST /leader/resign?group=<group>&node=<node>",
            "current": "GET /leader/current?group=<group>",
            "description": "Leader election. One leader per group, kept by renewing its lease; each new leader gets the next term.",
        },
        "events": {
            "add": "POST /events?stream=<stream> (with a JSON event {type, ...} or an array of them)",
            "summary": "GET /events/summary?stream=<stream>",
            "description": "Event aggregation. Buffers events and flushes them as one batch at 100 events or after 5 seconds.",
        },
        "slidingWindow": {
            "check": "GET /limit/sliding",
            "description": "Sliding-window rate limiter per client IP: at most 10 requests in any 60 seconds.",
        },
        "leakyBucket": {
            "check": "GET /limit/leaky",
            "description": "Leaky-bucket rate limiter per client IP: bursts of 10, then one request per second.",
        },
    },
}


def document(data):
    """An index document: JSON indented by 2 spaces, as the playground writes its index."""
    return Response(json.dumps(data, indent=2), headers={"content-type": "application/json"})


def under(path, prefix):
    """True when ``path`` is ``prefix`` or a path below it."""
    return path == prefix or path.startswith(prefix + "/")


def client_ip(request):
    """The client's address, which Cloudflare (and the dev server) put in ``CF-Connecting-IP``."""
    return request.headers.get("CF-Connecting-IP") or "default-ip"


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = request.url
        path = urlsplit(url).path
        env = self.env
        if path.startswith("/counter"):
            return await env.COUNTER.getByName("global-counter").fetch(request)
        if path.startswith("/chat"):
            room = query_param(request.url, "room") or "default"
            return await env.CHAT_ROOM.getByName(room).fetch(request)
        if path.startswith("/batcher"):
            return await env.BATCHER.getByName(query_param(url, "name") or "default").fetch(request)
        if path.startswith("/rate-limit"):
            return await env.RATE_LIMITER.getByName(client_ip(request)).fetch(request)
        if path.startswith("/location"):
            return await env.LOCATION.getByName("A").fetch(request)
        if path.startswith("/session"):
            return await env.SESSION.getByName(query_param(url, "id") or "default").fetch(request)
        if path.startswith("/streamer"):
            return await self.stream(request, path)
        if path.startswith("/kv-store"):
            return await self.kv_store(request)
        if path.startswith("/latency-test"):
            return await self.latency_test(request)
        if path.startswith("/rpc"):
            return await self.greet_over_rpc(path)
        return await self.pattern(request, path)

    async def pattern(self, request, path):
        """The classic patterns' routes, ``GET /patterns``, and the playground's index for the rest."""
        env, url = self.env, request.url
        if under(path, "/lock"):
            stub = env.DISTRIBUTED_LOCK.getByName(query_param(url, "name") or "default")
        elif under(path, "/leader"):
            stub = env.LEADER_ELECTION.getByName(query_param(url, "group") or "default")
        elif under(path, "/events"):
            stub = env.EVENT_AGGREGATOR.getByName(query_param(url, "stream") or "default")
        elif under(path, "/limit/sliding"):
            stub = env.SLIDING_WINDOW_LIMITER.getByName(client_ip(request))
        elif under(path, "/limit/leaky"):
            stub = env.LEAKY_BUCKET_LIMITER.getByName(client_ip(request))
        elif path == "/patterns":
            return document(PATTERNS)
        else:
            return document(INDEX)
        return await stub.fetch(request)

    async def stream(self, request, path):
        """``/streamer/stream``: read the object's stream up to five values, cancel it, answer them."""
        response = await self.env.STREAMER.getByName("default").fetch(request)
        if path != "/streamer/stream" or not response.ok or response.body is None:
            return response
        reader = response.body.getReader()
        decoder = TextDecoder.new()
        values = []
        while len(values) < STREAM_VALUES:
            chunk = await reader.read()
            if chunk.done:
                break
            value = decoder.decode(chunk.value).strip()
            if value:
                print(f"Got value: {value}")
                values.append(value)
        await reader.cancel()
        return compact_json({"message": f"Stream cancelled after {STREAM_VALUES} messages", "values": values})

    async def kv_store(self, request):
        """Forward to the room's KVStore without ``/kv-store`` in the path (``/kv-store/kv`` → ``/kv``)."""
        url = urlsplit(request.url)
        path = url.path.replace("/kv-store", "", 1)
        if not path.startswith("/"):
            path = "/" + path
        forwarded = Request(
            urlunsplit(url._replace(path=path)), method=request.method, headers=request.headers, body=request.body
        )
        room = query_param(request.url, "room") or "default"
        return await self.env.KV_STORE.getByName(room).fetch(forwarded)

    async def latency_test(self, request):
        """Time a request to a LatencyTester, created near ``locationHint`` if one is given."""
        hint = query_param(request.url, "locationHint")
        name = query_param(request.url, "name") or "test"
        do_name = f"{name}-{hint}" if hint else name
        testers = self.env.LATENCY_TESTER
        object_id = testers.idFromName(do_name)
        stub = testers.get(object_id, locationHint=hint) if hint else testers.get(object_id)
        started = Date.now()
        response = await stub.fetch(request)
        total_latency = Date.now() - started
        result = await response.json()
        return compact_json({**result, "totalLatency": total_latency, "locationHint": hint or "none", "doName": do_name})

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
