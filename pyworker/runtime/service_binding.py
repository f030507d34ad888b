"""``Fetcher``: a service binding (``env.AUTH``) to an entrypoint of this worker.

``await env.AUTH.fetch(request)`` runs the entrypoint class's ``fetch``; ``await env.AUTH.check(token)``
is an RPC call to its ``check`` method, with RPC's value rules (arguments and results are copied,
``RpcTarget`` instances and functions travel by reference, results can be pipelined). Each call gets
a fresh instance of the entrypoint class, ``Class(ctx, env)``, as on Cloudflare; ``ctx.props`` holds
the binding's ``props``.

A binding to another worker has no local target: ``fetch`` answers 503 and RPC calls fail with
wrangler's "Couldn't find a local dev session" message.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from pyworker.runtime.entrypoint import ExecutionContext, WorkerEntrypoint, dispatch_fetch
from pyworker.runtime.ffi import JsException
from pyworker.runtime.http import Request, Response
from pyworker.runtime.rpc import RpcPromise, RpcStub, run_here

__all__ = ["Fetcher", "no_local_session"]


def no_local_session(service: str, entrypoint: str | None) -> str:
    """wrangler's text for a service that no local dev session serves."""
    return (
        f'Couldn\'t find a local dev session for the "{entrypoint or "default"}" entrypoint of service '
        f'"{service}" to proxy to'
    )


class Fetcher:
    """A service binding; ``target`` is the entrypoint (a ``WorkerEntrypoint`` subclass or a
    module-level ``on_fetch``), None when the service is not served locally."""

    def __init__(
        self,
        binding: str,
        service: str,
        entrypoint: str | None,
        target: type[WorkerEntrypoint] | Callable[..., Any] | None,
        env: Any,
        props: Mapping[str, Any] | None = None,
    ) -> None:
        self._binding = binding
        self._service = service
        self._entrypoint = entrypoint
        self._target = target
        self._env = env
        self._props = dict(props or {})

    async def fetch(self, input: str | Request, **init: Any) -> Response:  # noqa: A002
        """Send an HTTP request to the entrypoint's ``fetch`` handler."""
        request = Request(input, **init)
        target = self._target
        if target is None:
            return Response(no_local_session(self._service, self._entrypoint), status=503)
        return await dispatch_fetch(
            target, request, self._env, ExecutionContext(self._props),
            label=f"The fetch handler of service binding {self._binding}",
        )

    def __getattr__(self, method: str) -> Callable[..., RpcPromise]:
        """``env.SVC.method(...)``: an RPC call to a fresh instance of the entrypoint class."""
        if method.startswith("__"):
            raise AttributeError(method)
        target = self._target
        if target is None:
            return lambda *args, **kwargs: RpcPromise(self._not_connected())
        if not inspect.isclass(target):
            raise TypeError(f'The RPC receiver does not implement the method "{method}".')
        stub = RpcStub(target(ExecutionContext(self._props), self._env), run_here, target.__name__)
        return getattr(stub, method)  # type: ignore[no-any-return]

    async def _not_connected(self) -> NoReturn:
        raise JsException(no_local_session(self._service, self._entrypoint))

    def __repr__(self) -> str:
        return f"<Fetcher {self._binding} ({self._service}{'#' + self._entrypoint if self._entrypoint else ''})>"
