"""Fixtures for binding tests: a worker with KV, D1 and services, on a manual clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pyworker.runtime.clock import ManualClock

ENTRY = """
from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        await self.env.CACHE.put("visits", "1")
        return Response(await self.env.CACHE.get("visits"))
"""

BINDINGS = """
[[kv_namespaces]]
binding = "CACHE"
id = "0f2ac74b498b48028cb68387c421e279"

[[d1_databases]]
binding = "DB"
database_name = "app-db"
database_id = "00000000-1111-2222-3333-444444444444"
"""


@pytest.fixture
def clock() -> ManualClock:
    """The runtime clock of the worker under test (starts at 1,700,000,000,000 ms)."""
    return ManualClock()


@pytest.fixture
def bound_worker(project, worker_client, clock) -> Callable[..., Awaitable[Any]]:  # type: ignore[no-untyped-def]
    """``await bound_worker(entry=..., extra=...)`` → a test client whose worker has KV and D1."""

    async def start(entry: str = ENTRY, extra: str = "") -> Any:
        root = project({"src/entry.py": entry}, BINDINGS + extra)
        return await worker_client(root, clock=clock)

    return start


@pytest.fixture
async def env(bound_worker) -> Any:  # type: ignore[no-untyped-def]
    """The ``env`` of a worker with ``CACHE`` (KV) and ``DB`` (D1)."""
    client = await bound_worker()
    return client.worker.env
