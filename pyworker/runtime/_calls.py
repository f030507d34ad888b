"""Calling user handlers the way workerd does."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["call_relaxed"]


async def call_relaxed(handler: Callable[..., Any], *args: Any) -> Any:
    """Call a handler with as many positional arguments as it takes (workerd's relaxed call)."""
    limit = _positional_limit(getattr(handler, "__func__", handler))
    result = handler(*args[: limit - inspect.ismethod(handler)] if limit is not None else args)
    if inspect.isawaitable(result):
        result = await result
    return result


@functools.lru_cache(maxsize=1024)
def _positional_limit(func: Callable[..., Any]) -> int | None:
    """How many positional arguments ``func`` accepts (None: any number)."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
