"""``Worker``: the served version of the worker — its module, its bindings, its objects — and event
dispatch; ``Worker.reload`` swaps in a new version.

The server hands every HTTP request to ``Worker.fetch``; it knows nothing about Durable Objects.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pyworker.bindings import BindingContext, BindingRow, build_bindings, describe_bindings, swap_bindings
from pyworker.config import LoadedConfig
from pyworker.config.apply import apply_pending_migrations
from pyworker.config.ledger import Ledger
from pyworker.dev_config import DevConfig
from pyworker.runtime import current
from pyworker.runtime.entrypoint import ExecutionContext, dispatch_fetch
from pyworker.runtime.clock import Clock
from pyworker.runtime.env import Env
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.http import Request, Response
from pyworker.runtime.loader import find_entrypoint, load_module
from pyworker.runtime.scheduled import ScheduledResult, run_scheduled

__all__ = ["Worker"]

log = logging.getLogger("pyworker")


def _moves_objects(loaded: LoadedConfig, persist_root: Path) -> bool:
    """True when a pending migration renames, deletes or transfers classes (moves state files)."""
    pending = loaded.config.migrations[len(Ledger(persist_root).applied(loaded.worker_name)):]
    return any(m.renamed_classes or m.deleted_classes or m.transferred_classes for m in pending)


class Worker:
    """The user's worker, loaded from ``main`` with its bindings built from the config."""

    env: Env
    _entrypoint: Any
    _context: BindingContext

    def __init__(self, loaded: LoadedConfig, dev: DevConfig, *, clock: Clock | None = None) -> None:
        """Load ``loaded``'s worker; create it on the running event loop (stored alarms are armed).

        ``clock`` drives alarms and eviction (a ``ManualClock`` in tests).
        """
        self.dev = dev
        self.clock = clock or Clock()
        current.set_clock(self.clock)
        self.output_gate = OutputGate()
        self._serve(loaded, serving=None)

    @property
    def loaded(self) -> LoadedConfig:
        """The config being served."""
        return self._context.loaded

    def reload(self, loaded: LoadedConfig | None = None) -> None:
        """Import ``main`` afresh and serve it, with bindings built from ``loaded`` (default: the
        config being served).

        The swap is atomic: requests in flight finish on the code they started with, the next one
        gets the new code. Durable Object classes keep their live objects' state (instances are
        constructed from the new code on next use) and unchanged bindings keep their namespace
        objects; when the worker's name, ``main`` or state directory changes, every binding is
        built anew.

        Raises:
            WorkerImportError: ``main`` does not import, has no fetch handler, or lacks a class a
                binding names. The serving version is untouched.
        """
        self._serve(loaded or self.loaded, serving=self._context)

    def _serve(self, loaded: LoadedConfig, serving: BindingContext | None) -> None:
        module = load_module(loaded.main_path)
        entrypoint = find_entrypoint(module)
        persist_root = self.dev.persist_root(loaded.root)
        same_home = serving is not None and (
            (serving.loaded.worker_name, serving.loaded.main_path, serving.persist_root)
            == (loaded.worker_name, loaded.main_path, persist_root)
        )
        if serving is not None and _moves_objects(loaded, persist_root):
            for resource in serving.resources.values():  # state files are about to move: close them
                resource.close()
            same_home = False
        for line in apply_pending_migrations(loaded, persist_root):
            log.info("%s", line)
        env = Env({})
        context = BindingContext(
            loaded, self.dev, persist_root, self.output_gate, module, env, self.clock,
            previous=serving if same_home else None,
        )
        vars(env).update(build_bindings(context))
        swap_bindings(serving, context)
        self._context, self._entrypoint, self.env = context, entrypoint, env
        current.set_env(env)

    def describe_bindings(self) -> list[BindingRow]:
        """Rows of the start-up bindings table."""
        return describe_bindings(self._context)

    async def fetch(self, request: Request) -> Response:
        """Run the worker's fetch handler for ``request``."""
        return await dispatch_fetch(
            self._entrypoint, request, self.env, ExecutionContext(), label="The worker's fetch handler"
        )

    async def scheduled(self, cron: str = "", scheduled_time: float | None = None) -> ScheduledResult:
        """Run the worker's ``scheduled`` handler once, for ``cron`` at ``scheduled_time`` (epoch ms,
        default now on the worker's clock)."""
        when = self.clock.now_ms() if scheduled_time is None else scheduled_time
        return await run_scheduled(self._entrypoint, self.env, cron, when)

    def close(self) -> None:
        """Commit every buffered write and close all state files."""
        current.set_clock(None)
        self.output_gate.flush_now()
        for resource in self._context.resources.values():
            resource.close()
