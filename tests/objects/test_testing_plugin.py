"""The example app tested with pyworker's own pytest plugin, as a user would test theirs: the
plugin finds the repository's wrangler.toml, gives ``worker``/``worker_env`` on a manual clock and an
empty state folder, and reaches into objects with ``pyworker.testing``'s helpers.

(In this repository ``tests/conftest.py`` defines its own ``worker_client``, which shadows the
plugin's; requests go through ``worker.fetch`` here instead.)
"""

from __future__ import annotations

from pyworker import Request
from pyworker.runtime.worker import Worker
from pyworker.testing import (
    ManualClock,
    list_durable_object_ids,
    run_durable_object_alarm,
    run_in_durable_object,
)


async def test_plugin_counter_route_stores_in_the_global_counter(worker: Worker, worker_env) -> None:
    response = await worker.fetch(Request("http://localhost/counter/increment"))
    assert response.status == 200
    counter = worker_env.COUNTER.getByName("global-counter")
    assert await run_in_durable_object(counter, lambda instance, ctx: ctx.storage.get("counter")) == 1
    assert list_durable_object_ids(worker_env.COUNTER) == [counter.id]


async def test_plugin_batcher_alarm_runs_on_demand(worker_env, capsys) -> None:
    batcher = worker_env.BATCHER.getByName("plugin")
    for body in ("one", "two"):
        await batcher.fetch("http://localhost/batcher", method="POST", body=body)
    assert await run_in_durable_object(batcher, lambda instance, ctx: instance.count) == 2
    assert await run_durable_object_alarm(batcher) is True
    assert "Processing batch of 2 items" in capsys.readouterr().out
    assert await run_in_durable_object(batcher, lambda instance, ctx: ctx.storage.list()) == {}
    assert await run_durable_object_alarm(batcher) is False


async def test_plugin_batcher_alarm_fires_when_the_clock_reaches_it(worker_env, worker_clock: ManualClock, capsys) -> None:
    batcher = worker_env.BATCHER.getByName("clocked")
    await batcher.fetch("http://localhost/batcher", method="POST", body="only")
    await worker_clock.advance(9_999)
    assert "Processing batch" not in capsys.readouterr().out
    await worker_clock.advance(1)
    assert "Processing batch of 1 items" in capsys.readouterr().out
