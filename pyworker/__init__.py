"""pyworker: a local runtime and dev server for Cloudflare Python Workers and Durable Objects.

User code imports Cloudflare's API from ``workers``; the same names are re-exported here.
"""

from pyworker.api import DurableObject, Request, Response, WorkerEntrypoint, fetch

__all__ = ["DurableObject", "WorkerEntrypoint", "Request", "Response", "fetch"]
__version__ = "0.1.0"
