"""Object lifecycle: idle eviction on a controllable clock, isolation of failures."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pyworker.runtime.clock import ManualClock
from pyworker.runtime.durable_object import DurableObject
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.namespace import DurableObjectNamespace, ObjectClass


class Tracker(DurableObject):
    constructed = 0
    release: asyncio.Event

    def __init__(self, ctx, env):  # type: ignore[no-untyped-def]
        super().__init__(ctx, env)
        Tracker.constructed += 1
        self.memory = 0

    async def touch(self) -> int:
        self.memory += 1
        await self.ctx.storage.put("stored", self.memory)
        return self.memory

    async def stored(self) -> int:
        return await self.ctx.storage.get("stored")

    async def crash(self) -> None:
        raise RuntimeError("only this call fails")

    async def linger(self) -> str:
        self.ctx.waitUntil(Tracker.release.wait())
        return "done"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def namespace(tmp_path: Path, clock: ManualClock):  # type: ignore[no-untyped-def]
    Tracker.constructed = 0
    objects = ObjectClass("Tracker", "w", tmp_path, OutputGate(), Tracker, None, clock=clock, evict_after_ms=10_000)
    yield DurableObjectNamespace("TRACKER", objects)
    objects.close()


async def test_lifecycle_instance_survives_short_idle(namespace, clock) -> None:
    stub = namespace.getByName("a")
    await stub.touch()
    await clock.advance(9_000)
    assert await stub.touch() == 2 and Tracker.constructed == 1


async def test_lifecycle_idle_object_is_evicted_and_reconstructed(namespace, clock) -> None:
    stub = namespace.getByName("a")
    await stub.touch()
    await clock.advance(10_001)
    assert await stub.touch() == 1  # in-memory field started over
    assert Tracker.constructed == 2


async def test_lifecycle_storage_survives_eviction(namespace, clock) -> None:
    stub = namespace.getByName("a")
    await stub.touch()
    await stub.touch()
    await clock.advance(60_000)
    assert await stub.stored() == 2


async def test_lifecycle_each_event_restarts_the_idle_timer(namespace, clock) -> None:
    stub = namespace.getByName("a")
    for _ in range(3):
        await stub.touch()
        await clock.advance(6_000)
    assert Tracker.constructed == 1


async def test_lifecycle_wait_until_keeps_object_alive(namespace, clock) -> None:
    stub = namespace.getByName("a")
    Tracker.release = asyncio.Event()
    await stub.touch()
    await stub.linger()
    await clock.advance(30_000)
    assert await stub.touch() == 2
    Tracker.release.set()


async def test_lifecycle_exception_fails_only_that_call(namespace) -> None:
    stub = namespace.getByName("a")
    await stub.touch()
    with pytest.raises(RuntimeError, match="only this call fails"):
        await stub.crash()
    assert await stub.touch() == 2 and Tracker.constructed == 1


async def test_lifecycle_eviction_can_be_disabled(tmp_path: Path, clock) -> None:
    Tracker.constructed = 0
    objects = ObjectClass("Tracker", "w", tmp_path, OutputGate(), Tracker, None, clock=clock, evict_after_ms=None)
    stub = DurableObjectNamespace("T", objects).getByName("a")
    await stub.touch()
    await clock.advance(3_600_000)
    assert await stub.touch() == 2
    objects.close()


class Aborting(DurableObject):
    constructed = 0

    def __init__(self, ctx, env):  # type: ignore[no-untyped-def]
        super().__init__(ctx, env)
        Aborting.constructed += 1

    async def give_up(self) -> None:
        await self.ctx.storage.put("before", True)
        self.ctx.abort("enough")

    async def stored(self) -> bool:
        return await self.ctx.storage.get("before")


async def test_lifecycle_abort_fails_the_call_and_resets_the_object(tmp_path: Path, clock) -> None:
    from pyworker.runtime.durable_object import DurableObjectAbort

    Aborting.constructed = 0
    objects = ObjectClass("Aborting", "w", tmp_path, OutputGate(), Aborting, None, clock=clock)
    stub = DurableObjectNamespace("A", objects).getByName("a")
    with pytest.raises(DurableObjectAbort, match="enough"):
        await stub.give_up()
    assert await stub.stored() is True and Aborting.constructed == 2
    objects.close()
