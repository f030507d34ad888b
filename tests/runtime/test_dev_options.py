"""`pyworker dev` options that reach the objects: storage limits, SQLite backends, eviction."""

from __future__ import annotations

import pytest

from pyworker.runtime.http import RangeError

ENTRY = """
from workers import DurableObject, WorkerEntrypoint, Response


class Legacy(DurableObject):
    async def store(self, key, value):
        await self.ctx.storage.put(key, value)

    async def query(self):
        return self.ctx.storage.sql.exec("SELECT 1 AS one").one()["one"]


class Modern(Legacy):
    pass


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("ok")
"""

BINDINGS = """
[[durable_objects.bindings]]
name = "LEGACY"
class_name = "Legacy"

[[durable_objects.bindings]]
name = "MODERN"
class_name = "Modern"

[[migrations]]
tag = "v1"
new_classes = ["Legacy"]
new_sqlite_classes = ["Modern"]
"""


@pytest.fixture
def root(project):  # type: ignore[no-untyped-def]
    return project({"src/entry.py": ENTRY}, BINDINGS)


async def test_dev_limits_local_accepts_long_keys(root, worker_client) -> None:
    env = (await worker_client(root)).worker.env
    await env.LEGACY.getByName("a").store("k" * 3000, 1)


async def test_dev_limits_strict_enforces_production_key_size(root, worker_client) -> None:
    env = (await worker_client(root, limits="strict")).worker.env
    with pytest.raises(RangeError, match="Keys cannot be larger than 2048 bytes. A key of size 3000 was provided."):
        await env.LEGACY.getByName("a").store("k" * 3000, 1)


async def test_dev_sql_only_on_sqlite_classes(root, worker_client) -> None:
    env = (await worker_client(root)).worker.env
    assert await env.MODERN.getByName("m").query() == 1
    with pytest.raises(Exception, match="SQL is not enabled for this Durable Object class"):
        await env.LEGACY.getByName("l").query()
