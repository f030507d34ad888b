"""DistributedLock: a lease-based mutual-exclusion lock, one object per resource name.

Demonstrates coordination through a single Durable Object: every client asking for resource ``R``
reaches the same object, which holds the lock's state in storage (``owner``, ``expires_at``). A lock
is a lease: it expires ``ttl`` ms after it was granted, through the object's alarm, so a client that
crashes cannot hold it forever. A client may wait up to ``timeout`` ms for a held lock: on release
or expiry the lock passes directly to the client that has waited longest.

Routes (``name`` picks the object, default ``default``):

* ``POST /lock/acquire?name=R&owner=O[&ttl=MS][&timeout=MS]`` → 200 ``{"acquired":true,...}`` or,
  when still held by someone else after ``timeout`` (default 0: do not wait), 409 ``{"acquired":false,...}``
* ``POST /lock/release?name=R&owner=O`` → 200 ``{"released":true}``, or 409 when ``O`` does not hold it
* ``GET /lock/status?name=R`` → ``{"locked":bool,"owner":O|null,"expires_at":ISO|null,"waiting":N}``
"""

import asyncio
from collections import deque
from urllib.parse import urlsplit

from js import Date
from workers import DurableObject

from javascript import parse_int, query_param
from responses import compact_json, pattern_not_found

DEFAULT_TTL_MS = 30_000
MAX_TTL_MS = 3_600_000


class DistributedLock(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.waiters = deque()  # (owner, ttl_ms, future) of requests waiting for the lock

    async def fetch(self, request):
        path, method = urlsplit(request.url).path, request.method
        if path == "/lock/status" and method == "GET":
            return await self.status()
        if path not in ("/lock/acquire", "/lock/release") or method != "POST":
            return pattern_not_found()
        owner = query_param(request.url, "owner")
        if not owner:
            return compact_json({"error": "Missing 'owner' parameter"}, status=400)
        if path == "/lock/release":
            return await self.release(owner)
        ttl = millis(query_param(request.url, "ttl"), DEFAULT_TTL_MS)
        timeout = millis(query_param(request.url, "timeout"), 0)
        if ttl is None or not 0 < ttl <= MAX_TTL_MS or timeout is None:
            return compact_json({"error": f"'ttl' must be 1 to {MAX_TTL_MS} ms, 'timeout' 0 ms or more"}, status=400)
        return await self.acquire(owner, ttl, timeout)

    async def acquire(self, owner, ttl, timeout):
        """Grant the lock if it is free (or already ``owner``'s: the lease is renewed), else wait."""
        lock = await self.current_lock()
        if lock is None or lock["owner"] == owner:
            return granted(await self.grant(owner, ttl), waited_ms=0)
        if timeout > 0:
            started = Date.now()
            future = asyncio.get_running_loop().create_future()
            waiter = (owner, ttl, future)
            self.waiters.append(waiter)
            try:
                lock = await asyncio.wait_for(future, timeout / 1000)
                return granted(lock, waited_ms=Date.now() - started)
            except TimeoutError:
                if waiter in self.waiters:
                    self.waiters.remove(waiter)
                lock = await self.current_lock()
        return compact_json({"acquired": False, **describe(lock)}, status=409)

    async def release(self, owner):
        lock = await self.current_lock()
        if lock is None or lock["owner"] != owner:
            return compact_json({"released": False, "error": "Not lock holder", **describe(lock)}, status=409)
        await self.hand_over()
        return compact_json({"released": True})

    async def status(self):
        lock = await self.current_lock()
        return compact_json({"locked": lock is not None, **describe(lock), "waiting": len(self.waiters)})

    async def alarm(self):
        lock = await self.ctx.storage.get("lock")
        if lock is not None and lock["expires_at"] <= Date.now():
            print(f"Lock held by {lock['owner']} expired")
            await self.hand_over()

    async def current_lock(self):
        """The stored lock, or None when it is free or its lease has run out."""
        lock = await self.ctx.storage.get("lock")
        return lock if lock is not None and lock["expires_at"] > Date.now() else None

    async def grant(self, owner, ttl):
        """Give the lock to ``owner`` for ``ttl`` ms; the alarm ends the lease."""
        lock = {"owner": owner, "expires_at": Date.now() + ttl}
        await self.ctx.storage.put("lock", lock)
        await self.ctx.storage.setAlarm(lock["expires_at"])
        return lock

    async def hand_over(self):
        """Pass the lock to the first client still waiting, or free it."""
        while self.waiters:
            owner, ttl, waiting = self.waiters.popleft()
            lock = await self.grant(owner, ttl)
            if not waiting.done():  # it may have timed out while the grant was written
                waiting.set_result(lock)
                return
        await self.ctx.storage.delete("lock")
        await self.ctx.storage.deleteAlarm()


def millis(text, default):
    """A query parameter in milliseconds: ``default`` when absent, None when not a number ≥ 0."""
    if not text:
        return default
    value = parse_int(text)
    return value if value >= 0 else None  # NaN fails the test too


def describe(lock):
    """The ``owner`` and ``expires_at`` of ``lock`` (both null when it is free)."""
    if lock is None:
        return {"owner": None, "expires_at": None}
    return {"owner": lock["owner"], "expires_at": Date.new(lock["expires_at"]).toISOString()}


def granted(lock, waited_ms):
    return compact_json({"acquired": True, **describe(lock), "waited_ms": waited_ms})
