"""``WorkerEntrypoint``: the worker's own class (``class Default(WorkerEntrypoint)``) and its ``ctx``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

__all__ = ["WorkerEntrypoint", "ExecutionContext"]

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
