"""Durable Object namespaces (``env.COUNTER``), stubs, and RPC calls through them."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pyworker.runtime._calls import call_relaxed
from pyworker.runtime.clock import Clock
from pyworker.runtime.durable_object import DurableObject, ObjectHost
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.http import Request, Response
from pyworker.runtime.ids import DurableObjectId, IdFactory
from pyworker.runtime.rpc import RpcPromise, marshal
from pyworker.storage.durable_object_storage import DurableObjectStorage
from pyworker.storage.sqlite_store import SqliteStore

__all__ = ["DurableObjectNamespace", "DurableObjectStub", "ObjectClass"]

_NO_JURISDICTIONS = "Jurisdiction restrictions are not implemented in workerd."

DEFAULT_EVICT_AFTER_MS = 10_000
"""Idle time after which an instance is dropped, as workerd does locally (DO_SPEC §3.8)."""


class ObjectClass:
    """The live objects of one Durable Object class, stored under ``<persist>/v3/do/<worker>-<Class>/``."""

    def __init__(
        self,
        class_name: str,
        worker_name: str,
        persist_root: Path,
        output_gate: OutputGate,
        cls: type[DurableObject],
        env: Any,
        *,
        clock: Clock | None = None,
        evict_after_ms: float | None = DEFAULT_EVICT_AFTER_MS,
        sqlite: bool = True,
        limits: str = "local",
    ) -> None:
        unique_key = f"{worker_name}-{class_name}"
        self.class_name = class_name
        self.ids = IdFactory(unique_key)
        self.directory = persist_root / "v3" / "do" / unique_key
        self._output_gate = output_gate
        self.cls = cls
        self.env = env
        self.clock = clock or Clock()
        self.evict_after_ms = evict_after_ms
        self.sqlite = sqlite
        self.limits = limits
        self.hosts: dict[str, ObjectHost] = {}

    def serve_code(self, cls: type[DurableObject], env: Any) -> None:
        """Serve new code: live instances are dropped and constructed from ``cls`` on next use.

        Events in flight finish on their old instance; storage stays open and intact.
        """
        self.cls = cls
        self.env = env
        for host in self.hosts.values():
            host.instance = None

    def host(self, object_id: DurableObjectId) -> ObjectHost:
        """The one host of ``object_id`` (created on first use)."""
        key = object_id.toString()
        host = self.hosts.get(key)
        if host is None:
            store = SqliteStore(self.directory / f"{key}.sqlite", object_id.name)
            storage = DurableObjectStorage(
                store,
                self._output_gate,
                sqlite=self.sqlite,
                limits=self.limits,
                clock=self.clock,
                on_alarm_change=lambda ms: host.alarm.changed(ms),
            )
            host = ObjectHost(object_id, self, storage, self._output_gate)
            storage.run_exclusive = lambda work: host.gate.block_while(work, _keep_object)
            self.hosts[key] = host
        return host

    def resume_alarms(self) -> None:
        """Arm the alarms stored in this class's objects (call once the event loop runs).

        An alarm that came due while the server was stopped fires at once.
        """
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.sqlite")):
            if len(path.stem) != 64 or path.stem in self.hosts:
                continue
            host = self.host(DurableObjectId(path.stem))
            if host.storage.alarm_time() is None:
                host.close()
                del self.hosts[path.stem]
            else:
                host.alarm.resume()

    def close(self) -> None:
        """Commit and close every object's storage."""
        for host in self.hosts.values():
            host.close()
        self.hosts.clear()


def _keep_object(error: BaseException) -> None:
    """A failed transaction rolls back; unlike ``blockConcurrencyWhile`` it does not reset the object."""


