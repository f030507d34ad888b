"""The worker currently being served, for APIs that reach it globally (``from workers import env``,
``Date.now()`` on the worker's clock)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from pyworker.runtime.clock import Clock

__all__ = ["env", "set_env", "object_host", "now_ms", "set_clock"]

object_host: ContextVar[Any] = ContextVar("object_host", default=None)
"""The ``ObjectHost`` whose event is running (set by ``ObjectHost.deliver``; inherited by tasks the
event starts), so APIs such as ``WebSocket.accept()`` know which Durable Object called them."""

_env: Any = None
_clock = Clock()


def set_env(value: Any) -> None:
    """Called by the runtime whenever it (re)builds the worker's bindings."""
    global _env
    _env = value


def env() -> Any:
    """The bindings of the worker being served."""
    if _env is None:
        raise RuntimeError("env is only available while pyworker is serving a worker")
    return _env


def set_clock(clock: Clock | None) -> None:
    """Called by the runtime with the clock of the worker it serves; None restores the real clock."""
    global _clock
    _clock = clock or Clock()


def now_ms() -> float:
    """Milliseconds since the Unix epoch on the served worker's clock (what ``Date.now()`` reads)."""
    return _clock.now_ms()
