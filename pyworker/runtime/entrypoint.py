"""``WorkerEntrypoint``: the worker's own class (``class Default(WorkerEntrypoint)``) and its ``ctx``."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable
from typing import Any

from pyworker.runtime._calls import call_relaxed
from pyworker.runtime.ffi import JsException
from pyworker.runtime.http import Request, Response

__all__ = ["WorkerEntrypoint", "ExecutionContext", "dispatch_fetch"]

log = logging.getLogger("pyworker")


class ExecutionContext:
    """``self.ctx`` of a ``WorkerEntrypoint``: ``waitUntil`` and ``passThroughOnException``."""

    _pending: set[asyncio.Future[Any]] = set()

    def __init__(self, props: dict[str, Any] | None = None) -> None:
        self.props = props or {}

    def waitUntil(self, awaitable: Awaitable[Any]) -> None:  # noqa: N802 - JavaScript API name
        """Keep working on ``awaitable`` after the response has been sent."""
        task = asyncio.ensure_future(awaitable)
        self._pending.add(task)
        task.add_done_callback(self._finished)

    wait_until = waitUntil

    def passThroughOnException(self) -> None:  # noqa: N802
        """Accepted for compatibility; locally there is no origin to fall back to."""

    @classmethod
    def _finished(cls, task: asyncio.Future[Any]) -> None:
        cls._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Uncaught error in waitUntil()", exc_info=task.exception())


class WorkerEntrypoint:
    """Base class of the worker's entry point: ``class Default(WorkerEntrypoint)``.

    A new instance handles each event; ``self.env`` holds the bindings, ``self.ctx`` the
    ``ExecutionContext``.
    """

    def __init__(self, ctx: ExecutionContext, env: Any) -> None:
        self.ctx = ctx
        self.env = env


async def dispatch_fetch(entry: Any, request: Request, env: Any, ctx: ExecutionContext, *, label: str) -> Response:
    """Run the fetch handler of ``entry``: a ``WorkerEntrypoint`` class (a new instance per event) or
    a module-level ``on_fetch(request, env, ctx)``. ``label`` names the handler in the error raised
    when it returns something other than a ``Response``."""
    if inspect.isclass(entry):
        handler = getattr(entry(ctx, env), "fetch", None)
        if handler is None:
            raise JsException(f"Handler does not export a fetch() function. ({entry.__name__})")
        response = await call_relaxed(handler, request)
    else:
        response = await call_relaxed(entry, request, env, ctx)
    if not isinstance(response, Response):
        raise TypeError(f"{label} returned {type(response).__name__}: it must return a workers.Response")
    return response