class DurableObjectNamespace:
    """A Durable Object binding: ``env.COUNTER.getByName("global")``."""

    def __init__(self, binding: str, objects: ObjectClass) -> None:
        self._binding = binding
        self._objects = objects

    def idFromName(self, name: str) -> DurableObjectId:  # noqa: N802
        """The id that ``name`` always maps to."""
        if not isinstance(name, str):
            raise TypeError(f"idFromName() expects a str name, got {type(name).__name__}")
        return self._objects.ids.from_name(name)

    def newUniqueId(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> DurableObjectId:  # noqa: N802
        """A new random id."""
        if {**(options or {}), **kwargs}.get("jurisdiction"):
            raise RuntimeError(_NO_JURISDICTIONS)
        return self._objects.ids.unique()

    def idFromString(self, hex_id: str) -> DurableObjectId:  # noqa: N802
        """Parse an id printed by ``str(id)``; TypeError if it is not one of this namespace."""
        return self._objects.ids.from_string(hex_id)

    def get(self, object_id: DurableObjectId, options: Mapping[str, Any] | None = None, **kwargs: Any) -> DurableObjectStub:
        """A stub for ``object_id``; ``locationHint`` is accepted and ignored locally."""
        if not isinstance(object_id, DurableObjectId):
            raise TypeError(f"get() expects a DurableObjectId, got {type(object_id).__name__}")
        return DurableObjectStub(object_id, self._objects)

    def getByName(self, name: str, options: Mapping[str, Any] | None = None, **kwargs: Any) -> DurableObjectStub:  # noqa: N802
        """``get(idFromName(name))``."""
        return self.get(self.idFromName(name))

    def jurisdiction(self, name: str | None) -> DurableObjectNamespace:
        """Only ``jurisdiction(None)`` works locally, as in workerd."""
        if name:
            raise RuntimeError(_NO_JURISDICTIONS)
        return self

    def __repr__(self) -> str:
        return f"<DurableObjectNamespace {self._binding} ({self._objects.class_name})>"


class DurableObjectStub:
    """A stub: ``await stub.fetch(request)`` or ``await stub.someMethod(args)`` (RPC)."""

    def __init__(self, object_id: DurableObjectId, objects: ObjectClass) -> None:
        self.id = object_id
        self.name = object_id.name
        self._objects = objects

    async def fetch(self, input: str | Request, **init: Any) -> Response:  # noqa: A002
        """Send an HTTP request to the object's ``fetch`` handler."""
        request = Request(input, **init)
        host = self._objects.host(self.id)

        async def invoke(instance: DurableObject) -> Response:
            handler = getattr(instance, "fetch", None)
            if handler is None:
                raise TypeError(f"Handler does not export a fetch() function. ({type(instance).__name__})")
            response = await call_relaxed(handler, request)
            if not isinstance(response, Response):
                raise TypeError(
                    f"{type(instance).__name__}.fetch() returned {type(response).__name__}: "
                    "it must return a workers.Response"
                )
            return response

        return await host.deliver(invoke)

    def __getattr__(self, method: str) -> Callable[..., RpcPromise]:
        if method.startswith("__"):
            raise AttributeError(method)
        return lambda *args, **kwargs: self._call(method, args, kwargs)

    def _call(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> RpcPromise:
        """Start an RPC call now (arguments are checked and copied here); the promise gives the result."""
        where = f"RPC {method}()"
        call_args = [marshal(arg, where) for arg in args]
        call_kwargs = marshal(kwargs, where) if kwargs else kwargs
        host = self._objects.host(self.id)

        async def invoke(instance: DurableObject) -> Any:
            target = getattr(type(instance), method, None)
            if target is None or not callable(target) or method.startswith("__"):
                raise TypeError(f'The RPC receiver does not implement the method "{method}".')
            result = getattr(instance, method)(*call_args, **call_kwargs)
            if inspect.isawaitable(result):
                result = await result
            return marshal(result, f"{where} result", host.invoker)

        return RpcPromise(host.deliver(invoke))

    def __repr__(self) -> str:
        return f"<DurableObjectStub {self._objects.class_name} {self.id}>"
