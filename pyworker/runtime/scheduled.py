"""Scheduled events: the ``scheduled`` handler of the worker's entrypoint, and cron timers.

``async def scheduled(self, controller, env, ctx)`` on ``class Default(WorkerEntrypoint)`` receives a
``ScheduledController`` (``controller.cron``, ``controller.scheduledTime`` in ms since the epoch,
``controller.noRetry()``), the bindings and the ``ExecutionContext``, as on Cloudflare.
``run_scheduled`` dispatches one event and reports its outcome the way workerd does (``"ok"`` or
``"exception"``); ``/cdn-cgi/handler/scheduled`` and ``--test-scheduled`` use it, and so does
``CronTimers``, which (with ``pyworker dev --crons``) fires each cron of ``[triggers]`` when it is
due, on the runtime clock: one loop timer per cron, armed for its next time, no polling.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyworker.config.cron import CronExpression
from pyworker.runtime._calls import call_relaxed
from pyworker.runtime.clock import Clock, Timer
from pyworker.runtime.entrypoint import ExecutionContext

__all__ = ["CronTimers", "ScheduledController", "ScheduledResult", "run_scheduled"]

log = logging.getLogger("pyworker")

NO_HANDLER = "Handler does not export a scheduled() function."


class ScheduledController:
    """What a ``scheduled`` handler gets: the cron that fired and when it was due."""

    type = "scheduled"

    def __init__(self, cron: str, scheduled_time: float) -> None:
        self.cron = cron
        self.scheduledTime = scheduled_time  # noqa: N815 - JavaScript API name
        self.no_retry = False

    def noRetry(self) -> None:  # noqa: N802 - JavaScript API name
        """Ask Cloudflare not to retry this event if it fails (recorded; there are no retries locally)."""
        self.no_retry = True

    def __repr__(self) -> str:
        return f"ScheduledController(cron={self.cron!r}, scheduledTime={self.scheduledTime!r})"


@dataclass(frozen=True)
class ScheduledResult:
    """How a scheduled event ended: ``outcome`` is ``"ok"`` or ``"exception"``, as workerd reports it."""

    outcome: str
    no_retry: bool = False
    error: Exception | None = None


async def run_scheduled(entrypoint: Any, env: Any, cron: str, scheduled_time: float) -> ScheduledResult:
    """Run the ``scheduled`` handler of ``entrypoint`` (the worker's default export) once.

    An exception in the handler is logged with its traceback; it makes the outcome ``"exception"``.
    """
    controller = ScheduledController(cron, scheduled_time)
    ctx = ExecutionContext()
    try:
        handler = getattr(entrypoint(ctx, env), "scheduled", None) if inspect.isclass(entrypoint) else None
        if handler is None:
            raise TypeError(NO_HANDLER)
        await call_relaxed(handler, controller, env, ctx)
    except Exception as error:
        log.error("%s: %s", type(error).__name__, error, exc_info=error)
        return ScheduledResult("exception", controller.no_retry, error)
    return ScheduledResult("ok", controller.no_retry)


class CronTimers:
    """Fires the worker's crons on schedule: one timer per cron, re-armed after each event.

    ``serve`` points the timers at a new version of the worker (after a reload); ``close`` stops
    them. Events run on the event loop like requests; one that is still running when its cron is
    due again does not delay the next.
    """

    def __init__(self, crons: Sequence[str], clock: Clock) -> None:
        self.crons = tuple(crons)
        self._expressions = [CronExpression(cron) for cron in self.crons]
        self._clock = clock
        self._timers: list[Timer] = []
        self._running: set[asyncio.Future[ScheduledResult]] = set()
        self._entrypoint: Any = None
        self._env: Any = None

    def serve(self, entrypoint: Any, env: Any) -> None:
        """Dispatch to ``entrypoint`` with ``env`` from now on."""
        self._entrypoint, self._env = entrypoint, env

    def start(self) -> None:
        """Arm each cron's timer for its next time (call on the running event loop)."""
        now = self._clock.now_ms()
        for expression in self._expressions:
            self._arm(expression, now)

    def _arm(self, expression: CronExpression, after_ms: float) -> None:
        due = expression.next_ms(after_ms)
        if due is not None:
            self._timers.append(self._clock.call_at(due, lambda: self._fire(expression, due)))

    def _fire(self, expression: CronExpression, due: float) -> None:
        self._timers = [timer for timer in self._timers if not timer.cancelled]
        self._arm(expression, due)
        log.info("Running scheduled event for cron %s", expression.text)
        task = asyncio.ensure_future(run_scheduled(self._entrypoint, self._env, expression.text, due))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def close(self) -> None:
        """Stop every timer."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
