"""The worker currently being served, for APIs that reach it globally (``from workers import env``)."""

from __future__ import annotations

from typing import Any

__all__ = ["env", "set_env"]

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
