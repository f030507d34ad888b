"""Looking at a worker's Durable Objects from outside them: for the test helpers and the explorer.

User code only ever holds namespaces and stubs; these functions find what stands behind them — the
class's ``ObjectClass`` (its state directory, its live hosts) and an object's ``ObjectHost`` (its
storage, alarm and WebSockets) — so tools can inspect an object and deliver events to it without
going through its ``fetch`` handler.
"""

from __future__ import annotations

from pyworker.runtime.durable_object import ObjectHost
from pyworker.runtime.namespace import (
    DurableObjectNamespace,
    DurableObjectStub,
    ObjectClass,
)

__all__ = ["object_class", "object_host", "stored_ids"]

_ID_LENGTH = 64
"""Hex digits of a Durable Object id, the stem of its state file."""


def object_class(namespace: DurableObjectNamespace) -> ObjectClass:
    """The objects of ``namespace``'s class (shared by every binding to that class)."""
    if not isinstance(namespace, DurableObjectNamespace):
        raise TypeError(f"expected a Durable Object namespace such as env.COUNTER, got {type(namespace).__name__}")
    return namespace._objects


def object_host(stub: DurableObjectStub) -> ObjectHost:
    """The host that runs ``stub``'s object (created, not constructed, if it has not run yet)."""
    if not isinstance(stub, DurableObjectStub):
        raise TypeError(
            f"expected a Durable Object stub such as env.COUNTER.getByName('name'), got {type(stub).__name__}"
        )
    return stub._objects.host(stub.id)


def stored_ids(objects: ObjectClass) -> list[str]:
    """Hex ids of the objects that have a state file, sorted (miniflare's ``listDurableObjectIds``)."""
    if not objects.directory.is_dir():
        return []
    return sorted(
        path.stem
        for path in objects.directory.glob("*.sqlite")
        if len(path.stem) == _ID_LENGTH and all(c in "0123456789abcdef" for c in path.stem)
    )
