"""``pyworker.runtime.current``: ``Date.now()`` reads the clock of the worker being served."""

from __future__ import annotations

import time

from js import Date

from pyworker.runtime.clock import ManualClock


async def test_current_date_now_follows_the_worker_clock(project, worker_client) -> None:
    clock = ManualClock(1_800_000_000_000)
    client = await worker_client(project({"src/entry.py": ENTRY}), clock=clock)
    assert await (await client.get("/")).text() == "1800000000000"
    await clock.advance(1_500)
    assert Date.now() == 1_800_000_001_500
    client.worker.close()
    assert abs(Date.now() - time.time() * 1000) < 5_000  # closing the worker restores the real clock


ENTRY = """
from js import Date
from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response(str(Date.now()))
"""
