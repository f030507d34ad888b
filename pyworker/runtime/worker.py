"""``Worker``: a loaded worker — its module, its bindings, its objects — and event dispatch.

The server hands every HTTP request to ``Worker.fetch``; it knows nothing about Durable Objects.
"""

from __future__ import annotations

import inspect
from pyworker.bindings import BindingContext, BindingRow, build_bindings, describe_bindings
from pyworker.config import LoadedConfig
from pyworker.dev_config import DevConfig
from pyworker.runtime import current
from pyworker.runtime._calls import call_relaxed
from pyworker.runtime.entrypoint import ExecutionContext
from pyworker.runtime.env import Env
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.http import Request, Response
from pyworker.runtime.loader import find_entrypoint, load_module

__all__ = ["Worker"]


class Worker:
    """The user's worker, loaded from ``main`` with its bindings built from the config."""

    def __init__(self, loaded: LoadedConfig, dev: DevConfig) -> None:
        self.loaded = loaded
        self.dev = dev
        self.output_gate = OutputGate()
        self.persist_root = dev.persist_root(loaded.root)
        module = load_module(loaded.main_path)
        self._entrypoint = find_entrypoint(module)
        self.env = Env({})
        self._context = BindingContext(loaded, dev, self.persist_root, self.output_gate, module, self.env)
        vars(self.env).update(build_bindings(self._context))
        current.set_env(self.env)

    def describe_bindings(self) -> list[BindingRow]:
        """Rows of the start-up bindings table."""
        return describe_bindings(self._context)

    async def fetch(self, request: Request) -> Response:
        """Run the worker's fetch handler for ``request``."""
        ctx = ExecutionContext()
        entry = self._entrypoint
        if inspect.isclass(entry):
            response = await call_relaxed(entry(ctx, self.env).fetch, request)
        else:
            response = await call_relaxed(entry, request, self.env, ctx)
        if not isinstance(response, Response):
            raise TypeError(
                f"The worker's fetch handler returned {type(response).__name__}: it must return a workers.Response"
            )
        return response

    def close(self) -> None:
        """Commit every buffered write and close all state files."""
        self.output_gate.flush_now()
        for resource in self._context.resources:
            resource.close()
