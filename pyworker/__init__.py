"""pyworker: a local runtime and dev server for Cloudflare Python Workers and Durable Objects.

User code imports Cloudflare's API from ``workers``; the same names are re-exported here. They are
imported on first use, so ``pyworker dev`` decides what to import first (see :mod:`pyworker.cli`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyworker.api import DurableObject, Request, Response, WorkerEntrypoint, fetch

__all__ = ["DurableObject", "WorkerEntrypoint", "Request", "Response", "fetch"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pyworker import api

        return getattr(api, name)
    raise AttributeError(f"module 'pyworker' has no attribute {name!r}")
