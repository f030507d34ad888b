"""The worker currently being served, for APIs that reach it globally (``from workers import env``)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

__all__ = ["env", "set_env", "object_host"]

object_host: ContextVar[Any] = ContextVar("object_host", default=None)
"""The ``ObjectHost`` whose event is running (set by ``ObjectHost.deliver``; inherited by tasks the
event starts), so APIs such as ``WebSocket.accept()`` know which Durable Object called them."""

_env: Any = None


def set_env(value: Any) -> None:
    """Called by the runtime whenever it (re)builds the worker's bindings."""
    global _env
    _env = value


def env() -> Any:
    """The bindings of the worker being served."""
    if _env is None:
        raise RuntimeError("env is only available while pyworker is serving a worker")
    return _env
