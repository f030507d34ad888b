"""RPC beyond plain values: RpcTarget by reference, functions, promise pipelining."""

from __future__ import annotations

import pytest

ENTRY = """
from workers import DurableObject, RpcTarget, WorkerEntrypoint, Response


class Session(RpcTarget):
    def __init__(self, owner, label):
        self.owner = owner
        self.label = label

    async def describe(self, suffix):
        return f"{self.label}{suffix} in {self.owner.ctx.id.toString()[:8]}"

    async def bump(self):
        value = (await self.owner.ctx.storage.get("bumps") or 0) + 1
        await self.owner.ctx.storage.put("bumps", value)
        return value


class Hub(DurableObject):
    async def open(self, label):
        await self.ctx.storage.put("label", label)
        return Session(self, label)

    async def adder(self, base):
        return lambda x: base + x

    async def nested(self):
        return {"session": Session(self, "inner"), "n": 1}

    async def call_back(self, fn):
        return await fn(20)

    async def remember(self, key):
        await self.ctx.storage.put(key, True)

    async def recall(self, key):
        return await self.ctx.storage.get(key)

    def _private(self):
        return "private"


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("ok")
"""

BINDINGS = """
[[durable_objects.bindings]]
name = "HUB"
class_name = "Hub"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Hub"]
"""


@pytest.fixture
async def hub(project, worker_client):  # type: ignore[no-untyped-def]
    client = await worker_client(project({"src/entry.py": ENTRY}, BINDINGS))
    return client.worker.env.HUB.getByName("h")


async def test_rpc_target_is_returned_by_reference(hub) -> None:
    session = await hub.open("s1")
    assert (await session.describe("!")).startswith("s1! in ")


async def test_rpc_target_methods_run_in_the_object(hub) -> None:
    session = await hub.open("s1")
    assert [await session.bump(), await session.bump()] == [1, 2]


async def test_rpc_promise_pipelining(hub) -> None:
    assert (await hub.open("piped").describe("?")).startswith("piped? in ")


async def test_rpc_call_starts_without_await(hub) -> None:
    hub.remember("eager")  # never awaited: the call still runs, as on Cloudflare
    assert await hub.recall("eager") is True


async def test_rpc_returned_function_is_callable(hub) -> None:
    add_five = await hub.adder(5)
    assert await add_five(3) == 8


async def test_rpc_target_inside_a_value(hub) -> None:
    value = await hub.nested()
    assert value["n"] == 1 and (await value["session"].describe("")).startswith("inner in ")


async def test_rpc_passes_caller_functions_to_the_object(hub) -> None:
    assert await hub.call_back(lambda x: x * 2) == 40


async def test_rpc_missing_method_on_target(hub) -> None:
    session = await hub.open("s")
    with pytest.raises(TypeError, match='does not implement the method "nope"'):
        session.nope()


async def test_rpc_dunder_methods_are_not_callable(hub) -> None:
    with pytest.raises(AttributeError):
        hub.__class_getitem__  # noqa: B018


async def test_rpc_single_underscore_methods_are_reachable_as_on_cloudflare(hub) -> None:
    assert await hub._private() == "private"
