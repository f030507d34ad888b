"""LeaderElection: one leader per group, elected by lease, with a term number as fencing token.

Demonstrates strongly consistent coordination: every node of group ``G`` calls the same object, so
two nodes can never both win. The first node to claim becomes leader for ``ttl`` ms and keeps the
lead by claiming again before the lease runs out; when it stops (or resigns) the lease expires
through the alarm and the next claim elects a new leader. Each new leader gets the next ``term``,
which the nodes can attach to their writes so that a deposed leader's late writes are recognised.

Routes (``group`` picks the object, default ``default``):

* ``POST /leader/claim?group=G&node=N[&ttl=MS]`` → ``{"elected":bool,"leader":...,"term":T,"expires_at":ISO}``
* ``POST /leader/resign?group=G&node=N`` → 200 ``{"resigned":true}``, or 409 when ``N`` is not the leader
* ``GET /leader/current?group=G`` → ``{"leader":N|null,"term":T,"expires_at":ISO|null}``
"""

from urllib.parse import urlsplit

from js import Date
from workers import DurableObject

from javascript import parse_int, query_param
from responses import compact_json, pattern_not_found

DEFAULT_TTL_MS = 10_000
MAX_TTL_MS = 300_000


class LeaderElection(DurableObject):
    async def fetch(self, request):
        path, method = urlsplit(request.url).path, request.method
        if path == "/leader/current" and method == "GET":
            return compact_json(await self.current())
        if path not in ("/leader/claim", "/leader/resign") or method != "POST":
            return pattern_not_found()
        node = query_param(request.url, "node")
        if not node:
            return compact_json({"error": "Missing 'node' parameter"}, status=400)
        if path == "/leader/resign":
            return await self.resign(node)
        ttl = parse_int(query_param(request.url, "ttl") or str(DEFAULT_TTL_MS))
        if not 0 < ttl <= MAX_TTL_MS:  # NaN fails too
            return compact_json({"error": f"'ttl' must be 1 to {MAX_TTL_MS} ms"}, status=400)
        return await self.claim(node, ttl)

    async def claim(self, node, ttl):
        """Elect ``node`` if nobody leads, renew its lease if it already leads; else report the leader."""
        leader = await self.leader()
        if leader is None:
            term = (await self.ctx.storage.get("term") or 0) + 1
            leader = {"node": node, "term": term}
            await self.ctx.storage.put("term", term)
        elected = leader["node"] == node
        if elected:
            leader["expires_at"] = Date.now() + ttl
            await self.ctx.storage.put("leader", leader)
            await self.ctx.storage.setAlarm(leader["expires_at"])
        return compact_json({"elected": elected, **describe(leader)})

    async def resign(self, node):
        leader = await self.leader()
        if leader is None or leader["node"] != node:
            return compact_json({"resigned": False, **await self.current()}, status=409)
        await self.step_down()
        return compact_json({"resigned": True})

    async def current(self):
        return describe(await self.leader(), last_term=await self.ctx.storage.get("term") or 0)

    async def alarm(self):
        leader = await self.ctx.storage.get("leader")
        if leader is not None and leader["expires_at"] <= Date.now():
            print(f"Leader {leader['node']} lost the lead: its lease for term {leader['term']} expired")
            await self.step_down()

    async def leader(self):
        """The stored leader, or None when nobody leads or the lease has run out."""
        leader = await self.ctx.storage.get("leader")
        return leader if leader is not None and leader["expires_at"] > Date.now() else None

    async def step_down(self):
        """No leader until the next claim; the term number stays."""
        await self.ctx.storage.delete("leader")
        await self.ctx.storage.deleteAlarm()


def describe(leader, last_term=0):
    """``leader``, ``term`` and ``expires_at`` of a leader; when nobody leads, the last term."""
    if leader is None:
        return {"leader": None, "term": last_term, "expires_at": None}
    expires_at = Date.new(leader["expires_at"]).toISOString()
    return {"leader": leader["node"], "term": leader["term"], "expires_at": expires_at}
