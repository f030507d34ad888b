"""The Cloudflare Python Workers API as pyworker provides it: what ``import workers`` gives user code.

Names and signatures follow Cloudflare's SDK (camelCase where the platform is JavaScript), so the
same worker files deploy to Cloudflare unchanged.
"""

from __future__ import annotations

from typing import Any

from pyworker.runtime import current
from pyworker.runtime.durable_object import DurableObject, DurableObjectState
from pyworker.runtime.entrypoint import ExecutionContext, WorkerEntrypoint
from pyworker.runtime.http import Request, Response, fetch
from pyworker.runtime.ids import DurableObjectId
from pyworker.runtime.namespace import DurableObjectNamespace, DurableObjectStub
from pyworker.runtime.rpc import RpcTarget
from pyworker.runtime.values import DataCloneError
from pyworker.runtime.websockets import WebSocket, WebSocketPair, WebSocketRequestResponsePair

__all__ = [
    "DurableObject",
    "DurableObjectState",
    "DurableObjectId",
    "DurableObjectNamespace",
    "DurableObjectStub",
    "DataCloneError",
    "ExecutionContext",
    "WorkerEntrypoint",
    "Request",
    "Response",
    "RpcTarget",
    "WebSocket",
    "WebSocketPair",
    "WebSocketRequestResponsePair",
    "fetch",
]


def __getattr__(name: str) -> Any:
    if name == "env":
        return current.env()
    raise AttributeError(f"module 'workers' has no attribute {name!r}")
