"""/bench/storage?n=N: N puts, then a get of each key put, awaited one at a time inside one object.

The Python twin of ``StorageBench`` in ``bench/reference/src/index.js`` (same keys, values and order).
``inside_ms`` is measured by the object itself; ``python -m bench.compare`` reports the end-to-end
time of the request minus that of an ``n=0`` request, as it does for wrangler.
"""

import json
import time
from urllib.parse import parse_qs, urlsplit

from workers import DurableObject, Response, WorkerEntrypoint


def json_response(data, status=200):
    return Response(json.dumps(data, separators=(",", ":")), status=status,
                    headers={"content-type": "application/json"})


class StorageBench(DurableObject):
    async def fetch(self, request):
        n = int(parse_qs(urlsplit(request.url).query).get("n", ["1000"])[0])
        storage = self.ctx.storage
        started = time.perf_counter()
        for i in range(n):
            await storage.put(f"k{i}", i)
        total = 0
        for i in range(n):
            total += await storage.get(f"k{i}")
        inside_ms = (time.perf_counter() - started) * 1000
        if total != n * (n - 1) // 2:
            return json_response({"error": "wrong sum", "sum": total}, status=500)
        return json_response({"n": n, "ops": 2 * n, "inside_ms": round(inside_ms, 3)})


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        if urlsplit(request.url).path.startswith("/bench/storage"):
            return await self.env.STORAGE_BENCH.getByName("bench").fetch(request)
        return json_response({"message": "bench storage worker", "routes": ["/bench/storage?n=N"]})
