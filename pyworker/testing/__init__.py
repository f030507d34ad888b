"""Testing a worker with pytest: the fixtures of ``pyworker.testing.plugin`` (loaded automatically
once pyworker is installed), helpers to reach into Durable Objects, and the fixtures' types.

::

    from pyworker.testing import WorkerClientFactory, run_in_durable_object

    async def test_increment(worker_client: WorkerClientFactory, worker_env) -> None:
        client = await worker_client()
        assert (await (await client.get("/counter/increment")).json())["value"] == 1
        stub = worker_env.COUNTER.getByName("global-counter")
        assert await run_in_durable_object(stub, lambda counter, ctx: ctx.storage.get("counter")) == 1
"""

from pyworker.runtime.clock import ManualClock
from pyworker.testing.durable_objects import (
    list_durable_object_ids,
    run_durable_object_alarm,
    run_in_durable_object,
)
from pyworker.testing.plugin import WorkerClient, WorkerClientFactory, WorkerFactory

__all__ = [
    "ManualClock",
    "WorkerClient",
    "WorkerClientFactory",
    "WorkerFactory",
    "list_durable_object_ids",
    "run_durable_object_alarm",
    "run_in_durable_object",
]
