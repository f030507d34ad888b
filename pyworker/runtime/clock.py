"""Time for the runtime: wall-clock milliseconds and timers, swappable for a manual clock in tests.

Alarms and eviction ask the clock, never ``time`` or ``loop.call_later`` directly, so a test can move
time forward with ``await clock.advance(30_000)`` instead of sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

__all__ = ["Clock", "ManualClock", "Timer"]


class Timer:
    """A scheduled callback; ``cancel()`` stops it if it has not run yet."""

    __slots__ = ("when_ms", "_callback", "_handle", "cancelled")

    def __init__(self, when_ms: float, callback: Callable[[], None]) -> None:
        self.when_ms = when_ms
        self._callback = callback
        self._handle: asyncio.TimerHandle | None = None
        self.cancelled = False

    def cancel(self) -> None:
        """Do not run the callback."""
        self.cancelled = True
        if self._handle is not None:
            self._handle.cancel()

    def _run(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._callback()


class Clock:
    """The real clock: ``time.time()`` and the event loop's timers."""

    def now_ms(self) -> float:
        """Milliseconds since the Unix epoch (JavaScript's ``Date.now()``)."""
        return time.time() * 1000

    def call_at(self, when_ms: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` on the event loop once ``now_ms() >= when_ms``."""
        timer = Timer(when_ms, callback)
        delay = max(0.0, (when_ms - self.now_ms()) / 1000)
        timer._handle = asyncio.get_running_loop().call_later(delay, timer._run)
        return timer


class ManualClock(Clock):
    """A clock that only moves when told to: ``await clock.advance(ms)`` runs the timers that come due."""

    def __init__(self, start_ms: float = 1_700_000_000_000) -> None:
        self._now = start_ms
        self._timers: list[tuple[float, int, Timer]] = []
        self._order = itertools.count()

    def now_ms(self) -> float:
        return self._now

    def call_at(self, when_ms: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(when_ms, callback)
        heapq.heappush(self._timers, (when_ms, next(self._order), timer))
        return timer

    async def advance(self, ms: float) -> None:
        """Move time forward by ``ms``, running due timers in order and letting their work finish."""
        target = self._now + ms
        while self._timers and self._timers[0][0] <= target:
            when, _, timer = heapq.heappop(self._timers)
            self._now = max(self._now, when)
            timer._run()
            await _settle()
        self._now = target
        await _settle()


async def _settle() -> None:
    """Let callbacks and the tasks they started run until the loop is idle for a moment."""
    for _ in range(20):
        await asyncio.sleep(0)
