"""Reaching into Durable Objects from a test, as ``cloudflare:test`` does for vitest-pool-workers.

``run_in_durable_object(stub, fn)`` runs ``fn(instance, ctx)`` as an event of the object — the input
gate holds other events back and its writes are committed before the call returns, exactly as for a
``fetch`` or an RPC call. ``run_durable_object_alarm(stub)`` fires the object's alarm now, if one is
set. ``list_durable_object_ids(namespace)`` lists the objects that have stored something.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pyworker.runtime._calls import call_relaxed
from pyworker.runtime.alarms import AlarmInfo
from pyworker.runtime.durable_object import DurableObject, DurableObjectState
from pyworker.runtime.ids import DurableObjectId
from pyworker.runtime.introspection import object_class, object_host, stored_ids
from pyworker.runtime.namespace import DurableObjectNamespace, DurableObjectStub

__all__ = ["list_durable_object_ids", "run_durable_object_alarm", "run_in_durable_object"]

T = TypeVar("T")


async def run_in_durable_object(
    stub: DurableObjectStub, fn: Callable[[Any, DurableObjectState], Awaitable[T] | T]
) -> T:
    """Run ``fn(instance, ctx)`` inside ``stub``'s object and return what it returns.

    The object is constructed first if it is not in memory. ``fn`` may be a plain function or a
    coroutine function; it sees the live instance, so it can check in-memory fields as well as
    ``ctx.storage``::

        stub = worker_env.COUNTER.getByName("a")
        await stub.fetch("http://x/counter/increment")
        assert await run_in_durable_object(stub, lambda counter, ctx: ctx.storage.get("counter")) == 1
    """
    host = object_host(stub)

    async def invoke(instance: DurableObject) -> T:
        result = fn(instance, instance.ctx)
        if inspect.isawaitable(result):
            result = await result
        return result

    return await host.deliver(invoke)


async def run_durable_object_alarm(stub: DurableObjectStub) -> bool:
    """Run the alarm of ``stub``'s object now if one is set; True if it ran.

    The alarm is removed (an alarm the handler sets for itself stays), whether the handler succeeds
    or raises; an exception propagates to the caller instead of being retried.
    """
    host = object_host(stub)
    storage = host.storage
    scheduled = storage.alarm_time()
    if scheduled is None or not storage.alarm_started(scheduled):
        return False
    host.alarm.cancel()
    try:
        await host.deliver(_call_alarm)
    finally:
        storage.alarm_finished(delete=True)
    return True


async def _call_alarm(instance: DurableObject) -> Any:
    handler = getattr(instance, "alarm", None)
    if handler is None:
        raise TypeError(f"{type(instance).__name__} has an alarm set but no alarm() handler")
    return await call_relaxed(handler, AlarmInfo(0))


def list_durable_object_ids(namespace: DurableObjectNamespace) -> list[DurableObjectId]:
    """The ids of ``namespace``'s objects that have a state file (they have stored something), sorted."""
    return [namespace.idFromString(hex_id) for hex_id in stored_ids(object_class(namespace))]
