"""``[[services]]``: service bindings, served locally when they name this worker.

``service = "<this worker's name>"`` binds the default entrypoint (``class Default``), or with
``entrypoint = "Admin"`` the ``WorkerEntrypoint`` subclass ``Admin`` exported by ``main``. A binding to
another worker is listed as not connected; its calls fail as in ``wrangler dev`` without that
worker running.
"""

from __future__ import annotations

import difflib
from typing import Any

from pyworker.bindings import BindingContext, BindingRow
from pyworker.config import ServiceBinding
from pyworker.errors import WorkerImportError
from pyworker.runtime.entrypoint import WorkerEntrypoint
from pyworker.runtime.loader import find_entrypoint
from pyworker.runtime.service_binding import Fetcher

__all__ = ["build", "describe"]


def _is_local(context: BindingContext, binding: ServiceBinding) -> bool:
    return binding.service == context.loaded.worker_name


def build(context: BindingContext) -> dict[str, Any]:
    """A ``Fetcher`` per binding; local ones call this worker's entrypoint classes.

    Raises:
        WorkerImportError: a local binding names an entrypoint ``main`` does not export.
    """
    fetchers: dict[str, Any] = {}
    for binding in context.loaded.config.services:
        target = _entrypoint(context, binding) if _is_local(context, binding) else None
        fetchers[binding.binding] = Fetcher(
            binding.binding, binding.service, binding.entrypoint, target, context.env, binding.props
        )
    return fetchers


def _entrypoint(context: BindingContext, binding: ServiceBinding) -> Any:
    """The class (or ``on_fetch``) a local binding calls."""
    module = context.module
    if binding.entrypoint is None:
        return find_entrypoint(module)
    cls = getattr(module, binding.entrypoint, None)
    if isinstance(cls, type) and issubclass(cls, WorkerEntrypoint):
        return cls
    exported = [n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, WorkerEntrypoint)]
    close = difflib.get_close_matches(binding.entrypoint, exported, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    raise WorkerImportError(
        f'[[services]] {binding.binding}: service "{binding.service}" has no entrypoint named '
        f'"{binding.entrypoint}"{hint}. Export `class {binding.entrypoint}(WorkerEntrypoint)` from '
        f"{module.__file__}, or remove `entrypoint` to bind the default export."
    )


def describe(context: BindingContext) -> list[BindingRow]:
    """``env.AUTH (worker#Admin)   Worker   local``; other workers' services are not connected."""
    return [
        BindingRow(
            f"env.{b.binding} ({b.service}{'#' + b.entrypoint if b.entrypoint else ''})",
            "Worker",
            "local" if _is_local(context, b) else "not connected",
        )
        for b in context.loaded.config.services
    ]
