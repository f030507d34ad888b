"""RPC as Cloudflare does it: calls start at once, results are promises you can pipeline through,
``RpcTarget`` instances and functions travel by reference, everything else is copied.

``await stub.getCounter().increment()`` works without awaiting ``getCounter()`` first: the method
call is queued on the promise and runs when its value arrives.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, Protocol

from pyworker.runtime.values import clone

__all__ = ["RpcTarget", "RpcPromise", "RpcStub", "marshal", "Invoker", "run_here"]


_PASSED_AS_IS = frozenset({type(None), bool, int, float, str})
"""Immutable values that cross unchanged (the common case, checked before anything else)."""


class RpcTarget:
    """Base class for objects passed over RPC by reference: the receiver gets a stub whose method
    calls run here, in the object that returned it."""


class Invoker(Protocol):
    """Runs a call on the side that owns a value (a Durable Object's event delivery, or directly)."""

    def __call__(self, call: Callable[[], Any]) -> Awaitable[Any]: ...


async def run_here(call: Callable[[], Any]) -> Any:
    """The ``Invoker`` for targets without an event gate: run the call at once, on this task."""
    result = call()
    return await result if inspect.isawaitable(result) else result


def marshal(value: Any, where: str, invoker: Invoker = run_here) -> Any:
    """Copy ``value`` for the other side; ``RpcTarget``s and functions become stubs run by ``invoker``."""
    if type(value) in _PASSED_AS_IS:
        return value

    def by_reference(item: Any) -> Any:
        if isinstance(item, (RpcStub, RpcPromise)):
            return item
        if isinstance(item, RpcTarget):
            return RpcStub(item, invoker, type(item).__name__)
        if callable(item) and not isinstance(item, type):
            return RpcStub(item, invoker, getattr(item, "__name__", "function"))
        return NotImplemented

    return clone(value, where, by_reference)


class RpcPromise:
    """The pending result of an RPC call; ``await`` it, or call methods on it to pipeline."""

    __slots__ = ("_task",)

    def __init__(self, work: Coroutine[Any, Any, Any]) -> None:
        self._task = asyncio.ensure_future(work)
        self._task.add_done_callback(_retrieve)

    def __await__(self) -> Generator[Any, None, Any]:
        return self._task.__await__()

    def __getattr__(self, name: str) -> _Pipelined:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Pipelined(self, name)


class _Pipelined:
    """``promise.name``: awaitable (the property) or callable (a method call on the future value)."""

    __slots__ = ("_promise", "_name")

    def __init__(self, promise: RpcPromise, name: str) -> None:
        self._promise = promise
        self._name = name

    async def _value(self) -> Any:
        return getattr(await self._promise, self._name)

    def __await__(self) -> Generator[Any, None, Any]:
        return self._value().__await__()

    def __call__(self, *args: Any, **kwargs: Any) -> RpcPromise:
        async def call() -> Any:
            result = (await self._value())(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        return RpcPromise(call())


class RpcStub:
    """A remote ``RpcTarget`` or function: calls run on the side that owns it."""

    __slots__ = ("_target", "_invoke", "_label")

    def __init__(self, target: Any, invoker: Invoker, label: str) -> None:
        self._target = target
        self._invoke = invoker
        self._label = label

    def _call(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> RpcPromise:
        where = f"RPC {name}()"
        call_args, call_kwargs = marshal(list(args), where), marshal(kwargs, where)

        async def run() -> Any:
            result = await self._invoke(lambda: method(*call_args, **call_kwargs))
            return marshal(result, f"{where} result", self._invoke)

        return RpcPromise(run())

    def __call__(self, *args: Any, **kwargs: Any) -> RpcPromise:
        return self._call(self._target, args, kwargs, self._label)

    def __getattr__(self, name: str) -> Callable[..., RpcPromise]:
        if name.startswith("__"):
            raise AttributeError(name)
        method = getattr(self._target, name, None)
        if method is None or not callable(method):
            raise TypeError(f'The RPC receiver does not implement the method "{name}".')
        return lambda *args, **kwargs: self._call(method, args, kwargs, name)

    def __repr__(self) -> str:
        return f"<RpcStub {self._label}>"


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a result as seen, so an un-awaited failed call does not warn at exit."""
    if not task.cancelled():
        task.exception()
