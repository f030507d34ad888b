"""Durable Object alarms: a timer on the runtime clock per object, the ``alarm()`` call, retries.

The alarm time itself lives in the object's storage (``_cf_METADATA``, as workerd keeps it), which
tells ``ObjectAlarm.changed`` whenever it moves. A failed handler is retried with Cloudflare's
backoff — 2 s, 4 s, 8 s, 16 s, 32 s, 64 s plus up to 25 % jitter — and abandoned after 6 retries.
A new alarm set while the handler ran replaces the retry.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING, Any

from pyworker.runtime._calls import call_relaxed
from pyworker.runtime.clock import Clock, Timer

if TYPE_CHECKING:
    from pyworker.runtime.durable_object import DurableObject, ObjectHost

__all__ = ["AlarmInfo", "ObjectAlarm", "MAX_RETRIES", "retry_delay_ms"]

log = logging.getLogger("pyworker")

MAX_RETRIES = 6
"""Retries after the first attempt before an alarm is abandoned (7 attempts in all)."""

FIRST_RETRY_DELAY_MS = 2_000
MAX_JITTER = 0.25


def retry_delay_ms(retry: int, jitter: float | None = None) -> float:
    """Delay before retry number ``retry`` (1-based): ``2 s << (retry - 1)`` plus 0–25 % jitter."""
    base = FIRST_RETRY_DELAY_MS << (retry - 1)
    return base * (1 + (random.uniform(0, MAX_JITTER) if jitter is None else jitter))


class AlarmInfo:
    """The argument of ``alarm(alarm_info)``: ``retryCount`` and ``isRetry``."""

    __slots__ = ("retryCount", "isRetry")

    def __init__(self, retry_count: int) -> None:
        self.retryCount = retry_count
        self.isRetry = retry_count > 0

    def __repr__(self) -> str:
        return f"AlarmInfo(retryCount={self.retryCount}, isRetry={self.isRetry})"


class ObjectAlarm:
    """Arms, fires and retries the alarm of one object."""

    def __init__(self, host: ObjectHost, clock: Clock) -> None:
        self._host = host
        self._clock = clock
        self._timer: Timer | None = None
        self._retry = 0
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def pending(self) -> bool:
        """True while a timer or a handler is outstanding."""
        return self._timer is not None or bool(self._tasks)

    def changed(self, scheduled_ms: float | None) -> None:
        """Storage's callback: the alarm was set to ``scheduled_ms`` (or deleted)."""
        self._retry = 0
        self._arm(scheduled_ms)

    def _arm(self, scheduled_ms: float | None, at_ms: float | None = None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if scheduled_ms is not None:
            when = scheduled_ms if at_ms is None else at_ms
            self._timer = self._clock.call_at(when, lambda: self._fire(scheduled_ms))

    def _fire(self, scheduled_ms: float) -> None:
        self._timer = None
        task = asyncio.ensure_future(self._run(scheduled_ms))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, scheduled_ms: float) -> None:
        storage = self._host.storage
        if not storage.alarm_started(scheduled_ms):
            return
        info = AlarmInfo(self._retry)
        try:
            await self._host.deliver(lambda instance: _call_alarm(instance, info))
        except Exception as error:
            self._failed(scheduled_ms, error)
            return
        self._retry = 0
        storage.alarm_finished(delete=True)

    def _failed(self, scheduled_ms: float, error: Exception) -> None:
        storage = self._host.storage
        if storage.alarm_time() != scheduled_ms:  # a new alarm was set while the handler ran
            log.error("Alarm of Durable Object %s failed; the alarm set since then replaces it: %r",
                      self._host.id, error)
            storage.alarm_finished(delete=False)
            return
        self._retry += 1
        if self._retry > MAX_RETRIES:
            log.error("Alarm of Durable Object %s failed %d times; giving up: %r",
                      self._host.id, MAX_RETRIES + 1, error, exc_info=error)
            self._retry = 0
            storage.alarm_finished(delete=True)
            return
        delay = retry_delay_ms(self._retry)
        log.error("Alarm of Durable Object %s failed (%r); retry %d of %d in %.1f s",
                  self._host.id, error, self._retry, MAX_RETRIES, delay / 1000, exc_info=error)
        storage.alarm_finished(delete=False)
        self._arm(scheduled_ms, at_ms=self._clock.now_ms() + delay)

    def resume(self) -> None:
        """Arm the stored alarm (after a restart an overdue alarm fires at once)."""
        self._arm(self._host.storage.alarm_time())

    def cancel(self) -> None:
        """Stop the timer (shutdown); the stored alarm stays for the next start."""
        self._arm(None)


async def _call_alarm(instance: DurableObject, info: AlarmInfo) -> Any:
    handler = getattr(instance, "alarm", None)
    if handler is None:
        raise TypeError(f"{type(instance).__name__} has an alarm set but no alarm() handler")
    return await call_relaxed(handler, info)
